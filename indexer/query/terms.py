"""Word frequency (高频词) and new terms (新提法) of one report against its predecessors.

A *term* is a jieba word of the report's normalized text, or a phrase of two or three
adjacent words that recurs in the report (新质生产力 is jieba's 新质 + 生产力): no stop
word at either edge, no punctuation, no bare numbers, at least two characters. Terms are
*counted* by the rule the search uses (:func:`indexer.textmatch.count`, summed over the
report's paragraphs), never by jieba's tokens, so every count here is the number of
occurrences an ordinary search for the term would mark.

The *baseline* is, by default, every earlier report (by year) of the same region and kind.
``new`` lists the terms that occur in the report and in no baseline report, ranked by how
many other reports of the collection use them (the engine answers that, so the figure is
what a search shows); with no baseline there is nothing to call new.

A report's term table (its candidates and their counts) is computed on first use and cached
per searcher (one index generation), the most recently used :data:`TABLES_KEPT` kept: jieba
over a 30,000-character report takes a fraction of a second. Baseline reports are only
searched for the report's candidates, through a bigram index built per request, never cut
into words; how many reports use a new term is asked of the engine once per term and searcher.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib.resources import files
from typing import TYPE_CHECKING, TypeVar

from indexer import analysis
from indexer.model import Report
from indexer.normalize import normalize
from indexer.query.plan import Plan
from indexer.textmatch import has_edge_run, left_ok, right_ok

if TYPE_CHECKING:  # the engines import the query layer's plan
    from indexer.engines.base import ReportSummary, Searcher

T = TypeVar("T")
TOP = 50  # terms listed in ``top`` and in ``new``
NEW_LOOKUPS = 100  # new candidates (most frequent first) whose use in the collection is searched
TABLES_KEPT = 256  # term tables and answers cached per searcher, most recently used kept
_CONTENT = re.compile(r"^[\u3400-\u9fffa-z0-9]+$")
_NUMBER = re.compile(r"^(?:[0-9.]+|[零〇一二三四五六七八九十百千万亿两]+|第.)$")
STOP_WORDS = frozenset(
    line.strip()
    for line in (files("indexer") / "data" / "stopwords.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)


@dataclass(frozen=True)
class TermCount:
    """A frequent term of the report, with its rate and its counts in the baseline."""

    term: str
    count: int
    per_10k: float
    baseline_count: int | None  # occurrences in all baseline reports; None without one
    baseline_per_10k: float | None


@dataclass(frozen=True)
class NewTerm:
    """A term in the report and in none of its baseline reports."""

    term: str
    count: int
    first_year: int | None  # earliest year of a report of the collection using it
    reports: int  # reports of the collection using it, this one included


@dataclass(frozen=True)
class ReportTerms:
    """The answer of ``/api/reports/<id>/terms``."""

    report: str
    baseline: tuple[str, ...]
    top: tuple[TermCount, ...]
    new: tuple[NewTerm, ...]

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return {"report": self.report, "baseline": list(self.baseline),
                "top": [asdict(t) for t in self.top], "new": [asdict(t) for t in self.new]}  # fmt: skip


class TextIndex:
    """Count terms in one text fast: candidate starts come from a bigram position index.

    ``count(term)`` equals :func:`indexer.textmatch.count` for terms of two or more
    characters (non-overlapping, left to right, under the boundary rule), but looks only at
    the places where the term's rarest bigram occurs instead of scanning the whole text.
    """

    def __init__(self, text: str, chars: int | None = None) -> None:
        self.text = text
        self.chars = len(text) if chars is None else chars
        self.positions: dict[str, list[int]] = {}
        for k in range(len(text) - 1):
            self.positions.setdefault(text[k : k + 2], []).append(k)

    @classmethod
    def of_report(cls, report: Report) -> TextIndex:
        """The report's normalized paragraphs, joined by newlines (never inside one)."""
        norms = [normalize(p.text) for p in report.paragraphs]
        return cls("\n".join(norms), sum(len(n) for n in norms))

    def count(self, term: str) -> int:
        """Occurrences of ``term`` (two or more characters) by the search's rule."""
        lists = [(self.positions.get(term[k : k + 2], ()), k) for k in range(len(term) - 1)]
        starts, shift = min(lists, key=lambda lk: len(lk[0]))
        text, n, check = self.text, len(term), has_edge_run(term)
        found, free = 0, 0
        for p in starts:
            at = p - shift
            if at < free or not text.startswith(term, at):
                continue
            if not check or (left_ok(text, at, term[0]) and right_ok(text, at + n, term[-1])):
                found, free = found + 1, at + n
        return found


@dataclass(frozen=True)
class TermTable:
    """One report's terms with their counts (by the search's rule) and its length."""

    counts: dict[str, int]
    chars: int  # characters of normalized text counted over


class UnknownReport(LookupError):
    """A report id the index does not have."""


def is_term(word: str) -> bool:
    """True if ``word`` may be a term on its own: content, two or more characters."""
    return len(word) >= 2 and bool(_CONTENT.match(word)) and word not in STOP_WORDS \
        and not _NUMBER.match(word)  # fmt: skip


_FUNCTION_CHARS = frozenset("的地得了着过和与及或并而在对为以于把将被从向由是等之其所也都又")


def _is_part(word: str) -> bool:
    """True if ``word`` may stand inside a phrase (新质 in 新质生产力; not 和, not 2025)."""
    if len(word) == 1:
        return word not in _FUNCTION_CHARS and bool(_CONTENT.match(word)) and not word.isdigit()
    return is_term(word)


def candidates(paragraphs: list[str]) -> set[str]:
    """The words and recurring adjacent-word phrases of normalized paragraphs."""
    found: set[str] = set()
    phrases: Counter[str] = Counter()
    for text in paragraphs:
        words = analysis.words(text)
        found.update(w for w in words if is_term(w))
        for n in (2, 3):
            for k in range(len(words) - n + 1):
                gram = words[k : k + n]
                if all(map(_is_part, gram)) and is_term(gram[0]) and is_term(gram[-1]):
                    phrases["".join(gram)] += 1
    found.update(p for p, c in phrases.items() if c >= 2 and len(p) <= 12)
    return found


def term_table(report: Report) -> TermTable:
    """Count the report's candidate terms by the search's occurrence rule."""
    index = TextIndex.of_report(report)
    counts = {t: c for t in candidates(index.text.split("\n")) if (c := index.count(t))}
    return TermTable(counts, index.chars)


class _Recent:
    """A per-searcher cache that keeps the most recently used ``size`` values."""

    def __init__(self, size: int = TABLES_KEPT) -> None:
        self.values: OrderedDict[object, object] = OrderedDict()
        self.size = size
        self.lock = threading.Lock()

    def get(self, key: object, compute: Callable[[], T]) -> T:
        with self.lock:
            if key in self.values:
                self.values.move_to_end(key)
                return self.values[key]  # type: ignore[return-value]
        value = compute()  # outside the lock: jieba and the engine take a while
        with self.lock:
            self.values[key] = value
            while len(self.values) > self.size:
                self.values.popitem(last=False)
        return value


def table_of(searcher: Searcher, report: Report) -> TermTable:
    """The report's term table, computed once per searcher (while it stays in the cache)."""
    cache = searcher.derived("terms.tables", lambda _s: _Recent())
    return cache.get(report.id, lambda: term_table(report))


def default_baseline(searcher: Searcher, report_id: str) -> tuple[str, ...]:
    """Every earlier report of the same region and kind, oldest first."""
    summaries = {s.id: s for s in searcher.summaries()}
    me = summaries[report_id].meta
    if me.year is None:
        return ()
    earlier = [s for s in summaries.values() if _same_series(s, me) and s.meta.year < me.year]
    return tuple(s.id for s in sorted(earlier, key=lambda s: (s.meta.year, s.id)))


def previous_report(searcher: Searcher, report_id: str) -> str | None:
    """The latest earlier report of the same region and kind, if the collection has one."""
    earlier = default_baseline(searcher, report_id)
    return earlier[-1] if earlier else None


def _same_series(s: ReportSummary, meta) -> bool:
    return s.meta.year is not None and (s.meta.region, s.meta.kind) == (meta.region, meta.kind)


def report_terms(
    searcher: Searcher, report_id: str, baseline: tuple[str, ...] | None = None, limit: int = TOP
) -> ReportTerms:
    """The report's most frequent terms and its new ones against ``baseline`` (default).

    Answers are cached per searcher, the most recently asked :data:`TABLES_KEPT` kept.
    """
    cache = searcher.derived("terms.answers", lambda _s: _Recent())
    key = (report_id, baseline, limit)
    return cache.get(key, lambda: _report_terms(searcher, report_id, baseline, limit))


def _report_terms(
    searcher: Searcher, report_id: str, baseline: tuple[str, ...] | None, limit: int
) -> ReportTerms:
    report = searcher.load_report(report_id)
    if report is None:
        raise UnknownReport(report_id)
    if baseline is None:
        baseline = default_baseline(searcher, report_id)
    tables = []  # the baseline is only searched, never cut into words: no jieba there
    for other in baseline:
        loaded = searcher.load_report(other)
        if loaded is None:
            raise UnknownReport(other)
        tables.append(TextIndex.of_report(loaded))
    mine = table_of(searcher, report)
    top = top_terms(mine, tables, limit)
    new = new_terms(searcher, mine, tables, limit) if tables else ()
    return ReportTerms(report.id, tuple(baseline), top, new)


def _rate(count: int, chars: int) -> float:
    return round(count * 10_000 / chars, 2) if chars else 0.0


def top_terms(mine: TermTable, baseline: list[TextIndex], limit: int) -> tuple[TermCount, ...]:
    """The most frequent terms, a term only ever seen inside a longer listed one left out."""
    ranked = sorted(mine.counts.items(), key=lambda tc: (-tc[1], -len(tc[0]), tc[0]))
    base_chars = sum(t.chars for t in baseline)
    out = []
    for term, n in _without_parts(ranked, mine.counts, limit):
        base = sum(t.count(term) for t in baseline) if baseline else None
        out.append(TermCount(term, n, _rate(n, mine.chars), base,
                             None if base is None else _rate(base, base_chars)))  # fmt: skip
    return tuple(out)


def _without_parts(ranked: list[tuple[str, int]], counts: dict[str, int], limit: int):
    """The first ``limit`` terms that occur outside every longer term with their count.

    A term always found inside a longer one (新质 inside 新质生产力) has the same count as
    it; one joined string per count finds that with a single scan instead of comparing pairs.
    """
    by_count: dict[int, list[str]] = {}
    for term, n in counts.items():
        by_count.setdefault(n, []).append(term)
    joined: dict[int, str] = {}
    out = []
    for term, n in ranked:
        if n not in joined:
            joined[n] = "\n".join(by_count[n])
        if joined[n].count(term) <= 1:  # only itself
            out.append((term, n))
            if len(out) >= limit:
                break
    return out


def new_terms(
    searcher: Searcher, mine: TermTable, baseline: list[TextIndex], limit: int
) -> tuple[NewTerm, ...]:
    """Terms absent from the baseline, ranked by how many other reports use them."""
    fresh = [(t, n) for t, n in mine.counts.items()
             if not any(b.count(t) for b in baseline)]  # fmt: skip
    fresh.sort(key=lambda tc: (-tc[1], -len(tc[0]), tc[0]))
    kept = _without_parts(fresh, dict(fresh), NEW_LOOKUPS)
    out = []
    for term, n in kept:
        reports, first_year = collection_use(searcher, term)
        out.append(NewTerm(term, n, first_year, reports))
    out.sort(key=lambda t: (-t.reports, -t.count, t.term))
    return tuple(out[:limit])


def collection_use(searcher: Searcher, term: str) -> tuple[int, int | None]:
    """How many reports an exact search for ``term`` finds, and the earliest of their years."""
    cache = searcher.derived("terms.use", lambda _s: {})
    if term not in cache:
        years = searcher.derived("terms.years", _report_years)
        found = [rid for rid, _ in searcher.facet_values(Plan(clauses=(((term,),),), size=0),
                                                        "report")]  # fmt: skip
        known = [years[r] for r in found if years.get(r) is not None]
        cache[term] = (len(found), min(known, default=None))
    return cache[term]


def _report_years(searcher: Searcher) -> dict[str, int | None]:
    return {s.id: s.meta.year for s in searcher.summaries()}


@dataclass(frozen=True)
class TermHistory:
    """Where a term is used across the collection, year by year (``/api/terms?q=``)."""

    term: str  # normalized
    reports: int
    first_year: int | None
    first_reports: tuple[str, ...]  # the reports of the first year using it
    by_year: tuple[tuple[int, int, int], ...]  # (year, reports using it, reports indexed)

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return {"term": self.term, "reports": self.reports, "first_year": self.first_year,
                "first_reports": list(self.first_reports),
                "by_year": [{"year": y, "reports": n, "reports_indexed": total}
                            for y, n, total in self.by_year]}  # fmt: skip


def term_history(searcher: Searcher, term: str) -> TermHistory:
    """The reports using ``term`` (an exact search's report facet), by year, first ones first."""
    norm = normalize(term.strip())
    if not norm:
        raise ValueError("empty term")
    years = searcher.derived("terms.years", _report_years)
    found = [rid for rid, _ in searcher.facet_values(Plan(clauses=(((norm,),),), size=0),
                                                    "report")]  # fmt: skip
    indexed = Counter(y for y in years.values() if y is not None)
    using = Counter(years[r] for r in found if years.get(r) is not None)
    first = min(using, default=None)
    firsts = tuple(sorted(r for r in found if first is not None and years.get(r) == first))
    by_year = tuple((y, using.get(y, 0), indexed[y]) for y in sorted(indexed))
    return TermHistory(norm, len(found), first, firsts, by_year)
