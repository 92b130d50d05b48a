/// One mailbox address, `local@domain`, checked before it goes anywhere near a header or an
/// SMTP command.
///
/// Deliberately narrower than RFC 5322: a bare addr-spec only (no display name, comment,
/// quoted local part or IP literal) and ASCII only, so that every accepted address can be
/// written as-is into a header and into `MAIL FROM:<…>` / `RCPT TO:<…>` without SMTPUTF8.
/// The local part keeps its case (it may matter to the receiving system); the domain is
/// lowercased (it never matters), so that two spellings of one address compare equal.
package struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The part before the `@`, as given.
    package let localPart: String
    /// The domain, lowercased.
    package let domain: String

    /// `local@domain`.
    package var address: String { "\(localPart)@\(domain)" }
    package var description: String { address }

    /// RFC 5321 §4.5.3.1: a path is at most 256 octets with its angle brackets.
    static let maxLength = 254
    static let maxLocalPartLength = 64
    static let maxLabelLength = 63

    package init(parsing text: String) throws(MailAddressError) {
        if text.isEmpty { throw .empty }
        // Checked first and on the raw text: these are how header injection starts.
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0D: throw .containsLineBreak
            case 0x00: throw .containsNUL
            default: break
            }
        }
        if text.contains("<") || text.contains(">") { throw .angleBrackets }
        if let character = text.first(where: { !$0.isASCII }) { throw .nonASCII(character) }
        if let scalar = text.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw .controlCharacter(scalar.value)
        }
        if text.utf8.count > Self.maxLength { throw .tooLong(text.utf8.count) }

        let pieces = text.split(separator: "@", omittingEmptySubsequences: false)
        guard pieces.count >= 2 else { throw .missingAt }
        guard pieces.count == 2 else { throw .moreThanOneAt }
        let local = String(pieces[0])
        let domain = String(pieces[1])
        try Self.checkLocalPart(local)
        try Self.checkDomain(domain)
        self.localPart = local
        self.domain = domain.lowercased()
    }

    /// RFC 5322 dot-atom: atext characters in runs separated by single dots.
    private static func checkLocalPart(_ local: String) throws(MailAddressError) {
        if local.isEmpty { throw .emptyLocalPart }
        if local.utf8.count > maxLocalPartLength { throw .localPartTooLong(local.utf8.count) }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") { throw .misplacedDot }
        if let character = local.first(where: { $0 != "." && !isAtext($0) }) {
            throw .invalidLocalPartCharacter(character)
        }
    }

    /// RFC 1035 §2.3.1 host names: LDH labels, which also excludes IP literals like `[127.0.0.1]`.
    private static func checkDomain(_ domain: String) throws(MailAddressError) {
        if domain.isEmpty { throw .emptyDomain }
        if domain.hasPrefix("[") { throw .ipLiteral }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        for label in labels {
            if label.isEmpty { throw .emptyDomainLabel(domain) }
            if let character = label.first(where: { !($0.isLetter || $0.isNumber || $0 == "-") }) {
                throw .invalidDomainCharacter(character)
            }
            if label.utf8.count > maxLabelLength { throw .domainLabelTooLong(label) }
            if label.hasPrefix("-") { throw .domainLabelStartsWithHyphen(label) }
            if label.hasSuffix("-") { throw .domainLabelEndsWithHyphen(label) }
        }
        guard labels.count >= 2 else { throw .singleLabelDomain(domain) }
        // RFC 3696 §2: a top-level domain is never all digits, so `1.2.3.4` is an IP address.
        if let last = labels.last, last.allSatisfy(\.isNumber) { throw .numericTopLevelDomain(domain) }
    }

    /// RFC 5322 §3.2.3 atext (the text is already known to be ASCII).
    private static func isAtext(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || "!#$%&'*+-/=?^_`{|}~".contains(character)
    }
}

/// Why a text is not an address we accept; `description` says it to a person.
package enum MailAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case containsLineBreak
    case containsNUL
    case controlCharacter(UInt32)
    case angleBrackets
    case nonASCII(Character)
    case tooLong(Int)
    case missingAt
    case moreThanOneAt
    case emptyLocalPart
    case localPartTooLong(Int)
    case misplacedDot
    case invalidLocalPartCharacter(Character)
    case emptyDomain
    case ipLiteral
    case emptyDomainLabel(String)
    case invalidDomainCharacter(Character)
    case domainLabelTooLong(String)
    case domainLabelStartsWithHyphen(String)
    case domainLabelEndsWithHyphen(String)
    case singleLabelDomain(String)
    case numericTopLevelDomain(String)

    package var description: String {
        switch self {
        case .empty: "is empty"
        case .containsLineBreak: "contains a line break"
        case .containsNUL: "contains a NUL character"
        case .controlCharacter(let value): "contains the control character U+\(hex4(value))"
        case .angleBrackets: "contains '<' or '>': give the bare address, without a display name"
        case .nonASCII(let character):
            "contains the non-ASCII character '\(character)': only ASCII addresses are supported"
        case .tooLong(let count): "longer than 254 characters (\(count))"
        case .missingAt: "missing @"
        case .moreThanOneAt: "contains more than one @ (quoted local parts are not supported)"
        case .emptyLocalPart: "nothing before the @"
        case .localPartTooLong(let count): "the part before the @ is longer than 64 characters (\(count))"
        case .misplacedDot: "the part before the @ starts or ends with a dot, or has two dots in a row"
        case .invalidLocalPartCharacter(let character): "the part before the @ contains '\(character)'"
        case .emptyDomain: "nothing after the @"
        case .ipLiteral: "IP address literals are not accepted as a domain"
        case .emptyDomainLabel(let domain): "domain '\(domain)' has an empty label (a leading, trailing or doubled dot)"
        case .invalidDomainCharacter(let character):
            "the domain contains '\(character)' (only letters, digits, hyphens and dots)"
        case .domainLabelTooLong(let label): "domain label '\(label)' is longer than 63 characters"
        case .domainLabelStartsWithHyphen(let label): "domain label '\(label)' starts with a hyphen"
        case .domainLabelEndsWithHyphen(let label): "domain label '\(label)' ends with a hyphen"
        case .singleLabelDomain(let domain): "domain '\(domain)' needs at least two labels, like example.com"
        case .numericTopLevelDomain(let domain): "domain '\(domain)' ends in an all-digit label, like an IP address"
        }
    }
}

private func hex4(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
