"""The tutorial baseline: Whoosh + ``jieba.analyse.ChineseAnalyzer`` over raw paragraph text.

One Whoosh document per paragraph, holding the paragraph text as written (not normalized),
for exactly the paragraphs our pipeline produced (read back from our index through
``Library(index_dir).corpus()``), so both sides search the same text units.

Queries are what the tutorial does: ``QueryParser("content", schema).parse(phrase)``,
``searcher.search(q, limit=20)`` and ``len(results)`` for the count. Recall is measured
against exact ground truth: the paragraphs whose normalized text contains the normalized
phrase (``indexer.normalize.normalize``).

Usage (run.py calls these):
  .venv/bin/python bench/baseline.py build OUR_INDEX_DIR BASELINE_DIR   # prints JSON
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from pathlib import Path


def paragraphs(index_dir: Path) -> list[tuple[str, int, str]]:
    """(report id, paragraph number, text as written) of every indexed paragraph, in order."""
    from indexer.query import Library

    corpus = Library(Path(index_dir)).corpus()
    return [(v.report.id, p.number, p.text) for v in corpus.views for p in v.report.paragraphs]


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
