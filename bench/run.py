"""govsearch benchmarks: one driver over the measurement modules; writes docs/BENCHMARKS.md.

Usage (from the repository root):

  .venv/bin/python bench/run.py --quick             # 1x, both engines, few repetitions (minutes);
                                                    # writes bench/out/quick.{md,json}
  .venv/bin/python bench/run.py --scales 100 --engines whoosh,tantivy --reuse-builds --profile
  .venv/bin/python bench/run.py --scales 1000 --engines tantivy --reuse-builds --profile \\
                                --load-seconds 60 --merge
  .venv/bin/python bench/run.py --reference bench/out/reference --merge --render-only
  .venv/bin/python bench/run.py --render-only       # Markdown again from bench/results.json + notes.md

Per scale N and engine (each measurement takes the engine kind; modules in brackets):
  build        full build in a subprocess, reused if recorded by the same code   [build.py]
  incremental  `govsearch index` after adding / changing / removing one report  [incremental.py]
  queries      in-process search() over the mix of bench/queries.py; with several engines
               they run in one process, interleaved query by query              [latency.py]
  served       sequential HTTP, the load test, the server's memory             [served.py]
  baseline     (Whoosh, N <= 10) the tutorial Whoosh + jieba baseline          [baseline.py]
  profiles     (--profile) the slowest queries and one added report at the top scale
  render       docs/BENCHMARKS.md                                              [render.py, floors.py]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import measure_baseline  # noqa: E402
from build import ensure_corpus, measure_build  # noqa: E402
from common import BENCH, OUT, ROOT, index_dir, log, machine_info, proc_mem  # noqa: E402
from floors import floors  # noqa: E402
from incremental import measure_incremental  # noqa: E402
from latency import profile_queries, side_by_side  # noqa: E402
from reference import load_reference, overhead  # noqa: E402
from render import render  # noqa: E402
from served import measure_served  # noqa: E402


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="govsearch benchmarks")
    ap.add_argument("--scales", default="100")
    ap.add_argument("--engines", default="whoosh,tantivy", help="comma-separated engine kinds")
    ap.add_argument("--quick", action="store_true", help="1x only, few repetitions")
    ap.add_argument("--reps", type=int, default=None, help="in-process repetitions of the mix")
    ap.add_argument("--load-seconds", type=float, default=30.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--reuse-builds", action="store_true")
    ap.add_argument(
        "--reuse-stale", action="store_true", help="reuse builds of other indexing code"
    )
    ap.add_argument("--skip", default="", help="comma-separated: incremental,served,baseline")
    ap.add_argument("--merge", action="store_true", help="add to the results file, keep other runs")
    ap.add_argument("--reference", type=Path, default=None, help="workdir of tantivy_scale.py")
    ap.add_argument("--reference-scale", type=int, default=1000)
    ap.add_argument("--render-only", action="store_true")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--md", type=Path, default=None)
    return ap.parse_args()


def measure_scale(n: int, kinds: list[str], args, res: dict, save) -> None:
    """Every measurement of the ``n``x corpus for each engine in ``kinds``.

    Queries run first, on the index exactly as built (the incremental steps change it).
    """
    folder = ensure_corpus(n)
    skip = set(filter(None, args.skip.split(",")))
    runs = {k: res["runs"].setdefault(f"{n}x-{k}", {"engine": k, "scale": n}) for k in kinds}
    libs = {}
    for kind, run in runs.items():
        run["build"] = measure_build(kind, n, folder, args.reuse_builds, args.reuse_stale)
        log(f"{kind} {n}x: build {run['build']['seconds']} s")
        save()
        libs[kind] = load_library(kind, n, run)
    measure_latency(n, runs, libs, args, res)
    save()
    for kind, lib in libs.items():
        if args.profile:
            queries = runs[kind]["queries"]
            res["profiles"].setdefault("queries", {})[f"{n}x-{kind}"] = profile_queries(
                lib, queries
            )
        if kind == "whoosh" and n <= 10 and "baseline" not in skip:
            reps = 3 if args.quick else 5
            runs[kind]["baseline"] = measure_baseline(kind, n, index_dir(kind, n), lib, reps)
        if "incremental" not in skip:
            inc = measure_incremental(kind, folder, index_dir(kind, n), lib, profile=args.profile)
            if "profile" in inc:
                res["profiles"].setdefault("incremental", {})[f"{n}x-{kind}"] = inc.pop("profile")
            runs[kind]["incremental"] = inc
        save()
    libs.clear()
    if "served" not in skip:
        load_s = min(args.load_seconds, 10.0) if args.quick else args.load_seconds
        for kind, run in runs.items():
            dir_ = index_dir(kind, n)
            run["served"] = measure_served(
                kind, n, dir_, 2 if args.quick else 5, load_s, args.clients
            )
            save()


def measure_latency(n: int, runs: dict, libs: dict, args, res: dict) -> None:
    """The query mix on every engine's Library, interleaved; side by side if several."""
    reps = args.reps or (5 if args.quick else {1: 30, 10: 20, 100: 15}.get(n, 10))
    log(f"{n}x: queries x{reps} on {', '.join(libs)}")
    measured = side_by_side(libs, reps)
    for kind, report in measured.items():
        runs[kind]["queries"] = report
        log(f"{kind} {n}x: all p50/p95 {report['all']['p50_ms']}/{report['all']['p95_ms']} ms")
    if len(libs) > 1:
        res.setdefault("side_by_side", {})[str(n)] = {"reps": reps, **measured}


def load_library(kind: str, n: int, run: dict):
    """A Library on the ``kind`` index with its searcher loaded; records time and RSS growth."""
    from indexer.query import Library

    rss0 = proc_mem()["VmRSS"]
    t0 = time.perf_counter()
    lib = Library(index_dir(kind, n))
    lib.searcher()
    run["library_load_seconds"] = round(time.perf_counter() - t0, 2)
    run["library_rss_mib"] = round(proc_mem()["VmRSS"] - rss0, 1)
    return lib


def add_reference(res: dict, workdir: Path, scale: int) -> None:
    """Copy the bare-tantivy figures in and compare them with our run at the same scale."""
    ref = load_reference(workdir, scale)
    ours = res["runs"].get(f"{scale}x-tantivy", {}).get("queries")
    if not ref:
        log(f"no reference results at {scale}x in {workdir}")
        return
    res["reference"] = {"scale": scale, "build": ref.get("build"), "serve_queries": ref.get("serve", {}).get("queries"),
        "serve_incremental": ref.get("serve", {}).get("incremental"),
        "serve_memory": ref.get("serve", {}).get("mem_after_mix"),
                        "overhead": overhead(ours, ref) if ours else [],
                        "provenance": "Run on this machine; finished: "
                        + ", ".join(f"{k} {v}" for k, v in ref.get("finished", {}).items()) + "; "
                        "`--fresh-strings` (normalization and bigram strings made inside the build loop). "
                        "Bare = count + four terms aggregations + top 20 + 20 stored docs; ours = `search()` "
                        "(parse, plan, total, six facets, ranked page of 20, snippets)."}  # fmt: skip


def main() -> None:
    args = parse_args()
    scales = [1] if args.quick else [int(x) for x in args.scales.split(",")]
    kinds = [k for k in args.engines.split(",") if k]
    json_out = args.json or (OUT / "quick.json" if args.quick else BENCH / "results.json")
    md_out = args.md or (OUT / "quick.md" if args.quick else ROOT / "docs" / "BENCHMARKS.md")
    notes_file = BENCH / "notes.md"
    notes = (
        notes_file.read_text(encoding="utf-8") if notes_file.is_file() and not args.quick else ""
    )
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    res: dict = {"machine": machine_info(), "quick": args.quick, "runs": {}, "profiles": {}}
    if (args.merge or args.render_only) and json_out.is_file():
        old = json.loads(json_out.read_text(encoding="utf-8"))
        if args.render_only:
            res = old
        else:
            res = merge(old, res, [f"{n}x-{k}" for n in scales for k in kinds])

    def save() -> None:
        if not args.render_only:
            res["machine"]["run_minutes"] = round((time.perf_counter() - started) / 60, 1)
            res["machine"]["loadavg_end"] = os.getloadavg()
        res["floors"] = floors(res)
        json_out.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        try:
            md_out.write_text(render(res, notes), encoding="utf-8")
        except Exception as exc:  # never lose a long run to a formatting bug
            log(f"render failed ({type(exc).__name__}: {exc}); results are in {json_out}")

    if args.reference:
        add_reference(res, args.reference, args.reference_scale)
    if not args.render_only:
        res["machine"]["runs"] = [f"{n}x-{k}" for n in scales for k in kinds]
        for n in scales:
            measure_scale(n, kinds, args, res, save)
    save()
    log(f"done -> {md_out}, {json_out}")


def merge(old: dict, new: dict, replaced: list[str]) -> dict:
    """``new`` with the runs, side-by-sides, profiles and reference of ``old`` it does not redo."""
    new["runs"] = {k: v for k, v in old.get("runs", {}).items() if k not in replaced}
    new["side_by_side"] = old.get("side_by_side", {})
    new["profiles"] = old.get("profiles", {})
    if "reference" in old:
        new["reference"] = old["reference"]
    earlier = (
        [old["machine"], *old.get("earlier_runs", [])] if replaced else old.get("earlier_runs", [])
    )
    new["earlier_runs"] = [m for m in earlier if set(m.get("runs", [])) - set(replaced)]
    return new


if __name__ == "__main__":
    main()
