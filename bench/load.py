"""A bounded HTTP load generator for a local govsearch server (loopback only).

N client threads, each with its own keep-alive connection, loop over the query mix
(bench/queries.py), alternating /api/search and /search, until ``seconds`` have passed or
``max_requests`` were sent in total. Refuses any host other than 127.0.0.1 / localhost.

Usage:  .venv/bin/python bench/load.py --port 8123 [--clients 8] [--seconds 30]
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import threading
import time

from queries import MIX, url

LOOPBACK = ("127.0.0.1", "localhost")
PATHS = ("/api/search", "/search")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of ``values``; nan if empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = math.ceil(q * len(ordered) / 100)  # the smallest value with q % of them at or below
    return ordered[max(0, min(len(ordered), rank) - 1)]


def get(conn: http.client.HTTPConnection, target: str) -> tuple[int, int]:
    """GET ``target``; return (status, body bytes)."""
    conn.request("GET", target, headers={"Accept-Encoding": "identity"})
    resp = conn.getresponse()
    body = resp.read()
    return resp.status, len(body)


def run_load(host: str, port: int, clients: int = 8, seconds: float = 30.0,
             max_requests: int = 50_000, paths=PATHS) -> dict:  # fmt: skip
    """Run the load; return throughput, latency percentiles (ms) and errors."""
    if host not in LOOPBACK:
        raise SystemExit("load.py only targets the loopback interface")
    targets = [url(p, params) for _, _, params in MIX for p in paths]
    lock = threading.Lock()
    sent = [0]
    lat: dict[str, list[float]] = {p: [] for p in paths}
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        j = i * 7
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    break
                sent[0] += 1
            target = targets[j % len(targets)]
            j += 1
            t0 = time.perf_counter()
            try:
                status, _ = get(conn, target)
                ok = status == 200
                err = f"HTTP {status} {target}"
            except (OSError, http.client.HTTPException) as exc:
                ok, err = False, f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                lat[target.split("?", 1)[0]].append(ms)
                if not ok:
                    errors.append(err)
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    elapsed = time.monotonic() - started
    every = [v for vs in lat.values() for v in vs]
    out = {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": len(every),
        "rps": round(len(every) / elapsed, 2) if elapsed else 0.0,
        "errors": len(errors),
        "error_samples": errors[:5],
        "p50_ms": round(percentile(every, 50), 1),
        "p95_ms": round(percentile(every, 95), 1),
        "p99_ms": round(percentile(every, 99), 1),
        "max_ms": round(max(every), 1) if every else None,
        "by_path": {
            p: {
                "requests": len(v),
                "p50_ms": round(percentile(v, 50), 1),
                "p95_ms": round(percentile(v, 95), 1),
            }  # fmt: skip
            for p, v in lat.items()
        },
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="bounded loopback load generator")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--max-requests", type=int, default=50_000)
    args = ap.parse_args()
    result = run_load(args.host, args.port, args.clients, args.seconds, args.max_requests)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
