"""Install as users do: a wheel in a fresh virtual environment, used outside the source tree."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import running_server

ROOT = Path(__file__).resolve().parent.parent
SOURCE_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "instance", "test-artifacts", "build", "*.egg-info", "__pycache__", "bench"
)
TIMEOUT = 900  # building and installing need the package registry; this only catches hangs

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    """Run a command, failing the test with its output if it fails."""
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert proc.returncode == 0, f"{args}: {proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the source tree (the tree itself stays clean)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "src"
    shutil.copytree(ROOT, source, ignore=SOURCE_IGNORE)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", base / "dist", source,
        cwd=base)  # fmt: skip
    (built,) = (base / "dist").glob("govsearch-*.whl")
    return built


def test_the_wheel_ships_every_package_and_its_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for top in ("indexer", "webapp"):
        for init in (ROOT / top).rglob("__init__.py"):
            assert init.relative_to(ROOT).as_posix() in names
        for module in (ROOT / top).rglob("*.py"):
            assert module.relative_to(ROOT).as_posix() in names
    for data in (ROOT / "webapp").rglob("*"):
        if data.is_file() and data.suffix in (".html", ".css", ".js", ".svg"):
            assert data.relative_to(ROOT).as_posix() in names
    for data in (ROOT / "indexer").rglob("data/*"):
        assert data.relative_to(ROOT).as_posix() in names


def test_a_wheel_installed_in_a_fresh_venv_indexes_searches_and_serves(wheel, tmp_path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    run(venv / "bin" / "pip", "install", "-q", wheel, cwd=tmp_path)
    govsearch = venv / "bin" / "govsearch"

    work = tmp_path / "elsewhere"  # neither the source tree nor its corpus/ is in sight
    reports = work / "reports"
    reports.mkdir(parents=True)
    shutil.copy(ROOT / "corpus" / "taicang-2024-fazhi.txt", reports)
    shutil.copy(ROOT / "corpus" / "2026_上海市_政府工作报告.txt", reports)
    ix = work / "ix"

    out = run(govsearch, "index", "reports", "--index-dir", ix, cwd=work)
    assert "2 added" in out.stdout and "0 failed" in out.stdout
    found = json.loads(run(govsearch, "search", "综合查一次", "--json", "--index-dir", ix,
                           cwd=work).stdout)  # fmt: skip
    assert found["total"] > 0 and found["hits"][0]["report_id"] == "taicang-2024-fazhi"
    module = run(venv / "bin" / "python", "-c", "import indexer; print(indexer.__file__)", cwd=work)
    assert str(venv) in module.stdout  # the installed copy, not the source tree

    with running_server(ix, tmp_path / "serve.log", command=str(govsearch), cwd=work) as url:
        with urllib.request.urlopen(url + "/healthz", timeout=60) as r:
            assert json.load(r)["reports"] == 2
        with urllib.request.urlopen(f"{url}/search?q={quote('综合查一次')}", timeout=60) as r:
            assert r.status == 200 and "<mark>" in r.read().decode()

    # The native engine, chosen once and recorded with the index.
    big = work / "ix-tantivy"
    out = run(govsearch, "index", "reports", "--index-dir", big, "--engine", "tantivy", cwd=work)
    assert "2 added" in out.stdout and (big / "ENGINE").read_text().strip() == "tantivy"
    found = json.loads(run(govsearch, "search", "综合查一次", "--json", "--index-dir", big,
                           cwd=work).stdout)  # fmt: skip
    assert found["total"] > 0 and found["hits"][0]["report_id"] == "taicang-2024-fazhi"
    mismatch = subprocess.run([str(govsearch), "index", "reports", "--index-dir", str(big),
                               "--engine", "whoosh"], cwd=work, capture_output=True, text=True,
                              timeout=TIMEOUT)  # fmt: skip
    assert mismatch.returncode == 1 and "--rebuild" in mismatch.stderr
    log = tmp_path / "serve-tantivy.log"
    with running_server(big, log, command=str(govsearch), cwd=work) as url:
        page = urllib.request.urlopen(f"{url}/search?q={quote('综合查一次')}", timeout=60)
        with page as r:
            assert r.status == 200 and "<mark>" in r.read().decode()
