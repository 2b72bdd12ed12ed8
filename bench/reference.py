"""The bare-tantivy anchor: figures of ``../shared/reference/tantivy_scale.py`` beside ours.

Run it beside the benchmark (same machine, same hour), e.g.
``.venv/bin/python ../shared/reference/tantivy_scale.py --scales 1000 --fresh-strings
--workdir bench/out/reference --conc-scales ""``, then ``run.py --reference bench/out/reference``
copies its results in and compares per query: our ``search()`` (parse, plan, total, four
facets, ranked page, snippets) over its count + four aggregations + top 20 + stored docs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

# our query (bench/queries.py) -> the reference's query asking the same thing
SAME_QUERY = {
    "rare 综合查一次": "rare 综合查一次",
    "rare 全过程人民民主": "rare 全过程人民民主",
    "common 高质量发展": "common 高质量发展",
    "very common 发展": "vcommon 发展",
    "trad 營商環境": "common 营商环境",  # normalizes to 营商环境
    "AND 科技创新 人才": "AND 科技创新+人才",
    "OR 人工智能 OR 数字经济": "OR 人工智能|数字经济",
    "NOT 营商环境 -民营": "NOT 营商环境-民营",
}


def load_reference(workdir: Path, scale: int) -> dict | None:
    """The reference's build and serve figures at ``scale`` (None if it has not run there)."""
    per: dict = {}
    for phase in ("build", "serve"):
        f = Path(workdir) / f"{phase}-{scale}x.json"
        if f.is_file():
            per[phase] = json.loads(f.read_text(encoding="utf-8"))
            stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(f.stat().st_mtime))
            per.setdefault("finished", {})[phase] = stamp
    return per or None


def overhead(ours: dict, ref: dict) -> list[dict]:
    """Per query: our p50/p95 in-process vs the bare index's, and the ratios."""
    rows = []
    ref_q = ref.get("serve", {}).get("queries", {})
    for name, ref_name in SAME_QUERY.items():
        o, r = ours["by_query"].get(name), ref_q.get(ref_name)
        if not o or not r:
            continue
        rows.append({"query": name, "reference_query": ref_name, "hits": o.get("total"),
                     "reference_hits": r.get("count"), "ours_p50_ms": o["p50_ms"], "ours_p95_ms": o["p95_ms"],
                     "ref_p50_ms": r["p50_ms"], "ref_p95_ms": r["p95_ms"],
                     "ratio_p50": round(o["p50_ms"] / r["p50_ms"], 2) if r["p50_ms"] else None,
                     "extra_ms_p50": round(o["p50_ms"] - r["p50_ms"], 1)})  # fmt: skip
    return rows
