/// Where each key of a JSON text sits, found by a strict RFC 8259 scan of the bytes.
///
/// Foundation's decoder on Linux reports neither the offset of a syntax error nor where a
/// decoded key came from, so the pack loader scans the text itself to give operators a line.
struct JSONSourceMap: Sendable {
    /// A syntax error: what was wrong and the byte offset where it was found.
    struct SyntaxError: Error, Sendable, Equatable {
        /// What was wrong, in words (`expected ',' or '}' after a member`).
        let reason: String
        /// Offset of the offending byte (or of the end of the text) from the start.
        let offset: Int
        /// 1-based line of `offset`.
        let line: Int
    }

    /// 1-based line of each key (objects) or element (arrays, index as decimal), by path.
    private(set) var lines: [[String]: Int] = [:]

    /// Scans `bytes` (UTF-8 JSON); throws the first syntax error found.
    init(_ bytes: [UInt8]) throws(SyntaxError) {
        var scanner = Scanner(bytes: bytes)
        try scanner.document()
        lines = scanner.lines
    }

    /// Line of the value at `path`; when absent, the line of its closest ancestor that exists.
    func line(of path: [String]) -> Int? {
        var path = path
        while !path.isEmpty {
            if let line = lines[path] { return line }
            path.removeLast()
        }
        return nil
    }

    /// 1-based line of the byte at `offset` in `bytes`.
    static func line(ofOffset offset: Int, in bytes: [UInt8]) -> Int {
        bytes.prefix(max(0, offset)).reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    }
}

extension JSONSourceMap {
    /// Recursive-descent scanner over UTF-8 bytes; records keys' lines as it goes.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var lines: [[String]: Int] = [:]
        /// Deep enough for any manifest, shallow enough to never exhaust the stack.
        let maximumDepth = 256

        init(bytes: [UInt8]) {
            self.bytes = bytes
            // A UTF-8 byte order mark is tolerated, as JSONDecoder tolerates it.
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        }

        mutating func document() throws(SyntaxError) {
            skipWhitespace()
            guard index < bytes.count else { throw error("the file is empty") }
            try value(path: [], depth: 0)
            skipWhitespace()
            if index < bytes.count {
                throw error("unexpected \(describeCurrent()) after the end of the JSON value")
            }
        }

        private mutating func value(path: [String], depth: Int) throws(SyntaxError) {
            guard depth < maximumDepth else { throw error("values nested too deeply") }
            guard let byte = current else { throw error("unexpected end of file, expected a value") }
            switch byte {
            case UInt8(ascii: "{"): try object(path: path, depth: depth)
            case UInt8(ascii: "["): try array(path: path, depth: depth)
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw error("unexpected \(describeCurrent()), expected a value")
            }
        }

        private mutating func object(path: [String], depth: Int) throws(SyntaxError) {
            index += 1  // {
            var seen: Set<String> = []
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else {
                    if current == UInt8(ascii: "}") { throw error("trailing comma before '}'") }
                    throw error("unexpected \(describeCurrent()), expected a key in double quotes")
                }
                let keyLine = line
                let keyOffset = index
                let key = try string()
                guard seen.insert(key).inserted else {
                    throw SyntaxError(reason: "duplicate key \"\(key)\"", offset: keyOffset, line: keyLine)
                }
                let keyPath = path + [key]
                lines[keyPath] = keyLine
                skipWhitespace()
                guard current == UInt8(ascii: ":") else {
                    throw error("unexpected \(describeCurrent()), expected ':' after key \"\(key)\"")
                }
                index += 1
                skipWhitespace()
                try value(path: keyPath, depth: depth + 1)
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return
                default:
                    throw error("unexpected \(describeCurrent()), expected ',' or '}' after the value of \"\(key)\"")
                }
            }
        }

        private mutating func array(path: [String], depth: Int) throws(SyntaxError) {
            index += 1  // [
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                index += 1
                return
            }
            var element = 0
            while true {
                skipWhitespace()
                if current == UInt8(ascii: "]") { throw error("trailing comma before ']'") }
                let elementPath = path + [String(element)]
                lines[elementPath] = line
                try value(path: elementPath, depth: depth + 1)
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","):
                    index += 1
                    element += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return
                default:
                    throw error("unexpected \(describeCurrent()), expected ',' or ']' in an array")
                }
            }
        }

        /// Scans a string starting at its opening quote and returns its decoded value.
        private mutating func string() throws(SyntaxError) -> String {
            index += 1  // opening quote
            var scalars = String.UnicodeScalarView()
            var pendingHighSurrogate: UInt32?
            var run: [UInt8] = []
            func flush(_ scalars: inout String.UnicodeScalarView, _ run: inout [UInt8]) {
                scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
                run.removeAll(keepingCapacity: true)
            }
            while true {
                guard let byte = current else { throw error("unterminated string") }
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    flush(&scalars, &run)
                    if pendingHighSurrogate != nil { scalars.append("\u{FFFD}") }
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    flush(&scalars, &run)
                    index += 1
                    guard let escape = current else { throw error("unterminated string") }
                    index += 1
                    if escape == UInt8(ascii: "u") {
                        let unit = try hexQuad()
                        if let high = pendingHighSurrogate {
                            pendingHighSurrogate = nil
                            if (0xDC00...0xDFFF).contains(unit) {
                                let value = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00)
                                scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
                                continue
                            }
                            scalars.append("\u{FFFD}")
                        }
                        if (0xD800...0xDBFF).contains(unit) {
                            pendingHighSurrogate = unit
                        } else {
                            scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
                        }
                        continue
                    }
                    if pendingHighSurrogate != nil {
                        pendingHighSurrogate = nil
                        scalars.append("\u{FFFD}")
                    }
                    switch escape {
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "/"): scalars.append("/")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    default:
                        index -= 1
                        throw error("invalid escape sequence '\\\(describe(escape))' in a string")
                    }
                case 0x00..<0x20:
                    throw error(
                        byte == UInt8(ascii: "\n")
                            ? "unterminated string (a line break must be written \\n)"
                            : "control character in a string (escape it)")
                default:
                    if pendingHighSurrogate != nil {
                        pendingHighSurrogate = nil
                        scalars.append("\u{FFFD}")
                    }
                    run.append(byte)
                    index += 1
                }
            }
        }

        private mutating func hexQuad() throws(SyntaxError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let byte = current, let digit = hexValue(byte) else {
                    throw error("invalid \\u escape: expected four hexadecimal digits")
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        private func hexValue(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
            default: nil
            }
        }

        private mutating func number() throws(SyntaxError) {
            if current == UInt8(ascii: "-") { index += 1 }
            switch current {
            case UInt8(ascii: "0"):
                index += 1
                if let byte = current, isDigit(byte) { throw error("a number must not start with 0") }
            case let byte? where isDigit(byte):
                skipDigits()
            default:
                throw error("invalid number: expected a digit")
            }
            if current == UInt8(ascii: ".") {
                index += 1
                guard let byte = current, isDigit(byte) else {
                    throw error("invalid number: expected a digit after '.'")
                }
                skipDigits()
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard let byte = current, isDigit(byte) else {
                    throw error("invalid number: expected a digit in the exponent")
                }
                skipDigits()
            }
        }

        private mutating func literal(_ word: StaticString) throws(SyntaxError) {
            let expected = word.withUTF8Buffer { Array($0) }
            guard bytes[index...].starts(with: expected) else {
                throw error("unexpected \(describeCurrent()), expected a value")
            }
            index += expected.count
        }

        private func isDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }

        private mutating func skipDigits() {
            while let byte = current, isDigit(byte) { index += 1 }
        }

        private mutating func skipWhitespace() {
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\n"): line += 1
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): break
                default: return
                }
                index += 1
            }
        }

        private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        private func describeCurrent() -> String {
            guard let byte = current else { return "end of file" }
            return "'\(describe(byte))'"
        }

        private func describe(_ byte: UInt8) -> String {
            if (0x21...0x7E).contains(byte) { return String(UnicodeScalar(byte)) }
            // Whole character for non-ASCII text, a code for control bytes.
            if byte >= 0x80 {
                let tail = bytes[index...].prefix(4)
                if let character = String(decoding: tail, as: UTF8.self).first { return String(character) }
            }
            let hex = String(byte, radix: 16, uppercase: true)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }

        private func error(_ reason: String) -> SyntaxError {
            SyntaxError(reason: reason, offset: index, line: line)
        }
    }
}
