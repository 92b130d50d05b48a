"""Every fact of the seed articles is carried by the quang-ninh-ipa document pack.

No server needed: reads Agents/quang-ninh-ipa/documents/*.md (all languages) and checks that
each SEED_FACTS entry (seed_facts.py) has at least one accepted spelling in some document,
both sides folded and Latin or digit ends matched at word boundaries (seed_matching.py).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed_facts import SEED_FACTS  # noqa: E402
from seed_matching import contains_spelling, fold  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = REPO / "Agents" / "quang-ninh-ipa" / "documents"

def load_documents() -> dict[str, str]:
    return {p.name: fold(p.read_text(encoding="utf-8")) for p in sorted(DOCUMENTS.glob("*.md"))}


def test_seed_facts_are_well_formed():
    assert len(SEED_FACTS) >= 70
    seen = set()
    for seed, description, spellings in SEED_FACTS:
        assert re.fullmatch(r"00[0-4]_[0-9a-f]{16}\.txt", seed), seed
        assert description.strip(), seed
        assert spellings and all(isinstance(s, str) and fold(s).strip() for s in spellings), description
        assert (seed, description) not in seen, f"duplicate entry: {seed} {description}"
        seen.add((seed, description))


def test_every_seed_fact_is_in_the_documents():
    docs = load_documents()
    assert docs, f"no documents found in {DOCUMENTS}"
    corpus = "\n".join(docs.values())
    missing = [
        f"{seed}: {description} (any of {spellings})"
        for seed, description, spellings in SEED_FACTS
        if not any(contains_spelling(corpus, s) for s in spellings)
    ]
    assert not missing, (
        f"{len(missing)} of {len(SEED_FACTS)} seed facts are in no document of {DOCUMENTS.relative_to(REPO)}:\n"
        + "\n".join(missing)
    )
