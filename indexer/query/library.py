"""An in-memory view of one committed index generation, shared by all requests.

The engine's Whoosh index is the store of record and answers phrase queries exactly; the
library keeps, per paragraph, the normalized text and the metadata that filters, facets,
ranking and snippets need, so that a request never reads stored fields from disk. It is
rebuilt when a newer generation is committed, reusing unchanged reports.
"""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress, repeat
from operator import contains
from pathlib import Path
from typing import TypeVar

from indexer.engine import Engine, Snapshot
from indexer.model import Report
from indexer.normalize import normalize
from indexer.query.filters import SEPARATOR, RegionIndex, ReportFacts, report_facts
from indexer.textmatch import contains as occurs_in
from indexer.textmatch import has_edge_run, left_ok, right_ok

T = TypeVar("T")
COMMON_SHARE = 8  # a term in more than 1/8 of the paragraphs is "common" for find()


@dataclass(frozen=True)
class ReportView:
    """A report plus the normalized forms the query layer needs."""

    report: Report
    norm_texts: tuple[str, ...]
    norm_paths: tuple[str, ...]  # each paragraph's headings, normalized, joined by SEPARATOR
    norm_region: str
    added: str = ""  # when the report was first indexed (ISO timestamp)
    facts: ReportFacts | None = None  # what report-level filters look at


def _view(report: Report, added: str) -> ReportView:
    # Paragraphs of one section share their path: normalize and store each path once.
    # Each heading is normalized alone: normalization drops or squeezes whitespace, and
    # SEPARATOR is whitespace.
    paths: dict[tuple[str, ...], str] = {}
    for p in report.paragraphs:
        if p.section_path not in paths:
            paths[p.section_path] = SEPARATOR.join(map(normalize, p.section_path))
    return ReportView(
        report,
        tuple(normalize(p.text) for p in report.paragraphs),
        tuple(paths[p.section_path] for p in report.paragraphs),
        normalize(report.meta.region),
        added,
        report_facts(report),
    )


class Corpus:
    """Flat, immutable arrays over all paragraphs of one generation (index ``g``)."""

    def __init__(
        self,
        views: list[ReportView],
        generation: object,
        snapshot: Snapshot | None = None,
    ):
        self.generation = generation
        self._snapshot = snapshot  # open for term statistics; closed with the corpus
        # weakref.finalize (not __del__) also runs in the right order when a cycle holding
        # the corpus is collected, so Whoosh's files are closed rather than finalized open.
        self.close = weakref.finalize(self, snapshot.close) if snapshot else lambda: None
        self._frequent_words: list[tuple[str, int]] | None = None
        self._derived: dict[str, object] = {}
        self._derived_lock = threading.Lock()
        self.views = views
        self.by_id = {v.report.id: i for i, v in enumerate(views)}
        self.report_of: list[int] = []
        self.first: list[int] = []  # first g of each report
        norms: list[str] = []
        for r, view in enumerate(views):
            self.first.append(len(norms))
            norms.extend(view.norm_texts)
            self.report_of.extend([r] * len(view.norm_texts))
        self.norms = norms
        self.paths: list[str] = [p for v in views for p in v.norm_paths]
        self.lengths = [len(t) for t in norms]
        self.years = [v.report.meta.year for v in views]  # per report
        self.regions = [v.report.meta.region for v in views]  # per report
        self.kinds = [v.report.meta.kind for v in views]  # per report
        self.levels = [v.facts.level for v in views]  # per report, canonical
        self.region_index = RegionIndex.build([v.report for v in views])
        # Top-level section of each paragraph as a small integer (-1: before any heading),
        # so facets count integers; section_keys[i] is normalized, section_shown[i] as written.
        self.section_keys: list[str] = []
        self.section_shown: list[str] = []
        ids: dict[str, int] = {}
        self.section_of: list[int] = []
        for view in views:
            for para, path in zip(view.report.paragraphs, view.norm_paths, strict=True):
                if not para.section_path:
                    self.section_of.append(-1)
                    continue
                key = path.split(SEPARATOR, 1)[0]
                if key not in ids:
                    ids[key] = len(self.section_keys)
                    self.section_keys.append(key)
                    self.section_shown.append(para.section_path[0])
                self.section_of.append(ids[key])
        self.starts: list[int] = []
        pos = 0
        for text in norms:
            self.starts.append(pos)
            pos += len(text) + 1
        self.blob = SEPARATOR.join(norms)
        self.avg_len = (sum(map(len, norms)) / len(norms)) if norms else 1.0

    def __len__(self) -> int:
        return len(self.norms)

    def paragraph(self, g: int):
        """Return (report, paragraph) for global paragraph index ``g``."""
        view = self.views[self.report_of[g]]
        return view.report, view.report.paragraphs[g - self.first[self.report_of[g]]]

    def find(self, term: str) -> list[int]:
        """Global indexes of the paragraphs where ``term`` occurs, in order.

        "Occurs" is :func:`indexer.textmatch.contains`. A rare term is found by jumping from
        occurrence to occurrence in the joined text; a common one (by the index's estimate)
        by testing every paragraph in C, whose cost does not grow with the number of hits.
        Either way the candidates are substring matches; only a term with a Latin or digit
        edge pays for the boundary check on them.
        """
        norms = self.norms
        if self.estimate(term) * COMMON_SHARE > len(norms):
            found = list(compress(range(len(norms)), map(contains, norms, repeat(term))))
            if has_edge_run(term):
                found = [g for g in found if occurs_in(norms[g], term)]
            return found
        return self._jump(term)

    def _jump(self, term: str) -> list[int]:
        """Paragraphs where ``term`` occurs, by jumping through the joined text.

        SEPARATOR is neither a letter nor a digit, so a paragraph's edges in the joined text
        are boundaries exactly as the edges of the paragraph alone are.
        """
        found: list[int] = []
        blob, starts = self.blob, self.starts
        check, first, last, n = has_edge_run(term), term[0], term[-1], len(term)
        i = blob.find(term)
        while i != -1:
            if check and not (left_ok(blob, i, first) and right_ok(blob, i + n, last)):
                i = blob.find(term, i + 1)
                continue
            g = bisect_right(starts, i) - 1
            found.append(g)
            # Skip the rest of this paragraph: presence is what matters here.
            nxt = starts[g + 1] if g + 1 < len(starts) else len(blob)
            i = blob.find(term, nxt)
        return found

    def derived(self, name: str, compute: Callable[[Corpus], T]) -> T:
        """``compute(self)``, computed once per corpus (e.g. the suggestion list)."""
        with self._derived_lock:
            if name not in self._derived:
                self._derived[name] = compute(self)
            return self._derived[name]  # type: ignore[return-value]

    @property
    def frequent_words(self) -> list[tuple[str, int]]:
        """Words in at least three paragraphs, from the index (read on first use)."""
        if self._frequent_words is None:
            words = self._snapshot.frequent_words() if self._snapshot else None
            self._frequent_words = words or []
        return self._frequent_words

    def estimate(self, part: str) -> int:
        """An upper bound of the number of paragraphs containing ``part`` (for planning)."""
        if self._snapshot is None or len(part) < 2:
            return len(self.norms)
        estimate = self._snapshot.estimate(part)
        return len(self.norms) if estimate is None else estimate

    def report_view(self, report_id: str) -> ReportView | None:
        """The report with this id, or None."""
        r = self.by_id.get(report_id)
        return self.views[r] if r is not None else None


class Library:
    """Keeps a :class:`Corpus` in step with the engine's latest committed generation."""

    def __init__(self, index_dir: Path, warmers: tuple[Callable[[Corpus], object], ...] = ()):
        """``warmers`` run on each newly loaded corpus before any request can use it."""
        self.engine = Engine(Path(index_dir))
        self.warmers = warmers
        self._lock = threading.Lock()
        self._corpus: Corpus | None = None
        self._cache: dict[tuple[str, str], ReportView] = {}

    def corpus(self) -> Corpus:
        """Return the current corpus, reloading first if a newer generation was committed."""
        generation = self.engine.generation()
        corpus = self._corpus
        if corpus is not None and corpus.generation == generation:
            return corpus
        with self._lock:
            if self._corpus is None or self._corpus.generation != self.engine.generation():
                old, self._corpus = self._corpus, self._load()
                if old is not None:
                    old.close()  # a request still using it plans without statistics
            return self._corpus

    def _load(self) -> Corpus:
        from indexer import analysis

        analysis.initialize()  # jieba's dictionary, for relaxed queries
        # The snapshot stays open for the corpus's lifetime: the planner asks it for term
        # statistics; it is released when the corpus is garbage-collected.
        snap: Snapshot = self.engine.snapshot()
        try:
            entries = snap.reports()
            cache: dict[tuple[str, str], ReportView] = {}
            for report_id in sorted(entries):
                key = (report_id, entries[report_id].content_hash)
                view = self._cache.get(key)
                if view is None:
                    report = snap.load_report(report_id)
                    if report is None:  # pragma: no cover - entries come from the same reader
                        continue
                    view = _view(report, entries[report_id].added)
                cache[key] = view
            self._cache = cache
            corpus = Corpus(list(cache.values()), snap.generation, snap)
            for warm in self.warmers:
                warm(corpus)  # per-corpus data (suggestions...) is ready before it is served
            return corpus
        except BaseException:
            snap.close()
            raise
