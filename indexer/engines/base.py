"""The line between the query layer and an engine: what every engine offers, and its errors.

Above this line code is written once (parsing, plans, snippets, results, the web layer); below
it, once per engine (Whoosh, the default; tantivy, for large collections). An engine is one
index directory:

* :class:`Engine` — exists / generation / a :class:`Store` for index runs / a
  :class:`Searcher` for queries / a :class:`Writer` inside one atomic commit;
* :class:`Searcher` — one committed generation, read-only: it answers a
  :class:`~indexer.query.plan.Plan` (total, facets over all hits, the ranked page), streams every
  hit in the plan's order, and reads stored reports. Nothing engine-specific crosses the line:
  hits are ``(report id, paragraph ordinal)`` keys, reports are :class:`~indexer.model.Report`.

An engine that lacks something natively does it inside itself; a real gap raises
:class:`Unsupported` rather than answering differently.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from indexer.model import Paragraph, Report, ReportMeta
from indexer.query.plan import EngineResult, HitKey, Plan

T = TypeVar("T")
ENGINE_FILE = "ENGINE"  # in the index root: which engine built this index


class IndexBusy(Exception):
    """Another process is writing to the index."""


class IndexMissing(Exception):
    """No index has been built in the directory yet (or it cannot be read)."""


class Unsupported(Exception):
    """The engine cannot answer this plan exactly (a gap, never a silent approximation)."""


@dataclass(frozen=True)
class ReportEntry:
    """What an index run needs to know about an indexed report."""

    content_hash: str
    added: str = ""  # ISO timestamp of the run that first indexed the report
    source_file: str = ""  # where the report was read from (removal of vanished files)


@dataclass(frozen=True)
class ReportSummary:
    """A report as listings, facet labels and filters need it (no text)."""

    id: str
    meta: ReportMeta
    paragraphs: int
    added: str = ""


@dataclass(frozen=True)
class Passage:
    """A hit's paragraph as written, with what the page shows of its report."""

    report_id: str
    title: str
    region: str
    year: int | None
    paragraph: Paragraph

    @classmethod
    def of(cls, report: Report, ordinal: int) -> Passage:
        """The ``ordinal``-th (0-based) paragraph of ``report``."""
        meta = report.meta
        return cls(report.id, meta.title, meta.region, meta.year, report.paragraphs[ordinal])


def encode_report(report: Report) -> bytes:
    """Serialize a report for storage."""
    return zlib.compress(json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8"), 6)


def decode_report(blob: bytes) -> Report:
    """Inverse of :func:`encode_report`."""
    return Report.from_dict(json.loads(zlib.decompress(blob).decode("utf-8")))


class Store(Protocol):
    """A committed generation's stored reports: what an index run reads."""

    def reports(self) -> dict[str, ReportEntry]:
        """Every indexed report's content hash and first-indexed time, by id."""

    def load_report(self, report_id: str) -> Report | None:
        """The stored report, or None."""

    def paragraph_count(self) -> int:
        """Number of indexed paragraphs."""

    def report_count(self) -> int:
        """Number of indexed reports."""

    def close(self) -> None:
        """Release files held open."""


class Searcher(Protocol):
    """One committed generation, as the query layer reads it."""

    generation: object

    def search(self, plan: Plan) -> EngineResult:
        """Total and facets over all hits, and the plan's page of hits, ranked."""

    def iter_hits(self, plan: Plan) -> Iterator[HitKey]:
        """Every hit in the plan's order (offset and size ignored), without holding them all."""

    def count(self, plan: Plan) -> int:
        """The number of hits."""

    def facet_values(self, plan: Plan, name: str) -> tuple[tuple[str, int], ...]:
        """Every value of facet ``name`` over all hits with its paragraph count (no cut)."""

    def summaries(self) -> tuple[ReportSummary, ...]:
        """Every report (metadata, paragraph count, when added), by id."""

    def load_report(self, report_id: str) -> Report | None:
        """The stored report, or None."""

    def passage(self, report_id: str, ordinal: int) -> Passage | None:
        """The ``ordinal``-th paragraph of a report with its report's title, region and year,
        or None; reads no more than the paragraph (what the page of hits needs)."""

    def doc_freq(self, term: str) -> int:
        """How many paragraphs contain the normalized ``term`` (for ranking and did-you-mean)."""

    def frequent_words(self) -> list[tuple[str, int]]:
        """Words in at least three paragraphs with their counts, most frequent first."""

    def headings(self) -> list[tuple[str, int]]:
        """Every section heading as written with the number of paragraphs under it."""

    def paragraph_count(self) -> int:
        """Number of indexed paragraphs."""

    def derived(self, name: str, compute: Callable[[Searcher], T]) -> T:
        """``compute(self)``, computed once per searcher (e.g. suggestion data)."""

    def close(self) -> None:
        """Release files held open."""


class Writer(Protocol):
    """Adds, replaces and deletes reports inside one atomic commit."""

    def put_report(self, report: Report, added: str) -> None:
        """Add ``report`` (first indexed at ``added``), replacing an earlier version."""

    def delete_report(self, report_id: str) -> None:
        """Remove a report and its paragraphs (no-op if absent)."""


class Engine(Protocol):
    """An index directory with atomic generations and a single writer at a time."""

    kind: str  # "whoosh" | "tantivy"
    root: Path

    def exists(self) -> bool:
        """True if a usable index (of this format) has been built here."""

    def generation(self) -> object | None:
        """Identify the latest committed state; cheap."""

    def snapshot(self) -> Store:
        """Open the latest committed state for an index run (raises IndexMissing)."""

    def searcher(self, previous: Searcher | None = None) -> Searcher:
        """Open the latest committed state for queries, reusing what ``previous`` can give."""

    def writer(self, rebuild: bool = False, wait: float = 0.0) -> AbstractContextManager[Writer]:
        """A writer whose work becomes visible at once when the block ends (IndexBusy)."""
