"""Advanced search: a form's fields as the ordinary query string, and a query back as fields.

The form (all of these words, this exact phrase, any of these, none of these, same sentence,
in a heading, region, level, kind, year range, sort) is only a way to write a query: it
becomes ``q`` (plus ``sort``), so every advanced search is a shareable link, the plain search
box shows what it means, and parsing it gives the plan the fields describe.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from indexer.query.filters import level_key, region_path
from indexer.query.parse import (
    FOREIGN_OPERATORS,
    QUOTES,
    SENTENCE_OPERATORS,
    ParsedQuery,
    QueryError,
    Term,
    parse_query,
)
from indexer.query.request import SORTS, parse_years

if TYPE_CHECKING:  # the engines import the query layer's plan
    from indexer.engines.base import Searcher

SAME_SENTENCE = SENTENCE_OPERATORS[0]  # ~句
_WORDS = re.compile(r"\s+")
_FIELD_LIMIT = 64  # characters per form field


@dataclass(frozen=True)
class AdvancedSearch:
    """The advanced form's fields, as typed (word lists are separated by spaces)."""

    all_words: str = ""
    phrase: str = ""
    any_words: str = ""
    none_words: str = ""
    same_sentence: bool = False
    heading: str = ""
    region: str = ""
    level: str = ""
    kind: str = ""
    year_from: str = ""
    year_to: str = ""
    sort: str = "relevance"

    @classmethod
    def from_args(cls, args: Mapping) -> AdvancedSearch:
        """Read the form's parameters; blank, unknown or overlong values are left out."""
        values = {}
        for f in fields(cls):
            raw = without_surrogates(str(args.get(f.name) or "")).strip()[:_FIELD_LIMIT]
            values[f.name] = raw not in ("", "0", "off") if f.type == "bool" else raw
        if values["sort"] not in SORTS:
            values["sort"] = "relevance"
        for name in ("year_from", "year_to"):
            if not re.fullmatch(r"\d{4}", values[name]):
                values[name] = ""
        return cls(**values)

    @property
    def is_blank(self) -> bool:
        """True if no field asks for anything (sort alone is no search)."""
        return self == AdvancedSearch(sort=self.sort)


def without_surrogates(text: str) -> str:
    """``text`` without NUL and lone surrogates (which no page or URL can carry)."""
    return "".join(c for c in text if c != "\x00" and not 0xD800 <= ord(c) <= 0xDFFF)


def words(text: str) -> list[str]:
    """A word list field split on whitespace (full-width spaces included)."""
    return [w for w in _WORDS.split(text) if w]


def term_token(text: str, negated: bool = False) -> str:
    """``text`` written so that the parser reads it back as one term, quoted only if needed."""
    sign = "-" if negated else ""
    bare = f"{sign}{text}"
    parsed = parse_query(bare)
    found = parsed.excluded if negated else [t for clause in parsed.clauses for t in clause]
    if (
        text.lower() not in FOREIGN_OPERATORS  # alone it is text, beside other words an operator
        and len(found) == 1
        and found[0].text == text
        and not parsed.filters
        and len(parsed.clauses) <= 1
    ):
        return bare
    for opening, closing in QUOTES.items():
        if opening not in text and closing not in text:
            return f"{sign}{opening}{text}{closing}"
    return (
        f"{sign}{text.translate({ord(c): ' ' for c in ''.join(QUOTES) + ''.join(QUOTES.values())})}"
    )


def build_query(form: AdvancedSearch, years: tuple[int, int] | None = None) -> str:
    """The query string the form's fields describe (sort is a URL parameter, not part of it).

    ``years`` are the collection's first and last years, to close a range given by one end.
    """
    parts = [term_token(w) for w in words(form.all_words)]
    if form.phrase.strip():
        parts.append(term_token(" ".join(words(form.phrase))))
    if any_of := words(form.any_words):
        parts.append(" OR ".join(term_token(w) for w in any_of))
    parts += [term_token(w, negated=True) for w in words(form.none_words)]
    if form.same_sentence:
        parts.append(SAME_SENTENCE)
    for name in ("heading", "region", "kind"):
        value = "".join(words(getattr(form, name))).strip('"“”「」『』')
        if value:
            parts.append(f"{name}:{value}")
    if level := level_key(form.level) if form.level else None:
        parts.append(f"level:{level}")
    if span := year_span(form.year_from, form.year_to, years):
        parts.append(f"year:{span}")
    return " ".join(parts)


def year_span(low: str, high: str, years: tuple[int, int] | None = None) -> str:
    """``2020-2024`` (or ``2024``) from two ends, either of which may be blank."""
    if not low and not high:
        return ""
    first, last = years or (1949, 2100)
    lo, hi = int(low or min(first, int(high))), int(high or max(last, int(low)))
    lo, hi = min(lo, hi), max(lo, hi)
    return str(lo) if lo == hi else f"{lo}-{hi}"


def search_params(form: AdvancedSearch, years: tuple[int, int] | None = None) -> list:
    """The search URL's parameters for the form: ``q``, and ``sort`` unless the default."""
    params = [("q", build_query(form, years))]
    if form.sort != "relevance":
        params.append(("sort", form.sort))
    return params


def from_query(q: str, sort: str = "relevance") -> AdvancedSearch | None:
    """The form that writes ``q``, or None if the form cannot express it (its fields stay blank)."""
    try:
        parsed = parse_query(q)
    except QueryError:  # e.g. ``term OR field:value``: the search page explains it
        return None
    fill: dict[str, str | bool] = {"sort": sort if sort in SORTS else "relevance",
                                   "same_sentence": parsed.within == "sentence"}  # fmt: skip
    all_words, any_words = [], []
    for clause in parsed.clauses:
        if len(clause) > 1 and not any_words:
            any_words = list(clause)
        elif len(clause) == 1 and clause[0].quoted and "phrase" not in fill:
            fill["phrase"] = clause[0].text
        elif len(clause) == 1:
            all_words.append(clause[0])
        else:
            return None
    fill["all_words"] = " ".join(t.text for t in all_words)
    fill["any_words"] = " ".join(t.text for t in any_words)
    fill["none_words"] = " ".join(t.text for t in parsed.excluded)
    for f in parsed.filters:
        if f.negated or len(f.values) > 1 or f.name == "report" or f.name in fill:
            return None
        if f.name == "year":
            try:
                low, high = parse_years(f.values[0])
            except QueryError:  # a year the search page will refuse with its message
                return None
            fill["year_from"], fill["year_to"] = str(low), str(high)
        fill[f.name] = f.values[0]
    fill.pop("year", None)
    form = AdvancedSearch(**fill)
    return form if _same(parse_query(build_query(form)), parsed) else None


def _same(a: ParsedQuery, b: ParsedQuery) -> bool:
    """True if two parsed queries ask for the same (order of clauses aside)."""

    def norms(clauses: tuple[tuple[Term, ...], ...]) -> set:
        return {frozenset(t.norm for t in clause) for clause in clauses}

    def filters(q: ParsedQuery) -> set:
        return {(f.name, f.values, f.negated) for f in q.filters}

    return (norms(a.clauses) == norms(b.clauses) and {t.norm for t in a.excluded}
            == {t.norm for t in b.excluded} and a.within == b.within
            and filters(a) == filters(b))  # fmt: skip


def region_options(searcher: Searcher) -> list[tuple[int, str]]:
    """The collection's regions as a tree in reading order: (depth, name), 全国 first."""
    paths = {region_path(s.meta) for s in searcher.summaries()}
    nodes = sorted({path[:depth] for path in paths if path for depth in range(1, len(path) + 1)},
                   key=lambda p: (p[0] != "全国", p))  # fmt: skip
    return [(len(node) - 1, node[-1]) for node in nodes]


def year_bounds(searcher: Searcher) -> tuple[int, int] | None:
    """The collection's first and last report years (None if no report has one)."""
    years = [s.meta.year for s in searcher.summaries() if s.meta.year]
    return (min(years), max(years)) if years else None
