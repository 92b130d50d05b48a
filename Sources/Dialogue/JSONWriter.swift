/// Serialises `JSONValue` in the canonical form of docs/transcripts.md: keys sorted by
/// UTF-16 code units, no white space, minimal escapes. Frames use the same form, so one
/// encoder serves hashing and the wire.
package enum JSONWriter {
    /// The canonical UTF-8 bytes of `value`.
    package static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    /// The canonical bytes of an object, and where its top-level member `key` (from the
    /// key's opening quote to the end of its value) sits in them, when it has one.
    package static func bytes(_ value: JSONValue, locating key: String) -> (bytes: [UInt8], member: Range<Int>?) {
        guard case .object(let members) = value, members[key] != nil else { return (bytes(value), nil) }
        var out: [UInt8] = []
        out.reserveCapacity(256)
        var located: Range<Int>?
        writeObject(members, into: &out) { name, range in if name == key { located = range } }
        return (out, located)
    }

    /// The canonical bytes of `value` and where each of the top-level members named in
    /// `keys` landed (key and value), for those present.
    package static func bytes(_ value: JSONValue, locating keys: Set<String>) -> (
        bytes: [UInt8], members: [String: Range<Int>]
    ) {
        guard case .object(let members) = value else { return (bytes(value), [:]) }
        var out: [UInt8] = []
        out.reserveCapacity(256)
        var located: [String: Range<Int>] = [:]
        writeObject(members, into: &out) { name, range in if keys.contains(name) { located[name] = range } }
        return (out, located)
    }

    /// The canonical text of `value`.
    package static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// Appends the canonical bytes of `value` to `out`.
    package static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d):
            if d.isFinite, d.rounded() == d, abs(d) < 9.0e15 {
                out.append(contentsOf: String(Int64(d)).utf8)
            } else if d.isFinite {
                out.append(contentsOf: "\(d)".utf8)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            writeObject(members, into: &out, report: nil)
        }
    }

    /// An object's members in canonical order; `report` learns where each member landed.
    private static func writeObject(
        _ members: [String: JSONValue], into out: inout [UInt8], report: ((String, Range<Int>) -> Void)?
    ) {
            out.append(UInt8(ascii: "{"))
            // Only the keys are sorted (an insertion sort: objects here have a handful of
            // members), then each value is looked up: sorting (key, value) pairs copied
            // every value, which showed in the profile of the append path.
            var keys = Array(members.keys)
            if keys.count > 1 {
                for i in 1..<keys.count {
                    let key = keys[i]
                    var j = i - 1
                    while j >= 0 && utf16Less(key, keys[j]) {
                        keys[j + 1] = keys[j]
                        j -= 1
                    }
                    keys[j + 1] = key
                }
            }
            for (index, key) in keys.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                let start = out.count
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(members[key]!, into: &out)
                report?(key, start..<out.count)
            }
            out.append(UInt8(ascii: "}"))
    }

    /// RFC 8785 orders member names by their UTF-16 code units. UTF-8 byte order is code
    /// point order, which agrees with UTF-16 order except between U+E000–U+FFFF (UTF-8 lead
    /// bytes EE, EF) and supplementary characters (lead bytes F0–F4), where it flips. So the
    /// bytes are compared directly and that one case corrected at the first difference.
    package static func utf16Less(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let count = min(x.count, y.count)
                var i = 0
                while i < count && x[i] == y[i] { i += 1 }
                guard i < count else { return x.count < y.count }
                let (p, q) = (x[i], y[i])
                if p >= 0xEE && q >= 0xEE && (p >= 0xF0) != (q >= 0xF0) { return p >= 0xF0 }
                return p < q
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        let plain = s.withUTF8 { bytes in
            // Most strings need no escape at all: copy them in one go.
            if !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
                out.append(contentsOf: bytes)
                return true
            }
            return false
        }
        if plain {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
