"""What a search asks for, independent of the engine that answers it.

The query layer turns a request into a :class:`Plan`; an engine answers it with an
:class:`EngineResult` (total, facets over all hits, one ranked page of :class:`HitKey`) or a
stream of every hit. Everything here is plain frozen data plus the reference meaning of
``within="sentence"``: no engine is imported.

Meaning of a plan, over normalized text (:func:`indexer.normalize.normalize`), where "occurs"
is :func:`indexer.textmatch.contains`:

* a paragraph matches if every clause has an alternative whose parts all occur in it, no
  excluded term occurs in it, and it passes every filter;
* ``within="sentence"``: every clause must be met inside one sentence (:func:`sentence_match`);
  exclusions and filters still apply to the whole paragraph;
* a plan without clauses matches every paragraph that passes the filters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from indexer.query.sentences import split as split_sentences
from indexer.textmatch import contains

Alternative = tuple[str, ...]  # normalized parts that must all occur
Clause = tuple[Alternative, ...]  # at least one alternative must be met
Within = Literal["paragraph", "sentence"]
Sort = Literal["relevance", "year_desc", "year_asc"]
FilterField = Literal["report", "region", "level", "kind", "year", "section", "heading"]

FILTER_FIELDS = ("report", "region", "level", "kind", "year", "section", "heading")
FACETS = ("section", "report", "region", "year", "level", "kind")
SORTS = ("relevance", "year_desc", "year_asc")
SENTENCE_ENDS = "。！？；!?;"
_YEARS = re.compile(r"^(\d{1,4})-(\d{1,4})$")


@dataclass(frozen=True)
class FilterClause:
    """Paragraphs whose ``field`` has any of ``values`` (excluded instead when ``negated``).

    * report, level, kind: equality with the report's value;
    * region: the report's region path (its region and every enclosing one) holds the value;
    * year: each value is an inclusive range ``"lo-hi"`` (``"2024-2024"`` for one year);
    * section: equality with the paragraph's normalized top-level heading;
    * heading: the value occurs in one heading of the paragraph's section path.
    """

    field: FilterField
    values: tuple[str, ...]
    negated: bool = False

    def __post_init__(self) -> None:
        if self.field not in FILTER_FIELDS:
            raise ValueError(f"unknown filter field {self.field!r}")
        if not self.values or not all(self.values):
            raise ValueError(f"filter {self.field} needs non-empty values")
        if self.field == "year":
            for value in self.values:
                year_range(value)


def year_range(value: str) -> tuple[int, int]:
    """Parse ``"lo-hi"`` into an inclusive range of years."""
    match = _YEARS.match(value)
    if not match or int(match.group(1)) > int(match.group(2)):
        raise ValueError(f"a year filter value is 'lo-hi', got {value!r}")
    return int(match.group(1)), int(match.group(2))


@dataclass(frozen=True)
class Plan:
    """Clauses (all required) of alternatives, exclusions, filters, scope, order and page."""

    clauses: tuple[Clause, ...] = ()
    excluded: tuple[str, ...] = ()
    filters: tuple[FilterClause, ...] = ()
    within: Within = "paragraph"
    sort: Sort = "relevance"
    offset: int = 0
    size: int = 20

    def __post_init__(self) -> None:
        parts = [p for clause in self.clauses for alt in clause for p in alt]
        if any(not clause or not all(clause) for clause in self.clauses):
            raise ValueError("every clause needs alternatives with at least one part")
        if not all(parts) or not all(self.excluded):
            raise ValueError("terms must be non-empty")
        if self.within not in ("paragraph", "sentence"):
            raise ValueError(f"within must be paragraph or sentence, got {self.within!r}")
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, got {self.sort!r}")
        if self.offset < 0 or self.size < 0:
            raise ValueError("offset and size must not be negative")


@dataclass(frozen=True)
class HitKey:
    """One matching paragraph: its report, its 0-based ordinal there, and its score."""

    report_id: str
    paragraph: int
    score: float


@dataclass(frozen=True)
class EngineResult:
    """Total and facets over all hits, and the requested page of hits in the plan's order.

    ``facets[name]`` is ``((value, paragraphs), ...)``, most paragraphs first, ties by value.
    """

    total: int
    facets: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    page: tuple[HitKey, ...] = ()


def sentence_match(text: str, clauses: tuple[Clause, ...]) -> bool:
    """True if one sentence of normalized ``text`` meets every clause."""
    return any(
        all(any(all(contains(s, p) for p in alt) for alt in clause) for clause in clauses)
        for s in split_sentences(text)
    )


def sentence_is_paragraph(clauses: tuple[Clause, ...]) -> bool:
    """True if meeting ``clauses`` in a sentence is the same as meeting them in the paragraph.

    That holds for one clause whose alternatives are single parts without a sentence end
    before their last character: an occurrence then lies inside one sentence, and the
    boundary rule gives the same answer there as in the paragraph, because a sentence
    starts and ends next to a mark that is neither a letter, a digit nor a point.
    """
    if len(clauses) != 1:
        return False
    return all(
        len(alt) == 1 and not any(ch in SENTENCE_ENDS for ch in alt[0][:-1]) for alt in clauses[0]
    )
