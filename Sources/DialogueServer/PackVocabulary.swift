import AgentPacks
import Foundation
import Retrieval
import Synchronization

/// How rare each word of a pack's documents is, so that the assistant's confidence weighs
/// what a question is about ("golf", "memberships") above the words every answer shares
/// ("offer", "province"): a question whose rare words no quoted sentence holds is about
/// something the documents do not cover. Built once per pack version and kept.
final class PackVocabulary: Sendable {
    /// Documents a token appears in.
    private let documentFrequency: [String: Int]
    private let documents: Int

    init(pack: AgentPack) {
        var frequency: [String: Int] = [:]
        for document in pack.documents {
            var tokens = Set(SearchTokenizer.tokens(document.title + "\n" + document.body))
            if document.language == "vi" {
                tokens.formUnion(ExtractiveComposer.syllablePairs(document.title + "\n" + document.body, content: nil))
            }
            for token in tokens { frequency[token, default: 0] += 1 }
        }
        documentFrequency = frequency
        documents = max(1, pack.documents.count)
    }

    /// A question token's weight: inverse document frequency, highest for a word no
    /// document has.
    func weight(_ token: String) -> Double {
        let frequency = documentFrequency[token] ?? 0
        return log(Double(documents + 1) / Double(frequency + 1)) + 1
    }

    /// A glossary concept of the question weighs as the rarest word: it names what is asked.
    var conceptWeight: Double { log(Double(documents + 1)) + 1 }

    private static let cache = Mutex<[String: (key: Int, vocabulary: PackVocabulary)]>([:])

    /// The vocabulary of `pack`, built on first use and again when its documents change.
    static func of(_ pack: AgentPack) -> PackVocabulary {
        var hasher = Hasher()
        for document in pack.documents {
            hasher.combine(document.id)
            hasher.combine(document.body.utf8.count)
            hasher.combine(document.body.hashValue)
        }
        let key = hasher.finalize()
        if let cached = cache.withLock({ $0[pack.id] }), cached.key == key { return cached.vocabulary }
        let vocabulary = PackVocabulary(pack: pack)
        cache.withLock { $0[pack.id] = (key, vocabulary) }
        return vocabulary
    }
}
