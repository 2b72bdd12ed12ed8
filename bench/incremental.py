"""One report added, changed and removed: `govsearch index` start to searchable in a warm Library.

Run alone (the corpus is only read when the new report goes to another folder, which the
index runs then scan beside it):

  .venv/bin/python bench/incremental.py bench/out/corpus-1000x bench/out/index-1000x-tantivy \\
      --add-to /tmp/added --reps 5 --profile
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
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


def cli_index(folders: list[Path], index_dir: Path) -> float:
    """Seconds of one `govsearch index FOLDER... --index-dir DIR` process."""
    t0 = time.perf_counter()
    proc = subprocess.run([str(GOVSEARCH), "index", *map(str, folders), "--index-dir", str(index_dir)],
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
                        steps: tuple[str, ...] = STEPS, add_to: Path | None = None) -> dict:  # fmt: skip
    """Seconds from `govsearch index` start until a warm Library's search sees each step.

    The new report is written to ``add_to`` (default: ``folder``), indexed beside ``folder``.
    """
    folders = [folder] if add_to is None or add_to == folder else [folder, add_to]
    new = folders[-1] / NEW_FILE
    out: dict = {"engine": kind}
    lib.searcher()  # warm
    try:
        for step in steps:
            want = _step(step, new)
            t0 = time.perf_counter()
            cli = cli_index(folders, index_dir)
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
            out["profile"] = profile_add(folders, index_dir, lib)
    finally:
        if new.exists():
            new.unlink()
            cli_index(folders, index_dir)
    return out


def profile_add(folders: list[Path], index_dir: Path, lib) -> dict:
    """cProfile of one in-process add (index_paths, then reload + search), then undo it."""
    from indexer.build import index_paths
    from indexer.engines import open_engine

    new = folders[-1] / NEW_FILE
    new.write_text(new_report_text(MARKER_1), encoding="utf-8")
    t0 = time.perf_counter()
    _, prof_index = profiled(index_paths, folders, open_engine(index_dir))
    t1 = time.perf_counter()
    _, prof_search = profiled(_total, lib, MARKER_1)
    t2 = time.perf_counter()
    new.unlink()
    index_paths(folders, open_engine(index_dir))
    lib.searcher()
    return {"index_paths_seconds": round(t1 - t0, 3), "reload_search_seconds": round(t2 - t1, 3),
            "index_paths": top_functions(prof_index), "reload_search": top_functions(prof_search)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(
        description="one report added, changed, removed: time to searchable"
    )
    ap.add_argument(
        "corpus", type=Path, help="the indexed folder (only read if --add-to is another)"
    )
    ap.add_argument("index_dir", type=Path)
    ap.add_argument("--add-to", type=Path, default=None, help="folder to write the new report to")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of add, change, remove")
    ap.add_argument("--profile", action="store_true", help="then cProfile one in-process add")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    from indexer.engines import open_engine
    from indexer.query import Library

    if args.add_to is not None:
        args.add_to.mkdir(parents=True, exist_ok=True)
    kind = open_engine(args.index_dir).kind
    lib = Library(args.index_dir)
    _total(lib, MARKER_1)  # as after run.py's queries: the searcher's collection data exist
    runs = [measure_incremental(kind, args.corpus, args.index_dir, lib, add_to=args.add_to,
                                profile=args.profile and i == args.reps - 1)
            for i in range(args.reps)]  # fmt: skip
    medians = {step: {key: statistics.median(run[step][key] for run in runs)
                      for key in ("cli_seconds", "reload_and_search_seconds", "searchable_seconds")}
               for step in STEPS}  # fmt: skip
    out = {"loadavg": os.getloadavg(), "medians": medians, "runs": runs}
    json.dump(out, args.json.open("w") if args.json else sys.stdout, ensure_ascii=False, indent=1)
    log(f"medians: {json.dumps(medians)}; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
