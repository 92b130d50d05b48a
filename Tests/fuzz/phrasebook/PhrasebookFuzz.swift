import AgentPacks
import FuzzSupport

/// Fuzzes the phrasebook parser (`phrases.tsv`, contract section 7): a refusal names a line
/// of the input, and an accepted phrasebook keeps the file's rules.
@main enum PhrasebookFuzz {
    static func main() {
        FuzzDriver.main(target: "fuzz-phrasebook", folders: FuzzDriver.defaultFolders(besides: #filePath), check: check)
    }

    static func check(_ bytes: [UInt8]) throws(FuzzFailure) {
        // Agent packs are read as UTF-8 and refused otherwise, before parsing.
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        let lines = bytes.count(where: { $0 == 0x0A }) + 1
        let book: Phrasebook
        do {
            book = try Phrasebook.parse(text)
        } catch {
            try require(
                (1...lines).contains(error.line), "refused at line \(error.line) of a \(lines)-line file: \(error.reason)")
            try require(!error.reason.isEmpty, "a refusal without a reason")
            return
        }
        try require(!book.languages.isEmpty, "a phrasebook without a language column")
        try require(Set(book.languages).count == book.languages.count, "a language column twice")
        var previousLine = 1
        for phrase in book.phrases {
            try require(
                phrase.line > previousLine && phrase.line <= lines,
                "phrase on line \(phrase.line) after line \(previousLine) of \(lines)")
            previousLine = phrase.line
            try require(
                !phrase.id.isEmpty && phrase.id.utf8.count <= 64
                    && phrase.id.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D },
                "id \"\(phrase.id)\" let through")
            try require(book.phrase(id: phrase.id)?.line == phrase.line, "phrase(id:) finds another \"\(phrase.id)\"")
            try require(Set(phrase.texts.keys) == Set(book.languages), "phrase \"\(phrase.id)\" lacks a language")
            for (language, text) in phrase.texts {
                try require(!text.isEmpty && text.count <= Phrasebook.maximumLength, "\(language) text of \(text.count)")
                // A text is one cell of one line: it never holds the separators.
                try require(
                    !text.unicodeScalars.contains { $0.properties.generalCategory == .control },
                    "\(language) text holds a control character: \(text.debugDescription)")
                try require(phrase.text(in: language) == text, "text(in: \(language)) is not the cell")
            }
            for language in book.languages {
                let choice = PhraseChoice(phrase: phrase, senderLanguage: language, packLanguage: book.languages[0])
                try require(choice.text == phrase.texts[language], "PhraseChoice picks another text for \(language)")
            }
        }
    }
}
