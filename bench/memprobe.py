"""Where the server's memory goes: RSS after opening a Snapshot, listing reports, loading a Library.

Usage:  .venv/bin/python bench/memprobe.py bench/out/index-100x
"""

from __future__ import annotations

import sys
import time


def rss() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    from indexer.engine import Engine
    from indexer.query.library import Library

    index_dir = sys.argv[1]
    print(f"start: {rss()} MiB")
    t = time.perf_counter()
    snap = Engine(index_dir).snapshot()
    print(f"Snapshot opened: {rss()} MiB ({time.perf_counter() - t:.2f} s)")
    t = time.perf_counter()
    snap.reports()
    print(f"reports() listed: {rss()} MiB ({time.perf_counter() - t:.2f} s)")
    snap.close()
    print(f"Snapshot closed: {rss()} MiB")
    t = time.perf_counter()
    Library(index_dir).corpus()
    print(f"Library loaded (holds its own Snapshot): {rss()} MiB ({time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
