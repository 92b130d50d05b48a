import Dialogue
import Foundation
import FoundationXML
import Testing

@testable import Transcripts

@Suite struct TranscriptRenderingTests {
    let fixture = TranscriptFixture()

    @Test func markdownHoldsTheTranscript() throws {
        let document = try fixture.document()
        let md = MarkdownTranscript.render(document, language: nil)
        #expect(md.hasPrefix("# Transcript: Hội thảo đầu tư Vân Đồn\n"))
        #expect(md.contains("| Session | `ses_k3v9q2m4x7c1b8n5` |"))
        #expect(md.contains("| Ended | 2026-11-26 05:10:00 UTC |"))
        #expect(md.contains("Kenji \\<b\\>Sato\\</b\\> (investor, Sato & Partners, en)"))
        #expect(md.contains("- `#3` 04:42:30 UTC — **Trần Thu Hà** (officer) [vi]: Xin chào, chào mừng đến Vân Đồn."))
        #expect(md.contains("**Question:** What is the land lease term?\\\n  And the tax rate?"))
        #expect(md.contains("**Draft (staff only):** Draft: up to 50 years."))
        #expect(md.contains("**Answer:** Land lease terms run up to 50 years."))
        #expect(md.contains("_Sources:_ Investment Guide (https://example.org/guide)"))
        #expect(md.contains("_Contact:_ Investment Desk, desk, Quang Ninh IPA — tax details"))
        #expect(md.contains("_joined the session_"))
        #expect(md.contains("_muted Kenji \\<b\\>Sato\\</b\\>_"))
        #expect(md.contains("_question #4: answered_"))
        #expect(md.contains("_ended the session_"))
        // The note sits right under the event it annotates; the stray one goes to the end.
        let question = try #require(md.range(of: "**Question:**"))
        let note = try #require(
            md.range(of: "**Note** (Lê Minh, 2026-11-27 09:00:00 UTC): Follow up \\<with\\> the tax office"))
        let draft = try #require(md.range(of: "**Draft (staff only):**"))
        #expect(question.upperBound < note.lowerBound && note.upperBound < draft.lowerBound)
        #expect(md.contains("## Other notes\n\n- `#99` **Note**"))
        #expect(!md.contains("<script>"))
        #expect(md.contains("\\<script\\>alert('x')\\</script\\> & thanks"))
        #expect(md.contains(Hex.encode(document.head.chain)))
        #expect(md.contains(Base64.encode(document.head.signature)))
        #expect(md.contains(Base64.encode(document.head.publicKey)))
        #expect(
            md.contains(
                "dialogue-server transcript verify --file 2026-11-26_hoi-thao-dau-tu-van-don_ses_k3v9q2m4x7c1b8n5.json")
        )
    }

    @Test func markdownKeepsUserTextFromBecomingMarkup() {
        #expect(MarkdownTranscript.inline("a *b* [c](d) `e` | f") == "a \\*b\\* \\[c\\](d) \\`e\\` \\| f")
        #expect(MarkdownTranscript.inline("# title", atLineStart: true) == "\\# title")
        #expect(MarkdownTranscript.inline("12. item", atLineStart: true) == "12\\. item")
        #expect(MarkdownTranscript.inline("- item", atLineStart: false) == "- item")
    }

    @Test func markdownSpeaksTheAskedLanguage() throws {
        let document = try fixture.document()
        let vi = MarkdownTranscript.render(document, language: "vi")
        #expect(vi.hasPrefix("# Biên bản: "))
        #expect(vi.contains("**Câu hỏi:**") && vi.contains("_đã tham gia phiên_"))
        let fr = MarkdownTranscript.render(document, language: "fr-CA")
        #expect(fr.contains("| Statut | terminée |"))
        let ja = MarkdownTranscript.render(document, language: "ja")
        #expect(ja.contains("## 検証"))
        #expect(MarkdownTranscript.render(document, language: "ko").contains("**질문:**"))
        #expect(MarkdownTranscript.render(document, language: "zh-Hans").contains("## 对话记录"))
        #expect(
            MarkdownTranscript.render(document, language: "de") == MarkdownTranscript.render(document, language: "en"))
    }

    @Test func redactedTextIsNotShown() throws {
        var entries = fixture.entries
        entries[2] = entries[2].redacting()
        let document = try fixture.document(entries: entries)
        let md = MarkdownTranscript.render(document, language: "en")
        #expect(!md.contains("Xin chào"))
        #expect(md.contains("_(text redacted)_"))
        #expect(!HTMLTranscript.render(document, language: "en").contains("Xin chào"))
    }

    /// A phrase's text is the agency's phrasebook, not a machine's; an edited answer says
    /// who edited it, in every format and language.
    @Test func phrasebookTextsAndEditedAnswersSayWhereTheyComeFrom() throws {
        var entries = fixture.entries
        entries[2].translation = [
            "text": "Hello, welcome to Van Don.", "language": "en", "engine": "phrasebook", "glossaryOk": true,
        ]
        let answer = entries[5].event
        guard case .object(var body) = answer.body else { throw TranscriptError.unreadable("fixture answer") }
        body["edited"] = true
        body["editedBy"] = ["id": "stf_officer000000001", "name": "Trần Thu Hà", "role": "officer"]
        entries[5].event = try Event(body: .object(body))
        let document = try fixture.document(entries: entries)
        let md = MarkdownTranscript.render(document, language: "en")
        #expect(md.contains("_Standard phrase from the agency’s phrasebook (phrasebook):_ Hello, welcome to Van Don."))
        #expect(!md.contains("Machine translation (phrasebook)"))
        #expect(md.contains("_Edited by Trần Thu Hà before approval_"))
        #expect(MarkdownTranscript.render(document, language: "ja").contains("Trần Thu Hàが承認前に編集"))
        let html = HTMLTranscript.render(document, language: "vi")
        #expect(html.contains("Mẫu câu chuẩn của Ban"))
        #expect(html.contains("<p class=\"edited\">Đã được Trần Thu Hà chỉnh sửa trước khi duyệt</p>"))
    }

    @Test func htmlIsAStandaloneEscapedPage() throws {
        let document = try fixture.document()
        let html = HTMLTranscript.render(document, language: "vi")
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"vi\">"))
        #expect(html.contains("<meta charset=\"utf-8\" />"))
        #expect(html.contains("<style>"))
        #expect(html.contains("<title>Biên bản: Hội thảo đầu tư Vân Đồn</title>"))
        #expect(html.contains("Xin chào, chào mừng đến Vân Đồn."))
        #expect(html.contains("What is the land lease term?\nAnd the tax rate?"))
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; thanks"))
        #expect(html.contains("Kenji &lt;b&gt;Sato&lt;/b&gt;"))
        #expect(!html.contains("<b>"))
        #expect(html.contains("Follow up &lt;with&gt; the tax office"))
        #expect(html.contains("class=\"event kind-draft draft\""))
        #expect(html.contains(Hex.encode(document.head.chain)))
        #expect(html.contains("dialogue-server transcript verify --file"))
        #expect(html.hasSuffix("</html>\n"))
    }

    @Test func htmlIsWellFormed() throws {
        for language in ["en", "fr", "vi", "ja", "ko", "zh"] {
            let html = HTMLTranscript.render(try fixture.document(), language: language)
            let parser = XMLParser(data: Data(html.utf8))
            #expect(parser.parse(), "\(language): \(parser.parserError.map { "\($0)" } ?? "")")
        }
    }

    @Test func htmlEscapesEverything() {
        #expect(
            HTMLTranscript.escape("<a href=\"x\" title='y'>&</a>")
                == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;")
        #expect(HTMLTranscript.escape("a\u{0}b") == "a\u{FFFD}b")
    }
}
