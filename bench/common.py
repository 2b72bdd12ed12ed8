"""What every benchmark module shares: paths, logging, /proc memory, percentiles, machine facts."""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import os
import platform
import pstats
import subprocess
import sys
import time
from importlib import metadata as md
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
PY = ROOT / ".venv" / "bin" / "python"
GOVSEARCH = ROOT / ".venv" / "bin" / "govsearch"
KINDS = ("whoosh", "tantivy")
MIB = 1024 * 1024

if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from load import percentile  # noqa: E402


def log(*args) -> None:
    """Progress on stderr with the time of day."""
    print(time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def proc_mem(pid: int | str = "self") -> dict[str, float]:
    """VmRSS, VmHWM, RssAnon and RssFile of a process, in MiB."""
    out = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(("VmRSS", "VmHWM", "RssAnon", "RssFile")):
                key, value = line.split(":", 1)
                out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def summarize(samples: list[float]) -> dict:
    """n, p50, p95, p99 and max of millisecond samples (nearest rank)."""
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "p99_ms": round(percentile(samples, 99), 2),
        "max_ms": round(max(samples), 2) if samples else None,
    }


def dir_size(path: Path) -> int:
    """Bytes of the files under ``path`` (symlinks not followed)."""
    return sum(
        p.stat().st_size for p in Path(path).rglob("*") if p.is_file() and not p.is_symlink()
    )


def index_dir(kind: str, n: int) -> Path:
    """Where the benchmark keeps the ``kind`` index of the ``n``x corpus."""
    return OUT / f"index-{n}x-{kind}"


def top_functions(stats_source, limit: int = 15) -> dict:
    """The top of a profile by own and by cumulative time, as text."""
    text = {}
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        stats = pstats.Stats(stats_source, stream=buf)
        stats.strip_dirs().sort_stats(key).print_stats(limit)
        lines = buf.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        text[key] = "\n".join(line.rstrip() for line in lines[start:] if line.strip())
        text["total_seconds"] = round(stats.total_tt, 3)
    return text


def profiled(fn, *args, **kwargs) -> tuple[object, cProfile.Profile]:
    """Call ``fn`` under cProfile; return its result and the profile."""
    prof = cProfile.Profile()
    result = prof.runcall(fn, *args, **kwargs)
    return result, prof


def machine_info() -> dict:
    """CPU, memory, load, software versions and the code measured."""
    import buildjob

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), ""
    )
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    versions = {}
    for name in ("whoosh-reloaded", "tantivy", "jieba", "opencc", "flask", "waitress", "govsearch"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = "?"
    return {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "nproc": os.cpu_count(),
        "mem_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "git_head": _git("rev-parse", "--short", "HEAD"),
        "git_dirty_files": len(
            _git("status", "--porcelain", "--", "indexer", "webapp").splitlines()
        ),
        "indexer_source_hash": {k: buildjob.source_hash(k) for k in KINDS},
        "loadavg_start": os.getloadavg(),
    }


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=20).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return ""
