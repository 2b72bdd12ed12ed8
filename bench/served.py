"""`govsearch serve` measured from outside: readiness, sequential HTTP latency, the load test
(bench/load.py) and the serving process's memory before and after."""

from __future__ import annotations

import contextlib
import http.client
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from common import GOVSEARCH, OUT, ROOT, log, proc_mem
from latency import latency_report
from load import run_load
from queries import MIX, url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(index_dir: Path, tag: str):
    """A `govsearch serve` on a free loopback port, stopped on exit; yields port, pid, ready s."""
    port = free_port()
    logf = open(OUT / f"serve-{tag}.log", "w")  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen([str(GOVSEARCH), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--threads", "8", "--index-dir", str(index_dir)],
                            cwd=ROOT, stdout=logf, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        yield {"port": port, "pid": proc.pid, "ready_seconds": _wait_ready(proc, port, logf.name)}
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        logf.close()


def _wait_ready(proc: subprocess.Popen, port: int, log_name: str) -> float:
    t0 = time.perf_counter()
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early, see {log_name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=900) as r:
                if r.status == 200:
                    return round(time.perf_counter() - t0, 2)
        except OSError:
            time.sleep(0.3)
        if time.perf_counter() - t0 > 1200:
            raise RuntimeError("server did not become ready")


def measure_http(port: int, reps: int) -> dict:
    """Sequential GET /api/search over the mix, one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    targets = [(name, url("/api/search", params)) for name, _, params in MIX]

    def get(target: str) -> int:
        conn.request("GET", target)
        resp = conn.getresponse()
        resp.read()
        return resp.status

    for _, target in targets:  # warm-up, both the JSON and the HTML view
        get(target)
        get(target.replace("/api/search", "/search"))
    samples: dict[str, list[float]] = {name: [] for name, _ in targets}
    errors = 0
    for _ in range(reps):
        for name, target in targets:
            t0 = time.perf_counter()
            errors += get(target) != 200
            samples[name].append((time.perf_counter() - t0) * 1000)
    conn.close()
    return {**latency_report(samples), "errors": errors}


def measure_served(kind: str, n: int, index_dir: Path, http_reps: int, load_seconds: float | None,
                   clients: int) -> dict:  # fmt: skip
    """Start a server on the index, measure it, stop it."""
    out: dict = {"engine": kind}
    tag = f"{n}x-{kind}"
    with server(index_dir, tag) as srv:
        out["ready_seconds"] = srv["ready_seconds"]
        out["mem_ready"] = proc_mem(srv["pid"])
        log(f"{tag}: server ready in {srv['ready_seconds']} s, {out['mem_ready']}")
        out["http"] = measure_http(srv["port"], http_reps)
        out["mem_after_warmup"] = proc_mem(srv["pid"])
        log(f"{tag}: http p95 {out['http']['all']['p95_ms']} ms, {out['mem_after_warmup']}")
        if load_seconds:
            out["load"] = run_load("127.0.0.1", srv["port"], clients, load_seconds)
            out["mem_after_load"] = proc_mem(srv["pid"])
            ld = out["load"]
            log(f"{tag}: load {ld['rps']} req/s p95 {ld['p95_ms']} ms errors {ld['errors']}, "
                f"{out['mem_after_load']}")  # fmt: skip
    return out
