"""Normalization for matching: folding, then whitespace that Chinese typesetting adds removed.

:func:`normalize` does two things to the text as written:

1. **Whitespace.** A *whitespace run* is a maximal run of characters for which
   ``str.isspace()`` is true (ASCII spaces, tabs, line breaks, U+3000 ideographic space,
   no-break spaces...). A run is *dropped* when the character just before it or just after
   it is CJK, and otherwise becomes one space, so ``联合检查 86 次`` reads ``联合检查86次``,
   ``2026 年`` reads ``2026年`` and ``Public   domain`` reads ``public domain``. At the start
   or end of the text the missing neighbour counts as not CJK.
2. **Folding** (:func:`fold`), character by character: NFKC (full-width letters and digits
   become ASCII), Traditional->Simplified (OpenCC), case folding.

A character is *CJK* if it lies in one of the Unicode blocks listed in :data:`CJK_BLOCKS`:
Han ideographs (the unified blocks, their extensions and compatibility blocks, radicals),
CJK Symbols and Punctuation (、。「」《》【】〔〕...), enclosed and compatibility CJK
characters, vertical and CJK compatibility forms, and Halfwidth and Fullwidth Forms
(，：；（）...) -- *unless* it folds to something with an ASCII letter or digit in it
(ＡＩ, ２０２６, ㎏, ㉑): those read as Latin tokens, so ``ＡＩ　ＰＭ`` reads ``ai pm`` as
``AI PM`` does. Dropping a run therefore never joins two Latin or number tokens. The decision is made on the text *as written*, before folding, because NFKC turns full-width
punctuation into ASCII: ``数据： 2025`` reads ``数据:2025`` while ``a, b`` keeps its space.
Punctuation shared with Western text (“ ” ‘ ’ — … ·) is not CJK.

Matching is "the normalized term occurs in the normalized paragraph"
(:mod:`indexer.textmatch`). That is sound because normalizing a substring that neither starts
nor ends with whitespace gives a substring of the normalized text: folding is per character,
and each whitespace run inside such a substring keeps both its neighbours. Query terms never
start or end with whitespace. :func:`normalize_with_map` keeps a map from normalized offsets
back to the text as written, which highlighting needs.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

import opencc

_converter = opencc.OpenCC("t2s")
_SPACE = re.compile(r"\s+")

CJK_BLOCKS: tuple[tuple[int, int], ...] = (
    (0x2E80, 0x2FDF),  # CJK Radicals Supplement, Kangxi Radicals
    (0x2FF0, 0x2FFF),  # Ideographic Description Characters
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0x31C0, 0x31EF),  # CJK Strokes
    (0x3200, 0x33FF),  # Enclosed CJK Letters and Months, CJK Compatibility
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFE10, 0xFE1F),  # Vertical Forms
    (0xFE30, 0xFE4F),  # CJK Compatibility Forms
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
    (0x20000, 0x3FFFF),  # Supplementary and Tertiary Ideographic Planes
)
_CJK_STARTS = [lo for lo, _ in CJK_BLOCKS]
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


class _Table(dict):
    """Code point -> folded string, filled on first sight by ``str.translate`` itself."""

    def __missing__(self, code: int) -> str:
        value = self[code] = normalize_char(chr(code))
        return value


_table = _Table()


def normalize_char(ch: str) -> str:
    """Fold one character: NFKC, then Traditional->Simplified, then case-fold."""
    nfkc = unicodedata.normalize("NFKC", ch)
    out = []
    for c in nfkc:
        simplified = _converter.convert(c) if ord(c) >= 0x2E80 else c
        out.append(simplified.casefold())
    return "".join(out)


def fold(text: str) -> str:
    """Fold ``text`` character by character, whitespace untouched (see :func:`normalize`)."""
    return text.translate(_table)


def is_cjk(ch: str) -> bool:
    """True if ``ch`` is in :data:`CJK_BLOCKS` and folds to no ASCII letter or digit."""
    code = ord(ch)
    i = bisect_right(_CJK_STARTS, code) - 1
    in_blocks = i >= 0 and code <= CJK_BLOCKS[i][1]
    return in_blocks and not any(c in _ASCII_ALNUM for c in _table[code])


def _keeps_space(text: str, start: int, end: int) -> bool:
    """True if the whitespace run ``text[start:end]`` becomes one space (no CJK beside it)."""
    before = start > 0 and is_cjk(text[start - 1])
    after = end < len(text) and is_cjk(text[end])
    return not (before or after)


def _squeeze(match: re.Match[str]) -> str:
    text = match.string
    return " " if _keeps_space(text, match.start(), match.end()) else ""


def normalize(text: str) -> str:
    """Return the normalized form of ``text`` (no offset map)."""
    return fold(_SPACE.sub(_squeeze, text))


@dataclass(frozen=True)
class Normalized:
    """Normalized text with a map back to the original.

    ``starts[i]`` is the index in the original of the character that produced normalized
    character ``i`` (for a space standing for a whitespace run, the run's first character);
    ``None`` means the map is the identity (the common case).
    """

    original: str
    text: str
    starts: tuple[int, ...] | None = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized span [start, end) to the smallest original span that produces it."""
        if self.starts is None:
            return start, end
        if start >= end:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        first = self.starts[start]
        last = self.starts[end - 1] + 1
        return first, last


def _fold_starts(text: str, lo: int, hi: int, starts: list[int]) -> None:
    """Append the original index of each character that folding ``text[lo:hi]`` produces."""
    for i in range(lo, hi):
        starts.extend([i] * len(_table[ord(text[i])]))


@functools.lru_cache(maxsize=4096)
def normalize_with_map(text: str) -> Normalized:
    """Normalize ``text`` and keep the offset map when offsets change."""
    norm = normalize(text)
    # Squeezing only shortens; so equal lengths with no expanding character mean identity.
    if len(norm) == len(text) and all(len(_table[ord(c)]) == 1 for c in set(text)):
        return Normalized(text, norm, None)
    starts: list[int] = []
    pos = 0
    for run in _SPACE.finditer(text):
        _fold_starts(text, pos, run.start(), starts)
        if _keeps_space(text, run.start(), run.end()):
            starts.append(run.start())
        pos = run.end()
    _fold_starts(text, pos, len(text), starts)
    return Normalized(text, norm, tuple(starts))
