"""Keyword in context: one line per occurrence of a search's terms, with its context as written.

An occurrence is what the reader marks: a non-overlapping occurrence, under the boundary rule
(:mod:`indexer.textmatch`), of one of the normalized terms that matched, found in the
normalized paragraph and mapped back to the original text. Lines come from the paragraphs the
search matches; ``total`` counts them all, so the number of lines is the number of occurrences.

Counting reads every matching paragraph, so a search may cover at most
:data:`~indexer.query.research.MAX_PARAGRAPHS` of them; a broader one is refused with a request
to narrow it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

from indexer.normalize import normalize
from indexer.query.library import Library
from indexer.query.parse import QueryError
from indexer.query.request import SearchRequest
from indexer.query.research import check_breadth, hits_by_report, neutralize
from indexer.query.search import Answer, answer, searcher_of
from indexer.query.snippets import occurrence_spans

if TYPE_CHECKING:  # the engines import the query layer's plan
    from indexer.engines.base import Passage, Searcher

CONTEXT = 20  # characters of context shown on each side
KWIC_SORTS = ("relevance", "left", "right")
CSV_FIELDS = ("left", "match", "right", "report_id", "report_title", "year", "paragraph_number",
              "paragraph_id", "url")  # fmt: skip


@dataclass(frozen=True)
class KwicLine:
    """One occurrence: its context as written, and where it is."""

    left: str
    match: str
    right: str
    report_id: str
    paragraph_id: str
    year: int | None
    url: str
    report_title: str
    paragraph_number: int


@dataclass(frozen=True)
class Concordance:
    """One page of lines, sorted as asked, and the number of occurrences in all."""

    query: str
    mode: str
    total: int
    page: int
    size: int
    sort: str
    terms: tuple[str, ...]
    lines: tuple[KwicLine, ...]

    @property
    def pages(self) -> int:
        """Number of pages of ``size`` lines (at least 1)."""
        return max(1, -(-self.total // self.size))

    def to_dict(self) -> dict:
        """The /api/kwic response body."""
        return asdict(self)


def kwic(
    library: Library | Searcher, request: SearchRequest, sort: str = "relevance"
) -> Concordance:
    """The lines of ``request``'s page: relevance keeps the search's order, left/right sort."""
    a, lines = concordance_lines(library, request, sort)
    start = (request.page - 1) * request.size
    return Concordance(request.q, a.mode, len(lines), request.page, request.size, sort,
                       tuple(a.parts), tuple(lines[start : start + request.size]))  # fmt: skip


def concordance_lines(
    library: Library | Searcher, request: SearchRequest, sort: str = "relevance"
) -> tuple[Answer, list[KwicLine]]:
    """Every line of the concordance (not just a page), sorted as asked."""
    if sort not in KWIC_SORTS:
        raise QueryError(
            "bad_sort", "排序方式只能是 relevance（相关度）、left（按左侧）或 right（按右侧）。"
        )
    searcher = searcher_of(library)
    a = answer(searcher, replace(request, sort="relevance"))
    check_breadth(a)
    lines = all_lines(searcher, a)
    if sort != "relevance":
        lines.sort(key=_left_key if sort == "left" else _right_key)
    return a, lines


def all_lines(searcher: Searcher, a: Answer) -> list[KwicLine]:
    """Every occurrence in the plan's matching paragraphs, in the search's order."""
    rank: dict[tuple[str, int], int] = {}
    lines: list[tuple[int, int, KwicLine]] = []
    for report_id, keys in hits_by_report(searcher, a).items():
        for key in keys:
            rank[report_id, key.paragraph] = len(rank)
            found = searcher.passage(report_id, key.paragraph)  # the paragraph, not its report
            if found is None:
                continue  # not in this index state
            for i, line in enumerate(paragraph_lines(found, a.parts)):
                lines.append((rank[report_id, key.paragraph], i, line))
    lines.sort(key=lambda item: item[:2])
    return [line for *_, line in lines]


def paragraph_lines(found: Passage, terms: list[str]) -> Iterator[KwicLine]:
    """One line per occurrence of ``terms`` in a hit's paragraph."""
    para = found.paragraph
    text = para.text
    for start, end in occurrence_spans(text, terms):
        yield KwicLine(
            left=text[max(0, start - CONTEXT) : start], match=text[start:end],
            right=text[end : end + CONTEXT], report_id=found.report_id, paragraph_id=para.id,
            year=found.year, url=f"/reports/{found.report_id}#{para.id}",
            report_title=found.title, paragraph_number=para.number,
        )  # fmt: skip


def _left_key(line: KwicLine) -> tuple:
    """The classic concordance order: by the left context read backwards from the match."""
    return normalize(line.left)[::-1], normalize(line.match), normalize(line.right)


def _right_key(line: KwicLine) -> tuple:
    """By the match and the text that follows it."""
    return normalize(line.match), normalize(line.right), normalize(line.left)[::-1]


def kwic_csv(lines: Iterable[KwicLine], base_url: str = "") -> str:
    """Lines as CSV (UTF-8 BOM first), each cell safe to open in a spreadsheet."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for line in lines:
        row = {name: getattr(line, name) for name in CSV_FIELDS}
        row["url"] = base_url + line.url
        writer.writerow({k: neutralize(v) for k, v in row.items()})
    return buffer.getvalue()
