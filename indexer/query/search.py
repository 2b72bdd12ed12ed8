"""Answer a search request: plan it, let the engine run the plan, present what it returns.

Exact matching first; when the exact plan finds nothing (and nothing was quoted, and it is not
the filters alone that left nothing), relaxed word matching as a fallback. The engine decides
how; everything here is written once for every engine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from indexer import analysis
from indexer.query import sentences
from indexer.query.filters import LEVELS, Collection, resolve_filters
from indexer.query.library import Library
from indexer.query.parse import ParsedQuery, QueryError, parse_query, without_spans
from indexer.query.plan import EngineResult, FilterClause, HitKey, Plan
from indexer.query.request import Limits, SearchRequest
from indexer.query.results import ActiveFilter, FacetValue, Hit, ResultsPage, Suggestion
from indexer.query.snippets import snippet
from indexer.textmatch import left_ok, right_ok

if TYPE_CHECKING:  # the engines import the query layer's plan
    from indexer.engines.base import Searcher


def searcher_of(source: Library | Searcher) -> Searcher:
    """The searcher to use: a library's current one, or the searcher given."""
    return source.searcher() if isinstance(source, Library) else source


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


@dataclass(frozen=True)
class Answer:
    """How a request was answered: the plan that ran, its result, what to tell the user."""

    plan: Plan
    result: EngineResult
    mode: str  # "exact" | "relaxed"
    filters: tuple[ActiveFilter, ...]
    unfiltered_total: int | None = None  # set when the text matched but the filters left none

    @property
    def parts(self) -> list[str]:
        """The normalized strings that matched, in query order (what snippets mark)."""
        clauses = self.plan.clauses
        return list(dict.fromkeys(p for clause in clauses for alt in clause for p in alt))


def answer(searcher: Searcher, request: SearchRequest, limits: Limits = Limits()) -> Answer:
    """Plan ``request`` and run it: exact matches, or relaxed ones if none."""
    parsed = parse_query(request.q)
    filters, active = resolve_filters(request, parsed, Collection.of(searcher))
    _check_terms(parsed, filters, limits)
    exact = tuple(tuple((t.norm,) for t in clause) for clause in parsed.clauses)
    plan = Plan(
        exact, tuple(t.norm for t in parsed.excluded), filters,
        within="sentence" if "sentence" in (request.within, parsed.within) else "paragraph",
        sort=request.sort, offset=(request.page - 1) * request.size, size=request.size,
    )  # fmt: skip
    result, mode, unfiltered = searcher.search(plan), "exact", None
    if not result.total and filters and parsed.clauses:
        # Did the text match, and only the filters leave nothing? Then say so; no fallback.
        unfiltered = searcher.count(replace(plan, filters=())) or None
    if not result.total and not unfiltered and not parsed.has_quoted and parsed.clauses:
        relaxed = relaxed_clauses(parsed)  # jieba runs only when the exact search found nothing
        if relaxed != exact:
            plan, mode = replace(plan, clauses=relaxed), "relaxed"
            result = searcher.search(plan)
    return Answer(plan, result, mode, active, unfiltered)


def _check_terms(parsed: ParsedQuery, filters: tuple[FilterClause, ...], limits: Limits) -> None:
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


def search(
    library: Library | Searcher, request: SearchRequest, limits: Limits = Limits()
) -> ResultsPage:
    """Answer ``request`` with one page of ranked hits, the total and facets over all hits."""
    started = time.perf_counter()
    searcher = searcher_of(library)
    a = answer(searcher, request, limits)
    collection = Collection.of(searcher)
    return ResultsPage(
        query=request.q, mode=a.mode, total=a.result.total, page=request.page,
        size=request.size, took_ms=round((time.perf_counter() - started) * 1000, 2),
        hits=tuple(hit(searcher, a, key) for key in a.result.page),
        facets=facet_values(a.result.facets, collection), filters=a.filters, sort=request.sort,
        relaxed_words=tuple(a.parts) if a.mode == "relaxed" else (), within=a.plan.within,
        unfiltered_total=a.unfiltered_total, suggestions=region_suggestions(collection, request),
    )  # fmt: skip


def facet_values(facets: dict, collection: Collection) -> dict[str, tuple[FacetValue, ...]]:
    """The engine's facet counts as labelled values (report titles, level names)."""
    labels = {"report": collection.report_titles, "level": LEVELS,
              "section": collection.section_labels}  # fmt: skip
    out = {}
    for name in ("section", "report", "region", "year", "level", "kind"):
        values = facets.get(name, ())
        if name == "year":
            values = sorted(values, key=lambda vc: vc[0], reverse=True)
        names = labels.get(name, {})
        out[name] = tuple(FacetValue(v, c, names.get(v, "")) for v, c in values)
    return out


def region_suggestions(collection: Collection, request: SearchRequest) -> tuple[Suggestion, ...]:
    """Offer ``region:`` for a query term that names a region (太仓 不足 → 不足 in 太仓市)."""
    out: list[Suggestion] = []
    for clause in parse_query(request.q).clauses:
        term = clause[0]
        if len(clause) > 1 or term.quoted:
            continue
        rest = without_spans(request.q, (term.span,))
        for name in collection.regions.full_names(term.text):
            if name not in request.region:
                what = f"中的“{rest}”" if rest else ""
                out.append(Suggestion(rest, name, f"只看{name}的报告{what}"))
    return tuple(out[:3])


def hit(searcher: Searcher, a: Answer, key: HitKey) -> Hit:
    """The API's view of one matching paragraph (snippet included)."""
    found = searcher.passage(key.report_id, key.paragraph)
    if found is None:
        raise LookupError(f"hit {key.report_id}#{key.paragraph} is not in this index state")
    para = found.paragraph
    parts = a.parts
    if a.plan.within == "sentence":
        text = sentences.best_sentence(para.text, parts)
        shown = snippet(text, parts, width=max(len(text), 1))
    else:
        shown = snippet(para.text, parts)
    return Hit(
        report_id=found.report_id, report_title=found.title, region=found.region,
        year=found.year, section=para.section_path[0] if para.section_path else "",
        section_path=para.section_path, paragraph_id=para.id, paragraph_number=para.number,
        url=f"/reports/{found.report_id}#{para.id}", text=para.text,
        snippet=shown, score=round(key.score, 4),
    )  # fmt: skip
