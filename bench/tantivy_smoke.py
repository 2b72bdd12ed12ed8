"""Quick timings of the tantivy engine at 1x and 10x: build, and search() per query.

Usage:  .venv/bin/python bench/tantivy_smoke.py [--scales 1,10] [--reps 20] [--workdir DIR]

Scale N indexes N copies of the shipped reports, held in memory after one reading: copy k
gets id ``<id>-c{k:03d}``, region ``<region>·第{k:02d}副本`` and year ``2026 - k % 10``, as
bench/scale.py names them. "build" is normalization, token layout, indexing, commit and merge
(reading and structure are timed once, at 1x). Each query is ``search()``: total, all six
facets over all hits and a page of 20, warm, in-process; p50/p95 over ``--reps`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from indexer.build import build_report, describe_source, find_report_files
from indexer.engines.documents import ReportFields, paragraph_docs, report_fields
from indexer.engines.tantivy_engine import TantivyEngine
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


def build(path: Path, reports: list, copies: int) -> dict:
    """Index ``copies`` copies of ``reports``; return timings."""
    engine = TantivyEngine(path)
    started = time.perf_counter()
    with engine.writer() as w:
        for k in range(copies):
            for report in reports:
                fields = report_fields(report)
                if k:
                    region = f"{fields.region}·第{k:02d}副本"
                    fields = ReportFields(region, (*fields.region_path, region), fields.level,
                                          fields.kind, 2026 - k % 10)  # fmt: skip
                rid = report.id if k == 0 else f"{report.id}-c{k:03d}"
                w.put_report(rid, b"", fields, paragraph_docs(report))
    seconds = time.perf_counter() - started
    chars = copies * sum(len(p.text) for r in reports for p in r.paragraphs)
    size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    return {"paragraphs": engine.paragraph_count(), "build_s": round(seconds, 2),
            "Mchars_per_s": round(chars / seconds / 1e6, 2), "index_MB": round(size / 2**20, 1),
            "segments": engine.segment_count()}  # fmt: skip


def timed(fn, reps: int) -> tuple[float, float]:
    fn()  # warm
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    reports, read_s = load_reports()
    print(f"read + structure, 1x: {read_s:.2f} s")
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        for scale in (int(s) for s in args.scales.split(",")):
            path = Path(tmp) / f"{scale}x"
            print(f"\n== {scale}x: {build(path, reports, scale)}")
            engine = TantivyEngine(path)
            print(f"{'query':32} {'total':>8} {'p50 ms':>8} {'p95 ms':>8}")
            for name, plan in QUERIES:
                total = engine.search(plan).total
                p50, p95 = timed(lambda plan=plan, engine=engine: engine.search(plan), args.reps)
                print(f"{name:32} {total:8d} {p50:8.1f} {p95:8.1f}")
            plan = QUERIES[-1][1]
            started = time.perf_counter()
            TantivyEngine(path).search(plan)  # a new engine: same-sentence keys not cached yet
            print(f"{QUERIES[-1][0]}, first call: {(time.perf_counter() - started) * 1000:.1f} ms")
            plan = _plan("发展")
            started = time.perf_counter()
            n = sum(1 for _ in engine.iter_hits(plan))
            print(f"iter_hits(发展): {n} hits in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
