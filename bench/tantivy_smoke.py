"""Quick timings of the tantivy engine through the engine interface: build, then per query.

Usage:  .venv/bin/python bench/tantivy_smoke.py [--scales 1,10] [--reps 20] [--workdir DIR]
        [--keep] [--vary-headings]

Scale N indexes N copies of the shipped reports, held in memory after one reading: copy k
gets id ``<id>-c{k:03d}``, region ``<region>·第{k:02d}副本`` and year ``2026 - k % 10``, as
bench/scale.py names them. "build" is ``TantivyIndex.writer()`` + ``put_report()`` for every
copy: encoding the stored report, normalization, token layout, indexing, commit and merge
(reading and structure are timed once, at 1x). Each query is ``Searcher.search()``: total, all
six facets over all hits and a page of 20, warm, in-process; p50/p95 over ``--reps`` runs,
and the p50 of the calling thread's CPU time (the figure to compare on a busy machine).
Then the report-level costs of a new searcher (records, summaries, headings), ``facet_values``
for the trend facets and streaming every hit. ``--keep`` reuses an index already built in
``--workdir`` (and keeps it).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from indexer.build import build_report, describe_source, find_report_files
from indexer.engines import open_engine
from indexer.query.plan import FilterClause, Plan

ROOT = Path(__file__).resolve().parent.parent


def _plan(*terms: str, **kw) -> Plan:
    return Plan(clauses=tuple(((t,),) for t in terms), **kw)


QUERIES: list[tuple[str, Plan]] = [
    ("综合查一次", _plan("综合查一次")),
    ("全过程人民民主", _plan("全过程人民民主")),
    ("高质量发展", _plan("高质量发展")),
    ("营商环境", _plan("营商环境")),
    ("发展", _plan("发展")),
    ("法 (one character)", _plan("法")),
    ("ai (boundary)", _plan("ai")),
    ("5% (boundary)", _plan("5%")),
    ("科技创新 人才", _plan("科技创新", "人才")),
    ("人工智能 OR 数字经济", Plan(clauses=((("人工智能",), ("数字经济",)),))),
    ("营商环境 -民营", _plan("营商环境", excluded=("民营",))),
    (
        "高质量发展 year 2024-2026",
        _plan("高质量发展", filters=(FilterClause("year", ("2024-2026",)),)),
    ),
    ("高质量发展 sorted by year", _plan("高质量发展", sort="year_desc")),
    ("高质量发展 page 50", _plan("高质量发展", offset=980)),
    ("营商环境 一件事 same sentence", _plan("营商环境", "一件事", within="sentence")),
]


def load_reports() -> tuple[list, float]:
    """The shipped reports, and how long reading and structuring them took."""
    started = time.perf_counter()
    catalogs: dict = {}
    reports = [
        build_report(describe_source(p, catalogs)) for p in find_report_files([ROOT / "corpus"])
    ]
    return reports, time.perf_counter() - started


def copy_of(report, k: int, vary_headings: bool = False):
    """Copy ``k`` of a report, named and placed as bench/scale.py does (copy 0 is itself).

    With ``vary_headings`` every heading of copy k ends with ``（k）``: as many distinct
    sections per copy as a real collection has, rather than the same few N times.
    """
    if k == 0:
        return report
    region = f"{report.meta.region}·第{k:02d}副本"
    path = (*report.meta.region_path, region)
    meta = replace(report.meta, region=region, region_path=path, year=2026 - k % 10)
    copy = replace(report, id=f"{report.id}-c{k:03d}", meta=meta)
    if vary_headings:
        paths = {p.section_path: tuple(f"{h}（{k}）" for h in p.section_path)
                 for p in report.paragraphs}  # fmt: skip
        paragraphs = tuple(replace(p, section_path=paths[p.section_path]) for p in copy.paragraphs)
        copy = replace(copy, paragraphs=paragraphs)
    return copy


def build(root: Path, reports: list, copies: int, vary_headings: bool = False) -> dict:
    """Index ``copies`` copies of ``reports``; return timings."""
    engine = open_engine(root, kind="tantivy", rebuild=True)
    started = time.perf_counter()
    with engine.writer(rebuild=True) as writer:
        for k in range(copies):
            for report in reports:
                writer.put_report(copy_of(report, k, vary_headings), added="2026-11-27T00:00:00Z")
    seconds = time.perf_counter() - started
    chars = copies * sum(len(p.text) for r in reports for p in r.paragraphs)
    searcher = engine.searcher()
    size = sum(f.stat().st_size for f in (root / searcher.generation[0]).iterdir())
    return {"paragraphs": searcher.paragraph_count(), "build_s": round(seconds, 2),
            "Mchars_per_s": round(chars / seconds / 1e6, 2),
            "index_MB": round(size / 2**20, 1)}  # fmt: skip


def timed(fn, reps: int) -> tuple[float, float, float]:
    """p50 and p95 wall ms, and p50 ms of this thread's CPU (tantivy searches on the caller's
    thread, so CPU time is what the call costs, whatever else the shared machine runs)."""
    fn()  # warm
    times, cpu = [], []
    for _ in range(reps):
        started, started_cpu = time.perf_counter(), time.thread_time()
        fn()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, statistics.median(cpu)


def ms_since(started: float) -> str:
    return f"{(time.perf_counter() - started) * 1000:.0f} ms"


def report_level_costs(root: Path) -> None:
    """What a new searcher pays once: records, summaries, headings."""
    engine = open_engine(root)
    started = time.perf_counter()
    searcher = engine.searcher()
    opened = ms_since(started)
    started = time.perf_counter()
    searcher.search(_plan("综合查一次"))
    first = ms_since(started)
    started = time.perf_counter()
    summaries = searcher.summaries()
    listed = ms_since(started)
    started = time.perf_counter()
    headings = searcher.headings()
    print(f"new searcher: open {opened}; first search (reads {len(summaries)} records) {first};"
          f" summaries {listed}; headings ({len(headings)}) {ms_since(started)}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--vary-headings", action="store_true", help="distinct sections per copy")
    args = parser.parse_args()
    reports, read_s = load_reports()
    print(f"read + structure, 1x: {read_s:.2f} s")
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        base = args.workdir if args.keep else Path(tmp)
        for scale in (int(s) for s in args.scales.split(",")):
            root = base / f"{scale}x"
            if not (args.keep and open_engine(root, kind="tantivy").exists()):
                print(f"\n== {scale}x: {build(root, reports, scale, args.vary_headings)}")
            else:
                print(f"\n== {scale}x: reusing {root}")
            report_level_costs(root)
            searcher = open_engine(root).searcher()
            print(f"{'query':32} {'total':>8} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8}")
            for name, plan in QUERIES:
                total = searcher.search(plan).total
                p50, p95, cpu = timed(lambda plan=plan, s=searcher: s.search(plan), args.reps)
                print(f"{name:32} {total:8d} {p50:8.1f} {p95:8.1f} {cpu:8.1f}")
            plan = QUERIES[-1][1]
            started = time.perf_counter()
            open_engine(root).searcher().search(plan)  # new: same-sentence keys not cached yet
            print(f"{QUERIES[-1][0]}, new searcher: {ms_since(started)}")
            plan = _plan("发展")
            for facet in ("year", "region", "report"):
                p50, _, _ = timed(lambda f=facet, p=plan, s=searcher: s.facet_values(p, f), 5)
                print(f"facet_values(发展, {facet}): {p50:.1f} ms")
            started = time.perf_counter()
            n = sum(1 for _ in searcher.iter_hits(plan))
            print(f"iter_hits(发展): {n} hits in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
