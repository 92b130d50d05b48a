"""How a seed-fact spelling is looked for in a fact sheet (test_seed_facts.py, pack_families.py).

Both sides are folded (`fold`): NFC, đ/Đ to d, diacritics stripped, case folded, typographic
apostrophes and dashes made plain, runs of whitespace (including no-break spaces) collapsed to
one space and spaces before "%" removed. So "16,7 tỷ" matches "16,7 ty", "32.09 %" matches
"32.09%", "Nguyễn Mạnh Cường" matches "Nguyen Manh Cuong".

A spelling is then found (`contains_spelling`) as a whole word on each side that begins or
ends with a Latin letter or a digit: no letter or digit of any script may touch it there, so
"tivi" is not found in "competitivite", "smes" not in "mecanismes", "14%" not in "114%". A
CJK, kana or Hangul character next to it counts as a boundary ("DDCIのデジタル化" holds
"DDCI"), and a side that is CJK, kana, Hangul or punctuation is not checked, so CJK and
Hangul spellings are plain substring matches.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CHAR_MAP = str.maketrans({
    "đ": "d", "Đ": "D",
    "\u2019": "'", "\u2018": "'", "\u02bc": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
})

# Han, kana and Hangul (syllables and the jamo that NFD leaves of them): word boundaries for
# Latin spellings, and never boundary-checked themselves.
_CJK_RANGES = (
    (0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x3000, 0x30FF), (0x3130, 0x318F), (0x31A0, 0x31FF),
    (0x3200, 0x4DBF), (0x4E00, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF), (0xF900, 0xFAFF),
    (0xFF65, 0xFFDC), (0x20000, 0x3134F),
)


@lru_cache(maxsize=None)
def fold(text: str) -> str:
    """Fold text for matching: accents and case away, punctuation and spacing made uniform."""
    text = unicodedata.normalize("NFC", text).translate(_CHAR_MAP)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    text = text.casefold()
    text = re.sub(r"\s+", " ", text)
    return re.sub(r" %", "%", text)


def _is_cjk(c: str) -> bool:
    code = ord(c)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _is_word(c: str) -> bool:
    """A letter or digit of any script other than CJK, kana and Hangul."""
    return c.isalnum() and not _is_cjk(c)


def _needs_boundary(c: str) -> bool:
    """Does a spelling that begins (or ends) with `c` have to stand at a word boundary there?"""
    return c.isdigit() or (c.isalpha() and "LATIN" in unicodedata.name(c, ""))


def contains_spelling(text: str, spelling: str) -> bool:
    """Is `spelling` in `text`, both folded, at word boundaries on its Latin or digit ends?"""
    text, spelling = fold(text), fold(spelling)
    if not spelling.strip():
        return False
    check_start, check_end = _needs_boundary(spelling[0]), _needs_boundary(spelling[-1])
    start = text.find(spelling)
    while start >= 0:
        end = start + len(spelling)
        if not (check_start and start > 0 and _is_word(text[start - 1])) and \
                not (check_end and end < len(text) and _is_word(text[end])):
            return True
        start = text.find(spelling, start + 1)
    return False
