import Crypto
import Dialogue

/// The erasable secrets of one event's version-2 commitments (docs/transcripts.md,
/// "Commitments"): a random salt for what the person said (`text`, `citations`) and one for
/// who they are (`from.name`, `organisation`). They are stored apart from the body and
/// deleted with what they commit to, so a redacted text can no longer be confirmed by
/// guessing it; an event without them is hashed as in version 1.
package struct EventSalts: Sendable, Equatable {
    /// Length of each salt in bytes.
    package static let length = 32
    /// Commits `text` and `citations`; nil for a version-1 event or once the text is redacted.
    package var text: [UInt8]?
    /// Commits `from.name` and `organisation`; nil for a version-1 event or once the author is erased.
    package var person: [UInt8]?

    /// Salts as stored.
    package init(text: [UInt8]? = nil, person: [UInt8]? = nil) {
        self.text = text
        self.person = person
    }

    /// No salts: a version-1 event (or one whose secrets are all erased).
    package static let none = EventSalts()

    /// Whether the event has no salt left.
    package var isEmpty: Bool { text == nil && person == nil }

    /// Fresh salts for a new event: a text salt only when the body holds a text member.
    package static func fresh(for body: JSONValue) -> EventSalts {
        let hasText = HashChain.textMembers.contains { body[$0] != nil }
        return EventSalts(text: hasText ? random() : nil, person: random())
    }

    /// `length` bytes from a cryptographic generator: BoringSSL's (through swift-crypto's
    /// `SymmetricKey`), seeded by the kernel. `SystemRandomNumberGenerator` asked the kernel
    /// for every 8 bytes: eight `getrandom` calls per event on the writer's thread.
    package static func random() -> [UInt8] {
        SymmetricKey(size: SymmetricKeySize(bitCount: length * 8)).withUnsafeBytes { Array($0) }
    }
}
