"""Answer a search request: plan it, let the engine run the plan, present what it returns.

Exact matching first; when the exact plan finds nothing (and nothing was quoted, and it is not
the filters alone that left nothing), relaxed word matching, then partial word matching, as
fallbacks (:mod:`indexer.query.tiers`). The engine decides how; everything here is written
once for every engine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from indexer.normalize import normalize
from indexer.query import sentences, spelling, tiers
from indexer.query.facets import disjunctive_counts
from indexer.query.filters import LEVELS, Collection, resolve_filters
from indexer.query.groups import report_counts, report_groups
from indexer.query.library import Library
from indexer.query.parse import ParsedQuery, QueryError, parse_query, without_spans
from indexer.query.plan import Clause, EngineResult, FilterClause, HitKey, Plan
from indexer.query.request import Limits, SearchRequest
from indexer.query.results import ActiveFilter, FacetValue, Hit, ResultsPage, Suggestion
from indexer.query.snippets import snippet
from indexer.textmatch import contains

if TYPE_CHECKING:  # the engines import the query layer's plan
    from indexer.engines.base import Searcher


def searcher_of(source: Library | Searcher) -> Searcher:
    """The searcher to use: a library's current one, or the searcher given."""
    return source.searcher() if isinstance(source, Library) else source


def relaxed_clauses(parsed: ParsedQuery) -> tuple[Clause, ...]:
    """Each term as its content words, all required (question words dropped)."""
    return tiers.relaxed(parsed).clauses


@dataclass(frozen=True)
class Answer:
    """How a request was answered: the plan that ran, its result, what to tell the user."""

    plan: Plan
    result: EngineResult
    mode: str  # "exact" | "relaxed" | "partial"
    filters: tuple[ActiveFilter, ...]
    unfiltered_total: int | None = None  # set when the text matched but the filters left none
    dropped: tuple[str, ...] = ()  # question and function words the fallback tiers left out
    exact_total: int = 0  # what the exact tier found (did-you-mean looks at it)

    @property
    def parts(self) -> list[str]:
        """The normalized strings that matched, in query order (what snippets mark)."""
        clauses = self.plan.clauses
        words = self.plan.partial.words if self.plan.partial is not None else ()
        return list(dict.fromkeys([*(p for c in clauses for alt in c for p in alt), *words]))

    def missing(self, text: str) -> tuple[str, ...]:
        """The partial words a paragraph (as written) lacks (none in other tiers)."""
        if self.plan.partial is None:
            return ()
        norm = normalize(text)  # only here: normalizing every hit would slow the exact tier
        return tuple(w for w in self.plan.partial.words if not contains(norm, w))


def answer(searcher: Searcher, request: SearchRequest, limits: Limits = Limits()) -> Answer:
    """Plan ``request`` and run it: exact matches; if none, relaxed ones; if none, partial."""
    parsed = parse_query(request.q)
    plan, active = exact_plan(searcher, request, parsed)
    _check_terms(parsed, plan.filters, limits)
    exact, filters = plan.clauses, plan.filters
    result, mode, unfiltered = searcher.search(plan), "exact", None
    if not result.total and filters and parsed.clauses:
        # Did the text match, and only the filters leave nothing? Then say so; no fallback.
        unfiltered = searcher.count(replace(plan, filters=())) or None
    exact_total, dropped = result.total, ()
    if not result.total and not unfiltered and not parsed.has_quoted and parsed.clauses:
        loose = tiers.relaxed(parsed)  # jieba runs only when the exact search found nothing
        dropped = loose.dropped
        if loose.clauses and loose.clauses != exact:
            plan, mode = replace(plan, clauses=loose.clauses), "relaxed"
            result = searcher.search(plan)
        one_each = all(len(clause) == 1 for clause in loose.clauses)  # no OR: words add up
        if not result.total and plan.within == "paragraph" and loose.clauses and one_each:
            n = searcher.paragraph_count()
            part = tiers.partial(loose.words(), searcher.doc_freq, n)
            if part is not None:
                plan, mode = replace(plan, clauses=(), partial=part), "partial"
                result = searcher.search(plan)
    return Answer(plan, result, mode, active, unfiltered, dropped, exact_total)


def exact_plan(
    searcher: Searcher, request: SearchRequest, parsed: ParsedQuery
) -> tuple[Plan, tuple[ActiveFilter, ...]]:
    """The exact tier's plan: every term as typed, the filters resolved and described."""
    filters, active = resolve_filters(request, parsed, Collection.of(searcher))
    plan = Plan(
        tuple(tuple((t.norm,) for t in clause) for clause in parsed.clauses),
        tuple(t.norm for t in parsed.excluded), filters,
        within="sentence" if "sentence" in (request.within, parsed.within) else "paragraph",
        sort=request.sort, offset=(request.page - 1) * request.size, size=request.size,
    )  # fmt: skip
    return plan, active


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
    grouped = request.group == "report"
    a = answer(searcher, replace(request, page=1, size=0) if grouped else request, limits)
    collection = Collection.of(searcher)
    hits, total_reports, groups = tuple(hit(searcher, a, key) for key in a.result.page), None, ()
    if grouped:
        counts = report_counts(searcher, a.plan, a.result.total, a.result.facets.get("report", ()))
        groups = report_groups(searcher, a.plan, counts, (request.page - 1) * request.size,
                               request.size, lambda key: hit(searcher, a, key))  # fmt: skip
        total_reports, hits = len(counts), tuple(h for g in groups for h in g.hits)
    facets = disjunctive_counts(searcher, a.plan, a.filters, a.result.facets)
    return ResultsPage(
        query=request.q, mode=a.mode, total=a.result.total, page=request.page,
        size=request.size, took_ms=round((time.perf_counter() - started) * 1000, 2),
        hits=hits, facets=facet_values(facets, collection), filters=a.filters, sort=request.sort,
        relaxed_words=tuple(a.parts) if a.mode != "exact" else (), within=a.plan.within,
        unfiltered_total=a.unfiltered_total, suggestions=region_suggestions(collection, request),
        group=request.group, total_reports=total_reports, groups=groups,
        dropped_words=a.dropped, notes=parse_query(request.q).notes,
        did_you_mean=correction(searcher, request, a),
    )  # fmt: skip


def correction(searcher: Searcher, request: SearchRequest, a: Answer) -> str | None:
    """Did you mean: a corrected query, when the exact tier found little."""
    if a.unfiltered_total:
        return None  # the text matched: the filters are what to change

    def count(q: str) -> int:
        try:
            plan, _ = exact_plan(searcher, replace(request, q=q), parse_query(q))
        except QueryError:
            return 0
        return searcher.count(plan)

    parsed = parse_query(request.q)
    plain = not request.filter_params()
    return spelling.did_you_mean(searcher, request.q, parsed, a.exact_total, count, plain)


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
        snippet=shown, score=round(key.score, 4), missing_words=a.missing(para.text),
    )  # fmt: skip
