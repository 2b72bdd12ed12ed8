"""Filters: how URL and query filters combine, what a typed value means, how each is described.

A filter is a field, a union of values and a polarity; different filters intersect and a
negated one excludes. This module turns what the user typed into the plan's
:class:`~indexer.query.plan.FilterClause` — resolving a short region name to every full name
it covers in the collection, a word of a kind to the kinds containing it, a level's alias to
its canonical name — and describes each filter in plain words (datasette's pattern), so the page
and the API say exactly what was applied. The engines decide how to apply it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from indexer.normalize import normalize
from indexer.query.parse import ParsedQuery, QueryError
from indexer.query.plan import FilterClause
from indexer.query.request import SearchRequest, parse_years
from indexer.query.results import ActiveFilter
from indexer.regions import short_name

FIELDS = ("section", "heading", "region", "year", "report", "kind", "level")
FIELD_NAMES = {"section": "章节", "heading": "章节", "region": "地区", "year": "年份",
               "report": "报告", "kind": "类型", "level": "层级"}  # fmt: skip
LEVELS = {"national": "全国", "province": "省级", "prefecture": "地级", "county": "县级"}
_LEVEL_ALIASES = {
    "national": "national", "全国": "national", "国家": "national", "中央": "national",
    "province": "province", "provincial": "province", "省": "province", "省级": "province",
    "prefecture": "prefecture", "city": "prefecture", "地级": "prefecture",
    "地级市": "prefecture", "市级": "prefecture", "市": "prefecture",
    "county": "county", "县": "county", "县级": "county", "区县": "county", "县区": "county",
}  # fmt: skip


@lru_cache(maxsize=1 << 17)
def region_short_forms(name: str) -> frozenset[str]:
    """The normalized names a user may type for region ``name``: the full one and short ones.

    Remembered across searchers: a reload after an index run meets the same names again.
    """
    full = normalize(name)
    short = short_name(full)
    return frozenset(f for f in (full, short) if f)


def level_key(value: str) -> str | None:
    """The canonical level for a typed value (national, province, prefecture, county)."""
    return _LEVEL_ALIASES.get(normalize(value).strip())


def region_path(meta) -> tuple[str, ...]:
    """A report's region path from the top (its region alone when no path is known)."""
    return tuple(meta.region_path) or ((meta.region,) if meta.region else ())


def _requested(request: SearchRequest, parsed: ParsedQuery):
    """(name, values, negated, source, spans) for every filter, URL parameters first."""
    for name in FIELDS:
        if values := getattr(request, name):
            yield name, values, False, "url", ()
    for f in parsed.filters:
        yield f.name, f.values, f.negated, "query", f.spans


def resolve_filters(
    request: SearchRequest, parsed: ParsedQuery, collection: Collection
) -> tuple[tuple[FilterClause, ...], tuple[ActiveFilter, ...]]:
    """Combine URL and in-query filters into plan clauses; describe each in plain words."""
    clauses, active = [], []
    for name, values, negated, source, spans in _requested(request, parsed):
        resolved = tuple(
            dict.fromkeys(v for typed in values for v in _values(name, typed, collection))
        )
        clauses.append(FilterClause(name, resolved, negated))
        shown = [_shown(name, v, collection) for v in values]
        description = ("排除 " if negated else "") + f"{FIELD_NAMES[name]}：" + " 或 ".join(shown)
        active.append(ActiveFilter(name, tuple(values), description, negated, source, spans))
    return tuple(clauses), tuple(active)


def _values(name: str, typed: str, collection: Collection) -> tuple[str, ...]:
    """What a typed value means in the plan: normalized, and resolved against the collection.

    A short region name becomes every full name it covers; a kind, every kind of the
    collection that contains it. Something that names nothing stays as typed and so matches
    nothing — and its description says so.
    """
    if name == "year":
        low, high = parse_years(typed)
        return (f"{low}-{high}",)
    if name == "report":
        return (typed,)
    if name == "level":
        key = level_key(typed)
        if key is None:
            raise QueryError(
                "bad_level", "层级只能是 national（全国）、province（省级）、"
                "prefecture（地级）或 county（县级）。",
            )  # fmt: skip
        return (key,)
    norm = normalize(typed).strip()
    if name == "region":
        return tuple(normalize(n) for n in collection.regions.full_names(typed)) or (norm,)
    if name == "kind":
        return tuple(k for k in collection.kinds if norm and norm in normalize(k)) or (typed,)
    return (norm,)


def _shown(name: str, value: str, collection: Collection) -> str:
    """How one value reads in a description."""
    if name == "heading":
        return f"包含“{value}”"
    if name == "level":
        return LEVELS.get(level_key(value) or "", value)
    if name == "report":
        return collection.report_titles.get(value, value)
    if name == "region":
        return collection.regions.describe(value)
    return value


@dataclass(frozen=True)
class RegionIndex:
    """The regions of one collection, for resolving typed names, descriptions and suggestions."""

    names: dict[str, tuple[str, ...]]  # typed form -> region paths ("江苏省 › 苏州市")

    @classmethod
    def build(cls, metas) -> RegionIndex:
        """Index every region (and ancestor) of the reports' metadata by full and short forms."""
        names: dict[str, dict[str, None]] = {}
        for meta in metas:
            path = region_path(meta)
            for depth, name in enumerate(path, start=1):
                for form in region_short_forms(name):
                    names.setdefault(form, {})[" › ".join(path[:depth])] = None
        return cls({k: tuple(v) for k, v in names.items()})

    def lookup(self, value: str) -> tuple[str, ...]:
        """The full region names a typed value covers (empty: none in this collection)."""
        return self.names.get(normalize(value).strip(), ())

    def describe(self, value: str) -> str:
        """``上海`` → ``上海市``; an ambiguous name lists every match; an unknown one says so."""
        found = self.lookup(value)
        if not found:
            return f"{value}（没有这个地区的报告）"
        if len(found) == 1:
            return found[0].rsplit(" › ", 1)[-1]
        return f"{value}（{'、'.join(found)}）"

    def full_names(self, value: str) -> tuple[str, ...]:
        """The full names (last element of each path) a typed value covers."""
        return tuple(dict.fromkeys(p.rsplit(" › ", 1)[-1] for p in self.lookup(value)))


def report_label(meta) -> str:
    """A report's label: its title, with the region when the title does not name it."""
    return _label(meta.title, meta.region)


@lru_cache(maxsize=1 << 17)
def _label(title: str, region: str) -> str:
    if not region or normalize(region[:2]) in normalize(title):
        return title
    return f"{title}（{region}）"


_heading_key = lru_cache(maxsize=1 << 17)(normalize)


@dataclass(frozen=True)
class Collection:
    """What filters and labels need to know about the whole collection (one per searcher)."""

    regions: RegionIndex
    kinds: tuple[str, ...]
    report_titles: dict[str, str]  # id -> title, with the region when the title lacks it
    section_labels: dict[str, str]  # normalized heading -> as first written

    @classmethod
    def of(cls, searcher) -> Collection:
        """The collection behind ``searcher``, computed once per searcher."""
        return searcher.derived("collection", cls.build)

    @classmethod
    def build(cls, searcher) -> Collection:
        """Index the regions, kinds and titles of every report."""
        summaries = searcher.summaries()
        kinds = tuple(sorted({s.meta.kind for s in summaries if s.meta.kind}))
        titles = {s.id: report_label(s.meta) for s in summaries}
        labels: dict[str, str] = {}
        for heading, _count in searcher.headings():
            labels.setdefault(_heading_key(heading), heading)
        return cls(RegionIndex.build([s.meta for s in summaries]), kinds, titles, labels)
