/// The transport's own JSON answers (refusals written before the API sees a request), in
/// the API's error shape `{"error":{"code","message"}}`.
enum JSONText {
    /// An error body with `code` and `message` escaped as JSON strings.
    static func error(code: String, message: String) -> String {
        #"{"error":{"code":"# + quoted(code) + #","message":"# + quoted(message) + "}}"
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
