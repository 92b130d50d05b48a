import Foundation
import Testing

@testable import Mail

@Suite("Header encoding")
struct HeaderWriterTests {
    /// The header field `name` of a rendered message, its lines as written (still folded).
    static func headerLines(_ name: String, in message: [UInt8]) -> [String] {
        let text = String(decoding: message, as: UTF8.self)
        let head = text.components(separatedBy: "\r\n\r\n")[0]
        var result: [String] = []
        var inField = false
        for line in head.components(separatedBy: "\r\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                if inField { result.append(line) }
            } else {
                inField = line.lowercased().hasPrefix(name.lowercased() + ":")
                if inField { result.append(line) }
            }
        }
        return result
    }

    /// Decodes RFC 2047 "B" words separated by folding whitespace, checking that each one holds
    /// whole UTF-8 characters.
    static func decodeEncodedWords(_ value: String) throws -> String {
        var decoded = ""
        for word in value.split(whereSeparator: \.isWhitespace) {
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="), "not an encoded word: \(word)")
            #expect(word.count <= 75, "encoded word of \(word.count) characters")
            let base64 = word.dropFirst(10).dropLast(2)
            let bytes = try #require(Data(base64Encoded: String(base64)))
            let piece = try #require(String(validating: bytes, as: UTF8.self), "a word ends inside a UTF-8 sequence")
            decoded += piece
        }
        return decoded
    }

    @Test(
        "long non-ASCII subjects: encoded words of at most 75 characters, lines of at most 78, decoding back",
        arguments: Samples.subjects)
    func subjects(_ sample: (language: String, text: String)) throws {
        let message = try Samples.plain(subject: sample.text)
        let lines = Self.headerLines("Subject", in: message.rendered())
        #expect(lines.count > 1, "\(sample.language): a long subject is folded")
        for line in lines { #expect(line.utf8.count <= 78, "\(sample.language): \(line)") }
        let value = lines.joined(separator: "\r\n").dropFirst("Subject:".count)
        #expect(try Self.decodeEncodedWords(String(value)) == sample.text, "\(sample.language)")
    }

    @Test("a grapheme is not split between words when it fits in one")
    func graphemes() {
        // Each "👩‍👩‍👧‍👦" is 25 bytes: a word holds at most 45, so one fits but never two.
        let family = "👩‍👩‍👧‍👦"
        let words = HeaderWriter.encodedWords(String(repeating: family, count: 6), firstLimit: 75)
        for word in words {
            let bytes = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) ?? Data()
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.count >= 1 && text.allSatisfy { $0 == Character(family) })
        }
        #expect(words.count == 6)
    }

    @Test("plain ASCII subjects stay readable and fold at spaces")
    func asciiSubject() throws {
        let subject = "Weekly meeting: " + (1...20).map { "item\($0)" }.joined(separator: " ")
        let lines = Self.headerLines("Subject", in: try Samples.plain(subject: subject).rendered())
        #expect(lines.count > 1)
        for line in lines { #expect(line.utf8.count <= 78) }
        #expect(lines.joined().dropFirst("Subject: ".count) == subject)  // unfolding = removing CRLF
    }

    @Test(
        "ASCII that folding would change or a decoder misread is encoded",
        arguments: [
            "two  spaces", " leading", "trailing ", "looks =?like?= a word", String(repeating: "x", count: 90),
            "tab\there",
        ])
    func asciiEncodedWhenNeeded(_ subject: String) throws {
        let lines = Self.headerLines("Subject", in: try Samples.plain(subject: subject).rendered())
        let value = lines.joined(separator: "\r\n").dropFirst("Subject:".count)
        #expect(try Self.decodeEncodedWords(String(value)) == subject)
    }

    @Test("display names: atoms as they are, specials quoted, non-ASCII encoded")
    func displayNames() throws {
        #expect(HeaderWriter.phraseTokens("Bob Smith", fieldName: "From") == ["Bob", "Smith"])
        #expect(
            HeaderWriter.phraseTokens("Smith, Bob \"the guest\"", fieldName: "From") == [#""Smith, Bob \"the guest\"""#]
        )
        let encoded = HeaderWriter.phraseTokens("Nguyễn Thị Minh Khai", fieldName: "From")
        #expect(try Self.decodeEncodedWords(encoded.joined(separator: " ")) == "Nguyễn Thị Minh Khai")
    }

    @Test(
        "RFC 5322 dates in UTC",
        arguments: [
            (0.0, "Thu, 01 Jan 1970 00:00:00 +0000"),
            (-1.0, "Wed, 31 Dec 1969 23:59:59 +0000"),
            (951_782_400.0, "Tue, 29 Feb 2000 00:00:00 +0000"),
            (1_709_208_000.5, "Thu, 29 Feb 2024 12:00:00 +0000"),
            (1_767_258_000.0, "Thu, 01 Jan 2026 09:00:00 +0000"),
            (4_102_444_799.0, "Thu, 31 Dec 2099 23:59:59 +0000"),
        ])
    func dates(_ seconds: Double, _ expected: String) {
        #expect(HeaderWriter.date(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test("file names: quoted when short ASCII, RFC 2231 sections cut between characters otherwise")
    func parameters() throws {
        #expect(HeaderWriter.parameterTokens("filename", value: "invite.ics") == [#"filename="invite.ics""#])
        let name = "議事録・最終版（2026年1月）の確認用コピー.bin"
        let tokens = HeaderWriter.parameterTokens("filename", value: name)
        #expect(tokens.count > 1)
        #expect(tokens[0].hasPrefix("filename*0*=UTF-8''"))
        var bytes: [UInt8] = []
        for (index, token) in tokens.enumerated() {
            #expect(token.utf8.count < 76)
            let value = token.split(separator: "=", maxSplits: 1)[1].replacingOccurrences(of: "UTF-8''", with: "")
            let section = value.hasSuffix(";") ? String(value.dropLast()) : value
            #expect(token.hasPrefix("filename*\(index)*="))
            let sectionBytes = Array(try #require(section.removingPercentEncoding).utf8)
            #expect(String(validating: sectionBytes, as: UTF8.self) != nil, "a section ends inside a character")
            bytes += sectionBytes
        }
        #expect(String(decoding: bytes, as: UTF8.self) == name)
    }

    @Test("folding never leaves a line of only spaces, and keeps every space")
    func folding() {
        let field = HeaderWriter.field("X-Test", tokens: ["a", "", "", String(repeating: "b", count: 70), "c"])
        #expect(field.components(separatedBy: "\r\n").allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
        #expect(
            field.replacingOccurrences(of: "\r\n", with: "") == "X-Test: a   " + String(repeating: "b", count: 70)
                + " c")
    }
}

@Suite("Transfer encodings")
struct TransferEncodingTests {
    @Test("quoted-printable: escapes, trailing spaces, soft breaks within 76, CRLF")
    func quotedPrintable() {
        let encoded = String(decoding: TransferEncoding.quotedPrintable("a=b \nça\r\n.dot\rend\t"), as: UTF8.self)
        #expect(encoded == "a=3Db=20\r\n=C3=A7a\r\n.dot\r\nend=09\r\n")
        let long = String(decoding: TransferEncoding.quotedPrintable(String(repeating: "é", count: 100)), as: UTF8.self)
        let lines = long.components(separatedBy: "\r\n").dropLast()
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix("=") })
        #expect(long.replacingOccurrences(of: "=\r\n", with: "") == String(repeating: "=C3=A9", count: 100) + "\r\n")
    }

    @Test("base64: lines of 76, exact bytes back")
    func base64() {
        let bytes = (0..<1000).map { UInt8($0 % 256) }
        let encoded = String(decoding: TransferEncoding.base64Lines(bytes), as: UTF8.self)
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.dropLast().allSatisfy { $0.count == 76 })
        #expect(Data(base64Encoded: lines.joined()).map(Array.init) == bytes)
    }
}
