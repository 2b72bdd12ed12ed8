"""Research tools over a search: trends by year, region, kind and level; export rows; feeds.

Each is the search continued: trends are facets over all hits, an export streams every hit in
ranked order from the engine, a feed asks for the hits of the most recently added reports.
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

from indexer.query.library import Library
from indexer.query.plan import FilterClause
from indexer.query.request import SearchRequest
from indexer.query.search import Answer, answer, hit, searcher_of

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
    """Matching paragraphs and reports for one year or region."""

    value: str
    paragraphs: int
    reports: int


@dataclass(frozen=True)
class Trends:
    """How often a query matches, per year and per region."""

    query: str
    mode: str
    total: int
    reports: int
    by_year: tuple[TrendPoint, ...]
    by_region: tuple[TrendPoint, ...]
    by_kind: tuple[TrendPoint, ...] = ()
    by_level: tuple[TrendPoint, ...] = ()

    def to_dict(self) -> dict:
        """The /api/trends response body."""
        return asdict(self)


def trends(library: Library | Searcher, request: SearchRequest) -> Trends:
    """Count matching paragraphs and reports per year (ascending), region, kind and level."""
    searcher = searcher_of(library)
    a = answer(searcher, request)
    per_report = dict(searcher.facet_values(a.plan, "report"))
    metas = {s.id: s.meta for s in searcher.summaries() if s.id in per_report}
    tables: dict[str, dict[str, list]] = {
        name: defaultdict(lambda: [0, 0]) for name in ("year", "region", "kind", "level")
    }
    for report_id, paragraphs in per_report.items():
        meta = metas[report_id]
        keys = {"year": str(meta.year or ""), "region": meta.region, "kind": meta.kind,
                "level": meta.level}  # fmt: skip
        for name, key in keys.items():
            if key:
                tables[name][key][0] += paragraphs
                tables[name][key][1] += 1

    def points(name: str, by_count: bool = True) -> tuple[TrendPoint, ...]:
        order = (lambda kv: (-kv[1][0], kv[0])) if by_count else (lambda kv: kv[0])
        return tuple(TrendPoint(k, v[0], v[1]) for k, v in sorted(tables[name].items(), key=order))

    return Trends(request.q, a.mode, a.result.total, len(per_report),
                  points("year", by_count=False), points("region"), points("kind"),
                  points("level"))  # fmt: skip


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
