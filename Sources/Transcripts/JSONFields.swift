import Dialogue
import HashChain

/// Typed access to one JSON object of an export, throwing `TranscriptError.unreadable`
/// with the member's path (`events[3].hash`) when something is missing or mistyped.
struct JSONFields {
    /// The object's members.
    let members: [String: JSONValue]
    /// Where the object sits in the document, for error messages.
    let path: String

    /// Wraps `value`, which must be an object.
    init(_ value: JSONValue, path: String) throws(TranscriptError) {
        guard let members = value.objectValue else { throw .unreadable("\(path) is not an object") }
        self.members = members
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// A required member of any type.
    func value(_ key: String) throws(TranscriptError) -> JSONValue {
        guard let value = members[key], value != .null else { throw .unreadable("\(name(key)) is missing") }
        return value
    }

    /// A required string.
    func string(_ key: String) throws(TranscriptError) -> String {
        guard let s = try value(key).stringValue else { throw .unreadable("\(name(key)) is not a string") }
        return s
    }

    /// A string, or nil when absent or null.
    func optionalString(_ key: String) throws(TranscriptError) -> String? {
        guard let value = members[key], value != .null else { return nil }
        guard let s = value.stringValue else { throw .unreadable("\(name(key)) is not a string") }
        return s
    }

    /// A required integer.
    func int(_ key: String) throws(TranscriptError) -> Int64 {
        guard let i = try value(key).intValue else { throw .unreadable("\(name(key)) is not an integer") }
        return i
    }

    /// A boolean, or nil when absent or null.
    func optionalBool(_ key: String) throws(TranscriptError) -> Bool? {
        guard let value = members[key], value != .null else { return nil }
        guard let b = value.boolValue else { throw .unreadable("\(name(key)) is not true or false") }
        return b
    }

    /// A required array.
    func array(_ key: String) throws(TranscriptError) -> [JSONValue] {
        guard let a = try value(key).arrayValue else { throw .unreadable("\(name(key)) is not an array") }
        return a
    }

    /// A required array of strings.
    func strings(_ key: String) throws(TranscriptError) -> [String] {
        var out: [String] = []
        for (index, element) in try array(key).enumerated() {
            guard let s = element.stringValue else { throw .unreadable("\(name(key))[\(index)] is not a string") }
            out.append(s)
        }
        return out
    }

    /// A required nested object.
    func object(_ key: String) throws(TranscriptError) -> JSONFields {
        try JSONFields(try value(key), path: name(key))
    }

    /// A required 32-byte digest in hexadecimal.
    func digest(_ key: String) throws(TranscriptError) -> [UInt8] {
        guard let bytes = Hex.decode(try string(key)), bytes.count == 32 else {
            throw .unreadable("\(name(key)) is not 64 hexadecimal digits")
        }
        return bytes
    }

    /// Required bytes in standard base64.
    func base64(_ key: String) throws(TranscriptError) -> [UInt8] {
        guard let bytes = Base64.decode(try string(key)) else { throw .unreadable("\(name(key)) is not base64") }
        return bytes
    }
}
