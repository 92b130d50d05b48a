import Foundation
import Glossary
import Logging
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// An external provider, configured as `KIND:URL`: `--translator` (machine translation)
/// takes either kind, `--llm` (answers) the second:
/// - `libretranslate:http://host:5000` — the LibreTranslate API (`POST /translate`);
/// - `openai:http://host:8080` — an OpenAI-compatible chat-completions API (llama.cpp's
///   server, vLLM, Ollama), with a model name.
/// `DIALOGUE_TRANSLATOR_KEY` / `DIALOGUE_LLM_KEY` is sent as the API key when set.
package struct ProviderSettings: Sendable, Equatable {
    package enum Kind: String, Sendable { case libretranslate, openai }
    package var kind: Kind
    package var url: URL
    package var model: String?
    package var apiKey: String?
    /// Seconds one request may take; nil: the provider's default (8 s for translations,
    /// 20 s for answers). A CPU engine such as llama.cpp may need more.
    package var timeout: TimeInterval? = nil

    /// Parses `KIND:URL`; nil with a reason when malformed.
    package static func parse(_ text: String, model: String?, apiKey: String?) -> Result<ProviderSettings, ParseError> {
        guard let colon = text.firstIndex(of: ":"), let kind = Kind(rawValue: String(text[..<colon])) else {
            return .failure(ParseError(reason: "a provider is libretranslate:URL or openai:URL"))
        }
        let rest = String(text[text.index(after: colon)...])
        guard let url = URL(string: rest), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil
        else { return .failure(ParseError(reason: "an http(s) URL must follow \(kind.rawValue):")) }
        return .success(ProviderSettings(kind: kind, url: url, model: model, apiKey: apiKey))
    }

    package struct ParseError: Error, Sendable { package var reason: String }
}

/// Sends one text to the provider; throws on any failure (HTTP error, timeout, bad JSON).
struct TranslatorClient: Sendable {
    let settings: ProviderSettings
    /// Per request.
    let timeout: TimeInterval

    /// `libretranslate` or the model's name: what events record as `engine`.
    var engine: String {
        switch settings.kind {
        case .libretranslate: "libretranslate"
        case .openai: "llm:" + (settings.model ?? "default")
        }
    }

    func translate(_ text: String, from source: String, to target: String) async throws -> String {
        var request: URLRequest
        let body: [String: Any]
        switch settings.kind {
        case .libretranslate:
            request = URLRequest(url: settings.url.appendingPathComponent("translate"))
            var fields: [String: Any] = [
                "q": text, "source": base(source), "target": base(target), "format": "text",
            ]
            if let key = settings.apiKey { fields["api_key"] = key }
            body = fields
        case .openai:
            request = URLRequest(url: settings.url.appendingPathComponent("v1/chat/completions"))
            if let key = settings.apiKey { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
            body = [
                "model": settings.model ?? "default", "temperature": 0,
                // A model that does not stop by itself must not run to the engine's own limit
                // (the request would time out): room for a translation several times longer.
                "max_tokens": Self.maximumTokens(for: text),
                "messages": [
                    [
                        "role": "system",
                        // The markers are described, not shown: an example marker in the
                        // instruction would count as kept when a model echoes the instruction.
                        "content":
                            "Translate the user's message from \(source) to \(target). Reply with the translation only. The message may hold markers: a number between the brackets ⟦ and ⟧. Keep each marker exactly as it is, where it belongs in the sentence.",
                    ],
                    ["role": "user", "content": text],
                ],
            ]
        }
        request.httpMethod = "POST"
        request.timeoutInterval = timeout
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
            throw ProviderFailure.status((response as? HTTPURLResponse)?.statusCode ?? 0)
        }
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        switch settings.kind {
        case .libretranslate:
            guard let translated = json?["translatedText"] as? String else { throw ProviderFailure.shape }
            return translated
        case .openai:
            guard let choices = json?["choices"] as? [[String: Any]],
                let message = choices.first?["message"] as? [String: Any],
                let content = message["content"] as? String
            else { throw ProviderFailure.shape }
            return content.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    private func base(_ tag: String) -> String { String(tag.split(separator: "-").first ?? Substring(tag)) }

    /// Tokens a translation may take: about two per character of the original (a text in
    /// Latin script may come back in ideographs, each a token or more), at least 64.
    static func maximumTokens(for text: String) -> Int { min(4_096, max(64, 2 * text.count)) }
}

/// A provider's answer that cannot be used: an HTTP status other than 200, or a body
/// without the expected member.
enum ProviderFailure: Error, CustomStringConvertible {
    case status(Int)
    case shape

    var description: String {
        switch self {
        case .status(let code): "HTTP status \(code)"
        case .shape: "a reply without the expected members"
        }
    }

    /// A failed request in words: "timed out after 8 s", "HTTP status 500", the system's text.
    static func describe(_ error: any Error, timeout: TimeInterval) -> String {
        if let failure = error as? ProviderFailure { return failure.description }
        if let url = error as? URLError {
            switch url.code {
            case .timedOut: return "timed out after \(Int(timeout)) s"
            case .cannotConnectToHost: return "connection refused"
            default: return "network error \(url.code.rawValue)"
            }
        }
        return "\(error)"
    }
}

/// Glossary terms are replaced by markers (`⟦1⟧`) before translation and by their approved
/// form in the target language after it, so the provider cannot mistranslate them; a
/// translation that lost or duplicated a marker is reported as not keeping the glossary.
enum GlossaryProtection {
    static func protect(_ text: String, hits: [TermHit]) -> (masked: String, markers: [String]) {
        let units = Array(text.utf16)
        var out = ""
        var markers: [String] = []
        var position = 0
        for hit in hits.sorted(by: { $0.start < $1.start }) where hit.start >= position && hit.end <= units.count {
            out += String(decoding: units[position..<hit.start], as: UTF16.self)
            let marker = "⟦\(markers.count + 1)⟧"
            markers.append(marker)
            out += marker
            position = hit.end
        }
        out += String(decoding: units[position...], as: UTF16.self)
        return (out, markers)
    }

    /// The translation with each marker replaced by `replacements[i]`; `ok` when every
    /// marker came back exactly once.
    static func restore(_ translated: String, markers: [String], replacements: [String]) -> (text: String, ok: Bool) {
        var text = translated
        var ok = true
        for (marker, replacement) in zip(markers, replacements) {
            let count = text.components(separatedBy: marker).count - 1
            if count != 1 { ok = false }
            text = text.replacingOccurrences(of: marker, with: replacement)
        }
        if text.contains("⟦") {
            // A marker the provider changed or invented (⟦2⟧ for ⟦1⟧) means nothing to a
            // reader: it is taken out, and the translation is flagged as not keeping the glossary.
            ok = false
            text = text.replacingOccurrences(of: #"\s?⟦[0-9]{1,3}⟧"#, with: "", options: .regularExpression)
        }
        return (text, ok)
    }
}

/// Calls the provider with a timeout, one retry with backoff, and a circuit breaker: after
/// five failures in a row no request is sent for 30 seconds. The live dialogue never waits
/// on it: events go out at once and translations follow as `translation` frames.
final class TranslationService: Sendable {
    let client: TranslatorClient
    private let breaker = Mutex(Breaker())
    let logger: Logger
    let metrics: Metrics?

    struct Breaker {
        var failures = 0
        var openUntil: ContinuousClock.Instant?
    }

    static let failuresToOpen = 5
    static let openFor: Duration = .seconds(30)

    /// Seconds a translation request may take unless `--translator-timeout` says otherwise.
    static let defaultTimeout: TimeInterval = 8

    init(settings: ProviderSettings, logger: Logger = Logger(label: "translator"), metrics: Metrics? = nil) {
        client = TranslatorClient(settings: settings, timeout: settings.timeout ?? Self.defaultTimeout)
        self.logger = logger
        self.metrics = metrics
    }

    var engine: String { client.engine }

    /// The translation of `text`, its glossary terms protected; nil when the provider failed.
    func translate(_ text: String, hits: [TermHit], glossary: Glossary?, from source: String, to target: String)
        async -> (text: String, glossaryOk: Bool)?
    {
        let now = ContinuousClock.now
        let open = breaker.withLock { state -> Bool in
            if let until = state.openUntil, now < until { return true }
            return false
        }
        if open { return nil }
        let (masked, markers) = GlossaryProtection.protect(text, hits: glossary == nil ? [] : hits)
        let replacements = hits.sorted(by: { $0.start < $1.start }).prefix(markers.count).map {
            glossary?.approvedForm(of: $0.conceptIndex, for: target) ?? $0.text
        }
        for attempt in 0..<2 {
            do {
                let translated = try await client.translate(masked, from: source, to: target)
                breaker.withLock { $0 = Breaker() }
                let restored = GlossaryProtection.restore(translated, markers: markers, replacements: Array(replacements))
                return (restored.text, restored.ok)
            } catch {
                let opened = breaker.withLock { state -> Bool in
                    state.failures += 1
                    let now = ContinuousClock.now
                    if state.failures >= Self.failuresToOpen && (state.openUntil.map { $0 <= now } ?? true) {
                        state.openUntil = now + Self.openFor
                        return true
                    }
                    return false
                }
                // The dialogue never waits on the provider, so its failures are only seen here.
                metrics?.providerFailed("translator")
                logger.warning(
                    "translation request failed",
                    metadata: [
                        "provider.engine": "\(client.engine)", "provider.url": "\(client.settings.url)",
                        "translation.target": "\(target)", "attempt": "\(attempt + 1)",
                        "error": "\(ProviderFailure.describe(error, timeout: client.timeout))",
                    ])
                if opened {
                    logger.error(
                        "translation provider failing: no request for \(Self.openFor)",
                        metadata: ["provider.engine": "\(client.engine)", "failures": "\(Self.failuresToOpen)"])
                }
                if opened || attempt == 1 { return nil }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        return nil
    }
}
