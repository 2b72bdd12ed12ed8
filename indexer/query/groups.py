"""Results grouped by report (``group=report``): one entry per report, its best paragraphs.

The report facet over all hits gives every report's total; the reports are ordered from it
(most hits first, or by year for the year sorts) and paged; then only the page's reports are
asked for their best paragraphs, one small report-filtered search each. The cost is one
facet evaluation (none when the search's own report facet is complete) plus ``size`` searches
narrowed to one report, whatever the number of hits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from indexer.query.plan import FilterClause, HitKey, Plan
from indexer.query.results import Hit, ReportGroup

if TYPE_CHECKING:  # the engines import the query layer's plan
    from indexer.engines.base import Searcher

GROUP_HITS = 3  # paragraphs shown per report
Counts = tuple[tuple[str, int], ...]


def report_counts(searcher: Searcher, plan: Plan, total: int, facet: Counts) -> Counts:
    """Every report with hits and its paragraph count (``facet`` if it is already complete)."""
    if sum(count for _, count in facet) == total:  # every hit lies in exactly one report
        return facet
    return searcher.facet_values(replace(plan, offset=0, size=0), "report")


def report_order(counts: Counts, years: dict[str, int | None], sort: str) -> list[str]:
    """Report ids in the order groups are shown: most hits first, or by year then hits."""

    def key(item: tuple[str, int]):
        rid, count = item
        year = years.get(rid) or 0
        by_year = {"year_desc": -year, "year_asc": year or 10_000}.get(sort, 0)
        return (by_year, -count, rid)

    return [rid for rid, _ in sorted(counts, key=key)]


def report_groups(
    searcher: Searcher,
    plan: Plan,
    counts: Counts,
    first: int,
    size: int,
    make_hit: Callable[[HitKey], Hit],
) -> tuple[ReportGroup, ...]:
    """The groups ``first:first + size`` of the ordered reports, with their best paragraphs."""  # fmt: skip
    metas = searcher.derived("report_metas", lambda s: {r.id: r.meta for r in s.summaries()})
    totals = dict(counts)
    years = {rid: metas[rid].year for rid in totals if rid in metas}
    groups = []
    for rid in report_order(counts, years, plan.sort)[first : first + size]:
        meta = metas[rid]
        narrowed = replace(plan, filters=(*plan.filters, FilterClause("report", (rid,))),
                           offset=0, size=GROUP_HITS)  # fmt: skip
        keys = searcher.search(narrowed).page
        groups.append(ReportGroup(rid, meta.title, meta.region, meta.year, totals[rid],
                                  tuple(make_hit(k) for k in keys)))  # fmt: skip
    return tuple(groups)
