"""Compare and terms over HTTP: the JSON API and the pages say the same thing."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from report_pairs import CURRENT, PREVIOUS, write_pair

from indexer.build import index_paths
from indexer.query.script import is_traditional


@pytest.fixture(scope="module")
def pair_client(tmp_path_factory, make_engine):
    """A client over an index of a report and its made-up predecessor."""
    from webapp import create_app

    root = tmp_path_factory.mktemp("pair")
    summary = index_paths([write_pair(root / "corpus")], make_engine(root / "ix"))
    assert not summary.failed
    return create_app({"TESTING": True, "INDEX_DIR": str(root / "ix")}).test_client()


def compared(client, a=PREVIOUS, b=CURRENT, **params) -> dict:
    r = client.get("/api/compare", query_string={"a": a, "b": b, **params})
    assert r.status_code == 200
    return r.get_json()


def test_compare_api_contract(pair_client):
    data = compared(pair_client)
    assert data["a"]["id"] == PREVIOUS and data["b"]["year"] == 2026
    summary = data["summary"]
    assert summary["moved"] == 1 and summary["removed"] == 1 and summary["added"] == 2
    assert summary["changed"] > 0 and sum(summary.values()) == len(data["pairs"])
    detail = pair_client.get(f"/api/reports/{CURRENT}").get_json()
    assert [p["b"] for p in data["pairs"] if p["b"]] == [p["id"] for p in detail["paragraphs"]]
    for pair in data["pairs"]:
        assert set(pair) == {"status", "a", "b", "section_path", "diff"}
        if pair["status"] == "changed":
            assert pair["diff"] and not re.sub(r"</?(?:ins|del)>", "", pair["diff"]).count("<")
        if pair["status"] in ("same", "added", "removed"):
            assert pair["diff"] is None


def test_a_report_compared_with_itself_over_http_is_all_same(pair_client):
    data = compared(pair_client, CURRENT, CURRENT)
    assert {p["status"] for p in data["pairs"]} == {"same"}
    assert data["summary"]["same"] == len(data["pairs"])


@pytest.mark.parametrize(
    "params, status, code",
    [
        ({"a": PREVIOUS}, 400, "missing_report"),
        ({"a": PREVIOUS, "b": "nope"}, 404, "unknown_report"),
    ],
)
def test_compare_api_errors(pair_client, params, status, code):
    r = pair_client.get("/api/compare", query_string=params)
    assert r.status_code == status and r.get_json()["error"]["code"] == code


def test_compare_page_renders_the_api_result(pair_client):
    data = compared(pair_client)
    r = pair_client.get("/compare", query_string={"a": PREVIOUS, "b": CURRENT})
    assert r.status_code == 200
    soup = BeautifulSoup(r.data, "html.parser")
    counts = {li["data-status"]: int(li["data-count"]) for li in soup.select(".compare-summary li")}
    assert counts == data["summary"]
    rows = soup.select(".compare-row")
    assert [row["data-status"] for row in rows] == [p["status"] for p in data["pairs"]]
    for row, pair in zip(rows, data["pairs"], strict=True):
        for side in ("a", "b"):
            link = row.select_one(f".side-link[data-side={side}]")
            if pair[side] is None:
                assert link is None
            else:
                assert link["href"] == f"/reports/{data[side]['id']}#{pair[side]}"
    changes = pair_client.get(
        "/compare", query_string={"a": PREVIOUS, "b": CURRENT, "changes": "1"}
    )
    shown = BeautifulSoup(changes.data, "html.parser").select(".compare-row")
    assert len(shown) == len(data["pairs"]) - data["summary"]["same"]


def test_compare_page_follows_the_script_switch(pair_client):
    pages = {
        script: BeautifulSoup(pair_client.get("/compare", query_string={
            "a": PREVIOUS, "b": CURRENT, "script": script}).data, "html.parser")
        for script in ("orig", "s")
    }  # fmt: skip
    written = [p.get_text() for p in pages["orig"].select(".side-a .side-text")]
    assert pages["orig"].select(".side-both")  # unchanged text written alike: shown once
    simplified = [p.get_text() for p in pages["s"].select(".side-a .side-text")]
    assert sum(map(is_traditional, written)) == 1  # the one paragraph written in Traditional
    assert not any(map(is_traditional, simplified))


def test_compare_page_without_reports_offers_a_chooser(pair_client):
    r = pair_client.get("/compare")
    assert r.status_code == 200
    soup = BeautifulSoup(r.data, "html.parser")
    assert len(soup.select("select[name=a] option")) == 3 and not soup.select(".compare-row")
    assert pair_client.get("/compare", query_string={"a": "x", "b": CURRENT}).status_code == 404


def test_report_page_links_to_the_previous_report(pair_client):
    soup = BeautifulSoup(pair_client.get(f"/reports/{CURRENT}").data, "html.parser")
    link = soup.select_one("a.compare-previous")
    assert link["href"] == f"/compare?a={PREVIOUS}&b={CURRENT}"
    older = BeautifulSoup(pair_client.get(f"/reports/{PREVIOUS}").data, "html.parser")
    assert older.select_one("a.compare-previous") is None


def test_terms_api_and_panel(pair_client):
    r = pair_client.get(f"/api/reports/{CURRENT}/terms")
    assert r.status_code == 200
    data = r.get_json()
    assert data["report"] == CURRENT and data["baseline"] == [PREVIOUS]
    assert all(set(t) >= {"term", "count", "per_10k", "baseline_count"} for t in data["top"])
    new = {t["term"]: t for t in data["new"]}
    assert new["人工智能"]["count"] == 6 and new["人工智能"]["first_year"] == 2026
    for term in data["new"]:  # the property, over HTTP
        found = pair_client.get("/api/search", query_string={
            "q": f'"{term["term"]}"', "report": PREVIOUS}).get_json()  # fmt: skip
        assert found["total"] == 0, term
    soup = BeautifulSoup(pair_client.get(f"/reports/{CURRENT}").data, "html.parser")
    panel = soup.select_one("#terms")
    shown = [a.get_text() for a in panel.select(".terms-top li > a")]
    assert shown == [t["term"] for t in data["top"][: len(shown)]] and shown
    assert "人工智能" in [a.get_text() for a in panel.select(".terms-new li > a")]


def test_terms_without_baseline_say_so(pair_client):
    data = pair_client.get(f"/api/reports/{PREVIOUS}/terms").get_json()
    assert data["baseline"] == [] and data["new"] == []
    soup = BeautifulSoup(pair_client.get(f"/reports/{PREVIOUS}").data, "html.parser")
    assert "没有本地区同类的较早报告" in soup.select_one(".terms-baseline").get_text()
    assert soup.select_one(".terms-new") is None
    r = pair_client.get("/api/reports/nope/terms")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "unknown_report"


def test_terms_with_an_explicit_baseline(client):
    params = {"baseline": "2026_北京市_政府工作报告"}
    data = client.get("/api/reports/2026_上海市_政府工作报告/terms", query_string=params).get_json()
    assert data["baseline"] == ["2026_北京市_政府工作报告"] and data["new"]
    term = data["new"][0]["term"]
    found = client.get("/api/search", query_string={"q": f'"{term}"', "report": params["baseline"]})
    assert found.status_code == 200 and found.get_json()["total"] == 0
    shipped = client.get("/api/reports/taicang-2024-fazhi/terms")
    assert shipped.status_code == 200 and shipped.get_json()["baseline"] == []


@pytest.mark.parametrize("term", ["綜合查一次", "营商环境", "AI"])
def test_term_history_counts_what_the_search_finds(client, term):
    r = client.get("/api/terms", query_string={"q": term})
    assert r.status_code == 200
    data = r.get_json()
    found = client.get("/api/search", query_string={"q": f'"{term}"', "size": 1}).get_json()
    reports = {f["value"] for f in found["facets"]["report"]}
    assert data["reports"] == len(reports) == sum(y["reports"] for y in data["by_year"])
    assert all(y["reports"] <= y["reports_indexed"] for y in data["by_year"])
    if reports:
        assert data["first_year"] == min(y["year"] for y in data["by_year"] if y["reports"])
        assert set(data["first_reports"]) <= reports


def test_term_history_needs_a_term(client):
    r = client.get("/api/terms", query_string={"q": " "})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_term"
