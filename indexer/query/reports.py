"""Report listings and report detail as plain data for the API and the pages."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from indexer.normalize import normalize
from indexer.query.snippets import match_spans

if TYPE_CHECKING:  # the engines import the query layer's plan
    from indexer.engines.base import Searcher


def report_list(searcher: Searcher) -> list[dict]:
    """Every report's id, title, region (level, path), year, kind and paragraphs, newest first."""
    rows = [
        {
            "id": s.id,
            "title": s.meta.title,
            "region": s.meta.region,
            "level": s.meta.level,
            "region_path": list(s.meta.region_path),
            "year": s.meta.year,
            "kind": s.meta.kind,
            "paragraphs": s.paragraphs,
        }
        for s in searcher.summaries()
    ]
    return sorted(rows, key=lambda r: (-(r["year"] or 0), r["region"], r["id"]))


def report_detail(searcher: Searcher, report_id: str) -> dict | None:
    """The report's metadata, section tree and paragraphs, or None if unknown."""
    report = searcher.load_report(report_id)
    if report is None:
        return None
    return {
        "id": report.id,
        **asdict(report.meta),
        "region_path": list(report.meta.region_path),
        "paragraph_count": len(report.paragraphs),
        "sections": [asdict(s) for s in report.sections],
        "paragraphs": [
            {
                "id": p.id,
                "number": p.number,
                "section_path": list(p.section_path),
                "text": p.text,
                "is_heading": p.is_heading,
            }
            for p in report.paragraphs
        ],
        "front": list(report.front),
        "closing": list(report.closing),
        "aliases": dict(report.aliases),
    }


def find_spans(paragraphs: list[dict], text: str) -> list[list[tuple[int, int]]]:
    """Where ``text`` occurs in each paragraph (spans of the text as written).

    ``text`` is one term, normalized as the index normalizes (so 综合查一次 finds 綜合查一次,
    full-width and case aside); occurrences follow the token-boundary rule of every match.
    """
    term = normalize(" ".join(text.split()))
    if not term.strip():
        return [[] for _ in paragraphs]
    return [match_spans(p["text"], [term]) for p in paragraphs]


def find_in_report(detail: dict, text: str) -> dict:
    """The find API's answer: every occurrence of ``text``, per paragraph, in reading order."""
    spans = find_spans(detail["paragraphs"], text)
    found = [{"id": p["id"], "number": p["number"], "spans": [list(s) for s in ss]}
             for p, ss in zip(detail["paragraphs"], spans, strict=True) if ss]  # fmt: skip
    return {"report_id": detail["id"], "find": text,
            "total": sum(len(p["spans"]) for p in found), "paragraphs": found}  # fmt: skip
