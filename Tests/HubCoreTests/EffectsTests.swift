import Dialogue
import Testing

@testable import HubCore

/// Effects of this node's commits beyond delivery: the assistant's answer, carried
/// translations, the archive, machine translation into the readers' languages.
@Suite struct EffectsTests {
    static func kinds(_ effects: [HubAction<TestWork>]) -> [String] {
        effects.map { effect in
            switch effect {
            case .answer(let question): return "answer \(question.seq)"
            case .carryDraftTranslations(let answer): return "carry \(answer.seq)"
            case .archive(let session): return "archive \(session)"
            case .translate(let event, let targets, _): return "translate \(event.seq) \(targets)"
            default: return "?"
            }
        }
    }

    @Test func aQuestionIsAnsweredAndTranslatedIntoEveryOtherLanguage() {
        var (rig, _, investor) = DeliveryTests.meeting()
        let reader = rig.connect(5, as: Rig.investor2)  // reads French
        rig.frame(reader, .admit(after: 0))
        rig.settle()
        rig.effects = []
        let at = rig.now()
        let asked = rig.core.withState(of: Rig.session) { state in
            try? state.ask(by: Rig.investor, text: "What is the land rent?", clientId: "q1", language: "en", at: at)
        }
        guard case .append(let question)?? = asked else {
            Issue.record("no question decided")
            return
        }
        rig.perform(rig.core.acknowledge(.append(question), clientId: "q1", in: Rig.session, to: investor))
        rig.commit()
        // The session's languages (vi, en) and the readers' (vi, en, fr), but the text's own.
        #expect(Self.kinds(rig.effects) == ["answer \(question.seq)", "translate \(question.seq) [\"fr\", \"vi\"]"])
    }

    @Test func anAssistantSwitchedOffAnswersNothing() {
        var (rig, officer, investor) = DeliveryTests.meeting()
        let at = rig.now()
        rig.perform(rig.core.decideAndSubmit(Rig.session, for: officer) {
            try $0.setAssistantMode(by: Rig.officer, mode: "off", at: at)
        })
        rig.commit()
        rig.effects = []
        let asked = rig.core.withState(of: Rig.session) { state in
            try? state.ask(by: Rig.investor, text: "Anyone?", clientId: "q2", language: "en", at: at)
        }
        guard case .append(let question)?? = asked else {
            Issue.record("no question decided")
            return
        }
        rig.perform(rig.core.acknowledge(.append(question), clientId: "q2", in: Rig.session, to: investor))
        rig.commit()
        #expect(Self.kinds(rig.effects) == ["translate \(question.seq) [\"vi\"]"])
    }

    @Test func anEndIsArchivedAndAPhraseIsNotTranslated() {
        var (rig, officer, _) = DeliveryTests.meeting()
        let at = rig.now()
        let said = rig.core.withState(of: Rig.session) { state in
            try? state.say(
                by: Rig.officer, text: "Xin chào", clientId: "p1", language: "vi", citations: nil, at: at,
                extra: ["phrase": "hello", "phraseTexts": ["vi": "Xin chào", "en": "Hello"]])
        }
        guard case .append(let phrase)?? = said else {
            Issue.record("no phrase decided")
            return
        }
        rig.effects = []
        rig.perform(rig.core.acknowledge(.append(phrase), clientId: "p1", in: Rig.session, to: officer))
        rig.frame(officer, .end)
        rig.commit()
        #expect(Self.kinds(rig.effects) == ["archive \(Rig.session)"])
    }

    @Test func anotherNodesEventsHaveNoEffectsHere() {
        var rig = Rig(shared: true)
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        rig.effects = []
        rig.commitElsewhere(Rig.investor2)
        rig.commitElsewhere(Rig.investor2)
        rig.settle()
        #expect(rig.seqs(officer) == [1, 2, 3])
        #expect(rig.effects.isEmpty)
    }

    @Test func withoutATranslatorNoTextIsTranslated() {
        var rig = Rig(translates: false)
        let officer = rig.connect(1, as: Rig.officer)
        let reader = rig.connect(5, as: Rig.investor2)  // reads French: a target if translating
        rig.frame(officer, .join(after: 0))
        rig.settle()
        rig.frame(reader, .admit(after: 0))
        rig.settle()
        rig.effects = []
        rig.frame(officer, .say(clientId: "t1", text: "Xin chào"))
        rig.commit()
        #expect(rig.seqs(reader).last == Int64(rig.stored.count))
        #expect(Self.kinds(rig.effects).isEmpty)
    }

    @Test func aReaderWhoWentIsNoLongerATranslationTarget() {
        var (rig, officer, _) = DeliveryTests.meeting()
        let reader = rig.connect(5, as: Rig.investor2)  // reads French
        rig.frame(reader, .admit(after: 0))
        rig.settle()
        rig.frame(reader, .admit(after: Int64(rig.stored.count)))  // subscribed again: counted once
        rig.disconnect(reader)
        rig.settle()
        rig.effects = []
        rig.frame(officer, .say(clientId: "t2", text: "Xin chào"))
        rig.commit()
        #expect(Self.kinds(rig.effects) == ["translate \(rig.stored.count) [\"en\"]"])
    }
}
