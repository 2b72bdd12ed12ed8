"""The objects a search returns; the API serializes them, the pages render them."""

from __future__ import annotations

from dataclasses import asdict, dataclass


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


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet and how many matching paragraphs have it."""

    value: str
    count: int
    label: str = ""  # human label when the value is an id (report facet)


@dataclass(frozen=True)
class ActiveFilter:
    """A filter in force, with a plain-language description."""

    name: str  # section | heading | region | year | report
    value: str
    description: str  # e.g. 章节：包含“不足”


@dataclass(frozen=True)
class ResultsPage:
    """A page of results with counts and facets over all matches."""

    query: str
    mode: str  # "exact" | "relaxed"
    total: int
    page: int
    size: int
    took_ms: float
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]]
    filters: tuple[ActiveFilter, ...] = ()
    sort: str = "relevance"
    relaxed_words: tuple[str, ...] = ()  # the words required in relaxed mode
    within: str = "paragraph"  # "sentence" when all terms had to share one sentence

    @property
    def pages(self) -> int:
        """Number of pages."""
        return max(1, -(-self.total // self.size))

    def to_dict(self) -> dict:
        """The JSON API's response body."""
        data = asdict(self)
        data["facets"] = {
            name: [{"value": f.value, "count": f.count, **({"label": f.label} if f.label else {})}
                   for f in values]
            for name, values in self.facets.items()
        }  # fmt: skip
        data["filters"] = [asdict(f) for f in self.filters]
        return data
