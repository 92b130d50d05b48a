"""Every fact sheet family of the quang-ninh-ipa pack exists in vi, en, fr, ja, ko and zh,
with the same sections and blocks, and carries the same seed facts in every version
(pack_families.py says how)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pack_families  # noqa: E402


def test_every_family_has_six_aligned_versions_with_the_same_seed_facts():
    found = pack_families.families()
    assert len(found) >= 11, sorted(found)
    problems = [p for name in sorted(found) for p in pack_families.check(name, found[name])]
    assert not problems, "\n".join(problems)


def test_the_checker_catches_a_missing_block_and_a_missing_version(tmp_path, monkeypatch):
    family = "industrial-parks"
    for language, path in pack_families.families()[family].items():
        text = path.read_text(encoding="utf-8")
        if language == "ko":
            # Drop the last list item: the Korean version loses a block.
            lines = text.rstrip("\n").split("\n")
            last = max(i for i, line in enumerate(lines) if line.startswith("- "))
            text = "\n".join(lines[:last] + lines[last + 1:]) + "\n"
        if language != "zh":
            (tmp_path / path.name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(pack_families, "DOCUMENTS", tmp_path)
    problems = pack_families.check(family, pack_families.families()[family])
    assert any("no version in zh" in p for p in problems), problems
    assert any(f"{family}.ko.md: blocks differ" in p for p in problems), problems
