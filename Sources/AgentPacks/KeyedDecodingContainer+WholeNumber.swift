extension KeyedDecodingContainer {
    /// Decodes a whole number written in any JSON number form (`3`, `3.0`, `3e0`).
    ///
    /// Foundation's decoder on Linux reports `1.5` for an `Int` with no coding path; this
    /// keeps the key, so the error names it and its line.
    func decodeWholeNumber(forKey key: Key) throws -> Int {
        let number: Double
        do {
            number = try decode(Double.self, forKey: key)
        } catch DecodingError.typeMismatch(_, let context) {
            throw DecodingError.typeMismatch(Int.self, context)  // "must be an integer"
        }
        guard let value = Int(exactly: number) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "\(number) is not a whole number")
        }
        return value
    }

    /// `decodeWholeNumber(forKey:)` for a key that may be absent.
    func decodeWholeNumberIfPresent(forKey key: Key) throws -> Int? {
        try contains(key) && !decodeNil(forKey: key) ? decodeWholeNumber(forKey: key) : nil
    }
}
