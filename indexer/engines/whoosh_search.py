"""The Whoosh engine's searcher: an in-memory view of one committed generation.

The Whoosh index is the store of record and supplies term statistics; the searcher keeps, per
paragraph, the normalized text and what filters, facets and ranking need, and answers a
:class:`~indexer.query.plan.Plan` by scanning it (:mod:`indexer.engines.whoosh_scan`). The cost
of a query grows with the collection, which is why this engine suits collections up to a few
thousand reports; a reload reuses the views of unchanged reports.
"""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import compress, repeat
from operator import contains
from typing import TypeVar

from indexer import analysis
from indexer.engines.base import Passage, ReportSummary
from indexer.engines.whoosh_engine import Snapshot
from indexer.model import Report
from indexer.normalize import normalize
from indexer.query.plan import EngineResult, HitKey, Plan
from indexer.textmatch import contains as occurs_in
from indexer.textmatch import has_edge_run, left_ok, right_ok

T = TypeVar("T")
COMMON_SHARE = 8  # a term in more than 1/8 of the paragraphs is "common" for find()
SEPARATOR = "\n"  # joins a paragraph's normalized headings; never inside one


@dataclass(frozen=True)
class ReportView:
    """A report plus the normalized forms the scan needs."""

    report: Report
    norm_texts: tuple[str, ...]
    norm_paths: tuple[str, ...]  # each paragraph's headings, normalized, joined by SEPARATOR
    region_keys: frozenset[str]  # the normalized region and every enclosing one
    level: str  # canonical
    added: str = ""  # when the report was first indexed (ISO timestamp)


def _view(report: Report, added: str) -> ReportView:
    # Paragraphs of one section share their path: normalize and store each path once.
    # Each heading is normalized alone: normalization drops or squeezes whitespace, and
    # SEPARATOR is whitespace.
    paths: dict[tuple[str, ...], str] = {}
    for p in report.paragraphs:
        if p.section_path not in paths:
            paths[p.section_path] = SEPARATOR.join(map(normalize, p.section_path))
    meta = report.meta
    region_path = (*meta.region_path, meta.region) if meta.region else meta.region_path
    return ReportView(
        report,
        tuple(normalize(p.text) for p in report.paragraphs),
        tuple(paths[p.section_path] for p in report.paragraphs),
        frozenset(normalize(name) for name in region_path),
        meta.level,
        added,
    )


def _facet_values(view: ReportView) -> tuple[str, ...]:
    """A report's values of the report-level facets, in REPORT_FACETS order ("": none)."""
    meta = view.report.meta
    year = "" if meta.year is None else str(meta.year)
    return (view.report.id, meta.region, year, view.level, meta.kind)


REPORT_FACETS = ("report", "region", "year", "level", "kind")


class WhooshSearcher:
    """Flat, immutable arrays over all paragraphs of one generation (index ``g``)."""

    def __init__(self, views: list[ReportView], generation: object, snapshot: Snapshot | None):
        self.generation = generation
        self._snapshot = snapshot  # open for term statistics; closed with the searcher
        # weakref.finalize (not __del__) also runs in the right order when a cycle holding
        # the searcher is collected, so Whoosh's files are closed rather than finalized open.
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
        self.year_keys = [year or 0 for year in self.years]  # for sorting: unknown is 0
        self.ends = [*self.first[1:], len(norms)]  # one past the last g of each report
        self.report_facets = [_facet_values(v) for v in views]
        self._sections(views)
        self.starts: list[int] = []
        pos = 0
        for text in norms:
            self.starts.append(pos)
            pos += len(text) + 1
        self.blob = SEPARATOR.join(norms)
        self.avg_len = (sum(map(len, norms)) / len(norms)) if norms else 1.0

    def _sections(self, views: list[ReportView]) -> None:
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

    @classmethod
    def load(cls, snap: Snapshot, previous: WhooshSearcher | None = None) -> WhooshSearcher:
        """Load the snapshot's reports, reusing ``previous``'s views of unchanged ones."""
        analysis.initialize()  # jieba's dictionary, for relaxed queries
        reuse = {}
        if previous is not None:
            reuse = {(v.report.id, v.report.content_hash): v for v in previous.views}
        try:
            entries = snap.reports()
            views = []
            for report_id in sorted(entries):
                view = reuse.get((report_id, entries[report_id].content_hash))
                if view is None:
                    report = snap.load_report(report_id)
                    if report is None:  # pragma: no cover - entries come from the same reader
                        continue
                    view = _view(report, entries[report_id].added)
                views.append(view)
            return cls(views, snap.generation, snap)
        except BaseException:
            snap.close()
            raise

    # -- the Searcher protocol ---------------------------------------------------------------
    def search(self, plan: Plan) -> EngineResult:
        """Total and facets over all hits, and the plan's page of hits, ranked."""
        from indexer.engines import whoosh_scan

        return whoosh_scan.search(self, plan)

    def iter_hits(self, plan: Plan) -> Iterator[HitKey]:
        """Every hit in the plan's order."""
        from indexer.engines import whoosh_scan

        return whoosh_scan.iter_hits(self, plan)

    def count(self, plan: Plan) -> int:
        """The number of hits."""
        from indexer.engines import whoosh_scan

        return len(whoosh_scan.matching(self, plan))

    def facet_values(self, plan: Plan, name: str) -> tuple[tuple[str, int], ...]:
        """Every value of one facet over all hits."""
        from indexer.engines import whoosh_scan

        hits = whoosh_scan.matching(self, plan)
        return whoosh_scan.facets(self, hits, limit=None, names=(name,))[name]

    def summaries(self) -> tuple[ReportSummary, ...]:
        """Every report, by id."""
        return tuple(
            ReportSummary(v.report.id, v.report.meta, len(v.report.paragraphs), v.added)
            for v in self.views
        )

    def load_report(self, report_id: str) -> Report | None:
        """The report with this id, or None."""
        r = self.by_id.get(report_id)
        return self.views[r].report if r is not None else None

    def passage(self, report_id: str, ordinal: int) -> Passage | None:
        """A paragraph of a report held in memory, or None."""
        report = self.load_report(report_id)
        if report is None or not 0 <= ordinal < len(report.paragraphs):
            return None
        return Passage.of(report, ordinal)

    def doc_freq(self, term: str) -> int:
        """Paragraphs containing ``term`` (found, so exact)."""
        return len(self.find(term))

    def frequent_words(self) -> list[tuple[str, int]]:
        """Words in at least three paragraphs, from the index (read on first use)."""
        if self._frequent_words is None:
            words = self._snapshot.frequent_words() if self._snapshot else None
            self._frequent_words = words or []
        return self._frequent_words

    def headings(self) -> list[tuple[str, int]]:
        """Every section heading as written, with the paragraphs under it."""
        counts: dict[str, int] = {}
        for view in self.views:
            for para in view.report.paragraphs:
                for heading in para.section_path:
                    counts[heading] = counts.get(heading, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def paragraph_count(self) -> int:
        """Number of indexed paragraphs."""
        return len(self.norms)

    def derived(self, name: str, compute: Callable[[WhooshSearcher], T]) -> T:
        """``compute(self)``, computed once per searcher (e.g. the suggestion list)."""
        with self._derived_lock:
            if name not in self._derived:
                self._derived[name] = compute(self)
            return self._derived[name]  # type: ignore[return-value]

    # -- scanning ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.norms)

    def find(self, term: str, counts: dict[str, list[int]] | None = None) -> list[int]:
        """Global indexes of the paragraphs where ``term`` occurs, in order.

        "Occurs" is :func:`indexer.textmatch.contains`. A rare term is found by jumping from
        occurrence to occurrence in the joined text; a common one (by the index's estimate)
        by testing every paragraph in C, whose cost does not grow with the number of hits.
        Either way the candidates are substring matches; only a term with a Latin or digit
        edge pays for the boundary check on them. A term with a bigram no paragraph has is
        not searched at all.

        Given ``counts``, a common term without such an edge is counted in every paragraph
        instead (``counts[term]``, by global index): nearly the same scan, and ranking then
        need not count its occurrences in every hit again.
        """
        norms = self.norms
        estimate = self.estimate(term)
        if not estimate:
            return []
        if estimate * COMMON_SHARE > len(norms):
            if counts is not None and not has_edge_run(term):
                tally = counts[term] = list(map(str.count, norms, repeat(term)))
                return list(compress(range(len(norms)), tally))
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

    def estimate(self, part: str) -> int:
        """An upper bound of the number of paragraphs containing ``part`` (for planning)."""
        if self._snapshot is None or len(part) < 2:
            return len(self.norms)
        estimate = self._snapshot.estimate(part)
        return len(self.norms) if estimate is None else estimate
