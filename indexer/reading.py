"""Reading stage of the indexer: a file on disk -> clean text lines of the report body.

Formats are recognised by content first (PDF and ZIP signatures, an HTML document start) and
by suffix second. Every format ends in the same line-level chrome filter, because the .txt
reports were copied out of web pages with the navigation and widgets still in them.
"""

from __future__ import annotations

import io
import os
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.chrome import find_published, strip_chrome
from indexer.decoding import UnreadableReport, decode_bytes

__all__ = [
    "SUPPORTED_SUFFIXES",
    "SourceText",
    "UnreadableReport",
    "check_size",
    "decode_bytes",
    "read_source",
    "strip_chrome",
]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".html", ".htm", ".docx", ".pdf"})

# Size policy (see docs/OPERATIONS.md). A file larger than this is not read at all; a file
# whose extracted text is longer than the text limit is rejected before it is structured and
# indexed (a report ~30k characters long is typical; indexing costs ~0.4 MB of memory per 1k
# characters of one report, so the limits keep a run's memory and time bounded).
DEFAULT_MAX_FILE_MB = 20
DEFAULT_MAX_TEXT_CHARS = 500_000

_HTML_START = re.compile(
    r"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html[\s>]|<head[\s>])", re.I | re.S
)
_TITLE_MAX = 60
# Lines that end a sentence (or a heading label) in a PDF; anything else was probably wrapped.
_SENTENCE_END = tuple("。！？：；”’」』）)】…!?:;.")
_HEADING_START = re.compile(
    r"^([一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.．、]|第.{1,4}[章节条部分])"
)
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d{1,4}(\s*页)?(\s*/\s*\d{1,4})?[-—–\s]*$")
# A wrapped line fills most of the page width; a shorter line ends its paragraph.
_FULL_LINE_SHARE = 0.8


@dataclass(frozen=True)
class SourceText:
    """The body of one report as clean lines, with what the file says about itself."""

    lines: tuple[str, ...]
    encoding: str
    format: str
    title_hint: str = ""
    published_hint: str = ""


def _first_title(lines: Sequence[str]) -> str:
    """The first body line when it is short enough to be a title."""
    if (
        lines
        and len(lines[0]) <= _TITLE_MAX
        and not lines[0].endswith(("。", "；", "，", "：", ":"))
    ):
        return lines[0]
    return ""


def _env_int(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def max_file_bytes() -> int:
    """Largest report file read: ``$GOVSEARCH_MAX_FILE_MB`` (default 20) megabytes."""
    return _env_int("GOVSEARCH_MAX_FILE_MB", DEFAULT_MAX_FILE_MB) * 1024 * 1024


def max_text_chars() -> int:
    """Longest text of one report: ``$GOVSEARCH_MAX_TEXT_CHARS`` (default 500,000)."""
    return _env_int("GOVSEARCH_MAX_TEXT_CHARS", DEFAULT_MAX_TEXT_CHARS)


def check_size(path: Path, size: int | None = None) -> None:
    """Raise UnreadableReport if the file is over the size limit (checked before reading)."""
    if size is None:
        try:
            size = Path(path).stat().st_size
        except OSError as exc:
            raise UnreadableReport(f"cannot read file: {exc.strerror or exc}") from exc
    limit = max_file_bytes()
    if size > limit:
        raise UnreadableReport(
            f"file too large: {size / 2**20:.1f} MB (limit {limit // 2**20} MB, "
            "set GOVSEARCH_MAX_FILE_MB to change it)"
        )


def _check_text(raw: Sequence[str]) -> None:
    limit = max_text_chars()
    chars = sum(len(s) for s in raw)
    if chars > limit:
        raise UnreadableReport(
            f"too much text for one report: {chars:,} characters (limit {limit:,}, "
            "set GOVSEARCH_MAX_TEXT_CHARS to change it)"
        )


def _finish(raw: Sequence[str], encoding: str, fmt: str, title: str, published: str) -> SourceText:
    """Strip chrome from raw lines and build the SourceText; no body left is unreadable."""
    _check_text(raw)
    lines = strip_chrome(raw)
    if not lines:
        raise UnreadableReport("no body text")
    published = published or find_published(raw)
    return SourceText(tuple(lines), encoding, fmt, title or _first_title(lines), published)


def _read_text(data: bytes) -> SourceText:
    """Plain text in any supported encoding."""
    text, encoding = decode_bytes(data)
    return _finish(text.splitlines(), encoding, "txt", "", "")


def _read_html(data: bytes) -> SourceText:
    """An HTML page: declared charset when it decodes, main content only."""
    from indexer.htmltext import declared_charset, html_to_text  # bs4 loads for HTML only

    text, encoding = decode_bytes(data, declared_charset(data))
    if len(text) > 4 * max_text_chars():  # markup included; checked before parsing it
        raise UnreadableReport(
            f"HTML page too large: {len(text):,} characters (limit {4 * max_text_chars():,})"
        )
    page = html_to_text(text)
    return _finish(page.lines, encoding, "html", page.title_hint, page.published_hint)


def _docx_blocks(container: object) -> Iterator[str]:
    """Paragraph texts and table rows of a document or table cell, in reading order."""
    from docx.table import Table

    for block in container.iter_inner_content():  # type: ignore[attr-defined]
        if not isinstance(block, Table):
            yield block.text
            continue
        for row in block.rows:
            cells = list({id(c._tc): c for c in row.cells}.values())  # merged cells repeat
            if len(cells) == 1:
                yield from _docx_blocks(cells[0])  # a layout table: read it like the page
            else:
                yield " ".join(" ".join(c.text.split()) for c in cells)


def _docx_title(document: object) -> str:
    """Title from the core properties, else from the first Title/Heading 1 paragraph."""
    title = (document.core_properties.title or "").strip()  # type: ignore[attr-defined]
    if title:
        return title
    for para in document.paragraphs:  # type: ignore[attr-defined]
        style = (para.style.name if para.style is not None else "") or ""
        if para.text.strip() and style.lower() in ("title", "heading 1"):
            return para.text.strip()
    return ""


def _read_docx(data: bytes) -> SourceText:
    """A Word document: body paragraphs and table cells; headers and footers are skipped."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for broken packages
        raise UnreadableReport(f"not a valid .docx file ({exc.__class__.__name__})") from exc
    raw = [line for block in _docx_blocks(document) for line in block.splitlines()]
    return _finish(raw, "docx", "docx", _docx_title(document), "")


def _pdf_page_lines(reader: object) -> list[str]:
    """Text lines of every page, page numbers dropped."""
    lines: list[str] = []
    for page in reader.pages:  # type: ignore[attr-defined]
        try:
            text = page.extract_text() or ""
        except Exception:  # a broken content stream spoils one page, not the file
            continue
        lines.extend(s.strip() for s in text.splitlines() if s.strip())
    return [s for s in lines if not _PAGE_NUMBER.match(s)]


def _join_char(left: str, right: str) -> str:
    """Separator when joining a wrapped line: nothing between CJK, a space between words."""
    return " " if left[-1:].isascii() and right[:1].isascii() and left[-1:].isalnum() else ""


def join_wrapped(lines: Sequence[str]) -> list[str]:
    """Rejoin lines a PDF hard-wrapped mid-sentence into paragraphs."""
    if not lines:
        return []
    widths = sorted(len(s) for s in lines)
    full = widths[int(len(widths) * 0.9)] * _FULL_LINE_SHARE
    out: list[str] = []
    for line in lines:
        prev = out[-1] if out else ""
        wrapped = prev and len(prev) >= full and not prev.endswith(_SENTENCE_END)
        if wrapped and not _HEADING_START.match(line):
            out[-1] = prev + _join_char(prev, line) + line
        else:
            out.append(line)
    return out


def _pdf_title(reader: object) -> str:
    """Document title from the PDF metadata, without a "Microsoft Word - " prefix."""
    try:
        title = (reader.metadata or {}).get("/Title") or ""  # type: ignore[attr-defined]
    except Exception:
        return ""
    return re.sub(r"^Microsoft Word - ", "", str(title)).strip()


def _read_pdf(data: bytes) -> SourceText:
    """A PDF with a text layer; scanned PDFs (images only) are unreadable."""
    from pypdf import PdfReader

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pypdf warns about the many harmless spec violations
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise UnreadableReport("PDF is encrypted")
            raw = _pdf_page_lines(reader)
        except UnreadableReport:
            raise
        except Exception as exc:
            raise UnreadableReport(f"cannot parse PDF ({exc.__class__.__name__})") from exc
        title = _pdf_title(reader)
    if not raw:
        raise UnreadableReport("PDF has no text layer")
    return _finish(join_wrapped(raw), "pdf", "pdf", title, "")


def _is_docx(data: bytes) -> bool:
    """A ZIP package containing a Word main document part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return "word/document.xml" in package.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return False


def _sniff(data: bytes, suffix: str) -> str:
    """Format by content signature, then by suffix; raise for what we cannot read."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if _is_docx(data):
            return "docx"
        raise UnreadableReport("ZIP archive that is not a .docx document")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableReport("legacy Office (.doc) format is not supported; save as .docx")
    head = data[:2048].decode("latin-1").lstrip("\ufeff\xef\xbb\xbf")
    if suffix in (".html", ".htm") or _HTML_START.match(head):
        return "html"
    if suffix == ".pdf":
        raise UnreadableReport("not a PDF file (no %PDF header)")
    if suffix == ".docx":
        raise UnreadableReport("not a valid .docx file (not a ZIP package)")
    if suffix == ".txt":
        return "txt"
    raise UnreadableReport(f"unsupported file type {suffix or '(no suffix)'!r}")


_READERS = {"txt": _read_text, "html": _read_html, "docx": _read_docx, "pdf": _read_pdf}


def read_source(path: Path) -> SourceText:
    """Read one report file into clean body lines; raise UnreadableReport with the reason."""
    check_size(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UnreadableReport(f"cannot read file: {exc.strerror or exc}") from exc
    if not data:
        raise UnreadableReport("empty file")
    return _READERS[_sniff(data, Path(path).suffix.lower())](data)
