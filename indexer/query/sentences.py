"""Same-sentence matching: sentences end at 。！？； (and their ASCII forms)."""

from __future__ import annotations

import re

from indexer.normalize import normalize
from indexer.textmatch import contains

_END = re.compile(r"(?<=[。！？；!?;])")


def split(text: str) -> list[str]:
    """Split text into sentences, each keeping its closing mark."""
    return [s for s in _END.split(text) if s]


def best_sentence(text: str, parts: list[str]) -> str:
    """The sentence of ``text`` (as written) holding the most distinct matched parts."""
    pieces = split(text) or [text]
    return max(pieces, key=lambda s: sum(contains(normalize(s), p) for p in parts))
