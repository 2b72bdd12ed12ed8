"""Comparing two reports: properties of the alignment and of the diffs (no index, no Flask)."""

from __future__ import annotations

import html
import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from indexer.model import Report, ReportMeta
from indexer.query.compare import compare, in_order
from indexer.query.script import convert
from indexer.query.textdiff import diff_html
from indexer.structure import parse_body

WORDS = ("推进", "营商环境", "法治", "政府", "改革", "创新", "经济", "发展", "综合查一次",
         "数字化", "AI", "5G", "2025年", "服务", "企业")  # fmt: skip


def report(lines: list[str], report_id: str = "r") -> Report:
    """A report made by the pipeline's structure step from body lines."""
    body = parse_body(["某市政府工作报告", *lines])
    return Report(report_id, ReportMeta(body.title), body.paragraphs, body.sections)


def without(diff: str, tag: str) -> str:
    """The diff's text with every <tag>…</tag> cut out and the other tags dropped."""
    kept = re.sub(rf"<{tag}>.*?</{tag}>", "", diff)
    return html.unescape(re.sub(r"</?(?:ins|del)>", "", kept))


sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=8).map(
    lambda ws: "".join(ws) + "。"
)
paragraph = st.lists(sentence, min_size=1, max_size=4).map("".join)
body = st.lists(paragraph, min_size=2, max_size=12, unique=True)


def numbered(paragraphs: list[str]) -> list[str]:
    """Paragraphs made distinct and recognizable: each starts with its own marker."""
    return [f"第{k}项：{p}" for k, p in enumerate(paragraphs)]


@given(body)
@settings(deadline=None)  # shared, loaded machines: no timing in tests
def test_a_report_compared_with_itself_is_all_same(paragraphs):
    r = report(numbered(paragraphs))
    c = compare(r, r)
    assert [p.status for p in c.pairs] == ["same"] * len(r.paragraphs)
    assert [p.b for p in c.pairs] == list(range(len(r.paragraphs)))
    assert c.summary["same"] == len(r.paragraphs)


@given(body, body)
@settings(max_examples=60, deadline=None)
def test_swapping_the_reports_swaps_added_and_removed(one, two):
    a, b = report(one, "a"), report(two, "b")
    ab, ba = compare(a, b).summary, compare(b, a).summary
    assert (ab["added"], ab["removed"]) == (ba["removed"], ba["added"])
    assert ab["same"] + ab["changed"] + ab["moved"] == ba["same"] + ba["changed"] + ba["moved"]
    assert ab["moved"] == ba["moved"]


@given(body, body)
@settings(max_examples=60, deadline=None)
def test_every_paragraph_appears_once_in_b_order(one, two):
    a, b = report(one, "a"), report(two, "b")
    pairs = compare(a, b).pairs
    assert sorted(p.a for p in pairs if p.a is not None) == list(range(len(a.paragraphs)))
    assert [p.b for p in pairs if p.b is not None] == list(range(len(b.paragraphs)))


@given(body, st.data())
@settings(deadline=None)  # shared, loaded machines: no timing in tests
def test_a_moved_paragraph_is_moved_not_removed_and_added(paragraphs, data):
    lines = numbered(paragraphs)
    assume(len(lines) >= 3)
    src = data.draw(st.integers(0, len(lines) - 1))
    dst = data.draw(st.integers(0, len(lines) - 1).filter(lambda d: abs(d - src) >= 2))
    moved = lines[:src] + lines[src + 1 :]
    moved.insert(dst, lines[src])
    a, b = report(lines, "a"), report(moved, "b")
    c = compare(a, b)
    assert c.summary == {"same": len(lines) - 1, "changed": 0, "moved": 1, "added": 0,
                         "removed": 0}  # fmt: skip
    (pair,) = [p for p in c.pairs if p.status == "moved"]
    assert a.paragraphs[pair.a].text == lines[src] == b.paragraphs[pair.b].text


@given(body, st.data())
@settings(deadline=None)  # shared, loaded machines: no timing in tests
def test_diffs_give_back_each_side_as_written(paragraphs, data):
    lines = numbered(paragraphs)
    edited = []
    for line in lines:
        cut = data.draw(st.integers(0, len(line)))
        insert = data.draw(st.sampled_from(["", "新增<内容>&", "AI"]))
        drop = data.draw(st.integers(0, 3))
        edited.append(line[:cut] + insert + line[cut + drop :])
    a, b = report(lines, "a"), report(edited, "b")
    for pair in compare(a, b).pairs:
        if pair.diff is not None:
            assert without(pair.diff, "ins") == a.paragraphs[pair.a].text
            assert without(pair.diff, "del") == b.paragraphs[pair.b].text
            assert "<内容>" not in pair.diff  # escaped


def test_changed_paragraph_marks_insertions_and_deletions():
    a = report(
        ["一、总体要求", "今年要持续优化营商环境。推进综合查一次改革。", "加强法治政府建设。"]
    )
    b = report(
        ["一、总体要求", "今年要持续优化法治化营商环境。推进综合查一次改革。", "加强法治政府建设。"]
    )
    c = compare(a, b)
    assert [p.status for p in c.pairs] == ["same", "changed", "same"]
    assert c.pairs[1].diff == "今年要持续优化<ins>法治化</ins>营商环境。推进综合查一次改革。"
    assert c.pairs[1].section_path == ("一、总体要求",)


def test_removed_paragraphs_stand_where_they_stood_in_a():
    a = report(["第一段讲经济。", "第二段讲法治。", "第三段讲民生。", "第四段讲生态。"])
    b = report(["第一段讲经济。", "第三段讲民生。", "新增一段讲科技创新。", "第四段讲生态。"])
    c = compare(a, b)
    rows = [(p.status, p.a, p.b) for p in c.pairs]
    assert rows == [("same", 0, 0), ("removed", 1, None), ("same", 2, 1), ("added", None, 2),
                    ("same", 3, 3)]  # fmt: skip


def test_traditional_against_simplified_is_same_and_diffs_show_each_side():
    simplified = ["持续优化营商环境，推进综合查一次。", "加强法治政府建设。"]
    traditional = [convert(line, "t") for line in simplified]
    assert traditional[0] != simplified[0]
    a, b = report(traditional, "a"), report(simplified, "b")
    assert compare(a, b).summary["same"] == 2
    edited = report([simplified[0].replace("推进", "全面推进"), simplified[1]], "b")
    pair = compare(a, edited).pairs[0]
    assert pair.status == "changed"
    assert without(pair.diff, "ins") == traditional[0]
    assert without(pair.diff, "del") == edited.paragraphs[0].text
    assert "<ins>全面</ins>" in compare(report(simplified), edited).pairs[0].diff
    shown = compare(a, edited, script="s").pairs[0].diff  # the 简 switch: no script noise
    assert shown == "持续优化营商环境，<ins>全面</ins>推进综合查一次。"


@given(st.text(alphabet="经經济濟 　AI5G.，。<&", max_size=30),
       st.text(alphabet="经經济濟 　AI5G.，。<&", max_size=30))  # fmt: skip
@settings(deadline=None)  # shared, loaded machines: no timing in tests
def test_diff_html_round_trips_any_text(a, b):
    out = diff_html(a, b)
    assert without(out, "ins") == a and without(out, "del") == b
    assert re.sub(r"</?(?:ins|del)>", "", out).count("<") == 0


def test_to_dict_has_the_api_shape():
    a = report(["第一段。", "第二段。"], "a")
    b = report(["第二段。", "第三段全新。"], "b")
    data = compare(a, b).to_dict()
    assert set(data) == {"a", "b", "pairs", "summary"}
    assert data["a"]["id"] == "a" and data["b"]["url"] == "/reports/b"
    assert set(data["pairs"][0]) == {"status", "a", "b", "section_path", "diff"}
    ids_b = {p.id for p in b.paragraphs}
    assert all(p["b"] in ids_b for p in data["pairs"] if p["b"])
    assert sum(data["summary"].values()) == len(data["pairs"])


@given(st.permutations(list(range(12))))
@settings(deadline=None)  # shared, loaded machines: no timing in tests
def test_in_order_keeps_a_longest_increasing_run(order):
    pairs = list(zip(order, range(len(order)), strict=True))  # (a index, b index), by b
    kept = in_order(pairs)
    assert kept == sorted(kept) and set(kept) <= set(order)
    positions = [order.index(i) for i in kept]
    assert positions == sorted(positions)
    best = [1] * len(order)  # O(n²) longest increasing subsequence, the oracle
    for k in range(len(order)):
        for m in range(k):
            if order[m] < order[k]:
                best[k] = max(best[k], best[m] + 1)
    assert len(kept) == max(best)
