"""Whole-message machine translation (issue 6, providers): events go out at once; each
translation follows as a `translation` frame for readers of its language, is stored, and
comes with the event in history. Glossary terms are protected and checked.

The provider here is `provider_standin.py`, an API-shaped stand-in (see its docstring for
pointing the server at a real LibreTranslate or llama.cpp/vLLM server)."""

from __future__ import annotations

import time

import pytest

from harness import investor, is_event, officer, run
from provider_standin import StandIn


@pytest.fixture
def standin():
    s = StandIn()
    yield s
    s.close()


def translation_for(ws, seq):
    found = [f for f in ws.frames if f.get("type") == "translation" and f.get("seq") == seq]
    return found[-1] if found else None


@pytest.mark.parametrize("kind", ["libretranslate", "openai"])
def test_translations_follow_events_with_the_glossary_kept(server_factory, standin, kind):
    srv = server_factory("--translator", f"{kind}:{standin.url}", "--translator-model", "test-model")
    s = srv.create_session("Translated", languages=["en", "ja", "ko"])
    ja_inv = srv.create_invite(s["id"], name="Sato", language="ja")

    async def go():
        off, _ = await officer(srv, join=s["id"])
        ja, _, _ = await investor(srv, ja_inv["code"], "ja")
        text = "Welcome to the industrial park in Van Don."
        t0 = time.monotonic()
        ack = await off.say(s["id"], text, language="en")
        ev = await ja.wait_for(is_event("message", seq=ack["seq"]))
        assert time.monotonic() - t0 < 2.0 and "translation" not in ev
        tr = await ja.until(lambda: translation_for(ja, ack["seq"]), timeout=15, what="the translation")
        assert tr["language"] == "ja" and tr["session"] == s["id"]
        assert tr["text"].startswith("[ja] ") and "工業団地" in tr["text"] and "ヴァンドン" in tr["text"], tr
        assert tr["glossaryOk"] is True
        assert tr["engine"] == ("libretranslate" if kind == "libretranslate" else "llm:test-model")
        # The Japanese reader is never sent the Korean one; a later reader gets its own in history.
        assert all(f.get("language") == "ja" for f in ja.frames if f.get("type") == "translation")
        ko_inv = srv.create_invite(s["id"], name="Kim", language="ko")
        await ja.until(lambda: len(standin.requests) >= 2 or None, timeout=10, what="both translations")
        ko, _, history = await investor(srv, ko_inv["code"], "ko")
        event = [e for e in history if e["seq"] == ack["seq"]][0]
        assert event["translation"]["language"] == "ko" and event["translation"]["text"].startswith("[ko] ")
        assert "산업단지" in event["translation"]["text"]
        for w in (off, ja, ko):
            await w.close()
    run(go())
    # Reviewers see the translation a reader was shown, beside the original, in transcripts.
    st, doc, _ = srv.http("GET", f"/v1/sessions/{s['id']}/transcript?format=json&lang=ja", srv.officer_token)
    message = [e for e in doc["events"] if e["kind"] == "message"][0]
    assert message["translation"]["language"] == "ja" and message["translation"]["text"].startswith("[ja] ")
    st, md, _ = srv.http("GET", f"/v1/sessions/{s['id']}/transcript?format=md&lang=ja", srv.officer_token)
    assert "機械翻訳" in md and "\\[ja\\] " in md, md[md.find("Welcome") - 300: md.find("Welcome") + 600]
    # Terms were sent to the provider as markers, not as words to translate.
    sent = [r["body"].get("q") or r["body"]["messages"][-1]["content"] for r in standin.requests]
    assert all("⟦1⟧" in t and "industrial park" not in t for t in sent), sent


def test_a_translation_that_breaks_the_glossary_is_flagged(server_factory, standin):
    standin.mode = "break"
    srv = server_factory("--translator", f"libretranslate:{standin.url}")
    s = srv.create_session("Broken glossary", languages=["en", "fr"])
    inv = srv.create_invite(s["id"], name="Dupont", language="fr")

    async def go():
        off, _ = await officer(srv, join=s["id"])
        fr, _, _ = await investor(srv, inv["code"], "fr")
        ack = await off.say(s["id"], "The industrial park has a seaport.", language="en")
        tr = await fr.until(lambda: translation_for(fr, ack["seq"]), timeout=15, what="the translation")
        assert tr["glossaryOk"] is False
        await off.close()
        await fr.close()
    run(go())


def test_a_failing_or_slow_provider_never_delays_the_dialogue(server_factory, standin):
    standin.mode = "fail"
    srv = server_factory("--translator", f"libretranslate:{standin.url}")
    s = srv.create_session("Provider down", languages=["en", "ja"])
    inv = srv.create_invite(s["id"], name="Sato", language="ja")

    async def go():
        off, _ = await officer(srv, join=s["id"])
        ja, _, _ = await investor(srv, inv["code"], "ja")
        for i in range(8):  # enough failures to open the circuit breaker
            t0 = time.monotonic()
            ack = await off.say(s["id"], f"Message {i} about the port", language="en")
            await ja.wait_for(is_event("message", seq=ack["seq"]))
            assert time.monotonic() - t0 < 1.5
        await ja.expect_none(lambda f: f.get("type") == "translation", duration=1.0)
        calls = len(standin.requests)
        assert calls < 16, "the circuit breaker stops calling a dead provider"
        await off.close()
        await ja.close()
    run(go())
    # Nothing waited on the provider, so its failures are told where an operator looks.
    status, metrics, _ = srv.http("GET", "/metrics")
    assert status == 200
    failed = [line for line in metrics.splitlines() if line.startswith('dialogue_provider_failures_total{provider="translator"}')]
    assert failed and int(failed[0].split()[-1]) >= 5, metrics
    log = srv.stderr_text()
    assert "translation request failed" in log and "HTTP status 500" in log, log[-2000:]
    assert "translation provider failing" in log, log[-2000:]


def test_a_slow_provider_delays_only_the_translation(server_factory, standin):
    standin.mode, standin.delay = "slow", 2.0
    srv = server_factory("--translator", f"libretranslate:{standin.url}")
    s = srv.create_session("Provider slow", languages=["en", "ja"])
    inv = srv.create_invite(s["id"], name="Sato", language="ja")

    async def go():
        off, _ = await officer(srv, join=s["id"])
        ja, _, _ = await investor(srv, inv["code"], "ja")
        t0 = time.monotonic()
        ack = await off.say(s["id"], "The seaport opens in 2026.", language="en")
        await ja.wait_for(is_event("message", seq=ack["seq"]))
        event_after = time.monotonic() - t0
        await ja.until(lambda: translation_for(ja, ack["seq"]), timeout=15, what="the translation")
        translation_after = time.monotonic() - t0
        assert event_after < 1.0 and translation_after >= 2.0, (event_after, translation_after)
        # Meanwhile the dialogue went on: another message is not held behind the translation.
        await off.close()
        await ja.close()
    run(go())


@pytest.mark.parametrize("answer_mode,engine", [("ok", "llm:test-llm"), ("invent", "extractive"), ("badcite", "extractive")])
def test_llm_answers_must_keep_to_the_cited_passages(server_factory, standin, answer_mode, engine):
    standin.answer_mode = answer_mode
    srv = server_factory("--llm", f"openai:{standin.url}", "--llm-model", "test-llm")
    s = srv.create_session("LLM answers", assistant="auto")
    inv = srv.create_invite(s["id"], name="Smith", language="en")

    async def go():
        ws, _, _ = await investor(srv, inv["code"], "en")
        ack = await ws.action({"type": "ask", "session": s["id"], "clientId": "q1",
                               "text": "How many FDI projects does Quang Ninh host, and from how many countries?"})
        answer = await ws.wait_for(is_event("answer", about=ack["seq"]), timeout=30)
        assert answer["engine"] == engine, answer
        assert answer["citations"]
        if engine.startswith("llm"):
            assert answer["text"].endswith("[1]")
            assert answer["text"][:-4].rstrip(".") in answer["citations"][0]["passage"]
        else:
            assert "99.5" not in answer["text"] and "[9]" not in answer["text"]
        await ws.close()
    run(go())
    assert any(r["body"]["messages"][0]["content"].startswith("You answer") for r in standin.requests)
