import Testing

@testable import Mail

@Suite("MailAddress")
struct MailAddressTests {
    @Test(
        "accepts addr-specs",
        arguments: [
            ("bob@example.com", "bob@example.com"),
            ("Bob.Smith@Example.COM", "Bob.Smith@example.com"),
            ("first.last+tag@sub.domain.example.org", "first.last+tag@sub.domain.example.org"),
            ("o'brien@example.ie", "o'brien@example.ie"),
            ("x!#$%&'*+-/=?^_`{|}~@a-b.c0", "x!#$%&'*+-/=?^_`{|}~@a-b.c0"),
            ("a@b.co", "a@b.co"),
            ("user@xn--bcher-kva.example", "user@xn--bcher-kva.example"),
            ("1234@123.example", "1234@123.example"),
        ])
    func accepts(_ text: String, _ normalised: String) throws {
        let address = try MailAddress(parsing: text)
        #expect(address.address == normalised)
        #expect(address.description == normalised)
        #expect(address.domain == String(normalised.split(separator: "@")[1]))
    }

    @Test("compares equal whatever the case of the domain")
    func domainCase() throws {
        #expect(try MailAddress(parsing: "Bob@EXAMPLE.com") == MailAddress(parsing: "Bob@example.COM"))
        #expect(try MailAddress(parsing: "Bob@example.com") != MailAddress(parsing: "bob@example.com"))
    }

    static let refused: [(String, MailAddressError)] = [
        ("", .empty),
        ("bob.example.com", .missingAt),
        ("bob@x@example.com", .moreThanOneAt),
        ("\"bob smith\"@example.com", .invalidLocalPartCharacter("\"")),
        ("Bob <bob@example.com>", .angleBrackets),
        ("<bob@example.com>", .angleBrackets),
        ("bob@example.com (Bob)", .invalidDomainCharacter(" ")),
        ("bob@example.com\r\nBcc: victim@example.com", .containsLineBreak),
        ("bob@example.com\n", .containsLineBreak),
        ("bob\0@example.com", .containsNUL),
        ("bob\t@example.com", .controlCharacter(9)),
        ("josé@example.com", .nonASCII("é")),
        ("bob@bücher.example", .nonASCII("ü")),
        ("@example.com", .emptyLocalPart),
        ("bob@", .emptyDomain),
        (".bob@example.com", .misplacedDot),
        ("bob.@example.com", .misplacedDot),
        ("bo..b@example.com", .misplacedDot),
        ("bob smith@example.com", .invalidLocalPartCharacter(" ")),
        ("bob,smith@example.com", .invalidLocalPartCharacter(",")),
        ("bob@[127.0.0.1]", .ipLiteral),
        ("bob@127.0.0.1", .numericTopLevelDomain("127.0.0.1")),
        ("bob@localhost", .singleLabelDomain("localhost")),
        ("bob@example..com", .emptyDomainLabel("example..com")),
        ("bob@example.com.", .emptyDomainLabel("example.com.")),
        ("bob@x-.example.com", .domainLabelEndsWithHyphen("x-")),
        ("bob@-x.example.com", .domainLabelStartsWithHyphen("-x")),
        ("bob@exa_mple.com", .invalidDomainCharacter("_")),
        ("bob@\(String(repeating: "a", count: 64)).com", .domainLabelTooLong(String(repeating: "a", count: 64))),
        ("\(String(repeating: "a", count: 65))@example.com", .localPartTooLong(65)),
        ("a@\(String(repeating: "abcdefghi.", count: 25))com", .tooLong(255)),
    ]

    @Test("refuses everything else, saying why", arguments: refused)
    func refuses(_ text: String, _ expected: MailAddressError) {
        #expect(throws: expected) { try MailAddress(parsing: text) }
    }

    @Test("says why in words")
    func descriptions() {
        func reason(_ text: String) -> String {
            do {
                _ = try MailAddress(parsing: text)
                return "accepted"
            } catch {
                return error.description
            }
        }
        #expect(reason("bob.example.com") == "missing @")
        #expect(reason("bob@x-.example.com") == "domain label 'x-' ends with a hyphen")
        #expect(
            reason("a@" + String(repeating: "abcdefghi.", count: 25) + "com").hasPrefix("longer than 254 characters"))
        #expect(reason("bob@example.com\r\nBcc: x@example.com") == "contains a line break")
        #expect(reason("bob@localhost") == "domain 'localhost' needs at least two labels, like example.com")
        #expect(reason("Bob <bob@example.com>").contains("without a display name"))
    }

    @Test("accepts exactly 254 characters and a 64-character local part")
    func limits() throws {
        let local = String(repeating: "l", count: 64)
        #expect(try MailAddress(parsing: local + "@example.com").localPart == local)
        // 64 + 1 + 189 = 254, with labels of at most 63.
        let domain =
            String(repeating: "d", count: 63) + "." + String(repeating: "d", count: 63) + "."
            + String(repeating: "d", count: 61)
        #expect((local + "@" + domain).utf8.count == 254)
        #expect(try MailAddress(parsing: local + "@" + domain).address.utf8.count == 254)
    }
}
