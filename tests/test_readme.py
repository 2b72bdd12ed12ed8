"""The README's commands work as written: its curl examples against a live server, its set-up."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLE_HOST = "http://127.0.0.1:5000"


def shell_blocks(text: str) -> list[str]:
    """The contents of the ```sh blocks of a Markdown text."""
    return re.findall(r"```sh\n(.*?)```", text, re.S)


def curl_lines() -> list[str]:
    """Every curl command in the README's shell blocks."""
    lines = (line.strip() for block in shell_blocks(README) for line in block.splitlines())
    return [line for line in lines if line.startswith("curl ")]


def test_the_readme_has_curl_examples():
    assert len(curl_lines()) >= 3


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl (apt-get install curl)")
@pytest.mark.parametrize("line", curl_lines())
def test_every_curl_example_works_when_pasted(line: str, live_server: str):
    assert EXAMPLE_HOST in line, line
    args = shlex.split(line.replace(EXAMPLE_HOST, live_server))
    proc = subprocess.run(
        [*args, "--silent", "--show-error", "--write-out", "\n%{http_code}"],
        capture_output=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    body, _, status = proc.stdout.rpartition(b"\n")
    assert status == b"200", (line, status, body[:300])
    data = json.loads(body)
    assert "error" not in data
    if "/api/search" in line:
        assert data["total"] > 0 and data["hits"], data


def test_ci_runs_the_readme_test_command():
    """`.ci/run` runs exactly the README's second set-up command."""
    blocks = [b.strip() for b in shell_blocks(README) if "pip install" in b]
    assert len(blocks) == 2, blocks  # one installs and serves, one installs and tests
    assert "govsearch serve" in blocks[0] and "pytest" in blocks[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert blocks[1] in ci
