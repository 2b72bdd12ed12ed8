"""A report and a made-up predecessor of it, for the comparison and terms tests."""

from __future__ import annotations

import csv
from pathlib import Path

from indexer.query.script import convert

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "corpus" / "2026_上海市_政府工作报告.txt"
CURRENT, PREVIOUS = "shanghai-2026", "shanghai-2025"


def predecessor(lines: list[str]) -> list[str]:
    """The 2025 report: some paragraphs gone, one moved, a few edited, one in Traditional."""
    body = [i for i, line in enumerate(lines) if len(line) > 60]
    old = list(lines)
    for i in body[2:5]:  # sentences edited: the 2026 report reads differently here
        old[i] = old[i].replace("，", "，进一步", 1)
    old[body[6]] = convert(old[body[6]], "t")  # written in Traditional, the same when folded
    old = [line.replace("人工智能", "智能化") for line in old]  # a term the 2026 report adds
    moved = old.pop(body[8])
    old.insert(body[20], moved)
    old.insert(body[10], "持续做好二〇二五年特有的一项工作，这一段在新报告中已删去。")
    gone = {old[i] for i in (body[12], body[14])}  # in 2026 only
    return [line for line in old if line not in gone]


def write_pair(folder: Path) -> Path:
    """Write the two reports and their catalog into ``folder``; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    (folder / f"{CURRENT}.txt").write_text("\n".join(lines), encoding="utf-8")
    old = [line.replace("2026", "2025") if "政府工作报告" in line else line
           for line in predecessor(lines)]  # fmt: skip
    (folder / f"{PREVIOUS}.txt").write_text("\n".join(old), encoding="utf-8")
    with (folder / "SOURCES.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["file", "region", "year", "title", "kind"])
        out.writerow(
            [f"{CURRENT}.txt", "上海市", "2026", "2026年上海市政府工作报告", "政府工作报告"]
        )
        out.writerow(
            [f"{PREVIOUS}.txt", "上海市", "2025", "2025年上海市政府工作报告", "政府工作报告"]
        )
    return folder
