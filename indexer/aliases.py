"""Citations that hold: old paragraph ids of a re-indexed report point at the new version.

A paragraph's id is a hash of its text, so an edited paragraph gets a new id and links to the
old one would land nowhere. When a report is indexed again, every id of the previous version
that is gone (and every alias the previous version carried) becomes an alias of the most
similar paragraph of the new version: character-bigram Jaccard similarity over the normalized
text, at least ``MIN_SIMILARITY``. Aliases accumulate across versions; an id that exists in
the new version is never an alias.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexer.model import Paragraph, Report
from indexer.normalize import normalize

MIN_SIMILARITY = 0.5  # a paragraph rewritten beyond this is a different paragraph


def carry_aliases(
    old: Report, new: Report, min_similarity: float = MIN_SIMILARITY
) -> dict[str, str]:
    """Return old id -> id in ``new`` for the ids of ``old`` (and its aliases) ``new`` lacks."""
    current = {p.id for p in new.paragraphs}
    old_ids = {p.id for p in old.paragraphs}
    grams = [_grams(p.text) for p in new.paragraphs]
    moved: dict[str, str] = {}
    for para in old.paragraphs:
        if para.id not in current:
            target = most_similar(para, new.paragraphs, grams, old_ids, min_similarity)
            if target is not None:
                moved[para.id] = target.id
    carried = {
        alias: target if target in current else moved[target]
        for alias, target in old.aliases.items()
        if alias not in current and (target in current or target in moved)
    }
    return {**carried, **moved}


def most_similar(
    para: Paragraph,
    candidates: Sequence[Paragraph],
    grams: Sequence[frozenset[str]],
    old_ids: set[str],
    min_similarity: float = MIN_SIMILARITY,
) -> Paragraph | None:
    """Return the candidate most like ``para`` (new ids first on ties, then nearest), or None."""
    mine = _grams(para.text)
    best: tuple[float, bool, int] | None = None
    found = None
    for candidate, theirs in zip(candidates, grams, strict=True):
        if not mine or not theirs:
            continue
        bound = min(len(mine), len(theirs)) / max(len(mine), len(theirs))
        if bound < min_similarity:
            continue  # even full overlap could not reach the minimum
        score = len(mine & theirs) / len(mine | theirs)
        key = (score, candidate.id not in old_ids, -abs(candidate.number - para.number))
        if score >= min_similarity and (best is None or key > best):
            best, found = key, candidate
    return found


def _grams(text: str) -> frozenset[str]:
    norm = re.sub(r"\s+", "", normalize(text))
    if len(norm) < 2:
        return frozenset(norm)
    return frozenset(norm[i : i + 2] for i in range(len(norm) - 1))
