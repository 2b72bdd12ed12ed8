"""Full builds: one ``bench/buildjob.py`` subprocess per (engine, scale), reused when recorded.

A build is reused if ``bench/out/build-<N>x-<kind>.json`` records the same source hash of the
code that builds a ``kind`` index (``buildjob.source_hash``), so a long build started in the
background beforehand (see the README of docs/BENCHMARKS.md) counts as this run's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import buildjob
import scale
from common import BENCH, MIB, OUT, PY, ROOT, index_dir, log, top_functions


def ensure_corpus(n: int) -> Path:
    """The ``n``x corpus folder, generated if missing (1000x: about 1.8 GB)."""
    return scale.ensure_scaled(n, OUT)


def record_path(kind: str, n: int) -> Path:
    return OUT / f"build-{n}x-{kind}.json"


def measure_build(kind: str, n: int, folder: Path, reuse: bool, reuse_stale: bool = False) -> dict:
    """Build the ``kind`` index of ``folder`` from scratch (or reuse a recorded build)."""
    target, record = index_dir(kind, n), record_path(kind, n)
    current = buildjob.source_hash(kind)
    if reuse and record.is_file() and (target / "current").is_symlink():
        data = json.loads(record.read_text())
        if data.get("source_hash") == current or reuse_stale:
            log(f"{kind} {n}x: reusing the build recorded at {data.get('finished_at')}")
            data.update(reused=True, stale=data.get("source_hash") != current)
            return with_rates(data, folder)
        log(f"{kind} {n}x: recorded build is from other indexing code; rebuilding")
    log(f"{kind} {n}x: full build")
    t0 = time.perf_counter()
    proc = subprocess.run([str(PY), str(BENCH / "buildjob.py"), str(folder), str(target),
                           "--engine", kind, "--json", str(record)],
                          cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} build failed: {proc.stderr[-2000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data.update(process_wall_seconds=round(time.perf_counter() - t0, 3), reused=False)
    return with_rates(data, folder)


def with_rates(data: dict, folder: Path) -> dict:
    """Add characters, chars/s, reports/s and MiB on disk to a buildjob record."""
    stats = scale.corpus_stats(folder)
    data["corpus_chars"] = stats["chars"]
    data["corpus_files"] = stats["files"]
    data["chars_per_s"] = round(stats["chars"] / data["seconds"])
    data["reports_per_s"] = round(stats["files"] / data["seconds"], 2)
    data["index_mib"] = round(data["index_bytes"] / MIB, 1)
    return data


def profile_build(kind: str, n: int, folder: Path) -> dict:
    """cProfile of a fresh ``kind`` build of ``folder`` (its index is thrown away)."""
    log(f"{kind} {n}x: profiled build")
    prof_file = OUT / f"build-{n}x-{kind}.prof"
    target = OUT / f"index-{n}x-{kind}-profiled"
    proc = subprocess.run([str(PY), str(BENCH / "buildjob.py"), str(folder), str(target),
                           "--engine", kind, "--profile", str(prof_file)],
                          cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    shutil.rmtree(target, ignore_errors=True)
    return {"engine": kind, "scale": n, **top_functions(str(prof_file), 25)}
