"""The tantivy engine through the engine interface: directories, writers, searchers, stores.

Everything here goes through ``open_engine(root, kind="tantivy")`` and the protocols of
:mod:`indexer.engines.base`; what the engine answers is checked against the pipeline's
reports, not against another engine.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.build import build_report, describe_source, find_report_files
from indexer.engines import IndexBusy, IndexMissing, ReportEntry, ReportSummary, open_engine
from indexer.engines.base import Engine, Searcher, Store
from indexer.engines.tantivy_index import TantivyIndex, indexed_fields
from indexer.model import Report
from indexer.normalize import normalize
from indexer.query.plan import FilterClause, Plan
from indexer.textmatch import contains

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
ADDED = "2026-01-02T03:04:05Z"


def varied(i: int, report: Report) -> Report:
    """Other years, levels, kinds and a region written in Traditional characters."""
    meta = report.meta
    if i % 5 == 1:
        meta = replace(meta, region="太倉市", region_path=("江蘇省", "蘇州市", "太倉市"),
                       level="county")  # fmt: skip
    year = (2026, 2025, None, 2024)[i % 4]
    kind = ("政府工作报告", "法治政府建设")[i % 2]
    level = meta.level if i % 7 else ""
    return replace(report, meta=replace(meta, year=year, kind=kind, level=level))


@pytest.fixture(scope="session")
def reports() -> list[Report]:
    catalogs: dict = {}
    built = [build_report(describe_source(p, catalogs)) for p in find_report_files([CORPUS])]
    return [varied(i, r) for i, r in enumerate(built)]


def index(root: Path, reports: list[Report], rebuild: bool = False) -> Engine:
    engine = open_engine(root, kind="tantivy", rebuild=rebuild)
    with engine.writer(rebuild=rebuild) as writer:
        for report in reports:
            writer.put_report(report, added=ADDED)
    return engine


@pytest.fixture(scope="session")
def built(tmp_path_factory, reports) -> Path:
    root = tmp_path_factory.mktemp("tantivy-index")
    index(root, reports)
    return root


@pytest.fixture(scope="session")
def searcher(built) -> Searcher:
    return open_engine(built).searcher()


def paragraphs(reports: list[Report]):
    """(report, ordinal, normalized text) of every paragraph: the oracle's view."""
    return [(r, i, normalize(p.text)) for r in reports for i, p in enumerate(r.paragraphs)]


def hit_set(searcher: Searcher, plan: Plan) -> set[tuple[str, int]]:
    return {(h.report_id, h.paragraph) for h in searcher.iter_hits(plan)}


def term(text: str) -> Plan:
    return Plan(clauses=(((text,),),))


# -- the engine and its directory ---------------------------------------------------------------
def test_the_recorded_kind_is_reopened(built) -> None:
    engine = open_engine(built)
    assert isinstance(engine, TantivyIndex) and engine.kind == "tantivy" and engine.exists()
    assert (built / "ENGINE").read_text().strip() == "tantivy"
    assert not open_engine(built.parent / "nothing-here", kind="tantivy").exists()


def test_a_missing_index_is_reported(tmp_path) -> None:
    engine = open_engine(tmp_path, kind="tantivy")
    assert engine.generation() is None
    with pytest.raises(IndexMissing):
        engine.searcher()


def test_summaries_reports_and_stored_reports_round_trip(searcher, reports) -> None:
    by_id = sorted(reports, key=lambda r: r.id)
    assert searcher.summaries() == tuple(
        ReportSummary(r.id, r.meta, len(r.paragraphs), ADDED) for r in by_id
    )
    store: Store = searcher
    assert store.reports() == {
        r.id: ReportEntry(r.content_hash, ADDED, r.source_file) for r in reports
    }
    for report in reports:
        assert searcher.load_report(report.id) == report
    assert searcher.load_report("no-such-report") is None
    assert searcher.paragraph_count() == sum(len(r.paragraphs) for r in reports)


def test_headings_count_paragraphs_under_each_heading(searcher, reports) -> None:
    want = Counter(h for r in reports for p in r.paragraphs for h in p.section_path)
    got = searcher.headings()
    assert dict(got) == dict(want)
    assert [n for _, n in got] == sorted((n for _, n in got), reverse=True)
    assert searcher.frequent_words() == []


# -- answering plans ----------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["发展", "高质量发展", "营商环境", "法", "5g", "ai", "综合查一次"])
def test_hits_total_and_facets_equal_the_reports(searcher, reports, text) -> None:
    want = [(r, i) for r, i, t in paragraphs(reports) if contains(t, normalize(text))]
    plan = term(normalize(text))
    result = searcher.search(plan)
    assert hit_set(searcher, plan) == {(r.id, i) for r, i in want}
    assert result.total == searcher.count(plan) == len(want)
    values = {"report": lambda r: r.id, "region": lambda r: r.meta.region,
              "year": lambda r: "" if r.meta.year is None else str(r.meta.year),
              "level": lambda r: r.meta.level, "kind": lambda r: r.meta.kind}  # fmt: skip
    for name, value in values.items():
        counts = Counter(value(r) for r, _ in want)
        counts.pop("", None)
        expected = tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        assert result.facets[name] == expected == searcher.facet_values(plan, name), name
    assert sum(n for _, n in result.facets["report"]) == result.total
    assert result.page == tuple(searcher.iter_hits(plan))[:20]


def test_filters_compare_normalized_regions_and_stored_values(searcher, reports) -> None:
    def ids(*filters: FilterClause) -> set[str]:
        return {h.report_id for h in searcher.iter_hits(Plan(filters=filters))}

    taicang = {r.id for r in reports if r.meta.region == "太倉市"}
    assert taicang and ids(FilterClause("region", ("江苏省",))) >= taicang
    assert ids(FilterClause("region", ("太仓市",))) == taicang
    assert ids(FilterClause("region", ("太倉市",))) == set()  # filter values come normalized
    assert "太倉市" in dict(searcher.search(Plan()).facets["region"])  # shown as written
    for field in ("kind", "level"):
        for value in {getattr(r.meta, field) for r in reports} - {""}:
            want = {r.id for r in reports if getattr(r.meta, field) == value}
            assert ids(FilterClause(field, (value,))) == want
    assert ids(FilterClause("year", ("2025-2026",)), FilterClause("kind", ("法治政府建设",),
               negated=True)) == {r.id for r in reports if r.meta.year in (2025, 2026)
                                  and r.meta.kind != "法治政府建设"}  # fmt: skip


def test_indexed_fields_normalize_the_region_path(reports) -> None:
    report = next(r for r in reports if r.meta.region == "太倉市")
    fields = indexed_fields(report)
    assert fields.region == "太倉市" and fields.level == "county"
    assert fields.region_path == ("江苏省", "苏州市", "太仓市")


def test_one_searcher_serves_many_threads(searcher) -> None:
    plans = [term("发展"), term("营商环境"), Plan(clauses=((("改革",),), (("开放",),)),
             within="sentence"), Plan(sort="year_desc", offset=40)]  # fmt: skip
    want = [searcher.search(p) for p in plans]
    calls = Counter()
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for j in range(12):
                plan = plans[(k + j) % len(plans)]
                assert searcher.search(plan) == want[plans.index(plan)]
                searcher.derived("probe", lambda s: calls.update(["computed"]) or k)
                searcher.load_report(searcher.summaries()[(k + j) % 5].id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and calls["computed"] == 1


# -- writing --------------------------------------------------------------------------------------
def test_generations_follow_commits(tmp_path, reports) -> None:
    engine = index(tmp_path, reports[:3])
    first = engine.searcher()
    assert first.generation == engine.generation() == engine.generation()
    with engine.writer() as writer:
        writer.put_report(reports[3], added=ADDED)
    assert engine.generation() != first.generation
    second = engine.searcher(previous=first)
    assert second.generation == engine.generation()
    assert len(second.summaries()) == 4 and len(first.summaries()) == 3  # each its own state
    with engine.writer() as writer:  # an empty run is a commit too
        pass
    assert engine.generation() != second.generation


def test_delete_report_removes_it_everywhere(tmp_path, reports) -> None:
    engine = index(tmp_path, reports[:4])
    gone = reports[1]
    with engine.writer() as writer:
        writer.delete_report(gone.id)
        writer.delete_report("never-indexed")
    searcher = engine.searcher()
    assert gone.id not in searcher.reports() and searcher.load_report(gone.id) is None
    assert [s.id for s in searcher.summaries()] == sorted(r.id for r in reports[:4] if r != gone)
    assert all(h.report_id != gone.id for h in searcher.iter_hits(Plan()))
    assert searcher.paragraph_count() == sum(len(r.paragraphs) for r in reports[:4] if r != gone)


def test_a_new_searcher_carries_what_equals_a_fresh_reading(tmp_path, reports) -> None:
    """Summaries and section names carried from the previous searcher are what a searcher
    that reads every record afresh gives; entries read without a table are the table's."""
    engine = index(tmp_path, reports[:5])
    old = engine.searcher()
    old.summaries()
    old_table = old._live().table()
    assert old_table.section_names  # computed, so the next table starts from them
    renamed = replace(reports[0].paragraphs[0], section_path=("一、新的一节",))
    changed = replace(reports[0], paragraphs=(renamed, *reports[0].paragraphs[1:]),
                      content_hash="changed")  # fmt: skip
    with engine.writer() as writer:
        writer.delete_report(reports[1].id)
        writer.put_report(changed, added=ADDED)
        writer.put_report(reports[5], added=ADDED)
    carried = engine.searcher(previous=old)
    fresh = open_engine(tmp_path).searcher()
    assert carried.summaries() == fresh.summaries()
    new_table, fresh_table = carried._live().table(), fresh._live().table()
    assert new_table._section_seed is not None  # names not hashed until asked for
    assert new_table.section_clash == fresh_table.section_clash
    assert new_table._section_seed is None
    assert {k: new_table.section_names[k] for k in fresh_table.section_names} == (
        fresh_table.section_names
    )
    assert open_engine(tmp_path).snapshot().reports() == fresh.reports() == fresh_table.entries()
    assert fresh.reports()[changed.id] == ReportEntry("changed", ADDED, changed.source_file)


def test_index_runs_keep_what_they_read_and_still_see_every_change(tmp_path, reports) -> None:
    """The entries file of index runs gives what reading every record gives, after
    additions, changes, removals, a removed top serial given again, and damage."""
    from indexer.engines.tantivy_index import ENTRIES_FILE

    engine = index(tmp_path, reports[:4])

    def check() -> None:
        truth = open_engine(tmp_path).searcher()._live().table().entries()
        assert engine.snapshot().reports() == truth  # from the file, or read and kept
        assert engine.snapshot().reports() == truth  # from the file
        assert (Path(engine.snapshot().path) / ENTRIES_FILE).is_file()

    check()
    with engine.writer() as writer:  # the highest serial the file holds
        writer.delete_report(reports[3].id)
    with engine.writer() as writer:  # given again
        writer.put_report(reports[6], added=ADDED)
    check()
    changed = replace(reports[0], content_hash="changed")
    with engine.writer() as writer:
        writer.delete_report(reports[1].id)
        writer.put_report(changed, added=ADDED)
        writer.put_report(reports[4], added=ADDED)
    check()
    with engine.writer() as writer:  # the report with the highest serial
        writer.delete_report(reports[4].id)
    with engine.writer() as writer:  # its serial, given again
        writer.put_report(reports[5], added=ADDED)
    check()
    (Path(engine.snapshot().path) / ENTRIES_FILE).write_text("damaged", encoding="utf-8")
    check()


def test_put_report_replaces_the_earlier_version(tmp_path, reports) -> None:
    engine = index(tmp_path, reports[:2])
    old = engine.searcher()
    assert old.summaries()[0].paragraphs == len(reports[0].paragraphs)  # decoded, then reused
    shorter = replace(reports[0], paragraphs=reports[0].paragraphs[:3], content_hash="new")
    with engine.writer() as writer:
        writer.put_report(shorter, added="2027-01-01T00:00:00Z")
    new = engine.searcher(previous=old)
    assert new.summaries() == (
        ReportSummary(shorter.id, shorter.meta, 3, "2027-01-01T00:00:00Z"),
        ReportSummary(reports[1].id, reports[1].meta, len(reports[1].paragraphs), ADDED),
    )
    assert new.load_report(shorter.id) == shorter
    assert new.reports()[shorter.id] == ReportEntry(
        "new", "2027-01-01T00:00:00Z", shorter.source_file
    )
    assert new.count(Plan(filters=(FilterClause("report", (shorter.id,)),))) == 3
    assert old.load_report(shorter.id) == reports[0]  # the old state is still served


def test_a_second_writer_is_busy(tmp_path, reports) -> None:
    engine = index(tmp_path, reports[:1])
    with engine.writer():
        with pytest.raises(IndexBusy):
            open_engine(tmp_path).writer().__enter__()
        with pytest.raises(IndexBusy):
            open_engine(tmp_path).writer(wait=0.3).__enter__()
    with open_engine(tmp_path).writer() as writer:  # free again
        writer.put_report(reports[1], added=ADDED)


@pytest.mark.parametrize("rebuild", [False, True])
def test_an_exception_leaves_the_previous_state(tmp_path, reports, rebuild) -> None:
    engine = index(tmp_path, reports[:2])
    before = engine.generation()
    with pytest.raises(RuntimeError), engine.writer(rebuild=rebuild) as writer:
        writer.delete_report(reports[0].id)
        writer.put_report(reports[2], added=ADDED)
        raise RuntimeError("stop")
    assert engine.generation() == before
    searcher = engine.searcher()
    assert sorted(searcher.reports()) == sorted(r.id for r in reports[:2])
    assert [p.name for p in tmp_path.glob("gen-*")] == [before[0]]


def test_a_rebuild_swaps_atomically(tmp_path, reports) -> None:
    engine = index(tmp_path, reports[:3])
    old = engine.searcher()
    old_ids = sorted(old.reports())
    with engine.writer(rebuild=True) as writer:
        writer.put_report(reports[5], added=ADDED)
        assert sorted(open_engine(tmp_path).searcher().reports()) == old_ids  # not yet
    new = engine.searcher(previous=old)
    assert new.generation[0] != old.generation[0] and list(new.reports()) == [reports[5].id]
    assert [p.name for p in tmp_path.glob("gen-*")] == [new.generation[0]]
    assert sorted(old.reports()) == old_ids and old.count(term("发展")) > 0  # still readable


def test_a_closed_searcher_refuses_further_calls(tmp_path, reports) -> None:
    searcher = index(tmp_path, reports[:1]).searcher()
    searcher.close()
    with pytest.raises(IndexMissing):
        searcher.search(term("发展"))


KILLED_RUN = """
import os, signal, sys
from pathlib import Path
from indexer.build import build_report, describe_source, find_report_files
from indexer.engines import open_engine
root, rebuild, corpus = Path(sys.argv[1]), sys.argv[2] == "1", Path(sys.argv[3])
catalogs = {}
reports = [build_report(describe_source(p, catalogs)) for p in find_report_files([corpus])]
engine = open_engine(root, kind="tantivy", rebuild=rebuild)
with engine.writer(rebuild=rebuild) as writer:
    for report in reports[:2]:
        writer.delete_report(report.id)
    for report in reports[3:9]:
        writer.put_report(report, added="x")
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("rebuild", [False, True])
def test_a_killed_run_leaves_the_previous_state_and_the_next_run_completes(
    tmp_path, reports, rebuild
) -> None:
    engine = index(tmp_path, reports[:3])
    before = (engine.generation(), sorted(engine.searcher().reports()))
    run = subprocess.run([sys.executable, "-c", KILLED_RUN, str(tmp_path), str(int(rebuild)),
                          str(CORPUS)], capture_output=True, text=True)  # fmt: skip
    assert run.returncode == -signal.SIGKILL, run.stderr
    after = open_engine(tmp_path)
    assert (after.generation(), sorted(after.searcher().reports())) == before
    with after.writer(rebuild=rebuild) as writer:
        writer.put_report(reports[4], added=ADDED)
    ids = sorted(after.searcher().reports())
    assert ids == ([reports[4].id] if rebuild else sorted(before[1] + [reports[4].id]))
    assert len(list(tmp_path.glob("gen-*"))) == 1 and not list(tmp_path.glob(".current.*"))
