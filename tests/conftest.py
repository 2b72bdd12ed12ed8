"""Shared fixtures: the shipped corpus indexed once per session, the app, the CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.build import index_paths
from indexer.engine import Engine
from indexer.query import Library

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shipped corpus (read-only)."""
    return CORPUS


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    """An index of the shipped corpus, built once per test session."""
    path = tmp_path_factory.mktemp("index")
    summary = index_paths([CORPUS], Engine(path))
    assert not summary.failed, summary.failed
    return path


@pytest.fixture(scope="session")
def library(index_dir) -> Library:
    """The query layer's view of the shipped corpus."""
    return Library(index_dir)


@pytest.fixture(scope="session")
def corpus(library):
    """The in-memory corpus (flat paragraph arrays) of the shipped reports."""
    return library.corpus()


@pytest.fixture()
def app(index_dir):
    """The Flask app over the shipped corpus index."""
    from webapp import create_app

    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})


@pytest.fixture()
def client(app):
    """A Flask test client."""
    return app.test_client()


@pytest.fixture()
def runner() -> CliRunner:
    """A click runner for the govsearch CLI."""
    return CliRunner()
