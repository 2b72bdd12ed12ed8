"""Index runs: find report files, turn changed ones into reports, commit them atomically."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from operator import methodcaller
from pathlib import Path

from indexer import metadata, structure
from indexer.aliases import carry_aliases
from indexer.engines import Engine, ReportEntry, Store, Writer
from indexer.model import Report
from indexer.reading import (
    SUPPORTED_SUFFIXES,
    UnreadableReport,
    check_size,
    max_file_bytes,
    read_source,
)

# Bump when reading/structure/normalization changes, so every report is re-indexed.
PIPELINE_VERSION = "3"
HASHES_FILE = "file-hashes.json"  # in the index root: what FileHashes remembers


@dataclass
class IndexSummary:
    """What an index run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    warnings: list[str] = field(default_factory=list)
    reports: int = 0
    paragraphs: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class SourceFile:
    """A report file found on disk, with its metadata overrides and fingerprint."""

    path: Path
    report_id: str
    overrides: dict[str, str]
    content_hash: str
    data_hash: str = ""  # sha256 of the file's bytes alone, to spot the same file twice


def find_report_files(paths: Iterable[Path]) -> list[Path]:
    """Return report files under ``paths`` (files or directories), sorted, without duplicates.

    Directories are walked as ``Path.rglob`` does (symlinked directories are not entered) and
    each file is resolved; only symlinks need a system call of their own.
    """
    return [Path(name) for name in report_file_names(paths)]


# Path order compares parts; a NUL for the separator gives it to string order.
_PATH_ORDER = methodcaller("replace", os.sep, "\0")


def report_file_names(paths: Iterable[Path]) -> list[str]:
    """:func:`find_report_files` as strings (what an index run compares and remembers)."""
    found: dict[str, None] = {}
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found.update(dict.fromkeys(sorted(_walk(str(path.resolve())), key=_PATH_ORDER)))
        elif path.is_file():
            found[str(path.resolve())] = None
        else:
            raise FileNotFoundError(f"no such file or directory: {path}")
    return list(found)


def _walk(folder: str) -> Iterator[str]:
    """Report files under ``folder`` (itself resolved), symlinks resolved, in any order."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path)
        elif os.path.splitext(entry.name)[1].lower() in SUPPORTED_SUFFIXES and entry.is_file():
            yield os.path.realpath(entry.path) if entry.is_symlink() else entry.path


@dataclass(frozen=True)
class KnownSource:
    """What an earlier run found for a file that has not changed since (nothing is read)."""

    report_id: str
    content_hash: str
    data_hash: str


class FileHashes:
    """What earlier runs found for each file, by path, size and modification time.

    A file whose size and mtime are unchanged is not read again (:meth:`data_hash`); when its
    folder's catalog and its sidecar are unchanged too, even its report id and fingerprint
    are known without reading them (:meth:`known`). A file (or catalog, or sidecar) modified
    less than ``RACY_NS`` before it was read is not remembered, so that a second change within
    the same tick of the file system's clock cannot go unseen.
    """

    RACY_NS = 2_000_000_000
    VERSION = f"2-{PIPELINE_VERSION}"  # a new pipeline version fingerprints files anew

    def __init__(self, path: Path | None, trust: bool = True):
        self.path = path
        self.remembered: dict[str, list] = self._load() if trust and path is not None else {}
        self.seen: dict[str, list] = {}
        self._folders: dict[str, tuple] = {}
        self._racy = time.time_ns() - self.RACY_NS

    def _load(self) -> dict[str, list]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != self.VERSION:
            return {}
        return data.get("files", {})

    def known(self, path: str | Path, st: os.stat_result) -> KnownSource | None:
        """The report id and fingerprint of an unchanged file, or None (then describe it)."""
        name = str(path)
        found = self.remembered.get(name)
        if not found or found[0] != st.st_size or found[1] != st.st_mtime_ns:
            return None
        if found[5:] != list(self._stamps(name)):
            return None
        self.seen[name] = found  # still true: kept for the next run
        return KnownSource(found[3], found[4], found[2])

    def data_hash(self, path: str | Path, st: os.stat_result) -> str:
        """The sha256 of the file's bytes, read only if the file is new or changed."""
        found = self.remembered.get(str(path))
        if found and found[:2] == [st.st_size, st.st_mtime_ns]:
            return found[2]
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()

    def remember(self, source: SourceFile, st: os.stat_result) -> None:
        """Keep what was found for ``source`` if nothing it was read from changed just now."""
        stamps = self._stamps(str(source.path))
        mtimes = [st.st_mtime_ns] + [stamp[1] for stamp in stamps if stamp]
        if max(mtimes) < self._racy:
            self.seen[str(source.path)] = [st.st_size, st.st_mtime_ns, source.data_hash,
                                           source.report_id, source.content_hash, *stamps]  # fmt: skip

    def _stamps(self, name: str) -> tuple:
        """(size, mtime) of the folder's catalog and of the file's sidecar (None: absent)."""
        folder, base = os.path.split(name)
        if folder not in self._folders:
            self._folders[folder] = _folder_stamps(folder)
        catalog, sidecars = self._folders[folder]
        sidecar = None
        if base + metadata.SIDECAR_SUFFIX in sidecars:
            sidecar = _stamp(name + metadata.SIDECAR_SUFFIX)
        return (catalog, sidecar)

    def save(self, roots: Sequence[Path]) -> None:
        """Keep what this run saw, and what earlier runs saw outside its ``roots``."""
        if self.path is None:
            return
        under = _under(roots)
        kept = {name: v for name, v in self.remembered.items() if not under(name)}
        files = {**kept, **self.seen}
        if files == self.remembered:
            return  # nothing new to remember: the file stays as it is
        data = {"version": self.VERSION, "files": files}
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        try:
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)  # only a cache: the next run reads the files again


def _folder_stamps(folder: str) -> tuple[list | None, frozenset[str]]:
    """The catalog's stamp and the names of the sidecars in ``folder``."""
    try:
        names = os.listdir(folder)
    except OSError:
        names = []
    sidecars = frozenset(n for n in names if n.endswith(metadata.SIDECAR_SUFFIX))
    return _stamp(os.path.join(folder, metadata.CATALOG_NAME)), sidecars


def _stamp(path: str) -> list | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _under(roots: Sequence[Path]) -> Callable[[str], bool]:
    """A test: is a (resolved) path one of ``roots`` or inside one?"""
    names = {str(root) for root in roots}
    prefixes = tuple(f"{root}{os.sep}" for root in roots)
    return lambda source: source in names or source.startswith(prefixes)


def fingerprint(data_hash: str, overrides: dict[str, str]) -> str:
    """Hash a file's content hash with its metadata overrides and the pipeline version."""
    h = hashlib.sha256(data_hash.encode())
    h.update(json.dumps(overrides, sort_keys=True, ensure_ascii=False).encode())
    h.update(PIPELINE_VERSION.encode())
    return h.hexdigest()


def describe_source(
    path: Path, catalogs: dict[Path, dict[str, dict[str, str]]], hashes: FileHashes | None = None
) -> SourceFile:
    """Collect a file's overrides (catalog, then sidecar) and fingerprint."""
    folder = path.parent
    if folder not in catalogs:
        catalogs[folder] = metadata.load_catalog(folder)
    overrides = metadata.overrides_for(path, catalogs[folder])
    report_id = metadata.report_id_for(path, overrides)
    if hashes is None:
        check_size(path)  # before reading: a huge file is refused without loading it
        data_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    else:
        st = stat_source(path)
        data_hash = hashes.data_hash(path, st)
    return SourceFile(path, report_id, overrides, fingerprint(data_hash, overrides), data_hash)


def stat_source(path: str | Path, limit: int | None = None) -> os.stat_result:
    """The file's stat, refusing a file over the size limit (before anything reads it).

    ``limit`` is :func:`~indexer.reading.max_file_bytes`, if the caller has it already.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        raise UnreadableReport(f"cannot read file: {exc.strerror or exc}") from exc
    if limit is None or st.st_size > limit:
        check_size(path, st.st_size)
    return st


def build_report(source: SourceFile) -> Report:
    """Read, clean and structure one file into a report."""
    text = read_source(source.path)
    body = structure.parse_body(
        text.lines, title=source.overrides.get("title") or text.title_hint or None
    )
    meta = metadata.infer_meta(
        body.title, source.path.name, text.lines, text.published_hint, source.overrides
    )
    if not body.paragraphs:
        raise UnreadableReport("no body text")
    return Report(
        id=source.report_id,
        meta=meta,
        paragraphs=body.paragraphs,
        sections=body.sections,
        source_file=str(source.path),
        content_hash=source.content_hash,
        encoding=text.encoding,
        closing=body.closing,
        front=body.front,
    )


def _removed(
    indexed: dict[str, ReportEntry], ids_by_file: dict[str, str], roots: Sequence[Path]
) -> list[str]:
    """Indexed reports whose source under a scanned root is gone or now has another id.

    A file that is still there but failed to read this run keeps its earlier version.
    """
    present = set(ids_by_file)
    under = _under(roots)
    out = []
    for report_id, entry in indexed.items():
        under_root = under(entry.source_file)
        current_id = ids_by_file.get(entry.source_file) or report_id
        if (
            entry.source_file
            and under_root
            and (entry.source_file not in present or current_id != report_id)
        ):
            out.append(report_id)
    return sorted(out)


def index_paths(
    paths: Sequence[Path],
    engine: Engine,
    rebuild: bool = False,
    progress: Callable[[str], None] | None = None,
    wait: float = 0.0,
    files: Sequence[str] | None = None,
) -> IndexSummary:
    """Bring the index up to date with the report files under ``paths``.

    ``progress`` is called with each file's name once it is done; ``files`` are what
    :func:`report_file_names` gives for ``paths``, if the caller has them already.
    """
    started = time.perf_counter()
    files = report_file_names(paths) if files is None else files
    roots = [Path(p).resolve() for p in paths]
    hashes = FileHashes(Path(engine.root) / HASHES_FILE, trust=not rebuild)
    with engine.writer(rebuild=rebuild, wait=wait) as writer:
        # The previous versions of changed reports: their paragraph ids become aliases.
        before = engine.snapshot() if engine.exists() else None
        try:
            indexed = {} if rebuild or before is None else before.reports()
            run = _Run(indexed, writer, dict.fromkeys(files, ""), before=before, hashes=hashes)
            for name in files:
                run.index_file(name)
                if progress:
                    progress(name)
            for report_id in _removed(indexed, run.ids_by_file, roots):
                writer.delete_report(report_id)
                run.summary.removed.append(report_id)
        finally:
            if before is not None:
                before.close()
    hashes.save(roots)
    summary = run.summary
    snap = engine.snapshot()
    try:
        summary.reports = snap.report_count()
        summary.paragraphs = snap.paragraph_count()
    finally:
        snap.close()
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass
class _Run:
    """The state of one index run, as files are visited in order."""

    indexed: dict[str, ReportEntry]  # what the index held when the run started
    writer: Writer
    ids_by_file: dict[str, str]  # file -> report id it yields this run ("" if unknown)
    summary: IndexSummary = field(default_factory=IndexSummary)
    taken: dict[str, str] = field(default_factory=dict)  # report id -> file that holds it
    catalogs: dict[Path, dict[str, dict[str, str]]] = field(default_factory=dict)
    contents: dict[str, str] = field(default_factory=dict)  # data hash -> first file
    before: Store | None = None  # the index as the run found it
    hashes: FileHashes | None = None  # content hashes of files unchanged since a run
    size_limit: int = field(default_factory=max_file_bytes)

    def index_file(self, name: str) -> None:
        """Index one file if it changed, recording the outcome in the summary."""
        try:
            st = stat_source(name, self.size_limit) if self.hashes else None
        except UnreadableReport as exc:
            self.summary.failed.append((name, exc.reason))
            return
        known = self.hashes.known(name, st) if self.hashes else None
        source = None if known else self._describe(Path(name), st)
        if source is not None:
            known = KnownSource(source.report_id, source.content_hash, source.data_hash)
        if known is None:
            return
        self.ids_by_file[name] = known.report_id
        if known.report_id in self.taken:
            other = self.taken[known.report_id]
            self.summary.failed.append((name, f"report id {known.report_id!r} is used by {other}"))
            return
        previous = self.indexed.get(known.report_id)
        if previous and previous.content_hash == known.content_hash:
            self._done(name, known, self.summary.unchanged)
            return
        source = source or self._describe(Path(name), st)
        if source is None:
            return
        try:
            report = build_report(source)
        except UnreadableReport as exc:
            # Keep what was indexed before for this file: nothing already indexed is lost.
            self.summary.failed.append((name, exc.reason))
            return
        added = previous.added if previous and previous.added else _now()
        self.writer.put_report(self._with_aliases(report), added=added)
        self._done(name, known, self.summary.updated if previous else self.summary.added)

    def _describe(self, path: Path, st: os.stat_result | None) -> SourceFile | None:
        """Describe ``path`` (and remember it), or record why it cannot be."""
        try:
            source = describe_source(path, self.catalogs, self.hashes)
        except UnreadableReport as exc:
            self.summary.failed.append((str(path), exc.reason))
            return None
        except (OSError, ValueError) as exc:
            self.summary.failed.append((str(path), str(exc)))
            return None
        if self.hashes and st is not None:
            self.hashes.remember(source, st)
        return source

    def _with_aliases(self, report: Report) -> Report:
        """Keep the ids of the report's previous version as aliases of its paragraphs."""
        old = self.before.load_report(report.id) if self.before else None
        return replace(report, aliases=carry_aliases(old, report)) if old else report

    def _done(self, name: str, source: KnownSource, outcome: list[str]) -> None:
        """Record a report as indexed (or unchanged) and flag byte-identical duplicates."""
        outcome.append(source.report_id)
        self.taken[source.report_id] = name
        first = self.contents.setdefault(source.data_hash, name)
        if first != name:
            self.summary.warnings.append(
                f"duplicate report: {name} has the same content as {first}; "
                "both are indexed, remove one of them"
            )


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
