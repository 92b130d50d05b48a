"""Retrieval over the agent packs (issue 5): `/v1/search`, the index kept up to date by
`serve`, `dialogue-server index`.

The answer-quality evaluation (90 questions, recall@5 per language) runs in the Swift
tests (Tests/RetrievalTests); here the HTTP surface and the index's life cycle are checked.
"""

from __future__ import annotations

import shutil
import unicodedata
import urllib.parse
from pathlib import Path

from harness import AGENTS, AGENT_ID, assert_http_error, cli


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def search(srv, token, **params):
    return srv.http("GET", "/v1/search?" + urllib.parse.urlencode(params), token)


def test_search_answers_across_languages(server):
    st, js, _ = search(server, server.officer_token, q="クアンニン省の2025年のFDI誘致目標はいくらですか？", lang="ja")
    assert st == 200, js
    results = js["results"]
    assert 1 <= len(results) <= 5
    for r in results:
        assert set(r) >= {"document", "title", "passage", "language", "score", "source"}
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    # Every fact sheet exists in Japanese: the Japanese version holds the figure.
    assert any(r["language"] == "ja" and "12億5000万" in r["passage"] for r in results), results
    # Restricted to the other languages, the question still reaches the fact across them.
    for doc_lang in ("vi", "en", "fr"):
        st, js, _ = search(server, server.officer_token, q="クアンニン省の2025年のFDI誘致目標はいくらですか？",
                           lang="ja", docLang=doc_lang)
        assert st == 200 and js["results"], (doc_lang, js)
        assert all(r["language"] == doc_lang for r in js["results"])
        assert any("1,25" in r["passage"] or "1.25" in r["passage"] for r in js["results"]), (doc_lang, js)
    # Reviewers search too; k and docLang are honoured.
    st, js, _ = search(server, server.reviewer_token, q="khu công nghiệp Đông Mai", k=2, docLang="fr")
    assert st == 200 and len(js["results"]) <= 2
    assert all(r["language"] == "fr" for r in js["results"])
    assert any("dong mai" in fold(r["passage"]) for r in js["results"])


def test_search_without_diacritics_and_numbers_kept_whole(server):
    st, js, _ = search(server, server.officer_token, q="thanh cong viet hung skoda kushaq", lang="vi")
    assert st == 200
    assert any("kushaq" in fold(r["passage"]) for r in js["results"])
    st, js, _ = search(server, server.officer_token, q="32,09", lang="fr")
    assert st == 200 and js["results"]
    assert all("32,09" in r["passage"] or "32.09" in r["passage"] for r in js["results"][:1])


def test_search_refuses_bad_parameters_and_roles(server):
    tok = server.officer_token
    for params, code in (({}, 400), ({"q": "   "}, 400), ({"q": "x", "k": "0"}, 400), ({"q": "x", "k": "51"}, 400),
                         ({"q": "x", "lang": "not a tag"}, 400), ({"q": "x", "docLang": "??"}, 400),
                         ({"q": "x", "expand": "maybe"}, 400), ({"q": "x", "agent": "nobody"}, 404)):
        st, js, _ = search(server, tok, **params)
        assert_http_error(st, js, code, "bad_request" if code == 400 else "not_found")
    st, js, _ = search(server, None, q="port")
    assert_http_error(st, js, 401, "unauthorized")
    s = server.create_session()
    inv = server.create_invite(s["id"])
    st, js, _ = search(server, inv["code"], q="port")
    assert st in (401, 403)


def test_serve_reindexes_a_changed_pack_and_the_index_command(server_factory, tmp_path):
    agents = tmp_path / "agents"
    shutil.copytree(AGENTS, agents)
    srv = server_factory("--agents", str(agents))
    st, js, _ = search(srv, srv.officer_token, q="zebrafish hatchery")
    assert st == 200 and not any("zebrafish" in r["passage"] for r in js["results"])
    srv.stop()
    doc = agents / AGENT_ID / "documents" / "aquaculture-note.en.md"
    doc.write_text("---\ntitle: Aquaculture note\nlanguage: en\nsource: test\ndate: 2025\n---\n"
                   "A zebrafish hatchery opened in Đầm Hà in 2025. It employs 40 people.\n", encoding="utf-8")
    srv.start()
    st, js, _ = search(srv, srv.officer_token, q="zebrafish hatchery")
    assert st == 200 and js["results"][0]["document"] == "aquaculture-note.en", js
    assert js["results"][0]["title"] == "Aquaculture note" and js["results"][0]["source"] == "test"
    srv.stop()
    p = cli("index", "--agents", str(agents), "--data", str(srv.data))
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"{AGENT_ID}: ") and "passages" in p.stdout
    assert (Path(srv.data) / "index.sqlite").exists()
    bad = tmp_path / "bad-agents"
    shutil.copytree(agents, bad)
    (bad / AGENT_ID / "documents" / "broken.en.md").write_text("no front matter\n", encoding="utf-8")
    p = cli("index", "--agents", str(bad), "--data", str(tmp_path / "other"))
    assert p.returncode == 1 and "broken.en.md:1:" in p.stderr


def test_packs_reload_while_serving(server_factory, tmp_path):
    import time
    agents = tmp_path / "agents"
    shutil.copytree(AGENTS, agents)
    srv = server_factory("--agents", str(agents))
    doc = agents / AGENT_ID / "documents" / "hatchery.en.md"
    doc.write_text("---\ntitle: Hatchery note\nlanguage: en\nsource: test\ndate: 2025\n---\n"
                   "A sturgeon hatchery opened in Hải Hà in 2025.\n", encoding="utf-8")
    deadline = time.monotonic() + 20
    found = False
    while time.monotonic() < deadline and not found:
        st, js, _ = search(srv, srv.officer_token, q="sturgeon hatchery")
        found = st == 200 and any(r["document"] == "hatchery.en" for r in js["results"])
        time.sleep(0.5)
    assert found, "a document added while serving is searchable without a restart"
    # A pack edited into an invalid state is reported with file and line; the server goes on.
    manifest = agents / AGENT_ID / "agent.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"version": 1,', '"version": 1,,', 1),
                        encoding="utf-8")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "do not validate" not in srv.stderr_text():
        time.sleep(0.5)
    assert "do not validate" in srv.stderr_text() and "agent.json:" in srv.stderr_text()
    st, js, _ = search(srv, srv.officer_token, q="sturgeon hatchery")
    assert st == 200 and js["results"]
