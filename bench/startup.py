"""The first requests after start-up: what the first user of a fresh server waits.

Usage (from the repository root):  .venv/bin/python bench/startup.py --scales 1,10 [--runs 3]

Per scale N and run: build (once) or reuse the index of bench/out/corpus-Nx, start
`govsearch serve`, wait until /healthz answers (ready seconds: the server loads the corpus and
prepares per-corpus data such as suggestions before it accepts requests), then time the first
GET /api/suggest, the first GET /api/search and a second /api/suggest. Medians over the runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from build import ensure_corpus  # noqa: E402
from common import GOVSEARCH, OUT, log, machine_info  # noqa: E402
from served import server  # noqa: E402

FIRST = (
    ("suggest", "/api/suggest?q=" + quote("营商")),
    ("search", "/api/search?q=" + quote("营商环境")),
    ("suggest_again", "/api/suggest?q=" + quote("法治")),
)


def index_for(n: int) -> Path:
    """The index of the N-x corpus, built by `govsearch index` when missing."""
    index_dir = OUT / f"index-startup-{n}x"
    if not index_dir.exists():
        folder = ensure_corpus(n)
        subprocess.run([str(GOVSEARCH), "index", str(folder), "--index-dir", str(index_dir)],
                       check=True, capture_output=True)  # fmt: skip
    return index_dir


def one_run(n: int, index_dir: Path) -> dict[str, float]:
    """Start a server and time its readiness and first requests (ms)."""
    with server(index_dir, f"startup-{n}x") as srv:
        out = {"ready_s": srv["ready_seconds"]}
        for name, path in FIRST:
            t0 = time.perf_counter()
            with urllib.request.urlopen(f"http://127.0.0.1:{srv['port']}{path}", timeout=600) as r:
                r.read()
            out[f"{name}_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="1,10")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    results = {"machine": machine_info(), "scales": {}}
    for n in (int(s) for s in args.scales.split(",")):
        index_dir = index_for(n)
        runs = [one_run(n, index_dir) for _ in range(args.runs)]
        medians = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        results["scales"][f"{n}x"] = {"runs": runs, "median": medians}
        log(f"{n}x: {medians}")
    OUT.mkdir(exist_ok=True)
    (OUT / "startup.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(json.dumps({k: v["median"] for k, v in results["scales"].items()}, indent=2))


if __name__ == "__main__":
    main()
