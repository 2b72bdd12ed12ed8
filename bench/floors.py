"""The floors of the issues, checked against a results dict (see run.py for its shape)."""

from __future__ import annotations

RARE_LIMIT_MS = 15


def _row(name, value, limit, ok, unit, note="") -> dict:
    return {
        "floor": name,
        "measured": value,
        "limit": limit,
        "unit": unit,
        "pass": ok,
        "note": note,
    }


def floors(res: dict) -> list[dict]:
    """Every floor that the measured runs can answer, in the order of the issues."""
    runs = res.get("runs", {})
    rows = []
    rows += _tantivy_1000x(runs.get("1000x-tantivy"))
    rows += _side_by_side(res.get("side_by_side", {}).get("100"))
    whoosh = runs.get("100x-whoosh", {}).get("queries")
    if whoosh:
        v = whoosh["phrase_and_relaxed"]["p95_ms"]
        rows.append(
            _row(
                "Whoosh engine, 100x: phrase+relaxed p95 (count+facets) ≤ 250 ms",
                v,
                250,
                v <= 250,
                "ms",
            )
        )
    one = runs.get("1x-whoosh", {}).get("build")
    if one:
        rows.append(
            _row(
                "Whoosh engine: full build of 1x < 30 s",
                one["seconds"],
                30,
                one["seconds"] < 30,
                "s",
            )
        )
    return rows


def _tantivy_1000x(run: dict | None) -> list[dict]:
    if not run:
        return []
    rows = []
    b = run.get("build")
    if b:
        rows.append(_row("tantivy 1000x: full build end to end ≤ 20 min", b["seconds"], 1200, b["seconds"] <= 1200,
                         "s", f"{b['chars_per_s']:,} chars/s"))  # fmt: skip
    q = run.get("queries")
    if q:
        a = q["all"]
        rows.append(
            _row(
                "tantivy 1000x: `search()` p50 ≤ 60 ms (whole mix)",
                a["p50_ms"],
                60,
                a["p50_ms"] <= 60,
                "ms",
            )
        )
        rows.append(
            _row(
                "tantivy 1000x: `search()` p95 ≤ 250 ms (whole mix)",
                a["p95_ms"],
                250,
                a["p95_ms"] <= 250,
                "ms",
            )
        )
        r = q["rare"]["p95_ms"]
        rows.append(_row("tantivy 1000x: rare phrases ≤ 15 ms (p95)", r, RARE_LIMIT_MS, r <= RARE_LIMIT_MS, "ms",
                         f"p50 {q['rare']['p50_ms']} ms"))  # fmt: skip
    ld = run.get("served", {}).get("load")
    if ld:
        ok = ld["errors"] == 0 and ld["rps"] >= 15 and ld["p95_ms"] <= 1500
        rows.append(_row("tantivy 1000x, 8 clients 60 s: 0 errors, ≥ 15 req/s, p95 ≤ 1.5 s", ld["p95_ms"], 1500, ok,
                         "ms", f"{ld['errors']} errors, {ld['rps']} req/s, {ld['requests']} requests"))  # fmt: skip
        mem = run["served"].get("mem_after_load", {})
        if "RssAnon" in mem:
            v = mem["RssAnon"]
            rows.append(_row("tantivy 1000x: serving RssAnon after the load ≤ 500 MB", v, 500 / 1.048576, v <= 500 / 1.048576,
                             "MiB", f"VmRSS {mem.get('VmRSS')} MiB, RssFile {mem.get('RssFile')} MiB"))  # fmt: skip
    inc = run.get("incremental", {}).get("add")
    if inc:
        v = inc["searchable_seconds"]
        rows.append(_row("tantivy 1000x: one report added, `govsearch index` start to searchable ≤ 2 s", v, 2,
                         v <= 2 and inc["visible"], "s", f"`govsearch index` {inc['cli_seconds']} s"))  # fmt: skip
    return rows


def _side_by_side(sbs: dict | None) -> list[dict]:
    if not sbs or "tantivy" not in sbs or "whoosh" not in sbs:
        return []
    t, w = sbs["tantivy"]["all"]["p95_ms"], sbs["whoosh"]["all"]["p95_ms"]
    ratio = t / w
    return [_row("100x side by side: tantivy p95 ≤ 1/5 of Whoosh p95 (whole mix)", round(ratio, 3), 0.2, ratio <= 0.2,
                 "×", f"tantivy {t} ms, Whoosh {w} ms")]  # fmt: skip
