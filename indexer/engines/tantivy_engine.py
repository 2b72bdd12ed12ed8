"""The tantivy engine: the only module that imports tantivy.

Documents. Each report is stored as:

* ``doc_type`` "b": its blob (the structured report), read only to load the report, and kept
  apart from the record so that reading every report's headings decompresses no blob;
* "r": its record — ``serial``, the fast text field ``record`` (read for every report at
  once by one aggregation) and stored ``headings`` (:mod:`indexer.engines.tantivy_reports`);
* "p": one per paragraph:

  - ``body``: the normalized text as positional bigram tokens with boundary markers
    (:mod:`indexer.engines.bigrams`), so a phrase query is exactly
    :func:`indexer.textmatch.contains`; ``body_chars``: its characters, for one-character terms;
  - ``heading`` / ``heading_chars``: the same over the normalized section path, headings
    joined by a newline that no phrase crosses;
  - fast fields ``serial`` (the report's), ``section`` (the normalized top-level heading)
    and ``section_key`` (its 62-bit hash, :func:`~indexer.engines.tantivy_fields.section_key`),
    ``region_key`` (the same hash of the report's region as written), ``level``, ``kind``,
    ``year`` (i64, ``YEAR_MISSING`` when unknown), ``pkey`` (``serial << 20 | ordinal``, the
    paragraph's 0-based ordinal), ``recency`` (the year's tie-breaking weight); indexed only:
    ``report``, ``region_path`` (multi-valued), ``sentences``;
  - stored: ``para``, the paragraph as written (what a hit shows, read only for the page,
    and normalized again only to check same-sentence candidates).

A record string names one version of a report (it holds a random stamp), so a new view of
the same directory decodes only the records the previous view had not seen.

Ranking. ``relevance`` is tantivy's BM25 multiplied by ``log2(2 + recency)``, a factor between
1 and 1.0007 that grows with the year in steps larger than float32 rounding: equal scores go to
the newer year (so do scores within 0.07% of each other), then to index order (tantivy's
DocAddress). A plan without clauses scores every hit 1 × that factor: newest first.
A partial plan (:class:`~indexer.query.plan.Partial`) is one boolean query: each word's
occurrence query repeated once per unit of the word, each copy scoring the word's share of
the weights divided by its units, with a minimum-should-match of the plan's minimum units
(tantivy counts matching clauses, so the repeats count units), plus the words' BM25 scaled
by ``TIE_BREAK`` to order equal shares: the score is the weighted share of the words present.
``year_desc``/``year_asc`` order by year (``YEAR_MISSING`` counts as the oldest), then the
same score. Pages and :meth:`TantivyView.iter_hits` follow this one order.

Facets count paragraphs over all hits, from one aggregation: a terms aggregation on
``serial`` (every report with hits, exact on any number of segments) and one on
``section_key``, named from the report records: tantivy turns every value of a text field
into a string in every segment before merging them, which made the section facet cost
grow with the distinct sections times the segments (two keys of one hash: by name).
Report-level facets (report, region, year, level, kind) are the per-report counts summed by
the report's values (:class:`~indexer.engines.tantivy_reports.ReportTable`): their cost
follows the reports with hits, not the hits. Sections: the ``facet_limit`` (default 500) most
frequent, ties by value; tantivy returns the most frequent values, ties in no order, so it is
asked for four times as many, and again with more if left-out values might tie at the cut
(up to ``buckets``, 50,000, under tantivy's limit of 65,000 buckets; past that, ties at the
cut are broken among the values returned). :meth:`TantivyView.facet_values` has no cut: it
splits the reports into serial ranges until each range fits. Total and facets come from one
evaluation (``aggregate``), the page from a second (``search``) on the same searcher; for
the relevance order the two run at the same time (tantivy releases the GIL), since tantivy
cannot rank and aggregate in one pass and a ``top_hits`` aggregation cannot sort by score.

Same sentence. A paragraph of one sentence matches as a paragraph. Plans that cannot differ
(:func:`~indexer.query.plan.sentence_is_paragraph`) add nothing. Otherwise the multi-sentence
paragraphs that match as paragraphs are read from the store and checked in Python, costing
about one stored-document read per such candidate; the verified keys then join the query as
a term set, so total, facets, page and stream stay native. The keys are cached per view.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import islice
from operator import itemgetter
from pathlib import Path

import tantivy

from indexer.engines import runs
from indexer.engines.base import ReportEntry, Unsupported
from indexer.engines.bigrams import FILL, phrase
from indexer.engines.documents import ParagraphDoc, ReportFields
from indexer.engines.tantivy_fields import (
    MAX_SERIAL,
    ORDINAL_BITS,
    ORDINAL_MASK,
    YEAR_MISSING,
    body_level,
    heading_level,
    paragraph_key,
    report_level,
)
from indexer.engines.tantivy_reports import (
    NO_ENTRY,
    Facet,
    ReportRow,
    ReportTable,
    decode_entry,
    decode_passage,
    decode_record,
    encode_passage,
    encode_record,
    ranked,
    read_entries,
    record_stamp,
    tally_headings,
    write_entries,
)
from indexer.model import Paragraph
from indexer.normalize import normalize
from indexer.query.plan import (
    FACETS,
    Clause,
    EngineResult,
    FilterClause,
    HitKey,
    Partial,
    Plan,
    sentence_is_paragraph,
    sentence_match,
    year_range,
)

SCHEMA_VERSION = "4"
VERSION_FILE = "govsearch-tantivy.json"
FACET_LIMIT = 500
CHUNK = 50_000  # hits held in memory at a time while streaming or verifying
BUCKETS = 50_000  # buckets asked of one aggregation, under tantivy's limit of 65,000
ENTRIES_REWRITE = 1_000  # records read past an index run's entries file: write it again
TIE_BREAK = 1e-5  # BM25's share of a partial plan's score: it only orders equal shares
_EVERY = 1 << 31  # terms aggregation segment_size: keep every value of every segment
_GRAMS, _CHARS = "govsearch_grams", "govsearch_chars"
_BODY, _HEADING = ("body", "body_chars"), ("heading", "heading_chars")
_FILTER_FIELDS = {"report": "report", "region": "region_path", "level": "level",
                  "kind": "kind", "section": "section"}  # fmt: skip
_ORDER = {
    "relevance": lambda r: (-r[0], r[2], r[3]),
    "year_desc": lambda r: (-r[1], -r[0], r[2], r[3]),
    "year_asc": lambda r: (r[1], -r[0], r[2], r[3]),
}  # records are (score, year, segment_ord, doc, pkey)
_KEY, _COUNT = itemgetter("key"), itemgetter("doc_count")
Q = tantivy.Query
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="tantivy-page")
MUST, SHOULD, MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("doc_type", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("body", tokenizer_name=_GRAMS, index_option="position")
    sb.add_text_field("body_chars", tokenizer_name=_CHARS, index_option="freq")
    sb.add_text_field("heading", tokenizer_name=_GRAMS, index_option="position")
    sb.add_text_field("heading_chars", tokenizer_name=_CHARS, index_option="basic")
    for name in ("report", "region_path"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in ("section", "record", "level", "kind"):
        sb.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    for name in ("serial", "pkey", "year"):  # i64: a Python int in a u64 field fails the commit
        sb.add_integer_field(name, fast=True, indexed=True)
    for name in ("section_key", "region_key"):
        sb.add_integer_field(name, fast=True)
    sb.add_integer_field("sentences", indexed=True)
    sb.add_float_field("recency", fast=True)
    for name in ("para", "blob", "headings"):
        sb.add_bytes_field(name, stored=True)
    return sb.build()


def _register_analyzers(index: tantivy.Index) -> None:
    grams = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
    # A stop word keeps its position: FILL holds an empty slot of the layout.
    grams = grams.filter(tantivy.Filter.custom_stopword([FILL])).build()
    # Unigrams need no positions, so the n-gram tokenizer's all-zero positions are harmless.
    chars = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(1, 1)).build()
    index.register_tokenizer(_GRAMS, grams)
    index.register_tokenizer(_CHARS, chars)


def commit_token(path: Path) -> tuple[int, int, int]:
    """Names the committed state of the index in ``path`` (tantivy replaces meta.json)."""
    st = (Path(path) / "meta.json").stat()
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class TantivyWriter:
    """Puts and deletes reports; the engine commits everything at once when the run ends."""

    def __init__(self, writer: tantivy.IndexWriter, next_serial: int):
        self._writer = writer
        self._serial = next_serial

    def put_report(
        self,
        report_id: str,
        blob: bytes,
        fields: ReportFields,
        paragraphs: Sequence[ParagraphDoc],
        entry: ReportEntry = NO_ENTRY,
        summary: str = "{}",
        headings: bytes = b"",
        title: str = "",
        passages: Sequence[bytes] = (),
    ) -> None:
        """Add a report (its blob, record and paragraphs), replacing an earlier version.

        ``entry``, ``summary`` (JSON), ``headings`` and ``title`` are kept for the engine
        interface; ``passages`` (one per paragraph) are stored with the paragraphs.
        """
        if not report_id or len(paragraphs) > ORDINAL_MASK or self._serial >= MAX_SERIAL:
            raise ValueError(f"cannot index report {report_id!r}: empty id or too large")
        self.delete_report(report_id)
        serial, self._serial = self._serial, self._serial + 1
        add = self._writer.add_document
        add(tantivy.Document(doc_type="b", report=report_id, blob=blob))
        sections = dict.fromkeys(para.section for para in paragraphs if para.headings)
        record = encode_record(serial, report_id, fields, entry, summary, sections, title)
        add(tantivy.Document(doc_type="r", report=report_id, serial=serial, record=record,
                             headings=headings))  # fmt: skip
        shared = report_level(report_id, serial, fields)
        sections: dict[tuple[str, ...], dict] = {}
        for ordinal, para in enumerate(paragraphs):
            if para.headings not in sections:
                sections[para.headings] = heading_level(para)
            stored = passages[ordinal] if passages else _passage(ordinal, para)
            doc = tantivy.Document(
                **shared, **sections[para.headings], **body_level(para.text, stored)
            )
            doc.add_integer("pkey", paragraph_key(serial, ordinal))
            add(doc)

    def delete_report(self, report_id: str) -> None:
        """Remove a report and its paragraphs (no-op if absent)."""
        self._writer.delete_documents_by_term("report", report_id)


class TantivyEngine:
    """A tantivy index directory: write with :meth:`writer`, read a committed state with
    :meth:`view` (which answers plans)."""

    def __init__(
        self,
        path: Path | str,
        facet_limit: int = FACET_LIMIT,
        chunk: int = CHUNK,
        create: bool = True,
        buckets: int = BUCKETS,
    ):
        self.path = Path(path)
        self.facet_limit, self.chunk, self.buckets = facet_limit, chunk, buckets
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
        _check_version(self.path, mark=create)
        try:  # an existing index only, unless creating: never resurrect a removed directory
            if create:
                self._index = tantivy.Index(_schema(), path=str(self.path), reuse=True)
            else:
                self._index = tantivy.Index.open(str(self.path))
        except ValueError as exc:
            raise OSError(f"cannot open the tantivy index in {self.path}: {exc}") from exc
        _register_analyzers(self._index)
        self._index.config_reader(reload_policy="manual")
        self.schema = self._index.schema
        self._lock = threading.Lock()
        self._view: TantivyView | None = None

    def view(self) -> TantivyView:
        """The latest committed state; one view per commit, shared by every caller."""
        token = commit_token(self.path)
        with self._lock:
            if self._view is None or self._view.token != token:
                self._index.reload()
                self._view = TantivyView(self, self._index.searcher(), token, self._view)
            return self._view

    @contextmanager
    def writer(
        self, heap_size: int = 256_000_000, threads: int = 0, merge: bool = True
    ) -> Iterator[TantivyWriter]:
        """Yield a writer; its changes become visible in one commit when the block ends.

        Readers see the state before or after, never between. An exception rolls everything
        back. ``merge=False`` skips waiting for segment merges (a test of many segments).
        tantivy's lock allows one writer per index: a second one raises ValueError.
        """
        handle = self._index.writer(heap_size=heap_size, num_threads=threads)
        # Read serials only now: a writer that held the lock before us has committed.
        run = TantivyWriter(handle, self.view().next_serial())
        try:
            try:
                yield run
            except BaseException:
                handle.rollback()
                raise
            handle.commit()
            if merge:
                handle.wait_merging_threads()
        finally:
            run._writer = None  # dropping the last reference releases tantivy's lock
            del handle


class TantivyView:
    """One committed state of a tantivy index: answers plans and reads reports; thread-safe."""

    def __init__(
        self,
        engine: TantivyEngine,
        searcher: tantivy.Searcher,
        token: object,
        previous: TantivyView | None = None,
    ):
        self.token = token
        self.facet_limit, self.chunk, self.buckets = (
            engine.facet_limit,
            engine.chunk,
            engine.buckets,
        )
        self._schema = engine.schema
        self._searcher = searcher
        self._lock = threading.Lock()
        self._seed = (previous._table or previous._seed) if previous is not None else None
        self._table: ReportTable | None = None
        self._paragraphs: int | None = None
        self._verified: OrderedDict[tuple, list[int]] = OrderedDict()
        self._headings_lock = threading.Lock()
        self._heading_totals: dict[str, int] | None = None
        self._heading_seed = None  # (old searcher, its table, its totals) to update from
        if previous is not None and previous._heading_totals is not None:
            self._heading_seed = (previous._searcher, previous.table(), previous._heading_totals)

    # -- reports ---------------------------------------------------------------------------
    def table(self) -> ReportTable:
        """The records of every report, read once per view (reusing the previous view's)."""
        with self._lock:
            if self._table is None:
                self._table = ReportTable(self._rows(self._seed), self._seed)
                self._seed = None
            return self._table

    def entries(self, cache: Path | None = None) -> dict[str, ReportEntry]:
        """What an index run compares, by report id (no table is built for it).

        With ``cache`` (a file only index runs write), the entries of the reports it holds
        that are still present are taken from it, told as :meth:`_carried` tells rows, and
        only newer records are read; the cache is written again once they are many (a
        write costs more than reading a few records, and a file renamed over the cache may
        be flushed to disk at once).
        """
        with self._lock:
            table = self._table
        if table is not None:
            return table.entries()
        cached = read_entries(cache) if cache is not None else {}
        kept = [serial for serial in self._serials() if serial in cached] if cached else []
        kept = self._still_known(kept, lambda s, record: record_stamp(record)[1] == cached[s][0])
        known = {serial: cached[serial] for serial in kept}
        fresh = list(self._record_strings(kept[-1] + 1 if kept else 0))
        for record in fresh:
            serial, stamp = record_stamp(record)
            known[serial] = (stamp, *decode_entry(record))
        if cache is not None and (not kept or len(fresh) > ENTRIES_REWRITE):
            write_entries(cache, known)
        return {report_id: entry for _stamp, report_id, entry in known.values()}

    def _rows(self, seed: ReportTable | None) -> dict[str, ReportRow]:
        """Every report's row by record; from ``seed``, only the records it lacks are read."""
        carried = self._carried(seed) if seed is not None and seed.rows else {}
        if carried:
            top = max(row.serial for row in carried.values())
            for record in self._record_strings(top + 1):
                carried[record] = decode_record(record)
            return carried
        known = seed.records if seed is not None else {}
        return {record: known.get(record) or decode_record(record)
                for record in self._record_strings()}  # fmt: skip

    def _carried(self, seed: ReportTable) -> dict[str, ReportRow]:
        """The seed's rows still present, by record (the records above them are new)."""
        record_of = {row.serial: record for record, row in seed.records.items()}
        kept = [serial for serial in self._serials() if serial in record_of]
        kept = self._still_known(kept, lambda serial, record: record == record_of[serial])
        rows = seed.rows
        return {record_of[serial]: rows[serial] for serial in kept}

    def _still_known(self, kept: list[int], same: Callable[[int, str], bool]) -> list[int]:
        """The serials of ``kept`` (present, ascending) whose records are the ones known.

        Serials grow, so a record above the highest of them is new and one below it the
        known one -- unless serials were given again (the reports with the highest ones
        removed, then others added). Every serial from the first given again up is new, so
        those are a suffix of ``kept``: the top record tells if there is one, and bisection
        finds where it starts.
        """

        def known(i: int) -> bool:
            record = self._record_at(kept[i])
            return record is not None and same(kept[i], record)

        if not kept or known(len(kept) - 1):
            return kept
        lo, hi = 0, len(kept) - 1  # kept[hi] is not known; the suffix starts in lo..hi
        while lo < hi:
            mid = (lo + hi) // 2
            if known(mid):
                lo = mid + 1
            else:
                hi = mid
        return kept[:lo]

    def _serials(self) -> list[int]:
        """The serial of every report, in order (fast-field values: no record is read)."""
        addresses = self._every_doc(self._term("doc_type", "r"))
        return sorted(self._searcher.fast_field_values("serial", addresses))

    def _record_at(self, serial: int) -> str | None:
        """The record string of the report with ``serial``, or None."""
        query = _filtered(self._term("doc_type", "r"), self._between("serial", serial, serial))
        found = self._searcher.aggregate(query, {"r": _terms("record", 1)})["r"]["buckets"]
        return found[0]["key"] if found else None

    def _record_strings(self, lo: int = 0) -> Iterator[str]:
        """The record strings of reports with serials from ``lo`` up (one terms aggregation
        per ``buckets`` reports)."""
        records = self._term("doc_type", "r")
        if lo:
            records = _filtered(records, self._between("serial", lo, MAX_SERIAL))
        found = self._searcher.aggregate(records, {"r": _terms("record", self.buckets)})["r"]
        parts = [found]
        if found.get("sum_other_doc_count"):  # more reports than one aggregation holds
            top = self.next_serial() - 1
            parts = [self._searcher.aggregate(
                _filtered(records, self._between("serial", start, start + self.buckets - 1)),
                {"r": _terms("record", self.buckets)})["r"]
                for start in range(lo, top + 1, self.buckets)]  # fmt: skip
        for part in parts:
            yield from map(_KEY, part["buckets"])

    def heading_totals(self) -> dict[str, int]:
        """Every heading as written with its paragraph count, in the order first met.

        Read from every report's record once; a view that follows one with totals reads
        only the records that came and went since (the old ones from the old searcher).
        """
        with self._headings_lock:
            if self._heading_totals is None:
                self._heading_totals = self._tally_headings()
                self._heading_seed = None
            return self._heading_totals

    def _tally_headings(self) -> dict[str, int]:
        if self._heading_seed is None:
            return tally_headings({}, self._stored_headings(self._searcher, None))
        searcher, old, totals = self._heading_seed
        records = self.table().records
        gone = [row.serial for record, row in old.records.items() if record not in records]
        new = [row.serial for record, row in records.items() if record not in old.records]
        totals = tally_headings(dict(totals), self._stored_headings(searcher, gone), sign=-1)
        return tally_headings(totals, self._stored_headings(self._searcher, new))

    def _stored_headings(self, searcher: tantivy.Searcher, serials: list[int] | None):
        """The stored headings of the reports with ``serials`` (all if None), in index order."""
        query = self._term("doc_type", "r")
        if serials is not None:
            if not serials:
                return
            query = _all_of([query, Q.term_set_query(self._schema, "serial", serials)])
        n = searcher.search(query, 1, count=True).count
        if n == 0:  # tantivy panics on limit=0
            return
        for _score, address in searcher.search(query, n, count=False).hits:
            yield searcher.doc(address).get_first("headings") or b""

    def load_blob(self, report_id: str) -> bytes | None:
        """The stored blob of a report, or None."""
        query = _all_of([self._term("doc_type", "b"), self._term("report", report_id)])
        hits = self._searcher.search(query, 1, count=False).hits
        return self._searcher.doc(hits[0][1]).get_first("blob") if hits else None

    def passage(self, report_id: str, ordinal: int) -> tuple[ReportRow, Paragraph] | None:
        """A stored paragraph (as written) with its report's record, or None."""
        table = self.table()
        serial = table.serials.get(report_id)
        if serial is None or not 0 <= ordinal <= ORDINAL_MASK:
            return None
        query = self._term("pkey", paragraph_key(serial, ordinal))
        hits = self._searcher.search(query, 1, count=False).hits
        if not hits:
            return None
        return table.rows[serial], decode_passage(self._searcher.doc(hits[0][1]).get_first("para"))

    def next_serial(self) -> int:
        """One more than the highest serial of a report."""
        query = self._term("doc_type", "r")
        found = self._searcher.aggregate(query, {"top": {"max": {"field": "serial"}}})
        top = found["top"]["value"]
        return 0 if top is None else int(top) + 1

    def paragraph_count(self) -> int:
        """Number of indexed paragraphs."""
        if self._paragraphs is None:
            query = self._term("doc_type", "p")
            self._paragraphs = self._searcher.search(query, 1, count=True).count
        return self._paragraphs

    def report_count(self) -> int:
        """Number of indexed reports (a count of their records; no record is read)."""
        return self._searcher.search(self._term("doc_type", "r"), 1, count=True).count

    def segment_count(self) -> int:
        """Number of segments."""
        return self._searcher.num_segments

    def doc_freq(self, term: str) -> int:
        """Number of paragraphs in which normalized ``term`` occurs (exact)."""
        return self._searcher.search(self._occurs(_BODY, term), 1, count=True).count

    def _every_doc(self, query: tantivy.Query) -> list:
        n = self._searcher.search(query, 1, count=True).count
        if n == 0:  # tantivy panics on limit=0
            return []
        return [address for _, address in self._searcher.search(query, n, count=False).hits]

    # -- answering plans -------------------------------------------------------------------
    def count(self, plan: Plan) -> int:
        """Number of paragraphs matching ``plan``."""
        return self._searcher.search(self._query(plan), 1, count=True).count

    def search(self, plan: Plan) -> EngineResult:
        """Total and facets over all hits, and the page ``plan.offset:+plan.size``."""
        query = self._query(plan)
        table = self.table()
        # The ranked page needs nothing from the aggregation: both run at once, each releasing
        # the GIL (tantivy cannot rank and aggregate in one evaluation).
        page = _POOL.submit(self._relevance_page, query, plan) if plan.sort == "relevance" else None
        aggs = {"serial": _terms("serial", self.buckets),
                "section": _terms(_section_field(table), 4 * self.facet_limit)}  # fmt: skip
        try:
            found = self._searcher.aggregate(query, aggs)
            serials, counts = self._serial_counts(query, found["serial"])
            facets = {"section": self._sections(query, found["section"]),
                      **table.facets(serials, counts, self.facet_limit)}  # fmt: skip
            total = sum(counts)
        finally:
            hits = page.result() if page is not None else None
        if hits is None:
            hits = self._page(query, plan, table.years(serials, counts), total)
        return EngineResult(total, {name: facets[name] for name in FACETS}, self._keys(hits))

    def facet_values(self, plan: Plan, name: str) -> Facet:
        """Every value of facet ``name`` over all hits with its paragraph count (no cut)."""
        if name not in FACETS:
            raise ValueError(f"unknown facet {name!r}")
        query = self._query(plan)
        if name == "section":
            table = self.table()
            found = self._every_value(query, _section_field(table), 0, table.top_serial)
            return ranked(_section_names(table, found))
        found = self._searcher.aggregate(query, {"serial": _terms("serial", self.buckets)})
        serials, counts = self._serial_counts(query, found["serial"])
        return self.table().facets(serials, counts, names=(name,))[name]

    def iter_hits(self, plan: Plan) -> Iterator[HitKey]:
        """Every hit once, in the plan's order (``offset`` and ``size`` are ignored).

        Hits are fetched in chunks of the ``pkey`` fast field and merged from sorted runs on
        disk, so memory holds one chunk, however many hits there are.
        """
        query = self._query(plan)
        table = self.table()
        records = runs.merged(self._records(query), key=_ORDER[plan.sort])
        while batch := list(islice(records, 1000)):
            for score, _year, _seg, _doc, pkey in batch:
                yield HitKey(table.name(pkey >> ORDINAL_BITS), pkey & ORDINAL_MASK, score)

    # -- compiling ---------------------------------------------------------------------------
    def _term(self, field: str, value: object) -> tantivy.Query:
        return Q.term_query(self._schema, field, value)

    def _between(self, field: str, lo: int, hi: int) -> tantivy.Query:
        """An inclusive range of an i64 fast field."""
        return Q.range_query(self._schema, field, tantivy.FieldType.Integer, lo, hi)

    def _occurs(self, fields: tuple[str, str], term: str) -> tantivy.Query:
        """Paragraphs where ``term`` occurs under the boundary rule, in (grams, chars) fields."""
        words = phrase(term)
        if not words:
            return self._term(fields[1], term)
        if len(words) == 1:  # tantivy panics on a phrase of one term
            return self._term(fields[0], words[0][1])
        return Q.phrase_query(self._schema, fields[0], words)

    def _clause(self, clause: Clause) -> tantivy.Query:
        alternatives = [_all_of([self._occurs(_BODY, p) for p in alt]) for alt in clause]
        return _any_of(alternatives)

    def _partial(self, partial: Partial) -> tantivy.Query:
        """Enough units of the words (repeated clauses), scored by their weighted share."""
        total = sum(partial.weights)
        occurs = [self._occurs(_BODY, word) for word in partial.words]
        counted = [
            (SHOULD, Q.const_score_query(q, weight / total / units))
            for q, weight, units in zip(occurs, partial.weights, partial.units, strict=True)
            for _ in range(units)
        ]
        enough = Q.boolean_query(counted, minimum_number_should_match=partial.minimum)
        return Q.boolean_query(
            [(MUST, enough), (SHOULD, Q.boost_query(_any_of(occurs), TIE_BREAK))]
        )

    def _filter(self, clause: FilterClause) -> tantivy.Query:
        if clause.field == "year":
            ranges = [year_range(v) for v in clause.values]
            return _any_of([self._between("year", lo, hi) for lo, hi in ranges])
        if clause.field == "heading":
            return _any_of([self._occurs(_HEADING, v) for v in clause.values])
        field = _FILTER_FIELDS[clause.field]
        return Q.term_set_query(self._schema, field, list(clause.values))

    def _compile(self, plan: Plan) -> tantivy.Query:
        """The plan as one query; filters score 0, so scores are the clauses' BM25 alone."""
        must = [(MUST, self._clause(c)) for c in plan.clauses]
        if plan.partial is not None:
            must.append((MUST, self._partial(plan.partial)))
        if not must:
            must = [(MUST, Q.const_score_query(self._term("doc_type", "p"), 1.0))]
        must += [(MUST_NOT, self._occurs(_BODY, t)) for t in plan.excluded]
        for f in plan.filters:
            q = self._filter(f)
            must.append((MUST_NOT, q) if f.negated else (MUST, Q.const_score_query(q, 0.0)))
        return Q.boolean_query(must)

    def _query(self, plan: Plan) -> tantivy.Query:
        query = self._compile(plan)
        if plan.within != "sentence" or not plan.clauses or sentence_is_paragraph(plan.clauses):
            return query
        keys = self._verified_keys(plan, query)
        single = self._term("sentences", 1)
        if keys:
            single = _any_of([single, Q.term_set_query(self._schema, "pkey", keys)])
        return _filtered(query, single)

    def _verified_keys(self, plan: Plan, query: tantivy.Query) -> list[int]:
        """pkeys of multi-sentence candidates that meet every clause in one sentence."""
        cache_key = (plan.clauses, plan.excluded, plan.filters)
        with self._lock:
            if cache_key in self._verified:
                self._verified.move_to_end(cache_key)
                return self._verified[cache_key]
        candidates = Q.boolean_query([(MUST, query), (MUST_NOT, self._term("sentences", 1))])
        keys = []
        for chunk in self._records(candidates, with_address=True):
            for pkey, address in chunk:
                para = decode_passage(self._searcher.doc(address).get_first("para"))
                if sentence_match(normalize(para.text), plan.clauses):
                    keys.append(pkey)
        with self._lock:
            self._verified[cache_key] = keys
            while len(self._verified) > 64:
                self._verified.popitem(last=False)
        return keys

    # -- results -----------------------------------------------------------------------------
    def _serial_counts(self, query, found: dict) -> tuple[list[int], list[int]]:
        """Paragraph counts per report serial, as two lists; ranges of serials if too many."""
        parts = [found]
        if found.get("sum_other_doc_count"):  # more reports with hits than one aggregation holds
            parts = []
            for lo in range(0, self.table().top_serial + 1, self.buckets):
                part = _filtered(query, self._between("serial", lo, lo + self.buckets - 1))
                agg = {"serial": _terms("serial", self.buckets)}
                parts.append(self._searcher.aggregate(part, agg)["serial"])
        serials: list[int] = []
        counts: list[int] = []
        for part in parts:
            serials += map(_KEY, part["buckets"])
            counts += map(_COUNT, part["buckets"])
        return serials, counts

    def _sections(self, query, found: dict) -> Facet:
        """The top sections; counted again with more values if left-out ones might tie."""
        table = self.table()
        size = 4 * self.facet_limit
        while True:
            complete = not found.get("sum_other_doc_count") or size >= self.buckets
            counts = _section_names(table, _counts(found))
            top = top_values(counts, self.facet_limit, complete)
            if top is not None:
                return top
            size = min(4 * size, self.buckets)
            agg = {"v": _terms(_section_field(table), size)}
            found = self._searcher.aggregate(query, agg)["v"]

    def _every_value(self, query, field: str, lo: int, hi: int) -> dict[str, int]:
        """Every value of ``field`` over the hits of reports with serials ``lo..hi``."""
        part = _filtered(query, self._between("serial", lo, hi))
        found = self._searcher.aggregate(part, {"v": _terms(field, self.buckets)})["v"]
        if not found.get("sum_other_doc_count"):
            return _counts(found)
        if lo >= hi:
            raise Unsupported(f"more than {self.buckets} values of {field} in one report")
        mid = (lo + hi) // 2
        out = self._every_value(query, field, lo, mid)
        for value, n in self._every_value(query, field, mid + 1, hi).items():
            out[value] = out.get(value, 0) + n
        return out

    def _relevance_page(self, query, plan: Plan) -> list:
        if plan.size == 0:  # tantivy panics on limit=0
            return []
        return self._searcher.search(query, plan.size, count=False, offset=plan.offset,
                                     weight_by_field="recency").hits  # fmt: skip

    def _page(self, query, plan: Plan, years: dict[int | None, int], total: int) -> list:
        if plan.size == 0 or plan.offset >= total:  # tantivy panics on limit=0
            return []
        if plan.sort == "relevance":
            return self._relevance_page(query, plan)
        hits: list = []
        skip = plan.offset
        by_year = {YEAR_MISSING if y is None else y: n for y, n in years.items()}
        for year in sorted(by_year, reverse=plan.sort == "year_desc"):
            if skip >= by_year[year]:
                skip -= by_year[year]
                continue
            limit = min(plan.size - len(hits), by_year[year] - skip)
            in_year = _filtered(query, self._term("year", year))
            hits += self._searcher.search(in_year, limit, count=False, offset=skip,
                                          weight_by_field="recency").hits  # fmt: skip
            skip = 0
            if len(hits) == plan.size:
                break
        return hits

    def _keys(self, hits: list) -> tuple[HitKey, ...]:
        pkeys = self._searcher.fast_field_values("pkey", [address for _, address in hits])
        table = self.table()
        return tuple(HitKey(table.name(p >> ORDINAL_BITS), p & ORDINAL_MASK, score)
                     for (score, _), p in zip(hits, pkeys, strict=True))  # fmt: skip

    def _records(self, query, with_address: bool = False) -> Iterator[list]:
        """Every hit of ``query``, one chunk of pkey ranges at a time."""
        for lo, hi, count in self._chunks(query):
            part = _filtered(query, self._between("pkey", lo, hi))
            hits = self._searcher.search(part, count, count=False, weight_by_field="recency").hits
            addresses = [address for _, address in hits]
            pkeys = self._searcher.fast_field_values("pkey", addresses)
            if with_address:
                yield list(zip(pkeys, addresses, strict=True))
                continue
            years = self._searcher.fast_field_values("year", addresses)
            yield [(score, year, a.segment_ord, a.doc, pkey)
                   for (score, a), year, pkey in zip(hits, years, pkeys, strict=True)]  # fmt: skip

    def _chunks(self, query) -> list[tuple[int, int, int]]:
        """Inclusive pkey ranges holding about ``chunk`` hits each, with their hit counts."""
        bounds = self._searcher.aggregate(query, {"lo": {"min": {"field": "pkey"}},
                                                  "hi": {"max": {"field": "pkey"}}})  # fmt: skip
        if bounds["lo"]["value"] is None:
            return []
        lo, hi = int(bounds["lo"]["value"]), int(bounds["hi"]["value"])
        reports = (hi >> ORDINAL_BITS) - (lo >> ORDINAL_BITS) + 1
        width = (1 << ORDINAL_BITS) * math.ceil(reports / self.buckets)  # whole reports each
        agg = {"histogram": {"field": "pkey", "interval": width, "min_doc_count": 1}}
        buckets = self._searcher.aggregate(query, {"h": agg})["h"]["buckets"]
        chunks: list[tuple[int, int, int]] = []
        for b in buckets:
            start, count = int(b["key"]), b["doc_count"]
            if chunks and chunks[-1][2] + count <= self.chunk:
                chunks[-1] = (chunks[-1][0], start + width - 1, chunks[-1][2] + count)
            else:
                chunks.append((start, start + width - 1, count))
        return chunks


def top_values(counts: dict[str, int], limit: int, complete: bool) -> Facet | None:
    """The ``limit`` values with the most counts, ties by value, from part of a facet.

    ``counts`` are exact but, unless ``complete``, hold only the most frequent values
    (tantivy's, ties in no particular order): None if one left out might tie at the cut.
    With ``complete``, ties at the cut are broken among the values given.
    """
    top = ranked(counts, limit)
    if complete or (len(counts) > limit and top[-1][1] > min(counts.values())):
        return top
    return None


def _passage(ordinal: int, para: ParagraphDoc) -> bytes:
    """What to store when a paragraph was given without its text as written."""
    return encode_passage(Paragraph("", ordinal + 1, para.headings, para.text))


def _terms(field: str, size: int) -> dict:
    return {"terms": {"field": field, "size": size, "segment_size": _EVERY}}


def _section_field(table: ReportTable) -> str:
    return "section" if table.section_clash else "section_key"


def _section_names(table: ReportTable, counts: dict) -> dict[str, int]:
    """Counts by section name, from counts by the field :func:`_section_field` names."""
    if table.section_clash:
        return counts
    return {table.section_names[key]: n for key, n in counts.items()}


def _counts(found: dict) -> dict:
    return dict(zip(map(_KEY, found["buckets"]), map(_COUNT, found["buckets"]), strict=True))


def _all_of(queries: list[tantivy.Query]) -> tantivy.Query:
    return queries[0] if len(queries) == 1 else Q.boolean_query([(MUST, q) for q in queries])


def _any_of(queries: list[tantivy.Query]) -> tantivy.Query:
    return queries[0] if len(queries) == 1 else Q.boolean_query([(SHOULD, q) for q in queries])


def _filtered(query: tantivy.Query, condition: tantivy.Query) -> tantivy.Query:
    """``query`` restricted to ``condition``, with unchanged scores."""
    return Q.boolean_query([(MUST, query), (MUST, Q.const_score_query(condition, 0.0))])


def _check_version(path: Path, mark: bool) -> None:
    """Refuse an index built with another schema; mark a new one (if ``mark``)."""
    marker = path / VERSION_FILE
    if marker.exists():
        found = json.loads(marker.read_text()).get("schema")
        if found != SCHEMA_VERSION:
            raise ValueError(f"{path} holds a tantivy index of schema {found}; rebuild it")
    elif (path / "meta.json").exists():
        raise ValueError(f"{path} holds a tantivy index of an unknown schema; rebuild it")
    elif mark:
        marker.write_text(json.dumps({"schema": SCHEMA_VERSION}) + "\n")


def __getattr__(name: str):
    # The Engine (directories, generations, the Searcher protocol) is built on this module
    # in tantivy_index; it is offered here too, where the engine factory looks for it.
    if name == "TantivyIndex":
        from indexer.engines.tantivy_index import TantivyIndex

        return TantivyIndex
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
