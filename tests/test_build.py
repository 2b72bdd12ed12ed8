"""Index runs: incremental updates, failures that lose nothing, atomic commits, the lock."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from indexer.build import (
    HASHES_FILE,
    FileHashes,
    KnownSource,
    describe_source,
    find_report_files,
    index_paths,
    report_file_names,
)
from indexer.engines import IndexBusy
from indexer.query import Library, SearchRequest, search

SEED = Path(__file__).resolve().parent.parent / "corpus" / "taicang-2024-fazhi.txt"

REPORT_A = """太仓市2023年度法治政府建设工作情况报告
2023年，太仓市深入推进法治政府建设。
一、加强组织领导
1.压实责任。全市推进“综合查一次”改革，减少对企业打扰。
二、存在的不足
部分执法人员能力有待提升。
"""

REPORT_B = """苏州市2022年政府工作报告
各位代表：
一、过去一年的工作
推进营商环境建设，深化“一网通办”。
"""


@pytest.fixture()
def tiny(tmp_path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text(REPORT_A, encoding="utf-8")
    (folder / "b.txt").write_bytes(REPORT_B.encode("gb18030"))
    return folder


def ids(library: Library, q: str) -> list[tuple[str, str]]:
    page = search(library, SearchRequest.from_args({"q": q, "size": "100"}))
    return [(h.report_id, h.paragraph_id) for h in page.hits]


def test_first_run_adds_everything(tiny, tmp_path, make_engine):
    summary = index_paths([tiny], make_engine(tmp_path / "ix"))
    assert sorted(summary.added) == ["a", "b"]
    assert summary.failed == [] and summary.reports == 2
    assert summary.paragraphs > 4


def test_rerun_changes_only_what_changed(tiny, tmp_path, make_engine):
    engine = make_engine(tmp_path / "ix")
    index_paths([tiny], engine)
    library = Library(tmp_path / "ix")
    before = library.searcher().load_report("a").paragraphs
    again = index_paths([tiny], engine)
    assert sorted(again.unchanged) == ["a", "b"] and not again.added and not again.updated

    (tiny / "b.txt").write_text(REPORT_B + "推进城市更新。\n", encoding="utf-8")
    changed = index_paths([tiny], engine)
    assert changed.updated == ["b"] and changed.unchanged == ["a"]
    assert library.searcher().load_report("a").paragraphs == before
    assert ids(library, "城市更新")

    (tiny / "b.txt").unlink()
    removed = index_paths([tiny], engine)
    assert removed.removed == ["b"]
    assert ids(library, "一网通办") == []


def test_editing_one_paragraph_keeps_the_other_ids(tiny, tmp_path, make_engine):
    engine = make_engine(tmp_path / "ix")
    index_paths([tiny], engine)
    library = Library(tmp_path / "ix")
    old = {p.text: p.id for p in library.searcher().load_report("a").paragraphs}
    (tiny / "a.txt").write_text(REPORT_A.replace("能力有待提升", "能力仍需提升"), encoding="utf-8")
    index_paths([tiny], engine)
    new = {p.text: p.id for p in library.searcher().load_report("a").paragraphs}
    kept = set(old) & set(new)
    assert len(kept) == len(old) - 1
    assert all(old[t] == new[t] for t in kept)


def test_bad_files_are_reported_and_nothing_is_lost(tiny, tmp_path, make_engine):
    engine = make_engine(tmp_path / "ix")
    index_paths([tiny], engine)
    (tiny / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (tiny / "empty.txt").write_bytes(b"")
    (tiny / "a.txt").write_bytes(b"\x00\x01\x02" * 100)  # a good report replaced by garbage
    summary = index_paths([tiny], engine)
    failed = {Path(name).name: reason for name, reason in summary.failed}
    assert set(failed) == {"binary.txt", "empty.txt", "a.txt"}
    assert all(failed.values())
    library = Library(tmp_path / "ix")
    assert ids(library, "综合查一次"), "the earlier version of a.txt must stay searchable"
    assert ids(library, "一网通办")


def test_a_failed_run_leaves_the_previous_index(tiny, tmp_path, monkeypatch, make_engine):
    engine = make_engine(tmp_path / "ix")
    index_paths([tiny], engine)
    library = Library(tmp_path / "ix")
    before = ids(library, "综合查一次")
    (tiny / "a.txt").write_text(REPORT_A.replace("综合查一次", "双随机"), encoding="utf-8")

    import indexer.build as build

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build, "_removed", explode)  # fails after a.txt was re-added
    with pytest.raises(RuntimeError):
        index_paths([tiny], engine)
    assert ids(library, "综合查一次") == before
    monkeypatch.undo()
    index_paths([tiny], engine)
    assert ids(library, "综合查一次") == []
    assert ids(library, "双随机")


def test_a_second_writer_is_refused_with_a_clear_message(tiny, tmp_path, make_engine):
    engine = make_engine(tmp_path / "ix")
    index_paths([tiny], engine)
    entered, release = threading.Event(), threading.Event()

    def hold():
        with engine.writer():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert entered.wait(10)
        with pytest.raises(IndexBusy, match="另一个 `govsearch index`"):
            index_paths([tiny], engine)
    finally:
        release.set()
        thread.join()
    assert index_paths([tiny], engine).unchanged


def test_rebuild_gives_the_same_index(tiny, tmp_path, make_engine):
    engine = make_engine(tmp_path / "ix")
    index_paths([tiny], engine)
    library = Library(tmp_path / "ix")
    before = ids(library, "法治")
    summary = index_paths([tiny], engine, rebuild=True)
    assert sorted(summary.added) == ["a", "b"]
    assert ids(library, "法治") == before


def test_whoosh_index_level_phrase_queries_are_exact(reports, tmp_path):
    """The Whoosh index's own phrase query finds exactly the paragraphs containing the phrase."""
    from indexer.engines.whoosh_engine import WhooshEngine
    from indexer.normalize import normalize

    engine = WhooshEngine(tmp_path / "ix")
    with engine.writer() as writer:
        for report in reports:
            writer.put_report(report, "")
    snapshot = engine.snapshot()
    try:
        for phrase in [
            "综合查一次",
            "綜合查一次",
            "改革开放",
            "互联网+",
            "PM2.5",
            "一件事",
            "法",
            "。",
        ]:
            norm = normalize(phrase)
            truth = {
                (r.id, p.number) for r in reports for p in r.paragraphs if norm in normalize(p.text)
            }
            assert snapshot.phrase_paragraphs(norm) == truth, phrase
            assert truth, phrase
    finally:
        snapshot.close()


def test_report_files_are_found_as_rglob_and_resolve_find_them(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "real").mkdir()
    for name in ("a/b/x.txt", "a-c.TXT", "a/y.html", "real/z.docx", "notes.md", ".hidden.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "a" / "link").symlink_to(tmp_path / "real")  # a symlinked folder: not entered
    (tmp_path / "alias.txt").symlink_to(tmp_path / "a" / "y.html")
    (tmp_path / "broken.txt").symlink_to(tmp_path / "nothing")
    expected = {}
    for child in sorted(tmp_path.rglob("*")):
        if child.is_file() and child.suffix.lower() in (".txt", ".html", ".docx", ".pdf"):
            expected[child.resolve()] = None
    assert find_report_files([tmp_path]) == list(expected)


def _aged(path: Path, text: str) -> None:
    """Write ``text`` and date the file ten seconds back (older than a racy change)."""
    path.write_text(text, encoding="utf-8")
    old = time.time_ns() - 10_000_000_000
    os.utime(path, ns=(old, old))


def _remembered(report: Path, store: Path) -> KnownSource:
    hashes = FileHashes(store)
    source = describe_source(report, {}, hashes)
    hashes.remember(source, report.stat())
    hashes.save([report.parent])
    return KnownSource(source.report_id, source.content_hash, source.data_hash)


def test_unchanged_files_are_not_read_again(tmp_path):
    report, store = tmp_path / "r.txt", tmp_path / "hashes.json"
    _aged(report, "甲乙丙")
    first = _remembered(report, store)
    st = report.stat()
    report.write_text("丁戊己", encoding="utf-8")  # same size and mtime: taken as unchanged
    os.utime(report, ns=(st.st_mtime_ns, st.st_mtime_ns))
    again = FileHashes(store)
    assert again.known(report, report.stat()) == first
    again.save([tmp_path])  # what a run found unchanged is remembered for the next one
    assert FileHashes(store).known(report, report.stat()) == first
    assert FileHashes(store).data_hash(report, report.stat()) == first.data_hash
    assert FileHashes(store, trust=False).known(report, report.stat()) is None
    os.utime(report, ns=(st.st_mtime_ns + 1, st.st_mtime_ns + 1))
    assert FileHashes(store).known(report, report.stat()) is None
    assert FileHashes(store).data_hash(report, report.stat()) != first.data_hash


def test_a_changed_catalog_or_sidecar_makes_a_file_read_again(tmp_path):
    report, store = tmp_path / "r.txt", tmp_path / "hashes.json"
    _aged(report, "甲乙丙")
    _aged(tmp_path / "SOURCES.csv", "file,region\nr.txt,上海市\n")
    first = _remembered(report, store)
    assert FileHashes(store).known(report, report.stat()) == first
    _aged(tmp_path / "SOURCES.csv", "file,region\nr.txt,北京市\n")
    assert FileHashes(store).known(report, report.stat()) is None
    _remembered(report, store)
    _aged(tmp_path / "r.txt.meta.json", '{"year": 2020}')
    assert FileHashes(store).known(report, report.stat()) is None


def test_files_modified_just_now_are_not_remembered(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("甲乙丙", encoding="utf-8")
    _remembered(report, tmp_path / "hashes.json")
    assert FileHashes(tmp_path / "hashes.json").remembered == {}


def test_an_edited_file_is_reindexed_on_the_next_run(make_engine, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    report = folder / "taicang-2023.txt"
    _aged(report, REPORT_A)
    engine = make_engine(tmp_path / "ix")
    assert index_paths([folder], engine).added == ["taicang-2023"]
    assert index_paths([folder], engine).unchanged == ["taicang-2023"]
    report.write_text(REPORT_A.replace("综合查一次", "综合查两次"), encoding="utf-8")
    assert index_paths([folder], engine).updated == ["taicang-2023"]


def test_remembered_files_still_show_removals_renames_and_edits(make_engine, tmp_path):
    """Files unchanged since a remembered run are not read, and the rest is still noticed."""
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    for name, text in (("a.txt", REPORT_A), ("sub/b.txt", REPORT_B), ("c.txt", REPORT_A + "三\n")):
        _aged(folder / name, text)
    engine = make_engine(tmp_path / "ix")
    assert sorted(index_paths([folder], engine).added) == ["a", "b", "c"]
    assert (tmp_path / "ix" / HASHES_FILE).is_file()
    (folder / "sub" / "b.txt").rename(folder / "sub" / "b2.txt")  # same stat, other name
    (folder / "c.txt").unlink()
    st = (folder / "a.txt").stat()
    (folder / "a.txt").write_text(REPORT_A.replace("综合查一次", "综合查两次"), encoding="utf-8")
    os.utime(folder / "a.txt", ns=(st.st_mtime_ns, st.st_mtime_ns + 1))  # same size
    files = report_file_names([folder])
    assert files == [str(p) for p in find_report_files([folder])]
    summary = index_paths([folder], engine, files=files)
    assert (summary.added, summary.updated, summary.removed) == (["b2"], ["a"], ["b", "c"])
    again = index_paths([folder], engine)
    assert again.unchanged == ["a", "b2"] and not (again.added or again.updated or again.removed)
