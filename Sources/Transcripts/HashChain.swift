import Crypto
import Dialogue

/// The transcript hash chain of docs/transcripts.md: each event's hash is SHA-256 of the
/// canonical JSON of its *hashed form* (the body with `text` replaced by `textHash`, the
/// SHA-256 of the text), and each chain value is SHA-256(previous chain ‖ event hash).
/// Hashing the text apart is what lets a text be redacted later (replaced by its
/// `textHash`) while every other field of the event stays verifiable.
package enum HashChain {
    /// The "previous chain" of seq 1.
    package static let genesis = [UInt8](repeating: 0, count: 32)

    /// SHA-256 of bytes.
    package static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }

    /// The body as hashed: `text` replaced by `textHash` (lowercase hex SHA-256 of its
    /// UTF-8). A redacted body, which already holds `textHash` and no `text`, is unchanged.
    package static func hashedForm(_ body: JSONValue) -> JSONValue {
        guard case .object(var members) = body, let text = members.removeValue(forKey: "text")?.stringValue else {
            return body
        }
        members["textHash"] = .string(Hex.encode(sha256(Array(text.utf8))))
        return .object(members)
    }

    /// The event hash from the body's canonical bytes, without encoding it a second time:
    /// the hashed form differs only in its `text` member, which becomes `"textHash":"…"` at
    /// the same place (no key sorts between `text` and `textHash` in an event body; when one
    /// does, the body is encoded again). Equal to `eventHash(body:)` in every case.
    package static func eventHash(body: JSONValue, canonical: [UInt8], textMember: Range<Int>?) -> [UInt8] {
        guard let textMember, case .object(let members) = body, let text = members["text"]?.stringValue,
            members["textHash"] == nil,
            !members.keys.contains(where: { JSONWriter.utf16Less("text", $0) && JSONWriter.utf16Less($0, "textHash") })
        else { return eventHash(body: body) }
        var hashed: [UInt8] = []
        hashed.reserveCapacity(canonical.count + 80)
        hashed.append(contentsOf: canonical[..<textMember.lowerBound])
        hashed.append(contentsOf: #""textHash":""#.utf8)
        hashed.append(contentsOf: Hex.encode(sha256(Array(text.utf8))).utf8)
        hashed.append(UInt8(ascii: "\""))
        hashed.append(contentsOf: canonical[textMember.upperBound...])
        return sha256(hashed)
    }

    /// The event hash of a body (whole or redacted).
    package static func eventHash(body: JSONValue) -> [UInt8] {
        sha256(JSONWriter.bytes(hashedForm(body)))
    }

    /// The chain value after an event whose hash is `eventHash`.
    package static func link(previous: [UInt8], eventHash: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: eventHash)
        return Array(hasher.finalize())
    }
}

/// Lowercase hexadecimal for digests, and back.
package enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// `bytes` as lowercase hex.
    package static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of a hex string, or nil if it is not one.
    package static func decode(_ text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = value(u[i]), let lo = value(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}
