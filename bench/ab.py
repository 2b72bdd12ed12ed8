"""Query latency of two source trees on one index build, measured in one run (A/B).

Usage (from the repository root):

  git archive <commit> | tar -x -C /tmp/old
  .venv/bin/python bench/ab.py bench/out/index-10x --old /tmp/old [--new .] [--rounds 40]

Each tree runs in its own worker process (``PYTHONPATH=<tree>``) holding a warm ``Library``
over the index. The parent asks the workers in turn, one round at a time and in alternating
order, to run the query mix once, so both see the same machine conditions: on a shared,
noisy machine compare the ratios of one run, not absolute figures across runs. The mix is
``bench/queries.py``'s (Chinese) plus Latin and number queries, reported apart.

A tree whose ``FORMAT_VERSION`` differs from the index's reads a hard-linked copy of the same
build with its own format marker: the stored reports are identical; only the bigram
statistics the planner reads come from the other tree's normalization.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from queries import FLOOR_CATEGORIES, MIX  # noqa: E402

EXTRA = [
    ("latin AI", "latin", {"q": "AI"}),
    ("latin 5G", "latin", {"q": "5G"}),
    ("latin PM2.5", "latin", {"q": "PM2.5"}),
    ("number 5%左右", "latin", {"q": "5%左右"}),
    ("number 2024年", "latin", {"q": "2024年"}),
    ("mixed 人工智能 AI", "latin", {"q": "人工智能 AI"}),
]
QUERIES = MIX + EXTRA


def worker(index_dir: str) -> None:
    """Serve rounds on stdin: each "run" line runs the mix once and prints its timings."""
    import indexer
    from indexer.query import Library, SearchRequest, search

    lib = Library(Path(index_dir))
    requests = [(name, SearchRequest.from_args(params)) for name, _, params in QUERIES]
    totals = {name: [search(lib, req).total for _ in range(2)][-1] for name, req in requests}
    print(json.dumps({"indexer": indexer.__file__, "totals": totals}, ensure_ascii=False))
    sys.stdout.flush()
    for line in sys.stdin:
        if line.strip() != "run":
            return
        times = {}
        for name, req in requests:
            c0, t0 = time.thread_time(), time.perf_counter()
            search(lib, req)
            times[name] = [(time.perf_counter() - t0) * 1000, (time.thread_time() - c0) * 1000]
        print(json.dumps(times, ensure_ascii=False))
        sys.stdout.flush()


def format_of(tree: Path) -> str:
    """The FORMAT_VERSION of the (Whoosh) indexer in ``tree``, old layout or new."""
    code = ("try:\n    from indexer.engines.whoosh_engine import FORMAT_VERSION\n"
            "except ImportError:\n    from indexer.engine import FORMAT_VERSION\n"
            "print(FORMAT_VERSION)")  # fmt: skip
    # cwd=tree: "python -c" puts the working directory before PYTHONPATH on sys.path.
    out = subprocess.run([sys.executable, "-c", code], env=_env(tree), cwd=tree,
                         capture_output=True, text=True, check=True)  # fmt: skip
    return out.stdout.strip()


def index_for(index_dir: Path, version: str) -> Path:
    """``index_dir``, or a hard-linked copy of its current build marked with ``version``."""
    current = index_dir / os.readlink(index_dir / "current")
    engine = index_dir / "ENGINE"
    if engine.exists() and engine.read_text().strip() != "whoosh":
        return index_dir  # the version compared is the Whoosh format's; other engines read as is
    if (current / "FORMAT").read_text().strip() == version:
        return index_dir
    copy = index_dir.with_name(f"{index_dir.name}.format-{version}")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(current, copy / current.name, copy_function=os.link)
    (copy / current.name / "FORMAT").unlink()
    (copy / current.name / "FORMAT").write_text(version + "\n")
    os.symlink(current.name, copy / "current")
    return copy


def _env(tree: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(tree.resolve())}


def start(tree: Path, index_dir: Path, own: Path | None = None) -> tuple[subprocess.Popen, dict]:
    """A worker for ``tree`` over its view of ``index_dir`` (or its ``own`` index), warmed up."""
    path = own or index_for(index_dir, format_of(tree))
    proc = subprocess.Popen([sys.executable, __file__, "--worker", str(path)], env=_env(tree),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    return proc, json.loads(proc.stdout.readline())


def ask(proc: subprocess.Popen) -> dict[str, list[float]]:
    """One round: {query: [wall ms, CPU ms]}."""
    proc.stdin.write("run\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


def report(samples: dict[str, dict[str, list[list[float]]]], totals: dict[str, dict]) -> None:
    """Print medians per query (wall and CPU), new/old ratios, geometric means per category."""
    print(f"{'query':28} {'total old/new':>15} {'wall old':>9} {'new':>7} {'new/old':>7}"
          f" {'CPU old':>8} {'new':>7} {'new/old':>7}")  # fmt: skip
    ratios: dict[str, list[tuple[float, float]]] = {}
    for name, cat, _ in QUERIES:
        old, new = ([statistics.median(x[i] for x in samples[k][name]) for i in (0, 1)]
                    for k in ("old", "new"))  # fmt: skip
        ratios.setdefault(cat, []).append((new[0] / old[0], new[1] / old[1]))
        counts = f"{totals['old'][name]}/{totals['new'][name]}"
        print(f"{name:28} {counts:>15} {old[0]:9.2f} {new[0]:7.2f} {new[0] / old[0]:7.3f}"
              f" {old[1]:8.2f} {new[1]:7.2f} {new[1] / old[1]:7.3f}")  # fmt: skip
    chinese = [r for cat, rs in ratios.items() if cat != "latin" for r in rs]
    for label, rs in [*ratios.items(), ("all Chinese", chinese)]:
        wall, cpu = (statistics.geometric_mean(r[i] for r in rs) for i in (0, 1))
        print(f"geometric mean new/old, {label}: wall {wall:.3f}, CPU {cpu:.3f}")
    for k in ("old", "new"):
        floor = [x for n, c, _ in MIX if c in FLOOR_CATEGORIES for x in samples[k][n]]
        wall, cpu = (statistics.quantiles([x[i] for x in floor], n=20)[18] for i in (0, 1))
        print(
            f"{k}: phrase+relaxed p95 (the floor's statistic) wall {wall:.1f} ms, CPU {cpu:.1f} ms"
        )
        rounds = zip(*(samples[k][n] for n, _, _ in MIX), strict=True)
        per_round = [sum(x[0] for x in r) for r in rounds]
        print(
            f"{k}: median wall time of a round of the Chinese mix {statistics.median(per_round):.1f} ms"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("index_dir")
    ap.add_argument("--old", type=Path)
    ap.add_argument("--new", type=Path, default=BENCH.parent)
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--old-index", type=Path, default=None,
                    help="the old tree's own build of the same corpus (when the formats differ "
                         "in more than statistics, e.g. across a change of normalization)")  # fmt: skip
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.index_dir)
    workers = {
        "old": start(args.old, Path(args.index_dir), args.old_index),
        "new": start(args.new, Path(args.index_dir)),
    }
    for k, (_, hello) in workers.items():
        print(f"{k}: {hello['indexer']}")
    samples = {k: {name: [] for name, _, _ in QUERIES} for k in workers}
    for i in range(args.rounds):
        order = ("old", "new") if i % 2 == 0 else ("new", "old")
        for k in order:
            for name, ms in ask(workers[k][0]).items():
                samples[k][name].append(ms)
    for proc, _ in workers.values():
        proc.stdin.close()
        proc.wait()
    report(samples, {k: hello["totals"] for k, (_, hello) in workers.items()})


if __name__ == "__main__":
    main()
