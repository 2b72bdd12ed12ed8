"""The query language."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.query.parse import QueryError, parse_query
from indexer.query.request import SearchRequest


def norms(parsed):
    return [[t.norm for t in clause] for clause in parsed.clauses]


def test_terms_are_normalized_and_required():
    assert norms(parse_query("綜合查一次 营商环境")) == [["综合查一次"], ["营商环境"]]


@pytest.mark.parametrize("q", ['"一件 事"', "“一件 事”", "「一件 事」", "『一件 事』"])
def test_quotes_make_one_term_with_spaces(q):
    parsed = parse_query(q)
    # Whitespace beside Chinese is not significant, in queries as in the index.
    assert norms(parsed) == [["一件事"]]
    assert parsed.clauses[0][0].text == "一件 事"
    assert parsed.has_quoted


def test_quoted_latin_words_keep_one_space():
    assert norms(parse_query('"Public   domain"')) == [["public domain"]]


def test_or_exclusion_and_filters():
    parsed = parse_query('"一件事" OR 一网通办 -优化 section:不足 region:上海市 year:2024 report:x')
    assert norms(parsed) == [["一件事", "一网通办"]]
    assert [t.norm for t in parsed.excluded] == ["优化"]
    assert [(f.name, f.values, f.negated) for f in parsed.filters] == [
        ("heading", ("不足",), False), ("region", ("上海市",), False),
        ("year", ("2024",), False), ("report", ("x",), False),
    ]  # fmt: skip


@pytest.mark.parametrize("field", ["year:2026", "region:上海", "report:x", "heading:安排",
                                   "kind:政府工作报告", "level:county", "section:不足"])  # fmt: skip
def test_a_minus_negates_a_filter(field):
    (f,) = parse_query(f"营商环境 -{field}").filters
    assert f.negated and f.values == (field.partition(":")[2],)
    assert norms(parse_query(f"营商环境 -{field}")) == [["营商环境"]]


def test_or_between_filters_of_one_field_is_a_union():
    parsed = parse_query("低空经济 heading:安排 OR heading:任务 year:2024")
    assert [(f.name, f.values) for f in parsed.filters] == [
        ("heading", ("安排", "任务")), ("year", ("2024",))
    ]  # fmt: skip
    assert norms(parsed) == [["低空经济"]]


@pytest.mark.parametrize("q", ["营商环境 OR year:2024", "year:2024 OR 营商环境",
                               "region:上海 OR year:2024", "-year:2024 OR -year:2025"])  # fmt: skip
def test_or_that_cannot_be_expressed_is_an_error_not_a_silent_and(q):
    with pytest.raises(QueryError) as info:
        parse_query(q)
    assert info.value.code == "bad_or" and "OR" in info.value.message


@pytest.mark.parametrize("q", ["foo:bar", "注：本报告", "https://www.gov.cn/x", "year2024"])
def test_only_known_fields_are_filters(q):
    parsed = parse_query(q)
    assert parsed.filters == () and norms(parsed)


def test_chinese_field_aliases():
    parsed = parse_query("营商环境 地区：上海 年份:2024 -类型:政府工作报告 层级:县级")
    assert [(f.name, f.negated) for f in parsed.filters] == [
        ("region", False), ("year", False), ("kind", True), ("level", False)
    ]  # fmt: skip


def test_removing_a_filter_by_its_spans_leaves_the_rest_of_the_query():
    from indexer.query.parse import without_spans

    q = "低空经济 heading:安排 OR heading:任务 -year:2026 目标"
    heading, year = parse_query(q).filters
    assert without_spans(q, heading.spans) == "低空经济 -year:2026 目标"
    assert without_spans(q, year.spans) == "低空经济 heading:安排 OR heading:任务 目标"


def test_repeated_url_parameters_are_a_union():
    from werkzeug.datastructures import MultiDict

    req = SearchRequest.from_args(MultiDict([("q", "x"), ("region", "上海市"),
                                             ("region", "浙江省"), ("year", "2024")]))  # fmt: skip
    assert req.region == ("上海市", "浙江省") and req.year == ("2024",)


@pytest.mark.parametrize("q", ["OR", "OR 法治", "法治 OR", "-", "法治 -", '"法治', "法治”"])
def test_dangling_operators_and_quotes_are_text_or_ignored(q):
    parsed = parse_query(q)
    assert all(t.norm in ("法治",) for clause in parsed.clauses for t in clause)


def test_symbols_inside_terms_are_literal():
    assert norms(parse_query("互联网+ ＰＭ２．５")) == [["互联网+"], ["pm2.5"]]


def test_unknown_prefix_is_text():
    assert norms(parse_query("foo:bar")) == [["foo:bar"]]


@given(st.text(max_size=300))
def test_any_string_parses(q):
    parse_query(q)


@pytest.mark.parametrize(
    "args, code",
    [
        ({"q": "x", "page": "0"}, "bad_page"),
        ({"q": "x", "page": "abc"}, "bad_page"),
        ({"q": "x", "size": "101"}, "bad_size"),
        ({"q": "x", "size": "100", "page": "101"}, "page_too_deep"),
        ({"q": "x", "year": "20x4"}, "bad_year"),
        ({"q": "x", "sort": "random"}, "bad_sort"),
        ({"q": "x" * 300}, "query_too_long"),
    ],
)
def test_bad_parameters_raise_query_errors(args, code):
    with pytest.raises(QueryError) as info:
        SearchRequest.from_args(args)
    assert info.value.code == code


def test_year_ranges():
    from indexer.query.request import parse_years

    assert parse_years("2019-2024") == (2019, 2024)
    assert parse_years("2024") == (2024, 2024)
    assert parse_years("2024-2019") == (2019, 2024)
