"""Research tools over a search: trends by year, region, kind and level; export rows; feeds.

Each is the search continued: trends are facets over all hits set against the same facets over
everything the filters let through (so a year with more reports does not look like a year with
more interest), an export streams every hit in ranked order from the engine, a feed asks for the
hits of the most recently added reports.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

from indexer.model import ReportMeta
from indexer.query.filters import LEVELS, region_path
from indexer.query.library import Library
from indexer.query.parse import QueryError
from indexer.query.plan import FilterClause, HitKey, Plan
from indexer.query.request import SearchRequest
from indexer.query.search import Answer, answer, hit, searcher_of
from indexer.query.snippets import count_occurrences

if TYPE_CHECKING:  # the engines import the query layer's plan
    from indexer.engines.base import Searcher

EXPORT_FIELDS = (
    "report_id", "report_title", "region", "level", "year", "kind", "published", "source_url",
    "section_path", "paragraph_number", "paragraph_id", "url", "text",
)  # fmt: skip
# A spreadsheet reads a cell starting with one of these as a formula (OWASP: CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class TrendPoint:
    """One year, region, kind or level: what the collection holds there, and what matches.

    ``reports_indexed`` counts the reports passing the filters whatever the query; ``share`` is
    ``reports / reports_indexed`` (None where nothing is indexed: a gap, not a zero);
    ``mentions`` counts occurrences (None when the search is too broad to read them all).
    """

    value: str
    paragraphs: int
    reports: int
    reports_indexed: int = 0
    share: float | None = None
    mentions: int | None = None


@dataclass(frozen=True)
class Coverage:
    """Which reports of one level the collection holds: how many, over which years."""

    level: str
    label: str
    reports: int
    first_year: int | None
    last_year: int | None
    years: int

    @property
    def text(self) -> str:
        """``1954–2025：52 份全国报告``."""
        years = ""
        if self.first_year:
            years = str(self.first_year)
            if self.last_year != self.first_year:
                years += f"–{self.last_year}"
            years += "："
        return f"{years}{self.reports} 份{self.label}报告"


@dataclass(frozen=True)
class Trends:
    """How often a query matches, per year, region, kind and level, against what is indexed."""

    query: str
    mode: str
    total: int
    reports: int
    by_year: tuple[TrendPoint, ...]
    by_region: tuple[TrendPoint, ...]
    by_kind: tuple[TrendPoint, ...] = ()
    by_level: tuple[TrendPoint, ...] = ()
    reports_indexed: int = 0
    mentions: int | None = None
    coverage: tuple[Coverage, ...] = ()
    filters: tuple[str, ...] = ()  # the active filters in plain words

    def to_dict(self) -> dict:
        """The /api/trends response body."""
        body = asdict(self)
        body["coverage"] = [{**asdict(c), "text": c.text} for c in self.coverage]
        return body


TREND_FIELDS = ("year", "region", "kind", "level")
MAX_PARAGRAPHS = 20_000  # matching paragraphs read one by one to count occurrences


def trends(library: Library | Searcher, request: SearchRequest) -> Trends:
    """Count reports indexed, reports, paragraphs and mentions per year (every year in range)."""
    searcher = searcher_of(library)
    a = answer(searcher, request)
    per_report = dict(searcher.facet_values(a.plan, "report"))
    indexed = reports_indexed(searcher, a.plan)
    mentions = mentions_per_report(searcher, a) if a.result.total <= MAX_PARAGRAPHS else None
    metas = {s.id: s.meta for s in searcher.summaries() if s.id in indexed}
    tables: dict[str, dict[str, list]] = {name: defaultdict(lambda: [0, 0, 0, 0])
                                          for name in TREND_FIELDS}  # fmt: skip
    for report_id in indexed:
        meta = metas[report_id]
        # A report counts for every region of its path, as the region filter selects it.
        keys = {"year": [str(meta.year or "")], "region": region_path(meta), "kind": [meta.kind],
                "level": [meta.level]}  # fmt: skip
        counts = (per_report.get(report_id, 0), int(report_id in per_report),
                  (mentions or {}).get(report_id, 0), 1)  # fmt: skip
        for name, values in keys.items():
            for row in (tables[name][key] for key in values if key):
                for i, n in enumerate(counts):
                    row[i] += n
    _fill_years(tables["year"])
    points = {name: _points(tables[name], mentions is not None, name != "year")
              for name in TREND_FIELDS}  # fmt: skip
    return Trends(
        request.q, a.mode, a.result.total, len(per_report), points["year"], points["region"],
        points["kind"], points["level"], len(indexed),
        sum(mentions.values()) if mentions is not None else None,
        coverage(metas.values()), tuple(f.description for f in a.filters),
    )  # fmt: skip


def reports_indexed(searcher: Searcher, plan: Plan) -> set[str]:
    """The reports with a paragraph passing ``plan``'s filters, whatever its query."""
    if not plan.filters:
        return {s.id for s in searcher.summaries() if s.paragraphs}
    return {value for value, _ in searcher.facet_values(Plan(filters=plan.filters), "report")}


def hits_by_report(searcher: Searcher, a: Answer) -> dict[str, list[HitKey]]:
    """Every hit of the plan, grouped by report in order of first appearance."""
    grouped: dict[str, list[HitKey]] = {}
    for key in searcher.iter_hits(a.plan):
        grouped.setdefault(key.report_id, []).append(key)
    return grouped


def check_breadth(a: Answer) -> None:
    """Refuse a search whose matching paragraphs are too many to read one by one."""
    if a.result.total > MAX_PARAGRAPHS:
        raise QueryError(
            "too_broad",
            f"匹配的段落太多（{a.result.total} 段，上限 {MAX_PARAGRAPHS} 段）：请加上年份、地区等"
            "筛选条件，或换一个更具体的词。",
        )


def mentions_per_report(searcher: Searcher, a: Answer) -> dict[str, int]:
    """Occurrences of the search's terms in its matching paragraphs, per report."""
    out = {}
    for report_id, keys in hits_by_report(searcher, a).items():
        found = (searcher.passage(report_id, k.paragraph) for k in keys)  # no report decoded
        out[report_id] = sum(count_occurrences(f.paragraph.text, a.parts) for f in found if f)
    return out


def _fill_years(table: dict[str, list]) -> None:
    """Add every year between the first and the last with a report, as an empty row."""
    years = [int(y) for y in table if y.isdigit()]
    for year in range(min(years, default=0), max(years, default=-1) + 1):
        table[str(year)]  # a defaultdict: the row appears, all zeros


def _points(table: dict[str, list], counted: bool, by_count: bool) -> tuple[TrendPoint, ...]:
    """Rows as points: years ascending; the others by paragraphs, then reports indexed."""

    def order(kv):
        return (-kv[1][0], -kv[1][3], kv[0]) if by_count else kv[0]

    return tuple(
        TrendPoint(
            value,
            paragraphs,
            reports,
            indexed,
            round(reports / indexed, 4) if indexed else None,
            mentions if counted else None,
        )  # fmt: skip
        for value, (paragraphs, reports, mentions, indexed) in sorted(table.items(), key=order)
    )


def coverage(metas: Iterable[ReportMeta]) -> tuple[Coverage, ...]:
    """Per level (national first): how many reports, from which year to which."""
    groups: dict[str, list] = defaultdict(list)
    for meta in metas:
        groups[meta.level].append(meta.year)
    order = [*LEVELS, ""]
    out = []
    for level in sorted(groups, key=lambda lv: order.index(lv) if lv in order else len(order)):
        years = [y for y in groups[level] if y]
        out.append(Coverage(level, LEVELS.get(level, "其他"), len(groups[level]),
                            min(years, default=None), max(years, default=None),
                            len(set(years))))  # fmt: skip
    return tuple(out)


def export_rows(library: Library | Searcher, request: SearchRequest) -> Iterator[dict]:
    """Every hit of the search (not just a page), in ranked order, as flat dicts."""
    searcher = searcher_of(library)
    a = answer(searcher, request)
    for key in searcher.iter_hits(a.plan):
        report = searcher.load_report(key.report_id)
        yield _row(report, report.paragraphs[key.paragraph])


def _row(report, para) -> dict:
    return {
        "report_id": report.id,
        "report_title": report.meta.title,
        "region": report.meta.region,
        "level": report.meta.level,
        "year": report.meta.year,
        "kind": report.meta.kind,
        "published": report.meta.published,
        "source_url": report.meta.source_url,
        "section_path": list(para.section_path),
        "paragraph_number": para.number,
        "paragraph_id": para.id,
        "url": f"/reports/{report.id}#{para.id}",
        "text": para.text,
    }


def csv_chunks(rows: Iterable[dict], base_url: str = "") -> Iterator[str]:
    """CSV text in chunks, starting with a UTF-8 BOM so spreadsheets read Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writeheader()
    for row in rows:
        flat = {
            **row,
            "url": base_url + row["url"],
            "section_path": " › ".join(row["section_path"]),
        }
        writer.writerow({k: neutralize(v) for k, v in flat.items()})
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def neutralize(value):
    """A CSV cell a spreadsheet will show as text: a leading formula character gets a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def export_filename(query: str, extension: str) -> str:
    """A download name derived from the query: govsearch-营商环境.csv."""
    stem = re.sub(r"[^\w\u4e00-\u9fff]+", "_", query).strip("_")[:60]
    return f"govsearch-{stem or 'export'}.{extension}"


def jsonl_chunks(rows: Iterable[dict], base_url: str = "") -> Iterator[str]:
    """JSON Lines, one hit per line."""
    for row in rows:
        yield json.dumps({**row, "url": base_url + row["url"]}, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class FeedEntry:
    """One paragraph in a search's Atom feed."""

    id: str  # stable: tag URI from report id and paragraph id
    title: str
    updated: str  # when the report was first indexed
    url: str
    report_title: str
    section_path: tuple[str, ...]
    snippet: str  # HTML with <mark>
    text: str


def feed_entries(
    library: Library | Searcher, request: SearchRequest, limit: int = 50
) -> list[FeedEntry]:
    """Matching paragraphs of the most recently added reports first, in reading order."""
    searcher = searcher_of(library)
    a = answer(searcher, request)
    newest = sorted(searcher.summaries(), key=lambda s: (s.added, s.meta.year or 0, s.id),
                    reverse=True)  # fmt: skip
    added = {s.id: s.added for s in newest}
    entries: list[FeedEntry] = []
    for start in range(0, len(newest), FEED_BATCH):
        if len(entries) >= limit:
            break
        batch = [s.id for s in newest[start : start + FEED_BATCH]]
        entries.extend(_feed_batch(searcher, a, batch, added, limit - len(entries)))
    return entries


FEED_BATCH = 20  # reports asked for at a time, newest first


def _feed_batch(searcher: Searcher, a: Answer, batch: list[str], added: dict, limit: int):
    """Feed entries for the hits in ``batch``'s reports, newest report first."""
    only = FilterClause("report", tuple(batch))
    keys = list(searcher.iter_hits(replace(a.plan, filters=(*a.plan.filters, only))))
    rank = {report_id: i for i, report_id in enumerate(batch)}
    keys.sort(key=lambda k: (rank[k.report_id], k.paragraph))
    for key in keys[:limit]:
        h = hit(searcher, a, key)
        where = " › ".join(h.section_path[:1]) or "正文"
        yield FeedEntry(
            id=f"tag:govsearch,2026:{h.report_id}/{h.paragraph_id}",
            title=f"{h.report_title} · {where} · 第{h.paragraph_number}段",
            updated=added.get(h.report_id) or "1970-01-01T00:00:00Z", url=h.url,
            report_title=h.report_title, section_path=h.section_path,
            snippet=h.snippet, text=h.text,
        )  # fmt: skip
