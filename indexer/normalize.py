"""Normalization for matching: NFKC, Traditional->Simplified (OpenCC), case folding.

Normalization is applied character by character, so that normalizing a substring gives a
substring of the normalized text. That property is what makes "the query, normalized, is a
substring of the paragraph, normalized" a sound definition of an exact match. It also keeps a
simple map from normalized offsets back to the text as written, which highlighting needs.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import opencc

_converter = opencc.OpenCC("t2s")


class _Table(dict):
    """Code point -> normalized string, filled on first sight by ``str.translate`` itself."""

    def __missing__(self, code: int) -> str:
        value = self[code] = normalize_char(chr(code))
        return value


_table = _Table()


def normalize_char(ch: str) -> str:
    """Normalize one character: NFKC, then Traditional->Simplified, then case-fold."""
    nfkc = unicodedata.normalize("NFKC", ch)
    out = []
    for c in nfkc:
        simplified = _converter.convert(c) if ord(c) >= 0x2E80 else c
        out.append(simplified.casefold())
    return "".join(out)


def normalize(text: str) -> str:
    """Return the normalized form of ``text`` (no offset map)."""
    return text.translate(_table)


@dataclass(frozen=True)
class Normalized:
    """Normalized text with a map back to the original.

    ``starts[i]`` is the index in the original of the character that produced normalized
    character ``i``; ``None`` means the map is the identity (the common case).
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


@functools.lru_cache(maxsize=4096)
def normalize_with_map(text: str) -> Normalized:
    """Normalize ``text`` and keep the offset map when lengths change."""
    norm = normalize(text)
    if len(norm) == len(text) and all(len(_table[ord(c)]) == 1 for c in set(text)):
        return Normalized(text, norm, None)
    starts: list[int] = []
    for i, ch in enumerate(text):
        starts.extend([i] * len(_table[ord(ch)]))
    return Normalized(text, norm, tuple(starts))
