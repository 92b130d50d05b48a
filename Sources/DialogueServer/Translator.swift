import Dialogue
import Foundation
import Glossary
import Logging
import Synchronization

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

/// Sends one text to the provider through the shared `ProviderClient`; throws on any
/// failure (HTTP error, timeout, bad JSON).
struct TranslatorClient: Sendable {
    let settings: ProviderSettings
    /// Per request.
    let timeout: TimeInterval
    let client: ProviderClient

    /// `libretranslate` or the model's name: what events record as `engine`.
    var engine: String {
        switch settings.kind {
        case .libretranslate: "libretranslate"
        case .openai: "llm:" + (settings.model ?? "default")
        }
    }

    func translate(_ text: String, from source: String, to target: String) async throws(ProviderFailure) -> String {
        let request = Self.request(text, from: source, to: target, settings: settings)
        let reply = try await client.postJSON(
            to: settings.url.appendingPathComponent(request.path), body: request.body, headers: request.headers,
            timeout: .seconds(timeout))
        return try Self.translation(in: reply, kind: settings.kind)
    }

    /// The path, body and headers of a request for `text`'s translation.
    static func request(_ text: String, from source: String, to target: String, settings: ProviderSettings)
        -> (path: String, body: JSONValue, headers: [(String, String)])
    {
        switch settings.kind {
        case .libretranslate:
            var fields: [String: JSONValue] = [
                "q": .string(text), "source": .string(base(source)), "target": .string(base(target)),
                "format": "text",
            ]
            if let key = settings.apiKey { fields["api_key"] = .string(key) }
            return ("translate", .object(fields), [])
        case .openai:
            let body: JSONValue = [
                "model": .string(settings.model ?? "default"), "temperature": 0,
                // A model that does not stop by itself must not run to the engine's own limit
                // (the request would time out): room for a translation several times longer.
                "max_tokens": .int(Int64(maximumTokens(for: text))),
                "messages": [
                    [
                        "role": "system",
                        // The markers are described, not shown: an example marker in the
                        // instruction would count as kept when a model echoes the instruction.
                        "content": .string(
                            "Translate the user's message from \(source) to \(target). Reply with the translation only. The message may hold markers: a number between the brackets ⟦ and ⟧. Keep each marker exactly as it is, where it belongs in the sentence."
                        ),
                    ],
                    ["role": "user", "content": .string(text)],
                ],
            ]
            return ("v1/chat/completions", body, settings.apiKey.map { [("Authorization", "Bearer \($0)")] } ?? [])
        }
    }

    /// The translated text in a provider's reply.
    static func translation(in reply: JSONValue, kind: ProviderSettings.Kind) throws(ProviderFailure) -> String {
        switch kind {
        case .libretranslate:
            guard let translated = reply["translatedText"]?.stringValue else { throw .shape("no translatedText") }
            return translated
        case .openai:
            return try chatContent(in: reply)
        }
    }

    /// `choices[0].message.content` of a chat-completions reply, trimmed.
    static func chatContent(in reply: JSONValue) throws(ProviderFailure) -> String {
        guard let content = reply["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue else {
            throw .shape("no choices[0].message.content")
        }
        return content.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func base(_ tag: String) -> String { String(tag.split(separator: "-").first ?? Substring(tag)) }

    /// Tokens a translation may take: about two per character of the original (a text in
    /// Latin script may come back in ideographs, each a token or more), at least 64.
    static func maximumTokens(for text: String) -> Int { min(4_096, max(64, 2 * text.count)) }
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

/// Calls the provider with a timeout, one retry after 200 ms, and a `CircuitBreaker`: after
/// five failures in a row no request is sent for 30 seconds. The live dialogue never waits
/// on it: events go out at once and translations follow as `translation` frames.
final class TranslationService: Sendable {
    let client: TranslatorClient
    private let circuit: ProviderCircuit

    /// Seconds a translation request may take unless `--translator-timeout` says otherwise.
    static let defaultTimeout: TimeInterval = 8

    init(
        settings: ProviderSettings, client: ProviderClient, logger: Logger = Logger(label: "translator"),
        metrics: Metrics? = nil
    ) {
        self.client = TranslatorClient(
            settings: settings, timeout: settings.timeout ?? Self.defaultTimeout, client: client)
        circuit = ProviderCircuit(
            provider: "translator", title: "translation provider", logger: logger, metrics: metrics)
    }

    var engine: String { client.engine }

    /// The translation of `text`, its glossary terms protected; nil when the provider failed.
    func translate(_ text: String, hits: [TermHit], glossary: Glossary?, from source: String, to target: String)
        async -> (text: String, glossaryOk: Bool)?
    {
        guard circuit.allowsRequest() else { return nil }
        let (masked, markers) = GlossaryProtection.protect(text, hits: glossary == nil ? [] : hits)
        let replacements = hits.sorted(by: { $0.start < $1.start }).prefix(markers.count).map {
            glossary?.approvedForm(of: $0.conceptIndex, for: target) ?? $0.text
        }
        for attempt in 0..<2 {
            do {
                let translated = try await client.translate(masked, from: source, to: target)
                circuit.succeeded()
                let restored = GlossaryProtection.restore(
                    translated, markers: markers, replacements: Array(replacements))
                return (restored.text, restored.ok)
            } catch {
                // The dialogue never waits on the provider, so its failures are only seen here.
                let retry = circuit.failed(
                    "translation request failed", error: error,
                    metadata: [
                        "provider.engine": "\(client.engine)", "provider.url": "\(client.settings.url)",
                        "translation.target": "\(target)", "attempt": "\(attempt + 1)",
                    ])
                if !retry || attempt == 1 { return nil }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        return nil
    }
}
