"""Hardening: re-indexing under a live server, two writers at once, and SIGKILL mid-run.

Real processes: ``govsearch serve`` on a free loopback port and ``govsearch index`` runs,
killed with SIGKILL at several points (found by watching the index directory and
/proc/locks, so no test hook is needed in the code).
"""

from __future__ import annotations

import fcntl
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from indexer.build import index_paths
from indexer.engines import IndexMissing, open_engine
from indexer.query import Library, SearchRequest, search

GOVSEARCH = str(Path(sys.executable).with_name("govsearch"))
CORPUS = Path(__file__).resolve().parent.parent / "corpus"
pytestmark = pytest.mark.skipif(not Path(GOVSEARCH).exists(), reason="govsearch not installed")


def corpus_lines() -> list[str]:
    lines = []
    for path in sorted(CORPUS.glob("*.txt"))[:4]:
        text = path.read_text(encoding="utf-8", errors="replace")
        lines.extend(s.strip() for s in text.splitlines() if len(s.strip()) > 40)
    return lines


def write_report(folder: Path, n: int, lines: list[str], marker: str = "", size: int = 8) -> None:
    body = [lines[(n * 7 + i) % len(lines)] for i in range(size)]
    text = f"某{n}市2024年政府工作报告\n一、主要工作\n" + "\n".join(body)
    (folder / f"r{n:02d}.txt").write_text(
        f"{text}\n独有标记{marker or f'甲{n:02d}'}号。\n", "utf-8"
    )


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GOVSEARCH_")}


def run_index(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([GOVSEARCH, "index", *args], capture_output=True, text=True,
                          timeout=timeout, env=env())  # fmt: skip


# -- serving while re-indexing ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port: int, path: str, timeout: float = 10) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)  # sent as is: raw percent-encoding reaches the server
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Server:
    def __init__(self, index_dir: Path):
        self.port = free_port()
        self.log = (index_dir.parent / f"serve-{self.port}.log").open("w+")
        self.proc = subprocess.Popen(
            [GOVSEARCH, "serve", "--port", str(self.port), "--threads", "4",
             "--index-dir", str(index_dir)],
            stdout=self.log, stderr=subprocess.STDOUT, env=env(),
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                if http_get(self.port, "/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server did not start: {self.output()!r}")
            time.sleep(0.1)

    def total(self, q: str) -> tuple[int, int]:
        status, body = http_get(self.port, "/api/search?" + f"q={quote(q)}&size=100")
        return status, (json.loads(body)["total"] if status == 200 else -1)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# Quoted: exact only, so a marker that is gone finds nothing (not its near namesakes, partially).
QUERIES = {"kept": '"独有标记甲00号"', "changed_old": '"独有标记甲01号"',
           "changed_new": '"独有标记乙01号"', "removed": '"独有标记甲02号"',
           "added": '"独有标记丙99号"'}  # fmt: skip


def switched_once(totals: list[int], before_zero: bool) -> bool:
    """The totals go from the old state to the new one exactly once, never back."""
    seen_new = False
    for total in totals:
        is_new = (total > 0) if before_zero else (total == 0)
        if seen_new and not is_new:
            return False
        seen_new = seen_new or is_new
    return seen_new


@pytest.mark.slow
def test_server_keeps_answering_while_index_changes(tmp_path):
    lines = corpus_lines()
    folder = tmp_path / "reports"
    folder.mkdir()
    for n in range(8):
        write_report(folder, n, lines)
    ix = tmp_path / "ix"
    index_paths([folder], open_engine(ix))
    server = Server(ix)
    log: dict[str, list[int]] = {k: [] for k in QUERIES}
    failures: list[object] = []
    stop = threading.Event()

    def stream() -> None:
        while not stop.is_set():
            for key, q in QUERIES.items():
                try:
                    status, total = server.total(q)
                except Exception as exc:  # connection refused, reset, timeout...
                    failures.append((q, repr(exc)))
                    continue
                if status != 200:
                    failures.append((q, status))
                log[key].append(total)

    thread = threading.Thread(target=stream, daemon=True)
    try:
        thread.start()
        time.sleep(0.5)
        write_report(folder, 1, lines, marker="乙01")  # changed
        (folder / "r02.txt").unlink()  # removed
        write_report(folder, 99, lines, marker="丙99")  # added

        # Someone else holds the index lock: a second run refuses at once, or waits.
        with open(ix / "index.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            waiting = subprocess.Popen(
                [GOVSEARCH, "index", str(folder), "--index-dir", str(ix), "--wait", "60"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(),
            )  # fmt: skip
            refused = run_index(str(folder), "--index-dir", str(ix))
            assert refused.returncode != 0
            assert "另一个 `govsearch index` 正在写入" in refused.stderr, refused.stderr
            started = time.monotonic()
            short_wait = run_index(str(folder), "--index-dir", str(ix), "--wait", "1")
            assert short_wait.returncode != 0 and time.monotonic() - started >= 1
            assert "另一个 `govsearch index` 正在写入" in short_wait.stderr
            time.sleep(0.5)
            assert waiting.poll() is None  # still waiting for the lock
            assert server.total(QUERIES["added"]) == (200, 0)  # nothing changed meanwhile
        out, err = waiting.communicate(timeout=120)
        assert waiting.returncode == 0, err
        assert "1 added, 1 updated, 6 unchanged, 1 removed, 0 failed" in out, out

        # Two real runs at the same moment: one works, the other waits or refuses cleanly.
        write_report(folder, 98, lines, marker="丙98")
        both = [
            subprocess.Popen([GOVSEARCH, "index", str(folder), "--index-dir", str(ix), *extra],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())
            for extra in ([], ["--wait", "60"], [])
        ]  # fmt: skip
        outcomes = [(p.wait(120), *p.communicate()) for p in both]
        for code, _, err in outcomes:
            assert code == 0 or "另一个 `govsearch index` 正在写入" in err, err
        assert outcomes[1][0] == 0
        assert sum("1 added" in out for _, out, _ in outcomes) == 1, outcomes

        # A full rebuild swaps in a new generation directory under the running server.
        rebuilt = run_index(str(folder), "--index-dir", str(ix), "--rebuild")
        assert rebuilt.returncode == 0, rebuilt.stderr
        time.sleep(0.5)
    finally:
        stop.set()
        thread.join(30)
        log_text = server.output()
        server.stop()
    assert not failures, (failures[:5], log_text[-2000:])
    assert "Traceback" not in log_text, log_text[-3000:]
    assert len(log["kept"]) > 10
    assert all(t > 0 for t in log["kept"])
    assert switched_once(log["added"], before_zero=True), log["added"]
    assert switched_once(log["changed_new"], before_zero=True), log["changed_new"]
    assert switched_once(log["changed_old"], before_zero=False), log["changed_old"]
    assert switched_once(log["removed"], before_zero=False), log["removed"]
    assert [p.name for p in ix.iterdir() if p.name.startswith("gen-")] == [
        os.readlink(ix / "current")
    ]


@pytest.mark.slow
def test_hostile_raw_urls_through_waitress(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    write_report(folder, 0, corpus_lines())
    index_paths([folder], open_engine(tmp_path / "ix"))
    server = Server(tmp_path / "ix")
    try:
        for path in ["/api/search?q=%ED%A0%80", "/search?q=%ED%A0%80%22%00", "/api/search?q=%C0%AF",
                     "/api/search?q=" + "%E8%90%A5" * 3000, "/api/reports/..%2F..%2Fetc%2Fpasswd",
                     "/reports/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/api/reports/%00", "/reports/%ED%A0%80",
                     "/api/search?q=a&size=%FF", "/search?q=%1B%5B2J&page=%00"]:  # fmt: skip
            started = time.monotonic()
            status, body = http_get(server.port, path)
            assert status < 500 and time.monotonic() - started < 30, (path, status, body[:200])
            if "/reports/" in path:
                assert status == 404, path
            assert b"root:" not in body
    finally:
        server.stop()


# -- SIGKILL mid-run ------------------------------------------------------------------------


def lock_held(lock_file: Path) -> bool:
    """True if some process holds a flock on ``lock_file`` (read from /proc/locks)."""
    try:
        inode = lock_file.stat().st_ino
        locks = Path("/proc/locks").read_text()
    except OSError:
        return False
    return any(
        line.split()[5].endswith(f":{inode}") for line in locks.splitlines() if "FLOCK" in line
    )


def state(ix: Path, library: Library | None = None) -> dict:
    """What a reader sees: reports with content hashes and paragraph ids, and query results."""
    library = library or Library(ix)
    searcher = library.searcher()
    reports = {
        r.id: (r.content_hash, tuple(p.id for p in r.paragraphs))
        for r in (searcher.load_report(s.id) for s in searcher.summaries())
    }
    results = {}
    for q in ("独有标记", "乙", "工作 -独有标记甲03号", "甲05号 OR 乙06号", "发展"):
        page = search(library, SearchRequest.from_args({"q": q, "size": "100"}))
        results[q] = (page.total, sorted((h.report_id, h.paragraph_id) for h in page.hits))
    return {"reports": reports, "results": results}


def clean_state(folder: Path, where: Path) -> dict:
    shutil.rmtree(where, ignore_errors=True)
    index_paths([folder], open_engine(where))
    return state(where)


def kill_during(args: list[str], lock_file: Path, offset: float, trigger=None) -> int | None:
    """Start ``govsearch index``; SIGKILL it ``offset`` s after it takes the lock (and after
    ``trigger()`` first returns true, if given: e.g. when it starts writing segment files)."""
    proc = subprocess.Popen([GOVSEARCH, "index", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env())  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not lock_held(lock_file) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        while trigger and not trigger() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(offset)
        proc.send_signal(signal.SIGKILL)
        return proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def assert_recovers(folder: Path, ix: Path, clean: dict) -> None:
    # The next run is not blocked by leftovers. The killed run's indexing workers die with it
    # (PDEATHSIG) but need a moment to go, so allow a short wait for the lock.
    summary = index_paths([folder], open_engine(ix), wait=10)
    assert not summary.failed
    assert state(ix) == clean
    gens = sorted(p.name for p in ix.iterdir() if p.name.startswith("gen-"))
    assert gens == [os.readlink(ix / "current")], gens  # stale generation dirs are gone


@pytest.mark.slow
def test_sigkill_during_runs_never_loses_the_last_complete_index(tmp_path):
    lines = corpus_lines()
    folder = tmp_path / "reports"
    folder.mkdir()
    for n in range(24):
        write_report(folder, n, lines, size=6)
    ix = tmp_path / "ix"
    lock = ix / "index.lock"
    old_clean = clean_state(folder, tmp_path / "clean-old")

    # A first-ever build killed midway: nothing is served, the next run builds it all.
    ix.mkdir()
    lock.touch()
    kill_during([str(folder), "--index-dir", str(ix)], lock, 0.3)
    if not open_engine(ix).exists():
        with pytest.raises(IndexMissing):
            Library(ix).searcher()
    assert_recovers(folder, ix, old_clean)

    # Change the corpus: 6 changed, 4 removed, 4 added.
    for n in range(6):
        write_report(folder, n, lines, marker=f"乙{n:02d}", size=6)
    for n in range(20, 24):
        (folder / f"r{n:02d}.txt").unlink()
    for n in range(40, 44):
        write_report(folder, n, lines, size=6)
    new_clean = clean_state(folder, tmp_path / "clean-new")
    assert new_clean != old_clean

    def files_changed() -> bool:  # Whoosh started writing the commit's segment files
        return {p.name for p in ix.glob("gen-*/*")} != before

    def swapped() -> bool:  # `current` points to the new generation, old not yet removed
        return os.readlink(ix / "current") != old_link

    points = [(offset, None) for offset in (0.0, 0.5, 1.0, 2.0)]
    points += [(0.0, files_changed), (0.02, files_changed), (0.0, swapped)]
    for mode in ([], ["--rebuild"]):
        for offset, trigger in points:
            if trigger is swapped and not mode:
                continue
            shutil.rmtree(ix)
            shutil.copytree(tmp_path / "clean-old", ix, symlinks=True)
            before = {p.name for p in ix.glob("gen-*/*")}
            old_link = os.readlink(ix / "current")
            server = Library(ix)  # a long-lived reader, as in the server
            assert state(ix, server) == old_clean
            args = [str(folder), "--index-dir", str(ix), *mode]
            code = kill_during(args, lock, offset, trigger)
            served = state(ix, server)
            # either the run completed before the kill, or nothing of it is visible
            assert served in (old_clean, new_clean), (mode, offset, code)
            assert state(ix) == served  # a new reader agrees
            leftovers = sorted(p.name for p in ix.iterdir())
            print(f"kill {mode or ['incremental']} {trigger and trigger.__name__} +{offset}s: "
                  f"exit {code}, served",
                  "new" if served == new_clean else "old", leftovers)  # fmt: skip
            assert_recovers(folder, ix, new_clean)


def processes_using(marker: str) -> list[int]:
    """Pids whose command line mentions ``marker``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


@pytest.mark.slow
def test_killed_fresh_build_leaves_no_worker_processes(tmp_path, corpus_dir):
    """A fresh build indexes on several processes; none outlives a SIGKILLed parent."""
    ix = tmp_path / "ix-workers"
    proc = subprocess.Popen([GOVSEARCH, "index", str(corpus_dir), "--index-dir", str(ix)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env())  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while len(processes_using(str(ix))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(processes_using(str(ix))) >= 2, "expected indexing workers"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        deadline = time.monotonic() + 10
        while processes_using(str(ix)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_using(str(ix)) == []
        # An exiting process drops its command line before its files: allow it a moment.
        assert index_paths([corpus_dir], open_engine(ix), wait=10).added  # the lock is free again
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
