"""Research tools: trends, exports, Atom feeds, same-sentence search, suggestions, OpenSearch."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

from indexer.normalize import normalize
from indexer.query import SearchRequest, search
from indexer.query.sentences import split

ATOM = "{http://www.w3.org/2005/Atom}"


def test_trend_counts_equal_filtered_totals(client):
    data = client.get("/api/trends", query_string={"q": "营商环境"}).get_json()
    assert data["total"] > 0 and data["by_year"] and data["by_region"]
    assert sum(p["paragraphs"] for p in data["by_year"]) == data["total"]
    for point in data["by_year"] + data["by_region"][:5]:
        key = "year" if point in data["by_year"] else "region"
        page = client.get("/api/search", query_string={"q": "营商环境", key: point["value"]})
        body = page.get_json()
        assert body["total"] == point["paragraphs"]
        assert len(body["facets"]["report"]) == point["reports"]


def test_trends_need_a_query(client):
    r = client.get("/api/trends")
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "missing_query"


def test_csv_export_has_every_hit_and_a_bom(client):
    total = client.get("/api/search", query_string={"q": "法治"}).get_json()["total"]
    r = client.get("/export.csv", query_string={"q": "法治"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert len(rows) == total > 100
    assert all("法治" in normalize(row["text"]) for row in rows)
    assert rows[0]["url"].startswith("http://localhost/reports/")
    assert rows[0]["paragraph_number"].isdigit()


def test_jsonl_export_matches_the_api_order(client):
    r = client.get("/export.jsonl", query_string={"q": "综合查一次"})
    assert r.status_code == 200
    rows = [json.loads(line) for line in r.data.decode().splitlines()]
    api = client.get("/api/search", query_string={"q": "综合查一次"}).get_json()
    assert [x["paragraph_id"] for x in rows] == [h["paragraph_id"] for h in api["hits"]]


def test_export_is_streamed(app):
    with app.test_request_context("/export.csv?q=法治"):
        response = app.full_dispatch_request()
        assert response.is_streamed


def test_cli_csv_export_equals_http_export(client, runner, index_dir):
    from indexer.cli import main

    result = runner.invoke(
        main, ["search", "营商环境", "--format", "csv", "--index-dir", str(index_dir)]
    )
    assert result.exit_code == 0, result.output
    cli_rows = list(csv.DictReader(io.StringIO(result.output.lstrip("\ufeff"))))
    http = client.get("/export.csv", query_string={"q": "营商环境"}).data.decode("utf-8-sig")
    http_rows = list(csv.DictReader(io.StringIO(http)))
    assert [r["paragraph_id"] for r in cli_rows] == [r["paragraph_id"] for r in http_rows]


def test_atom_feed_is_valid_with_stable_ids(client):
    r = client.get("/feed.atom", query_string={"q": "综合查一次"})
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    root = ET.fromstring(r.data)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 7
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("tag:govsearch,2026:")
        assert entry.find(f"{ATOM}updated").text.endswith("Z")
        assert entry.find(f"{ATOM}link").get("href").startswith("http://localhost/reports/")
    again = ET.fromstring(client.get("/feed.atom", query_string={"q": "综合查一次"}).data)
    assert [e.find(f"{ATOM}id").text for e in again.findall(f"{ATOM}entry")] == [
        e.find(f"{ATOM}id").text for e in entries
    ]


def test_feed_lists_newest_reports_first(tmp_path, make_engine):
    from indexer.build import index_paths
    from indexer.query import Library
    from indexer.query.research import feed_entries

    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "old.txt").write_text(
        "某市2023年政府工作报告\n推进综合查一次改革。\n", encoding="utf-8"
    )
    engine = make_engine(tmp_path / "ix")
    index_paths([folder], engine)
    import time

    time.sleep(1.1)
    (folder / "new.txt").write_text(
        "某市2025年政府工作报告\n深化综合查一次改革。\n", encoding="utf-8"
    )
    index_paths([folder], engine)
    entries = feed_entries(Library(tmp_path / "ix"), SearchRequest.from_args({"q": "综合查一次"}))
    assert [e.url.split("/")[2].split("#")[0] for e in entries] == ["new", "old"]
    assert entries[0].updated > entries[1].updated


def test_same_sentence_search(library):
    para = search(library, SearchRequest.from_args({"q": "营商环境 一件事", "size": "100"}))
    sent = search(library, SearchRequest.from_args({"q": "营商环境 ~句 一件事", "size": "100"}))
    via_param = search(
        library,
        SearchRequest.from_args({"q": "营商环境 一件事", "within": "sentence", "size": "100"}),
    )
    assert 0 < sent.total < para.total
    assert via_param.total == sent.total and sent.within == "sentence"
    for hit in sent.hits:
        assert any("营商环境" in normalize(s) and "一件事" in normalize(s) for s in split(hit.text))
        shown = hit.snippet.replace("<mark>", "").replace("</mark>", "")
        assert "。" not in shown[:-1]  # the snippet is the one sentence


def test_suggestions_from_headings_and_words(client):
    r = client.get("/api/suggest", query_string={"q": "营商"})
    assert r.status_code == 200
    typed, suggestions = r.get_json()
    assert typed == "营商" and suggestions
    assert all("营商" in normalize(s) for s in suggestions)
    traditional = client.get("/api/suggest", query_string={"q": "綜合"}).get_json()[1]
    assert traditional and all("综合" in normalize(s) for s in traditional)
    assert client.get("/api/suggest").get_json() == ["", []]


def test_opensearch_description(client):
    r = client.get("/opensearch.xml")
    assert r.status_code == 200
    root = ET.fromstring(r.data)
    urls = root.findall("{http://a9.com/-/spec/opensearch/1.1/}Url")
    templates = {u.get("type"): u.get("template") for u in urls}
    assert templates["text/html"].endswith("/search?q={searchTerms}")
    assert "/api/suggest?q={searchTerms}" in templates["application/x-suggestions+json"]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized(index_reports):
    from indexer.model import Paragraph, Report, ReportMeta
    from indexer.query.research import csv_chunks, export_rows

    texts = ["--营商环境是生产力", "=HYPERLINK(营商环境)", "+营商环境", "@营商环境",
             "\t营商环境", "营商环境 - 不变"]  # fmt: skip
    paragraphs = tuple(Paragraph(f"p-{i}", i + 1, (), t) for i, t in enumerate(texts))
    meta = ReportMeta("=1+1报告", "-地区", 2024, "政府工作报告", source_url="https://example.org/r")
    library = index_reports([Report("r", meta, paragraphs, ())])
    body = "".join(csv_chunks(export_rows(library, SearchRequest.from_args({"q": "营商环境"}))))
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert sorted(r["text"] for r in rows) == sorted(
        ("'" + t if t[0] in "=+-@\t" else t) for t in texts
    )
    assert all(r["report_title"] == "'=1+1报告" and r["region"] == "'-地区" for r in rows)
    assert all(r["source_url"] == "https://example.org/r" for r in rows)


def test_exports_have_one_charset_a_named_file_and_list_paths(client):
    from urllib.parse import unquote

    r = client.get("/export.csv", query_string={"q": "综合查一次"})
    assert r.status_code == 200
    assert r.headers["Content-Type"].count("charset") == 1
    disposition = r.headers["Content-Disposition"]
    assert 'filename="govsearch-export.csv"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "govsearch-综合查一次.csv"
    r.get_data()
    r.close()  # a streamed body: finish it before the next request
    r = client.get("/export.jsonl", query_string={"q": "综合查一次"})
    assert r.headers["Content-Type"].count("charset") == 1
    rows = [json.loads(line) for line in r.data.decode().splitlines()]
    assert rows and all(isinstance(row["section_path"], list) for row in rows)
    assert all("source_url" in row for row in rows)
    r.close()
