"""Compare and terms on the largest report, in a collection of N yearly versions of each report.

Usage (from the repository root):

  .venv/bin/python bench/compare_terms.py [--scales 2,10] [--engines whoosh,tantivy] [--reps 7]

The scaled corpus here is not bench/scale.py's (whose copies are distinct regions, so no
report has a predecessor): ``bench/out/series-Nx/`` holds N yearly versions of every shipped
report, same region and kind, years 2026, 2025, … (2024, 2023, … for the 2024 report).
Version k >= 1 lacks k in 40 of the paragraphs (by a hash of the line, so older versions lack
more, and one paragraph in 40 of the latest report is in none of its predecessors) and edits
about one line in ten (a sentence gains 进一步); the latest report has N - 1 predecessors. Measured on the largest report
(2026_广东省_政府工作报告, 32,699 characters, 204 paragraphs), against its 2025 version:

* compare: ``compare(a, b)`` on loaded reports, and ``GET /api/compare`` (Flask test client);
* terms cold: a new searcher, ``report_terms`` once (jieba on the report, the baseline's
  bigram indexes, one engine lookup per new candidate); warm: again on the same searcher;
  ``GET /api/reports/<id>/terms`` and the report page (with its terms panel), warm.

Writes bench/out/compare_terms.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, ROOT, log  # noqa: E402
from scale import original_rows  # noqa: E402

from indexer import analysis  # noqa: E402
from indexer.build import index_paths  # noqa: E402
from indexer.engines import open_engine  # noqa: E402
from indexer.query import Library, terms  # noqa: E402
from indexer.query.compare import compare  # noqa: E402
from indexer.query.terms import report_terms  # noqa: E402

LARGEST = "2026_广东省_政府工作报告"


def _bucket(line: str, k: int, modulo: int) -> int:
    return int(hashlib.sha1(f"{k}:{line}".encode()).hexdigest(), 16) % modulo


def version(lines: list[str], k: int) -> list[str]:
    """Version k of a report's lines (k = 0: as shipped).

    Version k lacks the paragraphs whose hash (of the line alone) falls below k in 40, so each
    older version lacks more, and the paragraphs below 1 in 40 are new in the latest report;
    about one line in ten of each version is edited (a sentence gains 进一步).
    """
    if k == 0:
        return lines
    out = []
    for i, line in enumerate(lines):
        if i > 0 and len(line) > 40 and _bucket(line, 0, 40) < k:
            continue
        out.append(line.replace("，", "，进一步", 1) if _bucket(line, k, 10) == 0 else line)
    return out


def build_series(scale: int) -> Path:
    """Write ``bench/out/series-{scale}x`` (reused when complete)."""
    folder = OUT / f"series-{scale}x"
    rows = original_rows()
    if (folder / "SOURCES.csv").exists() and len(list(folder.glob("*.txt"))) == len(rows) * scale:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    catalog = []
    for row in rows:
        lines = (ROOT / "corpus" / row["file"]).read_text(encoding="utf-8").splitlines()
        stem = row["id"] or Path(row["file"]).stem
        for k in range(scale):
            year = int(row["year"]) - k
            name = row["file"] if k == 0 else f"y{year}_{row['file']}"
            title = re.sub(r"(19|20)\d{2}", str(year), row["title"], count=1)
            (folder / name).write_text("\n".join(version(lines, k)), encoding="utf-8")
            catalog.append({**row, "file": name, "id": stem if k == 0 else f"{stem}-y{year}",
                            "year": str(year), "title": title})  # fmt: skip
    with (folder / "SOURCES.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(catalog[0]))
        writer.writeheader()
        writer.writerows(catalog)
    return folder


def build_index(corpus: Path, kind: str, name: str) -> Path:
    """Index ``corpus`` with engine ``kind`` into bench/out/<name>-<kind> (reused if there)."""
    path = OUT / f"{name}-{kind}"
    engine = open_engine(path, kind)
    if not engine.exists():
        started = time.perf_counter()
        summary = index_paths([corpus], engine)
        log(
            f"built {path.name}: {summary.reports} reports in {time.perf_counter() - started:.0f} s"
        )
    return path


def timed(fn, reps: int) -> tuple[float, float]:
    """Median and maximum wall time of ``fn()`` in milliseconds."""
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def cold_parts(searcher) -> dict[str, float]:
    """Milliseconds of each step of a first terms request: words, baseline, collection use."""
    parts, started = {}, time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        parts[name] = round((time.perf_counter() - started) * 1000)
        started = time.perf_counter()

    table = terms.table_of(searcher, searcher.load_report(LARGEST))
    lap("term_table")
    baseline = [terms.TextIndex.of_report(searcher.load_report(b))
                for b in terms.default_baseline(searcher, LARGEST)]  # fmt: skip
    lap("baseline_indexes")
    terms.top_terms(table, baseline, terms.TOP)
    lap("top")
    terms.new_terms(searcher, table, baseline, terms.TOP)
    lap("new")
    parts["lookups"] = len(searcher.derived("terms.use", lambda _s: {}))  # one search each
    return parts


def measure(index: Path, previous: str, reps: int) -> dict:
    """Compare and terms timings for LARGEST against ``previous`` on one index."""
    from webapp import create_app

    searcher = Library(index).searcher()
    a, b = searcher.load_report(previous), searcher.load_report(LARGEST)
    out = {"reports": len(searcher.summaries()), "chars": sum(len(p.text) for p in b.paragraphs),
           "summary": compare(a, b).summary}  # fmt: skip
    out["compare"] = timed(lambda: compare(a, b), reps)
    analysis.initialize()  # jieba's dictionary: loaded once per process, not per request
    fresh = Library(index).searcher()  # a new searcher: nothing cached
    out["cold_parts"] = cold_parts(fresh)
    fresh = Library(index).searcher()
    started = time.perf_counter()
    answer = report_terms(fresh, LARGEST)
    out["terms_cold"] = ((time.perf_counter() - started) * 1000,) * 2
    out["terms_warm"] = timed(lambda: report_terms(fresh, LARGEST), reps)
    out["baseline"], out["new"] = len(answer.baseline), len(answer.new)
    client = create_app({"TESTING": True, "INDEX_DIR": str(index)}).test_client()
    urls = {"api_compare": f"/api/compare?a={quote(previous)}&b={quote(LARGEST)}",
            "api_terms": f"/api/reports/{quote(LARGEST)}/terms",
            "report_page": f"/reports/{quote(LARGEST)}"}  # fmt: skip
    for key, url in urls.items():
        assert client.get(url).status_code == 200  # warms the app's own searcher
        out[key] = timed(lambda url=url: client.get(url), reps)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="10", help="comma-separated, each at least 2")
    ap.add_argument("--engines", default="whoosh,tantivy")
    ap.add_argument("--reps", type=int, default=7)
    args = ap.parse_args()
    results = {}
    for scale in (int(s) for s in args.scales.split(",")):
        corpus, name = build_series(scale), f"series-{scale}x"
        for kind in args.engines.split(","):
            index = build_index(corpus, kind, name)
            key = f"{name}-{kind}"
            log("measuring", key)
            results[key] = measure(index, f"{LARGEST}-y2025", args.reps)
    (OUT / "compare_terms.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(table(results))
    for key, r in results.items():
        print(f"- {key}: first request by step (ms): {r['cold_parts']}")


def table(results: dict) -> str:
    """The Markdown table of docs/BENCHMARKS.md ("Compare and terms")."""
    lines = ["| index | reports | baseline | compare | /api/compare | terms cold | terms warm | "
             "/api/…/terms | report page |", "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for key, r in results.items():
        cells = [f"{r[k][0]:.0f} ({r[k][1]:.0f})" for k in
                 ("compare", "api_compare", "terms_cold", "terms_warm", "api_terms", "report_page")]  # fmt: skip
        lines.append(f"| {key} | {r['reports']} | {r['baseline']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
