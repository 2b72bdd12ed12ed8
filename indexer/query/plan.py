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
* a plan without clauses matches every paragraph that passes the filters;
* ``partial`` (the third tier of a search, :class:`Partial`): the paragraph must also hold
  enough of the partial words — the units of the words that occur in it add up to at least
  :attr:`Partial.minimum` (:func:`partial_match`). Relevance then ranks by the weighted
  share of the words that occur (:func:`partial_share`), before any other score.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property
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


UNITS = 3  # the heaviest partial word counts this many units; every word at least one


@dataclass(frozen=True)
class Partial:
    """Enough of ``words``: a paragraph qualifies if the words it holds weigh ``min_share``.

    ``weights`` (one per word, positive) rank; the threshold is counted in whole units,
    ``round(UNITS * weight / heaviest)``, at least 1 per word, so that an engine can count it
    with a minimum-should-match of repeated clauses: :attr:`units` and :attr:`minimum`.
    """

    words: tuple[str, ...]
    weights: tuple[float, ...]
    min_share: float

    def __post_init__(self) -> None:
        if not self.words or len(self.words) != len(self.weights) or not all(self.words):
            raise ValueError("a partial plan needs non-empty words, one weight each")
        if len(set(self.words)) != len(self.words) or min(self.weights) <= 0:
            raise ValueError("partial words must be distinct, with positive weights")
        if not 0 < self.min_share <= 1:
            raise ValueError(f"min_share must be in (0, 1], got {self.min_share!r}")

    @cached_property
    def units(self) -> tuple[int, ...]:
        """Each word's weight in whole units (1 to UNITS)."""
        top = max(self.weights)
        return tuple(max(1, round(UNITS * w / top)) for w in self.weights)

    @cached_property
    def minimum(self) -> int:
        """The units a paragraph's words must add up to."""
        return max(1, math.ceil(self.min_share * sum(self.units) - 1e-9))


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
    partial: Partial | None = None

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
        if self.partial is not None and self.within == "sentence":
            raise ValueError("a partial plan is answered per paragraph, not per sentence")


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


def partial_match(text: str, partial: Partial) -> bool:
    """True if the partial words that occur in normalized ``text`` weigh enough units."""
    found = sum(u for w, u in zip(partial.words, partial.units, strict=True) if contains(text, w))
    return found >= partial.minimum


def partial_share(text: str, partial: Partial) -> float:
    """The weighted share (0 to 1) of the partial words that occur in normalized ``text``."""
    pairs = zip(partial.words, partial.weights, strict=True)
    return sum(w for word, w in pairs if contains(text, word)) / sum(partial.weights)
