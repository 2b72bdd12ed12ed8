"""Advanced search: the form's fields become the ordinary query, and parsing it gives the plan."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from indexer.query.advanced import AdvancedSearch, build_query, from_query, term_token, year_span
from indexer.query.parse import parse_query


def norms(q: str):
    """What a query asks for: clauses of normalized alternatives, exclusions, filters, scope."""
    parsed = parse_query(q)
    return (
        [[t.norm for t in clause] for clause in parsed.clauses],
        [t.norm for t in parsed.excluded],
        [(f.name, f.values, f.negated) for f in parsed.filters],
        parsed.within,
    )


def test_every_field_becomes_its_part_of_the_query():
    form = AdvancedSearch(
        all_words="营商环境 法治", phrase="一件事 一次办", any_words="一网通办 一网统管",
        none_words="优化", same_sentence=True, heading="工作安排", region="江苏省",
        level="县级", kind="法治政府建设工作情况报告", year_from="2020", year_to="2024",
        sort="year_desc",
    )  # fmt: skip
    q = build_query(form)
    assert q == (
        '营商环境 法治 "一件事 一次办" 一网通办 OR 一网统管 -优化 ~句 heading:工作安排 '
        "region:江苏省 kind:法治政府建设工作情况报告 level:county year:2020-2024"
    )
    clauses, excluded, filters, within = norms(q)
    assert clauses == [["营商环境"], ["法治"], ["一件事一次办"], ["一网通办", "一网统管"]]
    assert excluded == ["优化"] and within == "sentence"
    assert filters == [("heading", ("工作安排",), False), ("region", ("江苏省",), False),
                       ("kind", ("法治政府建设工作情况报告",), False),
                       ("level", ("county",), False), ("year", ("2020-2024",), False)]  # fmt: skip


def test_words_that_would_parse_as_syntax_are_quoted():
    assert term_token("营商环境") == "营商环境"
    assert term_token("OR") == '"OR"'
    assert term_token("region:上海") == '"region:上海"'
    assert term_token("-优化") == '"-优化"'
    assert term_token("~句") == '"~句"'
    assert term_token('say"x') == 'say"x'  # a quote mark inside a word is text
    assert term_token('"x') == '“"x”'
    assert term_token("优化", negated=True) == "-优化"
    assert norms(build_query(AdvancedSearch(all_words="OR region:上海")))[0] == [
        ["or"], ["region:上海"],
    ]  # fmt: skip


def test_a_year_range_open_at_one_end_is_closed_by_the_collection():
    assert year_span("2020", "", (2019, 2026)) == "2020-2026"
    assert year_span("", "2024", (2019, 2026)) == "2019-2024"
    assert year_span("2024", "2024") == "2024"
    assert year_span("2026", "2020") == "2020-2026"
    assert year_span("", "") == ""


def test_blank_and_bad_fields_are_left_out():
    form = AdvancedSearch.from_args({"all_words": "  ", "sort": "nonsense", "year_from": "20x4"})
    assert form.is_blank and form.sort == "relevance" and form.year_from == ""


def test_a_query_comes_back_as_the_form_that_writes_it():
    form = from_query("营商环境 -优化 region:江苏 year:2020-2024 ~句", "year_asc")
    assert form == AdvancedSearch(all_words="营商环境", none_words="优化", region="江苏",
                                  year_from="2020", year_to="2024", same_sentence=True,
                                  sort="year_asc")  # fmt: skip
    assert from_query("-year:2024 法治") is None  # an exclusion of a filter has no field
    assert from_query("a OR b c OR d") is None  # two any-of groups
    assert from_query("法治 OR region:上海") is None  # a query error: the search page explains it
    assert from_query("year:abc 法治") is None and from_query("YEAR::") is None  # bad years


WORD = st.text(
    alphabet=st.sampled_from('营商环境法治优化ORor-:~句"“”「」AI5G '), min_size=1, max_size=6
)


@given(all_words=st.lists(WORD, max_size=3), any_words=st.lists(WORD, max_size=3),
       none_words=st.lists(WORD, max_size=2), phrase=WORD, sentence=st.booleans())  # fmt: skip
def test_parsing_the_built_query_gives_the_fields(
    all_words, any_words, none_words, phrase, sentence
):
    form = AdvancedSearch(all_words=" ".join(all_words), any_words=" ".join(any_words),
                          none_words=" ".join(none_words), phrase=phrase,
                          same_sentence=sentence)  # fmt: skip
    clauses, excluded, _, within = norms(build_query(form))
    expected = [[t] for t in _norms(form.all_words.split())]
    if phrase.strip():
        expected += [_norms([" ".join(phrase.split())])]
    any_of = _norms(form.any_words.split())
    if any_of:
        expected.append(any_of)
    assert [c for c in clauses if c] == [c for c in expected if c]
    assert excluded == _norms(form.none_words.split())
    assert within == ("sentence" if sentence else "paragraph")


def _norms(texts: list[str]) -> list[str]:
    """Normalized terms as the parser keeps them (quote marks inside a word are text)."""
    out = []
    for text in texts:
        parsed = parse_query(term_token(text))
        out += [t.norm for clause in parsed.clauses for t in clause]
    return out


# -- the page --------------------------------------------------------------------------------


def test_the_form_redirects_to_the_ordinary_search_url(client):
    r = client.get("/advanced", query_string={"all_words": "营商环境", "none_words": "优化",
                                               "region": "江苏省", "sort": "year_desc", "go": "1"})  # fmt: skip
    assert r.status_code == 303
    url = urlsplit(r.headers["Location"])
    assert url.path == "/search"
    assert parse_qs(url.query) == {"q": ["营商环境 -优化 region:江苏省"], "sort": ["year_desc"]}
    page = BeautifulSoup(client.get(r.headers["Location"]).data, "html.parser")
    assert page.select_one("#q")["value"] == "营商环境 -优化 region:江苏省"


def test_the_form_lists_the_region_tree_and_is_prefilled_from_a_query(client):
    r = client.get("/advanced", query_string={"q": "营商环境 region:太仓市 level:county"})
    assert r.status_code == 200
    page = BeautifulSoup(r.data, "html.parser")
    for field in page.select(
        "form.advanced-form input:not([type=hidden]), form.advanced-form select"
    ):
        assert page.select_one(f"label[for={field['id']}]") is not None, field
    assert page.select_one("#adv-all")["value"] == "营商环境"
    options = [o.get_text() for o in page.select("#adv-region option")]
    assert options[0] == "不限" and "全国" not in options[2:]  # 全国, if any, comes first
    jiangsu, suzhou, taicang = (options.index(n) for n in ("江苏省", "　苏州市", "　　太仓市"))
    assert jiangsu < suzhou < taicang
    assert page.select_one("#adv-region option[selected]")["value"] == "太仓市"
    assert page.select_one("#adv-level option[selected]")["value"] == "county"


def test_an_empty_form_says_what_is_missing(client):
    r = client.get("/advanced", query_string={"go": "1"})
    assert r.status_code == 200
    assert BeautifulSoup(r.data, "html.parser").select_one("[role=alert]") is not None


def test_the_search_page_links_to_the_form_with_its_query(client):
    r = client.get("/search", query_string={"q": "营商环境 -优化"})
    link = BeautifulSoup(r.data, "html.parser").select_one("a.advanced-link")
    assert parse_qs(urlsplit(link["href"]).query) == {"q": ["营商环境 -优化"]}


def test_a_short_region_or_kind_from_the_query_is_kept_as_typed(client):
    r = client.get("/advanced", query_string={"q": "营商环境 region:江苏 kind:法治政府"})
    page = BeautifulSoup(r.data, "html.parser")
    assert page.select_one("#adv-region option[selected]")["value"] == "江苏"
    assert page.select_one("#adv-kind option[selected]")["value"] == "法治政府"


def test_the_form_page_survives_queries_it_cannot_read(client):
    for q in ("YEAR::", "year:20x4 法治", "法治 OR region:上海", '"'):
        assert client.get("/advanced", query_string={"q": q}).status_code == 200, q
