"""A validated search request: the parameters shared by the API, the pages and the CLI."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from indexer.query.parse import QueryError

SORTS = ("relevance", "year_desc", "year_asc")
GROUPS = ("paragraph", "report")
_YEAR_RE = re.compile(r"^\s*(\d{4})\s*(?:[-–~至]\s*(\d{4})\s*)?$")


@dataclass(frozen=True)
class Limits:
    """Bounds that keep every request cheap; exceeding one is a 400 with a clear message."""

    max_query_chars: int = 256
    max_terms: int = 16
    max_size: int = 100
    default_size: int = 20
    max_depth: int = 10_000  # page * size


FILTER_PARAMS = ("section", "heading", "region", "year", "report", "kind", "level")
MAX_FILTER_VALUES = 50  # values of one filter parameter (a union): keeps every request cheap


@dataclass(frozen=True)
class SearchRequest:
    """What a user asked for; each filter parameter holds a union of values."""

    q: str
    section: tuple[str, ...] = ()
    heading: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    report: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    size: int = 20
    within: str = "paragraph"
    kind: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    group: str = "paragraph"  # "report": one entry per report, page and size count reports

    def filter_params(self) -> list[tuple[str, str]]:
        """The filter parameters as (name, value) pairs, in URL order."""
        return [(name, v) for name in FILTER_PARAMS for v in getattr(self, name)]

    @classmethod
    def from_args(cls, args: Mapping, limits: Limits = Limits()) -> SearchRequest:
        """Validate raw string parameters (a URL query string; repeated filters are a union)."""

        def clean(name: str, value: str | None) -> str:
            value = value or ""
            if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
                raise QueryError("bad_parameter", f"参数 {name} 含有无效的字符。")
            return value.replace("\x00", "").strip()

        def text(name: str) -> str:
            return clean(name, args.get(name))

        def values(name: str) -> tuple[str, ...]:
            raw = args.getlist(name) if hasattr(args, "getlist") else args.get(name)
            raw = list(raw) if isinstance(raw, list | tuple) else [raw]
            found = tuple(dict.fromkeys(v for v in (clean(name, r) for r in raw) if v))
            if len(found) > MAX_FILTER_VALUES:
                raise QueryError(
                    "too_many_values", f"参数 {name} 最多可以有 {MAX_FILTER_VALUES} 个值。"
                )
            return found

        q = text("q")
        if len(q) > limits.max_query_chars:
            raise QueryError(
                "query_too_long", f"查询太长了：最多 {limits.max_query_chars} 个字符。"
            )
        sort = text("sort") or "relevance"
        if sort not in SORTS:
            raise QueryError(
                "bad_sort",
                "排序方式只能是 relevance（相关度）、year_desc（年份从新到旧）或 year_asc（年份从旧到新）。",
            )
        page = _int(text("page"), "page", 1, 1, None)
        size = _int(text("size"), "size", limits.default_size, 1, limits.max_size)
        if page * size > limits.max_depth:
            raise QueryError(
                "page_too_deep",
                f"翻得太深了：页码 × 每页条数不能超过 {limits.max_depth}，请缩小搜索范围。",
            )
        years = values("year")
        for year in years:
            parse_years(year)
        within = text("within") or "paragraph"
        if within not in ("paragraph", "sentence"):
            raise QueryError("bad_within", "within 参数只能是 paragraph 或 sentence。")
        group = text("group") or "paragraph"
        if group not in GROUPS:
            raise QueryError(
                "bad_group", "group 参数只能是 paragraph（按段落）或 report（按报告）。"
            )
        return cls(q, values("section"), values("heading"), values("region"), years,
                   values("report"), sort, page, size, within, values("kind"),
                   values("level"), group)  # fmt: skip


def _int(raw: str, name: str, default: int, low: int, high: int | None) -> int:
    if not raw:
        return default
    label = {"page": "页码", "size": "每页条数"}.get(name, name)
    if not (raw.isascii() and raw.isdecimal()) or len(raw) > 9:
        raise QueryError(f"bad_{name}", f"{label}必须是整数。")
    value = int(raw)
    if value < low or (high is not None and value > high):
        bound = f"在 {low} 到 {high} 之间" if high else f"至少为 {low}"
        raise QueryError(f"bad_{name}", f"{label}必须{bound}。")
    return value


def parse_years(value: str) -> tuple[int, int]:
    """Parse ``2024`` or ``2019-2024`` into an inclusive range."""
    match = _YEAR_RE.match(value)
    if not match:
        raise QueryError("bad_year", "年份应写成 2024 这样的年份，或 2019-2024 这样的范围。")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if low > high:
        low, high = high, low
    return low, high
