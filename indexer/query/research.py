"""Research tools over a match: trends by year and region, export rows, feed entries."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from indexer.query.library import Corpus, Library
from indexer.query.request import SearchRequest
from indexer.query.search import Match, hit, match, ranked

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


def trends(library: Library | Corpus, request: SearchRequest) -> Trends:
    """Count matching paragraphs and reports per year (ascending), region, kind and level."""
    m = match(library, request)
    corpus = m.corpus
    tables: dict[str, dict[str, list]] = {
        name: defaultdict(lambda: [0, set()]) for name in ("year", "region", "kind", "level")
    }
    for g in m.hits:
        r = corpus.report_of[g]
        meta = corpus.views[r].report.meta
        keys = {"year": str(meta.year or ""), "region": meta.region, "kind": meta.kind,
                "level": corpus.levels[r]}  # fmt: skip
        for name, key in keys.items():
            if key:
                tables[name][key][0] += 1
                tables[name][key][1].add(r)

    def points(name: str, by_count: bool = True) -> tuple[TrendPoint, ...]:
        order = (lambda kv: (-kv[1][0], kv[0])) if by_count else (lambda kv: kv[0])
        return tuple(
            TrendPoint(k, v[0], len(v[1])) for k, v in sorted(tables[name].items(), key=order)
        )

    reports = len({corpus.report_of[g] for g in m.hits})
    return Trends(request.q, m.mode, len(m.hits), reports, points("year", by_count=False),
                  points("region"), points("kind"), points("level"))  # fmt: skip


def export_rows(library: Library | Corpus, request: SearchRequest) -> Iterator[dict]:
    """Every hit of the search (not just a page), in ranked order, as flat dicts."""
    m = match(library, request)
    for g, _score in ranked(m):
        yield _row(m, g)


def _row(m: Match, g: int) -> dict:
    report, para = m.corpus.paragraph(g)
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
    library: Library | Corpus, request: SearchRequest, limit: int = 50
) -> list[FeedEntry]:
    """Matching paragraphs of the most recently added reports first."""
    m = match(library, request)
    corpus = m.corpus

    def recency(g: int) -> tuple:
        view = corpus.views[corpus.report_of[g]]
        return (view.added, view.report.meta.year or 0, -g)

    newest = sorted(m.hits, key=recency, reverse=True)[:limit]
    entries = []
    for g in newest:
        h = hit(m, g)
        view = corpus.views[corpus.report_of[g]]
        where = " › ".join(h.section_path[:1]) or "正文"
        entries.append(FeedEntry(
            id=f"tag:govsearch,2026:{h.report_id}/{h.paragraph_id}",
            title=f"{h.report_title} · {where} · 第{h.paragraph_number}段",
            updated=view.added or "1970-01-01T00:00:00Z", url=h.url,
            report_title=h.report_title, section_path=h.section_path,
            snippet=h.snippet, text=h.text,
        ))  # fmt: skip
    return entries
