"""Run a search: exact matching first, relaxed word matching as a fallback; rank; facet."""

from __future__ import annotations

import heapq
import math
import time
from collections import Counter
from dataclasses import dataclass

from indexer import analysis
from indexer.normalize import normalize
from indexer.query import sentences
from indexer.query.library import SEPARATOR, Corpus, Library
from indexer.query.parse import ParsedQuery, QueryError, Term, parse_query
from indexer.query.request import Limits, SearchRequest, parse_years
from indexer.query.results import ActiveFilter, FacetValue, Hit, ResultsPage
from indexer.query.snippets import snippet

K1, B = 1.2, 0.75
HEADING_WEIGHT = 3.0  # a match in a section heading counts this many body matches
PROXIMITY_CHARS = 12  # terms this close together earn an adjacency bonus
FACETS = ("section", "report", "region", "year")


@dataclass(frozen=True)
class Filters:
    """Normalized filters from the URL parameters and the query text combined."""

    sections: tuple[str, ...] = ()  # whole top-level headings
    headings: tuple[str, ...] = ()  # words in any heading
    regions: tuple[str, ...] = ()
    years: tuple[tuple[int, int], ...] = ()
    reports: tuple[str, ...] = ()

    def keep(self, corpus: Corpus, g: int) -> bool:
        """True if paragraph ``g`` passes every filter."""
        view = corpus.views[corpus.report_of[g]]
        meta = view.report.meta
        path = corpus.paths[g]
        return (
            all(top_heading(path) == s for s in self.sections)
            and all(h in path for h in self.headings)
            and all(view.norm_region == r for r in self.regions)
            and all(meta.year is not None and lo <= meta.year <= hi for lo, hi in self.years)
            and all(view.report.id == r for r in self.reports)
        )

    def __bool__(self) -> bool:
        return any((self.sections, self.headings, self.regions, self.years, self.reports))


def top_heading(norm_path: str) -> str:
    """The normalized top-level heading of a normalized section path."""
    return norm_path.split(SEPARATOR, 1)[0]


def resolve_filters(
    request: SearchRequest, parsed: ParsedQuery
) -> tuple[Filters, tuple[ActiveFilter, ...]]:
    """Combine URL and in-query filters; describe each in plain words."""
    pairs = [
        (name, getattr(request, name))
        for name in ("section", "heading", "region", "year", "report")
    ]
    pairs = [(n, v) for n, v in pairs if v]
    for name, values in parsed.filters.items():
        pairs.extend((name, v) for v in values)
    active, acc = [], {k: [] for k in ("section", "heading", "region", "year", "report")}
    for name, value in pairs:
        acc[name].append(
            parse_years(value)
            if name == "year"
            else (value if name == "report" else normalize(value))
        )
        active.append(ActiveFilter(name, value, _describe(name, value)))
    filters = Filters(tuple(acc["section"]), tuple(acc["heading"]), tuple(acc["region"]),
                      tuple(acc["year"]), tuple(acc["report"]))  # fmt: skip
    return filters, tuple(active)


def _describe(name: str, value: str) -> str:
    return {
        "section": f"章节：{value}",
        "heading": f"章节：包含“{value}”",
        "region": f"地区：{value}",
        "year": f"年份：{value}",
        "report": f"报告：{value}",
    }[name]


def relaxed_clauses(parsed: ParsedQuery) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Each term becomes the tuple of its jieba words (all required), alternatives kept."""
    out = []
    for clause in parsed.clauses:
        out.append(tuple(tuple(w for w in analysis.words(t.norm) if any(c.isalnum() for c in w))
                         or (t.norm,) for t in clause))  # fmt: skip
    return tuple(out)


def _matching(corpus: Corpus, clauses, excluded: tuple[Term, ...], cache: dict) -> list[int]:
    """Paragraphs where every clause has an alternative whose parts all occur, none excluded."""

    def paragraphs_with(part: str) -> set[int]:
        if part not in cache:
            cache[part] = set(corpus.find(part))
        return cache[part]

    result: set[int] | None = None
    for clause in clauses:
        union: set[int] = set()
        for parts in clause:
            sets = sorted((paragraphs_with(p) for p in parts), key=len)
            union |= set.intersection(*sets) if sets else set()
        result = union if result is None else result & union
        if not result:
            return []
    if result is None:
        result = set(range(len(corpus)))
    for term in excluded:
        result -= paragraphs_with(term.norm)
    return sorted(result)


def _score(corpus: Corpus, g: int, parts: list[str], df: dict[str, int]) -> float:
    """BM25F over the body and the headings, with the matched units as terms, plus adjacency."""
    text, path = corpus.norms[g], corpus.paths[g]
    n = len(corpus)
    norm_len = 1 - B + B * len(text) / corpus.avg_len
    score, positions = 0.0, []
    for part in parts:
        tf = text.count(part) + HEADING_WEIGHT * path.count(part)
        if not tf:
            continue
        idf = math.log(1 + (n - df[part] + 0.5) / (df[part] + 0.5))
        score += idf * tf * (K1 + 1) / (tf + K1 * norm_len)
        positions.append(text.find(part))
    if len(positions) > 1:
        positions.sort()
        gaps = [b - a for a, b in zip(positions, positions[1:], strict=False)]
        score += sum(1.0 for gap in gaps if 0 <= gap <= PROXIMITY_CHARS) * 0.5
    return score


def _facets(corpus: Corpus, hits: list[int]) -> dict[str, tuple[FacetValue, ...]]:
    section, written, report, region, year = Counter(), {}, Counter(), Counter(), Counter()
    for g in hits:
        r = corpus.report_of[g]
        rep, para = corpus.paragraph(g)
        if para.section_path:
            key = top_heading(corpus.paths[g])
            section[key] += 1
            written.setdefault(key, para.section_path[0])
        report[r] += 1
        region[rep.meta.region] += 1
        if rep.meta.year is not None:
            year[rep.meta.year] += 1
    views = corpus.views
    return {
        "section": tuple(FacetValue(written[k], c) for k, c in _top(section)),
        "report": tuple(FacetValue(views[r].report.id, c, views[r].report.meta.title) for r, c in _top(report)),
        "region": tuple(FacetValue(k, c) for k, c in _top(region) if k),
        "year": tuple(FacetValue(str(k), c) for k, c in sorted(year.items(), reverse=True)),
    }  # fmt: skip


def _top(counter: Counter) -> list:
    return sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))


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


def match(library: Library | Corpus, request: SearchRequest, limits: Limits = Limits()) -> Match:
    """Find every paragraph matching ``request``: exact matches, or relaxed ones if none."""
    corpus = library.corpus() if isinstance(library, Library) else library
    parsed = parse_query(request.q)
    filters, active = resolve_filters(request, parsed)
    terms = sum(len(c) for c in parsed.clauses) + len(parsed.excluded)
    if terms > limits.max_terms:
        raise QueryError("too_many_terms", f"a query may have at most {limits.max_terms} terms")
    if not parsed.clauses and not filters:
        raise QueryError("missing_query", "type something to search for")
    within = "sentence" if "sentence" in (request.within, parsed.within) else "paragraph"
    cache: dict[str, set[int]] = {}
    exact = tuple(tuple((t.norm,) for t in clause) for clause in parsed.clauses)
    mode, clauses = "exact", exact
    hits = _filtered(corpus, exact, parsed, filters, within, cache)
    relaxed = relaxed_clauses(parsed)
    if not hits and not parsed.has_quoted and relaxed != exact:
        mode, clauses = "relaxed", relaxed
        hits = _filtered(corpus, relaxed, parsed, filters, within, cache)
    parts = sorted({p for clause in clauses for alt in clause for p in alt})
    return Match(corpus, request, mode, hits, parts, active, within, cache)


def _filtered(corpus, clauses, parsed: ParsedQuery, filters: Filters, within: str, cache):
    hits = [
        g for g in _matching(corpus, clauses, parsed.excluded, cache) if filters.keep(corpus, g)
    ]
    if within == "sentence" and len(clauses) > 1:
        hits = [g for g in hits if sentences.matching(corpus.norms[g], clauses)]
    return hits


def search(
    library: Library | Corpus, request: SearchRequest, limits: Limits = Limits()
) -> ResultsPage:
    """Answer ``request`` with one page of ranked hits, the total and facets over all hits."""
    started = time.perf_counter()
    m = match(library, request, limits)
    lo = (request.page - 1) * request.size
    page = tuple(_hit(m, g, score) for g, score in ranked(m, lo + request.size)[lo:])
    return ResultsPage(
        query=request.q, mode=m.mode, total=len(m.hits), page=request.page, size=request.size,
        took_ms=round((time.perf_counter() - started) * 1000, 2), hits=page,
        facets=_facets(m.corpus, m.hits), filters=m.filters, sort=request.sort,
        relaxed_words=tuple(m.parts) if m.mode == "relaxed" else (), within=m.within,
    )  # fmt: skip


def ranked(m: Match, limit: int | None = None) -> list[tuple[int, float]]:
    """The first ``limit`` hits (all if None) as (g, score), in the requested order."""
    corpus = m.corpus
    if not m.hits or limit == 0:
        return []
    df = {p: len(m.cache[p]) if p in m.cache else len(corpus.find(p)) for p in m.parts}
    year = [v.report.meta.year or 0 for v in corpus.views]
    scored = [(_score(corpus, g, m.parts, df), g) for g in m.hits]
    if m.request.sort == "relevance":
        key = lambda sg: (round(sg[0], 6), year[corpus.report_of[sg[1]]], -sg[1])  # noqa: E731
    else:
        sign = 1 if m.request.sort == "year_desc" else -1
        key = lambda sg: (sign * year[corpus.report_of[sg[1]]], round(sg[0], 6), -sg[1])  # noqa: E731
    if limit is None:
        ordered = sorted(scored, key=key, reverse=True)
    else:
        ordered = heapq.nlargest(limit, scored, key=key)
    return [(g, s) for s, g in ordered]


def hit(m: Match, g: int, score: float = 0.0) -> Hit:
    """The API's view of paragraph ``g`` for this match (snippet included)."""
    return _hit(m, g, score)


def _hit(m: Match, g: int, score: float) -> Hit:
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
