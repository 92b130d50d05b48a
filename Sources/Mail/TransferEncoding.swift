import Foundation

/// The two content transfer encodings the renderer uses (RFC 2045 §6). Both produce 7-bit
/// lines of at most 76 characters, so a message passes any SMTP server without 8BITMIME.
enum TransferEncoding {
    /// RFC 2045 §6.8: base64 in lines of 76 characters joined by CRLF, no CRLF at the end.
    /// Used for attachments: it keeps their bytes exact, whatever they are.
    static func base64Lines(_ bytes: [UInt8]) -> [UInt8] {
        let encoded = Array(Data(bytes).base64EncodedString().utf8)
        var output: [UInt8] = []
        output.reserveCapacity(encoded.count + encoded.count / 76 * 2)
        var start = 0
        while start < encoded.count {
            if start > 0 { output += [0x0D, 0x0A] }
            let end = min(start + 76, encoded.count)
            output += encoded[start..<end]
            start = end
        }
        return output
    }

    /// The text with every line break (CRLF, CR or LF) made CRLF and a line break at the end,
    /// as RFC 2046 §4.1.1 wants text in canonical form.
    static func canonicalLines(_ text: String) -> [Substring] {
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = unified.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// RFC 2045 §6.7 quoted-printable of UTF-8 text, with CRLF line breaks, each line ending
    /// in CRLF. Used for the text and HTML bodies: mostly readable in the raw message, and
    /// lines that start with "." are kept as they are (SMTP's dot-stuffing deals with them).
    static func quotedPrintable(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        for line in canonicalLines(text) {
            let bytes = Array(line.utf8)
            var lineLength = 0
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let literal: Bool
                switch byte {
                case 0x21...0x3C, 0x3E...0x7E: literal = true
                // Space and tab are literal except at the end of a line, where transports may strip them.
                case 0x20, 0x09: literal = !isLast
                default: literal = false
                }
                let token: [UInt8] = literal ? [byte] : escaped(byte)
                // A soft line break ("=" CRLF) keeps encoded lines within 76 characters.
                if lineLength + token.count > 75 {
                    output += [UInt8(ascii: "="), 0x0D, 0x0A]
                    lineLength = 0
                }
                output += token
                lineLength += token.count
            }
            output += [0x0D, 0x0A]
        }
        return output
    }

    private static func escaped(_ byte: UInt8) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        return [UInt8(ascii: "="), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
    }
}
