import AgentPacks

/// The language versions of a pack's documents, block by block. A family's versions have
/// the same sections (`## Heading {#anchor}`) and, in each, the same paragraphs and list
/// items in the same order (Tests/integration/pack_families.py checks it), so a sentence
/// found in one language has a known place — family, section, block, sentence — and the
/// same place in another language is its counterpart. The assistant finds passages through
/// any language and quotes the asker's version of them.
package struct DocumentAlignment: Sendable {
    /// Where a sentence sits, independent of language.
    package struct Place: Sendable, Hashable {
        package var family: String
        package var section: Int
        package var block: Int
        package var sentence: Int
        /// The section's `{#anchor}`: a version whose sections are in another order (or
        /// lack this one) is matched by it, not by position.
        package var anchor: String? = nil
    }

    /// A sentence in one language version, with what a citation of it needs.
    package struct Quote: Sendable, Equatable {
        package var document: PackDocument
        /// The sentence, or the whole block when the versions cut it into different sentences.
        package var text: String
        /// The block holding it: the cited passage.
        package var block: String
        /// The section's heading in that language.
        package var heading: String
    }

    /// Outline of one document: sections → blocks → sentences.
    struct Outline: Sendable {
        var document: PackDocument
        var sections: [(heading: String, anchor: String?, blocks: [[String]])]
    }

    private var outlines: [String: Outline] = [:]
    /// family → language → document id.
    private var versions: [String: [String: String]] = [:]

    /// Outlines the documents of `families` (all of the pack's when nil).
    package init(documents: [PackDocument], families: Set<String>? = nil) {
        for document in documents where families?.contains(document.family) ?? true {
            let sections = PassageSplitter.sections(document.body).map { section in
                (heading: section.heading, anchor: section.anchor, blocks: section.blocks.map(PassageSplitter.sentences))
            }
            outlines[document.id] = Outline(document: document, sections: sections)
            versions[document.family, default: [:]][document.language] = document.id
        }
    }

    /// The languages a family exists in.
    package func languages(of family: String) -> Set<String> { Set(versions[family]?.keys ?? [:].keys) }

    /// Where `sentence` (as `PassageSplitter` cut it from a passage) sits in `document`.
    package func place(of sentence: String, in document: String) -> Place? {
        guard let outline = outlines[document] else { return nil }
        for (s, section) in outline.sections.enumerated() {
            for (b, block) in section.blocks.enumerated() {
                if let index = block.firstIndex(of: sentence) {
                    return Place(
                        family: outline.document.family, section: s, block: b, sentence: index, anchor: section.anchor)
                }
            }
        }
        return nil
    }

    /// The sentence at `place` in the `language` version, if the family has that version
    /// and its outline matches (same number of sections and blocks there).
    package func quote(at place: Place, in language: String, sentenceCountOfSource: Int? = nil) -> Quote? {
        guard let id = versions[place.family]?[language], let outline = outlines[id] else { return nil }
        let index = place.anchor.map { anchor in outline.sections.firstIndex { $0.anchor == anchor } } ?? place.section
        guard let index, index < outline.sections.count, place.block < outline.sections[index].blocks.count else {
            return nil
        }
        let section = outline.sections[index]
        let sentences = section.blocks[place.block]
        let block = sentences.joined(separator: " ")
        // The same sentence when both versions cut the block alike; else the whole block,
        // which says the same (block alignment is what the pack guarantees).
        let text =
            (sentenceCountOfSource == nil || sentenceCountOfSource == sentences.count) && place.sentence < sentences.count
            ? sentences[place.sentence] : block
        return Quote(document: outline.document, text: text, block: block, heading: section.heading)
    }

    /// How many sentences the block at `place` has in `document`.
    package func sentenceCount(at place: Place, in document: String) -> Int? {
        guard let outline = outlines[document], place.section < outline.sections.count,
            place.block < outline.sections[place.section].blocks.count
        else { return nil }
        return outline.sections[place.section].blocks[place.block].count
    }
}
