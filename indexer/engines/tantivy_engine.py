"""The tantivy engine: the only module that imports tantivy.

One tantivy document per paragraph (``doc_type`` "p") and one per report ("r", holding the
report's stored blob). A paragraph document has:

* ``body``: the normalized text as positional bigram tokens with boundary markers
  (:mod:`indexer.engines.bigrams`), so a phrase query is exactly
  :func:`indexer.textmatch.contains`; ``body_chars``: its characters, for one-character terms;
* ``heading`` / ``heading_chars``: the same over the normalized section path, headings joined
  by a newline that no phrase crosses;
* fast fields ``report``, ``region`` (the report's own), ``level``, ``kind``, ``section`` (the
  normalized top-level heading), ``year`` (i64, ``YEAR_MISSING`` when unknown), ``pkey``
  (``serial << 20 | ordinal``: the report's serial, assigned when it is put, and the
  paragraph's 0-based ordinal), ``recency`` (the year's tie-breaking weight);
  indexed only: ``region_path`` (multi-valued), ``sentences`` (how many the text has);
* stored: ``text`` (normalized), only when it has several sentences, for same-sentence checks.

Ranking. ``relevance`` is tantivy's BM25 multiplied by ``log2(2 + recency)``, a factor between
1 and 1.0007 that grows with the year in steps larger than float32 rounding: equal scores go to
the newer year (so do scores within 0.07% of each other), then to index order (tantivy's
DocAddress). A plan without clauses scores every hit 1 × that factor: newest first.
``year_desc``/``year_asc`` order by year (``YEAR_MISSING`` counts as the oldest), then the
same score. Pages and :meth:`TantivyEngine.iter_hits` follow this one order.

Facets count paragraphs over all hits with terms aggregations that count every value in every
segment (exact on any number of segments): every value, or the ``facet_limit`` (default 500)
most frequent, ties by value. tantivy returns the most frequent values, ties in no order, so
it is asked for four times as many; a field where left-out values might tie at the cut is
counted again with more (up to 50,000 values, tantivy's bucket limit; past that, ties at the
cut are broken among the values returned). Total and facets come from one evaluation
(``aggregate``), the page from a second (``search``) on the same searcher: one committed state.

Same sentence. A paragraph of one sentence matches as a paragraph. Plans that cannot differ
(:func:`~indexer.query.plan.sentence_is_paragraph`) add nothing. Otherwise the multi-sentence
paragraphs that match as paragraphs are read from the store and checked in Python, costing
about one stored-document read per such candidate; the verified keys then join the query as
a term set, so total, facets, page and stream stay native. The keys are cached per plan and
committed state.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

import tantivy

from indexer.engines import runs
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
from indexer.query.plan import (
    FACETS,
    Clause,
    EngineResult,
    FilterClause,
    HitKey,
    Plan,
    sentence_is_paragraph,
    sentence_match,
    year_range,
)

SCHEMA_VERSION = "1"
VERSION_FILE = "govsearch-tantivy.json"
FACET_LIMIT = 500
CHUNK = 50_000  # hits held in memory at a time while streaming or verifying
_EVERY = 1 << 31  # terms aggregation segment_size: keep every value of every segment
_BUCKETS = 50_000  # under tantivy's limit of 65,000 buckets per aggregation
_GRAMS, _CHARS = "govsearch_grams", "govsearch_chars"
_BODY, _HEADING = ("body", "body_chars"), ("heading", "heading_chars")
_FACET_FIELDS = {"section": "section", "report": "report", "region": "region",
                 "year": "year", "level": "level", "kind": "kind"}  # fmt: skip
_FILTER_FIELDS = {"report": "report", "region": "region_path", "level": "level",
                  "kind": "kind", "section": "section"}  # fmt: skip
_ORDER = {
    "relevance": lambda r: (-r[0], r[2], r[3]),
    "year_desc": lambda r: (-r[1], -r[0], r[2], r[3]),
    "year_asc": lambda r: (r[1], -r[0], r[2], r[3]),
}  # records are (score, year, segment_ord, doc, pkey)
Q = tantivy.Query
MUST, SHOULD, MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("doc_type", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("body", tokenizer_name=_GRAMS, index_option="position")
    sb.add_text_field("body_chars", tokenizer_name=_CHARS, index_option="freq")
    sb.add_text_field("heading", tokenizer_name=_GRAMS, index_option="position")
    sb.add_text_field("heading_chars", tokenizer_name=_CHARS, index_option="basic")
    for name in ("report", "region", "level", "kind", "section"):
        sb.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("region_path", tokenizer_name="raw", index_option="basic")
    for name in ("serial", "pkey", "year"):  # i64: a Python int in a u64 field fails the commit
        sb.add_integer_field(name, fast=True, indexed=True)
    sb.add_integer_field("sentences", indexed=True)
    sb.add_float_field("recency", fast=True)
    sb.add_bytes_field("text", stored=True)
    sb.add_bytes_field("blob", stored=True)
    return sb.build()


def _register_analyzers(index: tantivy.Index) -> None:
    grams = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
    # A stop word keeps its position: FILL holds an empty slot of the layout.
    grams = grams.filter(tantivy.Filter.custom_stopword([FILL])).build()
    # Unigrams need no positions, so the n-gram tokenizer's all-zero positions are harmless.
    chars = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(1, 1)).build()
    index.register_tokenizer(_GRAMS, grams)
    index.register_tokenizer(_CHARS, chars)


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
    ) -> None:
        """Add a report (stored ``blob`` plus its paragraphs), replacing an earlier version."""
        if not report_id or len(paragraphs) > ORDINAL_MASK or self._serial >= MAX_SERIAL:
            raise ValueError(f"cannot index report {report_id!r}: empty id or too large")
        self.delete_report(report_id)
        serial, self._serial = self._serial, self._serial + 1
        self._writer.add_document(
            tantivy.Document(doc_type="r", report=report_id, serial=serial, blob=blob)
        )
        shared = report_level(report_id, serial, fields)
        headings: dict[tuple[str, ...], dict] = {}
        for ordinal, para in enumerate(paragraphs):
            if para.headings not in headings:
                headings[para.headings] = heading_level(para)
            doc = tantivy.Document(**shared, **headings[para.headings], **body_level(para.text))
            doc.add_integer("pkey", paragraph_key(serial, ordinal))
            self._writer.add_document(doc)

    def delete_report(self, report_id: str) -> None:
        """Remove a report and its paragraphs (no-op if absent)."""
        self._writer.delete_documents_by_term("report", report_id)


class TantivyEngine:
    """A tantivy index directory: write with :meth:`writer`, answer :class:`Plan` objects."""

    def __init__(self, path: Path | str, facet_limit: int = FACET_LIMIT, chunk: int = CHUNK):
        self.path = Path(path)
        self.facet_limit = facet_limit
        self.chunk = chunk
        self.path.mkdir(parents=True, exist_ok=True)
        _check_version(self.path)
        self._index = tantivy.Index(_schema(), path=str(self.path), reuse=True)
        _register_analyzers(self._index)
        self._index.config_reader(reload_policy="manual")
        self._schema = self._index.schema
        self._lock = threading.Lock()
        self._state: tuple[object, tantivy.Searcher] | None = None
        self._verified: OrderedDict[tuple, list[int]] = OrderedDict()
        self._names: tuple[object, dict[int, str]] = (None, {})  # report ids by serial

    # -- state -----------------------------------------------------------------------------
    def _current(self) -> tuple[tantivy.Searcher, object]:
        """The searcher of the latest commit and a token naming that commit."""
        st = (self.path / "meta.json").stat()
        token = (st.st_ino, st.st_mtime_ns, st.st_size)  # meta.json is replaced per commit
        with self._lock:
            if self._state is None or self._state[0] != token:
                self._index.reload()
                self._state = (token, self._index.searcher())
            return self._state[1], self._state[0]

    # -- writing ---------------------------------------------------------------------------
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
        searcher, _ = self._current()
        run = TantivyWriter(handle, _next_serial(searcher, self._schema))
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

    # -- reports ---------------------------------------------------------------------------
    def load_blob(self, report_id: str) -> bytes | None:
        """The stored blob of a report, or None."""
        searcher, _ = self._current()
        query = _all_of([self._term("doc_type", "r"), self._term("report", report_id)])
        hits = searcher.search(query, 1, count=False).hits
        return searcher.doc(hits[0][1]).get_first("blob") if hits else None

    def report_ids(self) -> list[str]:
        """Ids of every indexed report, sorted."""
        searcher, _ = self._current()
        top = _next_serial(searcher, self._schema)
        ids: list[str] = []
        for lo in range(0, top, _BUCKETS):  # one aggregation may not return more buckets
            serials = self._between("serial", lo, lo + _BUCKETS - 1)
            query = _all_of([self._term("doc_type", "r"), serials])
            found = searcher.aggregate(query, {"ids": _terms("report", _BUCKETS)})
            ids.extend(b["key"] for b in found["ids"]["buckets"])
        return sorted(ids)

    def paragraph_count(self) -> int:
        """Number of indexed paragraphs."""
        searcher, _ = self._current()
        return searcher.search(self._term("doc_type", "p"), 1, count=True).count

    def segment_count(self) -> int:
        """Number of segments of the committed index (merges reduce it)."""
        searcher, _ = self._current()
        return searcher.num_segments

    def doc_freq(self, term: str) -> int:
        """Number of paragraphs in which normalized ``term`` occurs (exact)."""
        searcher, _ = self._current()
        return searcher.search(self._occurs(_BODY, term), 1, count=True).count

    # -- answering plans -------------------------------------------------------------------
    def count(self, plan: Plan) -> int:
        """Number of paragraphs matching ``plan``."""
        searcher, token = self._current()
        return searcher.search(self._query(searcher, token, plan), 1, count=True).count

    def search(self, plan: Plan) -> EngineResult:
        """Total and facets over all hits, and the page ``plan.offset:+plan.size``."""
        searcher, token = self._current()
        query = self._query(searcher, token, plan)
        aggs = {name: self._facet_agg(name, 4 * self.facet_limit) for name in FACETS}
        found = searcher.aggregate(query, aggs)
        # Every paragraph has a year (YEAR_MISSING included), and every year is asked for.
        years = {int(b["key"]): b["doc_count"] for b in found["year"]["buckets"]}
        total = sum(years.values()) + found["year"].get("sum_other_doc_count", 0)
        facets = self._facets(searcher, query, found)
        hits = self._page(searcher, query, plan, years, total)
        return EngineResult(total, facets, tuple(self._keys(searcher, token, hits)))

    def iter_hits(self, plan: Plan) -> Iterator[HitKey]:
        """Every hit once, in the plan's order (``offset`` and ``size`` are ignored).

        Hits are fetched in chunks of the ``pkey`` fast field and merged from sorted runs on
        disk, so memory holds one chunk, however many hits there are.
        """
        searcher, token = self._current()
        query = self._query(searcher, token, plan)
        records = runs.merged(self._records(searcher, query), key=_ORDER[plan.sort])
        while batch := list(islice(records, 1000)):
            names = self._report_names(searcher, token, {r[4] >> ORDINAL_BITS for r in batch})
            for score, _year, _seg, _doc, pkey in batch:
                yield HitKey(names[pkey >> ORDINAL_BITS], pkey & ORDINAL_MASK, score)

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
        if not must:
            must = [(MUST, Q.const_score_query(self._term("doc_type", "p"), 1.0))]
        must += [(MUST_NOT, self._occurs(_BODY, t)) for t in plan.excluded]
        for f in plan.filters:
            q = self._filter(f)
            must.append((MUST_NOT, q) if f.negated else (MUST, Q.const_score_query(q, 0.0)))
        return Q.boolean_query(must)

    def _query(self, searcher: tantivy.Searcher, token: object, plan: Plan) -> tantivy.Query:
        query = self._compile(plan)
        if plan.within != "sentence" or not plan.clauses or sentence_is_paragraph(plan.clauses):
            return query
        keys = self._verified_keys(searcher, token, plan, query)
        single = self._term("sentences", 1)
        if keys:
            single = _any_of([single, Q.term_set_query(self._schema, "pkey", keys)])
        return _filtered(query, single)

    def _verified_keys(self, searcher, token, plan: Plan, query) -> list[int]:
        """pkeys of multi-sentence candidates that meet every clause in one sentence."""
        cache_key = (token, plan.clauses, plan.excluded, plan.filters)
        with self._lock:
            if cache_key in self._verified:
                self._verified.move_to_end(cache_key)
                return self._verified[cache_key]
        candidates = Q.boolean_query([(MUST, query), (MUST_NOT, self._term("sentences", 1))])
        keys = []
        for chunk in self._records(searcher, candidates, with_address=True):
            for pkey, address in chunk:
                text = searcher.doc(address).get_first("text").decode("utf-8")
                if sentence_match(text, plan.clauses):
                    keys.append(pkey)
        with self._lock:
            self._verified[cache_key] = keys
            while len(self._verified) > 64:
                self._verified.popitem(last=False)
        return keys

    # -- results -----------------------------------------------------------------------------
    def _facet_agg(self, name: str, size: int) -> dict:
        return _terms(_FACET_FIELDS[name], _BUCKETS if name == "year" else size)

    def _facets(self, searcher, query, found: dict) -> dict[str, tuple[tuple[str, int], ...]]:
        """Each facet's top values; fields tied at the cut are counted again with more values."""
        out: dict[str, tuple[tuple[str, int], ...]] = {}
        size = 4 * self.facet_limit
        while True:
            final = size >= _BUCKETS
            for name in FACETS:
                if name in found and name not in out:
                    drop = YEAR_MISSING if name == "year" else None
                    top = top_values(found[name], self.facet_limit, drop, final)
                    if top is not None:
                        out[name] = top
            pending = [name for name in FACETS if name not in out]
            if not pending:
                return out
            size = min(4 * size, _BUCKETS)
            found = searcher.aggregate(query, {n: self._facet_agg(n, size) for n in pending})

    def _page(self, searcher, query, plan: Plan, years: dict[int, int], total: int) -> list:
        if plan.size == 0 or plan.offset >= total:  # tantivy panics on limit=0
            return []
        if plan.sort == "relevance":
            return searcher.search(query, plan.size, count=False, offset=plan.offset,
                                   weight_by_field="recency").hits  # fmt: skip
        hits: list = []
        skip = plan.offset
        for year in sorted(years, reverse=plan.sort == "year_desc"):
            if skip >= years[year]:
                skip -= years[year]
                continue
            limit = min(plan.size - len(hits), years[year] - skip)
            in_year = _filtered(query, self._term("year", year))
            hits += searcher.search(in_year, limit, count=False, offset=skip,
                                    weight_by_field="recency").hits  # fmt: skip
            skip = 0
            if len(hits) == plan.size:
                break
        return hits

    def _keys(self, searcher, token, hits: list) -> list[HitKey]:
        pkeys = searcher.fast_field_values("pkey", [address for _, address in hits])
        names = self._report_names(searcher, token, {p >> ORDINAL_BITS for p in pkeys})
        return [HitKey(names[p >> ORDINAL_BITS], p & ORDINAL_MASK, score)
                for (score, _), p in zip(hits, pkeys, strict=True)]  # fmt: skip

    def _report_names(self, searcher, token, serials: Iterable[int]) -> dict[int, str]:
        """Report ids by serial, from the report documents; cached per committed state."""
        with self._lock:
            if self._names[0] != token:
                self._names = (token, {})
            cache = self._names[1]
        missing = sorted(set(serials) - cache.keys())
        for i in range(0, len(missing), _BUCKETS):
            part = missing[i : i + _BUCKETS]
            query = _all_of([self._term("doc_type", "r"),
                             Q.term_set_query(self._schema, "serial", part)])  # fmt: skip
            agg = _terms("report", len(part))
            agg["aggs"] = {"serial": {"min": {"field": "serial"}}}
            for b in searcher.aggregate(query, {"ids": agg})["ids"]["buckets"]:
                cache[int(b["serial"]["value"])] = b["key"]
        return cache

    def _records(self, searcher, query, with_address: bool = False) -> Iterator[list]:
        """Every hit of ``query``, one chunk of pkey ranges at a time."""
        for lo, hi, count in self._chunks(searcher, query):
            part = _filtered(query, self._between("pkey", lo, hi))
            hits = searcher.search(part, count, count=False, weight_by_field="recency").hits
            addresses = [address for _, address in hits]
            pkeys = searcher.fast_field_values("pkey", addresses)
            if with_address:
                yield list(zip(pkeys, addresses, strict=True))
                continue
            years = searcher.fast_field_values("year", addresses)
            yield [(score, year, a.segment_ord, a.doc, pkey)
                   for (score, a), year, pkey in zip(hits, years, pkeys, strict=True)]  # fmt: skip

    def _chunks(self, searcher, query) -> list[tuple[int, int, int]]:
        """Inclusive pkey ranges holding about ``chunk`` hits each, with their hit counts."""
        bounds = searcher.aggregate(query, {"lo": {"min": {"field": "pkey"}},
                                            "hi": {"max": {"field": "pkey"}}})  # fmt: skip
        if bounds["lo"]["value"] is None:
            return []
        lo, hi = int(bounds["lo"]["value"]), int(bounds["hi"]["value"])
        reports = (hi >> ORDINAL_BITS) - (lo >> ORDINAL_BITS) + 1
        width = (1 << ORDINAL_BITS) * math.ceil(reports / _BUCKETS)  # whole reports per bucket
        agg = {"histogram": {"field": "pkey", "interval": width, "min_doc_count": 1}}
        buckets = searcher.aggregate(query, {"h": agg})["h"]["buckets"]
        chunks: list[tuple[int, int, int]] = []
        for b in buckets:
            start, count = int(b["key"]), b["doc_count"]
            if chunks and chunks[-1][2] + count <= self.chunk:
                chunks[-1] = (chunks[-1][0], start + width - 1, chunks[-1][2] + count)
            else:
                chunks.append((start, start + width - 1, count))
        return chunks


def top_values(
    found: dict, limit: int, drop: object = None, final: bool = False
) -> tuple[tuple[str, int], ...] | None:
    """The ``limit`` most frequent values of a terms aggregation, ties by value.

    None if values tantivy left out might tie at the cut (it returns the most frequent ones,
    ties in no particular order); with ``final``, ties are broken among the values returned.
    """
    ranked = sorted((-b["doc_count"], str(b["key"])) for b in found["buckets"] if b["key"] != drop)
    top = tuple((value, -count) for count, value in ranked[:limit])
    if not found.get("sum_other_doc_count") or final:
        return top
    # A value left out counts no more than the last one returned.
    return top if len(ranked) > limit and top[-1][1] > -ranked[-1][0] else None


def _terms(field: str, size: int) -> dict:
    return {"terms": {"field": field, "size": size, "segment_size": _EVERY}}


def _all_of(queries: list[tantivy.Query]) -> tantivy.Query:
    return queries[0] if len(queries) == 1 else Q.boolean_query([(MUST, q) for q in queries])


def _any_of(queries: list[tantivy.Query]) -> tantivy.Query:
    return queries[0] if len(queries) == 1 else Q.boolean_query([(SHOULD, q) for q in queries])


def _filtered(query: tantivy.Query, condition: tantivy.Query) -> tantivy.Query:
    """``query`` restricted to ``condition``, with unchanged scores."""
    return Q.boolean_query([(MUST, query), (MUST, Q.const_score_query(condition, 0.0))])


def _next_serial(searcher: tantivy.Searcher, schema: tantivy.Schema) -> int:
    found = searcher.aggregate(Q.term_query(schema, "doc_type", "r"),
                               {"top": {"max": {"field": "serial"}}})  # fmt: skip
    top = found["top"]["value"]
    return 0 if top is None else int(top) + 1


def _check_version(path: Path) -> None:
    """Refuse an index built with another schema; mark a new one."""
    marker = path / VERSION_FILE
    if marker.exists():
        found = json.loads(marker.read_text()).get("schema")
        if found != SCHEMA_VERSION:
            raise ValueError(f"{path} holds a tantivy index of schema {found}; rebuild it")
    elif (path / "meta.json").exists():
        raise ValueError(f"{path} holds a tantivy index of an unknown schema; rebuild it")
    else:
        marker.write_text(json.dumps({"schema": SCHEMA_VERSION}) + "\n")
