"""Report listings and report detail as plain data for the API and the pages."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

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
