import Dialogue
import Glossary
import HubCore
import Store
import Transport

extension DialogueHub {
    /// A committed event with text: translated, off the hub, into each language of the
    /// session (and of its readers) other than its own; each translation is stored and
    /// sent as a `translation` frame to readers of that language.
    func translateInBackground(_ event: Event, into targets: [String], terms: EventTerms) {
        // The core chose the targets (every language of the session and of its readers but
        // the text's own; none for a phrase, which carries the agency's own wording).
        guard let translator, let text = event.text, !text.isEmpty, let source = event.body["language"]?.stringValue
        else { return }
        let version = event.body["glossary"]?.intValue.map(Int.init)
        spawn { [store, logger, translatorGate, metrics, targets] in
            await withTaskGroup(of: Void.self) { group in
                for target in targets.sorted() {
                    group.addTask {
                        // At most `--provider-concurrency` requests out and `--provider-queue`
                        // waiting: past them the translation is dropped (counted), never queued
                        // without bound; readers keep the original and a person may translate.
                        guard await translatorGate.acquire() else {
                            metrics.providerDropped("translator")
                            logger.debug(
                                "translation dropped: the provider's queue is full",
                                metadata: ["session.id": "\(event.session)", "seq": "\(event.seq)"])
                            return
                        }
                        let result = await translator.translate(
                            text, hits: terms.hits, glossary: terms.glossary, from: source, to: target)
                        translatorGate.release()
                        guard let result else { return }
                        let stored = StoredTranslation(
                            session: event.session, seq: event.seq, language: target, text: result.text,
                            engine: translator.engine, glossaryVersion: version, glossaryOk: result.glossaryOk)
                        do {
                            // Not stored: a person translated it meanwhile, and theirs stays.
                            guard try await store.saveTranslation(stored) else { return }
                        } catch {
                            logger.error("translation not stored", metadata: ["session.id": "\(event.session)", "error": "\(error)"])
                        }
                        await self.translationArrived(stored, officersOnly: event.kind.officersOnly)
                    }
                }
            }
        }
    }

    /// Sends a translation (a machine's or a person's) to the session's readers of its
    /// language (a draft's only to those who see drafts), and to every officer and
    /// interpreter of the session whatever their language.
    func translationArrived(_ translation: StoredTranslation, officersOnly: Bool) {
        let ids = core.readers(of: translation.session) { reader in
            reader.getsEveryTranslation
                || (LanguageTag.primary(reader.language) == translation.language
                    && (!officersOnly || reader.seesDrafts))
        }.map(\.id)
        if !ids.isEmpty { transport.send(JSONWriter.bytes(translation.frame), to: ids) }
    }
}
