"""Shared fixtures: the shipped corpus indexed once per session, the app, the CLI runner."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.build import index_paths
from indexer.engines import open_engine
from indexer.query import Library

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shipped corpus (read-only)."""
    return CORPUS


ENGINES = ("whoosh", "tantivy")


@pytest.fixture(scope="session", params=ENGINES)
def engine_kind(request) -> str:
    """Every test that touches an index runs once per engine: one contract, two engines."""
    return request.param


@pytest.fixture(scope="session")
def make_engine(engine_kind):
    """``make_engine(path)``: an engine of this run's kind for a new index directory."""

    def make(path: Path):
        return open_engine(Path(path), engine_kind)

    return make


@pytest.fixture(scope="session")
def index_reports(make_engine, tmp_path_factory):
    """``index_reports(reports)``: a Library over a new index of hand-made ``Report``s."""

    def build(reports) -> Library:
        path = tmp_path_factory.mktemp("reports")
        with make_engine(path).writer() as writer:
            for report in reports:
                writer.put_report(report, "2026-01-01T00:00:00Z")
        return Library(path)

    return build


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, make_engine, engine_kind) -> Path:
    """An index of the shipped corpus, built once per test session and engine."""
    path = tmp_path_factory.mktemp(f"index-{engine_kind}")
    # Two runs, so the index has more than one segment: totals and facets must not depend on
    # how the engine split its data (tantivy-py's multi-segment fixture does the same).
    files = sorted(p for p in CORPUS.iterdir() if p.suffix == ".txt")
    first = index_paths(files[::2], make_engine(path))
    summary = index_paths([CORPUS], make_engine(path))
    assert not first.failed and not summary.failed, (first.failed, summary.failed)
    assert len(summary.added) == len(files) - len(first.added)
    return path


@pytest.fixture(scope="session")
def library(index_dir) -> Library:
    """The query layer's view of the shipped corpus."""
    return Library(index_dir)


@pytest.fixture(scope="session")
def searcher(library):
    """The current searcher of the shipped corpus's index."""
    return library.searcher()


@pytest.fixture(scope="session")
def reports() -> list:
    """The shipped corpus as the pipeline reads it: the oracle that is no engine."""
    from indexer.build import build_report, describe_source, find_report_files

    catalogs: dict = {}
    return [build_report(describe_source(p, catalogs)) for p in find_report_files([CORPUS])]


@pytest.fixture(scope="session")
def paragraphs(reports) -> list:
    """Every (report, paragraph) of the shipped corpus, in reading order."""
    return [(r, p) for r in reports for p in r.paragraphs]


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


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def govsearch_command(python: str = sys.executable) -> str:
    """The govsearch console script next to ``python`` (else the one on PATH)."""
    local = Path(python).parent / "govsearch"
    return str(local) if local.exists() else shutil.which("govsearch") or "govsearch"


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 120.0) -> None:
    """Poll /healthz until the server answers (fail if it died or never answers)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"govsearch serve exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"govsearch serve did not answer /healthz in time; see {log}")


@contextmanager
def running_server(
    index_dir: Path, log: Path, command: str | None = None, cwd: Path | None = None
) -> Iterator[str]:
    """Run `govsearch serve` on a free port; yield its base URL; stop it afterwards."""
    port = free_port()
    cmd = [command or govsearch_command(), "serve", "--port", str(port),
           "--index-dir", str(index_dir)]  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, proc, log)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def live_server(index_dir) -> Iterator[str]:
    """`govsearch serve` over the session index, on a free port (base URL)."""
    with running_server(index_dir, ARTIFACTS / "serve.log") as url:
        yield url
