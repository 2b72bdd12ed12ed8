"""Merge sorted chunks into one ordered stream, holding one chunk in memory at a time.

An engine that cannot page through hits in its ranking order (tantivy cannot filter on a
score) fetches hits in chunks of a fast-field key instead, sorts each chunk, parks it on
disk as a sorted run, and merges the runs: an external merge sort. Memory is one chunk plus
a small read buffer per run; disk is a few bytes per hit, in a temporary directory that is
removed when the stream ends or is closed.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

T = TypeVar("T")
BATCH = 4096  # records per pickle frame: the read buffer of one run


def merged(chunks: Iterable[list[T]], key: Callable[[T], Any]) -> Iterator[T]:
    """Yield every record of ``chunks`` in ``key`` order (stable across chunks)."""
    chunks = iter(chunks)
    first = next(chunks, None)
    if first is None:
        return
    first.sort(key=key)
    second = next(chunks, None)
    if second is None:  # the common case: everything fits in one chunk
        yield from first
        return
    with tempfile.TemporaryDirectory(prefix="govsearch-runs-") as tmp:
        files: list[IO[bytes]] = []
        try:
            for chunk in _chain(first, second, chunks):
                chunk.sort(key=key)
                files.append(_write_run(Path(tmp) / f"{len(files)}.run", chunk))
            yield from heapq.merge(*(_read_run(f) for f in files), key=key)
        finally:
            for f in files:
                f.close()


def _chain(first: list[T], second: list[T], rest: Iterator[list[T]]) -> Iterator[list[T]]:
    yield first
    yield second
    yield from rest


def _write_run(path: Path, records: list[T]) -> IO[bytes]:
    """Write sorted ``records`` in frames of BATCH; return the file, rewound for reading."""
    handle = open(path, "w+b")  # noqa: SIM115 - closed by merged()
    for i in range(0, len(records), BATCH):
        pickle.dump(records[i : i + BATCH], handle, protocol=pickle.HIGHEST_PROTOCOL)
    handle.seek(0)
    return handle


def _read_run(handle: IO[bytes]) -> Iterator[Any]:
    while True:
        try:
            frame = pickle.load(handle)
        except EOFError:
            return
        yield from frame
