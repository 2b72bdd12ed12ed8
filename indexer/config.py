"""Where things live by default; each can be overridden by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path


def default_index_dir() -> Path:
    """``$GOVSEARCH_INDEX_DIR``, else ``instance/index`` under the current directory."""
    return Path(os.environ.get("GOVSEARCH_INDEX_DIR") or Path("instance") / "index")


def default_corpus_dir() -> Path:
    """``$GOVSEARCH_CORPUS_DIR``, else ``corpus`` under the current directory."""
    return Path(os.environ.get("GOVSEARCH_CORPUS_DIR") or "corpus")
