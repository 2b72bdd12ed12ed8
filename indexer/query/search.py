"""Run a search: exact matching first, relaxed word matching as a fallback; rank; facet."""

from __future__ import annotations

import heapq
import math
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import repeat
from operator import add

from indexer import analysis
from indexer.query import sentences
from indexer.query.filters import (
    LEVELS,
    Filters,
    paragraph_matches,
    report_matches,
    resolve_filters,
)
from indexer.query.library import Corpus, Library
from indexer.query.parse import ParsedQuery, QueryError, Term, parse_query, without_spans
from indexer.query.request import Limits, SearchRequest
from indexer.query.results import ActiveFilter, FacetValue, Hit, ResultsPage, Suggestion
from indexer.query.snippets import snippet
from indexer.textmatch import contains as occurs
from indexer.textmatch import count as count_occurrences
from indexer.textmatch import has_edge_run, left_ok, occurrences, right_ok

K1, B = 1.2, 0.75
HEADING_WEIGHT = 3.0  # a match in a section heading counts this many body matches
PROXIMITY_CHARS = 12  # terms this close together earn an adjacency bonus
FACETS = ("section", "report", "region", "year", "level", "kind")


def _universe(corpus: Corpus, filters: Filters) -> list[int] | None:
    """The paragraphs of the reports that pass the report-level filters (None: all)."""
    clauses = filters.report_level
    if not clauses:
        return None
    return [
        g
        for r, view in enumerate(corpus.views)
        if all(report_matches(c, view.facts) for c in clauses)
        for g in range(corpus.first[r], corpus.first[r] + len(view.norm_texts))
    ]


def relaxed_clauses(parsed: ParsedQuery) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Each term becomes the tuple of its jieba words (all required), alternatives kept."""
    out = []
    for clause in parsed.clauses:
        out.append(tuple(tuple(w for w in whole_words(t.norm) if any(c.isalnum() for c in w))
                         or (t.norm,) for t in clause))  # fmt: skip
    return tuple(out)


def whole_words(norm: str) -> list[str]:
    """jieba words of ``norm``, rejoined where jieba cut inside a Latin or number token.

    A word cut out of a token (``v1.2`` out of ``v1.2.3``) could never occur on its own under
    the boundary rule, so the relaxed search would miss the very text the term came from.
    """
    spans: list[list[int]] = []
    for term in analysis.word_terms(norm):
        if spans and spans[-1][1] == term.start and not _is_cut(norm, term.start):
            spans[-1][1] = term.end
        else:
            spans.append([term.start, term.end])
    return [norm[a:b] for a, b in spans]


def _is_cut(text: str, i: int) -> bool:
    """True if a token may end at ``text[i - 1]`` and another start at ``text[i]``."""
    return right_ok(text, i, text[i - 1]) and left_ok(text, i, text[i])


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


def _matching(
    corpus: Corpus, clauses, excluded: tuple[Term, ...], cache: dict, universe: list[int] | None
) -> list[int]:
    """Paragraphs where every clause has an alternative whose parts all occur, none excluded.

    Only the most selective clause is searched in full (its rarest part per alternative, as
    the index estimates it); every other condition is checked on those candidates.
    """
    norms = corpus.norms
    if not clauses:
        hits = list(range(len(corpus))) if universe is None else universe
    else:
        driver = min(
            clauses, key=lambda c: sum(corpus.estimate(min(a, key=corpus.estimate)) for a in c)
        )
        found: set[int] = set()
        scanned = [min(alt, key=corpus.estimate) for alt in driver]
        for part in scanned:
            if universe is None:
                found.update(_scan(corpus, part, cache))
            else:
                found.update(_where(norms, universe, part))
        hits = sorted(found)
        done = set(scanned) if len(driver) == 1 else set()  # already known to occur in every hit
        for clause in clauses:
            if len(clause) == 1:
                for part in clause[0]:
                    if part not in done:
                        hits = _where(norms, hits, part)
            else:
                hits = _either(norms, hits, clause)
    for term in excluded:
        hits = _where(norms, hits, term.norm, present=False)
    return hits


def _scan(corpus: Corpus, part: str, cache: dict) -> set[int]:
    if part not in cache:
        cache[part] = set(corpus.find(part))
    return cache[part]


def _scores(corpus: Corpus, hits: list[int], parts: list[str], df: dict[str, int]) -> list[float]:
    """BM25F over the body and the headings, with the matched units as terms, plus adjacency."""
    n = len(corpus)
    norms, paths, lengths = corpus.norms, corpus.paths, corpus.lengths
    scale = B / corpus.avg_len
    totals = [0.0] * len(hits)
    for part in parts:
        idf = math.log(1 + (n - df[part] + 0.5) / (df[part] + 0.5))
        tally = count_occurrences if has_edge_run(part) else str.count
        in_heading: dict[str, float] = {}  # many paragraphs share a section path
        for path in map(paths.__getitem__, hits):
            if path not in in_heading:
                in_heading[path] = HEADING_WEIGHT * tally(path, part)
        body = map(tally, map(norms.__getitem__, hits), repeat(part))
        heading = map(in_heading.__getitem__, map(paths.__getitem__, hits))
        saturation, floor = idf * (K1 + 1), K1 * (1 - B)
        for i, (tf, length) in enumerate(
            zip(map(add, body, heading), map(lengths.__getitem__, hits), strict=True)
        ):
            if tf:
                totals[i] += saturation * tf / (tf + floor + K1 * scale * length)
    if len(parts) > 1:
        locators = [(part, _first if has_edge_run(part) else str.find) for part in parts]
        for i, g in enumerate(hits):
            totals[i] += _adjacency(norms[g], locators)
    return totals


def _first(text: str, part: str) -> int:
    """Offset of the first occurrence of ``part`` under the boundary rule, or -1."""
    return next(occurrences(text, part), -1)


def _adjacency(text: str, locators: list[tuple[str, Callable[[str, str], int]]]) -> float:
    """0.5 for each pair of consecutive first occurrences within PROXIMITY_CHARS."""
    positions = sorted(p for p in (find(text, part) for part, find in locators) if p >= 0)
    return 0.5 * sum(
        1 for a, b in zip(positions, positions[1:], strict=False) if b - a <= PROXIMITY_CHARS
    )


def _facets(corpus: Corpus, hits: list[int]) -> dict[str, tuple[FacetValue, ...]]:
    sections = Counter(map(corpus.section_of.__getitem__, hits))
    sections.pop(-1, None)
    reports = Counter(map(corpus.report_of.__getitem__, hits))
    regions: Counter = Counter()
    years: Counter = Counter()
    levels: Counter = Counter()
    kinds: Counter = Counter()
    for r, count in reports.items():
        for counter, value in ((regions, corpus.regions[r]), (years, corpus.years[r]),
                               (levels, corpus.levels[r]), (kinds, corpus.kinds[r])):  # fmt: skip
            if value or value == 0:
                counter[value] += count
    views = corpus.views
    return {
        "section": tuple(FacetValue(corpus.section_shown[k], c) for k, c in _top(sections, corpus.section_shown)),
        "report": tuple(FacetValue(views[r].report.id, c, views[r].report.meta.title)
                        for r, c in _top(reports, [v.report.id for v in views])),
        "region": tuple(FacetValue(k, c) for k, c in _top(regions)),
        "year": tuple(FacetValue(str(k), c) for k, c in sorted(years.items(), reverse=True)),
        "level": tuple(FacetValue(k, c, LEVELS.get(k, k)) for k, c in _top(levels)),
        "kind": tuple(FacetValue(k, c) for k, c in _top(kinds)),
    }  # fmt: skip


def _top(counter: Counter, names: list[str] | None = None) -> list:
    """Most frequent first; ties in name order (``names`` maps integer keys to names)."""
    name = (lambda k: names[k]) if names is not None else str  # noqa: E731
    return sorted(counter.items(), key=lambda kv: (-kv[1], name(kv[0])))


@dataclass
class Match:
    """All paragraphs matching a request (unranked), and how they were matched."""

    corpus: Corpus
    request: SearchRequest
    mode: str  # "exact" | "relaxed"
    hits: list[int]  # global paragraph indexes, in corpus order
    parts: list[str]  # the normalized strings that matched (terms, or words when relaxed)
    filters: tuple[ActiveFilter, ...]
    within: str
    cache: dict[str, set[int]]
    unfiltered_total: int | None = None  # set when only the filters left nothing


def match(library: Library | Corpus, request: SearchRequest, limits: Limits = Limits()) -> Match:
    """Find every paragraph matching ``request``: exact matches, or relaxed ones if none."""
    corpus = library.corpus() if isinstance(library, Library) else library
    parsed = parse_query(request.q)
    filters, active = resolve_filters(request, parsed, corpus.region_index)
    _check_terms(parsed, filters, limits)
    within = "sentence" if "sentence" in (request.within, parsed.within) else "paragraph"
    cache: dict[str, set[int]] = {}
    exact = tuple(tuple((t.norm,) for t in clause) for clause in parsed.clauses)
    mode, clauses, unfiltered = "exact", exact, None
    hits = _filtered(corpus, exact, parsed, filters, within, cache)
    if not hits and filters and parsed.clauses:
        # Did the text match, and only the filters leave nothing? Then say so; no fallback.
        unfiltered = len(_filtered(corpus, exact, parsed, Filters(), within, cache)) or None
    if not hits and not unfiltered and not parsed.has_quoted and parsed.clauses:
        relaxed = relaxed_clauses(parsed)  # jieba runs only when the exact search found nothing
        if relaxed != exact:
            mode, clauses = "relaxed", relaxed
            hits = _filtered(corpus, relaxed, parsed, filters, within, cache)
    # In query order, without repeats.
    parts = list(dict.fromkeys(p for clause in clauses for alt in clause for p in alt))
    return Match(corpus, request, mode, hits, parts, active, within, cache, unfiltered)


def _check_terms(parsed: ParsedQuery, filters: Filters, limits: Limits) -> None:
    """Refuse queries that are too big or that ask for nothing."""
    terms = sum(len(c) for c in parsed.clauses) + len(parsed.excluded)
    if terms > limits.max_terms:
        raise QueryError("too_many_terms", f"查询词太多了：最多 {limits.max_terms} 个。")
    if not parsed.clauses and not filters:
        if parsed.excluded:
            raise QueryError(
                "no_positive_term",
                "查询至少要有一个要查找的词：减号表示排除，需与要查找的词一起使用，"
                "如“营商环境 -优化”。",
            )
        raise QueryError("missing_query", "请输入要搜索的内容。")


def _filtered(corpus, clauses, parsed: ParsedQuery, filters: Filters, within: str, cache):
    hits = _matching(corpus, clauses, parsed.excluded, cache, _universe(corpus, filters))
    if filters.paragraph_level:
        hits = _in_sections(corpus, hits, filters)
    if within == "sentence" and len(clauses) > 1:
        hits = [g for g in hits if sentences.matching(corpus.norms[g], clauses)]
    return hits


def _in_sections(corpus: Corpus, hits: list[int], filters: Filters) -> list[int]:
    """The hits that pass the section and heading-word filters."""
    # Those filters read only the section path, which a whole section's paragraphs share.
    verdicts: dict[str, bool] = {}
    kept = []
    for g in hits:
        path = corpus.paths[g]
        if path not in verdicts:
            verdicts[path] = all(paragraph_matches(c, path) for c in filters.paragraph_level)
        if verdicts[path]:
            kept.append(g)
    return kept


def search(
    library: Library | Corpus, request: SearchRequest, limits: Limits = Limits()
) -> ResultsPage:
    """Answer ``request`` with one page of ranked hits, the total and facets over all hits."""
    started = time.perf_counter()
    m = match(library, request, limits)
    lo = (request.page - 1) * request.size
    page = tuple(hit(m, g, score) for g, score in ranked(m, lo + request.size)[lo:])
    return ResultsPage(
        query=request.q, mode=m.mode, total=len(m.hits), page=request.page, size=request.size,
        took_ms=round((time.perf_counter() - started) * 1000, 2), hits=page,
        facets=_facets(m.corpus, m.hits), filters=m.filters, sort=request.sort,
        relaxed_words=tuple(m.parts) if m.mode == "relaxed" else (), within=m.within,
        unfiltered_total=m.unfiltered_total,
        suggestions=region_suggestions(m.corpus, request),
    )  # fmt: skip


def region_suggestions(corpus: Corpus, request: SearchRequest) -> tuple[Suggestion, ...]:
    """Offer ``region:`` for a query term that names a region (太仓 不足 → 不足 in 太仓市)."""
    out: list[Suggestion] = []
    for clause in parse_query(request.q).clauses:
        term = clause[0]
        if len(clause) > 1 or term.quoted:
            continue
        rest = without_spans(request.q, (term.span,))
        for name in corpus.region_index.full_names(term.text):
            if name not in request.region:
                what = f"中的“{rest}”" if rest else ""
                out.append(Suggestion(rest, name, f"只看{name}的报告{what}"))
    return tuple(out[:3])


def ranked(m: Match, limit: int | None = None) -> list[tuple[int, float]]:
    """The first ``limit`` hits (all if None) as (g, score), in the requested order."""
    corpus = m.corpus
    if not m.hits or limit == 0:
        return []
    # Document frequencies: exact for the parts that were scanned, the index's estimate otherwise.
    df = {p: len(m.cache[p]) if p in m.cache else corpus.estimate(p) for p in m.parts}
    scores = _scores(corpus, m.hits, m.parts, df)
    years = [corpus.years[r] or 0 for r in map(corpus.report_of.__getitem__, m.hits)]
    if m.request.sort == "relevance":
        keys = [(s, y, -g, s) for s, y, g in zip(scores, years, m.hits, strict=True)]
    else:
        sign = 1 if m.request.sort == "year_desc" else -1
        keys = [(sign * y, s, -g, s) for s, y, g in zip(scores, years, m.hits, strict=True)]
    ordered = sorted(keys, reverse=True) if limit is None else heapq.nlargest(limit, keys)
    return [(-k[2], k[3]) for k in ordered]


def hit(m: Match, g: int, score: float = 0.0) -> Hit:
    """The API's view of paragraph ``g`` for this match (snippet included)."""
    report, para = m.corpus.paragraph(g)
    if m.within == "sentence":
        text = sentences.best_sentence(para.text, m.parts)
        shown = snippet(text, m.parts, width=max(len(text), 1))
    else:
        shown = snippet(para.text, m.parts)
    return Hit(
        report_id=report.id, report_title=report.meta.title, region=report.meta.region,
        year=report.meta.year, section=para.section_path[0] if para.section_path else "",
        section_path=para.section_path, paragraph_id=para.id, paragraph_number=para.number,
        url=f"/reports/{report.id}#{para.id}", text=para.text,
        snippet=shown, score=round(score, 4),
    )  # fmt: skip
