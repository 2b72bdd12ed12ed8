"""A validated search request: the parameters shared by the API, the pages and the CLI."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from indexer.query.parse import QueryError

SORTS = ("relevance", "year_desc", "year_asc")
_YEAR_RE = re.compile(r"^\s*(\d{4})\s*(?:[-–~至]\s*(\d{4})\s*)?$")


@dataclass(frozen=True)
class Limits:
    """Bounds that keep every request cheap; exceeding one is a 400 with a clear message."""

    max_query_chars: int = 256
    max_terms: int = 16
    max_size: int = 100
    default_size: int = 20
    max_depth: int = 10_000  # page * size


@dataclass(frozen=True)
class SearchRequest:
    """What a user asked for."""

    q: str
    section: str = ""
    heading: str = ""
    region: str = ""
    year: str = ""
    report: str = ""
    sort: str = "relevance"
    page: int = 1
    size: int = 20
    within: str = "paragraph"

    @classmethod
    def from_args(cls, args: Mapping[str, str], limits: Limits = Limits()) -> SearchRequest:
        """Validate raw string parameters (e.g. a URL query string)."""

        def text(name: str) -> str:
            value = args.get(name) or ""
            if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
                raise QueryError("bad_parameter", f"{name} is not valid text")
            return value.replace("\x00", "").strip()

        q = text("q")
        if len(q) > limits.max_query_chars:
            raise QueryError(
                "query_too_long", f"query is longer than {limits.max_query_chars} characters"
            )
        sort = text("sort") or "relevance"
        if sort not in SORTS:
            raise QueryError("bad_sort", f"sort must be one of {', '.join(SORTS)}")
        page = _int(text("page"), "page", 1, 1, None)
        size = _int(text("size"), "size", limits.default_size, 1, limits.max_size)
        if page * size > limits.max_depth:
            raise QueryError(
                "page_too_deep",
                f"page × size may not exceed {limits.max_depth}; narrow the search instead",
            )
        year = text("year")
        if year:
            parse_years(year)
        within = text("within") or "paragraph"
        if within not in ("paragraph", "sentence"):
            raise QueryError("bad_within", "within must be paragraph or sentence")
        return cls(q, text("section"), text("heading"), text("region"), year, text("report"),
                   sort, page, size, within)  # fmt: skip


def _int(raw: str, name: str, default: int, low: int, high: int | None) -> int:
    if not raw:
        return default
    if not (raw.isascii() and raw.isdecimal()) or len(raw) > 9:
        raise QueryError(f"bad_{name}", f"{name} must be a whole number")
    value = int(raw)
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high else f"at least {low}"
        raise QueryError(f"bad_{name}", f"{name} must be {bound}")
    return value


def parse_years(value: str) -> tuple[int, int]:
    """Parse ``2024`` or ``2019-2024`` into an inclusive range."""
    match = _YEAR_RE.match(value)
    if not match:
        raise QueryError(
            "bad_year", "year must be a year such as 2024 or a range such as 2019-2024"
        )
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if low > high:
        low, high = high, low
    return low, high
