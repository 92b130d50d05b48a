"""The document families of the quang-ninh-ipa pack: six aligned language versions each.

A family is every `documents/<family>.<lang>.md`. Its versions must:
- exist in vi, en, fr, ja, ko and zh;
- have the same sections: one `# Title`, then `## Heading {#anchor}` sections whose anchors
  (ASCII, kebab-case) come in the same order in every version;
- have, in each section (and in the introduction before the first `##`), the same number of
  blocks in the same order: a block is a paragraph or a list item, so block N of one version
  is the same passage as block N of another (the assistant quotes the asker's version of the
  passage it found in another language: Sources/Retrieval/DocumentAlignment.swift);
- carry the same seed facts: a fact (seed_facts.py) found in any version of a family must be
  found in all six, through its listed spellings or those in seed_spellings/<family>.json
  (`{"fact description": {"ja": ["…"], …}}`, for wordings no listed spelling covers; only
  wordings that state that fact, never a phrase that merely contains the listed words).
  Spellings are matched as seed_matching.py says (folded; Latin or digit ends at word boundaries).

Run `python3 Tests/integration/pack_families.py [FAMILY…]` to see what a family still lacks.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed_facts import SEED_FACTS  # noqa: E402
from seed_matching import contains_spelling, fold  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = REPO / "Agents" / "quang-ninh-ipa" / "documents"
SPELLINGS = Path(__file__).resolve().parent / "seed_spellings"
LANGUAGES = ["vi", "en", "fr", "ja", "ko", "zh"]
ANCHORED = re.compile(r"^##\s+(.+?)\s*\{#([a-z0-9]+(?:-[a-z0-9]+)*)\}\s*$")


def families() -> dict[str, dict[str, Path]]:
    """Family name -> language -> file."""
    found: dict[str, dict[str, Path]] = {}
    for path in sorted(DOCUMENTS.glob("*.md")):
        family, _, language = path.stem.rpartition(".")
        found.setdefault(family, {})[language] = path
    return found


def outline(text: str) -> tuple[list[str], list[int], list[str]]:
    """(anchors, block counts per part, problems): part 0 is the introduction, then each section."""
    problems: list[str] = []
    body = text
    if text.startswith("---"):
        end = text.find("\n---", 3)
        body = text[end + 4:] if end >= 0 else text
    anchors: list[str] = []
    counts = [0]
    in_paragraph = False
    titles = 0
    for number, raw in enumerate(body.split("\n"), start=1):
        line = raw.strip()
        if not line:
            in_paragraph = False
            continue
        if line.startswith("#"):
            in_paragraph = False
            if line.startswith("# "):
                titles += 1
                continue
            match = ANCHORED.match(line)
            if not match:
                problems.append(f"body line {number}: a section heading is `## Heading {{#anchor}}` (no ###): {line[:60]}")
                continue
            anchors.append(match.group(2))
            counts.append(0)
            continue
        if line.startswith(("- ", "* ")) or re.match(r"^\d+[.)] ", line):
            counts[-1] += 1
            in_paragraph = False
            continue
        if line.startswith("|") or line.startswith("```"):
            problems.append(f"body line {number}: no tables or code blocks in fact sheets")
            continue
        if not in_paragraph:
            counts[-1] += 1
            in_paragraph = True
    if titles != 1:
        problems.append(f"{titles} `# Title` lines (one expected)")
    return anchors, counts, problems


def extra_spellings(family: str) -> dict[str, dict[str, list[str]]]:
    path = SPELLINGS / f"{family}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def check(family: str, versions: dict[str, Path]) -> list[str]:
    """What is wrong with one family, as readable lines (empty: all is well)."""
    problems: list[str] = []
    missing = [lang for lang in LANGUAGES if lang not in versions]
    if missing:
        problems.append(f"{family}: no version in {', '.join(missing)}")
    texts = {lang: path.read_text(encoding="utf-8") for lang, path in versions.items()}
    outlines = {lang: outline(text) for lang, text in texts.items()}
    for lang, (_, _, own) in outlines.items():
        problems += [f"{family}.{lang}.md: {p}" for p in own]
    reference = "en" if "en" in outlines else next(iter(outlines), None)
    if reference:
        anchors, counts, _ = outlines[reference]
        for lang, (other_anchors, other_counts, _) in outlines.items():
            if other_anchors != anchors:
                problems.append(f"{family}.{lang}.md: sections {other_anchors} differ from {reference}'s {anchors}")
            elif other_counts != counts:
                parts = ["introduction"] + anchors
                diff = [f"{parts[i]}: {other_counts[i]} blocks, {reference} {counts[i]}"
                        for i in range(len(counts)) if other_counts[i] != counts[i]]
                problems.append(f"{family}.{lang}.md: blocks differ from {reference}: " + "; ".join(diff))
    folded = {lang: fold(text) for lang, text in texts.items()}
    extra = extra_spellings(family)
    unknown = set(extra) - {description for _, description, _ in SEED_FACTS}
    if unknown:
        problems.append(f"seed_spellings/{family}.json names facts seed_facts.py does not list: {sorted(unknown)}")
    for _, description, spellings in SEED_FACTS:
        per_language = {
            lang: spellings + extra.get(description, {}).get(lang, []) for lang in folded
        }
        present = {lang for lang, text in folded.items()
                   if any(contains_spelling(text, s) for s in per_language[lang])}
        if present and present != set(folded):
            absent = sorted(set(folded) - present, key=LANGUAGES.index)
            problems.append(
                f"{family}: fact \"{description}\" is in {', '.join(sorted(present, key=LANGUAGES.index))} "
                f"but not found in {', '.join(absent)} (spellings {spellings}; if it is there in other words, add "
                f"those words to seed_spellings/{family}.json, never words that do not state this fact)")
    return problems


def main(argv: list[str]) -> int:
    found = families()
    names = argv or sorted(found)
    problems = [p for name in names for p in check(name, found.get(name, {}))]
    print("\n".join(problems) if problems else f"{len(names)} families aligned in {len(LANGUAGES)} languages")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
