"""How the Whoosh engine answers a plan: a planned scan of the in-memory paragraphs.

Only the most selective clause is searched in full (its rarest part per alternative, as the
index estimates it); every other condition is checked on those candidates. Ranking is BM25F
over the body and the section headings with the matched units (phrases, or words when relaxed)
as terms, plus an adjacency bonus; ties go to the newer report. A partial plan is searched
word by word (every paragraph holding one of its words, their units counted) and ranked by
the weighted share of its words, BM25 over them breaking near-ties.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import compress, repeat
from operator import add, ge, itemgetter, mul, sub, truediv

from indexer.engines.whoosh_search import REPORT_FACETS, SEPARATOR, WhooshSearcher
from indexer.query.plan import (
    FACETS,
    EngineResult,
    FilterClause,
    HitKey,
    Partial,
    Plan,
    partial_share,
    sentence_match,
    year_range,
)
from indexer.textmatch import contains as occurs
from indexer.textmatch import count as count_occurrences
from indexer.textmatch import has_edge_run, occurrences

K1, B = 1.2, 0.75
HEADING_WEIGHT = 3.0  # a match in a section heading counts this many body matches
PROXIMITY_CHARS = 12  # terms this close together earn an adjacency bonus
FACET_LIMIT = 500  # values per facet in a search() answer (facet_values() has no cut)
SAMPLE_STEP = 64  # one leading key in this many estimates the page's last (_leaders)
TIE_BREAK = 1e-5  # BM25's share of a partial plan's score: it only orders equal shares


def _report_passes(clause: FilterClause, view) -> bool:
    """True if a report passes one report-level filter clause."""
    meta = view.report.meta
    if clause.field == "region":
        hit = any(v in view.region_keys for v in clause.values)
    elif clause.field == "year":
        year = meta.year
        hit = year is not None and any(
            lo <= year <= hi for lo, hi in map(year_range, clause.values)
        )
    elif clause.field == "report":
        hit = view.report.id in clause.values
    elif clause.field == "kind":
        hit = meta.kind in clause.values
    else:  # level
        hit = view.level in clause.values
    return hit != clause.negated


def _path_passes(clause: FilterClause, path: str) -> bool:
    """True if a paragraph under the normalized section path passes one clause."""
    if clause.field == "section":
        hit = bool(path) and path.split(SEPARATOR, 1)[0] in clause.values
    else:  # heading
        hit = any(occurs(path, v) for v in clause.values)
    return hit != clause.negated


def _universe(s: WhooshSearcher, plan: Plan) -> list[int] | None:
    """The paragraphs of the reports that pass the report-level filters (None: all)."""
    clauses = [c for c in plan.filters if c.field not in ("section", "heading")]
    if not clauses:
        return None
    return [
        g
        for r, view in enumerate(s.views)
        if all(_report_passes(c, view) for c in clauses)
        for g in range(s.first[r], s.first[r] + len(view.norm_texts))
    ]


def _where(norms: list[str], hits: Iterable[int], part: str, present: bool = True) -> list[int]:
    """The hits where ``part`` occurs (or, with ``present=False``, does not occur)."""
    # Plain substring tests stay inline: they are the common Chinese case and the hot loop.
    if has_edge_run(part):
        return [g for g in hits if occurs(norms[g], part) is present]
    if present:
        return [g for g in hits if part in norms[g]]
    return [g for g in hits if part not in norms[g]]


def _either(norms: list[str], hits: list[int], clause) -> list[int]:
    """The hits where some alternative of ``clause`` has all its parts, in order."""
    keep: set[int] = set()
    for alt in clause:
        some = hits
        for part in alt:
            some = _where(norms, some, part)
        keep.update(some)
    return [g for g in hits if g in keep]


def _partial(s: WhooshSearcher, partial: Partial, universe: list[int] | None) -> list[int]:
    """Paragraphs whose partial words weigh enough units: each word searched once, counted."""
    weighed: Counter = Counter()
    for word, units in zip(partial.words, partial.units, strict=True):
        weighed.update(dict.fromkeys(
            s.find(word) if universe is None else _where(s.norms, universe, word), units))  # fmt: skip
    minimum = partial.minimum
    return sorted(g for g, units in weighed.items() if units >= minimum)


def _candidates(
    s: WhooshSearcher, plan: Plan, universe: list[int] | None, counts: dict | None = None
) -> list[int]:
    """Paragraphs where every clause has an alternative whose parts all occur."""
    norms, clauses = s.norms, plan.clauses
    done: set[str] = set()
    if plan.partial is not None:
        hits = _partial(s, plan.partial, universe)
    elif not clauses:
        return list(range(len(s))) if universe is None else universe
    else:
        driver = min(clauses, key=lambda c: sum(s.estimate(min(a, key=s.estimate)) for a in c))
        scanned = [min(alt, key=s.estimate) for alt in driver]
        found = [s.find(part, counts) if universe is None else _where(norms, universe, part)
                 for part in scanned]  # fmt: skip
        hits = found[0] if len(found) == 1 else sorted(set().union(*found))
        if len(driver) == 1:
            done = set(scanned)  # already known to occur in every hit
    for clause in clauses:
        if len(clause) == 1:
            for part in clause[0]:
                if part not in done:
                    hits = _where(norms, hits, part)
        else:
            hits = _either(norms, hits, clause)
    return hits


def matching(s: WhooshSearcher, plan: Plan, counts: dict | None = None) -> list[int]:
    """Every paragraph (global index) matching ``plan``, in collection order.

    ``counts`` collects the occurrences per paragraph of the terms counted while searching
    (see :meth:`WhooshSearcher.find`), for :func:`ranked`.
    """
    hits = _candidates(s, plan, _universe(s, plan), counts)
    for term in plan.excluded:
        hits = _where(s.norms, hits, term, present=False)
    in_paths = [c for c in plan.filters if c.field in ("section", "heading")]
    if in_paths:
        verdicts: dict[str, bool] = {}  # a whole section's paragraphs share their path
        kept = []
        for g in hits:
            path = s.paths[g]
            if path not in verdicts:
                verdicts[path] = all(_path_passes(c, path) for c in in_paths)
            if verdicts[path]:
                kept.append(g)
        hits = kept
    if plan.within == "sentence" and len(plan.clauses) > 1:
        hits = [g for g in hits if sentence_match(s.norms[g], plan.clauses)]
    return hits


def _parts(plan: Plan) -> list[str]:
    """The plan's positive parts in query order, without repeats (the ranking units)."""
    words = plan.partial.words if plan.partial is not None else ()
    return list(dict.fromkeys([*(p for c in plan.clauses for alt in c for p in alt), *words]))


def _partial_scores(s: WhooshSearcher, plan: Plan, hits: list[int], counts: dict) -> list[float]:
    """The weighted share of the partial words in each hit, BM25 breaking near-ties."""
    bm25 = _scores(s, hits, _parts(plan), counts)
    shares = (partial_share(s.norms[g], plan.partial) for g in hits)
    return [share + TIE_BREAK * b for share, b in zip(shares, bm25, strict=True)]


def _scores(s: WhooshSearcher, hits: list[int], parts: list[str], counts: dict) -> list[float]:
    """BM25F over the body and the headings, with the matched units as terms, plus adjacency.

    Every step is a ``map`` over the hits, so the arithmetic runs in C rather than in a
    Python loop per hit: this is the cost that grows with the hits of a common phrase. The
    operations are those of ``saturation * tf / (tf + floor + K1 * scale * length)`` in the
    same order, so the scores are the same floats; a hit without the part adds 0.0. A part
    found by counting (``counts``) is not counted again, and a part in no heading of the hits
    adds no heading term.
    """
    n = len(s)
    norms = s.norms
    needs_text = len(parts) > 1 or any(part not in counts for part in parts)
    texts = list(map(norms.__getitem__, hits)) if needs_text else []
    hit_paths = list(map(s.paths.__getitem__, hits))
    distinct_paths = set(hit_paths)
    length_terms = list(map(_length_terms(s).__getitem__, hits))
    floor = K1 * (1 - B)
    totals: list[float] | None = None
    for part in parts:
        df = s.estimate(part)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        tally = count_occurrences if has_edge_run(part) else str.count
        if part in counts:
            body = map(counts[part].__getitem__, hits)
        else:
            body = map(tally, texts, repeat(part))
        # Many paragraphs share a section path: count each distinct path once.
        in_heading = {path: HEADING_WEIGHT * tally(path, part) for path in distinct_paths}
        if any(in_heading.values()):
            tf = list(map(add, body, map(in_heading.__getitem__, hit_paths)))
        else:  # an int tf gives the same floats as tf + 0.0
            tf = list(body)
        denominators = map(add, map(add, tf, repeat(floor)), length_terms)
        weights = map(truediv, map(mul, repeat(idf * (K1 + 1)), tf), denominators)
        totals = list(weights) if totals is None else list(map(add, totals, weights))
    totals = totals if totals is not None else [0.0] * len(hits)
    if len(parts) > 1:
        locators = [(part, _first if has_edge_run(part) else str.find) for part in parts]
        totals = list(map(add, totals, map(_adjacency, texts, repeat(locators))))
    return totals


def _length_terms(s: WhooshSearcher) -> list[float]:
    """BM25's length term ``K1 * scale * length`` of every paragraph, once per searcher."""
    stretch = K1 * (B / s.avg_len)
    return s.derived("bm25_length_terms", lambda s: list(map(mul, repeat(stretch), s.lengths)))


def _first(text: str, part: str) -> int:
    """Offset of the first occurrence of ``part`` under the boundary rule, or -1."""
    return next(occurrences(text, part), -1)


def _adjacency(text: str, locators: list[tuple[str, Callable[[str, str], int]]]) -> float:
    """0.5 for each pair of consecutive first occurrences within PROXIMITY_CHARS."""
    positions = sorted(p for p in (find(text, part) for part, find in locators) if p >= 0)
    return 0.5 * sum(
        1 for a, b in zip(positions, positions[1:], strict=False) if b - a <= PROXIMITY_CHARS
    )


def ranked(
    s: WhooshSearcher, plan: Plan, hits: list[int], limit: int | None, counts: dict | None = None
) -> list[HitKey]:
    """The first ``limit`` hits (all if None) in the plan's order; ``counts`` as from
    :func:`matching`."""
    if not hits or limit == 0:
        return []
    if plan.partial is not None:
        scores = _partial_scores(s, plan, hits, counts or {})
    else:
        scores = _scores(s, hits, _parts(plan), counts or {})
    years, report_of = s.year_keys, s.report_of
    if plan.sort == "relevance":
        chosen = _leaders(scores, limit)
        keys = [(scores[i], years[report_of[hits[i]]], -hits[i], scores[i]) for i in chosen]
    else:
        sign = 1 if plan.sort == "year_desc" else -1
        leading = list(
            map(mul, repeat(sign), map(years.__getitem__, map(report_of.__getitem__, hits)))
        )
        keys = [(leading[i], scores[i], -hits[i], scores[i]) for i in _leaders(leading, limit)]
    ordered = sorted(keys, reverse=True) if limit is None else heapq.nlargest(limit, keys)
    return [_key(s, -k[2], k[3]) for k in ordered]


def _leaders(leading: list, limit: int | None) -> Iterable[int]:
    """Positions that may be among the first ``limit`` by ``leading`` (then by anything).

    Only positions whose leading key reaches the ``limit``-th largest can be among the first
    ``limit``, so the full sort keys are built for those (and their ties) alone. That value is
    looked for among the positions reaching the ``limit``-th largest of a sample, which is no
    larger, so that only a few positions are compared in Python.
    """
    if limit is None or limit >= len(leading):
        return range(len(leading))
    positions: Iterable[int] = range(len(leading))
    sample = leading[::SAMPLE_STEP]
    if len(sample) > limit:
        low = heapq.nlargest(limit, sample)[-1]
        positions = list(compress(positions, map(ge, leading, repeat(low))))
    threshold = heapq.nlargest(limit, map(leading.__getitem__, positions))[-1]
    return [i for i in positions if leading[i] >= threshold]


def _key(s: WhooshSearcher, g: int, score: float) -> HitKey:
    r = s.report_of[g]
    return HitKey(s.views[r].report.id, g - s.first[r], round(score, 4))


def facets(
    s: WhooshSearcher, hits: list[int], limit: int | None = FACET_LIMIT, names=FACETS
) -> dict:
    """Paragraph counts per facet value over ``hits`` (in collection order), for the facets
    ``names``: most first, ties by value."""
    counters: dict[str, dict[str, int]] = {}
    wanted = [(i, name) for i, name in enumerate(REPORT_FACETS) if name in names]
    if wanted:
        counters = {name: {} for _, name in wanted}
        for r, count in _per_report(s, hits):
            values = s.report_facets[r]
            for i, name in wanted:
                if value := values[i]:
                    counter = counters[name]
                    counter[value] = counter.get(value, 0) + count
    if "section" in names:
        sections = Counter(map(s.section_of.__getitem__, hits))
        sections.pop(-1, None)
        counters["section"] = {s.section_keys[k]: c for k, c in sections.items()}
    return {name: _top(counters[name], limit) for name in FACETS if name in counters}


def _per_report(s: WhooshSearcher, hits: list[int]) -> Iterable[tuple[int, int]]:
    """(report, hits in it) for every report with hits, found by bisection in ``hits``.

    A report's paragraphs are consecutive, so this costs a bisection per report with hits
    rather than a step per hit; when most reports have hits, every report's end is bisected
    in C at once.
    """
    if len(hits) > len(s.ends):
        ends = list(map(bisect_left, repeat(hits), s.ends))
        counts = list(map(sub, ends, [0, *ends[:-1]]))
        return compress(enumerate(counts), counts)
    out, i, n = [], 0, len(hits)
    while i < n:
        r = s.report_of[hits[i]]
        j = bisect_left(hits, s.ends[r], i)
        out.append((r, j - i))
        i = j
    return out


def _top(counter: dict[str, int], limit: int | None) -> tuple[tuple[str, int], ...]:
    # By value, then (stably) by count, most first: the order of the key (-count, value).
    ordered = sorted(sorted(counter.items()), key=itemgetter(1), reverse=True)
    return tuple(ordered if limit is None else ordered[:limit])


def search(s: WhooshSearcher, plan: Plan) -> EngineResult:
    """Total, facets over all hits, and the page."""
    counts = {} if plan.size and _worth_counting(plan) else None  # no page: no ranking
    hits = matching(s, plan, counts)
    page = ranked(s, plan, hits, plan.offset + plan.size, counts)[plan.offset :]
    return EngineResult(len(hits), facets(s, hits), tuple(page))


def iter_hits(s: WhooshSearcher, plan: Plan) -> Iterator[HitKey]:
    """Every hit in the plan's order."""
    counts = {} if _worth_counting(plan) else None
    yield from ranked(s, plan, matching(s, plan, counts), None, counts)


def _worth_counting(plan: Plan) -> bool:
    """True if counting a common term in every paragraph pays for itself in ranking.

    Counting costs a little more than testing; it pays when most of what is found is ranked,
    not when another clause or a heading or section filter then keeps a small part of it.
    """
    return len(plan.clauses) == 1 and not any(
        c.field in ("section", "heading") for c in plan.filters
    )
