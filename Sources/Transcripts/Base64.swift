import Foundation

/// Standard base64 (RFC 4648 §4, with padding) for signatures and public keys.
package enum Base64 {
    /// `bytes` in standard base64.
    package static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// The bytes of a standard base64 string, or nil if it is not one.
    package static func decode(_ text: String) -> [UInt8]? { Data(base64Encoded: text).map { Array($0) } }
}
