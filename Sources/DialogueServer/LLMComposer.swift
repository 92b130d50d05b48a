import Foundation
import Glossary
import Logging
import Retrieval
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Answers through an LLM behind an OpenAI-compatible chat-completions API
/// (`--llm openai:URL --llm-model MODEL`), held to the same rules as the extractive
/// composer: it sees only the retrieved passages, numbered, must cite them as `[n]`, and an
/// answer that cites a passage it was not given, cites nothing, or states a number that no
/// cited passage holds is thrown away (the extractive answer is used instead). A 20 s
/// timeout, one retry after a transport failure, and a circuit breaker like the translator's.
final class LLMComposer: Sendable {
    let settings: ProviderSettings
    let timeout: TimeInterval
    private let breaker = Mutex<(failures: Int, openUntil: ContinuousClock.Instant?)>((0, nil))
    let logger: Logger
    let metrics: Metrics?

    /// Seconds an answer request may take unless `--llm-timeout` says otherwise.
    static let defaultTimeout: TimeInterval = 20
    /// Tokens an answer may take: four sentences with citations, in any script.
    static let maximumTokens = 512

    init(settings: ProviderSettings, logger: Logger = Logger(label: "llm"), metrics: Metrics? = nil) {
        self.settings = settings
        self.timeout = settings.timeout ?? Self.defaultTimeout
        self.logger = logger
        self.metrics = metrics
    }

    /// `llm:MODEL`, recorded on the events it wrote.
    var engine: String { "llm:" + (settings.model ?? "default") }

    /// An answer citing `results`, or nil when the provider failed or broke the rules.
    func answer(
        question: String, language: String, results: [SearchResult], organisation: String, terms: [(String, String)]
    ) async -> (text: String, citations: [SearchResult])? {
        guard !results.isEmpty else { return nil }
        if let until = breaker.withLock({ $0.openUntil }), ContinuousClock.now < until { return nil }
        let passages = results.enumerated().map { "[\($0.offset + 1)] \($0.element.title)\n\($0.element.passage)" }
            .joined(separator: "\n\n")
        let glossaryLines = terms.map { "\($0.0) → \($0.1)" }.joined(separator: "\n")
        let system = """
            You answer foreign investors' questions for \(organisation), using only the numbered passages the user \
            gives. Answer in the language with code "\(language)", in at most four sentences. After each statement, \
            cite the passage it comes from as [n]. Copy every figure exactly as written in the passage. If the \
            passages do not answer the question, say so and cite nothing. Use these approved terms:
            \(glossaryLines)
            """
        let user = "Passages:\n\(passages)\n\nQuestion: \(question)"
        // One retry after a transport failure; an answer that breaks the rules is not retried.
        for attempt in 0..<2 {
            do {
                let text = try await complete(system: system, user: user)
                guard let checked = Self.check(text, results: results) else {
                    // Refused under the grounding rules: the extractive answer stands. The
                    // provider is up, so this does not count towards the circuit breaker.
                    metrics?.providerFailed("llm")
                    logger.notice(
                        "llm answer refused: it cites nothing, a passage it was not given, or a figure no cited passage holds",
                        metadata: ["provider.engine": "\(engine)", "answer.prefix": "\(text.prefix(120))"])
                    return nil
                }
                breaker.withLock { $0 = (0, nil) }
                return checked
            } catch {
                recordFailure()
                metrics?.providerFailed("llm")
                logger.warning(
                    "llm request failed",
                    metadata: [
                        "provider.engine": "\(engine)", "provider.url": "\(settings.url)", "attempt": "\(attempt + 1)",
                        "error": "\(ProviderFailure.describe(error, timeout: timeout))",
                    ])
                if attempt == 1 || breaker.withLock({ $0.openUntil != nil }) { return nil }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        return nil
    }

    /// The answer's cited passages when it follows the rules; nil when it does not.
    static func check(_ text: String, results: [SearchResult]) -> (text: String, citations: [SearchResult])? {
        var cited: [Int] = []
        var index = text.startIndex
        while let open = text[index...].firstIndex(of: "[") {
            guard let close = text[open...].firstIndex(of: "]") else { break }
            if let number = Int(text[text.index(after: open)..<close]) { cited.append(number) }
            index = text.index(after: close)
        }
        guard !cited.isEmpty, cited.allSatisfy({ (1...results.count).contains($0) }) else { return nil }
        let ids = Array(Set(cited)).sorted()
        let citations = ids.map { results[$0 - 1] }
        // Every number stated must be in a cited passage (citation markers aside).
        let stated = Set(
            SearchTokenizer.tokens(text.replacingOccurrences(of: #"\[\d+\]"#, with: " ", options: .regularExpression))
                .filter { $0.first?.isNumber == true })
        let available = Set(citations.flatMap { SearchTokenizer.tokens($0.passage) })
        guard stated.isSubset(of: available) else { return nil }
        return (text, citations)
    }

    private func recordFailure() {
        breaker.withLock { state in
            state.failures += 1
            if state.failures >= 5 { state.openUntil = ContinuousClock.now + .seconds(30) }
        }
    }

    private func complete(system: String, user: String) async throws -> String {
        var request = URLRequest(url: settings.url.appendingPathComponent("v1/chat/completions"))
        request.httpMethod = "POST"
        request.timeoutInterval = timeout
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let key = settings.apiKey { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        request.httpBody = try JSONSerialization.data(withJSONObject: [
            "model": settings.model ?? "default", "temperature": 0, "max_tokens": Self.maximumTokens,
            "messages": [["role": "system", "content": system], ["role": "user", "content": user]],
        ])
        let (data, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200,
            let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let choices = json["choices"] as? [[String: Any]],
            let message = choices.first?["message"] as? [String: Any],
            let content = message["content"] as? String
        else { throw ProviderFailure.shape }
        return content.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
