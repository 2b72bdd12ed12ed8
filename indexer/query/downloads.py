"""A report as indexed, to keep: plain text or Markdown, its metadata at the top."""

from __future__ import annotations

import re

from indexer.model import Report
from indexer.query.filters import LEVELS

# A line starting like this would turn into a heading, list, quote or rule in Markdown.
_MARKDOWN_START = re.compile(r"^(\s*)([#>+*=|-])")
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\s]+')  # not allowed (or awkward) in file names
_ORDERED_START = re.compile(r"^(\s*\d+)([.)])(\s)")


def download_names(report: Report, extension: str) -> tuple[str, str]:
    """A file name from the title (UTF-8), and an ASCII one from the id for old clients."""
    ascii_id = "".join(c for c in report.id if c.isascii() and (c.isalnum() or c in "-_"))
    fallback = f"{ascii_id or 'report'}.{extension}"
    stem = _UNSAFE_IN_NAMES.sub("_", report.meta.title).strip("_. ")[:80]
    return (f"{stem}.{extension}" if stem else fallback), fallback


def metadata_lines(report: Report) -> list[tuple[str, str]]:
    """(label, value) pairs of what is known about the report, in a fixed order."""
    meta = report.meta
    pairs = [
        ("地区", " › ".join(meta.region_path) or meta.region),
        ("层级", LEVELS.get(meta.level, meta.level)),
        ("年份", str(meta.year or "")),
        ("类型", meta.kind),
        ("发布日期", meta.published),
        ("来源", meta.source_url),
        ("报告编号", report.id),
    ]
    return [(label, value) for label, value in pairs if value]


def report_text(report: Report) -> str:
    """The title, the metadata, then every paragraph as indexed, a blank line between them."""
    lines = [report.meta.title, "", *(f"{k}：{v}" for k, v in metadata_lines(report)), ""]
    if report.front:
        lines += [*report.front, ""]
    for para in report.paragraphs:
        lines += [para.text, ""]
    if report.closing:
        lines += [*report.closing, ""]
    return "\n".join(lines)


def report_markdown(report: Report) -> str:
    """Like :func:`report_text`, with the title and section headings as Markdown headings."""
    lines = [f"# {_escaped(report.meta.title)}", ""]
    lines += [f"- {k}：{_escaped(v)}" for k, v in metadata_lines(report)]
    lines.append("")
    if report.front:
        lines += [*(_escaped(line) + "  " for line in report.front), ""]
    for para in report.paragraphs:
        if para.is_heading:
            depth = min(len(para.section_path) + 1, 6)
            lines += [f"{'#' * depth} {_escaped(para.text)}", ""]
        else:
            lines += [_escaped(para.text), ""]
    if report.closing:
        lines += [*(_escaped(line) + "  " for line in report.closing), ""]
    return "\n".join(lines)


def _escaped(text: str) -> str:
    """``text`` that Markdown shows as written (block syntax at the start, inline markers)."""
    text = re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)
    text = _MARKDOWN_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return _ORDERED_START.sub(lambda m: m.group(1) + "\\" + m.group(2) + m.group(3), text)
