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
    assert parsed.filters == {
        "heading": ("不足",),
        "region": ("上海市",),
        "year": ("2024",),
        "report": ("x",),
    }


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
