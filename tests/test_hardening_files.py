"""Hardening: hostile documents are shown as text everywhere; bad corpus files lose nothing.

* Reports whose text is HTML, ``<script>``, ``javascript:`` URLs, entity tricks, terminal
  escape sequences or one enormous line are indexed as text, and every page, snippet, facet,
  feed and CLI line shows them escaped.
* Binary data named .txt, truncated GB18030, a 0-byte file, a 50 MB file, files with no body
  and the same report under two names are each reported (or flagged), memory stays bounded,
  the run finishes and every report indexed before is still searchable.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from indexer.build import index_paths
from indexer.cli import main
from indexer.engines import open_engine
from indexer.query import Library, SearchRequest, search

GOVSEARCH = str(Path(sys.executable).with_name("govsearch"))
ESC = "\x1b"
HANG_SECONDS = 30  # only catches hangs: tests assert behaviour, benchmarks measure time
ENORMOUS_CHARS = 40_000  # one line; the snippet test below goes bigger

HOSTILE_TXT = f"""<script>alert("title")</script>恶意标题测试报告
各位代表：
一、<b>加粗</b>的章节标题
正文包含<script>alert(1)</script>脚本标签，以及<img src=x onerror=alert(2)>图片标签。
链接段落javascript:alert(3)和<a href="javascript:alert(4)">点我</a>的写法。
实体花招&lt;script&gt;alert(5)&lt;/script&gt;与&#x3C;script&#x3E;还有&amp;lt;的写法。
终端转义{ESC}[2J{ESC}]0;pwned\x07红色警报的段落{ESC}[31m。
二、存在的不足
超长段落开始{"<script>alert(6)</script>营商环境持续优化，" * (ENORMOUS_CHARS // 30)}超长段落结束。
"""

HOSTILE_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>某县&lt;script&gt;网页报告</title>
<script>alert("head")</script></head>
<body onload="alert('body')"><div class="article">
<h1>某县2024年法治政府建设情况报告</h1>
<p>网页正文写着&lt;script&gt;alert(7)&lt;/script&gt;这样的实体文本。</p>
<p>一段带<a href="javascript:alert(8)">伪链接</a>和<iframe src="javascript:alert(9)"></iframe>的网页文字。</p>
<p onclick="alert(10)">点击属性的段落，仍然是正常的网页内容和文字。</p>
<script>document.write("注入的脚本文字")</script>
</div></body></html>
"""


class TagScan(HTMLParser):
    """Every start tag with its attributes, as a browser would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def assert_safe_html(page: str) -> None:
    """No script but /static/ files, no inline handlers, no javascript: URLs, no payload tags."""
    scan = TagScan()
    scan.feed(page)
    for tag, attrs in scan.tags:
        assert tag not in ("iframe", "object", "embed", "b", "i"), (tag, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs
        if tag == "img":
            assert attrs.get("src", "").startswith(("/static/", "data:")), attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            assert not re.sub(r"\s", "", value).lower().startswith("javascript:"), (tag, name)
    for payload in ("<script>alert", "<img src=x", "<b>加粗", "<i>恶意"):
        assert payload not in page


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A small index holding the hostile reports next to one ordinary report."""
    root = tmp_path_factory.mktemp("hostile")
    reports = root / "reports"
    reports.mkdir()
    (reports / "hostile.txt").write_text(HOSTILE_TXT, encoding="utf-8")
    (reports / "hostile.txt.meta.json").write_text(
        json.dumps({"region": "<i>恶意地区</i>", "year": "2024"}, ensure_ascii=False),
        encoding="utf-8",
    )
    (reports / "page.html").write_text(HOSTILE_HTML, encoding="utf-8")
    (reports / "link.txt").write_text(
        "某市2023年工作报告\n一、总体情况\n带有来源链接的普通报告正文。\n", encoding="utf-8"
    )
    (reports / "link.txt.meta.json").write_text(
        json.dumps({"source_url": "javascript:alert(11)"}), encoding="utf-8"
    )
    summary = index_paths([reports], open_engine(root / "ix"))
    assert not summary.failed, summary.failed
    assert sorted(summary.added) == ["hostile", "link", "page"]
    from webapp import create_app

    app = create_app({"INDEX_DIR": str(root / "ix")})
    return app, Library(root / "ix"), root / "ix"


def get(client, url, **kw):
    response = client.get(url, **kw)
    body = response.get_data(as_text=True)
    response.close()
    assert response.status_code < 500, (url, body[:300])
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    return response, body


def test_hostile_text_is_indexed_as_text(hostile):
    _, library, _ = hostile
    for q, fragment in [
        ('"<script>alert(1)</script>"', "<script>alert(1)</script>脚本标签"),
        ('"<img src=x onerror=alert(2)>"', "<img src=x onerror=alert(2)>"),
        ("javascript:alert(3)", "javascript:alert(3)"),
        ('"&lt;script&gt;alert(5)"', "&lt;script&gt;alert(5)&lt;/script&gt;"),
        ("&#x3C;script&#x3E;", "&#x3C;script&#x3E;"),
        ("超长段落结束", "超长段落结束"),
        ("<script>alert(7)</script>", "<script>alert(7)</script>"),  # an entity in an HTML page
    ]:
        results = search(library, SearchRequest.from_args({"q": q}))
        assert results.mode == "exact" and results.total >= 1, q
        assert any(fragment in h.text for h in results.hits), (
            q,
            [h.text[:80] for h in results.hits],
        )
    # an HTML page's own scripts and handlers are not text of the report
    for q in ("注入的脚本文字", 'alert("head")', "alert('body')", "alert(10)"):
        assert search(library, SearchRequest.from_args({"q": q})).total == 0, q


def test_api_snippets_contain_only_mark_tags(hostile):
    app, _, _ = hostile
    client = app.test_client()
    for q in ("脚本标签", "alert", "script", "营商环境", "实体花招", "红色警报", "javascript"):
        response, _ = get(client, "/api/search", query_string={"q": q, "size": "100"})
        data = response.get_json()
        assert data["total"] >= 1, q
        for hit in data["hits"]:
            bare = re.sub(r"</?mark>", "", hit["snippet"])
            assert "<" not in bare and ">" not in bare, hit["snippet"]
            assert len(bare) < 1000  # a 100,000-character line still gives a short snippet
        # titles and facet values are data in JSON: returned as written, never interpreted
        assert all(isinstance(v["value"], str) for f in data["facets"].values() for v in f)


def test_pages_show_hostile_text_escaped(hostile):
    app, _, _ = hostile
    rules = {r.rule for r in app.url_map.iter_rules()}
    if "/search" not in rules:
        pytest.skip("the HTML pages are not there yet")
    client = app.test_client()
    for q in ("脚本标签", "alert", "营商环境", "实体花招", "script", "region:<i>恶意地区</i> 正文"):
        response, body = get(client, "/search", query_string={"q": q})
        assert response.status_code == 200, q
        assert_safe_html(body)
    _, body = get(client, "/search", query_string={"q": "实体花招"})
    assert "&amp;lt;script&amp;gt;alert(5)" in body  # the entity text shows as written
    for report_id in ("hostile", "page"):
        response, body = get(client, f"/reports/{report_id}", query_string={"q": "script"})
        assert response.status_code == 200
        assert_safe_html(body)
    _, body = get(client, "/reports/hostile")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&amp;#x3C;script&amp;#x3E;" in body
    _, home = get(client, "/")
    assert_safe_html(home)


def test_source_url_is_never_a_javascript_link(hostile):
    app, _, _ = hostile
    if "/reports/<report_id>" not in {r.rule for r in app.url_map.iter_rules()}:
        pytest.skip("no report page yet")
    _, body = get(app.test_client(), "/reports/link")
    assert_safe_html(body)


def test_snippet_of_an_enormous_paragraph_is_fast():
    import time

    from indexer.query.snippets import snippet

    # 100,000 matches: a window search quadratic in the matches would not end within the
    # guard below (which only catches hangs); the linear one takes a fraction of a second.
    text = "<script>alert(6)</script>营商环境持续优化，" * 100_000
    started = time.perf_counter()
    html = snippet(text, ["营商"])
    assert time.perf_counter() - started < HANG_SECONDS
    assert "<mark>营商</mark>" in html and "<script>" not in html


def test_every_other_endpoint_escapes_hostile_text(hostile):
    """Feeds, exports, suggestions...: whatever is registered must stay well-formed."""
    app, _, _ = hostile
    client = app.test_client()
    paths = sorted(
        r.rule
        for r in app.url_map.iter_rules()
        if "GET" in (r.methods or ()) and not r.arguments and r.endpoint != "static"
    )
    for path in paths:
        response, body = get(client, path, query_string={"q": "alert"})
        kind = response.content_type
        if "html" in kind:
            assert_safe_html(body)
        elif "xml" in kind:
            tree = ET.fromstring(body.encode())  # well-formed, the payload is text
            assert not [e for e in tree.iter() if e.tag.rsplit("}", 1)[-1] == "script"]
        elif "json" in kind:  # a document, or JSON lines
            try:
                json.loads(body)
            except json.JSONDecodeError:
                [json.loads(line) for line in body.splitlines() if line.strip()]


def test_cli_output_has_no_raw_control_sequences(hostile):
    from click.testing import CliRunner

    _, _, ix = hostile
    runner = CliRunner()
    for color in (False, True):
        result = runner.invoke(main, ["search", "红色警报", "--index-dir", str(ix)], color=color)
        assert result.exit_code == 0, result.output
        assert "红色警报" in result.output
        for seq in ("\x1b[2J", "\x1b]0;", "\x07"):
            assert seq not in result.output, (color, result.output)
        if not color:
            assert ESC not in result.output
    result = runner.invoke(main, ["search", "红色警报", "--json", "--index-dir", str(ix)])
    assert result.exit_code == 0 and ESC not in result.output and "\\u001b" in result.output
    result = runner.invoke(main, ["search", "<script>alert(1)</script>", "--index-dir", str(ix)])
    assert result.exit_code == 0 and "<script>alert(1)</script>" in result.output  # plain text


# -- bad corpus files ---------------------------------------------------------------------

GOOD = {
    "a.txt": "甲市2023年度法治政府建设工作情况报告\n一、加强组织领导\n甲市推进“综合查一次”改革，独有词甲壳虫行动。\n二、存在的不足\n部分执法人员能力有待提升。\n",
    "b.txt": "乙市2022年政府工作报告\n各位代表：\n一、过去一年的工作\n推进营商环境建设，独有词乙醇汽油计划。\n",
    "c.txt": "丙县2024年政府工作报告\n一、主要工作\n深化“一网通办”，独有词丙烯酸工程。\n",
}
UNIQUE = {"a": "甲壳虫行动", "b": "乙醇汽油计划", "c": "丙烯酸工程"}
GB_REPORT = (
    "丁市2021年政府工作报告\n一、主要成绩\n开展独有词丁香花园建设，群众满意度提高了很多很多。\n"
)


def run_measured(args: list[str], timeout: float = 120) -> tuple[int, str, str, float]:
    """Run a command; return (exit code, stdout, stderr, peak RSS of the command in MB)."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=TIMEOUT)\n"
        "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr)\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "sys.stderr.write(f'\\nRSS_KB={rss}\\n'); sys.exit(p.returncode)\n"
    ).replace("TIMEOUT", repr(timeout))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVSEARCH_")}
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, *args], capture_output=True, text=True,
        timeout=timeout + 10, env=env,
    )  # fmt: skip
    rss = int(re.search(r"RSS_KB=(\d+)", proc.stderr).group(1)) / 1024
    return proc.returncode, proc.stdout, proc.stderr, rss


def write_50mb(path: Path) -> None:
    line = ("推进营商环境建设，深化政务服务改革，持续优化法治政府建设工作。" * 4 + "\n").encode()
    chunk = line * (1024 * 1024 // len(line) + 1)
    with path.open("wb") as handle:
        written = 0
        handle.write("戊市2024年政府工作报告\n一、超大文件\n".encode())
        while written < 50 * 1024 * 1024:
            handle.write(chunk)
            written += len(chunk)


@pytest.mark.slow
def test_bad_files_are_reported_and_lose_nothing(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, text in GOOD.items():
        (folder / name).write_text(text, encoding="utf-8")
    ix = tmp_path / "ix"
    code, out, err, baseline_rss = run_measured(
        [GOVSEARCH, "index", str(folder), "--index-dir", str(ix)]
    )
    assert code == 0, err
    assert "3 added" in out

    # the bad files, plus a good report that turned into garbage
    (folder / f"evil{ESC}[2Jname.txt").write_bytes(bytes(range(256)) * 40)  # binary, NULs
    (folder / "c.txt").write_bytes(b"\x00\x01\x02garbage" * 100)
    (folder / "truncated.txt").write_bytes(GB_REPORT.encode("gb18030")[:-1])  # cut mid-character
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b"\r\n  \n\t\n")
    (folder / "chrome.txt").write_text(
        "首页 > 新闻中心\n【打印本页】【关闭窗口】\n", encoding="utf-8"
    )
    (folder / "title-only.txt").write_text("某市政府工作报告\n", encoding="utf-8")
    (folder / "copy-of-b.txt").write_bytes((folder / "b.txt").read_bytes())
    (folder / "fake-pdf.pdf").write_bytes(b"not a pdf at all")
    (folder / "fake-docx.docx").write_bytes(b"PK\x03\x04 not a zip")
    write_50mb(folder / "huge.txt")

    code, out, err, rss = run_measured([GOVSEARCH, "index", str(folder), "--index-dir", str(ix)])
    assert code == 1, err  # some files failed: scripts must be able to tell
    failed = dict(re.findall(r"^failed: (.*?): (.*)$", err, re.M))
    reasons = {Path(name).name: reason for name, reason in failed.items()}
    assert "binary" in reasons["evil?[2Jname.txt"], reasons
    assert "binary" in reasons["c.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "empty" in reasons["blank.txt"] or "no body" in reasons["blank.txt"]
    assert "no body" in reasons["chrome.txt"]
    assert "no body" in reasons["title-only.txt"]
    assert "PDF" in reasons["fake-pdf.pdf"] and "docx" in reasons["fake-docx.docx"]
    assert "too large" in reasons["huge.txt"] and "50.0 MB" in reasons["huge.txt"]
    assert "truncated.txt" not in reasons  # readable up to the cut: indexed
    assert ESC not in err and ESC not in out
    warnings = re.findall(r"^warning: (.*)$", err, re.M)
    assert any("duplicate" in w and "copy-of-b.txt" in w and "/b.txt" in w for w in warnings), err
    print(f"peak RSS: {baseline_rss:.0f} MB good files only, {rss:.0f} MB with the bad ones")
    assert rss < baseline_rss + 64, (rss, baseline_rss)  # the 50 MB file was never loaded

    library = Library(ix)
    # c.txt is garbage now: its last good version stays; the duplicate is indexed and flagged
    expected = {"a": ["a"], "b": ["b", "copy-of-b"], "c": ["c"]}
    for report_id, word in UNIQUE.items():
        hits = search(library, SearchRequest.from_args({"q": word})).hits
        assert sorted(h.report_id for h in hits) == expected[report_id], word
    truncated = search(library, SearchRequest.from_args({"q": "丁香花园"})).hits
    assert [h.report_id for h in truncated] == ["truncated"]
    assert {s.id for s in library.searcher().summaries()} == {
        "a",
        "b",
        "c",
        "copy-of-b",
        "truncated",
    }

    again = index_paths([folder], open_engine(ix))  # a rerun: same verdicts, nothing removed
    assert again.removed == [] and not again.added and not again.updated
    assert len(again.failed) == len(failed)
    assert any("duplicate" in w for w in again.warnings)


def test_size_limits_are_configurable(tmp_path, monkeypatch):
    from indexer.reading import UnreadableReport, read_source

    path = tmp_path / "r.txt"
    path.write_text(
        "某市政府工作报告\n一、工作\n" + "推进法治政府建设。" * 2000 + "\n", encoding="utf-8"
    )
    assert read_source(path).lines
    monkeypatch.setenv("GOVSEARCH_MAX_TEXT_CHARS", "1000")
    with pytest.raises(UnreadableReport, match="too much text"):
        read_source(path)
    monkeypatch.setenv("GOVSEARCH_MAX_TEXT_CHARS", "")
    monkeypatch.setenv("GOVSEARCH_MAX_FILE_MB", "0")  # nonsense: the default applies
    assert read_source(path).lines
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)  # sparse: no disk, no memory
    with pytest.raises(UnreadableReport, match="too large"):
        read_source(big)
    monkeypatch.setenv("GOVSEARCH_MAX_FILE_MB", "1")
    with pytest.raises(UnreadableReport, match=r"too large: 1\.0 MB|too large"):
        path.write_bytes(b"x" * (1024 * 1024 + 1))
        read_source(path)
