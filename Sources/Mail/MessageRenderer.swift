/// One MIME entity of a message being written: header fields (already folded) and an encoded
/// body, or a multipart of entities.
indirect enum MIMEEntity {
    case single(headers: [String], body: [UInt8])
    case multipart(subtype: String, parts: [MIMEEntity])

    /// The entity as bytes, after `leadingHeaders` (the message's own fields, at the top).
    /// Every line ends in CRLF, headers included.
    func rendered(leadingHeaders: [String] = []) -> [UInt8] {
        switch self {
        case .single(let headers, let body):
            return Self.headerBlock(leadingHeaders + headers) + body
        case .multipart(let subtype, let parts):
            let renderedParts = parts.map { $0.rendered() }
            let boundary = Self.boundary(notIn: renderedParts)
            let contentType = HeaderWriter.field(
                "Content-Type", tokens: ["multipart/\(subtype);", "boundary=\"\(boundary)\""])
            var output = Self.headerBlock(leadingHeaders + [contentType])
            for part in renderedParts {
                // RFC 2046 §5.1.1: the CRLF before "--boundary" belongs to the delimiter.
                output += Array("--\(boundary)\r\n".utf8) + part + [0x0D, 0x0A]
            }
            output += Array("--\(boundary)--\r\n".utf8)
            return output
        }
    }

    private static func headerBlock(_ fields: [String]) -> [UInt8] {
        Array((fields.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// A random boundary, checked against the parts it separates (their content and the
    /// boundaries nested in them). "=_" cannot occur in base64 or quoted-printable text, so
    /// the check is a second guard, not the only one.
    static func boundary(notIn parts: [[UInt8]]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        while true {
            let candidate = "=_" + String((0..<28).map { _ in alphabet.randomElement() ?? "x" })
            let needle = Array(candidate.utf8)
            if !parts.contains(where: { $0.contains(needle) }) { return candidate }
        }
    }
}

extension [UInt8] {
    /// Whether `needle` occurs in the bytes (a plain scan: messages are small).
    func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        for start in 0...(count - needle.count) where self[start] == needle[0] {
            if self[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}

extension MailMessage {
    /// The message as RFC 5322 / MIME bytes with CRLF line endings, 7-bit, every line within
    /// 78 characters except a header word that cannot be folded (still within 998).
    ///
    /// Structure: the text alone is a single `text/plain` part; with HTML or an inline
    /// (calendar) attachment the body is `multipart/alternative` (text, HTML, then the inline
    /// parts: clients show the last one they understand); with attachments all of that goes
    /// into a `multipart/mixed` followed by the files.
    package func rendered() -> [UInt8] {
        var body = MIMEEntity.single(
            headers: ["Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: quoted-printable"],
            body: TransferEncoding.quotedPrintable(textBody))
        var alternatives: [MIMEEntity] = []
        if let htmlBody {
            alternatives.append(
                .single(
                    headers: ["Content-Type: text/html; charset=UTF-8", "Content-Transfer-Encoding: quoted-printable"],
                    body: TransferEncoding.quotedPrintable(htmlBody)))
        }
        for attachment in attachments where attachment.inline {
            alternatives.append(
                .single(
                    headers: [
                        HeaderWriter.field("Content-Type", tokens: contentTypeTokens(attachment.contentType)),
                        "Content-Transfer-Encoding: base64",
                    ],
                    body: TransferEncoding.base64Lines(attachment.data)))
        }
        if !alternatives.isEmpty { body = .multipart(subtype: "alternative", parts: [body] + alternatives) }
        if !attachments.isEmpty {
            body = .multipart(subtype: "mixed", parts: [body] + attachments.map(attachmentEntity))
        }

        var output = body.rendered(leadingHeaders: messageHeaders())
        if output.count < 2 || output[output.count - 2] != 0x0D || output[output.count - 1] != 0x0A {
            output += [0x0D, 0x0A]
        }
        return output
    }

    private func messageHeaders() -> [String] {
        var fields = [
            "Date: " + HeaderWriter.date(date),
            HeaderWriter.field("From", tokens: mailboxTokens(from, name: fromName, field: "From")),
        ]
        var toTokens: [String] = []
        for (index, address) in to.enumerated() {
            var tokens = mailboxTokens(address, name: toNames[address], field: "To")
            if index < to.count - 1, let last = tokens.popLast() { tokens.append(last + ",") }
            toTokens += tokens
        }
        fields.append(HeaderWriter.field("To", tokens: toTokens))
        if let replyTo { fields.append(HeaderWriter.field("Reply-To", tokens: [replyTo.address])) }
        fields.append(
            HeaderWriter.field("Subject", tokens: HeaderWriter.unstructuredTokens(subject, fieldName: "Subject")))
        fields.append(HeaderWriter.field("Message-ID", tokens: [messageID]))
        for header in extraHeaders {
            // ASCII values are kept word for word (they may be structured, like List-Unsubscribe).
            let tokens =
                header.value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
                ? header.value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
                : HeaderWriter.encodedWords(
                    header.value, firstLimit: HeaderWriter.lineLimit - header.name.utf8.count - 2)
            fields.append(HeaderWriter.field(header.name, tokens: tokens))
        }
        fields.append("MIME-Version: 1.0")
        return fields
    }

    private func mailboxTokens(_ address: MailAddress, name: String?, field: String) -> [String] {
        guard let name, !name.isEmpty else { return [address.address] }
        return HeaderWriter.phraseTokens(name, fieldName: field) + ["<\(address.address)>"]
    }

    private func contentTypeTokens(_ contentType: String) -> [String] {
        contentType.split(separator: " ").map(String.init)
    }

    private func attachmentEntity(_ attachment: MailAttachment) -> MIMEEntity {
        let isCalendar = attachment.contentType.lowercased().hasPrefix("text/calendar")
        let contentType = attachment.inline && isCalendar ? "application/ics" : attachment.contentType
        return .single(
            headers: [
                HeaderWriter.field("Content-Type", tokens: contentTypeTokens(contentType)),
                "Content-Transfer-Encoding: base64",
                HeaderWriter.field(
                    "Content-Disposition",
                    tokens: ["attachment;"] + HeaderWriter.parameterTokens("filename", value: attachment.filename)),
            ],
            body: TransferEncoding.base64Lines(attachment.data))
    }
}
