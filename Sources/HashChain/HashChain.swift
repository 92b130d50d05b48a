import Crypto
import Dialogue

/// The transcript hash chain of docs/transcripts.md: each event's hash is SHA-256 of the
/// canonical JSON of its *hashed form*, and each chain value is SHA-256(previous chain ‖
/// event hash). In the hashed form the members that say what a person said or who they are
/// stand as commitments (`text` → `textHash`, …), which is what lets them be redacted later
/// while every other field of the event stays verifiable. Version 1 committed only `text`,
/// with a plain SHA-256; version 2 commits with HMAC-SHA256 under erasable per-event salts
/// (`EventSalts`), so a redacted short text cannot be found again by guessing.
package enum HashChain {
    /// The "previous chain" of seq 1.
    package static let genesis = [UInt8](repeating: 0, count: 32)
    /// Top-level members committed with the text salt in version 2 (what the person said).
    package static let textMembers = ["text", "citations", "comment"]
    /// Top-level members committed with the person salt in version 2 (who a person is: a
    /// joined investor's organisation, the name of whom a moderation targets); `from.name`
    /// is committed with it too.
    package static let personMembers = ["organisation", "targetName"]

    /// SHA-256 of bytes.
    package static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }

    /// The version-2 commitment of one member: lowercase hex of
    /// HMAC-SHA256(salt, "dialogue-server v2 NAME\n" ‖ canonical JSON of the value). The
    /// member's name in the message keeps a text from being passed off as a name.
    package static func commitment(_ name: String, _ value: JSONValue, salt: [UInt8]) -> String {
        var message = Array("dialogue-server v2 \(name)\n".utf8)
        JSONWriter.write(value, into: &message)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: salt))
        return Hex.encode(Array(mac))
    }

    /// The body as hashed. Version 1 (no salts): `text` replaced by `textHash`, the lowercase
    /// hex SHA-256 of its UTF-8. Version 2: each text member (`text`, `citations`) replaced by
    /// `NAMEHash` under the text salt, and `from.name` and `organisation` by `nameHash` and
    /// `organisationHash` under the person salt. Members already in committed form (redacted
    /// or erased) stay as they are.
    package static func hashedForm(_ body: JSONValue, salts: EventSalts = .none) -> JSONValue {
        guard case .object(var members) = body else { return body }
        if let salt = salts.text {
            for name in textMembers {
                if let value = members.removeValue(forKey: name) {
                    members[name + "Hash"] = .string(commitment(name, value, salt: salt))
                }
            }
        } else if let text = members["text"]?.stringValue {
            members["text"] = nil
            members["textHash"] = .string(Hex.encode(sha256(Array(text.utf8))))
        }
        if let salt = salts.person {
            for name in personMembers {
                if let value = members.removeValue(forKey: name) {
                    members[name + "Hash"] = .string(commitment(name, value, salt: salt))
                }
            }
            if case .object(var from)? = members["from"], let name = from.removeValue(forKey: "name") {
                from["nameHash"] = .string(commitment("name", name, salt: salt))
                members["from"] = .object(from)
            }
        }
        return .object(members)
    }

    /// The body with the text members in committed form and no person's words left: what
    /// is stored and exported after a redaction (`text` and `citations` become their hashes;
    /// the author stays readable when the person salt is kept).
    package static func redactedText(_ body: JSONValue, salts: EventSalts) -> JSONValue {
        hashedForm(body, salts: EventSalts(text: salts.text, person: nil))
    }

    /// The event hash from the body's canonical bytes, without encoding it a second time:
    /// the hashed form differs only in its `text` member, which becomes `"textHash":"…"` at
    /// the same place (no key sorts between `text` and `textHash` in an event body; when one
    /// does, the body is encoded again). Equal to `eventHash(body:salts:)` in every case.
    /// A version-2 body (with salts) is encoded again in its hashed form: it commits
    /// `from.name` too, inside a nested object the splice does not reach.
    package static func eventHash(
        body: JSONValue, canonical: [UInt8], textMember: Range<Int>?, salts: EventSalts = .none
    ) -> [UInt8] {
        guard salts.isEmpty else { return eventHash(body: body, salts: salts) }
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

    /// The top-level members whose place the salted fast path needs to know.
    package static let splicedMembers: Set<String> = Set(["from"] + textMembers + personMembers)

    /// The version-2 event hash from the body's canonical bytes and the places of
    /// `splicedMembers` in them (`JSONWriter.bytes(_:locating:)`): each committed member is
    /// replaced in place by its commitment (`text` → `textHash` sorts at the same place when
    /// no key falls between them), and `from` by its hashed form, without encoding the body
    /// again. Equal to `eventHash(body:salts:)` in every case; falls back to it when a
    /// member cannot be spliced.
    package static func eventHash(
        body: JSONValue, canonical: [UInt8], members: [String: Range<Int>], salts: EventSalts
    ) -> [UInt8] {
        guard case .object(let object) = body else { return eventHash(body: body, salts: salts) }
        var replacements: [(range: Range<Int>, bytes: [UInt8])] = []
        func commit(_ name: String, _ value: JSONValue, salt: [UInt8]?) -> Bool {
            let hashName = name + "Hash"
            guard let range = members[name], object[hashName] == nil,
                !object.keys.contains(where: { JSONWriter.utf16Less(name, $0) && JSONWriter.utf16Less($0, hashName) })
            else { return false }
            let digest: String
            if let salt {
                digest = commitment(name, value, salt: salt)
            } else if let text = value.stringValue {
                digest = Hex.encode(sha256(Array(text.utf8)))
            } else {
                return true  // version 1 hashes a non-string text as it stands
            }
            var bytes = Array("\"\(hashName)\":\"".utf8)
            bytes.append(contentsOf: digest.utf8)
            bytes.append(UInt8(ascii: "\""))
            replacements.append((range, bytes))
            return true
        }
        for name in textMembers {
            guard let value = object[name] else { continue }
            if salts.text == nil && name != "text" { continue }
            guard commit(name, value, salt: salts.text) else { return eventHash(body: body, salts: salts) }
        }
        if let salt = salts.person {
            for name in personMembers {
                guard let value = object[name] else { continue }
                guard commit(name, value, salt: salt) else { return eventHash(body: body, salts: salts) }
            }
            if case .object(var from)? = object["from"], let name = from.removeValue(forKey: "name") {
                guard let range = members["from"] else { return eventHash(body: body, salts: salts) }
                from["nameHash"] = .string(commitment("name", name, salt: salt))
                var bytes = Array(#""from":"#.utf8)
                JSONWriter.write(.object(from), into: &bytes)
                replacements.append((range, bytes))
            }
        }
        guard !replacements.isEmpty else { return sha256(canonical) }
        replacements.sort { $0.range.lowerBound < $1.range.lowerBound }
        var hashed: [UInt8] = []
        hashed.reserveCapacity(canonical.count + 80 * replacements.count)
        var position = 0
        for replacement in replacements {
            hashed.append(contentsOf: canonical[position..<replacement.range.lowerBound])
            hashed.append(contentsOf: replacement.bytes)
            position = replacement.range.upperBound
        }
        hashed.append(contentsOf: canonical[position...])
        return sha256(hashed)
    }

    /// The event hash of a body (whole, redacted or erased) with the salts it still has.
    package static func eventHash(body: JSONValue, salts: EventSalts = .none) -> [UInt8] {
        sha256(JSONWriter.bytes(hashedForm(body, salts: salts)))
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
