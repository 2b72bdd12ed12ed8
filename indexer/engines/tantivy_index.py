"""The tantivy engine behind the engine interface (:mod:`indexer.engines.base`).

:class:`TantivyIndex` is an index root managed by :class:`~indexer.engines.generations.Generations`
(run lock, ``current`` link to ``gen-*`` directories, FORMAT marker, ENGINE file); each
generation directory is one tantivy index (:class:`~indexer.engines.tantivy_engine.TantivyEngine`).

* Writing: :meth:`TantivyIndex.writer` holds the run lock and yields a writer whose puts and
  deletes become one tantivy commit at the end of the block (rolled back on an exception). A
  fresh build (``rebuild``, or no usable index) writes a new directory that is swapped in
  after its commit. tantivy publishes a commit by replacing ``meta.json`` atomically and
  ignores files that no committed ``meta.json`` names, so a run killed at any point leaves
  the previous commit readable, with none of its own changes visible, and the next run (or
  tantivy's garbage collection) removes what it left.
* Reading: :class:`TantivySearcher` is one committed state (a tantivy searcher pinned at
  open) and serves as both the :class:`~indexer.engines.base.Searcher` and the
  :class:`~indexer.engines.base.Store`. It is safe to share between threads: tantivy calls
  release the GIL, and every cache here is built once under a lock.
* ``generation()`` is ``(generation directory name, meta.json's inode, mtime, size)``: a new
  directory after a fresh build, a new ``meta.json`` after every commit, nothing else.

What is indexed per report, besides the text (:func:`indexed_fields`): the region path as
normalized full names (the report's own region included), the canonical level
(national, province, prefecture, county; "" when unknown) and the kind as stored, which
filters compare by equality; the region facet shows the report's region as written.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from indexer.engines.base import (
    IndexMissing,
    Passage,
    ReportEntry,
    ReportSummary,
    decode_report,
    encode_report,
)
from indexer.engines.documents import ReportFields, paragraph_docs, report_fields
from indexer.engines.generations import Generations
from indexer.engines.tantivy_engine import (
    SCHEMA_VERSION,
    TantivyEngine,
    TantivyView,
    TantivyWriter,
    commit_token,
)
from indexer.engines.tantivy_reports import (
    Facet,
    encode_headings,
    encode_passage,
    encode_summary,
    sorted_headings,
)
from indexer.model import Report
from indexer.normalize import normalize
from indexer.query.plan import EngineResult, HitKey, Plan
from indexer.regions import LEVELS

T = TypeVar("T")
# Bump SCHEMA_VERSION when the schema, the stored layout or the indexed text changes.
FORMAT_VERSION = f"tantivy-{SCHEMA_VERSION}"
REPORT_CACHE = 32  # decoded reports kept per searcher
ENTRIES_FILE = "govsearch-entries"  # in a generation directory: what index runs read


def indexed_fields(report: Report) -> ReportFields:
    """The report-level values its paragraphs are filtered and faceted by."""
    meta = report.meta
    fields = report_fields(report, meta.region_path, meta.level)
    path = tuple(dict.fromkeys(normalize(name) for name in fields.region_path))
    return replace(fields, region_path=path, level=fields.level if fields.level in LEVELS else "")


class TantivyReportWriter:
    """Puts and deletes reports inside the run's one commit."""

    def __init__(self, run: TantivyWriter):
        self._run = run

    def put_report(self, report: Report, added: str) -> None:
        """Add ``report`` (first indexed at ``added``), replacing an earlier version."""
        self._run.put_report(
            report.id, encode_report(report), indexed_fields(report), paragraph_docs(report),
            entry=ReportEntry(report.content_hash, added, report.source_file), summary=encode_summary(report),
            headings=encode_headings(report), title=report.meta.title,
            passages=[encode_passage(para) for para in report.paragraphs],
        )  # fmt: skip

    def delete_report(self, report_id: str) -> None:
        """Remove a report and its paragraphs (no-op if absent)."""
        self._run.delete_report(report_id)


class TantivyIndex:
    """An index root of tantivy generations, with a single writer at a time."""

    kind = "tantivy"

    def __init__(self, root: Path):
        self.root = Path(root)
        self._generations = Generations(self.root, self.kind, FORMAT_VERSION)

    def exists(self) -> bool:
        """True if a usable index (of this format) has been built here."""
        return self._generations.usable(self._generations.current())

    def generation(self) -> tuple[str, tuple[int, int, int]] | None:
        """Identify the latest committed state; cheap (a readlink and a stat)."""
        for _attempt in range(3):
            path = self._generations.current()
            if path is None:
                return None
            try:
                return (path.name, commit_token(path))
            except OSError:
                continue  # swapped and removed by a concurrent rebuild: read the link again
        return None

    def snapshot(self) -> TantivySearcher:
        """Open the latest committed state for an index run (raises IndexMissing); its
        :meth:`~TantivySearcher.reports` keep what they read in the generation directory."""

        def open_(path: Path) -> TantivySearcher:
            return TantivySearcher(TantivyEngine(path, create=False), path, path / ENTRIES_FILE)

        return self._generations.open_current(open_)

    def searcher(self, previous: object | None = None) -> TantivySearcher:
        """Open the latest committed state; from ``previous``, reuse its open index and the
        report records it read, if it reads the same directory."""

        def open_(path: Path) -> TantivySearcher:
            core = previous.core_for(path) if isinstance(previous, TantivySearcher) else None
            return TantivySearcher(core or TantivyEngine(path, create=False), path)

        return self._generations.open_current(open_)

    @contextmanager
    def writer(self, rebuild: bool = False, wait: float = 0.0) -> Iterator[TantivyReportWriter]:
        """A writer whose work becomes visible at once when the block ends (IndexBusy)."""
        with (
            self._generations.run(rebuild, wait) as (path, _fresh),
            TantivyEngine(path).writer() as run,
        ):
            yield TantivyReportWriter(run)


class TantivySearcher:
    """One committed generation of a tantivy index, read-only and thread-safe."""

    def __init__(self, core: TantivyEngine, path: Path, entries_file: Path | None = None):
        self.path = path
        self._entries_file = entries_file  # where reports() keeps what it read (index runs)
        self._core: TantivyEngine | None = core
        self._view: TantivyView | None = core.view()
        self.generation = (path.name, self._view.token)
        self._lock = threading.Lock()
        self._cache: dict[object, object] = {}  # computed once: ours (tuples) and derived()
        self._computing: dict[object, threading.Lock] = {}
        self._reports: OrderedDict[str, Report] = OrderedDict()

    def core_for(self, path: Path) -> TantivyEngine | None:
        """The open index, if this searcher reads ``path`` and is still open."""
        return self._core if path == self.path else None

    def _live(self) -> TantivyView:
        view = self._view
        if view is None:
            raise IndexMissing(f"{self.path} 的这个读取视图已关闭；请重新打开索引。")
        return view

    # -- plans -----------------------------------------------------------------------------
    def search(self, plan: Plan) -> EngineResult:
        """Total and facets over all hits, and the plan's page of hits, ranked."""
        return self._live().search(plan)

    def iter_hits(self, plan: Plan) -> Iterator[HitKey]:
        """Every hit in the plan's order (offset and size ignored), without holding them all."""
        return self._live().iter_hits(plan)

    def count(self, plan: Plan) -> int:
        """The number of hits."""
        return self._live().count(plan)

    def facet_values(self, plan: Plan, name: str) -> Facet:
        """Every value of facet ``name`` over all hits with its paragraph count (no cut)."""
        return self._live().facet_values(plan, name)

    def doc_freq(self, term: str) -> int:
        """How many paragraphs contain the normalized ``term``."""
        return self._live().doc_freq(term)

    # -- reports ---------------------------------------------------------------------------
    def summaries(self) -> tuple[ReportSummary, ...]:
        """Every report (metadata, paragraph count, when added), by id."""

        return self._live().table().summaries()

    def reports(self) -> dict[str, ReportEntry]:
        """Every indexed report's content hash and first-indexed time, by id."""
        return self._live().entries(self._entries_file)

    def load_report(self, report_id: str) -> Report | None:
        """The stored report, or None (the most recently read ones are kept decoded)."""
        with self._lock:
            if report_id in self._reports:
                self._reports.move_to_end(report_id)
                return self._reports[report_id]
        blob = self._live().load_blob(report_id)
        if blob is None:
            return None
        report = decode_report(blob)
        with self._lock:
            self._reports[report_id] = report
            while len(self._reports) > REPORT_CACHE:
                self._reports.popitem(last=False)
        return report

    def passage(self, report_id: str, ordinal: int) -> Passage | None:
        """A paragraph as stored in its own document: no report blob is decoded."""
        found = self._live().passage(report_id, ordinal)
        if found is None:
            return None
        row, paragraph = found
        return Passage(report_id, row.title, row.region, row.year, paragraph)

    def headings(self) -> list[tuple[str, int]]:
        """Every section heading as written with the number of paragraphs under it.

        Most paragraphs first, ties in index order; read from every report's record once
        (one stored-document read per report), then updated from one searcher to the next
        by reading only the reports that came and went.
        """

        def merge(_self) -> list[tuple[str, int]]:
            return sorted_headings(self._live().heading_totals())

        return list(self._once(("engine", "headings"), merge))

    def frequent_words(self) -> list[tuple[str, int]]:
        """Always empty: this engine indexes character bigrams, not words.

        Suggestions then come from headings alone.
        """
        return []

    def paragraph_count(self) -> int:
        """Number of indexed paragraphs."""
        return self._live().paragraph_count()

    def report_count(self) -> int:
        """Number of indexed reports."""
        return self._live().report_count()

    # -- the rest --------------------------------------------------------------------------
    def derived(self, name: str, compute: Callable[[TantivySearcher], T]) -> T:
        """``compute(self)``, computed once per searcher even when asked from many threads."""
        return self._once(name, compute)

    def close(self) -> None:
        """Release the index (calls in progress finish; later calls raise IndexMissing)."""
        with self._lock:
            self._core = self._view = None
            self._cache.clear()
            self._reports.clear()

    def _once(self, key: object, compute: Callable[[TantivySearcher], T]) -> T:
        with self._lock:
            if key in self._cache:
                return self._cache[key]  # type: ignore[return-value]
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:  # one thread computes, the others wait for its value
            with self._lock:
                if key in self._cache:
                    return self._cache[key]  # type: ignore[return-value]
            value = compute(self)
            with self._lock:
                if self._view is not None:
                    self._cache[key] = value
            return value
