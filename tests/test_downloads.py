"""Reports to keep: plain text and Markdown downloads with their metadata at the top."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from indexer.model import Paragraph, Report, ReportMeta
from indexer.query.downloads import download_names, report_markdown, report_text

TAICANG = "taicang-2024-fazhi"


def disposition_name(response) -> str:
    return unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''")[1])


@pytest.mark.parametrize(("ext", "mimetype"), [("txt", "text/plain"), ("md", "text/markdown")])
def test_download_is_the_report_as_indexed(client, ext, mimetype):
    detail = client.get(f"/api/reports/{TAICANG}").get_json()
    r = client.get(f"/reports/{TAICANG}.{ext}")
    assert r.status_code == 200
    assert r.mimetype == mimetype and r.headers["Content-Type"].count("charset=utf-8") == 1
    assert r.headers["Content-Disposition"].startswith(f'attachment; filename="{TAICANG}.{ext}"')
    assert disposition_name(r) == f"{detail['title']}.{ext}"
    body = r.data.decode("utf-8")
    head = body.split("\n\n", 2)[:2]
    assert detail["title"] in head[0]
    assert "2024" in head[1] and "太仓市" in head[1]
    pos = 0
    for p in detail["paragraphs"]:  # every paragraph, in reading order
        found = body.find(p["text"][:12] if ext == "md" else p["text"], pos)
        assert found >= pos, p["id"]
        pos = found


def test_markdown_headings_follow_the_sections(client):
    detail = client.get(f"/api/reports/{TAICANG}").get_json()
    body = client.get(f"/reports/{TAICANG}.md").data.decode("utf-8")
    headings = [line for line in body.splitlines() if line.startswith("#")]
    assert headings[0] == f"# {detail['title']}"
    expected = ["#" * (len(p["section_path"]) + 1) + " " + p["text"]
                for p in detail["paragraphs"] if p["is_heading"]]  # fmt: skip
    assert headings[1:] == expected and len(expected) > 2


def test_metadata_and_markdown_escaping():
    meta = ReportMeta("某市2025年政府工作报告", "某市", 2025, "政府工作报告", "2025-01-20",
                      "https://example.org/r", "prefecture", ("某省", "某市"))  # fmt: skip
    paras = (
        Paragraph("p-1", 1, ("一、回顾",), "一、回顾", is_heading=True),
        Paragraph("p-2", 2, ("一、回顾",), "# 不是标题 *也不是强调*"),
        Paragraph("p-3", 3, ("一、回顾",), "1. 不是列表"),
    )
    report = Report("r-2025", meta, paras, ())
    text = report_text(report)
    assert text.startswith("某市2025年政府工作报告\n\n地区：某省 › 某市\n层级：地级\n年份：2025\n")
    assert "发布日期：2025-01-20\n来源：https://example.org/r\n" in text
    assert "# 不是标题 *也不是强调*" in text  # plain text stays as indexed
    md = report_markdown(report)
    assert "## 一、回顾" in md and "- 来源：https://example.org/r" in md
    assert "\\# 不是标题 \\*也不是强调\\*" in md and "1\\. 不是列表" in md
    assert download_names(report, "md") == ("某市2025年政府工作报告.md", "r-2025.md")


def test_unknown_report_is_404(client):
    assert client.get("/reports/nope.txt").status_code == 404
    assert client.get("/reports/nope.md").status_code == 404


def test_report_page_links_its_downloads(client):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(client.get(f"/reports/{TAICANG}").data, "html.parser")
    links = {a["href"] for a in soup.select(".keep-tools a[download]")}
    assert links == {f"/reports/{TAICANG}.txt", f"/reports/{TAICANG}.md"}
    assert soup.select_one(".print-source") is None  # nothing to print: no date, no source
    soup = BeautifulSoup(client.get("/reports/2026_广东省_政府工作报告").data, "html.parser")
    assert "来源：https://www.gd.gov.cn/" in soup.select_one(".print-source").get_text()
