"""The HTML pages: rendered from the same library objects as the JSON API, safe, usable."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from indexer.query.script import convert

TAICANG = "taicang-2024-fazhi"


def get(client, path: str, status: int = 200, **params) -> BeautifulSoup:
    """GET an HTML page, check its status and content type, and parse it."""
    r = client.get(path, query_string=params or None)
    assert r.status_code == status, r.data[:500]
    assert r.content_type.startswith("text/html")
    return BeautifulSoup(r.data, "html.parser")


def total(page: BeautifulSoup) -> int:
    """The number of matches the page reports."""
    return int(page.select_one("#total")["data-total"])


def args_of(href: str) -> dict[str, str]:
    """The query parameters of a link."""
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}


def hit_ids(page: BeautifulSoup) -> list[str]:
    """Paragraph ids of the result cards, in order (from their reader links)."""
    return [urlsplit(a["href"]).fragment for a in page.select(".hit .hit-title a")]


# -- home, search ---------------------------------------------------------------------------


def test_home_has_search_box_examples_and_reports(client):
    page = get(client, "/")
    box = page.select_one("form[role=search] input[name=q]")
    assert box is not None and page.select_one(f"label[for={box['id']}]") is not None
    examples = [a["href"] for a in page.select(".examples a")]
    assert len(examples) == 4 and all(h.startswith("/search?q=") for h in examples)
    reports = [a["href"] for a in page.select(".report-list a")]
    assert len(reports) == 32 and f"/reports/{TAICANG}" in reports


@pytest.mark.parametrize("path", ["/search", "/search?q=", "/search?q=%20%20", "/?q="])
def test_blank_query_shows_home(client, path):
    r = client.get(path)
    assert r.status_code == 200
    assert BeautifulSoup(r.data, "html.parser").select_one(".report-list") is not None


def test_search_marks_the_taicang_paragraph(client):
    page = get(client, "/search", q="综合查一次")
    box = page.select_one("#q")
    assert box["value"] == "综合查一次"
    summary = page.select_one("#results-title").text
    assert "找到" in summary and "毫秒" in summary
    cards = [c for c in page.select(".hit") if f"/reports/{TAICANG}?" in c.select_one("a")["href"]]
    assert cards, "the Taicang report is among the results"
    marks = [m.text for c in cards for m in c.select(".snippet mark")]
    assert "綜合查一次" in marks
    card = cards[0]
    link = card.select_one(".hit-title a")["href"]
    assert args_of(link) == {"q": "综合查一次"} and urlsplit(link).fragment.startswith("p-")
    assert card.select(".crumbs li") and "太仓市" in card.select_one(".hit-meta").text


@pytest.mark.parametrize(
    "params",
    [
        {"q": "综合查一次"},
        {"q": "法治", "sort": "year_asc", "size": "7", "page": "3"},
        {"q": "营商环境 -优化", "region": "上海市"},
        {"q": '"一件事" OR 一网通办', "sort": "year_desc"},
        {"q": "营商环境法治保障"},
        {"q": "section:不足 法治"},
    ],
)
def test_html_and_api_agree(client, params):
    page = get(client, "/search", **params)
    api = client.get("/api/search", query_string=params).get_json()
    assert total(page) == api["total"]
    assert hit_ids(page) == [h["paragraph_id"] for h in api["hits"]]
    links = [a["href"] for a in page.select(".hit .hit-title a")]
    assert [urlsplit(h).path for h in links] == [urlsplit(h["url"]).path for h in api["hits"]]


def test_facet_links_set_their_parameter_and_counts_hold(client):
    page = get(client, "/search", q="法治", page="2")
    groups = {s["aria-labelledby"].removeprefix("facet-") for s in page.select(".facet")}
    assert groups >= {"section", "report", "region", "year", "kind"}
    for link in page.select(".facet a[data-facet]"):
        args = args_of(link["href"])
        assert args["q"] == "法治" and "page" not in args and link["data-facet"] in args
    for name in sorted(groups):
        link = page.select_one(f".facet a[data-facet={name}]")
        narrowed = get(client, link["href"])
        shown = int(link.select_one(".facet-count").text)
        assert total(narrowed) == int(link["data-count"]) == shown
        assert narrowed.select_one(f".facet a[data-facet={name}][aria-current]") is not None


def test_report_facet_shows_titles(client):
    page = get(client, "/search", q="综合查一次")
    labels = [a.select_one(".facet-label").text for a in page.select(".facet a[data-facet=report]")]
    assert any(label.startswith("太倉市2024年度法治政府建設") for label in labels)


def test_url_filter_is_described_and_removable(client):
    page = get(client, "/search", q="法治", heading="不足", sort="year_desc")
    chip = page.select_one(".active-filters li")
    assert "章节：包含“不足”" in chip.text
    assert args_of(chip.select_one("a.remove")["href"]) == {"q": "法治", "sort": "year_desc"}
    assert page.select_one("#heading")["value"] == "不足"


def test_query_filter_removal_edits_q(client):
    page = get(client, "/search", q="section:不足 法治")
    chip = page.select_one(".active-filters li")
    assert "章节：包含“不足”" in chip.text
    assert args_of(chip.select_one("a.remove")["href"]) == {"q": "法治"}


def test_report_filter_is_described_by_title(client):
    page = get(client, "/search", q="法治", report=TAICANG)
    assert "太倉市2024年度法治政府建設工作情況報告" in page.select_one(".active-filters").text


def test_forms_keep_the_filters(client):
    page = get(client, "/search", q="法治", region="上海市", sort="year_asc")
    hidden = {i["name"]: i["value"] for i in page.select("#search-form input[type=hidden]")}
    assert hidden == {"region": "上海市", "sort": "year_asc"}
    sort_form = page.select_one(".sort-form")
    assert sort_form.select_one("option[selected]")["value"] == "year_asc"
    assert sort_form.select_one("button[type=submit]") is not None  # works without JS
    options = {o["value"] for o in sort_form.select("option")}
    assert options == {"relevance", "year_desc", "year_asc"}


def test_relaxed_notice(client):
    page = get(client, "/search", q="营商环境法治保障")
    notice = page.select_one(".notice.relaxed")
    assert notice is not None
    assert "没有找到完全匹配“营商环境法治保障”的段落" in notice.text
    assert "营商" in notice.text and "法治" in notice.text and "保障" in notice.text


def test_empty_state_offers_ways_out(client):
    page = get(client, "/search", q="魑魅魍魉饕餮", region="上海市")
    assert total(page) == 0
    empty = page.select_one(".empty")
    assert "没有找到" in empty.text and "错别字" in empty.text
    removals = [a["href"] for a in empty.select("a") if "去掉" in a.text]
    assert [args_of(h) for h in removals] == [{"q": "魑魅魍魉饕餮"}]
    assert len(empty.select(".examples a")) == 4


def test_pagination(client):
    page = get(client, "/search", q="法治", size="5")
    nav = page.select_one("nav.pagination")
    assert nav.select_one("[aria-current=page]").text == "1"
    nxt = nav.select_one("a[rel=next]")["href"]
    assert args_of(nxt) == {"q": "法治", "size": "5", "page": "2"}
    second = get(client, nxt)
    assert second.select_one("ol.hits")["start"] == "6"
    assert hit_ids(second) != hit_ids(page)
    beyond = get(client, "/search", q="综合查一次", page="50")
    assert "这一页没有结果" in beyond.select_one(".empty").text


@pytest.mark.parametrize(
    "params",
    [
        {"q": "法治", "size": "1000"},
        {"q": "法治", "page": "0"},
        {"q": "法治", "page": "abc"},
        {"q": "法治", "sort": "sideways"},
        {"q": "法治", "year": "last year"},
        {"q": "法治", "page": "9999", "size": "100"},
        {"q": "法" * 300},
        {"q": " ".join(f"词{i}" for i in range(20))},
    ],
)
def test_query_errors_are_400_pages(client, params):
    page = get(client, "/search", 400, **params)
    assert page.select_one(".error[role=alert]").text.strip()
    assert page.select_one("#q")["value"] == params["q"]


# -- reading a report -------------------------------------------------------------------------


def test_report_page_has_every_paragraph_toc_and_permalinks(client):
    detail = client.get(f"/api/reports/{TAICANG}").get_json()
    page = get(client, f"/reports/{TAICANG}")
    assert page.select_one("h1").text == detail["title"]
    for p in detail["paragraphs"]:
        el = page.find(id=p["id"])
        expected = ("h2" if len(p["section_path"]) == 1 else "h3") if p["is_heading"] else "p"
        assert el is not None and el.name == expected
        assert el.select_one(f"a.permalink[href='#{p['id']}']").text == "¶"
    toc = [a["href"].lstrip("#") for a in page.select("nav.toc a")]
    assert len(toc) == 6 + 17
    assert all(page.find(id=pid) is not None for pid in toc)
    cite = page.select_one("button.cite")["data-cite"]
    assert cite.startswith("《太倉市2024年度法治政府建設工作情況報告》")
    assert "太仓市" in cite and "2024年" in cite
    assert "第" in cite and f"/reports/{TAICANG}#p-" in cite


def test_report_marks_query_matches(client):
    page = get(client, f"/reports/{TAICANG}", q="综合查一次")
    marks = page.select(".report-body mark")
    assert [m.text for m in marks] == ["綜合查一次"] * len(marks) and marks
    assert page.select_one(".match-notice strong").text == str(len(marks))
    first = page.select_one(".match-notice a")["href"].lstrip("#")
    assert page.find(id=first).select_one("mark") is not None


def test_report_marks_relaxed_words(client):
    page = get(client, f"/reports/{TAICANG}", q="营商环境法治保障")
    assert {m.text for m in page.select(".report-body mark")} >= {"營商環境", "法治"}


def test_unknown_report_is_a_404_page(client):
    page = get(client, "/reports/no-such-report", 404)
    assert "找不到" in page.select_one("h1").text
    assert client.get("/no/such/page").status_code == 404


def test_script_switch_converts_and_persists(client):
    simplified = get(client, f"/reports/{TAICANG}", q="综合查一次", script="s")
    body = simplified.select_one(".report-body").text
    assert "综合查一次" in body and "綜合查一次" not in body
    assert [m.text for m in simplified.select(".report-body mark")][0] == "综合查一次"
    assert simplified.select_one("h1").text == "太仓市2024年度法治政府建设工作情况报告"
    assert simplified.select_one(".script-switch a[aria-current]")["href"].endswith("script=s")
    again = get(client, f"/reports/{TAICANG}")  # no parameter: the cookie decides
    assert "综合查一次" in again.select_one(".report-body").text
    traditional = get(client, "/reports/2026_上海市_政府工作报告", script="t")
    assert "經濟" in traditional.select_one(".report-body").text
    assert traditional.select_one("article")["lang"] == "zh-Hant"
    original = get(client, f"/reports/{TAICANG}", script="orig")
    assert "綜合查一次" in original.select_one(".report-body").text


def test_script_applies_to_snippets_but_not_to_search(client):
    page = get(client, "/search", q="综合查一次", script="s")
    api = client.get("/api/search", query_string={"q": "综合查一次"}).get_json()
    assert total(page) == api["total"]
    assert "綜合查一次" not in page.select_one(".hits").text


def test_convert_keeps_length():
    for text in ("綜合查一次", "干部关于营商环境", "「一件事」乾坤", ""):
        for script in ("s", "t", "orig"):
            assert len(convert(text, script)) == len(text)
    assert convert("干部", "t") == "幹部" and convert("綜合", "s") == "综合"
    assert convert("綜合", "orig") == "綜合"


# -- help, safety -----------------------------------------------------------------------------


def test_help_examples_run(client):
    page = get(client, "/help")
    examples = [a["href"] for a in page.select("a.example")]
    assert len(examples) >= 6 and all(h.startswith("/search?q=") for h in examples)
    for href in examples:
        assert client.get(href).status_code == 200
    text = page.text
    assert all(str(n) in text for n in (256, 16, 100, 10000)) and "BM25F" in text


SAFETY_URLS = [
    "/",
    "/search?q=综合查一次",
    "/search?q=营商环境法治保障",
    "/search?q=section:不足 法治",
    "/search?q=魑魅魍魉饕餮",
    "/search?q=法治&size=1000",
    "/search?q=<script>alert(1)</script>",
    f"/reports/{TAICANG}",
    f"/reports/{TAICANG}?q=综合查一次&script=t",
    "/reports/nope",
    "/help",
]


@pytest.mark.parametrize("url", SAFETY_URLS)
def test_no_inline_script_or_style(client, url):
    r = client.get(url)
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    page = BeautifulSoup(r.data, "html.parser")
    assert page.html["lang"] == "zh-CN"
    assert page.select_one("meta[name=viewport]") is not None
    assert page.select_one("a.skip-link[href='#main']") is not None
    assert all(s.get("src") and not s.string for s in page.find_all("script"))
    assert not page.find_all("style")
    for el in page.find_all(True):
        assert "style" not in el.attrs, el
        assert not [a for a in el.attrs if a.lower().startswith("on")], el
    assert not [link for link in page.find_all("link", href=True) if "//" in link["href"]]


def test_query_text_is_escaped(client):
    r = client.get("/search", query_string={"q": "<script>alert(1)</script>"})
    assert b"<script>alert" not in r.data and b"&lt;script&gt;" in r.data


def test_inputs_have_labels(client):
    page = get(client, "/search", q="法治")
    for field in page.select("input:not([type=hidden]), select"):
        assert page.select_one(f"label[for={field['id']}]") is not None, field


def test_static_assets(client):
    for name in ("style.css", "app.js", "favicon.svg"):
        with client.get(f"/static/{name}") as r:  # close the file the response streams
            assert r.status_code == 200


def test_an_excluded_filter_shows_as_excluded_and_its_chip_removes_only_it(client):
    page = get(client, "/search", q="营商环境 -year:2026 heading:营商环境", size="100")
    chips = page.select(".active-filters li")
    texts = [c.select_one(".af-text").text for c in chips]
    assert texts == ["排除 年份：2026", "章节：包含“营商环境”"]
    assert "negated" in chips[0]["class"] and "negated" not in chips[1].get("class", [])
    assert args_of(chips[0].select_one("a.remove")["href"])["q"] == "营商环境 heading:营商环境"
    assert args_of(chips[1].select_one("a.remove")["href"])["q"] == "营商环境 -year:2026"
    years = {m.text.split("·")[1].strip() for m in page.select(".hit-meta")}
    assert years and "2026 年" not in years


def test_repeated_url_filters_survive_the_forms(client):
    page = get(client, "/search", q="营商环境", region=["上海市", "浙江省"], sort="year_desc")
    form = page.select_one("#search-form")
    hidden = [(i["name"], i["value"]) for i in form.select("input[type=hidden]")]
    assert ("region", "上海市") in hidden and ("region", "浙江省") in hidden
    assert ("sort", "year_desc") in hidden
    assert "地区：上海市 或 浙江省" in page.select_one(".active-filters").text


def test_zero_hits_caused_by_filters_say_so(client):
    page = get(client, "/search", q="综合查一次", year="2025")
    assert total(page) == 0
    heading = page.select_one("#filtered-out")
    assert heading is not None and "不符合当前的筛选条件" in heading.text


def test_a_region_term_is_offered_as_a_filter(client):
    page = get(client, "/search", q="太仓 综合查一次")
    link = page.select_one("a[data-suggestion]")
    assert link is not None and "太仓市" in link.text
    assert args_of(link["href"]) == {"q": "综合查一次", "region": "太仓市"}
    assert total(get(client, link["href"])) > 0


def test_query_errors_are_in_chinese_on_the_page(client):
    page = get(client, "/search", status=400, q="-营商环境")
    assert "减号" in page.select_one(".error").text
