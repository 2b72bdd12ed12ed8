"""Index directories with atomic generations and one writer at a time, for every engine.

Layout of an index root::

    index.lock        flock'd by the one index run allowed at a time
    current -> gen-…  the committed generation readers open (swapped atomically)
    gen-…/            a generation: the engine's files plus a FORMAT marker
    ENGINE            which engine built the index

A fresh build (``--rebuild``, or no usable index yet) writes a new ``gen-*`` directory and
swaps ``current`` when it is complete, so readers keep the old one until then; an incremental
run commits inside the current generation, which the engine makes atomic. A run killed at any
point leaves the previous state readable, and the next run cleans up after it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from indexer.engines.base import ENGINE_FILE, IndexBusy, IndexMissing

CURRENT_LINK = "current"
FORMAT_FILE = "FORMAT"
LOCK_FILE = "index.lock"


class Generations:
    """The directory machinery of one index root; ``format_version`` marks usable ones."""

    def __init__(self, root: Path, kind: str, format_version: str):
        self.root = Path(root)
        self.kind = kind
        self.format_version = format_version

    def current(self) -> Path | None:
        """The directory ``current`` points to (None before the first build)."""
        link = self.root / CURRENT_LINK
        if not link.is_symlink():
            return None
        return self.root / os.readlink(link)

    def usable(self, path: Path | None) -> bool:
        """True if ``path`` holds a committed index of this engine's current format."""
        if path is None:
            return False
        marker = path / FORMAT_FILE
        return marker.is_file() and marker.read_text().strip() == self.format_version

    def open_current(self, opener: Callable[[Path], object]) -> object:
        """``opener(current directory)``, retried across a concurrent swap; IndexMissing."""
        for _attempt in range(3):
            path = self.current()
            if path is None or not path.is_dir():
                raise IndexMissing(f"{self.root} 中还没有索引；请先运行 `govsearch index`。")
            if not self.usable(path):
                raise IndexMissing(
                    f"{self.root} 中的索引由另一个版本的 govsearch 建立；"
                    "请运行 `govsearch index --rebuild` 重建。"
                )
            try:
                return opener(path)
            except OSError:
                continue  # swapped and removed by a concurrent rebuild: read the link again
        raise IndexMissing(f"{self.root} 中的索引正在不断更新；请稍后再试。")

    @contextmanager
    def run(self, rebuild: bool, wait: float) -> Iterator[tuple[Path, bool]]:
        """Hold the run lock; yield (directory to write, fresh?); publish it on success.

        The caller commits its engine's changes before the block ends; a fresh directory is
        then swapped in. On an exception a fresh directory is removed.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with self.lock(wait):
            current = self.current()
            fresh = rebuild or not self.usable(current)
            if fresh:
                stamp = time.strftime("%Y%m%d%H%M%S")
                target = Path(tempfile.mkdtemp(prefix=f"gen-{stamp}-", dir=self.root))
            else:
                target = current
            try:
                yield target, fresh
            except BaseException:
                if fresh:
                    shutil.rmtree(target, ignore_errors=True)
                raise
            if fresh:
                (target / FORMAT_FILE).write_text(self.format_version + "\n")
                self._point_current_to(target)
            (self.root / ENGINE_FILE).write_text(self.kind + "\n")
            self._remove_stale(keep=target)

    @contextmanager
    def lock(self, wait: float) -> Iterator[None]:
        """The single-writer lock; IndexBusy when another run holds it past ``wait`` seconds."""
        with open(self.root / LOCK_FILE, "w") as handle:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexBusy(
                            f"另一个 `govsearch index` 正在写入 {self.root}；"
                            "请等它结束后再试（或用 --wait 秒数 等待）。"
                        ) from None
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _point_current_to(self, target: Path) -> None:
        tmp = self.root / f".{CURRENT_LINK}.{os.getpid()}"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(target.name, tmp)
        os.replace(tmp, self.root / CURRENT_LINK)

    def _remove_stale(self, keep: Path) -> None:
        # Directories of earlier generations and of runs killed midway. A server still
        # reading an old one keeps its open files (POSIX unlink semantics) until it refreshes.
        for child in self.root.iterdir():
            if child.is_dir() and child.name.startswith("gen-") and child != keep:
                shutil.rmtree(child, ignore_errors=True)
            elif child.name.startswith(f".{CURRENT_LINK}."):  # a swap killed midway
                child.unlink(missing_ok=True)
