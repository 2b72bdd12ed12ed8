"""The Whoosh storage engine: the only module that imports whoosh.

The engine stores two kinds of documents:

* one ``report`` document per report, holding the whole structured report (metadata,
  section tree, paragraphs as written) as a compressed stored blob plus its content hash;
* one ``para`` document per paragraph, indexed in two fields over the normalized text:
  ``words`` (jieba words) and ``bigrams`` (overlapping character bigrams), both with
  positions that are token ordinals, so phrase queries are exact.

Everything above this module (reading, structure, normalization, the query layer) talks to
:class:`Engine` / :class:`Snapshot` and never to Whoosh, so another engine could be added
behind the same small interface.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import fields, index, query
from whoosh.analysis import Token, Tokenizer
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.multiproc import MpWriter, SubWriterTask

from indexer import analysis
from indexer.model import Report
from indexer.normalize import normalize

CURRENT_LINK = "current"
FORMAT_FILE = "FORMAT"
# Bump when the schema, the stored layout or the indexed (normalized) text changes: older
# indexes are then rebuilt, not misread.
FORMAT_VERSION = "5"
_END = "\x03"  # sentinel so that every character starts a bigram (single-character search)


class IndexBusy(Exception):
    """Another process is writing to the index."""


class IndexMissing(Exception):
    """No index has been built in the directory yet."""


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


@dataclass(frozen=True)
class ReportEntry:
    """What the index holds about one report, without its text."""

    report_id: str
    content_hash: str
    source_file: str
    added: str = ""  # ISO timestamp of the run that first indexed the report


def encode_report(report: Report) -> bytes:
    """Serialize a report for storage."""
    return zlib.compress(json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8"), 6)


def decode_report(blob: bytes) -> Report:
    """Inverse of :func:`encode_report`."""
    return Report.from_dict(json.loads(zlib.decompress(blob).decode("utf-8")))


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _usable(path: Path) -> bool:
    """True if ``path`` holds a committed index of the current format."""
    marker = path / FORMAT_FILE
    return (
        index.exists_in(str(path))
        and marker.is_file()
        and marker.read_text().strip() == FORMAT_VERSION
    )


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
            out[report_id] = ReportEntry(report_id, *(_text(c[docnum]) for c in columns))
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


class Engine:
    """A Whoosh index directory, with atomic generations and a single writer at a time."""

    def __init__(self, root: Path):
        self.root = Path(root)

    # -- locations -------------------------------------------------------------------------
    def _current(self) -> Path | None:
        link = self.root / CURRENT_LINK
        if not link.is_symlink():
            return None
        return self.root / os.readlink(link)

    def exists(self) -> bool:
        """True if a usable index (of this format) has been built here."""
        path = self._current()
        return path is not None and _usable(path)

    def generation(self) -> tuple[str, int] | None:
        """Identify the latest committed state (directory and Whoosh generation); cheap."""
        for _attempt in range(3):  # a --rebuild may swap and delete the directory meanwhile
            path = self._current()
            if path is None or not path.is_dir():
                return None
            try:
                return (str(path), index.TOC._latest_generation(FileStorage(str(path)), "MAIN"))
            except OSError:
                continue
        return None

    def snapshot(self) -> Snapshot:
        """Open a read-only view of the latest committed state."""
        for _attempt in range(3):
            path = self._current()
            if path is None or not index.exists_in(str(path)):
                raise IndexMissing(f"{self.root} 中还没有索引；请先运行 `govsearch index`。")
            if not _usable(path):
                raise IndexMissing(
                    f"{self.root} 中的索引由另一个版本的 govsearch 建立；"
                    "请运行 `govsearch index --rebuild` 重建。"
                )
            try:
                return Snapshot(index.open_dir(str(path)), path)
            except OSError:
                continue  # swapped and removed by a concurrent rebuild: read the link again
        raise IndexMissing(f"{self.root} 中的索引正在不断更新；请稍后再试。")

    # -- writing ---------------------------------------------------------------------------
    @contextmanager
    def writer(self, rebuild: bool = False, wait: float = 0.0) -> Iterator[EngineWriter]:
        """Yield a writer; everything it does becomes visible at once when the block ends.

        With ``rebuild`` (or when no index exists yet) a fresh index is built in a new
        directory and swapped in atomically, so readers keep the previous one until then.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with self._run_lock(wait):
            current = self._current()
            fresh = rebuild or current is None or not _usable(current)
            if fresh:
                target = Path(
                    tempfile.mkdtemp(prefix=f"gen-{time.strftime('%Y%m%d%H%M%S')}-", dir=self.root)
                )
                ix = FileStorage(str(target)).create_index(schema())
                (target / FORMAT_FILE).write_text(FORMAT_VERSION + "\n")
            else:
                target = current
                ix = index.open_dir(str(current))
            # A fresh build analyses on every core (one Whoosh segment per process); an
            # incremental run touches few reports and stays in this process.
            w = EngineWriter(ix, procs=(os.cpu_count() or 1) if fresh else 1)
            try:
                yield w
            except BaseException:
                w.cancel()
                if fresh:
                    shutil.rmtree(target, ignore_errors=True)
                raise
            w.commit(optimize=fresh)
            if fresh:
                self._point_current_to(target)
            self._remove_stale(keep=target)

    @contextmanager
    def _run_lock(self, wait: float) -> Iterator[None]:
        import fcntl

        lock_path = self.root / "index.lock"
        with open(lock_path, "w") as handle:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexBusy(
                            f"另一个 `govsearch index` 正在写入 {self.root}；"
                            "请等它结束后再试（或用 --wait 秒数 等待）。"
                        ) from None
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _point_current_to(self, target: Path) -> None:
        tmp = self.root / f".{CURRENT_LINK}.{os.getpid()}"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(target.name, tmp)
        os.replace(tmp, self.root / CURRENT_LINK)

    def _remove_stale(self, keep: Path) -> None:
        # Directories of earlier generations and of runs killed midway. A server still
        # reading an old one keeps its open files (POSIX unlink semantics) until it refreshes.
        for child in self.root.iterdir():
            if child.is_dir() and child.name.startswith("gen-") and child != keep:
                shutil.rmtree(child, ignore_errors=True)
            elif child.name.startswith(f".{CURRENT_LINK}."):  # a swap killed midway
                child.unlink(missing_ok=True)


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
