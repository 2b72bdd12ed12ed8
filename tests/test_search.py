"""Search semantics over the shipped corpus: exactness, relaxed fallback, facets, filters."""

from __future__ import annotations

import opencc
import pytest

from indexer.normalize import normalize
from indexer.query import QueryError, SearchRequest, search
from indexer.textmatch import contains

PHRASES = [
    "综合查一次", "改革开放", "营商环境", "一件事", "高质量发展", "法治政府", "新质生产力",
    "人工智能", "乡村振兴", "一网通办", "数字经济", "生态环境", "科技创新", "行政执法",
    "依法行政", "城市更新", "互联网+", "PM2.5", "十五五", "碳达峰", "低空经济", "行政复议",
    "枫桥经验", "粤港澳大湾区", "长三角", "安全生产", "食品安全", "养老", "就业", "民营经济",
]  # fmt: skip
TO_TRADITIONAL = opencc.OpenCC("s2t")


def truth(reports, phrase: str) -> set[tuple[str, str]]:
    """Brute force over the pipeline's reports: the oracle is no engine."""
    norm = normalize(phrase)
    return {
        (r.id, p.id) for r in reports for p in r.paragraphs if contains(normalize(p.text), norm)
    }


def all_hits(library, **args) -> list:
    hits, page = [], 1
    while True:
        res = search(library, SearchRequest.from_args({**args, "size": "100", "page": str(page)}))
        hits.extend(res.hits)
        if page >= res.pages:
            return hits
        page += 1


@pytest.mark.parametrize("phrase", PHRASES)
def test_every_paragraph_containing_the_phrase_is_found_in_either_script(library, reports, phrase):
    expected = truth(reports, phrase)
    assert expected, f"{phrase} should occur in the shipped corpus"
    for form in {phrase, TO_TRADITIONAL.convert(phrase), f"“{phrase}”"}:
        hits = all_hits(library, q=form)
        assert {(h.report_id, h.paragraph_id) for h in hits} == expected, form
        assert len(hits) == len(expected)


def test_seed_phrase_found_in_traditional_report(library):
    res = search(library, SearchRequest.from_args({"q": "综合查一次"}))
    assert res.mode == "exact"
    seed = [h for h in res.hits if h.report_id == "taicang-2024-fazhi"]
    assert len(seed) == 2
    assert all("<mark>綜合查一次</mark>" in h.snippet for h in seed)
    assert seed[0].region == "太仓市" and seed[0].year == 2024
    assert seed[0].url == f"/reports/taicang-2024-fazhi#{seed[0].paragraph_id}"


def test_relaxed_fallback_requires_every_word(library):
    res = search(library, SearchRequest.from_args({"q": "营商环境法治保障", "size": "100"}))
    assert res.mode == "relaxed" and res.total > 0
    assert set(res.relaxed_words) >= {"法治", "保障"}
    for hit in res.hits:
        assert all(contains(normalize(hit.text), w) for w in res.relaxed_words)


def test_quoted_terms_never_fall_back(library):
    res = search(library, SearchRequest.from_args({"q": '"营商环境法治保障"'}))
    assert res.mode == "exact" and res.total == 0


def test_or_and_exclusion(library, reports):
    either = truth(reports, "一件事") | truth(reports, "一网通办")
    hits = all_hits(library, q='"一件事" OR 一网通办')
    assert {(h.report_id, h.paragraph_id) for h in hits} == either
    hits = all_hits(library, q="营商环境 -优化")
    assert hits and all(not contains(normalize(h.text), "优化") for h in hits)
    assert {(h.report_id, h.paragraph_id) for h in hits} == truth(reports, "营商环境") - truth(
        reports, "优化"
    )


@pytest.mark.parametrize("facet", ["section", "report", "region", "year", "level", "kind"])
def test_facet_counts_equal_filtered_totals(library, facet):
    res = search(library, SearchRequest.from_args({"q": "法治"}))
    assert res.facets[facet]
    for value in res.facets[facet][:6]:
        filtered = search(library, SearchRequest.from_args({"q": "法治", facet: value.value}))
        assert filtered.total == value.count, (facet, value)


def test_heading_word_filter_works_across_scripts(library):
    for q in ["section:不足 法治", "heading:不足 法治"]:
        res = search(library, SearchRequest.from_args({"q": q}))
        assert res.total > 0
        assert all(any("不足" in normalize(s) for s in h.section_path) for h in res.hits)
    via_param = search(library, SearchRequest.from_args({"q": "法治", "heading": "不足"}))
    assert (
        via_param.total
        == search(library, SearchRequest.from_args({"q": "heading:不足 法治"})).total
    )
    assert via_param.filters[0].description == "章节：包含“不足”"


def test_year_sorting_and_ranges(library):
    for sort, pick in (("year_desc", max), ("year_asc", min)):
        res = search(library, SearchRequest.from_args({"q": "法治", "sort": sort}))
        years = [h.year for h in res.hits]
        assert years[0] == pick(y for y in years)
    ranged = search(library, SearchRequest.from_args({"q": "法治", "year": "2020-2024"}))
    assert ranged.total > 0 and all(h.year == 2024 for h in ranged.hits)


def test_heading_matches_rank_higher(library):
    res = search(library, SearchRequest.from_args({"q": "法治政府建设"}))
    top = res.hits[0]
    assert any("法治政府建设" in normalize(s) for s in top.section_path)


def test_blank_query_is_an_error(library):
    with pytest.raises(QueryError):
        search(library, SearchRequest.from_args({"q": "   "}))
