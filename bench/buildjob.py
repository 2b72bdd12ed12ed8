"""One full index build in its own process, so its peak memory (ru_maxrss) is its own.

Usage:  .venv/bin/python bench/buildjob.py CORPUS_DIR INDEX_DIR [--engine whoosh|tantivy]
                                          [--profile FILE.prof] [--json OUT]

Always builds from scratch (``rebuild=True`` into a fresh directory). Prints one JSON object:
wall seconds, the IndexSummary counts, peak RSS in MiB and the index size on disk.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from pathlib import Path


def dir_size(path: Path) -> int:
    """Bytes of the files under ``path`` (symlinks not followed)."""
    return sum(
        p.stat().st_size for p in Path(path).rglob("*") if p.is_file() and not p.is_symlink()
    )


ROOT = Path(__file__).resolve().parent.parent


OTHER_ENGINE_PREFIX = {"whoosh": "tantivy_", "tantivy": "whoosh_"}


def source_hash(kind: str = "whoosh", root: Path = ROOT) -> str:
    """Fingerprint of the code that builds a ``kind`` index (not the query layer).

    The other engine's modules are left out, so a change to one engine does not make the
    other engine's reusable builds look stale.
    """
    import hashlib

    skip = OTHER_ENGINE_PREFIX[kind]
    files = sorted((root / "indexer").glob("*.py")) + sorted(
        p for p in (root / "indexer" / "engines").glob("*.py") if not p.name.startswith(skip)
    )
    h = hashlib.sha256(kind.encode())
    for p in files:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


class PhaseClock:
    """Wall time spent in the build's steps, by wrapping them (a few µs per report).

    ``describe`` hashes a file and reads its catalog row; ``read_structure`` reads, decodes,
    cleans and structures it (``build_report``); ``put`` is the rest of a file's turn: the
    engine's ``put_report`` (normalization, tokens, documents; Whoosh hands documents to its
    worker processes here); ``commit`` is everything after the last file (commit, merges,
    the summary's listing).
    """

    def __init__(self) -> None:
        self.seconds = {"describe": 0.0, "read_structure": 0.0, "files": 0.0}
        self.first = self.last = None

    def install(self) -> None:
        import indexer.build as build

        for name, key in (("describe_source", "describe"), ("build_report", "read_structure")):
            setattr(build, name, self._timed(getattr(build, name), key))
        original = build._Run.index_file

        def index_file(run, path):
            t0 = time.perf_counter()
            self.first = self.first or t0
            try:
                return original(run, path)
            finally:
                self.last = time.perf_counter()
                self.seconds["files"] += self.last - t0

        build._Run.index_file = index_file

    def _timed(self, fn, key):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[key] += time.perf_counter() - t0

        return wrapper

    def report(self, started: float, total: float) -> dict:
        s = self.seconds
        out = {"describe": s["describe"], "read_structure": s["read_structure"],
               "put": s["files"] - s["describe"] - s["read_structure"],
               "before_first_file": (self.first or started) - started,
               "after_last_file": started + total - (self.last or started)}  # fmt: skip
        return {k: round(v, 2) for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=Path)
    ap.add_argument("index_dir", type=Path)
    ap.add_argument("--engine", choices=("whoosh", "tantivy"), default="whoosh")
    ap.add_argument("--profile", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    t_import = time.perf_counter()
    from indexer.build import index_paths
    from indexer.engines import open_engine

    import_s = time.perf_counter() - t_import
    src = source_hash(args.engine)
    if args.index_dir.exists():
        shutil.rmtree(args.index_dir)
    engine = open_engine(args.index_dir, args.engine, rebuild=True)
    clock = PhaseClock()
    if not args.profile:
        clock.install()
    started = time.perf_counter()
    cpu0 = time.process_time()
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        summary = prof.runcall(index_paths, [args.corpus], engine, rebuild=True)
        prof.dump_stats(str(args.profile))
    else:
        summary = index_paths([args.corpus], engine, rebuild=True)
    seconds = time.perf_counter() - started
    build_cpu = time.process_time() - cpu0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # Worker processes (Whoosh's multiprocessing writer) are counted separately.
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "engine": args.engine,
        "corpus": str(args.corpus),
        "index_dir": str(args.index_dir),
        "seconds": round(seconds, 3),
        "phases_seconds": None if args.profile else clock.report(started, seconds),
        "import_seconds": round(import_s, 3),
        "added": len(summary.added),
        "failed": [list(f) for f in summary.failed],
        "reports": summary.reports,
        "paragraphs": summary.paragraphs,
        "cpu_seconds": round(build_cpu + kids.ru_utime + kids.ru_stime, 3),  # incl. workers
        "parent_cpu_seconds": round(build_cpu, 3),  # CPU time of index_paths in this process
        "workers_peak_rss_mib": round(kids.ru_maxrss / 1024, 1),  # largest worker
        "process_cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "index_bytes": dir_size(args.index_dir),
        "profiled": bool(args.profile),
        "source_hash": src,
        "finished_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    text = json.dumps(result, ensure_ascii=False)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
