"""Latency of trends and keyword in context beside the search they extend, in-process.

Usage:  .venv/bin/python bench/analysis.py [--scale 10] [--engines whoosh,tantivy] [--reps 10]
                                           [--json OUT]

Uses the indexes ``bench/out/index-{N}x-{engine}`` (build them with bench/buildjob.py or
bench/run.py). Each request runs once untimed, then ``reps`` times, engines interleaved request by
request; prints a Markdown table (p50/p95 ms, paragraphs matched, occurrences counted).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, index_dir, log, summarize  # noqa: E402

sys.path.insert(0, str(ROOT))

REQUESTS = (
    ("rare 综合查一次", {"q": "综合查一次"}),
    ("common 营商环境", {"q": "营商环境"}),
    ("common 高质量发展", {"q": "高质量发展"}),
    ("very common 发展", {"q": "发展"}),
    ("filtered 营商环境 level=province", {"q": "营商环境", "level": "province"}),
)
OPERATIONS = ("search", "trends", "kwic relevance", "kwic left")


def run(lib, operation: str, params: dict):
    """One request of ``operation``; returns (paragraphs, occurrences) for the table."""
    from indexer.query import SearchRequest, search
    from indexer.query.kwic import kwic
    from indexer.query.research import trends

    req = SearchRequest.from_args(params)
    if operation == "search":
        return search(lib, req).total, None
    if operation == "trends":
        t = trends(lib, req)
        return t.total, t.mentions
    result = kwic(lib, req, operation.split()[1])
    return None, result.total


def measure(libs: dict, reps: int) -> dict:
    """p50/p95 per engine, request and operation, interleaved."""
    samples: dict = {k: {} for k in libs}
    counts: dict = {k: {} for k in libs}
    for kind, lib in libs.items():
        for name, params in REQUESTS:
            for op in OPERATIONS:
                counts[kind][f"{name} | {op}"] = run(lib, op, params)
    for rep in range(reps):
        kinds = list(libs) if rep % 2 == 0 else list(libs)[::-1]
        for name, params in REQUESTS:
            for op in OPERATIONS:
                for kind in kinds:
                    t0 = time.perf_counter()
                    run(libs[kind], op, params)
                    ms = (time.perf_counter() - t0) * 1000
                    samples[kind].setdefault(f"{name} | {op}", []).append(ms)
    return {
        kind: {key: {**summarize(v), "counts": counts[kind][key]} for key, v in per.items()}
        for kind, per in samples.items()
    }


def table(result: dict) -> str:
    """Markdown: one row per request and operation, a p50/p95 column pair per engine."""
    kinds = list(result)
    head = "| request | operation | paragraphs | occurrences | " + " | ".join(
        f"{k} p50 / p95 ms" for k in kinds
    )
    lines = [head + " |", "|" + "---|" * (4 + len(kinds))]
    for key in result[kinds[0]]:
        name, op = key.split(" | ")
        paragraphs, occurrences = result[kinds[0]][key]["counts"]
        cells = [f"{result[k][key]['p50_ms']} / {result[k][key]['p95_ms']}" for k in kinds]
        lines.append(f"| {name} | {op} | {paragraphs if paragraphs is not None else ''} | "
                     f"{occurrences if occurrences is not None else ''} | {' | '.join(cells)} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=10)
    ap.add_argument("--engines", default="whoosh,tantivy")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    from indexer.query import Library

    libs = {}
    for kind in args.engines.split(","):
        path = index_dir(kind, args.scale)
        if not path.exists():
            sys.exit(f"no index at {path}: build it with bench/buildjob.py first")
        libs[kind] = Library(path)
        libs[kind].searcher()
    log(f"{args.scale}x: {len(REQUESTS)} requests x {len(OPERATIONS)} operations x{args.reps}")
    result = measure(libs, args.reps)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(table(result))


if __name__ == "__main__":
    main()
