import Foundation

/// A file that goes with a message.
///
/// `inline == true` is for a calendar invitation (`text/calendar; method=REQUEST`): the part is
/// then written twice, as Google Calendar does, because that is what makes Gmail and Outlook
/// show the invitation with its Accept/Decline buttons:
///  - as the last alternative of the `multipart/alternative` body (after the text and the
///    HTML), with the given content type and no file name; this is the copy clients act on;
///  - and as an ordinary attachment named `filename` (e.g. `invite.ics`) in the enclosing
///    `multipart/mixed`, for clients that only offer the file. A `text/calendar` copy is
///    labelled `application/ics` there, so that no client sees two invitations.
package struct MailAttachment: Sendable, Hashable {
    package var filename: String
    /// The full Content-Type, parameters included: `application/json`,
    /// `text/calendar; method=REQUEST; charset=UTF-8`.
    package var contentType: String
    package var data: [UInt8]
    package var inline: Bool

    package init(filename: String, contentType: String, data: [UInt8], inline: Bool = false) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
        self.inline = inline
    }
}

/// One outgoing message, validated when it is made so that rendering cannot fail and no
/// caller-supplied text can add a header line (CR/LF anywhere in a header value is refused).
package struct MailMessage: Sendable {
    package let from: MailAddress
    package let fromName: String?
    package let to: [MailAddress]
    /// Display names for some of `to`, by address.
    package let toNames: [MailAddress: String]
    package let replyTo: MailAddress?
    package let subject: String
    /// `<left@right>`, chosen by the caller and stable across retries, so that a receiver
    /// can recognise a message delivered twice.
    package let messageID: String
    package let date: Date
    package let textBody: String
    package let htmlBody: String?
    package let attachments: [MailAttachment]
    /// Written after the standard fields, in order. Non-ASCII values are written as RFC 2047
    /// encoded words, which is right for unstructured fields only.
    package let extraHeaders: [(name: String, value: String)]

    /// Fields the message writes itself, or that would disclose or change recipients.
    static let reservedHeaders: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
        "content-type", "content-transfer-encoding", "content-disposition", "return-path", "x-envelope-to",
    ]

    package init(
        from: MailAddress, fromName: String? = nil,
        to: [MailAddress], toNames: [MailAddress: String] = [:],
        replyTo: MailAddress? = nil,
        subject: String, messageID: String, date: Date,
        textBody: String, htmlBody: String? = nil,
        attachments: [MailAttachment] = [],
        extraHeaders: [(name: String, value: String)] = []
    ) throws(MailMessageError) {
        if to.isEmpty { throw .noRecipients }
        try Self.checkHeaderText(subject, field: "Subject")
        if let fromName { try Self.checkHeaderText(fromName, field: "From") }
        for name in toNames.values { try Self.checkHeaderText(name, field: "To") }
        try Self.checkMessageID(messageID)
        for header in extraHeaders {
            guard !header.name.isEmpty,
                header.name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") })
            else { throw .invalidHeaderName(header.name) }
            if Self.reservedHeaders.contains(header.name.lowercased()) { throw .reservedHeader(header.name) }
            try Self.checkHeaderText(header.value, field: header.name)
            if header.value.split(separator: " ").contains(where: { $0.utf8.count > 900 }) {
                throw .headerWordTooLong(header.name)
            }
        }
        for attachment in attachments {
            if attachment.filename.isEmpty
                || attachment.filename.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            {
                throw .invalidAttachmentFilename(attachment.filename)
            }
            try Self.checkContentType(attachment.contentType)
        }
        self.from = from
        self.fromName = fromName
        self.to = to
        self.toNames = toNames
        self.replyTo = replyTo
        self.subject = subject
        self.messageID = messageID
        self.date = date
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.attachments = attachments
        self.extraHeaders = extraHeaders
    }

    /// No line breaks and no NUL in anything that goes into a header.
    private static func checkHeaderText(_ text: String, field: String) throws(MailMessageError) {
        if text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw .lineBreakInHeader(field: field)
        }
    }

    /// RFC 5322 §3.6.4 msg-id, restricted to `<dot-atom-text@dot-atom-text>`.
    static func checkMessageID(_ id: String) throws(MailMessageError) {
        func fail(_ reason: String) -> MailMessageError { .invalidMessageID(id, reason: reason) }
        guard id.hasPrefix("<"), id.hasSuffix(">"), id.count >= 2 else { throw fail("must be enclosed in < and >") }
        guard id.utf8.count <= 250 else { throw fail("longer than 250 characters") }
        let inner = id.dropFirst().dropLast()
        let sides = inner.split(separator: "@", omittingEmptySubsequences: false)
        guard sides.count == 2 else { throw fail("must have exactly one @") }
        for side in sides {
            guard !side.isEmpty else { throw fail("empty on one side of the @") }
            guard side.allSatisfy({ $0 == "." || HeaderWriter.isAtext($0) }) else {
                throw fail("contains a character other than letters, digits, dots and !#$%&'*+-/=?^_`{|}~")
            }
            guard !side.hasPrefix("."), !side.hasSuffix("."), !side.contains("..") else {
                throw fail("a dot at the start or end of a side, or two dots in a row")
            }
        }
    }

    /// `type/subtype` followed by optional `; parameter=value`, printable ASCII on one line.
    static func checkContentType(_ contentType: String) throws(MailMessageError) {
        let printable = contentType.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        let mediaType =
            contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let pieces = mediaType.split(separator: "/", omittingEmptySubsequences: false)
        let tokenOK = pieces.allSatisfy { piece in
            !piece.isEmpty && piece.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !"()<>@,;:\\\"/[]?=".utf8.contains($0) }
        }
        guard printable, pieces.count == 2, tokenOK,
            !contentType.split(separator: " ").contains(where: { $0.utf8.count > 900 })
        else { throw .invalidContentType(contentType) }
    }
}

/// Why a message cannot be made; `description` says it to a person.
package enum MailMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    case noRecipients
    case lineBreakInHeader(field: String)
    case invalidMessageID(String, reason: String)
    case invalidHeaderName(String)
    case reservedHeader(String)
    case headerWordTooLong(String)
    case invalidContentType(String)
    case invalidAttachmentFilename(String)

    package var description: String {
        switch self {
        case .noRecipients: "a message needs at least one To address"
        case .lineBreakInHeader(let field): "the \(field) header text contains a line break or NUL"
        case .invalidMessageID(let id, let reason): "Message-ID '\(id)' is not of the form <left@right>: \(reason)"
        case .invalidHeaderName(let name): "'\(name)' is not a header name (printable ASCII without ':' or spaces)"
        case .reservedHeader(let name):
            "the \(name) header is written by the message itself and cannot be given as an extra header"
        case .headerWordTooLong(let name):
            "the \(name) header has a word longer than 900 characters, which cannot be folded"
        case .invalidContentType(let type): "'\(type)' is not a content type like type/subtype; parameter=value"
        case .invalidAttachmentFilename(let name):
            "attachment file name '\(name)' is empty or contains a control character"
        }
    }
}
