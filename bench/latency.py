"""In-process ``search()`` latency over the query mix (total + all facets + first page of 20).

``measure_queries`` times one engine; ``side_by_side`` times several engines in one process on
the same mix, alternating engine order every repetition so that the machine's noise falls on
both alike.
"""

from __future__ import annotations

import time

from common import profiled, summarize, top_functions
from queries import FLOOR_CATEGORIES, MIX

RARE = tuple(name for name, _, _ in MIX if name.startswith("rare "))


def _requests():
    from indexer.query import SearchRequest

    return [(name, SearchRequest.from_args(params)) for name, _, params in MIX]


def _warm(lib, requests) -> dict:
    """One untimed pass (jieba, normalization tables, caches of the searcher); totals and modes."""
    from indexer.query import search

    info = {}
    for name, req in requests:
        r = search(lib, req)
        info[name] = {"mode": r.mode, "total": r.total}
    return info


def _timed(lib, name, req, info, samples, cpu) -> None:
    from indexer.query import search

    c0 = time.thread_time()
    t0 = time.perf_counter()
    r = search(lib, req)
    samples[name].append((time.perf_counter() - t0) * 1000)
    cpu[name].append((time.thread_time() - c0) * 1000)
    if r.total != info[name]["total"]:
        raise AssertionError(f"{name}: total {r.total} != {info[name]['total']}")


def measure_queries(lib, reps: int) -> dict:
    """p50/p95/p99 per query, per category and overall for one Library."""
    return side_by_side({"engine": lib}, reps)["engine"]


def side_by_side(libs: dict[str, object], reps: int) -> dict[str, dict]:
    """The same mix on every Library in ``libs``, interleaved query by query."""
    requests = _requests()
    info = {kind: _warm(lib, requests) for kind, lib in libs.items()}
    samples = {kind: {name: [] for name, _ in requests} for kind in libs}
    cpu = {kind: {name: [] for name, _ in requests} for kind in libs}
    order = list(libs)
    for rep in range(reps):
        for name, req in requests:
            for kind in order if rep % 2 == 0 else reversed(order):
                _timed(libs[kind], name, req, info[kind], samples[kind], cpu[kind])
    out = {}
    for kind in libs:
        report = latency_report(samples[kind], info[kind])
        cpu_report = latency_report(cpu[kind])
        report["cpu"] = {
            "all": cpu_report["all"],
            "phrase_and_relaxed": cpu_report["phrase_and_relaxed"],
        }
        out[kind] = report
    return out


def latency_report(samples: dict[str, list[float]], info: dict | None = None) -> dict:
    """Summaries overall, for the floor categories, the rare phrases, per category, per query."""
    cats = {name: cat for name, cat, _ in MIX}
    per = {name: {**summarize(v), "category": cats[name], **((info or {}).get(name, {}))}
           for name, v in samples.items()}  # fmt: skip
    pick = lambda keep: [x for n, v in samples.items() if keep(n) for x in v]  # noqa: E731
    by_cat = {
        cat: summarize(pick(lambda n, c=cat: cats[n] == c)) for cat in dict.fromkeys(cats.values())
    }
    return {"all": summarize(pick(lambda n: True)),
            "phrase_and_relaxed": summarize(pick(lambda n: cats[n] in FLOOR_CATEGORIES)),
            "rare": summarize(pick(lambda n: n in RARE)),
            "by_category": by_cat, "by_query": per}  # fmt: skip


def profile_queries(lib, queries: dict, count: int = 3, reps: int = 3) -> list[dict]:
    """cProfile of the ``count`` slowest queries of a measured mix (by p50)."""
    from indexer.query import SearchRequest, search

    slowest = sorted(queries["by_query"].items(), key=lambda kv: -kv[1]["p50_ms"])[:count]
    params = {name: p for name, _, p in MIX}
    out = []
    for name, stats in slowest:
        req = SearchRequest.from_args(params[name])
        _, prof = profiled(lambda r=req: [search(lib, r) for _ in range(reps)])
        out.append(
            {"query": name, "p50_ms": stats["p50_ms"], "reps": reps, "top": top_functions(prof)}
        )
    return out
