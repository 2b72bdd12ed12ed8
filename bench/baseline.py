"""The tutorial baseline: Whoosh + ``jieba.analyse.ChineseAnalyzer`` over raw paragraph text.

One Whoosh document per paragraph, holding the paragraph text as written (not normalized),
for exactly the paragraphs our pipeline produced (read back from our index through
the engine's ``summaries()`` and ``load_report()``), so both sides search the same text units.

Queries are what the tutorial does: ``QueryParser("content", schema).parse(phrase)``,
``searcher.search(q, limit=20)`` and ``len(results)`` for the count. Recall is measured
against exact ground truth: the paragraphs whose normalized text contains the normalized
phrase (``indexer.normalize.normalize``).

Usage (run.py calls ``measure_baseline``, which runs the build in its own process):
  .venv/bin/python bench/baseline.py build OUR_INDEX_DIR BASELINE_DIR   # prints JSON
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH, MIB, OUT, PY, ROOT, log, summarize  # noqa: E402
from queries import phrases  # noqa: E402


def paragraphs(index_dir: Path) -> list[tuple[str, int, str]]:
    """(report id, paragraph number, text as written) of every indexed paragraph, in order."""
    from indexer.query import Library

    return searcher_paragraphs(Library(Path(index_dir)).searcher())


def searcher_paragraphs(searcher) -> list[tuple[str, int, str]]:
    """The same, from an open searcher (each report loaded from the engine's store)."""
    out = []
    for summary in searcher.summaries():
        report = searcher.load_report(summary.id)
        out.extend((report.id, p.number, p.text) for p in report.paragraphs)
    return out


def schema():
    from jieba.analyse import ChineseAnalyzer
    from whoosh import fields

    return fields.Schema(
        rid=fields.STORED(), number=fields.STORED(),
        content=fields.TEXT(analyzer=ChineseAnalyzer(), stored=False),
    )  # fmt: skip


def build(index_dir: Path, out_dir: Path) -> dict:
    """Build the baseline index from our index's paragraphs; return timings."""
    import logging

    import jieba
    from whoosh import index

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    t0 = time.perf_counter()
    paras = paragraphs(index_dir)
    load_s = time.perf_counter() - t0
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    started = time.perf_counter()
    cpu0 = time.process_time()
    ix = index.create_in(str(out_dir), schema())
    writer = ix.writer()  # tutorial defaults (limitmb=128, one process)
    for rid, number, text in paras:
        writer.add_document(rid=rid, number=number, content=text)
    writer.commit()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    size = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "paragraph_load_seconds": round(load_s, 3),
        "paragraphs": len(paras),
        "chars": sum(len(t) for _, _, t in paras),
        "index_bytes": size,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


class Baseline:
    """An open baseline index answering tutorial-style queries."""

    def __init__(self, out_dir: Path):
        from whoosh import index
        from whoosh.qparser import QueryParser

        self.ix = index.open_dir(str(out_dir))
        self.searcher = self.ix.searcher()
        self.parser = QueryParser("content", self.ix.schema)

    def query(self, phrase: str) -> tuple[int, object]:
        """Parse, search (limit 20), count. Returns (count, results)."""
        q = self.parser.parse(phrase)
        results = self.searcher.search(q, limit=20)
        return len(results), results

    def found(self, results) -> set[tuple[str, int]]:
        """(report id, paragraph number) of every matching document (untimed)."""
        out = set()
        for docnum in results.docs():
            stored = self.searcher.stored_fields(docnum)
            out.add((stored["rid"], stored["number"]))
        return out

    def close(self) -> None:
        self.searcher.close()


def measure_baseline(kind: str, n: int, index_dir: Path, lib, reps: int) -> dict:
    """Build the baseline from our ``kind`` index's paragraphs; latency and recall beside ours."""
    from indexer.normalize import normalize
    from indexer.query import SearchRequest, search

    out_dir = OUT / f"baseline-{n}x"
    log(f"{n}x: baseline build")
    proc = subprocess.run([str(PY), str(BENCH / "baseline.py"), "build", str(index_dir),
                           str(out_dir)], cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"baseline build failed: {proc.stderr[-2000:]}")
    built = json.loads(proc.stdout.strip().splitlines()[-1])
    built["chars_per_s"] = round(built["chars"] / built["seconds"])
    built["index_mib"] = round(built["index_bytes"] / MIB, 1)
    paras = searcher_paragraphs(lib.searcher())
    keys = [(rid, number) for rid, number, _ in paras]
    norms = [normalize(text) for _, _, text in paras]
    base = Baseline(out_dir)
    ours_req = {p: SearchRequest.from_args({"q": p}) for p in phrases()}
    base_ms, ours_ms, rows = [], [], []
    for p in phrases():  # warm-up both
        base.query(p)
        search(lib, ours_req[p])
    for _ in range(reps):
        for p in phrases():
            t0 = time.perf_counter()
            base.query(p)
            base_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            search(lib, ours_req[p])
            ours_ms.append((time.perf_counter() - t0) * 1000)
    for p in phrases():
        norm = normalize(p)
        truth = {k for k, t in zip(keys, norms, strict=True) if norm in t}
        count, results = base.query(p)
        found = base.found(results)
        total, ours = _our_hits(lib, p)
        rows.append({"phrase": p, "truth": len(truth), "baseline_count": count,
                     "baseline_true_hits": len(found & truth), "ours_total": total,
                     "ours_true_hits": len(ours & truth)})  # fmt: skip
    base.close()
    return {"engine": kind, "build": built, "latency_baseline": summarize(base_ms),
            "latency_ours": summarize(ours_ms), **_recall(rows), "phrases": rows}  # fmt: skip


def _recall(rows: list[dict]) -> dict:
    truth = sum(r["truth"] for r in rows)
    macro = lambda key: round(  # noqa: E731
        sum(r[key] / r["truth"] for r in rows if r["truth"]) / len(rows) * 100, 1
    )
    counted = max(1, sum(r["baseline_count"] for r in rows))
    return {
        "recall_baseline_pct": round(sum(r["baseline_true_hits"] for r in rows) / truth * 100, 1),
        "recall_ours_pct": round(sum(r["ours_true_hits"] for r in rows) / truth * 100, 1),
        "recall_baseline_macro_pct": macro("baseline_true_hits"),
        "recall_ours_macro_pct": macro("ours_true_hits"),
        "precision_baseline_pct": round(
            sum(r["baseline_true_hits"] for r in rows) / counted * 100, 1
        ),
    }


def _our_hits(lib, phrase: str) -> tuple[int, set]:
    """Our total and every hit (paged through, untimed)."""
    from indexer.query import SearchRequest, search

    found: set = set()
    page, total = 1, 0
    while True:
        r = search(lib, SearchRequest.from_args({"q": phrase, "size": "100", "page": str(page)}))
        total = r.total
        found |= {(h.report_id, h.paragraph_number) for h in r.hits}
        if not r.hits or page * 100 >= min(total, 10_000):
            break
        page += 1
    return total, found


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("index_dir", type=Path)
    b.add_argument("out_dir", type=Path)
    args = ap.parse_args()
    if args.cmd == "build":
        print(json.dumps(build(args.index_dir, args.out_dir)))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
