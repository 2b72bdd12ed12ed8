"""Filter semantics: negation, unions, regions with a hierarchy and short names, levels, kinds."""

from __future__ import annotations

import pytest

from indexer.model import Paragraph, Report, ReportMeta
from indexer.query import QueryError, SearchRequest, search

# (id, region path, level, kind, year, [(heading, text), ...])
REPORTS = [
    ("js-2025", ("江苏省",), "province", "政府工作报告", 2025,
     [("一、2025年工作安排", "持续优化营商环境，发展低空经济。")]),
    ("sz-2025", ("江苏省", "苏州市"), "prefecture", "政府工作报告", 2025,
     [("二、主要任务", "苏州优化营商环境，推进低空经济试点。")]),
    ("tc-2024", ("江苏省", "苏州市", "太仓市"), "county", "法治政府建设工作情况报告", 2024,
     [("四、存在的不足", "营商环境法治保障仍有不足。"), ("五、工作安排", "深化综合查一次改革。")]),
    ("sh-2026", ("上海市",), "province", "政府工作报告", 2026,
     [("三、2026年重点工作", "打造国际一流营商环境。")]),
    ("zj-2026", ("浙江省",), "province", "政府工作报告", 2026,
     [("三、重点任务", "营商环境再优化，低空经济再突破。")]),
    ("bj-cy-2024", ("北京市", "朝阳区"), "county", "政府工作报告", 2024,
     [("一、工作回顾", "朝阳区营商环境持续改善。")]),
    ("cc-cy-2024", ("吉林省", "长春市", "朝阳区"), "county", "政府工作报告", 2024,
     [("一、工作回顾", "长春朝阳营商环境建设。")]),
    ("cn-2024", ("全国",), "national", "政府工作报告", 2024,
     [("二、2024年政府工作任务", "营商环境进一步改善。")]),
]  # fmt: skip


def make_report(rid, path, level, kind, year, sections) -> Report:
    paragraphs = tuple(
        Paragraph(f"p-{rid}-{i}", i + 1, (heading,), text)
        for i, (heading, text) in enumerate(sections)
    )
    meta = ReportMeta(f"{path[-1]}{year}年{kind}", path[-1], year, kind, level=level,
                      region_path=path)  # fmt: skip
    return Report(rid, meta, paragraphs, ())


@pytest.fixture(scope="module")
def collection(index_reports):
    """A small collection with a region hierarchy, levels and kinds, in this run's engine."""
    return index_reports([make_report(*row) for row in REPORTS])


def found(corpus, q: str = "营商环境", **params) -> set[str]:
    results = search(corpus, SearchRequest.from_args({"q": q, "size": "100", **params}))
    assert results.total == len(results.hits)
    return {h.report_id for h in results.hits}


ALL = {row[0] for row in REPORTS}


def test_negated_year_excludes_and_says_so(collection):
    results = search(collection, SearchRequest.from_args({"q": "营商环境 -year:2026"}))
    assert {h.report_id for h in results.hits} == ALL - {"sh-2026", "zj-2026"}
    (f,) = results.filters
    assert f.negated and f.name == "year" and f.description == "排除 年份：2026"
    assert f.to_dict() == {"name": "year", "values": ["2026"], "negated": True,
                           "description": "排除 年份：2026", "source": "query"}  # fmt: skip


@pytest.mark.parametrize(
    "q, expected",
    [
        ("营商环境 -region:江苏省", ALL - {"js-2025", "sz-2025", "tc-2024"}),
        ("营商环境 -report:sh-2026", ALL - {"sh-2026"}),
        ("营商环境 -heading:工作回顾", ALL - {"bj-cy-2024", "cc-cy-2024"}),
        ("营商环境 -kind:法治政府", ALL - {"tc-2024"}),
        ("营商环境 -level:county", ALL - {"tc-2024", "bj-cy-2024", "cc-cy-2024"}),
        ("低空经济 heading:安排 OR heading:任务", {"js-2025", "sz-2025", "zj-2026"}),
        ("营商环境 year:2024 OR year:2026 -level:national",
         {"tc-2024", "sh-2026", "zj-2026", "bj-cy-2024", "cc-cy-2024"}),
    ],
)  # fmt: skip
def test_every_field_negates_and_unions(collection, q, expected):
    assert found(collection, q) == expected


def test_repeated_url_parameters_are_a_union_and_fields_intersect(collection):
    from werkzeug.datastructures import MultiDict

    args = MultiDict([("q", "营商环境"), ("region", "上海市"), ("region", "浙江省"),
                      ("year", "2026"), ("size", "50")])  # fmt: skip
    results = search(collection, SearchRequest.from_args(args))
    assert {h.report_id for h in results.hits} == {"sh-2026", "zj-2026"}
    assert [f.description for f in results.filters] == ["地区：上海市 或 浙江省", "年份：2026"]
    args.setlist("year", ["2025"])
    assert search(collection, SearchRequest.from_args(args)).total == 0


def test_a_region_includes_its_subtree(collection):
    assert found(collection, region="江苏省") == {"js-2025", "sz-2025", "tc-2024"}
    assert found(collection, region="苏州市") == {"sz-2025", "tc-2024"}
    assert found(collection, "营商环境 region:太仓") == {"tc-2024"}


@pytest.mark.parametrize(
    "typed, shown", [("上海", "上海市"), ("江苏", "江苏省"), ("苏州", "苏州市")]
)
def test_short_region_names_resolve_and_say_to_what(collection, typed, shown):
    results = search(collection, SearchRequest.from_args({"q": "营商环境", "region": typed}))
    assert results.total > 0
    assert results.filters[0].description == f"地区：{shown}"


def test_an_ambiguous_short_name_takes_every_match_and_lists_them(collection):
    results = search(collection, SearchRequest.from_args({"q": "营商环境 region:朝阳"}))
    assert {h.report_id for h in results.hits} == {"bj-cy-2024", "cc-cy-2024"}
    description = results.filters[0].description
    assert "北京市 › 朝阳区" in description and "吉林省 › 长春市 › 朝阳区" in description


def test_an_unknown_region_says_there_is_none(collection):
    results = search(collection, SearchRequest.from_args({"q": "营商环境", "region": "火星"}))
    assert results.total == 0 and "没有这个地区的报告" in results.filters[0].description


def test_national_reports_have_a_region_and_a_level(collection):
    assert found(collection, region="全国") == {"cn-2024"}
    assert found(collection, level="national") == {"cn-2024"}
    assert found(collection, level="全国") == {"cn-2024"}
    results = search(collection, SearchRequest.from_args({"q": "营商环境"}))
    assert ("全国", 1) in [(v.value, v.count) for v in results.facets["region"]]


def test_level_and_kind_facets_count_what_their_filters_return(collection):
    results = search(collection, SearchRequest.from_args({"q": "营商环境"}))
    assert {v.value: v.label for v in results.facets["level"]}["county"] == "县级"
    for name in ("level", "kind", "region", "year"):
        for value in results.facets[name]:
            narrowed = search(
                collection, SearchRequest.from_args({"q": "营商环境", name: value.value})
            )
            if name == "region":  # a region facet counts the region itself; its filter the subtree
                assert narrowed.total >= value.count
            else:
                assert narrowed.total == value.count, (name, value)


def test_a_bad_level_is_a_clear_error(collection):
    with pytest.raises(QueryError) as info:
        search(collection, SearchRequest.from_args({"q": "营商环境", "level": "galaxy"}))
    assert info.value.code == "bad_level" and "县级" in info.value.message


def test_zero_hits_caused_only_by_filters_say_so(collection):
    results = search(collection, SearchRequest.from_args({"q": "综合查一次", "year": "2026"}))
    assert results.total == 0 and results.mode == "exact"
    assert results.unfiltered_total == 1
    # Text that matches nowhere is not "filtered out".
    nothing = search(collection, SearchRequest.from_args({"q": "量子引力", "year": "2026"}))
    assert nothing.unfiltered_total is None


def test_a_region_term_offers_the_filtered_search(collection):
    results = search(collection, SearchRequest.from_args({"q": "太仓 不足"}))
    assert [(s.q, s.region) for s in results.suggestions] == [("不足", "太仓市")]
    assert results.suggestions[0].label == "只看太仓市的报告中的“不足”"
    assert found(collection, "不足", region="太仓市") == {"tc-2024"}


def test_only_exclusions_is_a_clear_error(collection):
    with pytest.raises(QueryError) as info:
        search(collection, SearchRequest.from_args({"q": "-营商环境"}))
    assert info.value.code == "no_positive_term" and "减号" in info.value.message
    # With a filter the exclusion has something to act on.
    assert found(collection, "-营商环境", region="太仓市") == {"tc-2024"}
