"""The govsearch command's contract for scripts: exit statuses and messages."""

from __future__ import annotations

import platform

import pytest

from indexer.cli import main

REPORT = "甲市2024年政府工作报告\n一、主要工作\n全面推进甲市营商环境建设，深化放管服改革。\n"


def test_index_exit_status_tells_scripts_what_happened(runner, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text(REPORT, encoding="utf-8")
    ix = str(tmp_path / "ix")

    ok = runner.invoke(main, ["index", str(folder), "--index-dir", ix])
    assert ok.exit_code == 0, ok.output
    assert "1 added" in ok.output and "0 failed" in ok.output

    (folder / "binary.txt").write_bytes(bytes(range(256)) * 10)
    partial = runner.invoke(main, ["index", str(folder), "--index-dir", ix])
    assert partial.exit_code == 1, partial.output
    assert "failed: " in partial.output and "binary.txt" in partial.output
    assert "1 unchanged" in partial.output  # the good report is still there

    usage = runner.invoke(main, ["index", "--no-such-option"])
    assert usage.exit_code == 2


def test_serve_caps_malloc_arenas_unless_the_environment_sets_them(monkeypatch) -> None:
    from indexer import cli

    calls = []

    class FakeLibc:
        def mallopt(self, param: int, value: int) -> int:
            calls.append((param, value))
            return 1

    monkeypatch.setattr(cli.ctypes, "CDLL", lambda name: FakeLibc())
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert cli.limit_malloc_arenas() is True
    assert calls == [(cli.M_ARENA_MAX, cli.SERVE_ARENAS)]
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert cli.limit_malloc_arenas() is False
    assert len(calls) == 1


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_glibc_accepts_the_arena_cap(monkeypatch) -> None:
    from indexer.cli import limit_malloc_arenas

    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas() is True
