"""The JSON API contract."""

from __future__ import annotations

import pytest


def test_search_contract(client):
    r = client.get("/api/search", query_string={"q": "综合查一次"})
    assert r.status_code == 200
    assert r.content_type.startswith("application/json")
    data = r.get_json()
    assert set(data) >= {"query", "mode", "total", "page", "size", "took_ms", "hits", "facets"}
    assert data["mode"] == "exact" and data["total"] == len(data["hits"]) > 0
    hit = data["hits"][0]
    assert set(hit) == {
        "report_id", "report_title", "region", "year", "section", "section_path",
        "paragraph_id", "paragraph_number", "url", "text", "snippet", "score", "missing_words",
    }  # fmt: skip
    assert set(data["facets"]) == {"section", "report", "region", "year", "level", "kind"}
    assert all({"value", "count"} <= set(v) for v in data["facets"]["section"])
    assert "綜合查一次".encode() in r.data  # UTF-8, not \\u escapes


@pytest.mark.parametrize(
    "params, code",
    [
        ({}, "missing_query"),
        ({"q": "  "}, "missing_query"),
        ({"q": "法治", "page": "0"}, "bad_page"),
        ({"q": "法治", "size": "0"}, "bad_size"),
        ({"q": "法治", "size": "1000"}, "bad_size"),
        ({"q": "法治", "year": "last year"}, "bad_year"),
        ({"q": "法治", "sort": "x"}, "bad_sort"),
    ],
)
def test_search_errors_are_400_json(client, params, code):
    r = client.get("/api/search", query_string=params)
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == code
    assert r.get_json()["error"]["message"]


def test_reports_list_and_detail(client):
    r = client.get("/api/reports")
    assert r.status_code == 200
    reports = r.get_json()["reports"]
    assert len(reports) == 32
    seed = next(x for x in reports if x["id"] == "taicang-2024-fazhi")
    assert seed["region"] == "太仓市" and seed["year"] == 2024
    assert seed["kind"] == "法治政府建设工作情况报告" and seed["paragraphs"] > 20
    d = client.get("/api/reports/taicang-2024-fazhi")
    assert d.status_code == 200
    detail = d.get_json()
    assert len(detail["sections"]) == 6
    assert sum(len(s["children"]) for s in detail["sections"]) == 17
    assert [p["number"] for p in detail["paragraphs"]] == list(
        range(1, len(detail["paragraphs"]) + 1)
    )
    assert {"id", "number", "section_path", "text"} <= set(detail["paragraphs"][0])


def test_reports_carry_level_and_region_path(client):
    reports = client.get("/api/reports").get_json()["reports"]
    for row in reports:
        assert row["level"] in ("national", "province", "prefecture", "county"), row
        assert row["region_path"] and row["region_path"][-1] == row["region"], row
    seed = next(x for x in reports if x["id"] == "taicang-2024-fazhi")
    assert (seed["level"], seed["region_path"]) == ("county", ["江苏省", "苏州市", "太仓市"])
    detail = client.get("/api/reports/taicang-2024-fazhi").get_json()
    assert (detail["level"], detail["region_path"]) == (seed["level"], seed["region_path"])


@pytest.mark.parametrize("rid", ["nope", "..%2F..%2Fetc", "../x", "%00"])
def test_unknown_reports_are_404(client, rid):
    r = client.get(f"/api/reports/{rid}")
    assert r.status_code == 404


def test_healthz(client):
    data = client.get("/healthz").get_json()
    assert data["status"] == "ok" and data["reports"] == 32
    # Body paragraphs only (front and closing lines are not paragraphs): the reports' sum.
    reports = client.get("/api/reports").get_json()["reports"]
    assert data["paragraphs"] == sum(r["paragraphs"] for r in reports) > 2500


def test_security_headers(client):
    r = client.get("/api/search", query_string={"q": "法治"})
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"]


def test_python_cli_and_http_agree(client, runner, library, index_dir):
    import json

    from indexer.cli import main
    from indexer.query import SearchRequest, search

    q = "营商环境"
    py = search(library, SearchRequest.from_args({"q": q})).to_dict()
    http = client.get("/api/search", query_string={"q": q}).get_json()
    result = runner.invoke(main, ["search", q, "--json", "--index-dir", str(index_dir)])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output)
    for data in (http, cli):
        assert data["total"] == py["total"]
        assert [h["paragraph_id"] for h in data["hits"]] == [h["paragraph_id"] for h in py["hits"]]
        assert data["facets"] == py["facets"]


def test_requests_are_logged_without_client_data(client, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="govsearch.requests"):
        client.get(
            "/api/search",
            query_string={"q": "综合查一次"},
            environ_base={"REMOTE_ADDR": "10.9.8.7"},
        )
    lines = [r.getMessage() for r in caplog.records if r.name == "govsearch.requests"]
    assert len(lines) == 1
    assert lines[0].startswith("GET /api/search 200 ") and '"综合查一次"' in lines[0]
    assert "10.9.8.7" not in lines[0]


def test_an_index_of_another_format_asks_for_a_rebuild(tmp_path, make_engine):
    from indexer.build import index_paths
    from indexer.engines import IndexMissing
    from indexer.engines.generations import FORMAT_FILE

    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "某市2025年政府工作报告\n推进综合查一次改革。\n", encoding="utf-8"
    )
    engine = make_engine(tmp_path / "ix")
    index_paths([folder], engine)
    marker = next((tmp_path / "ix").glob(f"gen-*/{FORMAT_FILE}"))
    marker.write_text("0\n")
    with pytest.raises(IndexMissing, match="--rebuild"):
        engine.snapshot()
    assert index_paths([folder], engine).added == ["a"]  # rebuilt, not misread
    snapshot = engine.snapshot()
    try:
        assert list(snapshot.reports()) == ["a"]
    finally:
        snapshot.close()


@pytest.mark.parametrize(
    "method, path, status, code",
    [
        ("get", "/api/nothing-here", 404, "not_found"),
        ("get", "/api/reports/..%2F..%2Fetc%2Fpasswd", 404, None),
        ("get", "/api/reports/no-such-report", 404, "unknown_report"),
        ("post", "/api/search?q=法治", 405, "method_not_allowed"),
        ("delete", "/api/reports", 405, "method_not_allowed"),
        ("get", "/api/search?q=法治&page=x", 400, "bad_page"),
    ],
)
def test_every_api_error_is_json(client, method, path, status, code):
    r = getattr(client, method)(path)
    assert r.status_code == status
    assert r.content_type.startswith("application/json"), r.data[:200]
    error = r.get_json()["error"]
    assert error["message"]
    if code:
        assert error["code"] == code
    if status == 405:
        assert "GET" in r.headers["Allow"]


def test_pages_keep_their_html_errors(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404 and r.content_type.startswith("text/html")
    r = client.post("/search")
    assert r.status_code == 405 and r.content_type.startswith("text/html")
