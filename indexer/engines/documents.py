"""What an engine indexes: report-level fields and paragraphs, already normalized.

Engines take these instead of a :class:`~indexer.model.Report` so that what is matched
(normalized text, normalized headings, the region path) is decided once, here and in the
pipeline, and not again inside each engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from indexer.model import Report
from indexer.normalize import normalize


@dataclass(frozen=True)
class ReportFields:
    """The filter and facet values every paragraph of a report shares.

    ``region_path`` lists the report's region and every enclosing region (any order); a
    region filter matches any of them. ``year`` None means unknown.
    """

    region: str = ""
    region_path: tuple[str, ...] = ()
    level: str = ""
    kind: str = ""
    year: int | None = None


@dataclass(frozen=True)
class ParagraphDoc:
    """One paragraph: its normalized text and its normalized section path, outermost first."""

    text: str
    headings: tuple[str, ...] = ()

    @property
    def section(self) -> str:
        """The normalized top-level heading ("" before the first heading)."""
        return self.headings[0] if self.headings else ""


def report_fields(report: Report, region_path: Sequence[str] = (), level: str = "") -> ReportFields:
    """The fields of ``report``; its own region is always part of the region path."""
    region = report.meta.region
    path = tuple(dict.fromkeys([*region_path, region] if region else region_path))
    return ReportFields(region, path, level, report.meta.kind, report.meta.year)


def paragraph_docs(report: Report) -> list[ParagraphDoc]:
    """The report's paragraphs in reading order, normalized."""
    paths: dict[tuple[str, ...], tuple[str, ...]] = {}  # paragraphs of a section share it
    out = []
    for para in report.paragraphs:
        if para.section_path not in paths:
            paths[para.section_path] = tuple(normalize(h) for h in para.section_path)
        out.append(ParagraphDoc(normalize(para.text), paths[para.section_path]))
    return out
