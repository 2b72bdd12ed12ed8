"""Search-box suggestions from section headings and frequent words of the corpus."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from indexer.normalize import normalize

if TYPE_CHECKING:  # the engines import the query layer's plan
    from indexer.engines.base import Searcher

# Heading numbering (一、 （一） 1. （1）) is not something people type.
_NUMBERING = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、])\s*"
)


def _candidates(searcher: Searcher) -> tuple[tuple[str, str, int], ...]:
    """(normalized, shown, weight) for every heading and frequent word, most weighty first."""
    seen: dict[str, tuple[str, int]] = {}
    for heading, count in searcher.headings():
        shown = _NUMBERING.sub("", heading).rstrip("。")
        if 2 <= len(shown) <= 40:
            key = normalize(shown)
            first, total = seen.get(key, (shown, 0))
            seen[key] = (first, total + count)
    for word, count in searcher.frequent_words():
        if word not in seen or seen[word][1] < count:
            seen[word] = (word, count)
    ranked = sorted(seen.items(), key=lambda kv: (-kv[1][1], kv[0]))
    return tuple((key, shown, count) for key, (shown, count) in ranked)


def prepare(searcher: Searcher) -> None:
    """Compute the suggestion candidates now (a server does it while warming up)."""
    searcher.derived("suggestions", _candidates)


def suggest(searcher: Searcher, prefix: str, limit: int = 10) -> list[str]:
    """Headings and frequent phrases starting with (then containing) the typed text."""
    key = normalize(prefix.strip())
    if not key:
        return []
    starts, contains = [], []
    for norm, shown, _weight in searcher.derived("suggestions", _candidates):
        if norm == key:
            continue
        if norm.startswith(key):
            starts.append(shown)
        elif key in norm and len(contains) < limit:
            contains.append(shown)
        if len(starts) >= limit:
            break
    return (starts + contains)[:limit]
