"""Token boundaries for Latin and numbers, insignificant whitespace beside Chinese: end to end.

A small corpus built for the purpose, indexed once per module, searched through the library
and the API; :mod:`indexer.textmatch` is the oracle.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from indexer.build import index_paths
from indexer.normalize import normalize
from indexer.query import Library, SearchRequest, search
from indexer.query.tiers import whole_words
from indexer.textmatch import contains, count

FIVE_ONCE = "甲项指标增长5%左右，乙项指标保持稳定不变了。"
FIVE_AMONG_OTHERS = "甲项指标增长5%左右，乙项指标增长15%左右。"

SUZHOU = f"""苏州市2025年政府工作报告
各位代表：
一、过去一年的工作
全年地区生产总值增长6.5%左右，研发投入增长15%左右。
居民收入增长5%左右，社会消费品零售总额增长6.5%左右。
{FIVE_ONCE}
{FIVE_AMONG_OTHERS}
发展AI产业，推进人工智能与大模型应用。
本页面文本属于Public domain，可以自由发展和规划使用。
Public domain的发展。AI另起一句。
发展规划中AI占有重要位置。
提升IT服务水平。
PM2.5平均浓度下降到30微克。
系统v1.2.3已经完成版本升级。
新建5G基站1.2万个。
15G网络试验启动。
展望12024年的远景。
2024年完成各项目标。
开展联合检查 86 次，推 进 营 商 环 境 持续优化，2026 年 继续推进。
在更大范围开展“综合查一次”工作。
二、REITs试点
开展基础设施试点，盘活存量资产。
"""

TAICANG = """太倉市2024年度法治政府建設工作情況報告
一、主要工作
ＰＭ２．５濃度持續下降，空氣品質改善。
在更大範圍、更寬領域開展“綜合查一次”工作。
推進REITs試點。
"""


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, make_engine) -> Path:
    folder = tmp_path_factory.mktemp("reports")
    (folder / "suzhou-2025.txt").write_text(SUZHOU, encoding="utf-8")
    (folder / "taicang-2024.txt").write_bytes(TAICANG.encode("big5"))
    path = tmp_path_factory.mktemp("index")
    summary = index_paths([folder], make_engine(path))
    assert not summary.failed, summary.failed
    return path


@pytest.fixture(scope="module")
def library(index_dir) -> Library:
    return Library(index_dir)


@pytest.fixture(scope="module")
def client(index_dir):
    from webapp import create_app

    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()


def run(library, **args):
    return search(library, SearchRequest.from_args({"size": "100", **args}))


def texts(library, **args) -> set[str]:
    return {h.text for h in run(library, **args).hits}


def truth(library, *terms: str, excluded: tuple[str, ...] = ()) -> set[str]:
    """Paragraphs (as written) where every term occurs and no excluded one, by textmatch."""
    searcher = library.searcher()
    out = set()
    for summary in searcher.summaries():
        for para in searcher.load_report(summary.id).paragraphs:
            norm = normalize(para.text)
            if all(contains(norm, normalize(t)) for t in terms) and not any(
                contains(norm, normalize(t)) for t in excluded
            ):
                out.add(para.text)
    return out


def marks(snippet: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", snippet)


# -- item 2: Latin letters and numbers match whole tokens ----------------------------------


@pytest.mark.parametrize(
    ("q", "found", "not_found"),
    [
        ("AI", "发展AI产业，推进人工智能与大模型应用。", "本页面文本属于Public domain，可以自由发展和规划使用。"),
        ("IT", "提升IT服务水平。", "推進REITs試點。"),
        ("5G", "新建5G基站1.2万个。", "15G网络试验启动。"),
        ("2024年", "2024年完成各项目标。", "展望12024年的远景。"),
        ("5%左右", "居民收入增长5%左右，社会消费品零售总额增长6.5%左右。",
         "全年地区生产总值增长6.5%左右，研发投入增长15%左右。"),
        ("PM2.5", "ＰＭ２．５濃度持續下降，空氣品質改善。", "系统v1.2.3已经完成版本升级。"),
        ("ＰＭ２．５", "PM2.5平均浓度下降到30微克。", "新建5G基站1.2万个。"),
        ("1.2", "新建5G基站1.2万个。", "系统v1.2.3已经完成版本升级。"),
    ],
)  # fmt: skip
def test_latin_and_numbers_match_whole_tokens(library, q, found, not_found):
    res = run(library, q=q)
    assert res.mode == "exact"
    hits = {h.text for h in res.hits}
    assert found in hits and not_found not in hits
    assert hits == truth(library, q)
    assert res.total == len(hits)


@pytest.mark.parametrize("q", ["PM2", "ai产", "5%左", "domain的", "12", "5"])
def test_exact_hits_are_the_oracle_s(library, q):
    res = run(library, q=q)
    assert {h.text for h in res.hits if res.mode == "exact"} == truth(library, q)
    if q == "PM2":
        assert not any("PM2.5" in h.text or "ＰＭ２" in h.text for h in res.hits)


@pytest.mark.parametrize("share", [0, 10**9])  # every term rare / every term common
@pytest.mark.parametrize(
    "term", ["ai", "it", "5g", "2024年", "5%左右", "pm2.5", "1.2", "5", "查一"]
)
def test_find_is_exact_on_both_paths(library, monkeypatch, share, term):
    from indexer.engines import whoosh_search

    searcher = library.searcher()
    if not isinstance(searcher, whoosh_search.WhooshSearcher):
        pytest.skip("the two scan paths are the Whoosh engine's")
    monkeypatch.setattr(whoosh_search, "COMMON_SHARE", share)
    expected = [g for g in range(len(searcher)) if contains(searcher.norms[g], term)]
    assert searcher.find(term) == expected


def test_pm25_finds_both_widths_and_marks_them_whole(library):
    res = run(library, q="PM2.5")
    assert {h.report_id for h in res.hits} == {"suzhou-2025", "taicang-2024"}
    assert sorted(m for h in res.hits for m in marks(h.snippet)) == ["PM2.5", "ＰＭ２．５"]


def test_snippets_mark_only_real_occurrences(library):
    res = run(library, q="5%左右")
    by_text = {h.text: h.snippet for h in res.hits}
    assert marks(by_text[FIVE_AMONG_OTHERS]) == ["5%左右"]
    assert "1<mark>" not in by_text[FIVE_AMONG_OTHERS]
    mixed = by_text["居民收入增长5%左右，社会消费品零售总额增长6.5%左右。"]
    assert mixed.count("<mark>") == 1 and "6.5%左右" in mixed
    assert all(
        len(marks(h.snippet)) == count(normalize(h.text), normalize("5%左右")) for h in res.hits
    )


def test_term_frequency_counts_only_real_occurrences(library):
    assert len(FIVE_ONCE) == len(FIVE_AMONG_OTHERS)
    scores = {h.text: h.score for h in run(library, q="5%左右").hits}
    # Same length, same section, one real occurrence each: 15%左右 must not add to the score
    # (engines rank differently, so the property is "not more", not an exact figure).
    assert scores[FIVE_AMONG_OTHERS] <= scores[FIVE_ONCE]


def test_exclusion_removes_only_token_occurrences(library):
    hits = texts(library, q="发展 -AI")
    assert "本页面文本属于Public domain，可以自由发展和规划使用。" in hits
    assert "发展AI产业，推进人工智能与大模型应用。" not in hits
    assert hits == truth(library, "发展", excluded=("AI",))


def test_same_sentence_needs_a_token_in_that_sentence(library):
    assert texts(library, q="AI 发展") == truth(library, "AI", "发展")
    assert "Public domain的发展。AI另起一句。" in texts(library, q="AI 发展")
    assert texts(library, q="AI ~句 发展") == {
        "发展AI产业，推进人工智能与大模型应用。",
        "发展规划中AI占有重要位置。",
    }


def test_relaxed_words_match_whole_tokens(library):
    res = run(library, q="发展AI规划")
    assert res.mode == "relaxed" and "ai" in res.relaxed_words
    assert {h.text for h in res.hits} == {"发展规划中AI占有重要位置。"}


def test_relaxed_words_keep_a_number_token_whole(library):
    assert whole_words("v1.2.3版本升级") == ["v1.2.3", "版本升级"]
    res = run(library, q="v1.2.3完成升级")
    assert res.mode == "relaxed"
    assert {h.text for h in res.hits} == {"系统v1.2.3已经完成版本升级。"}


def test_heading_words_match_whole_tokens(library):
    assert run(library, q="试点", heading="REITs").total == 2
    assert run(library, q="试点", heading="IT").total == 0


def test_facets_agree_with_hits(library):
    res = run(library, q="AI")
    assert res.total == len(res.hits) == 3
    assert sum(v.count for v in res.facets["report"]) == res.total
    for value in res.facets["year"]:
        assert run(library, q="AI", year=value.value).total == value.count


def test_chinese_stays_substring_in_both_scripts(library):
    res = run(library, q="综合查一次")
    assert {h.report_id for h in res.hits} == {"suzhou-2025", "taicang-2024"}
    assert sorted(m for h in res.hits for m in marks(h.snippet)) == sorted(
        ["综合查一次", "綜合查一次"]
    )
    assert texts(library, q="查一") == texts(library, q="综合查一次")


# -- item 3: whitespace beside Chinese is not significant ----------------------------------

SPACED = "开展联合检查 86 次，推 进 营 商 环 境 持续优化，2026 年 继续推进。"


@pytest.mark.parametrize("q", ["联合检查86次", "推进营商环境", "2026年", "86次", "联合检查 86次"])
def test_spaces_beside_chinese_do_not_matter(library, q):
    assert SPACED in texts(library, q=q)


def test_highlight_covers_the_spaced_original(library):
    (hit,) = run(library, q="联合检查86次").hits
    assert marks(hit.snippet) == ["联合检查 86 次"]
    (hit,) = run(library, q="推进营商环境").hits
    assert marks(hit.snippet) == ["推 进 营 商 环 境"]


def test_latin_words_keep_their_space(library):
    spaced = texts(library, q='"public domain"')
    assert "本页面文本属于Public domain，可以自由发展和规划使用。" in spaced
    assert not texts(library, q="publicdomain")


# -- through the API and the pages ---------------------------------------------------------


def test_api_search_uses_token_boundaries(client):
    r = client.get("/api/search", query_string={"q": "AI"})
    assert r.status_code == 200
    data = r.get_json()
    assert data["total"] == len(data["hits"]) == 3
    assert all("domain" not in "".join(marks(h["snippet"])).lower() for h in data["hits"])
    assert sum(v["count"] for v in data["facets"]["report"]) == data["total"]


def test_api_counts_for_numbers(client):
    data = client.get("/api/search", query_string={"q": "5%左右"}).get_json()
    assert data["total"] == 3
    assert sum(len(marks(h["snippet"])) for h in data["hits"]) == 3
    trends = client.get("/api/trends", query_string={"q": "5%左右"})
    assert trends.status_code == 200
    assert trends.get_json()["total"] == 3
    export = client.get("/export.jsonl", query_string={"q": "5G"})
    assert export.status_code == 200
    assert export.get_data(as_text=True).count("\n") == 1


def test_api_whitespace(client):
    data = client.get("/api/search", query_string={"q": "联合检查86次"}).get_json()
    assert data["total"] == 1
    assert marks(data["hits"][0]["snippet"]) == ["联合检查 86 次"]


def test_report_page_marks_only_real_occurrences(client):
    r = client.get("/reports/suzhou-2025", query_string={"q": "5%左右"})
    assert r.status_code == 200
    marked = [m.get_text() for m in BeautifulSoup(r.data, "html.parser").select("mark")]
    assert marked == ["5%左右"] * 3
    r = client.get("/reports/suzhou-2025", query_string={"q": "联合检查86次"})
    marked = [m.get_text() for m in BeautifulSoup(r.data, "html.parser").select("mark")]
    assert marked == ["联合检查 86 次"]


def test_or_takes_either_token(library):
    assert texts(library, q="AI OR 5G") == truth(library, "AI") | truth(library, "5G")
    both = texts(library, q="发展 AI OR 5G")
    assert both == truth(library, "发展", "AI") | truth(library, "发展", "5G")
