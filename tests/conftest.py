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
from indexer.engine import Engine
from indexer.query import Library

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ARTIFACTS = ROOT / "test-artifacts"


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
