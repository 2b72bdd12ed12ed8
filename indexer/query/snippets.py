"""Highlighted snippets from the text as written."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from indexer.normalize import normalize, normalize_with_map
from indexer.textmatch import occurrences

WINDOW = 140  # characters of context shown (within the 100–160 the UI is designed for)
LEAD = 24  # characters shown before the first match in the window


def match_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Spans of the original ``text`` where any normalized term occurs, merged, in order.

    Only occurrences that respect token boundaries (:mod:`indexer.textmatch`) are marked.
    """
    norm = normalize_with_map(text)
    spans = [
        norm.to_original(i, i + len(term)) for term in terms for i in occurrences(norm.text, term)
    ]
    return _merge(sorted(spans))


def normalized_spans(norm: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Occurrences of any term in normalized ``norm``, in order; overlaps keep the first, longest."""
    found = sorted(
        ((i, i + len(t)) for t in dict.fromkeys(terms) for i in occurrences(norm, t)),
        key=lambda span: (span[0], -span[1]),
    )
    out: list[tuple[int, int]] = []
    for start, end in found:
        if not out or start >= out[-1][1]:
            out.append((start, end))
    return out


def occurrence_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Spans of the original ``text`` holding each occurrence of the normalized ``terms``."""
    norm = normalize_with_map(text)
    return [norm.to_original(s, e) for s, e in normalized_spans(norm.text, terms)]


def count_occurrences(text: str, terms: Iterable[str]) -> int:
    """How many occurrences :func:`occurrence_spans` finds, without mapping offsets back."""
    return len(normalized_spans(normalize(text), terms))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mark(text: str, spans: list[tuple[int, int]]) -> str:
    """Escape ``text`` and wrap each span in <mark>."""
    out, pos = [], 0
    for start, end in spans:
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def best_window(text: str, spans: list[tuple[int, int]], width: int = WINDOW) -> tuple[int, int]:
    """Choose the window of ``width`` characters that covers the most matched characters.

    ``spans`` are sorted and disjoint. Candidate windows start a little before each span;
    their starts never decrease, so two pointers keep this linear in the number of spans.
    """
    if len(text) <= width or not spans:
        return 0, min(len(text), width)
    prefix = [0]
    for s, e in spans:
        prefix.append(prefix[-1] + e - s)
    best, best_cover = 0, -1
    lo = hi = 0
    for anchor, _ in spans:
        start = max(0, min(anchor - LEAD, len(text) - width))
        end = start + width
        while lo < len(spans) and spans[lo][1] <= start:
            lo += 1
        hi = max(hi, lo)
        while hi < len(spans) and spans[hi][0] < end:
            hi += 1
        if lo >= hi:
            continue
        cover = prefix[hi] - prefix[lo]
        cover -= max(0, start - spans[lo][0]) + max(0, spans[hi - 1][1] - end)
        if cover > best_cover:
            best, best_cover = start, cover
    return best, best + width


def snippet(text: str, terms: Iterable[str], width: int = WINDOW) -> str:
    """An HTML snippet of ``text`` around the matches of ``terms``; only <mark> tags."""
    spans = match_spans(text, terms)
    start, end = best_window(text, spans, width)
    # Never cut through a match: widen the window to whole occurrences.
    for s, e in spans:
        if s < start < e:
            start = s
        if s < end < e:
            end = e
    inside = [
        (max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start
    ]
    body = mark(text[start:end], inside)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
