"""Long and question-style queries, other engines' operators and did-you-mean, on both engines.

The oracle for the partial tier is :func:`indexer.query.plan.partial_match` over the pipeline's
own reports, never an engine.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup

from indexer.model import Paragraph, Report, ReportMeta
from indexer.normalize import normalize
from indexer.query import SearchRequest, parse_query, search
from indexer.query.plan import FilterClause, Plan, partial_match, partial_share
from indexer.query.spelling import Vocabulary, _one_edit, correct_term
from indexer.query.tiers import MIN_SHARE, content_words, partial, relaxed
from indexer.textmatch import contains

LOW_ALTITUDE = "各地政府关于低空经济发展的目标和具体措施有哪些"
BUSINESS = "如何优化营商环境促进民营经济发展"


def run(library, q: str, **args):
    return search(library, SearchRequest.from_args({"q": q, "size": "100", **args}))


def partial_of(searcher, question: str):
    return partial(relaxed(parse_query(question)).words(), searcher.doc_freq,
                   searcher.paragraph_count())  # fmt: skip


# -- the partial plan, answered by each engine --------------------------------------------------


@pytest.mark.parametrize("question", [LOW_ALTITUDE, BUSINESS, "怎么做好稳就业和促进居民增收工作"])
def test_partial_hit_sets_are_exact(searcher, reports, question):
    part = partial_of(searcher, question)
    assert part is not None and part.min_share == MIN_SHARE
    expected = {
        (r.id, i) for r in reports for i, p in enumerate(r.paragraphs)
        if partial_match(normalize(p.text), part)
    }  # fmt: skip
    plan = Plan(partial=part, size=10)
    result = searcher.search(plan)
    assert result.total == len(expected) > 0
    assert {(k.report_id, k.paragraph) for k in searcher.iter_hits(plan)} == expected
    assert sum(count for _, count in result.facets["report"]) == result.total
    # Exclusions and filters apply as in any plan.
    rid = result.page[0].report_id
    narrowed = Plan(partial=part, excluded=("经济",), filters=(FilterClause("report", (rid,)),))
    assert {(k.report_id, k.paragraph) for k in searcher.iter_hits(narrowed)} == {
        (r, i) for r, i in expected
        if r == rid and "经济" not in normalize(next(x for x in reports if x.id == r).paragraphs[i].text)
    }  # fmt: skip


def test_partial_ranks_by_weighted_share(searcher, reports):
    part = partial_of(searcher, BUSINESS)
    by_id = {r.id: r for r in reports}
    keys = list(searcher.iter_hits(Plan(partial=part)))
    shares = [partial_share(normalize(by_id[k.report_id].paragraphs[k.paragraph].text), part)
              for k in keys]  # fmt: skip
    assert all(a >= b - 1e-3 for a, b in zip(shares, shares[1:], strict=False))
    assert shares[0] > shares[-1]


def test_a_partial_plan_is_per_paragraph():
    part = partial(("营商", "环境"), lambda w: 1, 10)
    with pytest.raises(ValueError):
        Plan(partial=part, within="sentence")


# -- the tiers of a search -----------------------------------------------------------------


def test_question_queries_are_answered(library):
    business = run(library, BUSINESS)
    assert business.total > 0 and business.mode in ("relaxed", "partial")
    assert "如何" in business.dropped_words and "如何" not in business.relaxed_words
    low = run(library, LOW_ALTITUDE)
    assert low.mode == "partial" and low.total > 0
    assert {"关于", "的", "和", "哪些", "具体措施"} <= set(low.dropped_words)
    for hit in low.hits:
        text = normalize(hit.text)
        assert all(not contains(text, w) for w in hit.missing_words)
        assert all(contains(text, w) for w in low.relaxed_words if w not in hit.missing_words)
        assert "低空" not in hit.missing_words  # the rarest word weighs most
    assert low.hits[0].score >= low.hits[-1].score


def test_exact_answers_are_never_diluted(library):
    exact = run(library, "低空经济 目标")
    assert exact.mode == "exact" and exact.total > 0
    assert exact.dropped_words == () and all(h.missing_words == () for h in exact.hits)
    # Question words count in the exact tier: 的 is searched like any character.
    assert run(library, "的").mode == "exact"


def test_quoted_and_or_queries_have_no_partial_tier(library):
    assert run(library, f'"{BUSINESS}"').total == 0
    assert run(library, f"{LOW_ALTITUDE} OR 魑魅魍魉").mode != "partial"
    assert run(library, f"{LOW_ALTITUDE} ~句").mode != "partial"


def test_punctuation_joins_single_characters():
    assert content_words("放、管、服") == ("放管服",)
    assert content_words(normalize("稳，进，好")) == ("稳进好",)
    assert content_words("营商环境、法治保障") == ("营商", "环境", "法治", "保障")
    assert content_words("pm2.5") == ("pm2.5",)


def test_an_abbreviation_is_searched_whole(index_reports):
    texts = ["深化“放管服”改革，优化审批。", "放开市场准入，管好安全底线，服务企业发展。"]
    paragraphs = tuple(Paragraph(f"p-{i}", i + 1, (), t) for i, t in enumerate(texts))
    meta = ReportMeta("某市2025年政府工作报告", "苏州市", 2025, "政府工作报告")
    library = index_reports([Report("r", meta, paragraphs, ())])
    res = run(library, "放、管、服")
    assert res.mode == "relaxed" and res.relaxed_words == ("放管服",)
    assert [h.text for h in res.hits] == [texts[0]]


# -- other engines' operators ----------------------------------------------------------------


def test_foreign_operators_parse():
    assert parse_query("营商环境 and 法治") == parse_query("营商环境 法治")
    assert parse_query("营商环境 AND 法治") == parse_query("营商环境 法治")
    assert parse_query("营商环境 not 优化") == parse_query("营商环境 -优化")
    assert parse_query("营商环境 NOT year:2026") == parse_query("营商环境 -year:2026")
    assert parse_query("人工智能 or 数字经济") == parse_query("人工智能 OR 数字经济")
    assert parse_query("营商环境 or") == parse_query("营商环境")
    assert [t.norm for c in parse_query("and").clauses for t in c] == ["and"]
    assert parse_query('"and" 法治').notes == ()
    notes = parse_query("营商环境 not 优化 and 法治").notes
    assert any("-优化" in n for n in notes) and any("and" in n for n in notes)


def test_foreign_operators_are_never_a_silent_zero(library):
    for typed, native in [("营商环境 and 法治", "营商环境 法治"),
                          ("营商环境 not 优化", "营商环境 -优化"),
                          ("营商环境 or 一网通办", "营商环境 OR 一网通办")]:  # fmt: skip
        got, want = run(library, typed), run(library, native)
        assert got.total == want.total > 0 and got.notes and not want.notes


# -- did you mean ------------------------------------------------------------------------------


def test_one_edit():
    assert _one_edit("营商环竟", "营商环境") and _one_edit("营商环", "营商环境")
    assert _one_edit("商营环境", "营商环境") and _one_edit("营商环境", "营商环")
    assert not _one_edit("营商环境", "营商环境") and not _one_edit("营业环竟", "营商环境")


class HeadingsOnly:
    """A searcher with no frequent words (as an engine may have): headings feed the vocabulary."""

    def frequent_words(self):
        return []

    def headings(self):
        return [("一、持续优化营商环境", 12), ("（二）推进法治建设", 5)]

    def doc_freq(self, term):
        return {"营商环境": 12, "法治": 5}.get(term, 0)


def test_the_vocabulary_works_from_headings_alone():
    vocab = Vocabulary.build(HeadingsOnly())
    assert vocab.counts["环境"] == 12
    assert correct_term(HeadingsOnly(), vocab, "营商环竟") == "营商环境"
    assert correct_term(HeadingsOnly(), vocab, "魑魅魍魉") is None


@pytest.mark.parametrize(
    "typed, meant",
    [("营商环竟", "营商环境"), ("營商環竟", "營商環境"), ("营商环竟 法治", "营商环境 法治"),
     ("江苏低空经济", "region:江苏省 低空经济")],
)  # fmt: skip
def test_did_you_mean(library, typed, meant):
    res = run(library, typed)
    assert res.did_you_mean == meant
    corrected = run(library, meant)
    assert corrected.mode == "exact" and corrected.total > 0


def test_no_did_you_mean_when_the_query_is_fine(library):
    assert run(library, "营商环境").did_you_mean is None
    assert run(library, "魑魅魍魉").did_you_mean is None


# -- API and page --------------------------------------------------------------------------


def test_api_says_the_tier_and_the_words(client):
    r = client.get("/api/search", query_string={"q": LOW_ALTITUDE})
    assert r.status_code == 200
    data = r.get_json()
    assert data["mode"] == "partial" and data["total"] > 0
    assert "哪些" in data["dropped_words"] and data["did_you_mean"] is None
    assert all(isinstance(h["missing_words"], list) for h in data["hits"])
    typo = client.get("/api/search", query_string={"q": "营商环竟"})
    assert typo.status_code == 200 and typo.get_json()["did_you_mean"] == "营商环境"
    op = client.get("/api/search", query_string={"q": "营商环境 not 优化"}).get_json()
    assert op["total"] > 0 and "-优化" in op["notes"][0]


def page(client, q: str) -> BeautifulSoup:
    r = client.get("/search", query_string={"q": q})
    assert r.status_code == 200
    return BeautifulSoup(r.data, "html.parser")


def test_page_shows_the_tier_dropped_and_missing_words(client):
    soup = page(client, LOW_ALTITUDE)
    data = client.get("/api/search", query_string={"q": LOW_ALTITUDE}).get_json()
    assert soup.select_one(".notice.partial") is not None
    assert "哪些" in soup.select_one(".notice.dropped").text
    missing = [[s.text for s in li.select(".missing s")] for li in soup.select("li.hit")]
    assert missing == [h["missing_words"] for h in data["hits"]]


def test_page_links_did_you_mean_and_explains_operators(client):
    link = page(client, "营商环竟").select_one("a[data-did-you-mean]")
    assert link.text == "营商环境"
    assert parse_qs(urlparse(link["href"]).query)["q"] == ["营商环境"]
    notes = page(client, "营商环境 not 优化").select(".query-notes li")
    assert notes and "-优化" in notes[0].text
    assert page(client, "放、管、服").select_one(".tried").text.endswith("放管服")
