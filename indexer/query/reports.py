"""Report listings and report detail as plain data for the API and the pages."""

from __future__ import annotations

from dataclasses import asdict

from indexer.query.library import Corpus


def report_list(corpus: Corpus) -> list[dict]:
    """Every report's id, title, region (level, path), year, kind and paragraphs, newest first."""
    rows = [
        {
            "id": v.report.id,
            "title": v.report.meta.title,
            "region": v.report.meta.region,
            "level": v.report.meta.level,
            "region_path": list(v.report.meta.region_path),
            "year": v.report.meta.year,
            "kind": v.report.meta.kind,
            "paragraphs": len(v.report.paragraphs),
        }
        for v in corpus.views
    ]
    return sorted(rows, key=lambda r: (-(r["year"] or 0), r["region"], r["id"]))


def report_detail(corpus: Corpus, report_id: str) -> dict | None:
    """The report's metadata, section tree and paragraphs, or None if unknown."""
    view = corpus.report_view(report_id)
    if view is None:
        return None
    report = view.report
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
