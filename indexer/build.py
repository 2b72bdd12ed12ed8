"""Index runs: find report files, turn changed ones into reports, commit them atomically."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from indexer import metadata, structure
from indexer.aliases import carry_aliases
from indexer.engines import Engine, ReportEntry, Store, Writer
from indexer.model import Report
from indexer.reading import SUPPORTED_SUFFIXES, UnreadableReport, check_size, read_source

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
    found: dict[Path, None] = {}
    for path in paths:
        path = Path(path)
        if path.is_dir():
            # Path order compares parts; a NUL for the separator gives it to string order.
            for name in sorted(_walk(str(path.resolve())), key=lambda n: n.replace(os.sep, "\0")):
                found[Path(name)] = None
        elif path.is_file():
            found[path.resolve()] = None
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

    def known(self, path: Path, st: os.stat_result) -> KnownSource | None:
        """The report id and fingerprint of an unchanged file, or None (then describe it)."""
        found = self.remembered.get(str(path))
        if not found or found[:2] != [st.st_size, st.st_mtime_ns]:
            return None
        if found[5:] != list(self._stamps(path)):
            return None
        self.seen[str(path)] = found  # still true: kept for the next run
        return KnownSource(found[3], found[4], found[2])

    def data_hash(self, path: Path, st: os.stat_result) -> str:
        """The sha256 of the file's bytes, read only if the file is new or changed."""
        found = self.remembered.get(str(path))
        if found and found[:2] == [st.st_size, st.st_mtime_ns]:
            return found[2]
        return hashlib.sha256(path.read_bytes()).hexdigest()

    def remember(self, source: SourceFile, st: os.stat_result) -> None:
        """Keep what was found for ``source`` if nothing it was read from changed just now."""
        stamps = self._stamps(source.path)
        mtimes = [st.st_mtime_ns] + [stamp[1] for stamp in stamps if stamp]
        if max(mtimes) < self._racy:
            self.seen[str(source.path)] = [st.st_size, st.st_mtime_ns, source.data_hash,
                                           source.report_id, source.content_hash, *stamps]  # fmt: skip

    def _stamps(self, path: Path) -> tuple:
        """(size, mtime) of the folder's catalog and of the file's sidecar (None: absent)."""
        folder = str(path.parent)
        if folder not in self._folders:
            self._folders[folder] = _folder_stamps(folder)
        catalog, sidecars = self._folders[folder]
        sidecar = None
        if path.name + metadata.SIDECAR_SUFFIX in sidecars:
            sidecar = _stamp(metadata.sidecar_path(path))
        return (catalog, sidecar)

    def save(self, roots: Sequence[Path]) -> None:
        """Keep what this run saw, and what earlier runs saw outside its ``roots``."""
        if self.path is None:
            return
        kept = {name: v for name, v in self.remembered.items() if not _under(name, roots)}
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
    return _stamp(Path(folder) / metadata.CATALOG_NAME), sidecars


def _stamp(path: Path) -> list | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _under(source: str, roots: Sequence[Path]) -> bool:
    """True if the (resolved) path ``source`` is one of ``roots`` or inside one."""
    return any(source == str(root) or source.startswith(f"{root}{os.sep}") for root in roots)


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


def stat_source(path: Path) -> os.stat_result:
    """The file's stat, refusing a file over the size limit (before anything reads it)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise UnreadableReport(f"cannot read file: {exc.strerror or exc}") from exc
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
    out = []
    for report_id, entry in indexed.items():
        under_root = _under(entry.source_file, roots)
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
    progress: Callable[[Path], None] | None = None,
    wait: float = 0.0,
) -> IndexSummary:
    """Bring the index up to date with the report files under ``paths``."""
    started = time.perf_counter()
    files = find_report_files(paths)
    roots = [Path(p).resolve() for p in paths]
    hashes = FileHashes(Path(engine.root) / HASHES_FILE, trust=not rebuild)
    with engine.writer(rebuild=rebuild, wait=wait) as writer:
        # The previous versions of changed reports: their paragraph ids become aliases.
        before = engine.snapshot() if engine.exists() else None
        try:
            indexed = {} if rebuild or before is None else before.reports()
            run = _Run(indexed, writer, {str(f): "" for f in files}, before=before, hashes=hashes)
            for path in files:
                run.index_file(path)
                if progress:
                    progress(path)
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

    def index_file(self, path: Path) -> None:
        """Index one file if it changed, recording the outcome in the summary."""
        name = str(path)
        try:
            st = stat_source(path) if self.hashes else None
        except UnreadableReport as exc:
            self.summary.failed.append((name, exc.reason))
            return
        known = self.hashes.known(path, st) if self.hashes else None
        source = None if known else self._describe(path, st)
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
            self._done(path, known, self.summary.unchanged)
            return
        source = source or self._describe(path, st)
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
        self._done(path, known, self.summary.updated if previous else self.summary.added)

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

    def _done(self, path: Path, source: KnownSource, outcome: list[str]) -> None:
        """Record a report as indexed (or unchanged) and flag byte-identical duplicates."""
        outcome.append(source.report_id)
        self.taken[source.report_id] = str(path)
        first = self.contents.setdefault(source.data_hash, str(path))
        if first != str(path):
            self.summary.warnings.append(
                f"duplicate report: {path} has the same content as {first}; "
                "both are indexed, remove one of them"
            )


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
