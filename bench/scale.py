"""Build scaled copies of ``corpus/`` for the benchmarks: 1x, 10x, 100x, ...

Usage:  .venv/bin/python bench/scale.py --scales 1,10,100,1000 [--out bench/out]

A folder that is already complete is reused (1000x is 32,000 files, about 1.8 GB).

For scale N the folder ``bench/out/corpus-Nx/`` holds N copies of every report file of
``corpus/`` plus a ``SOURCES.csv`` catalog. Copy 0 is the original file with its original
catalog row (so 1x is exactly the shipped corpus). Copy k >= 1 is a byte-identical copy of
the file named ``c{k:03d}_<original name>`` whose catalog row is the original row with:

* ``id``      ``<original report id>-c{k:03d}``         (distinct report ids)
* ``region``  ``<original region>·第{k:02d}副本``          (distinct regions, e.g. 上海市·第07副本)
* ``year``    ``2026 - (k mod 10)`` for k >= 1, i.e. copies spread over 2017–2025 next to the
              originals (2024/2026), so year facets and ``year:`` filters see ten years
* ``title``   the original title with its 4-digit year replaced by the copy's year and
              ``（副本k）`` appended

The text is unchanged, so every phrase's hit count grows exactly N times; the vocabulary does
not grow the way a real collection's would (see docs/BENCHMARKS.md, "Limitations").
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
OUT = ROOT / "bench" / "out"
COLUMNS = ["file", "id", "region", "year", "title", "published", "source_url"]


def original_rows(corpus: Path = CORPUS) -> list[dict[str, str]]:
    """The catalog rows of the shipped corpus, one per report file (sorted by file name)."""
    with (corpus / "SOURCES.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {r["file"]: r for r in csv.DictReader(handle)}
    files = sorted(p.name for p in corpus.iterdir() if p.suffix == ".txt")
    out = []
    for name in files:
        row = dict(rows.get(name, {"file": name}))
        out.append({c: (row.get(c) or "") for c in COLUMNS})
    return out


def _stem_id(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", Path(name).stem).strip("_")


def copy_row(row: dict[str, str], k: int) -> dict[str, str]:
    """The catalog row of copy ``k`` (k=0 is the original)."""
    if k == 0:
        return dict(row)
    year = 2026 - (k % 10)
    title = re.sub(r"(19|20)\d{2}", str(year), row["title"], count=1) or row["file"]
    return {
        **row,
        "file": f"c{k:03d}_{row['file']}",
        "id": f"{row['id'] or _stem_id(row['file'])}-c{k:03d}",
        "region": f"{row['region']}·第{k:02d}副本" if row["region"] else f"副本{k:02d}",
        "year": str(year),
        "title": f"{title}（副本{k}）",
    }


def build_scaled(scale: int, out: Path = OUT, corpus: Path = CORPUS) -> Path:
    """Create (or refresh) ``out/corpus-{scale}x`` and return it."""
    folder = out / f"corpus-{scale}x"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    rows = []
    for row in original_rows(corpus):
        for k in range(scale):
            new = copy_row(row, k)
            shutil.copyfile(corpus / row["file"], folder / new["file"])
            rows.append(new)
    with (folder / "SOURCES.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return folder


def ensure_scaled(scale: int, out: Path = OUT, corpus: Path = CORPUS) -> Path:
    """``out/corpus-{scale}x``, generated only if missing or incomplete (it is large at 1000x)."""
    folder = out / f"corpus-{scale}x"
    catalog = folder / "SOURCES.csv"
    if catalog.is_file():
        with catalog.open(encoding="utf-8", newline="") as handle:
            rows = sum(1 for _ in csv.DictReader(handle))
        files = sum(1 for p in folder.iterdir() if p.suffix == ".txt")
        if rows == files == scale * len(original_rows(corpus)):
            return folder
    return build_scaled(scale, out, corpus)


def corpus_stats(folder: Path) -> dict[str, int]:
    """Report files and characters (decoded text) in a scaled folder."""
    files = [p for p in folder.iterdir() if p.suffix == ".txt"]
    chars = sum(len(p.read_text(encoding="utf-8", errors="replace")) for p in files)
    return {"files": len(files), "chars": chars, "bytes": sum(p.stat().st_size for p in files)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    for scale in (int(s) for s in args.scales.split(",")):
        folder = ensure_scaled(scale, args.out)
        print(folder, corpus_stats(folder))


if __name__ == "__main__":
    main()
