"""Inside a report: find across scripts (API and ?find= view), section paths of linked paragraphs."""

from __future__ import annotations

from bs4 import BeautifulSoup

from indexer.normalize import normalize
from indexer.query.reports import find_spans, report_detail

TAICANG = "taicang-2024-fazhi"


def test_find_matches_across_scripts_and_returns_spans_of_the_text(searcher):
    detail = report_detail(searcher, TAICANG)
    spans = find_spans(detail["paragraphs"], "综合查一次")
    pairs = zip(detail["paragraphs"], spans, strict=True)
    found = [p["text"][s:e] for p, ss in pairs for s, e in ss]
    assert found and set(found) == {"綜合查一次"}
    assert find_spans(detail["paragraphs"], "  ") == [[] for _ in detail["paragraphs"]]


def test_find_api(client):
    r = client.get(f"/api/reports/{TAICANG}/find", query_string={"q": "综合查一次"})
    assert r.status_code == 200
    data = r.get_json()
    assert data["total"] == sum(len(p["spans"]) for p in data["paragraphs"]) > 0
    detail = client.get(f"/api/reports/{TAICANG}").get_json()
    texts = {p["id"]: p["text"] for p in detail["paragraphs"]}
    for p in data["paragraphs"]:
        assert all(texts[p["id"]][s:e] == "綜合查一次" for s, e in p["spans"])
    assert client.get(f"/api/reports/{TAICANG}/find").status_code == 400
    assert client.get("/api/reports/nope/find?q=x").status_code == 404


def test_find_view_marks_and_numbers_every_occurrence(client):
    r = client.get(f"/reports/{TAICANG}", query_string={"find": "法治政府"})
    assert r.status_code == 200
    page = BeautifulSoup(r.data, "html.parser")
    marks = page.select("mark.find")
    count = int(page.select_one("#find-count").get_text())
    api = client.get(f"/api/reports/{TAICANG}/find", query_string={"q": "法治政府"}).get_json()
    assert len(marks) == count == api["total"] > 3
    assert [m["id"] for m in marks] == [f"find-{n}" for n in range(1, count + 1)]
    assert {normalize(m.get_text()) for m in marks} == {"法治政府"}  # in either script
    assert page.select_one("a.find-first")["href"] == "#find-1"
    assert page.select_one("#find")["value"] == "法治政府"


def test_find_nothing_says_so(client):
    page = BeautifulSoup(client.get(f"/reports/{TAICANG}?find=不存在的词语").data, "html.parser")
    assert "没有" in page.select_one(".find-notice").get_text() and not page.select("mark.find")


def test_paragraphs_carry_their_section_path_for_a_linked_arrival(client):
    detail = client.get(f"/api/reports/{TAICANG}").get_json()
    page = BeautifulSoup(client.get(f"/reports/{TAICANG}").data, "html.parser")
    for p in detail["paragraphs"]:
        if p["is_heading"] or not p["section_path"]:
            continue
        shown = page.select_one(f"p#{p['id']}")
        assert shown["data-path"] == " › ".join(p["section_path"])
