import Dialogue

/// Renders a transcript as Markdown (CommonMark with GitHub tables): title, metadata,
/// one list item per event with its notes, and how to verify it. User text is escaped so
/// that it shows as written and never becomes markup or HTML.
package enum MarkdownTranscript {
    /// The Markdown transcript of `document`, labelled in `language` (English by default).
    package static func render(
        _ document: TranscriptDocument, language: String?, ratingReasons: [String: String] = [:]
    ) -> String {
        let layout = TranscriptLayout(document, language: language, ratingReasons: ratingReasons)
        let labels = layout.labels
        var out: [String] = []
        out.append("# " + inline(layout.title))
        out.append("")
        table(layout.metadata, into: &out)
        out.append("")

        out.append("## " + inline(labels.conversation))
        out.append("")
        if layout.lines.isEmpty { out.append("_\(inline(labels.noEvents))_") }
        for line in layout.lines {
            if let day = line.newDay {
                out.append("")
                out.append("### " + inline(day))
                out.append("")
            }
            event(line, labels: labels, into: &out)
        }

        if !layout.otherNotes.isEmpty {
            out.append("")
            out.append("## " + inline(labels.otherNotes))
            out.append("")
            for note in layout.otherNotes {
                appendBlock(
                    "- `#\(note.seq)` **\(inline(labels.note))** (\(inline(note.author)), \(inline(note.when))): ",
                    text: note.text, indent: "  ", into: &out)
            }
        }

        out.append("")
        out.append("## " + inline(labels.verification))
        out.append("")
        table(layout.verification, into: &out)
        out.append("")
        out.append(inline(labels.howToVerify))
        out.append("")
        out.append("```")
        out.append(layout.command)
        out.append("```")
        out.append("")
        out.append(inline(layout.compareKey(session: document.session.id)))
        out.append("")
        out.append(inline(labels.exitCodes))
        out.append("")
        return out.joined(separator: "\n")
    }

    private static func event(_ line: TranscriptLayout.Line, labels: TranscriptLabels, into out: inout [String]) {
        var head = "- `#\(line.seq)` \(inline(line.time)) — **\(inline(line.author))** (\(inline(line.role)))"
        if let language = line.language, !language.isEmpty { head += " [\(inline(language))]" }
        head += ": "
        if let tag = line.tag { head += "**\(inline(tag)):** " }
        if line.redacted {
            out.append(head + "_(\(inline(labels.redacted)))_")
        } else if let text = line.text {
            appendBlock(head, text: text, indent: "  ", into: &out)
        } else {
            out.append(head + "_\(inline(line.sentence ?? ""))_")
        }
        if let translation = line.translation {
            let flag = translation.glossaryOk ? "" : ", \(labels.glossaryNotKept)"
            appendBlock(
                "  - _\(inline(labels.translationHeading(engine: translation.engine, by: translation.by)))"
                    + " (\(inline(translation.engine))\(inline(flag))):_ ",
                text: translation.text, indent: "    ", into: &out)
        }
        if !line.terms.isEmpty {
            let version = line.glossaryVersion.map { " (\(labels.glossaryVersion)\($0))" } ?? ""
            out.append(
                "  - _\(inline(labels.terms))\(inline(version)):_ "
                    + line.terms.map { "\(inline($0.text)) → \(inline($0.translation))" }.joined(separator: "; "))
        }
        if !line.sources.isEmpty {
            out.append("  - _\(inline(labels.sources)):_ " + line.sources.map { inline($0) }.joined(separator: "; "))
        }
        if let contact = line.contact { out.append("  - _\(inline(labels.contact)):_ " + inline(contact)) }
        if let editor = line.editedBy {
            out.append("  - _\(inline(TranscriptLabels.fill(labels.editedByLine, ["name": editor])))_")
        }
        for note in line.notes {
            appendBlock(
                "  - **\(inline(labels.note))** (\(inline(note.author)), \(inline(note.when))): ", text: note.text,
                indent: "    ", into: &out)
        }
    }

    /// Appends `prefix` + a multi-line `text`, its later lines indented so they stay in the
    /// list item, with hard line breaks between non-empty lines.
    private static func appendBlock(_ prefix: String, text: String, indent: String, into out: inout [String]) {
        let rows = normalisedLines(text)
        for (index, row) in rows.enumerated() {
            var rendered = inline(row, atLineStart: index > 0)
            if index + 1 < rows.count, !row.isEmpty, !rows[index + 1].isEmpty { rendered += "\\" }
            if index == 0 {
                out.append(prefix + rendered)
            } else {
                out.append(row.isEmpty ? "" : indent + rendered)
            }
        }
    }

    private static func table(_ rows: [TranscriptLayout.Row], into out: inout [String]) {
        out.append("| | |")
        out.append("|---|---|")
        for row in rows {
            let values = row.values.map { value in
                row.isCode ? "`" + value.replacingBackticks() + "`" : cell(value)
            }
            out.append("| \(cell(row.label)) | \(values.joined(separator: "; ")) |")
        }
    }

    /// `text` escaped for a table cell: one line.
    private static func cell(_ text: String) -> String {
        inline(normalisedLines(text).joined(separator: " "))
    }

    private static func normalisedLines(_ text: String) -> [String] {
        text.replacing("\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0).replacing("\r", with: "") }
    }

    /// `text` with every character that Markdown could read as markup escaped with `\`;
    /// `atLineStart` also escapes what would start a block (heading, list, quote, rule).
    static func inline(_ text: String, atLineStart: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "~": out += "\\" + String(c)
            case "\n": out += " "
            case "\r": continue
            default: out.append(c)
            }
        }
        guard atLineStart else { return out }
        let trimmed = out.drop(while: { $0 == " " })
        let lead = out.prefix(out.count - trimmed.count)
        if let first = trimmed.first, "#-+=".contains(first) { return lead + "\\" + trimmed }
        // An ordered-list marker: digits then `.` or `)`.
        let digits = trimmed.prefix(while: \.isASCIIDigitCharacter)
        if !digits.isEmpty, digits.count <= 9, let after = trimmed.dropFirst(digits.count).first,
            after == "." || after == ")"
        {
            return lead + digits + "\\" + trimmed.dropFirst(digits.count)
        }
        return out
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}

extension String {
    /// Code spans cannot escape backticks; identifiers and digests never hold any, but be safe.
    fileprivate func replacingBackticks() -> String { replacing("`", with: "'") }
}
