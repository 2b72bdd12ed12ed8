"""The objects a search returns; the API serializes them, the pages render them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class Hit:
    """One matching paragraph."""

    report_id: str
    report_title: str
    region: str
    year: int | None
    section: str  # top-level heading as written ("" before the first heading)
    section_path: tuple[str, ...]
    paragraph_id: str
    paragraph_number: int
    url: str  # permalink: /reports/<report_id>#<paragraph_id>
    text: str  # as written
    snippet: str  # HTML: escaped text with <mark> around matches, … where cut
    score: float
    missing_words: tuple[str, ...] = ()  # partial mode: the query's words this paragraph lacks


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One value of a facet and how many matching paragraphs have it."""

    value: str
    count: int
    label: str = ""  # human label when the value is an id (report facet)


@dataclass(frozen=True)
class ActiveFilter:
    """A filter in force, with a plain-language description."""

    name: str  # section | heading | region | year | report | kind | level
    values: tuple[str, ...]  # as given: any of them (none of them when negated)
    description: str  # e.g. 章节：包含“不足”, 排除 年份：2026, 地区：上海（上海市）
    negated: bool = False
    source: str = "url"  # "url" (a parameter) or "query" (typed in q)
    spans: tuple[tuple[int, int], ...] = ()  # where it was typed in q (not serialized)

    def to_dict(self) -> dict:
        """The API's view of the filter."""
        return {"name": self.name, "values": list(self.values), "negated": self.negated,
                "description": self.description, "source": self.source}  # fmt: skip


@dataclass(frozen=True)
class Suggestion:
    """A search the user may have meant: the query ``q`` within ``region``."""

    q: str
    region: str
    label: str  # e.g. 只看太仓市的报告中的“不足”


@dataclass(frozen=True)
class ReportGroup:
    """One report's share of the hits (``group=report``): its total and best paragraphs."""

    report_id: str
    report_title: str
    region: str
    year: int | None
    total: int  # matching paragraphs in this report
    hits: tuple[Hit, ...]  # the best few, in the search's order


@dataclass(frozen=True)
class ResultsPage:
    """A page of results with counts and facets over all matches."""

    query: str
    mode: str  # "exact" | "relaxed" | "partial": the tier that answered
    total: int
    page: int
    size: int
    took_ms: float
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]]
    filters: tuple[ActiveFilter, ...] = ()
    sort: str = "relevance"
    relaxed_words: tuple[str, ...] = ()  # the words searched for in relaxed and partial mode
    within: str = "paragraph"  # "sentence" when all terms had to share one sentence
    unfiltered_total: int | None = None  # hits without the filters, when only they left none
    suggestions: tuple[Suggestion, ...] = ()  # e.g. the query with a region term as a filter
    group: str = "paragraph"  # "report": page and size count reports, ``groups`` holds them
    total_reports: int | None = None  # reports with hits (set when grouped by report)
    groups: tuple[ReportGroup, ...] = ()
    dropped_words: tuple[str, ...] = ()  # question and function words the fallback tiers left out
    did_you_mean: str | None = None  # a corrected query when the exact one found little
    notes: tuple[str, ...] = ()  # how the query was read (e.g. "and"/"not" as operators)

    @property
    def pages(self) -> int:
        """Number of pages (of reports when grouped by report)."""
        total = self.total_reports if self.group == "report" else self.total
        return max(1, -(-(total or 0) // self.size))

    def to_dict(self) -> dict:
        """The JSON API's response body."""
        data = asdict(replace(self, facets={}))  # facets by hand: asdict would copy each
        data["facets"] = {
            name: [{"value": f.value, "count": f.count, **({"label": f.label} if f.label else {})}
                   for f in values]
            for name, values in self.facets.items()
        }  # fmt: skip
        data["filters"] = [f.to_dict() for f in self.filters]
        if self.group != "report":  # the grouped fields belong to grouped answers only
            for key in ("group", "total_reports", "groups"):
                del data[key]
        return data
