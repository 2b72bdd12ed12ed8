"""Search engines behind one interface (:mod:`indexer.engines.base`), and the one factory.

``open_engine(root)`` returns the engine that built the index in ``root`` (recorded in its
``ENGINE`` file; Whoosh when nothing is recorded). A new index is built by the engine asked for
(Whoosh by default). Asking an existing index for another engine is an error that says to
rebuild, unless the caller is rebuilding. No code outside this package tests an engine's name.
"""

from __future__ import annotations

from pathlib import Path

from indexer.engines.base import (
    ENGINE_FILE,
    Engine,
    IndexBusy,
    IndexMissing,
    ReportEntry,
    ReportSummary,
    Searcher,
    Store,
    Unsupported,
    Writer,
)
from indexer.engines.generations import CURRENT_LINK

KINDS = ("whoosh", "tantivy")
DEFAULT_KIND = "whoosh"

__all__ = [
    "DEFAULT_KIND", "KINDS", "Engine", "EngineMismatch", "IndexBusy", "IndexMissing",
    "ReportEntry", "ReportSummary", "Searcher", "Store", "Unsupported", "Writer",
    "open_engine", "recorded_kind",
]  # fmt: skip


class EngineMismatch(ValueError):
    """An existing index was asked for by another engine without a rebuild."""


def recorded_kind(root: Path) -> str | None:
    """The engine that built the index in ``root`` (None: no index there yet)."""
    marker = Path(root) / ENGINE_FILE
    if marker.is_file():
        kind = marker.read_text().strip()
        return kind if kind in KINDS else None
    return DEFAULT_KIND if (Path(root) / CURRENT_LINK).is_symlink() else None


def open_engine(root: Path, kind: str | None = None, rebuild: bool = False) -> Engine:
    """The engine for the index in ``root``: the recorded one, or ``kind`` for a new index."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown engine {kind!r}; choose one of {', '.join(KINDS)}")
    recorded = recorded_kind(root)
    if kind and recorded and kind != recorded and not rebuild:
        raise EngineMismatch(
            f"{root} 中的索引是用 {recorded} 引擎建立的；要改用 {kind}，"
            f"请运行 `govsearch index --engine {kind} --rebuild`。"
        )
    chosen = kind or recorded or DEFAULT_KIND
    if chosen == "tantivy":
        from indexer.engines.tantivy_engine import TantivyIndex

        return TantivyIndex(Path(root))
    from indexer.engines.whoosh_engine import WhooshEngine

    return WhooshEngine(Path(root))
