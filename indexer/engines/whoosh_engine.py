"""The Whoosh engine (the default): the only module that imports whoosh.

The index stores two kinds of documents:

* one ``report`` document per report, holding the whole structured report (metadata,
  section tree, paragraphs as written) as a compressed stored blob plus its content hash;
* one ``para`` document per paragraph, indexed in two fields over the normalized text:
  ``words`` (jieba words) and ``bigrams`` (overlapping character bigrams), both with
  positions that are token ordinals, so phrase queries are exact.

Queries are answered by :class:`~indexer.engines.whoosh_search.WhooshSearcher`, an in-memory
scan of the normalized paragraphs planned with this index's statistics: pure Python, right
for collections up to a few thousand reports (see docs/BENCHMARKS.md).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import fields, index, query
from whoosh.analysis import Token, Tokenizer
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.multiproc import MpWriter, SubWriterTask

from indexer import analysis
from indexer.engines.base import IndexBusy, ReportEntry, decode_report, encode_report
from indexer.engines.generations import Generations
from indexer.model import Report
from indexer.normalize import normalize

# Bump when the schema, the stored layout or the indexed (normalized) text changes: older
# indexes are then rebuilt, not misread.
FORMAT_VERSION = "6"  # 6: the schema's analyzers moved to indexer.engines (pickled by path)
_END = "\x03"  # sentinel so that every character starts a bigram (single-character search)


class BigramTokenizer(Tokenizer):
    """Overlapping character bigrams of already-normalized text, positions 0, 1, 2, ..."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):  # fmt: skip
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        text = value + _END
        for i in range(len(text) - 1):
            token.text = text[i : i + 2]
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + i
            if chars:
                token.startchar, token.endchar = start_char + i, start_char + i + 2
            yield token


class WordTokenizer(Tokenizer):
    """jieba words of already-normalized text, positions are word ordinals."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):  # fmt: skip
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for term in analysis.word_terms(value):
            token.text = term.text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + term.position
            if chars:
                token.startchar, token.endchar = start_char + term.start, start_char + term.end
            yield token


class PrecutText(fields.TEXT):
    """A TEXT field that computes its postings directly from the term stream.

    Same postings (term, frequency, weight, encoded positions) as Whoosh's analyzer path, but
    without building a Token per term, which is most of the indexing time in pure Python.
    The analyzer is kept for query-time use and for the schema's description.
    """

    def __init__(self, terms, analyzer):
        super().__init__(analyzer=analyzer, phrase=True)
        self._terms = terms

    def index(self, value, **kwargs):
        positions: dict[str, list[int]] = {}
        for text, pos in self._terms(value):
            if text in positions:
                positions[text].append(pos)
            else:
                positions[text] = [pos]
        encode = self.format.encode
        boost = self.format.field_boost
        for text, poslist in positions.items():
            yield text.encode("utf-8"), len(poslist), len(poslist) * boost, encode(poslist)


def _bigram_stream(text: str):
    text = text + _END
    return ((text[i : i + 2], i) for i in range(len(text) - 1))


def _word_stream(text: str):
    return ((t.text, t.position) for t in analysis.word_terms(text))


def schema() -> fields.Schema:
    """Return the index schema."""
    return fields.Schema(
        doctype=fields.ID(stored=True),
        report_id=fields.ID(stored=True, sortable=True),
        number=fields.STORED(),
        # Columns, so listing reports never unpickles their blobs.
        content_hash=fields.ID(sortable=True),
        source_file=fields.ID(sortable=True),
        added=fields.ID(sortable=True),
        blob=fields.STORED(),
        words=PrecutText(_word_stream, WordTokenizer()),
        bigrams=PrecutText(_bigram_stream, BigramTokenizer()),
    )


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class Snapshot:
    """A consistent, read-only view of one committed generation of the index."""

    def __init__(self, ix: index.Index, path: Path):
        self.path = path
        self._ix = ix
        self._searcher = ix.searcher()
        self._lock = threading.Lock()  # Whoosh readers are not documented as thread-safe
        self._closed = False
        self.generation = (str(path), ix.latest_generation())

    def close(self) -> None:
        """Release the underlying reader."""
        with self._lock:
            self._closed = True
            self._searcher.close()

    def reports(self) -> dict[str, ReportEntry]:
        """Return the indexed reports by id."""
        reader = self._searcher.reader()
        columns = [reader.column_reader(name) for name in ("content_hash", "source_file", "added")]
        ids = reader.column_reader("report_id")
        out = {}
        for docnum in self._searcher.document_numbers(doctype="report"):
            report_id = _text(ids[docnum])
            content_hash, source_file, added = (_text(c[docnum]) for c in columns)
            out[report_id] = ReportEntry(content_hash, added, source_file)
        return out

    def load_report(self, report_id: str) -> Report | None:
        """Return the stored report, or None."""
        stored = self._searcher.document(doctype="report", report_id=report_id)
        return decode_report(stored["blob"]) if stored else None

    def frequent_words(
        self, min_paragraphs: int = 3, min_chars: int = 2
    ) -> list[tuple[str, int]] | None:
        """jieba words found in at least ``min_paragraphs`` paragraphs, with their counts.

        None if the snapshot has been closed meanwhile.
        """
        with self._lock:
            if self._closed:
                return None
            terms = list(self._searcher.reader().iter_field("words"))
        out = []
        for term, info in terms:
            word = _text(term)
            frequent = info.doc_frequency() >= min_paragraphs and len(word) >= min_chars
            if frequent and any(ch.isalnum() for ch in word):
                out.append((word, info.doc_frequency()))
        return out

    def paragraph_count(self) -> int:
        """Number of indexed paragraphs."""
        return self._searcher.doc_frequency("doctype", "para")

    def report_count(self) -> int:
        """Number of indexed reports."""
        return len(self.reports())

    def estimate(self, term: str) -> int | None:
        """Upper bound of the paragraphs containing normalized ``term`` (two or more chars).

        None if the snapshot has been closed meanwhile (statistics only guide planning).
        """
        with self._lock:
            if self._closed:
                return None
            return min(
                self._searcher.doc_frequency("bigrams", gram)
                for gram in analysis.query_bigrams(term)
            )

    def phrase_paragraphs(self, term: str) -> set[tuple[str, int]]:
        """Return (report_id, paragraph number) of every paragraph containing ``term``.

        ``term`` must be normalized. Exact for any length >= 1 as a *substring*: a phrase over
        consecutive bigrams, or for one character a prefix over the bigrams it starts. The
        token boundaries of :mod:`indexer.textmatch` are not applied here.
        """
        if not term:
            return set()
        if len(term) == 1:
            q: query.Query = query.Prefix("bigrams", term)
        else:
            grams = analysis.query_bigrams(term)
            q = (
                query.Term("bigrams", grams[0])
                if len(grams) == 1
                else query.Phrase("bigrams", grams)
            )
        q = query.And([query.Term("doctype", "para"), q])
        found = set()
        for docnum in q.docs(self._searcher):
            stored = self._searcher.stored_fields(docnum)
            found.add((stored["report_id"], stored["number"]))
        return found


class WhooshEngine:
    """A Whoosh index directory, with atomic generations and a single writer at a time."""

    kind = "whoosh"

    def __init__(self, root: Path):
        self.root = Path(root)
        self.dirs = Generations(self.root, self.kind, FORMAT_VERSION)

    def exists(self) -> bool:
        """True if a usable index (of this format) has been built here."""
        path = self.dirs.current()
        return self.dirs.usable(path) and index.exists_in(str(path))

    def generation(self) -> tuple[str, int] | None:
        """Identify the latest committed state (directory and Whoosh generation); cheap."""
        for _attempt in range(3):  # a --rebuild may swap and delete the directory meanwhile
            path = self.dirs.current()
            if path is None or not path.is_dir():
                return None
            try:
                return (str(path), index.TOC._latest_generation(FileStorage(str(path)), "MAIN"))
            except OSError:
                continue
        return None

    def snapshot(self) -> Snapshot:
        """Open a read-only view of the latest committed state."""
        return self.dirs.open_current(lambda path: Snapshot(index.open_dir(str(path)), path))

    def searcher(self, previous=None):
        """The in-memory searcher of the latest committed state (reusing unchanged reports)."""
        from indexer.engines.whoosh_search import WhooshSearcher

        return WhooshSearcher.load(self.snapshot(), previous)

    @contextmanager
    def writer(self, rebuild: bool = False, wait: float = 0.0) -> Iterator[EngineWriter]:
        """Yield a writer; everything it does becomes visible at once when the block ends.

        With ``rebuild`` (or when no index exists yet) a fresh index is built in a new
        directory and swapped in atomically, so readers keep the previous one until then.
        """
        with self.dirs.run(rebuild, wait) as (target, fresh):
            if fresh:
                ix = FileStorage(str(target)).create_index(schema())
            else:
                ix = index.open_dir(str(target))
            # A fresh build analyses on every core (one Whoosh segment per process); an
            # incremental run touches few reports and stays in this process.
            w = EngineWriter(ix, procs=(os.cpu_count() or 1) if fresh else 1)
            try:
                yield w
            except BaseException:
                w.cancel()
                raise
            w.commit(optimize=fresh)


class _SubWriterTask(SubWriterTask):
    """A Whoosh indexing worker that dies with the process that started it.

    Without this, a ``govsearch index`` killed with SIGKILL leaves its workers blocked on their
    job queue for ever, holding the index lock they inherited.
    """

    def run(self):
        _die_with_parent(self._parent_pid)
        super().run()


class _MpWriter(MpWriter):
    def _new_task(self):
        task = _SubWriterTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                              self.subargs, self.multisegment)  # fmt: skip
        task._parent_pid = os.getpid()
        self.tasks.append(task)
        task.start()
        return task


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its parent exits (no-op elsewhere)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


class EngineWriter:
    """Adds, replaces and deletes reports inside one atomic commit."""

    def __init__(self, ix: index.Index, procs: int = 1):
        # Plain (not compound) segment files: Whoosh reads a compound file's parts into
        # memory when it opens them, which would cost the server the whole postings.
        options = {"limitmb": 256, "compound": False}
        try:
            if procs > 1:
                self._writer = _MpWriter(ix, procs=procs, multisegment=True, **options)
            else:
                self._writer = ix.writer(**options)
        except LockError as exc:  # pragma: no cover - guarded by the run lock
            raise IndexBusy(str(exc)) from exc
        self._fresh = ix.doc_count_all() == 0

    def put_report(self, report: Report, added: str) -> None:
        """Add ``report`` (first indexed at ``added``), replacing an earlier version."""
        if not self._fresh:
            self.delete_report(report.id)
        w = self._writer
        w.add_document(
            doctype="report",
            report_id=report.id,
            content_hash=report.content_hash,
            source_file=report.source_file,
            added=added,
            blob=encode_report(report),
        )
        for paragraph in report.paragraphs:
            text = normalize(paragraph.text)
            w.add_document(
                doctype="para", report_id=report.id, number=paragraph.number,
                words=text, bigrams=text,
            )  # fmt: skip

    def delete_report(self, report_id: str) -> None:
        """Remove a report and its paragraphs (no-op if absent)."""
        self._writer.delete_by_term("report_id", report_id)

    def commit(self, optimize: bool = False) -> None:
        """Make all changes visible at once."""
        # Whoosh's default policy merges only small segments, keeping a commit cheap.
        self._writer.commit(optimize=optimize)

    def cancel(self) -> None:
        """Discard all changes."""
        self._writer.cancel()
