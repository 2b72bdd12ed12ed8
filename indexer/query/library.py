"""Keep one searcher per index directory in step with its latest committed generation."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from indexer import engines

if TYPE_CHECKING:
    from indexer.engines import Searcher


class Library:
    """The current :class:`~indexer.engines.base.Searcher` of an index, shared by all requests.

    When a newer generation is committed the next request loads it (the engine reuses what it
    can from the previous searcher); ``warmers`` run on each new searcher before any request
    can use it, so per-collection data (suggestions…) is never computed by a user's request.
    """

    def __init__(self, index_dir: Path, warmers: tuple[Callable[[Searcher], object], ...] = ()):
        self.root = Path(index_dir)
        self.engine = engines.open_engine(self.root)
        self.warmers = warmers
        self._lock = threading.Lock()
        self._searcher: Searcher | None = None

    def searcher(self) -> Searcher:
        """The current searcher, reloaded first if a newer generation was committed."""
        current = self._searcher
        if current is not None and current.generation == self.engine.generation():
            return current
        with self._lock:
            if self._searcher is None or self._searcher.generation != self.engine.generation():
                old, self._searcher = self._searcher, self._load()
                if old is not None:
                    old.close()  # a request still using it finishes on what it has
            return self._searcher

    def _load(self) -> Searcher:
        if engines.recorded_kind(self.root) not in (None, self.engine.kind):
            self.engine = engines.open_engine(self.root)  # rebuilt with the other engine meanwhile
            previous = None
        else:
            previous = self._searcher
        searcher = self.engine.searcher(previous)
        for warm in self.warmers:
            warm(searcher)
        return searcher
