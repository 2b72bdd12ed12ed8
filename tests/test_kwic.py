"""Keyword in context: one line per occurrence, context as written, sorts, CSV."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.model import Paragraph, Report, ReportMeta
from indexer.normalize import is_cjk, normalize
from indexer.query import SearchRequest
from indexer.query.kwic import concordance_lines, kwic
from indexer.query.snippets import occurrence_spans
from indexer.textmatch import occurrences


def brute_force(paragraphs, term: str) -> int:
    """Occurrences of ``term`` counted paragraph by paragraph, without any engine."""
    norm = normalize(term)
    return sum(len(list(occurrences(normalize(p.text), norm))) for _, p in paragraphs)


def request(q: str, **params) -> SearchRequest:
    return SearchRequest.from_args({"q": q, **params})


@st.composite
def cjk_substrings(draw, paragraphs):
    """A run of 2–4 Chinese characters cut out of some paragraph of the corpus."""
    _, para = draw(st.sampled_from(paragraphs))
    runs = [r for r in "".join(c if is_cjk(c) else " " for c in para.text).split() if len(r) >= 2]
    if not runs:
        return "营商环境"
    run = draw(st.sampled_from(runs))
    start = draw(st.integers(0, len(run) - 2))
    return run[start : start + draw(st.integers(2, 4))]


def test_lines_are_occurrences_by_brute_force(library, paragraphs):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cjk_substrings(paragraphs))
    def check(term):
        a, lines = concordance_lines(library, request(term))
        assert len(lines) == brute_force(paragraphs, term) > 0
        assert kwic(library, request(term, size="1")).total == len(lines)

    check()


def test_each_line_is_the_paragraph_as_written(library, reports):
    by_id = {p.id: p for r in reports for p in r.paragraphs}
    _, lines = concordance_lines(library, request("综合查一次"))
    assert lines and any(
        line.match == "綜合查一次" for line in lines
    )  # found folded, shown as written
    for line in lines:
        text = by_id[line.paragraph_id].text
        assert line.left + line.match + line.right in text
        assert normalize(line.match) == "综合查一次"
        assert len(line.left) <= 20 and len(line.right) <= 20
        assert line.url == f"/reports/{line.report_id}#{line.paragraph_id}"


def test_sorts_and_pages(library):
    _, by_left = concordance_lines(library, request("营商环境"), "left")
    keys = [normalize(line.left)[::-1] for line in by_left]
    assert keys == sorted(keys)
    _, by_right = concordance_lines(library, request("营商环境"), "right")
    keys = [normalize(line.right) for line in by_right]
    assert keys == sorted(keys)
    pages = [
        kwic(library, request("营商环境", page=str(n), size="50"), "left") for n in (1, 2, 3, 4)
    ]
    assert [line for page in pages for line in page.lines] == by_left
    _, relevance = concordance_lines(library, request("营商环境"))
    assert sorted(map(repr, relevance)) == sorted(map(repr, by_left))


def test_overlapping_terms_count_once(index_reports):
    text = "营商环境营商环境，优化营商"
    meta = ReportMeta("测试报告", "甲市", 2024, "政府工作报告")
    library = index_reports([Report("r", meta, (Paragraph("p-1", 1, (), text),), ())])
    assert occurrence_spans(text, ["营商环境", "营商"]) == [(0, 4), (4, 8), (11, 13)]
    result = kwic(library, request("营商环境 OR 营商"))
    assert result.total == 3
    assert [line.match for line in result.lines] == ["营商环境", "营商环境", "营商"]
    assert result.lines[1].left == "营商环境" and result.lines[1].right == "，优化营商"


def test_api_shape_and_filters(client):
    r = client.get("/api/kwic", query_string={"q": "营商环境", "level": "province", "size": 5,
                                               "sort": "right"})  # fmt: skip
    assert r.status_code == 200
    body = r.get_json()
    assert {"query", "total", "lines"} <= set(body) and body["sort"] == "right"
    assert len(body["lines"]) == 5 and body["total"] > 5
    line = body["lines"][0]
    assert set(line) >= {"left", "match", "right", "report_id", "paragraph_id", "year", "url"}
    everything = client.get("/api/kwic", query_string={"q": "营商环境"}).get_json()
    assert body["total"] < everything["total"]  # the county report is left out


def test_api_errors(client):
    assert client.get("/api/kwic").status_code == 400
    r = client.get("/api/kwic", query_string={"q": "营商环境", "sort": "middle"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_sort"


def test_too_broad_a_search_is_refused(client, monkeypatch):
    import indexer.query.research as research

    monkeypatch.setattr(research, "MAX_PARAGRAPHS", 10)
    r = client.get("/api/kwic", query_string={"q": "营商环境"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "too_broad"
    t = client.get("/api/trends", query_string={"q": "营商环境"}).get_json()
    assert t["mentions"] is None and t["total"] > 10  # the rest is still counted
    assert client.get("/kwic", query_string={"q": "营商环境"}).status_code == 400


def test_csv_has_every_line(client):
    r = client.get("/kwic.csv", query_string={"q": "营商环境", "sort": "left"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    total = client.get("/api/kwic", query_string={"q": "营商环境"}).get_json()["total"]
    assert len(rows) == total
    assert all(normalize(row["match"]) == "营商环境" for row in rows)
    assert rows[0]["url"].startswith("http://localhost/reports/")
    name = unquote(r.headers["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name == "govsearch-kwic_营商环境.csv"


def test_csv_cells_a_spreadsheet_would_run_are_quoted(index_reports):
    from indexer.query.kwic import kwic_csv

    meta = ReportMeta("=报告", "甲市", 2024, "政府工作报告")
    paras = (Paragraph("p-1", 1, (), "=营商环境+1"), Paragraph("p-2", 2, (), "-营商环境"))
    library = index_reports([Report("r", meta, paras, ())])
    _, lines = concordance_lines(library, request("营商环境"))
    rows = list(csv.DictReader(io.StringIO(kwic_csv(lines).lstrip("\ufeff"))))
    assert sorted(r["left"] for r in rows) == ["'-", "'="]
    assert {r["report_title"] for r in rows} == {"'=报告"}


def test_kwic_page_lists_lines_with_sort_links(client):
    r = client.get("/kwic", query_string={"q": "综合查一次", "sort": "left", "size": 5})
    assert r.status_code == 200
    soup = BeautifulSoup(r.data, "html.parser")
    total = client.get("/api/kwic", query_string={"q": "综合查一次"}).get_json()["total"]
    assert int(soup.select_one("#kwic-total")["data-total"]) == total
    assert len(soup.select(".kwic-line")) == min(5, total)
    assert soup.select_one(".kwic-sort a[aria-current]")["data-sort"] == "left"
    source = soup.select_one(".kwic-line .kwic-source")["href"]
    assert source.startswith("/reports/") and "#p-" in source and "q=" in source
    assert soup.select_one("a[href^='/kwic.csv']")
    assert client.get("/kwic").status_code == 200
