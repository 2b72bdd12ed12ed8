"""The Whoosh engine's shortcuts give what the plain scan gives: hits, counts, page, facets."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from indexer.build import index_paths
from indexer.engines import whoosh_scan
from indexer.engines.whoosh_engine import WhooshEngine
from indexer.normalize import normalize
from indexer.query import Library, SearchRequest
from indexer.query.parse import parse_query
from indexer.query.search import exact_plan
from indexer.textmatch import contains

TERMS = ["发展", "的", "推进", "高质量发展", "综合查一次", "AI", "5%", "営商環境不存在之词", "zzqx"]
COUNTED = {"发展", "的"}  # common enough to be counted in every paragraph
FILTERS_ONLY = "发展 region:上海市"  # no term: every paragraph of the region, nothing to count
QUERIES = [
    FILTERS_ONLY,
    "发展",
    "高质量发展",
    "科技创新 人才",
    "人工智能 OR 数字经济",
    "营商环境 -民营",
    "AI",
]
SORTS = ["relevance", "year_desc", "year_asc"]


@pytest.fixture(scope="module")
def whoosh(searcher, engine_kind):
    """The session's searcher when it is the Whoosh engine's."""
    if engine_kind != "whoosh":
        pytest.skip("the Whoosh engine's own scan")
    return searcher


def plan_of(searcher, q: str, sort: str = "relevance"):
    request = SearchRequest.from_args({"q": q, "sort": sort})
    plan = exact_plan(searcher, request, parse_query(request.q))[0]
    return replace(plan, clauses=()) if q == FILTERS_ONLY else plan


def key_of(searcher, g: int) -> tuple[str, int]:
    r = searcher.report_of[g]
    return searcher.views[r].report.id, g - searcher.first[r]


@pytest.mark.parametrize("term", TERMS)
def test_found_and_counted_terms_agree_with_the_reports(whoosh, paragraphs, term):
    term = normalize(term)
    texts = {(r.id, i): normalize(p.text) for r, p in paragraphs for i in [p.number - 1]}
    counts: dict[str, list[int]] = {}
    found = whoosh.find(term, counts)
    assert found == sorted(found) == whoosh.find(term)
    assert {key_of(whoosh, g) for g in found} == {k for k, t in texts.items() if contains(t, term)}
    assert term in counts or term not in COUNTED
    if term in counts:  # counted rather than tested: every paragraph's occurrences
        got = {key_of(whoosh, g): n for g, n in enumerate(counts[term])}
        assert got == {k: t.count(term) for k, t in texts.items()}


def test_a_term_with_a_bigram_no_paragraph_has_is_not_searched(whoosh, monkeypatch):
    monkeypatch.setattr(whoosh, "_jump", lambda term: pytest.fail("scanned"))
    assert whoosh.estimate("zzqx") == 0
    assert whoosh.find("zzqx") == []


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("sort", SORTS)
def test_the_page_is_the_head_of_the_full_order(whoosh, q, sort):
    plan = plan_of(whoosh, q, sort)
    counts: dict[str, list[int]] = {}
    hits = whoosh_scan.matching(whoosh, plan, counts)
    assert hits == whoosh_scan.matching(whoosh, plan)
    everything = whoosh_scan.ranked(whoosh, plan, hits, None)
    assert whoosh_scan.ranked(whoosh, plan, hits, None, counts) == everything
    assert len(everything) == len(hits)
    for size in (1, 7, 20, len(hits) + 5):
        assert whoosh_scan.ranked(whoosh, plan, hits, size, counts) == everything[:size]


@pytest.mark.parametrize("q", QUERIES)
def test_facets_count_every_hit_once(whoosh, q):
    hits = whoosh_scan.matching(whoosh, plan_of(whoosh, q))
    expected: dict[str, Counter] = {name: Counter() for name in whoosh_scan.FACETS}
    for g in hits:
        view = whoosh.views[whoosh.report_of[g]]
        meta = view.report.meta
        values = {"report": view.report.id, "region": meta.region, "level": view.level,
                  "year": "" if meta.year is None else str(meta.year), "kind": meta.kind,
                  "section": whoosh.section_keys[whoosh.section_of[g]]
                  if whoosh.section_of[g] >= 0 else ""}  # fmt: skip
        for name, value in values.items():
            if value:
                expected[name][value] += 1
    got = whoosh_scan.facets(whoosh, hits, limit=None)
    for name, counter in expected.items():
        assert got[name] == tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
    assert whoosh_scan.facets(whoosh, hits, limit=None, names=("year",)) == {"year": got["year"]}


def test_a_new_generation_ranks_with_its_own_paragraph_lengths(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "太仓市2023年度报告\n一、工作\n推进法治政府建设。\n", encoding="utf-8"
    )
    engine = WhooshEngine(tmp_path / "ix")
    index_paths([folder], engine)
    library = Library(tmp_path / "ix")
    first = library.searcher()
    before = whoosh_scan._length_terms(first)
    (folder / "b.txt").write_text(
        "苏州市2022年政府工作报告\n一、过去一年的工作\n推进营商环境建设，深化一网通办改革。\n",
        encoding="utf-8",
    )
    index_paths([folder], engine)
    second = library.searcher()
    after = whoosh_scan._length_terms(second)
    assert second is not first and len(after) == len(second) > len(before) == len(first)
    stretch = whoosh_scan.K1 * (whoosh_scan.B / second.avg_len)
    assert after == [stretch * length for length in second.lengths]


@pytest.mark.parametrize(
    ("q", "counted"),
    [("发展", True), ("发展 -改革", True), ("发展 改革", False), ("发展 heading:营商环境", False)],
)
def test_terms_are_counted_only_where_most_of_what_is_found_is_ranked(whoosh, q, counted):
    assert whoosh_scan._worth_counting(plan_of(whoosh, q)) is counted
    page = whoosh_scan.search(whoosh, plan_of(whoosh, q)).page
    assert list(page) == whoosh_scan.ranked(
        whoosh, plan_of(whoosh, q), whoosh_scan.matching(whoosh, plan_of(whoosh, q)), 20
    )
