import Dialogue

/// Renders a transcript as one standalone HTML page (UTF-8, inline CSS, no scripts), with
/// the same content as the Markdown form. Every string from the document is escaped, and
/// void elements are self-closed so the page is also well-formed XML.
package enum HTMLTranscript {
    /// The HTML page of `document`, labelled in `language` (English by default).
    package static func render(
        _ document: TranscriptDocument, language: String?, ratingReasons: [String: String] = [:]
    ) -> String {
        let layout = TranscriptLayout(document, language: language, ratingReasons: ratingReasons)
        let labels = layout.labels
        var out: [String] = []
        out.append("<!DOCTYPE html>")
        out.append("<html lang=\"\(escape(labels.code))\">")
        out.append("<head>")
        out.append("<meta charset=\"utf-8\" />")
        out.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />")
        out.append("<title>\(escape(layout.title))</title>")
        out.append("<style>\(css)</style>")
        out.append("</head>")
        out.append("<body>")
        out.append("<header>")
        out.append("<h1>\(escape(layout.title))</h1>")
        table(layout.metadata, className: "metadata", into: &out)
        out.append("</header>")

        out.append("<main>")
        out.append("<h2>\(escape(labels.conversation))</h2>")
        if layout.lines.isEmpty {
            out.append("<p class=\"empty\">\(escape(labels.noEvents))</p>")
        } else {
            out.append("<ol class=\"events\">")
            for line in layout.lines { event(line, labels: labels, into: &out) }
            out.append("</ol>")
        }
        if !layout.otherNotes.isEmpty {
            out.append("<section class=\"other-notes\">")
            out.append("<h2>\(escape(labels.otherNotes))</h2>")
            for note in layout.otherNotes { self.note(note, labels: labels, showSeq: true, into: &out) }
            out.append("</section>")
        }
        out.append("</main>")

        out.append("<footer>")
        out.append("<h2>\(escape(labels.verification))</h2>")
        table(layout.verification, className: "verification", into: &out)
        out.append("<p>\(escape(labels.howToVerify))</p>")
        out.append("<pre><code>\(escape(layout.command))</code></pre>")
        out.append("<p>\(escape(layout.compareKey(session: document.session.id)))</p>")
        out.append("<p>\(escape(labels.exitCodes))</p>")
        out.append("</footer>")
        out.append("</body>")
        out.append("</html>")
        out.append("")
        return out.joined(separator: "\n")
    }

    private static let css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK JP",sans-serif;\
        max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.5}\
        table{border-collapse:collapse;margin:1rem 0}\
        th,td{border:1px solid #d0d0d7;padding:.3rem .6rem;text-align:left;vertical-align:top}\
        th{background:#f4f4f6;font-weight:600}\
        td ul{margin:0;padding-left:1.1rem}\
        code{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}\
        pre{background:#f4f4f6;padding:.6rem;overflow-x:auto}\
        ol.events{list-style:none;padding:0}\
        li.event{padding:.5rem .4rem;border-bottom:1px solid #ececf0}\
        li.day{margin-top:1rem;font-weight:600;color:#555}\
        li.draft{background:#fff8e1}\
        .meta{color:#555;font-size:.9rem}\
        .seq{font-family:ui-monospace,Menlo,Consolas,monospace;color:#888}\
        .author{font-weight:600;color:#1d1d1f}\
        .text{white-space:pre-wrap;margin:.25rem 0 0}\
        mark.term{background:none;text-decoration:underline dotted;text-underline-offset:.2em}\
        .terms ul{display:inline;padding:0;margin:0 0 0 .4rem}.terms li{display:inline;margin-right:.8rem}\
        .tag{font-weight:600}\
        .sentence,.redacted{font-style:italic;color:#555;margin:.25rem 0 0}\
        .sources,.contact,.edited{font-size:.9rem;margin:.25rem 0 0}\
        .note{margin:.4rem 0 0 1.5rem;padding:.3rem .6rem;border-left:3px solid #8ab4f8;background:#f3f7fe;\
        white-space:pre-wrap}
        """

    private static func event(_ line: TranscriptLayout.Line, labels: TranscriptLabels, into out: inout [String]) {
        if let day = line.newDay { out.append("<li class=\"day\">\(escape(day))</li>") }
        let classes = "event kind-\(escape(line.kind))" + (line.isDraft ? " draft" : "")
        out.append("<li class=\"\(classes)\" id=\"seq-\(line.seq)\">")
        var meta = "<div class=\"meta\"><span class=\"seq\">#\(line.seq)</span> "
        meta += "<time datetime=\"\(escape(line.at))\">\(escape(line.time))</time> "
        meta +=
            "<span class=\"author\">\(escape(line.author))</span> <span class=\"role\">(\(escape(line.role)))</span>"
        if let language = line.language, !language.isEmpty {
            meta += " <span class=\"language\">[\(escape(language))]</span>"
        }
        out.append(meta + "</div>")
        let tag = line.tag.map { "<strong class=\"tag\">\(escape($0)):</strong> " } ?? ""
        if line.redacted {
            out.append("<p class=\"redacted\">\(tag)(\(escape(labels.redacted)))</p>")
        } else if let text = line.text {
            let lang = line.language.flatMap { LanguageTag.isValid($0) ? " lang=\"\(escape($0))\"" : nil } ?? ""
            out.append("<p class=\"text\"\(lang)>\(tag)\(marked(text, terms: line.terms))</p>")
            if let translation = line.translation {
                let flag = translation.glossaryOk ? "" : ", \(labels.glossaryNotKept)"
                let heading = labels.translationHeading(engine: translation.engine, by: translation.by)
                out.append(
                    "<p class=\"translation\(translation.by == nil ? "" : " human")\"><strong>\(escape(heading)) (\(escape(translation.engine + flag))):</strong> \(escape(translation.text))</p>")
            }
            if !line.terms.isEmpty {
                let version = line.glossaryVersion.map { " (\(labels.glossaryVersion)\($0))" } ?? ""
                let items = line.terms.map {
                    "<li><span class=\"term-source\">\(escape($0.text))</span> → <span class=\"term-translation\">\(escape($0.translation))</span></li>"
                }
                out.append(
                    "<div class=\"terms\"><strong>\(escape(labels.terms + version)):</strong><ul>\(items.joined())</ul></div>")
            }
        } else if let sentence = line.sentence {
            out.append("<p class=\"sentence\">\(escape(sentence))</p>")
        }
        if !line.sources.isEmpty {
            out.append("<div class=\"sources\"><strong>\(escape(labels.sources)):</strong>")
            out.append("<ul>" + line.sources.map { "<li>\(escape($0))</li>" }.joined() + "</ul></div>")
        }
        if let contact = line.contact {
            out.append("<p class=\"contact\"><strong>\(escape(labels.contact)):</strong> \(escape(contact))</p>")
        }
        if let editor = line.editedBy {
            out.append("<p class=\"edited\">\(escape(TranscriptLabels.fill(labels.editedByLine, ["name": editor])))</p>")
        }
        for note in line.notes { self.note(note, labels: labels, showSeq: false, into: &out) }
        out.append("</li>")
    }

    /// `text` escaped, each glossary term wrapped in `<mark title="approved form">`.
    static func marked(_ text: String, terms: [TranscriptTerm]) -> String {
        guard !terms.isEmpty else { return escape(text) }
        let units = Array(text.utf16)
        var out = ""
        var position = 0
        for term in terms.sorted(by: { $0.start < $1.start })
        where term.start >= position && term.end <= units.count && term.start < term.end {
            out += escape(String(decoding: units[position..<term.start], as: UTF16.self))
            out += "<mark class=\"term\" title=\"\(escape(term.translation))\" data-concept=\"\(escape(term.concept))\">"
            out += escape(String(decoding: units[term.start..<term.end], as: UTF16.self)) + "</mark>"
            position = term.end
        }
        out += escape(String(decoding: units[position...], as: UTF16.self))
        return out
    }

    private static func note(
        _ note: TranscriptLayout.NoteLine, labels: TranscriptLabels, showSeq: Bool, into out: inout [String]
    ) {
        let seq = showSeq ? "<span class=\"seq\">#\(note.seq)</span> " : ""
        out.append(
            "<aside class=\"note\">\(seq)<strong>\(escape(labels.note))</strong> "
                + "(\(escape(note.author)), \(escape(note.when))): \(escape(note.text))</aside>")
    }

    private static func table(_ rows: [TranscriptLayout.Row], className: String, into out: inout [String]) {
        out.append("<table class=\"\(className)\"><tbody>")
        for row in rows {
            let values = row.values.map { row.isCode ? "<code>\(escape($0))</code>" : escape($0) }
            let cell = values.count == 1 ? values[0] : "<ul>" + values.map { "<li>\($0)</li>" }.joined() + "</ul>"
            out.append("<tr><th scope=\"row\">\(escape(row.label))</th><td>\(cell)</td></tr>")
        }
        out.append("</tbody></table>")
    }

    /// `text` safe in element content and in double- or single-quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // Control characters other than tab, newline and carriage return are not allowed in HTML text.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{7F}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
