"""Filters: what each field means, how URL and query filters combine, and how each is described.

A filter is a field, a union of values and a polarity. Different filters intersect; a negated
one excludes. Report-level fields (region, year, report, kind, level) are decided per report,
paragraph-level ones (section, heading) per paragraph. Each filter in force travels with a
plain-language description (datasette's pattern), so the page and the API say exactly what was
applied — including what a short region name resolved to.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer import textmatch
from indexer.normalize import normalize
from indexer.query.parse import ParsedQuery, QueryError
from indexer.query.request import SearchRequest, parse_years
from indexer.query.results import ActiveFilter
from indexer.regions import short_name

SEPARATOR = "\n"  # joins a paragraph's normalized headings; never inside a heading
REPORT_FIELDS = ("region", "year", "report", "kind", "level")
PARAGRAPH_FIELDS = ("section", "heading")
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
def region_short_forms(name: str) -> set[str]:
    """The normalized names a user may type for region ``name``: the full one and short ones."""
    full = normalize(name)
    short = short_name(full)
    return {f for f in (full, short) if f}


def level_key(value: str) -> str | None:
    """The canonical level for a typed value (national, province, prefecture, county)."""
    return _LEVEL_ALIASES.get(normalize(value).strip())


@dataclass(frozen=True)
class FilterClause:
    """One filter: ``field`` has any of ``values`` (normalized; year: (lo, hi) ranges)."""

    field: str
    values: tuple
    negated: bool = False

    def accepts(self, value_matches) -> bool:
        """Apply polarity to ``value_matches(v)`` over the union of values."""
        return any(value_matches(v) for v in self.values) != self.negated


@dataclass(frozen=True)
class Filters:
    """The filters in force: every clause must accept."""

    clauses: tuple[FilterClause, ...] = ()

    def of(self, fields: tuple[str, ...]) -> tuple[FilterClause, ...]:
        """The clauses on ``fields``."""
        return tuple(c for c in self.clauses if c.field in fields)

    @property
    def report_level(self) -> tuple[FilterClause, ...]:
        """Clauses decided per report."""
        return self.of(REPORT_FIELDS)

    @property
    def paragraph_level(self) -> tuple[FilterClause, ...]:
        """Clauses decided per paragraph."""
        return self.of(PARAGRAPH_FIELDS)

    def __bool__(self) -> bool:
        return bool(self.clauses)


def report_matches(clause: FilterClause, facts: ReportFacts) -> bool:
    """True if a report with these facts passes ``clause``."""
    if clause.field == "region":
        return clause.accepts(facts.region_keys.__contains__)
    if clause.field == "year":
        year = facts.year
        return clause.accepts(lambda r: year is not None and r[0] <= year <= r[1])
    if clause.field == "report":
        return clause.accepts(lambda v: v == facts.report_id)
    if clause.field == "kind":
        return clause.accepts(lambda v: bool(facts.kind) and v in facts.kind)
    return clause.accepts(lambda v: v == facts.level)  # level


def paragraph_matches(clause: FilterClause, norm_path: str) -> bool:
    """True if a paragraph under the normalized section path passes ``clause``."""
    if clause.field == "section":
        top = norm_path.split(SEPARATOR, 1)[0]
        return clause.accepts(lambda v: bool(norm_path) and v == top)
    return clause.accepts(lambda v: textmatch.contains(norm_path, v))  # heading


@dataclass(frozen=True)
class ReportFacts:
    """What report-level filters look at, normalized once per report."""

    report_id: str
    year: int | None
    kind: str  # normalized
    level: str  # canonical
    region_keys: frozenset[str]  # full and short names of the region and every ancestor


def region_path(meta) -> tuple[str, ...]:
    """A report's region path from the top (its region alone when no path is known)."""
    return tuple(meta.region_path) or ((meta.region,) if meta.region else ())


def report_facts(report) -> ReportFacts:
    """The filterable facts of a :class:`~indexer.model.Report`."""
    meta = report.meta
    keys = frozenset(k for name in region_path(meta) for k in region_short_forms(name))
    level = level_key(meta.level) or ""
    return ReportFacts(report.id, meta.year, normalize(meta.kind), level, keys)


def _requested(request: SearchRequest, parsed: ParsedQuery):
    """(name, values, negated, source, spans) for every filter, URL parameters first."""
    for name in ("section", "heading", *REPORT_FIELDS):
        if values := getattr(request, name):
            yield name, values, False, "url", ()
    for f in parsed.filters:
        yield f.name, f.values, f.negated, "query", f.spans


def resolve_filters(
    request: SearchRequest, parsed: ParsedQuery, regions: RegionIndex | None = None
) -> tuple[Filters, tuple[ActiveFilter, ...]]:
    """Combine URL and in-query filters; describe each in plain words."""
    clauses, active = [], []
    for name, values, negated, source, spans in _requested(request, parsed):
        clauses.append(FilterClause(name, tuple(_value(name, v) for v in values), negated))
        shown = [_shown(name, v, regions) for v in values]
        description = ("排除 " if negated else "") + f"{FIELD_NAMES[name]}：" + " 或 ".join(shown)
        active.append(ActiveFilter(name, tuple(values), description, negated, source, spans))
    return Filters(tuple(clauses)), tuple(active)


def _value(name: str, value: str):
    """The normalized form a clause compares with."""
    if name == "year":
        return parse_years(value)
    if name == "report":
        return value
    if name == "level":
        key = level_key(value)
        if key is None:
            raise QueryError(
                "bad_level", "层级只能是 national（全国）、province（省级）、"
                "prefecture（地级）或 county（县级）。",
            )  # fmt: skip
        return key
    return normalize(value).strip()


def _shown(name: str, value: str, regions: RegionIndex | None) -> str:
    """How one value reads in a description."""
    if name == "heading":
        return f"包含“{value}”"
    if name == "level":
        return LEVELS.get(level_key(value) or "", value)
    if regions is None:
        return value
    if name == "report":
        return regions.report_titles.get(value, value)
    if name == "region":
        return regions.describe(value)
    return value


@dataclass(frozen=True)
class RegionIndex:
    """The regions and report titles of one corpus, for descriptions and suggestions."""

    names: dict[
        str, tuple[str, ...]
    ]  # typed form -> the region paths ("江苏省 › 苏州市") it covers
    report_titles: dict[str, str]

    @classmethod
    def build(cls, reports) -> RegionIndex:
        """Index every region (and ancestor) of ``reports`` by its full and short forms."""
        names: dict[str, dict[str, None]] = {}
        for report in reports:
            path = region_path(report.meta)
            for depth, name in enumerate(path, start=1):
                for form in region_short_forms(name):
                    names.setdefault(form, {})[" › ".join(path[:depth])] = None
        titles = {r.id: r.meta.title for r in reports}
        return cls({k: tuple(v) for k, v in names.items()}, titles)

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
