"""Tests for the reading stage: bytes on disk -> clean body lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.reading import (
    SUPPORTED_SUFFIXES,
    SourceText,
    UnreadableReport,
    decode_bytes,
    read_source,
    strip_chrome,
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

SIMPLIFIED = (
    "2025年是“十四五”规划收官之年。过去一年，我们坚持稳中求进工作总基调，"
    "全市地区生产总值增长5.2%，城乡居民收入稳步增加，生态环境持续改善。"
    "我们深入推进法治政府建设，依法行政水平不断提高，营商环境进一步优化。"
)
TRADITIONAL = (
    "2024年，太倉市全面貫徹落實黨的二十大精神，深入學習貫徹習近平法治思想，"
    "法治政府建設工作取得新成效。行政決策程序更加規範，行政執法質效穩步提升，"
    "矛盾糾紛化解機制不斷健全，人民群眾的獲得感、幸福感、安全感持續增強。"
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- decoding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")],
)
def test_simplified_encodings(tmp_path: Path, encoding: str, expected: str) -> None:
    path = write(tmp_path, "r.txt", SIMPLIFIED.encode(encoding))
    source = read_source(path)
    assert source.lines == (SIMPLIFIED,)
    assert source.encoding == expected
    assert source.format == "txt"


@pytest.mark.parametrize("encoding", ["big5", "gb18030", "utf-8"])
def test_traditional_encodings(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "r.txt", TRADITIONAL.encode(encoding))
    source = read_source(path)
    assert source.lines == (TRADITIONAL,)
    assert source.encoding == encoding


def test_big5_is_not_mistaken_for_gb18030() -> None:
    data = TRADITIONAL.encode("big5")
    data.decode("gb18030")  # the trap: Big5 bytes decode "fine" as GB18030 ...
    assert decode_bytes(data) == (TRADITIONAL, "big5")  # ... but into nonsense


def test_gb_is_not_mistaken_for_big5() -> None:
    text = "政府工作报告指出，要加快建设现代化产业体系，推动科技创新和产业创新深度融合。"
    assert decode_bytes(text.encode("gb18030")) == (text, "gb18030")


def test_gbk_subset_decodes_as_gb18030() -> None:
    assert decode_bytes(SIMPLIFIED.encode("gbk"))[0] == SIMPLIFIED


def test_truncated_gb18030_keeps_everything_but_the_cut_character(tmp_path: Path) -> None:
    data = SIMPLIFIED.encode("gb18030")
    assert SIMPLIFIED.endswith("。")
    path = write(tmp_path, "cut.txt", data[:-1])  # half of the final "。"
    source = read_source(path)
    assert source.encoding == "gb18030"
    assert source.lines == (SIMPLIFIED[:-1],)


def test_truncated_utf8_keeps_everything_but_the_cut_character() -> None:
    text, encoding = decode_bytes(SIMPLIFIED.encode("utf-8")[:-2])
    assert (text, encoding) == (SIMPLIFIED[:-1], "utf-8")


def test_binary_txt_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "b.txt", bytes(range(256)) * 8)
    with pytest.raises(UnreadableReport, match="binary"):
        read_source(path)


def test_control_characters_are_binary() -> None:
    with pytest.raises(UnreadableReport, match="binary"):
        decode_bytes(b"\x01\x02\x03\x04abc\x05\x06\x07" * 50)


def test_empty_file_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(UnreadableReport, match="empty file") as info:
        read_source(write(tmp_path, "e.txt", b""))
    assert str(info.value) == info.value.reason == "empty file"


def test_whitespace_only_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(UnreadableReport, match="empty"):
        read_source(write(tmp_path, "w.txt", " \n\t\r\n\u3000\n".encode()))


def test_undecodable_is_rejected() -> None:
    with pytest.raises(UnreadableReport, match="cannot decode"):
        decode_bytes(b"\x81\x20\xff\xfe\x80\x80 abc \xff" * 30)


def test_only_chrome_is_no_body_text(tmp_path: Path) -> None:
    with pytest.raises(UnreadableReport, match="no body text"):
        read_source(write(tmp_path, "c.txt", "打印\n关闭窗口\n【字号：\n大\n中\n小\n】\n"))


def test_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(UnreadableReport, match="cannot read"):
        read_source(tmp_path / "missing.txt")
    with pytest.raises(UnreadableReport, match="unsupported"):
        read_source(write(tmp_path, "r.xyz", SIMPLIFIED))
    assert {".txt", ".html", ".htm", ".docx", ".pdf"} == SUPPORTED_SUFFIXES


# --- strip_chrome ---------------------------------------------------------------------------

WEB_COPY = """下载
打印
全屏
收藏
【字號：
加大
還原
減小
】
2026年某某省政府工作报告
——2026年1月25日在某某省第十四届人民代表大会第四次会议上
来源：某某日报
时间：2026-02-09
某某省省长 张三
张三作政府工作报告。本报记者 李四 摄
各位代表：
现在，我代表省人民政府，向大会报告工作，请予审议，并请省政协委员提出意见。
一、2025年工作回顾
本段数据来源于统计部门，打印和下载等服务功能全面上线，浏览次数明显增加。
加强信息来源核查。
名词解释
1.“两重”：指国家重大战略实施和重点领域安全能力建设。
相关报道：
某某省政府工作报告解读
-
扫一扫在手机打开当前页
"""

WEB_BODY = [
    "2026年某某省政府工作报告",
    "——2026年1月25日在某某省第十四届人民代表大会第四次会议上",
    "某某省省长 张三",
    "各位代表：",
    "现在，我代表省人民政府，向大会报告工作，请予审议，并请省政协委员提出意见。",
    "一、2025年工作回顾",
    "本段数据来源于统计部门，打印和下载等服务功能全面上线，浏览次数明显增加。",
    "加强信息来源核查。",
    "名词解释",
    "1.“两重”：指国家重大战略实施和重点领域安全能力建设。",
]


def test_strip_chrome_keeps_exactly_the_body() -> None:
    assert strip_chrome(WEB_COPY.splitlines()) == WEB_BODY


def test_strip_chrome_breadcrumb_and_labels_on_their_own_line() -> None:
    lines = [
        "当前位置：",
        "首页",
        ">",
        "政务信息",
        ">",
        "要闻",
        "要闻",
        "2026年政府工作报告",
        "发布时间：",
        "2026-02-09 09:45:30",
        "来源：",
        "某某日报客户端",
        "阅读量：",
        "【字体：",
        "小",
        "中",
        "大",
        "】",
        "分享：",
        "各位代表：",
        "过去一年很不平凡。" * 20,
        "责任编辑：",
        "王五",
        "【",
        "打印本页",
        "】",
        "【关闭窗口】",
        "主办单位：某某省人民政府办公厅 网站标识码：1234567890",
        "京ICP备12345678号 京公网安备 11010502000001号",
        "版权所有 © 某某省人民政府",
    ]
    assert strip_chrome(lines) == ["2026年政府工作报告", "各位代表：", "过去一年很不平凡。" * 20]


def test_strip_chrome_keeps_sentences_that_mention_chrome_words() -> None:
    body = [
        "来源：群众反映强烈的问题，要逐项解决。",
        "打印机、复印机等办公设备统一采购，节约财政资金。",
        "时间：紧任务重，各级政府要压实责任。",
        "相关报道显示，我省经济运行稳中有进。",
        "首页",  # a lone "首页" is navigation, but the lines above are all body
    ]
    assert strip_chrome(body) == body[:4]


def test_strip_chrome_related_links_cut_only_near_the_end() -> None:
    paragraphs = [f"第{i}段正文，内容充实，表述完整。" * 5 for i in range(6)]
    lines = [*paragraphs, "相关链接>>", "关于某某的决议", "热议政府工作报告"]
    assert strip_chrome(lines) == paragraphs


def test_strip_chrome_traditional_chrome() -> None:
    lines = [
        "特此報告。",
        "太倉市人民政府",
        "-",
        "掃一掃在手機打開當前頁",
        "【打印本頁】【關閉窗口】",
    ]
    assert strip_chrome(lines) == ["特此報告。", "太倉市人民政府"]


def test_published_hint_from_label_lines(tmp_path: Path) -> None:
    source = read_source(write(tmp_path, "r.txt", WEB_COPY))
    assert source.published_hint == "2026-02-09"
    assert source.title_hint == "2026年某某省政府工作报告"
    text = "2026年某某报告\n发布时间：2026年02月09日\n各位代表：\n" + SIMPLIFIED
    assert read_source(write(tmp_path, "s.txt", text)).published_hint == "2026-02-09"
    assert read_source(write(tmp_path, "t.txt", SIMPLIFIED)).published_hint == ""


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))


@pytest.mark.skipif(not corpus_files(), reason="corpus/ not present")
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_strip_chrome_on_corpus(path: Path) -> None:
    raw = [s.strip() for s in path.read_text(encoding="utf-8-sig").splitlines() if s.strip()]
    lines = strip_chrome(raw)
    chrome = (
        "【字号",
        "【字体",
        "相关报道",
        "扫一扫",
        "掃一掃",
        "打印",
        "来源：",
        "时间：",
        "分享",
    )
    for line in lines:
        assert not line.startswith(chrome), line
        assert line not in ("下载", "全屏", "收藏", ">", "-", "首页", "关闭窗口", "】"), line
        assert "本报记者" not in line and not line.endswith("摄"), line
    # Nothing but chrome was removed: kept lines are the raw lines in order.
    it = iter(raw)
    assert all(any(line == r for r in it) for line in lines)
    if not path.name.startswith("taicang"):
        assert "各位代表：" in lines
        first_heading = next(s for s in raw if s.startswith(("一、", "“十四五”")))
        assert first_heading in lines
        assert lines.index("各位代表：") <= 4  # only the title block precedes the salutation
    else:
        assert lines[0] == "太倉市2024年度法治政府建設工作情況報告"
        assert lines[-1] == "2025年 月 日"


@pytest.mark.skipif(not corpus_files(), reason="corpus/ not present")
def test_corpus_keeps_subtitle_speaker_and_glossary() -> None:
    beijing = read_source(CORPUS / "2026_北京市_政府工作报告.txt")
    assert beijing.lines[:4] == (
        "2026年北京市政府工作报告",
        "——2026年1月25日在北京市第十六届人民代表大会第四次会议上",
        "北京市市长 殷勇",
        "各位代表：",
    )
    assert beijing.published_hint == "2026-02-02"
    hainan = read_source(CORPUS / "2026_海南省_政府工作报告.txt")
    assert hainan.lines[-2] == "［28］三个立法权："


# --- HTML -----------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head>
<meta charset="{charset}">
<meta name="PubDate" content="2026-02-09 10:30">
<title>2026年某某省政府工作报告_某某省人民政府门户网站</title>
<style>.zoom {{ font-size: 16px; }} p {{ color: black }}</style>
<script>var tracker = "打印本页 统计代码";</script>
</head><body>
<div id="header"><h1 class="logo">某某省人民政府</h1>
  <nav><a href="/">首页</a> <a href="/zw">政务公开</a> <a href="/fw">办事服务</a></nav></div>
<div class="breadcrumb">您的位置：<a href="/">首页</a> &gt; <a href="/yw">要闻</a></div>
<div class="main">
  <h1>2026年某某省政府工作报告</h1>
  <div class="info">来源：某某日报 发布时间：2026-02-09 <span>浏览次数：1234</span></div>
  <div class="font-size">【字号：<a>大</a> <a>中</a> <a>小</a>】</div>
  <div class="article-content" id="zoom">
    <p>——2026年1月25日在某某省第十四届人民代表大会第四次会议上</p>
    <p>各位代表：</p>
    <p>　　现在，我代表省人民政府，向大会报告工作，
    请予审议，并请省政协委员提出意见。</p>
    <p>一、2025年工作回顾</p>
    <p>过去一年，全省地区生产总值增长5.4%。<br>城乡居民人均可支配收入增长5.5%。</p>
    <table><tr><td>指标</td><td>增速</td></tr><tr><td>投资</td><td>4.1%</td></tr></table>
    <p>本段提到来源和打印两个词，但它是正文，必须保留。</p>
  </div>
  <div class="share">分享到：<a>微信</a><a>微博</a></div>
  <div class="print-close"><a>【打印本页】</a><a>【关闭窗口】</a></div>
  <div class="related"><h3>相关报道</h3><ul>
    <li><a href="/1">政府工作报告解读一</a></li><li><a href="/2">政府工作报告解读二</a></li>
  </ul></div>
</div>
<footer><p>主办单位：某某省人民政府办公厅</p><p>网站标识码：1100000000</p>
<p>京ICP备05070218号</p><p>版权所有：某某省人民政府</p></footer>
<noscript>请开启JavaScript</noscript>
</body></html>
"""

PAGE_BODY = (
    "2026年某某省政府工作报告",
    "——2026年1月25日在某某省第十四届人民代表大会第四次会议上",
    "各位代表：",
    "现在，我代表省人民政府，向大会报告工作，请予审议，并请省政协委员提出意见。",
    "一、2025年工作回顾",
    "过去一年，全省地区生产总值增长5.4%。",
    "城乡居民人均可支配收入增长5.5%。",
    "指标 增速",
    "投资 4.1%",
    "本段提到来源和打印两个词，但它是正文，必须保留。",
)


def assert_no_chrome(source: SourceText) -> None:
    text = "\n".join(source.lines)
    for chrome in (
        "首页",
        "政务公开",
        "您的位置",
        "字号",
        "分享",
        "打印本页",
        "关闭窗口",
        "相关报道",
        "解读",
        "主办单位",
        "ICP",
        "网站标识码",
        "版权",
        "tracker",
        "font-size",
        "JavaScript",
        "浏览次数",
        "来源：",
        "某某省人民政府\n",
    ):
        assert chrome not in text + "\n", chrome


@pytest.mark.parametrize("charset", ["utf-8", "gb2312", "gbk"])
def test_html_page(tmp_path: Path, charset: str) -> None:
    html = PAGE.format(charset=charset)
    path = write(tmp_path, "page.html", html.encode("gb18030" if charset != "utf-8" else "utf-8"))
    source = read_source(path)
    assert source.format == "html"
    assert source.encoding == ("utf-8" if charset == "utf-8" else "gb18030")
    assert source.lines == PAGE_BODY
    assert source.title_hint == "2026年某某省政府工作报告"
    assert source.published_hint == "2026-02-09"
    assert_no_chrome(source)


def test_html_http_equiv_big5(tmp_path: Path) -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5">'
        "<title>法治政府建設報告 - 太倉市人民政府</title></head><body>"
        '<div class="nav"><a>首頁</a><a>政務公開</a></div>'
        f"<div class='TRS_Editor'><p>{TRADITIONAL}</p><p>特此報告。</p></div>"
        '<div id="footer">版權所有 太倉市人民政府</div></body></html>'
    )
    source = read_source(write(tmp_path, "p.htm", html.encode("big5")))
    assert source.encoding == "big5"
    assert source.lines == (TRADITIONAL, "特此報告。")
    assert source.title_hint == "法治政府建設報告"


def test_html_detected_when_charset_is_missing_or_wrong(tmp_path: Path) -> None:
    body = f"<html><body><div><p>{SIMPLIFIED}</p></div></body></html>"
    source = read_source(write(tmp_path, "a.html", body.encode("gb18030")))
    assert (source.lines, source.encoding) == ((SIMPLIFIED,), "gb18030")
    wrong = body.replace("<html>", '<html><meta charset="big5">')
    source = read_source(write(tmp_path, "b.html", wrong.encode("utf-8")))
    assert (source.lines, source.encoding) == ((SIMPLIFIED,), "utf-8")


def test_html_in_txt_file_is_read_as_html(tmp_path: Path) -> None:
    html = "<!DOCTYPE html><html><body><p>" + SIMPLIFIED + "</p><script>x()</script></body></html>"
    source = read_source(write(tmp_path, "saved.txt", html))
    assert source.format == "html"
    assert source.lines == (SIMPLIFIED,)


def test_html_table_layout_picks_content_cell(tmp_path: Path) -> None:
    links = "".join(f"<p><a href='/{i}'>栏目{i}</a></p>" for i in range(20))
    html = (
        "<html><body><table><tr>"
        f"<td>{links}</td>"
        f"<td><p>{SIMPLIFIED}</p><p>{SIMPLIFIED[::-1]}</p></td>"
        "</tr></table></body></html>"
    )
    source = read_source(write(tmp_path, "t.html", html))
    assert source.lines == (SIMPLIFIED, SIMPLIFIED[::-1])


# --- DOCX and PDF ---------------------------------------------------------------------------


def test_docx(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.core_properties.title = "2026年某某市政府工作报告"
    document.add_heading("2026年某某市政府工作报告", level=1)
    document.add_paragraph("各位代表：")
    document.add_paragraph(SIMPLIFIED)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "指标"
    table.cell(0, 1).text = "增速"
    table.cell(1, 0).text = "地区生产总值"
    table.cell(1, 1).text = "5.2%"
    document.add_paragraph("特此报告。")
    path = tmp_path / "r.docx"
    document.save(str(path))
    source = read_source(path)
    assert source.format == source.encoding == "docx"
    assert source.title_hint == "2026年某某市政府工作报告"
    assert source.lines == (
        "2026年某某市政府工作报告",
        "各位代表：",
        SIMPLIFIED,
        "指标 增速",
        "地区生产总值 5.2%",
        "特此报告。",
    )


def test_broken_docx_and_legacy_doc(tmp_path: Path) -> None:
    with pytest.raises(UnreadableReport, match="docx"):
        read_source(write(tmp_path, "x.docx", SIMPLIFIED))
    with pytest.raises(UnreadableReport, match=r"\.doc"):
        read_source(write(tmp_path, "x.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600))


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF drawing ``lines`` (ASCII) in Helvetica, with a correct xref table."""
    ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
    for line in lines:
        ops += [f"({line}) Tj", "T*"]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_pdf_with_text_layer(tmp_path: Path) -> None:
    lines = [
        "Annual Report on Law-Based Government",
        "The city government improved administrative law enforcement and the",
        "business environment in the year under review, as described below.",
        "1. Strengthening leadership",
        "Leading officials took responsibility for the rule of law.",
    ]
    source = read_source(write(tmp_path, "r.pdf", minimal_pdf(lines)))
    assert source.format == source.encoding == "pdf"
    assert source.lines == (
        lines[0],
        lines[1] + " " + lines[2],  # hard-wrapped sentence rejoined
        lines[3],
        lines[4],
    )


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(UnreadableReport, match="PDF has no text layer"):
        read_source(path)


def test_not_a_pdf(tmp_path: Path) -> None:
    with pytest.raises(UnreadableReport, match="PDF"):
        read_source(write(tmp_path, "fake.pdf", SIMPLIFIED))


def test_join_wrapped_chinese_lines() -> None:
    from indexer.reading import join_wrapped

    wide = "我们坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，加快构建"
    lines = [
        "一、2025年工作回顾",
        wide,
        "新发展格局，全省经济运行稳中有进。",
        "（一）着力扩大内需",
        wide,
        "（二）这一行是标题而不是续行",
    ]
    assert join_wrapped(lines) == [
        "一、2025年工作回顾",
        wide + "新发展格局，全省经济运行稳中有进。",
        "（一）着力扩大内需",
        wide,
        "（二）这一行是标题而不是续行",
    ]


# --- robustness -----------------------------------------------------------------------------

_FRAGMENTS = [
    b"<p>",
    b"</p>",
    b"<div class='share'>",
    b"</div>",
    b"<br>",
    b"<html>",
    b"<meta charset=gbk>",
    b"%PDF-",
    b"PK\x03\x04",
    b"\xff",
    b"\x00",
    b"\n",
    "政府工作报告。".encode(),
    "來源：".encode("big5"),
    "打印".encode("gb18030"),
]


@given(
    parts=st.lists(st.sampled_from(_FRAGMENTS) | st.binary(max_size=6), max_size=30),
    suffix=st.sampled_from(sorted(SUPPORTED_SUFFIXES)),
)
@settings(max_examples=150, deadline=None)
def test_any_bytes_give_lines_or_a_reason(tmp_path_factory, parts, suffix) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"f{suffix}"
    path.write_bytes(b"".join(parts))
    try:
        source = read_source(path)
    except UnreadableReport as exc:
        assert exc.reason
    else:
        assert source.lines and all(line and line == line.strip() for line in source.lines)


@given(st.lists(st.text(max_size=40), max_size=30))
@settings(max_examples=150, deadline=None)
def test_strip_chrome_only_removes_lines(lines: list[str]) -> None:
    remaining = iter(s.strip() for s in lines if s.strip())
    assert all(any(kept == raw for raw in remaining) for kept in strip_chrome(lines))
