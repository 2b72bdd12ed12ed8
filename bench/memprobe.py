"""Memory of opening an index: RSS after opening its store, listing reports, loading a searcher.

Usage:  .venv/bin/python bench/memprobe.py bench/out/index-100x-whoosh
"""

from __future__ import annotations

import sys
import time


def mem() -> str:
    """VmRSS and RssAnon of this process, in MiB."""
    values = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(("VmRSS", "RssAnon")):
                key, value = line.split(":", 1)
                values[key] = int(value.split()[0]) // 1024
    return f"VmRSS {values.get('VmRSS', 0)} MiB, RssAnon {values.get('RssAnon', 0)} MiB"


def main() -> None:
    from indexer.engines import open_engine
    from indexer.query import Library

    index_dir = sys.argv[1]
    print(f"start: {mem()}")
    t = time.perf_counter()
    store = open_engine(index_dir).snapshot()
    print(f"store opened: {mem()} ({time.perf_counter() - t:.2f} s)")
    t = time.perf_counter()
    store.reports()
    print(f"reports() listed: {mem()} ({time.perf_counter() - t:.2f} s)")
    store.close()
    print(f"store closed: {mem()}")
    t = time.perf_counter()
    Library(index_dir).searcher()
    print(f"searcher loaded: {mem()} ({time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
