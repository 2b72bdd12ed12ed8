"""One report added, changed and removed: `govsearch index` start to searchable in a warm Library."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from common import GOVSEARCH, ROOT, log, profiled, top_functions

MARKER_1 = "鑫淼焱垚一号"
MARKER_2 = "鑫淼焱垚二号"
NEW_FILE = "zz_bench_new_report.txt"
STEPS = ("noop", "add", "change", "remove")


def new_report_text(marker: str = MARKER_1) -> str:
    """A real report with one marker paragraph inserted mid-body."""
    src = ROOT / "corpus" / "2026_西藏自治区_政府工作报告.txt"
    lines = src.read_text(encoding="utf-8").splitlines()
    mid = len(lines) // 2
    added = f"本段为基准测试插入的新段落，标记词{marker}，用于测量增量索引后多久可以检索到。"
    return "\n".join(lines[:mid] + [added] + lines[mid:]) + "\n"


def cli_index(folder: Path, index_dir: Path) -> float:
    """Seconds of one `govsearch index FOLDER --index-dir DIR` process."""
    t0 = time.perf_counter()
    proc = subprocess.run([str(GOVSEARCH), "index", str(folder), "--index-dir", str(index_dir)],
                          cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"govsearch index failed: {proc.stderr[-2000:]}")
    return time.perf_counter() - t0


def _total(lib, phrase: str) -> int:
    from indexer.query import SearchRequest, search

    return search(lib, SearchRequest.from_args({"q": f'"{phrase}"'})).total


def _step(step: str, new: Path) -> tuple[str, int] | None:
    """Make the file change of ``step``; return the (marker, expected total) to look for."""
    if step == "add":
        new.write_text(new_report_text(MARKER_1), encoding="utf-8")
        return MARKER_1, 1
    if step == "change":
        new.write_text(new_report_text(MARKER_2), encoding="utf-8")
        return MARKER_2, 1
    if step == "remove":
        new.unlink()
        return MARKER_2, 0
    return None


def measure_incremental(kind: str, folder: Path, index_dir: Path, lib, profile: bool = False,
                        steps: tuple[str, ...] = STEPS) -> dict:  # fmt: skip
    """Seconds from `govsearch index` start until a warm Library's search sees each step."""
    new = folder / NEW_FILE
    out: dict = {"engine": kind}
    lib.searcher()  # warm
    try:
        for step in steps:
            want = _step(step, new)
            t0 = time.perf_counter()
            cli = cli_index(folder, index_dir)
            t1 = time.perf_counter()
            seen = _total(lib, want[0]) if want else None
            if step == "change" and _total(lib, MARKER_1) != 0:
                seen = -1
            t2 = time.perf_counter()
            out[step] = {"cli_seconds": round(cli, 3), "reload_and_search_seconds": round(t2 - t1, 3),
                         "searchable_seconds": round(t2 - t0, 3),
                         "visible": want is None or seen == want[1]}  # fmt: skip
            log(f"  {kind} incremental {step}: {out[step]}")
        if profile:
            out["profile"] = profile_add(folder, index_dir, lib)
    finally:
        if new.exists():
            new.unlink()
            cli_index(folder, index_dir)
    return out


def profile_add(folder: Path, index_dir: Path, lib) -> dict:
    """cProfile of one in-process add (index_paths, then reload + search), then undo it."""
    from indexer.build import index_paths
    from indexer.engines import open_engine

    new = folder / NEW_FILE
    new.write_text(new_report_text(MARKER_1), encoding="utf-8")
    t0 = time.perf_counter()
    _, prof_index = profiled(index_paths, [folder], open_engine(index_dir))
    t1 = time.perf_counter()
    _, prof_search = profiled(_total, lib, MARKER_1)
    t2 = time.perf_counter()
    new.unlink()
    index_paths([folder], open_engine(index_dir))
    lib.searcher()
    return {"index_paths_seconds": round(t1 - t0, 3), "reload_search_seconds": round(t2 - t1, 3),
            "index_paths": top_functions(prof_index), "reload_search": top_functions(prof_search)}  # fmt: skip
