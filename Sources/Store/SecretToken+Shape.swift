extension SecretToken {
    /// Whether `token` has the shape of a staff token (`dst_` and 43 base64url characters)
    /// or an invite code (32 characters of the base32 alphabet): anything else cannot be
    /// one, and is refused without a look-up (cheap to refuse, however many are sent).
    package static func isWellFormed(_ token: String) -> Bool {
        let utf8 = token.utf8
        if token.hasPrefix("dst_") {
            return utf8.count == 47
                && utf8.dropFirst(4).allSatisfy {
                    ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D
                        || $0 == 0x5F
                }
        }
        return utf8.count == 32 && utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x32 && $0 <= 0x39) }
    }
}
