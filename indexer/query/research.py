"""Research tools over a match: trends by year and region, export rows, feed entries."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from indexer.query.library import Corpus, Library
from indexer.query.request import SearchRequest
from indexer.query.search import Match, hit, match, ranked

EXPORT_FIELDS = (
    "report_id", "report_title", "region", "year", "kind", "published", "section_path",
    "paragraph_number", "paragraph_id", "url", "text",
)  # fmt: skip


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

    def to_dict(self) -> dict:
        """The /api/trends response body."""
        return asdict(self)


def trends(library: Library | Corpus, request: SearchRequest) -> Trends:
    """Count matching paragraphs and reports per year (ascending) and per region."""
    m = match(library, request)
    corpus = m.corpus
    years: dict[str, list] = defaultdict(lambda: [0, set()])
    regions: dict[str, list] = defaultdict(lambda: [0, set()])
    for g in m.hits:
        r = corpus.report_of[g]
        meta = corpus.views[r].report.meta
        for table, key in ((years, str(meta.year or "")), (regions, meta.region)):
            if key:
                table[key][0] += 1
                table[key][1].add(r)
    by_year = tuple(TrendPoint(k, v[0], len(v[1])) for k, v in sorted(years.items()))
    by_region = tuple(
        TrendPoint(k, v[0], len(v[1]))
        for k, v in sorted(regions.items(), key=lambda kv: (-kv[1][0], kv[0]))
    )
    reports = len({corpus.report_of[g] for g in m.hits})
    return Trends(request.q, m.mode, len(m.hits), reports, by_year, by_region)


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
        "year": report.meta.year,
        "kind": report.meta.kind,
        "published": report.meta.published,
        "section_path": " › ".join(para.section_path),
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
        writer.writerow({**row, "url": base_url + row["url"]})
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


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
