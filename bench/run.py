"""All govsearch benchmarks in one run; writes docs/BENCHMARKS.md and bench/results.json.

Usage (from the repository root):

  .venv/bin/python bench/run.py --quick                  # 1x only, few repetitions, ~3-4 min;
                                                         # writes bench/out/quick.{md,json}
  .venv/bin/python bench/run.py --scales 1,10,100 --profile   # the full run (~1 h with the
                                                         # 100x build); writes the docs
  .venv/bin/python bench/run.py --scales 1,10,100 --profile --reuse-builds
        # reuse a full build recorded in bench/out/build-<N>x.json if it was made by the
        # same indexing code (source hash of indexer/*.py); start a long one beforehand with
        #   nohup .venv/bin/python bench/buildjob.py bench/out/corpus-100x bench/out/index-100x \
        #         --json bench/out/build-100x.json > bench/out/build-100x.log 2>&1 &

Per scale N (corpora from bench/scale.py in bench/out/corpus-Nx):
  build        full build in a subprocess (bench/buildjob.py): seconds, chars/s, reports/s,
               peak RSS, index size on disk
  incremental  `govsearch index <folder>` after adding / changing / removing one report,
               then a search through an already-warm Library that sees the change
  queries      in-process search() latency of the mix in bench/queries.py (total + facets +
               first page every time; nothing cached by the benchmark)
  http         the same mix over HTTP (GET /api/search, sequential) against `govsearch serve`
  load         8 client threads for 30 s on /api/search and /search (10x and up; --quick: 1x)
  memory       server VmRSS/VmHWM after warm-up and after load
  baseline     (1x, 10x) Whoosh + jieba ChineseAnalyzer over the same paragraphs: build time,
               latency, recall of 40 phrases vs exact ground truth, next to ours
  profile      (--profile) cProfile of the 10x build and of the slowest queries at the top scale
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from importlib import metadata as md
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
PY = ROOT / ".venv" / "bin" / "python"
GOVSEARCH = ROOT / ".venv" / "bin" / "govsearch"
sys.path.insert(0, str(BENCH))

import baseline  # noqa: E402
import buildjob  # noqa: E402
import scale  # noqa: E402
from load import percentile, run_load  # noqa: E402
from queries import FLOOR_CATEGORIES, MIX, phrases, url  # noqa: E402

MARKER_1 = "鑫淼焱垚一号"
MARKER_2 = "鑫淼焱垚二号"
NEW_FILE = "zz_bench_new_report.txt"
MIB = 1024 * 1024


def log(*args) -> None:
    print(time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


# -- machine ----------------------------------------------------------------------------------
def machine_info() -> dict:
    cpu = ""
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    versions = {}
    for name in ("whoosh-reloaded", "jieba", "opencc", "flask", "waitress", "govsearch"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = "?"

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=20).stdout.strip()  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            return ""

    dirty = git("status", "--porcelain", "--", "indexer", "webapp")
    return {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "nproc": os.cpu_count(),
        "mem_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "git_head": git("rev-parse", "--short", "HEAD"),
        "git_dirty_files": len(dirty.splitlines()),
        "indexer_source_hash": buildjob.source_hash(),
        "loadavg_start": os.getloadavg(),
    }


def proc_mem(pid: int | str = "self") -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MiB."""
    out = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(("VmRSS", "VmHWM")):
                key, value = line.split(":", 1)
                out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def summarize(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "p99_ms": round(percentile(samples, 99), 2),
        "max_ms": round(max(samples), 2) if samples else None,
    }


# -- build ------------------------------------------------------------------------------------
def ensure_corpus(n: int) -> Path:
    folder = OUT / f"corpus-{n}x"
    expected = 32 * n
    if not folder.is_dir() or sum(1 for p in folder.glob("*.txt")) != expected:
        log(f"building scaled corpus {n}x")
        scale.build_scaled(n, OUT)
    return folder


def measure_build(n: int, folder: Path, reuse: bool, reuse_stale: bool) -> dict:
    index_dir = OUT / f"index-{n}x"
    record = OUT / f"build-{n}x.json"
    current = buildjob.source_hash()
    if reuse and record.is_file() and (index_dir / "current").is_symlink():
        data = json.loads(record.read_text())
        if data.get("source_hash") == current or reuse_stale:
            log(f"{n}x: reusing recorded build from {data.get('finished_at')}")
            data["reused"] = True
            data["stale"] = data.get("source_hash") != current
            return _with_rates(data, folder)
        log(f"{n}x: recorded build is from other indexing code; rebuilding")
    log(f"{n}x: full build")
    t0 = time.perf_counter()
    proc = subprocess.run([str(PY), str(BENCH / "buildjob.py"), str(folder), str(index_dir),
                           "--json", str(record)], cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"build failed: {proc.stderr[-2000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["process_wall_seconds"] = round(wall, 3)
    data["reused"] = False
    return _with_rates(data, folder)


def _with_rates(data: dict, folder: Path) -> dict:
    stats = scale.corpus_stats(folder)
    data["corpus_chars"] = stats["chars"]
    data["corpus_files"] = stats["files"]
    data["chars_per_s"] = round(stats["chars"] / data["seconds"])
    data["reports_per_s"] = round(stats["files"] / data["seconds"], 2)
    data["index_mib"] = round(data["index_bytes"] / MIB, 1)
    return data


# -- incremental ------------------------------------------------------------------------------
def _new_report_text() -> str:
    """A real report with one marker paragraph inserted mid-body."""
    src = ROOT / "corpus" / "2026_西藏自治区_政府工作报告.txt"
    lines = src.read_text(encoding="utf-8").splitlines()
    mid = len(lines) // 2
    marker = f"本段为基准测试插入的新段落，标记词{MARKER_1}，用于测量增量索引后多久可以检索到。"
    return "\n".join(lines[:mid] + [marker] + lines[mid:]) + "\n"


def _cli_index(folder: Path, index_dir: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([str(GOVSEARCH), "index", str(folder), "--index-dir", str(index_dir)],
                          cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"govsearch index failed: {proc.stderr[-2000:]}")
    return time.perf_counter() - t0


def measure_incremental(folder: Path, index_dir: Path, lib, profile: bool) -> dict:
    """Add, change, remove one report; seconds until a warm Library's search sees it."""
    from indexer.query import SearchRequest, search

    def total(q: str) -> int:
        return search(lib, SearchRequest.from_args({"q": f'"{q}"'})).total

    new = folder / NEW_FILE
    out: dict = {}
    lib.corpus()  # warm
    try:
        for step in ("noop", "add", "change", "remove"):
            if step == "add":
                new.write_text(_new_report_text(), encoding="utf-8")
                want = (MARKER_1, 1)
            elif step == "change":
                new.write_text(_new_report_text().replace(MARKER_1, MARKER_2), encoding="utf-8")
                want = (MARKER_2, 1)
            elif step == "remove":
                new.unlink()
                want = (MARKER_2, 0)
            else:
                want = None
            t0 = time.perf_counter()
            cli = _cli_index(folder, index_dir)
            t1 = time.perf_counter()
            seen = None
            if want:
                seen = total(want[0])
                if step == "change" and total(MARKER_1) != 0:
                    seen = -1
            t2 = time.perf_counter()
            ok = want is None or seen == want[1]
            out[step] = {"cli_seconds": round(cli, 3), "reload_and_search_seconds": round(t2 - t1, 3),
                         "searchable_seconds": round(t2 - t0, 3), "visible": ok}  # fmt: skip
            log(f"  incremental {step}: {out[step]}")
        if profile:
            out["profile"] = _profile_incremental(folder, index_dir, lib)
    finally:
        if new.exists():
            new.unlink()
            _cli_index(folder, index_dir)
    return out


def _profile_incremental(folder: Path, index_dir: Path, lib) -> dict:
    """cProfile of one in-process add (index_paths + Library reload + search), then undo."""
    from indexer.build import index_paths
    from indexer.engine import Engine
    from indexer.query import SearchRequest, search

    new = folder / NEW_FILE
    new.write_text(_new_report_text(), encoding="utf-8")
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    index_paths([folder], Engine(index_dir))
    t1 = time.perf_counter()
    search(lib, SearchRequest.from_args({"q": MARKER_1}))
    prof.disable()
    t2 = time.perf_counter()
    new.unlink()
    index_paths([folder], Engine(index_dir))
    lib.corpus()
    return {"index_paths_seconds": round(t1 - t0, 3), "reload_search_seconds": round(t2 - t1, 3),
            "top": top_functions(prof)}  # fmt: skip


# -- queries ----------------------------------------------------------------------------------
def measure_queries(lib, reps: int) -> dict:
    from indexer.query import SearchRequest, search

    requests = [(name, cat, SearchRequest.from_args(params)) for name, cat, params in MIX]
    info = {}
    for name, _cat, req in requests:  # warm-up pass (jieba dictionary, normalization tables)
        r = search(lib, req)
        info[name] = {"mode": r.mode, "total": r.total}
    samples: dict[str, list[float]] = {name: [] for name, _, _ in requests}
    cpu: dict[str, list[float]] = {name: [] for name, _, _ in requests}
    for _ in range(reps):
        for name, _cat, req in requests:
            c0 = time.thread_time()
            t0 = time.perf_counter()
            r = search(lib, req)
            samples[name].append((time.perf_counter() - t0) * 1000)
            cpu[name].append((time.thread_time() - c0) * 1000)
            assert r.total == info[name]["total"]
    report = _latency_report(samples, info)
    cpu_report = _latency_report(cpu)
    report["cpu"] = {
        "all": cpu_report["all"],
        "phrase_and_relaxed": cpu_report["phrase_and_relaxed"],
    }
    return report


def _latency_report(samples: dict[str, list[float]], info: dict | None = None) -> dict:
    cats = {name: cat for name, cat, _ in MIX}
    per = {name: {**summarize(v), "category": cats[name], **((info or {}).get(name, {}))}
           for name, v in samples.items()}  # fmt: skip
    every = [x for v in samples.values() for x in v]
    floor = [x for name, v in samples.items() if cats[name] in FLOOR_CATEGORIES for x in v]
    by_cat = {}
    for cat in dict.fromkeys(cats.values()):
        by_cat[cat] = summarize([x for n, v in samples.items() if cats[n] == cat for x in v])
    return {"all": summarize(every), "phrase_and_relaxed": summarize(floor),
            "by_category": by_cat, "by_query": per}  # fmt: skip


# -- server -----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(index_dir: Path, tag: str):
    port = free_port()
    logf = open(OUT / f"serve-{tag}.log", "w")  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen([str(GOVSEARCH), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--threads", "8", "--index-dir", str(index_dir)],
                            cwd=ROOT, stdout=logf, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        t0 = time.perf_counter()
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited early, see {logf.name}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=900) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
            if time.perf_counter() - t0 > 1200:
                raise RuntimeError("server did not become ready")
        ready = time.perf_counter() - t0
        yield {"port": port, "pid": proc.pid, "ready_seconds": round(ready, 2)}
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        logf.close()


def measure_http(port: int, reps: int) -> dict:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    targets = [(name, url("/api/search", params)) for name, _, params in MIX]

    def get(target: str) -> int:
        conn.request("GET", target)
        resp = conn.getresponse()
        resp.read()
        return resp.status

    for _, target in targets:  # warm-up
        get(target)
        get(target.replace("/api/search", "/search"))
    samples: dict[str, list[float]] = {name: [] for name, _ in targets}
    errors = 0
    for _ in range(reps):
        for name, target in targets:
            t0 = time.perf_counter()
            status = get(target)
            samples[name].append((time.perf_counter() - t0) * 1000)
            errors += status != 200
    conn.close()
    report = _latency_report(samples)
    report["errors"] = errors
    return report


def measure_served(n: int, index_dir: Path, http_reps: int, load_seconds: float | None,
                   clients: int) -> dict:  # fmt: skip
    out: dict = {}
    with server(index_dir, f"{n}x") as srv:
        out["ready_seconds"] = srv["ready_seconds"]
        out["mem_ready"] = proc_mem(srv["pid"])
        log(f"{n}x: server ready in {srv['ready_seconds']} s, {out['mem_ready']}")
        out["http"] = measure_http(srv["port"], http_reps)
        out["mem_after_warmup"] = proc_mem(srv["pid"])
        log(f"{n}x: http p95 {out['http']['all']['p95_ms']} ms, {out['mem_after_warmup']}")
        if load_seconds:
            out["load"] = run_load("127.0.0.1", srv["port"], clients, load_seconds)
            out["mem_after_load"] = proc_mem(srv["pid"])
            log(f"{n}x: load {out['load']['rps']} req/s p95 {out['load']['p95_ms']} ms "
                f"errors {out['load']['errors']}, {out['mem_after_load']}")  # fmt: skip
    return out


# -- baseline ---------------------------------------------------------------------------------
def measure_baseline(n: int, index_dir: Path, lib, reps: int) -> dict:
    from indexer.normalize import normalize
    from indexer.query import SearchRequest, search

    out_dir = OUT / f"baseline-{n}x"
    log(f"{n}x: baseline build")
    proc = subprocess.run([str(PY), str(BENCH / "baseline.py"), "build", str(index_dir),
                           str(out_dir)], cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"baseline build failed: {proc.stderr[-2000:]}")
    build = json.loads(proc.stdout.strip().splitlines()[-1])
    build["chars_per_s"] = round(build["chars"] / build["seconds"])
    build["index_mib"] = round(build["index_bytes"] / MIB, 1)

    corpus = lib.corpus()
    keys = [(v.report.id, p.number) for v in corpus.views for p in v.report.paragraphs]
    norms = [normalize(p.text) for v in corpus.views for p in v.report.paragraphs]
    base = baseline.Baseline(out_dir)
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
    sum_truth = sum_base = sum_ours = 0
    for p in phrases():
        norm = normalize(p)
        truth = {k for k, t in zip(keys, norms, strict=True) if norm in t}
        count, results = base.query(p)
        found = base.found(results)
        ours = _our_hits(lib, p, len(truth))
        rows.append({"phrase": p, "truth": len(truth), "baseline_count": count,
                     "baseline_true_hits": len(found & truth), "ours_total": ours[0],
                     "ours_true_hits": len(ours[1] & truth)})  # fmt: skip
        sum_truth += len(truth)
        sum_base += len(found & truth)
        sum_ours += len(ours[1] & truth)
    base.close()
    macro = lambda key: round(  # noqa: E731
        sum(r[key] / r["truth"] for r in rows if r["truth"]) / len(rows) * 100, 1
    )
    return {
        "build": build,
        "latency_baseline": summarize(base_ms),
        "latency_ours": summarize(ours_ms),
        "recall_baseline_pct": round(sum_base / sum_truth * 100, 1),
        "recall_ours_pct": round(sum_ours / sum_truth * 100, 1),
        "recall_baseline_macro_pct": macro("baseline_true_hits"),
        "recall_ours_macro_pct": macro("ours_true_hits"),
        "precision_baseline_pct": round(sum_base / max(1, sum(r["baseline_count"] for r in rows)) * 100, 1),
        "phrases": rows,
    }  # fmt: skip


def _our_hits(lib, phrase: str, expected: int) -> tuple[int, set]:
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


# -- profiles ---------------------------------------------------------------------------------
def top_functions(prof: cProfile.Profile, limit: int = 15) -> dict:
    text = {}
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.strip_dirs().sort_stats(key).print_stats(limit)
        lines = buf.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        text[key] = "\n".join(line.rstrip() for line in lines[start:] if line.strip())
        if key == "tottime":
            text["total_seconds"] = round(stats.total_tt, 3)
    return text


def profile_build(n: int, folder: Path) -> dict:
    log(f"{n}x: profiled build")
    prof_file = OUT / f"build-{n}x.prof"
    index_dir = OUT / f"index-{n}x-profiled"
    proc = subprocess.run([str(PY), str(BENCH / "buildjob.py"), str(folder), str(index_dir),
                           "--profile", str(prof_file)], cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    shutil.rmtree(index_dir, ignore_errors=True)
    out = {}
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        stats = pstats.Stats(str(prof_file), stream=buf)
        stats.strip_dirs().sort_stats(key).print_stats(25)
        lines = buf.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        out[key] = "\n".join(line.rstrip() for line in lines[start:] if line.strip())
        out["total_seconds"] = round(stats.total_tt, 3)
    return out


def profile_queries(lib, queries: dict, count: int = 3, reps: int = 3) -> list[dict]:
    from indexer.query import SearchRequest, search

    slowest = sorted(queries["by_query"].items(), key=lambda kv: -kv[1]["p50_ms"])[:count]
    params = {name: p for name, _, p in MIX}
    out = []
    for name, stats in slowest:
        req = SearchRequest.from_args(params[name])
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(reps):
            search(lib, req)
        prof.disable()
        out.append({"query": name, "p50_ms": stats["p50_ms"], "reps": reps,
                    "top": top_functions(prof)})  # fmt: skip
    return out


# -- floors -----------------------------------------------------------------------------------
def floors(res: dict) -> list[dict]:
    s = res["scales"]
    rows = []

    def add(name, value, limit, ok, unit, note=""):
        rows.append({"floor": name, "measured": value, "limit": limit, "unit": unit,
                     "pass": ok, "note": note})  # fmt: skip

    if "1" in s:
        v = s["1"]["build"]["seconds"]
        add("full build of 1x < 30 s", v, 30, v < 30, "s")
    if "10" in s and "baseline" in s["10"]:
        ours = s["10"]["build"]["chars_per_s"]
        base = s["10"]["baseline"]["build"]["chars_per_s"]
        add(
            "build throughput at 10x >= baseline's",
            ours,
            base,
            ours >= base,
            "chars/s",
            f"ours/baseline = {ours / base:.2f}",
        )
    big = max((int(k) for k in s), default=None)
    if big and "incremental" in s[str(big)]:
        inc = s[str(big)]["incremental"]
        v = max(inc["add"]["searchable_seconds"], inc["change"]["searchable_seconds"])
        ok = v <= 3 and inc["add"]["visible"] and inc["change"]["visible"]
        add(f"added/changed report searchable within 3 s at {big}x", v, 3, ok if big >= 100 else None, "s",
            "" if big >= 100 else "floor is stated for 100x")  # fmt: skip
    for n, limit in (("10", 60), ("100", 250)):
        if n in s and "queries" in s[n]:
            v = s[n]["queries"]["phrase_and_relaxed"]["p95_ms"]
            add(f"{n}x phrase+relaxed p95 (count+facets) <= {limit} ms", v, limit, v <= limit, "ms")
    if "10" in s and "load" in s["10"].get("served", {}):
        ld = s["10"]["served"]["load"]
        add(
            "10x, 8 clients: no errors, p95 <= 500 ms",
            ld["p95_ms"],
            500,
            ld["errors"] == 0 and ld["p95_ms"] <= 500,
            "ms",
            f"{ld['errors']} errors, {ld['rps']} req/s",
        )
    if "100" in s and "served" in s["100"]:
        sv = s["100"]["served"]
        peak = max(m.get("VmHWM", 0) for k, m in sv.items() if k.startswith("mem_"))
        add(
            "server memory at 100x < 1.5 GB (1536 MiB)",
            peak,
            1536,
            peak < 1536,
            "MiB",
            f"VmRSS after warm-up {sv['mem_after_warmup']['VmRSS']} MiB; peak = VmHWM",
        )
    return rows


# -- markdown ---------------------------------------------------------------------------------
def _f(x, digits=1):
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _workers(b: dict) -> str:
    w = b.get("workers_peak_rss_mib")
    return f" ({_f(w)})" if w else ""


def render(res: dict, commands: str, notes: str) -> str:
    m = res["machine"]
    s = res["scales"]
    L = ["# Benchmarks", "", "Generated by `bench/run.py` from one run; every figure below was "
         "measured on the machine described here. Latencies are wall-clock milliseconds; "
         "p50/p95/p99 are nearest-rank percentiles over all samples.", "",
         "## How to run", "", commands, "",
         "## Machine and software", "",
         f"- date: {m['date']} (run took {res.get('run_minutes', '?')} min)",
         f"- CPU: {m['cpu']}, `nproc` = {m['nproc']}; memory {m['mem_gib']} GiB; "
         f"load average at start {tuple(round(x, 2) for x in m['loadavg_start'])} "
         "(a shared machine: see the conditions and caveats below)",
         f"- Python {m['python']} on {m['platform']}",
         "- " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
         f"- code: git {m['git_head']} plus {m['git_dirty_files']} uncommitted files under "
         f"indexer/ and webapp/; indexing-code hash {m['indexer_source_hash']}",
         f"- this run measured scales {m.get('scales')}"]  # fmt: skip
    for e in res.get("earlier_runs", []):
        L.append(
            f"- merged from an earlier run: scales {e.get('scales')} on {e['date']} "
            f"({e.get('run_minutes')} min, load average at start "
            f"{tuple(round(x, 2) for x in e['loadavg_start'])}, git {e['git_head']} + "
            f"{e['git_dirty_files']} uncommitted files, indexing-code hash {e['indexer_source_hash']})"
        )
    L.append("")
    L += ["## Floors", "", "| floor | measured | limit | result |", "|---|---|---|---|"]
    for r in res["floors"]:
        verdict = "n/a" if r["pass"] is None else ("**PASS**" if r["pass"] else "**FAIL**")
        if r["pass"] is not None and r["limit"]:
            ratio = r["measured"] / r["limit"]
            verdict += f" ({ratio:.2f}× the limit)"
        note = f" — {r['note']}" if r["note"] else ""
        L.append(f"| {r['floor']} | {_f(r['measured'])} {r['unit']} | {_f(r['limit'])} {r['unit']} "
                 f"| {verdict}{note} |")  # fmt: skip
    L += ["", "## Full builds", "",
          "| scale | reports | paragraphs | characters | build s (wall) | CPU s (incl. workers) | chars/s | reports/s | peak RSS MiB: main process (largest worker) | index MiB |",
          "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for n, d in s.items():
        b = d.get("build")
        if b:
            flag = " (reused†)" if b.get("reused") else ""
            L.append(f"| {n}x{flag} | {_f(b['reports'])} | {_f(b['paragraphs'])} | {_f(b['corpus_chars'])} "
                     f"| {_f(b['seconds'])} | {_f(b.get('cpu_seconds'))} | {_f(b['chars_per_s'])} | {_f(b['reports_per_s'])} "
                     f"| {_f(b['peak_rss_mib'])}{_workers(b)} | {_f(b['index_mib'])} |")  # fmt: skip
    if any(d.get("build", {}).get("reused") for d in s.values()):
        L += [
            "",
            "† built by `bench/buildjob.py` before this run, recorded in `bench/out/build-<N>x.json`.",
        ]
        for n, d in s.items():
            b = d.get("build", {})
            if b.get("reused"):
                L.append(f"{n}x: indexing-code hash {b.get('source_hash')}"
                         f"{' (differs from the code measured here)' if b.get('stale') else ''}; {b.get('note', '')}")  # fmt: skip
    for n, d in s.items():
        rr = d.get("build", {}).get("rerun_with_workers")
        if rr:
            L.append(f"\n{n}x re-run of `bench/buildjob.py` at {rr['finished_at']} counting worker processes: "
                     f"{_f(rr['seconds'])} s wall, {_f(rr['cpu_seconds'])} CPU-s "
                     f"(main process {_f(rr['parent_cpu_seconds'])}), largest worker {_f(rr['workers_peak_rss_mib'])} MiB, "
                     f"main process {_f(rr['peak_rss_mib'])} MiB.")  # fmt: skip
    L += ["", "## Incremental updates (one report)", "",
          "`govsearch index <scaled folder>` as a subprocess (process start, scanning and hashing every "
          "file, indexing what changed, commit), then a search through a Library that was already "
          "loaded (it reloads the changed generation, as the server does on its next request).", "",
          "| scale | step | `govsearch index` s | reload + search s | searchable after s | seen |",
          "|---|---|---|---|---|---|"]  # fmt: skip
    for n, d in s.items():
        for step, v in d.get("incremental", {}).items():
            if step == "profile":
                continue
            L.append(f"| {n}x | {step} | {_f(v['cli_seconds'], 2)} | {_f(v['reload_and_search_seconds'], 2)} "
                     f"| {_f(v['searchable_seconds'], 2)} | {'yes' if v['visible'] else 'NO'} |")  # fmt: skip
    L += ["", "## Query latency in-process (`search()`: total + facets + first page of 20)", ""]
    L += ["| scale | library load s | RSS after load MiB | all p50 / p95 / p99 ms | phrase+relaxed p50 / p95 / p99 ms | CPU ms: all p50 / p95; phrase+relaxed p95 |",
          "|---|---|---|---|---|---|"]  # fmt: skip
    for n, d in s.items():
        q = d.get("queries")
        if q:
            a, f = q["all"], q["phrase_and_relaxed"]
            L.append(f"| {n}x | {_f(d['library_load_seconds'], 2)} | {_f(d['library_rss_mib'])} "
                     f"| {_f(a['p50_ms'])} / {_f(a['p95_ms'])} / {_f(a['p99_ms'])} "
                     f"| {_f(f['p50_ms'])} / {_f(f['p95_ms'])} / {_f(f['p99_ms'])} "
                     f"| {_f(q['cpu']['all']['p50_ms'])} / {_f(q['cpu']['all']['p95_ms'])}; {_f(q['cpu']['phrase_and_relaxed']['p95_ms'])} |")  # fmt: skip
    scales_q = [n for n, d in s.items() if d.get("queries")]
    if scales_q:
        L += ["", "Per query: median (p95) ms and hits; mode is exact unless marked.", "",
              "| query | category | " + " | ".join(f"{n}x" for n in scales_q) + " |",
              "|---|---|" + "---|" * len(scales_q)]  # fmt: skip
        for name, cat, _ in MIX:
            cells = []
            for n in scales_q:
                v = s[n]["queries"]["by_query"][name]
                mode = "" if v.get("mode") == "exact" else f" {v.get('mode')}"
                cells.append(f"{_f(v['p50_ms'])} ({_f(v['p95_ms'])}) · {_f(v.get('total'))}{mode}")
            L.append(f"| {name} | {cat} | " + " | ".join(cells) + " |")
    L += ["", "## Over HTTP (`govsearch serve`, waitress, 8 threads, loopback)", "",
          "| scale | ready s | sequential /api/search p50 / p95 / p99 ms | errors | load: clients × s | req/s | p50 / p95 / p99 ms | errors | RSS after warm-up MiB | peak RSS (VmHWM) MiB |",
          "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for n, d in s.items():
        sv = d.get("served")
        if not sv:
            continue
        h = sv["http"]["all"]
        ld = sv.get("load")
        peak = max(mm.get("VmHWM", 0) for k, mm in sv.items() if k.startswith("mem_"))
        load_cells = (f"{ld['clients']} × {_f(ld['seconds'])} | {_f(ld['rps'])} | {_f(ld['p50_ms'])} / "
                      f"{_f(ld['p95_ms'])} / {_f(ld['p99_ms'])} | {ld['errors']}") if ld else "— | — | — | —"  # fmt: skip
        L.append(f"| {n}x | {_f(sv['ready_seconds'])} | {_f(h['p50_ms'])} / {_f(h['p95_ms'])} / {_f(h['p99_ms'])} "
                 f"| {sv['http']['errors']} | {load_cells} | {_f(sv['mem_after_warmup']['VmRSS'])} | {_f(peak)} |")  # fmt: skip
    for n, d in s.items():
        ld = d.get("served", {}).get("load")
        if ld:
            L.append(f"\n{n}x load by path: " + "; ".join(
                f"`{p}` {v['requests']} requests, p50 {_f(v['p50_ms'])} ms, p95 {_f(v['p95_ms'])} ms"
                for p, v in ld["by_path"].items()))  # fmt: skip
    bl = [(n, d["baseline"]) for n, d in s.items() if d.get("baseline")]
    if bl:
        L += ["", "## Tutorial baseline: Whoosh + jieba `ChineseAnalyzer`, one document per paragraph", "",
              "Same paragraphs as ours (read back from our index), text as written. Query: "
              "`QueryParser('content').parse(phrase)`, `search(limit=20)`, `len(results)`. 40 phrases "
              "(20 Simplified + their Traditional forms, `bench/queries.py`). Ground truth: paragraphs "
              "whose normalized text contains the normalized phrase. Ours: `search()` with total, "
              "facets and first page. Baseline build time excludes reading and structuring files "
              "(it starts from paragraphs in memory); ours includes them.", "",
              "| scale | build s ours / baseline (ratio); CPU s ours / baseline | chars/s ours / baseline | index MiB ours / baseline | latency p50 ms ours / baseline (ratio) | p95 ms ours / baseline | recall ours / baseline (micro; macro) | baseline precision |",
              "|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for n, b in bl:
            ob = s[n]["build"]
            lo, lb = b["latency_ours"], b["latency_baseline"]
            L.append(f"| {n}x | {_f(ob['seconds'])} / {_f(b['build']['seconds'])} ({ob['seconds'] / b['build']['seconds']:.2f}); "
                     f"{_f(ob.get('cpu_seconds'))} / {_f(b['build'].get('cpu_seconds'))} "
                     f"| {_f(ob['chars_per_s'])} / {_f(b['build']['chars_per_s'])} "
                     f"| {_f(ob['index_mib'])} / {_f(b['build']['index_mib'])} "
                     f"| {_f(lo['p50_ms'], 2)} / {_f(lb['p50_ms'], 2)} ({lo['p50_ms'] / lb['p50_ms']:.2f}) "
                     f"| {_f(lo['p95_ms'], 2)} / {_f(lb['p95_ms'], 2)} "
                     f"| {b['recall_ours_pct']}% / {b['recall_baseline_pct']}% ({b['recall_ours_macro_pct']}% / {b['recall_baseline_macro_pct']}%) "
                     f"| {b['precision_baseline_pct']}% |")  # fmt: skip
        n0, b0 = bl[-1]
        L += ["", f"Per phrase at {n0}x (ground truth / baseline true hits of its count / ours):", "",
              "| phrase | truth | baseline | ours | phrase | truth | baseline | ours |", "|---|---|---|---|---|---|---|---|"]  # fmt: skip
        half = len(b0["phrases"]) // 2
        for r1, r2 in zip(b0["phrases"][:half], b0["phrases"][half:], strict=False):
            L.append(" | ".join(["", r1["phrase"], str(r1["truth"]), f"{r1['baseline_true_hits']} of {r1['baseline_count']}",
                                 str(r1["ours_true_hits"]), r2["phrase"], str(r2["truth"]),
                                 f"{r2['baseline_true_hits']} of {r2['baseline_count']}", str(r2["ours_true_hits"]), ""]).strip())  # fmt: skip
    L += ["", "## Reference figures from the issue (other machine, for context only)", "",
          "11k paragraphs / 1.7M chars vs 227k paragraphs / 34M chars; build / exact phrase query:", "",
          "| approach | small: build / query | large: build, memory / query |", "|---|---|---|",
          "| Whoosh bigram phrase | 16.4 s / 37 ms | 412 s, 1.3 GB / 720 ms |",
          "| pure-Python linear scan | — / 2.6 ms | — / 49 ms |",
          "| SQLite FTS5 trigram | 1.9 s / 22 ms | 32 s / 267 ms |",
          "| tantivy | 0.7 s / 0.2 ms | 12 s / 1.9 ms |"]  # fmt: skip
    prof = res.get("profiles", {})
    if prof:
        L += ["", "## Profiles (cProfile; raw top functions)", ""]
        if prof.get("build"):
            L += [f"### Full build at {prof['build_scale']}x (profiled total {prof['build']['total_seconds']} s)", "",
                  "By own time:", "", "```", prof["build"]["tottime"], "```", "", "By cumulative time:", "",
                  "```", prof["build"]["cumulative"], "```", ""]  # fmt: skip
        old = prof.get("build_single_process")
        if old:
            L += [f"### Full build at 10x with the earlier single-process writer (run of {old.get('date', '?')}; "
                  f"profiled total {old['total_seconds']} s)", "",
                  "The multiprocessing writer (1989b72) analyses documents in worker processes, which "
                  "cProfile in the main process does not see; this earlier profile shows where that work goes.", "",
                  "By own time:", "", "```", old["tottime"], "```", "", "By cumulative time:", "",
                  "```", old["cumulative"], "```", ""]  # fmt: skip
        for qn, qs in prof.get("queries_by_scale", {}).items():
            for q in qs:
                L += [f"### Query `{q['query']}` at {qn}x (p50 {q['p50_ms']} ms; {q['reps']} runs profiled)", "",
                      "```", q["top"]["tottime"], "```", "", "```", q["top"]["cumulative"], "```", ""]  # fmt: skip
        for inn, inc in prof.get("incremental_by_scale", {}).items():
            L += [f"### One added report at {inn}x, in-process (index_paths {inc['index_paths_seconds']} s, "
                  f"then Library reload + search {inc['reload_search_seconds']} s)", "",
                  "```", inc["top"]["cumulative"], "```", ""]  # fmt: skip
    if notes:
        L += ["", notes.strip(), ""]
    return "\n".join(L) + "\n"


COMMANDS = """```sh
.venv/bin/python bench/scale.py --scales 1,10,100        # scaled corpora in bench/out/ (run.py does it too)
.venv/bin/python bench/run.py --quick                     # smoke run: 1x, few repetitions, ~3-4 min
                                                          #   -> bench/out/quick.md, bench/out/quick.json
# full run: start the long 100x build first (it is reused if the indexing code is unchanged)
nohup .venv/bin/python bench/buildjob.py bench/out/corpus-100x bench/out/index-100x \\
      --json bench/out/build-100x.json > bench/out/build-100x.log 2>&1 &
.venv/bin/python bench/run.py --scales 1,10,100 --profile --reuse-builds
                                                          #   -> docs/BENCHMARKS.md, bench/results.json
.venv/bin/python bench/run.py --render-only                # rewrite docs/BENCHMARKS.md from bench/results.json + bench/notes.md
.venv/bin/python bench/load.py --port PORT --clients 8 --seconds 30   # load alone, against a running server
.venv/bin/python bench/memprobe.py bench/out/index-100x   # RSS of opening a Snapshot / loading the Library
```

Everything runs against `127.0.0.1` only; work files go to `bench/out/` (gitignored). No extra
dependencies beyond the project's own (memory is read from `/proc` and `ru_maxrss`)."""


# -- main -------------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description="govsearch benchmarks")
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--quick", action="store_true", help="1x only, few repetitions")
    ap.add_argument("--reps", type=int, default=None, help="in-process repetitions of the mix")
    ap.add_argument("--load-seconds", type=float, default=30.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--reuse-builds", action="store_true")
    ap.add_argument(
        "--reuse-stale",
        action="store_true",
        help="reuse recorded builds even if the indexing code changed since",
    )
    ap.add_argument(
        "--merge",
        action="store_true",
        help="add these scales to the existing results file instead of starting anew",
    )
    ap.add_argument(
        "--render-only",
        action="store_true",
        help="rewrite the Markdown from the results file (e.g. after editing notes.md)",
    )
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--md", type=Path, default=None)
    args = ap.parse_args()
    quick = args.quick
    scales = [1] if quick else [int(x) for x in args.scales.split(",")]
    json_out = args.json or (OUT / "quick.json" if quick else BENCH / "results.json")
    md_out = args.md or (OUT / "quick.md" if quick else ROOT / "docs" / "BENCHMARKS.md")
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    res: dict = {"machine": machine_info(), "quick": quick, "scales": {}, "profiles": {}}
    if args.merge and json_out.is_file():
        old = json.loads(json_out.read_text(encoding="utf-8"))
        kept = [k for k in old["scales"] if int(k) not in scales]
        res["earlier_runs"] = [e for e in old.get("earlier_runs", [])
                               if any(int(k) not in scales for k in e.get("scales", []))]  # fmt: skip
        if any(int(k) not in scales for k in old["machine"].get("scales", kept)):
            res["earlier_runs"].append(
                {
                    **old["machine"],
                    "scales": old["machine"].get("scales", kept),
                    "run_minutes": old.get("run_minutes"),
                }  # fmt: skip
            )
        res["scales"] = {k: v for k, v in old["scales"].items() if int(k) not in scales}
        res["profiles"] = old.get("profiles", {})
        prof = res["profiles"]  # results written before profiles were keyed by scale
        if "queries" in prof:
            prof.setdefault("queries_by_scale", {})[str(prof.pop("query_scale", "?"))] = prof.pop(
                "queries"
            )
        if "incremental" in prof:
            prof.setdefault("incremental_by_scale", {})[str(prof.pop("incremental_scale", "?"))] = (
                prof.pop("incremental")
            )
    res["machine"]["scales"] = scales
    notes_file = BENCH / "notes.md"
    notes = notes_file.read_text(encoding="utf-8") if notes_file.is_file() and not quick else ""

    def save() -> None:
        res["run_minutes"] = round((time.perf_counter() - started) / 60, 1)
        res["scales"] = dict(sorted(res["scales"].items(), key=lambda kv: int(kv[0])))
        res["floors"] = floors(res)
        json_out.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        md_out.parent.mkdir(parents=True, exist_ok=True)
        try:
            md_out.write_text(render(res, COMMANDS, notes), encoding="utf-8")
        except Exception as exc:  # never lose a long run to a formatting bug
            log(f"render failed ({type(exc).__name__}: {exc}); results are in {json_out}")

    if args.render_only:
        res = json.loads(json_out.read_text(encoding="utf-8"))
        md_out.write_text(render(res, COMMANDS, notes), encoding="utf-8")
        log(f"rendered {md_out} from {json_out}")
        return

    from indexer.query import Library

    top = max(scales)
    for n in scales:
        d: dict = {}
        res["scales"][str(n)] = d
        folder = ensure_corpus(n)
        index_dir = OUT / f"index-{n}x"
        d["build"] = measure_build(n, folder, args.reuse_builds, args.reuse_stale)
        log(f"{n}x: build {d['build']['seconds']} s, peak {d['build']['peak_rss_mib']} MiB")
        save()
        rss0 = proc_mem()["VmRSS"]
        t0 = time.perf_counter()
        lib = Library(index_dir)
        lib.corpus()
        d["library_load_seconds"] = round(time.perf_counter() - t0, 2)
        d["library_rss_mib"] = round(proc_mem()["VmRSS"] - rss0, 1)
        d["incremental"] = measure_incremental(folder, index_dir, lib, args.profile and n == top)
        if "profile" in d["incremental"]:
            res["profiles"].setdefault("incremental_by_scale", {})[str(n)] = d["incremental"].pop(
                "profile"
            )
        save()
        reps = args.reps or (5 if quick else {1: 30, 10: 20}.get(n, 10))
        log(f"{n}x: queries x{reps}")
        d["queries"] = measure_queries(lib, reps)
        log(
            f"{n}x: all p95 {d['queries']['all']['p95_ms']} ms, phrase+relaxed p95 "
            f"{d['queries']['phrase_and_relaxed']['p95_ms']} ms"
        )
        save()
        if args.profile and n == top:
            res["profiles"].setdefault("queries_by_scale", {})[str(n)] = profile_queries(
                lib, d["queries"]
            )
            save()
        if n <= 10:
            d["baseline"] = measure_baseline(n, index_dir, lib, 3 if quick else 5)
            b = d["baseline"]
            log(f"{n}x: baseline build {b['build']['seconds']} s, recall ours {b['recall_ours_pct']}% "
                f"baseline {b['recall_baseline_pct']}%")  # fmt: skip
            save()
        del lib
        load_s = args.load_seconds if (n >= 10 or quick) else None
        if quick:
            load_s = min(load_s, 10.0)
        http_reps = 2 if quick else (5 if n >= 100 else 10)
        d["served"] = measure_served(n, index_dir, http_reps, load_s, args.clients)
        save()
    pn = 10 if 10 in scales else (1 if 1 in scales else None)
    if args.profile and pn:
        res["profiles"]["build_scale"] = pn
        res["profiles"]["build"] = profile_build(pn, ensure_corpus(pn))
    res["machine"]["loadavg_end"] = os.getloadavg()
    save()
    log(f"done in {res['run_minutes']} min -> {md_out}, {json_out}")


if __name__ == "__main__":
    main()
