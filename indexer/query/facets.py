"""Disjunctive facet counts: what selecting a value would give when its facet has a selection.

Several values of one facet are a union, facets intersect. A value's count should say what a
click would give, so for a facet whose own values are selected (URL parameters, which facet
links add and remove) the counts are taken over the plan without that facet's filters, and
the other facets' filters kept. Each such facet costs one more evaluation of the plan, by
the engine, and only facets with a selection pay it; a search without one costs nothing more.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from indexer.query.plan import FACETS, Plan
from indexer.query.results import ActiveFilter

if TYPE_CHECKING:  # the engines import the query layer's plan
    from indexer.engines.base import Searcher

Counts = tuple[tuple[str, int], ...]


def selected_facets(active: tuple[ActiveFilter, ...]) -> tuple[str, ...]:
    """Facets with values chosen by URL parameters (positive ones), in facet order."""
    chosen = {f.name for f in active if f.source == "url" and not f.negated}
    return tuple(name for name in FACETS if name in chosen)


def without_selection(plan: Plan, active: tuple[ActiveFilter, ...], name: str) -> Plan:
    """``plan`` without the URL's positive filters of facet ``name`` (the plan's filters and
    ``active`` describe the same filters in the same order)."""
    kept = tuple(
        clause
        for clause, f in zip(plan.filters, active, strict=True)
        if not (f.name == name and f.source == "url" and not f.negated)
    )
    return replace(plan, filters=kept, offset=0, size=0)


def disjunctive_counts(
    searcher: Searcher, plan: Plan, active: tuple[ActiveFilter, ...], facets: dict[str, Counts]
) -> dict[str, Counts]:
    """``facets`` with each selected facet counted as if its own selection were not made."""
    out = dict(facets)
    for name in selected_facets(active):
        out[name] = searcher.facet_values(without_selection(plan, active, name), name)
    return out
