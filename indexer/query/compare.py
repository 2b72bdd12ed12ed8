"""Compare two reports paragraph by paragraph: same, changed, moved, added, removed.

Paragraphs are matched on their normalized text (:func:`indexer.normalize.normalize`), so a
Traditional report compared with its Simplified twin is all ``same``, while diffs show each
side as written. Matching is by similarity, not by position:

1. paragraphs whose normalized texts are equal are paired first, the k-th copy in ``a`` with
   the k-th copy in ``b``;
2. the rest are paired by the Dice coefficient of their character-bigram sets (at least
   :data:`MIN_SIMILARITY`), best pairs first. Candidates come from an index of each report's
   paragraphs by their rarer bigrams, so a paragraph is scored against the few paragraphs
   of the other report that share something distinctive with it, never against all of them;
3. of the pairs, the longest run that keeps the reading order of both reports (a longest
   increasing subsequence) is ``same`` or ``changed``; every other pair was ``moved``.

The pairs come out in the reading order of ``b``; a removed paragraph stands right after the
pair of the nearest paragraph before it in ``a`` that kept its place.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from indexer.model import Paragraph, Report
from indexer.normalize import normalize
from indexer.query.textdiff import diff_html

MIN_SIMILARITY = 0.5  # Dice over bigram sets; below it two paragraphs are different ones
STATUSES = ("same", "changed", "moved", "added", "removed")
_CANDIDATES = 8  # paragraphs scored exactly per unmatched paragraph
_RARE_SHARE = 0.05  # a bigram in more than this share of paragraphs does not propose candidates


@dataclass(frozen=True)
class Pair:
    """One row of a comparison: a paragraph of ``a``, of ``b``, or one of each."""

    status: str  # one of STATUSES
    a: int | None  # index into a's paragraphs
    b: int | None  # index into b's paragraphs
    section_path: tuple[str, ...]
    diff: str | None = None  # <ins>/<del> HTML when the texts differ


@dataclass(frozen=True)
class Comparison:
    """Two reports aligned: pairs in b's reading order and how many of each status."""

    a: Report
    b: Report
    pairs: tuple[Pair, ...]
    summary: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The JSON API's shape: paragraph ids, not indexes."""
        return {
            "a": report_meta(self.a),
            "b": report_meta(self.b),
            "pairs": [
                {
                    "status": p.status,
                    "a": None if p.a is None else self.a.paragraphs[p.a].id,
                    "b": None if p.b is None else self.b.paragraphs[p.b].id,
                    "section_path": list(p.section_path),
                    "diff": p.diff,
                }
                for p in self.pairs
            ],
            "summary": dict(self.summary),
        }


def report_meta(report: Report) -> dict:
    """What a comparison says about each report."""
    m = report.meta
    return {"id": report.id, "title": m.title, "region": m.region, "year": m.year,
            "kind": m.kind, "level": m.level, "paragraphs": len(report.paragraphs),
            "url": f"/reports/{report.id}"}  # fmt: skip


def compare(a: Report, b: Report, script: str = "orig") -> Comparison:
    """Align ``a`` with ``b``; diffs show the text as written, or converted to ``script``."""
    norm_a = [normalize(p.text) for p in a.paragraphs]
    norm_b = [normalize(p.text) for p in b.paragraphs]
    matches = match_paragraphs(norm_a, norm_b)
    kept = set(in_order(sorted(matches.items(), key=lambda ab: ab[1])))
    pairs = []
    for i, j in matches.items():
        pa, pb = a.paragraphs[i], b.paragraphs[j]
        if norm_a[i] == norm_b[j]:
            status, diff = ("same" if i in kept else "moved"), None
        else:
            status = "changed" if i in kept else "moved"
            diff = diff_html(pa.text, pb.text, script)
        pairs.append(Pair(status, i, j, pb.section_path, diff))
    added = _unmatched(b.paragraphs, set(matches.values()))
    pairs += [Pair("added", None, j, p.section_path) for j, p in added]
    removed = [Pair("removed", i, None, p.section_path)
               for i, p in _unmatched(a.paragraphs, set(matches))]  # fmt: skip
    ordered = reading_order(pairs, removed, kept)
    summary = {s: 0 for s in STATUSES}
    summary.update(Counter(p.status for p in ordered))
    return Comparison(a, b, tuple(ordered), summary)


def _unmatched(paragraphs: tuple[Paragraph, ...], used: set[int]) -> list[tuple[int, Paragraph]]:
    return [(k, p) for k, p in enumerate(paragraphs) if k not in used]


def match_paragraphs(norm_a: list[str], norm_b: list[str]) -> dict[int, int]:
    """Index in a -> index in b: equal texts first, then the most similar pairs."""
    matches: dict[int, int] = {}
    copies: dict[str, list[int]] = defaultdict(list)
    for j, text in enumerate(norm_b):
        copies[text].append(j)
    for i, text in enumerate(norm_a):
        if copies.get(text):
            matches[i] = copies[text].pop(0)
    rest_a = [i for i in range(len(norm_a)) if i not in matches]
    taken = set(matches.values())
    rest_b = [j for j in range(len(norm_b)) if j not in taken]
    for i, j in similar_pairs(norm_a, norm_b, rest_a, rest_b):
        matches[i] = j
    return matches


def bigrams(text: str) -> frozenset[str]:
    """The text's character bigrams, spaces left out (a one-character text is its own gram)."""
    text = text.replace(" ", "")
    return frozenset(text[k : k + 2] for k in range(len(text) - 1)) or frozenset(text)


def similar_pairs(norm_a, norm_b, rest_a: list[int], rest_b: list[int]) -> list[tuple[int, int]]:
    """Greedy one-to-one pairs of similar paragraphs, most similar first.

    Candidates are looked up in both directions and ties are broken by keys that do not
    depend on which report is ``a``, so swapping the reports gives the same pairs.
    """
    grams_a = {i: bigrams(norm_a[i]) for i in rest_a}
    grams_b = {j: bigrams(norm_b[j]) for j in rest_b}
    candidates = {(i, j) for i, j in _candidates(grams_a, grams_b)}
    candidates |= {(i, j) for j, i in _candidates(grams_b, grams_a)}
    scored = []
    for i, j in candidates:
        score = 2 * len(grams_a[i] & grams_b[j]) / (len(grams_a[i]) + len(grams_b[j]))
        if score >= MIN_SIMILARITY:
            first, last = sorted((norm_a[i], norm_b[j]))
            scored.append((-score, i + j, abs(i - j), first, last, i, j))
    pairs, used_a, used_b = [], set(), set()
    for *_, i, j in sorted(scored):
        if i not in used_a and j not in used_b:
            pairs.append((i, j))
            used_a.add(i)
            used_b.add(j)
    return pairs


def _candidates(mine: dict[int, frozenset[str]], theirs: dict[int, frozenset[str]]):
    """(mine, theirs) index pairs sharing the most rarer bigrams, a few per paragraph of mine."""
    postings: dict[str, list[int]] = defaultdict(list)
    for j, grams in theirs.items():
        for g in grams:
            postings[g].append(j)
    common = max(4, int(_RARE_SHARE * len(theirs)))
    for i, grams in mine.items():
        votes = Counter(j for g in grams if len(postings.get(g, ())) <= common
                        for j in postings[g])  # fmt: skip
        for j, _ in votes.most_common(_CANDIDATES):
            yield i, j


def in_order(pairs: list[tuple[int, int]]) -> list[int]:
    """The a-indexes of a longest run of ``pairs`` (sorted by b) that is increasing in a."""
    tails: list[int] = []  # tails[k]: smallest a-index ending an increasing run of k + 1
    tail_at: list[int] = []  # position in pairs of that tail
    previous = [-1] * len(pairs)
    for pos, (i, _j) in enumerate(pairs):
        k = bisect_left(tails, i)
        if k == len(tails):
            tails.append(i)
            tail_at.append(pos)
        else:
            tails[k], tail_at[k] = i, pos
        previous[pos] = tail_at[k - 1] if k else -1
    out, pos = [], tail_at[-1] if tail_at else -1
    while pos != -1:
        out.append(pairs[pos][0])
        pos = previous[pos]
    return out[::-1]


def reading_order(pairs: list[Pair], removed: list[Pair], kept: set[int]) -> list[Pair]:
    """Pairs in b's order; each removed one after the kept pair that preceded it in a."""
    by_b = sorted(pairs, key=lambda p: p.b)
    anchors = sorted(p.a for p in pairs if p.a in kept)
    after: dict[int | None, list[Pair]] = defaultdict(list)
    for pair in sorted(removed, key=lambda p: p.a):
        k = bisect_left(anchors, pair.a)
        after[anchors[k - 1] if k else None].append(pair)
    out = list(after[None])
    for pair in by_b:
        out.append(pair)
        if pair.a in kept:
            out.extend(after[pair.a])
    return out
