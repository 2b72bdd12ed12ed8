"""Snippets: escaped text, whole occurrences marked, original script kept."""

import html
import re

from hypothesis import assume, given
from hypothesis import strategies as st

from indexer.normalize import normalize
from indexer.query.snippets import snippet
from indexer.textmatch import contains

ALPHABET = st.sampled_from(list("綜合查一次综合法治<>&\"'營商环境，。 abc"))


def unmark(s: str) -> str:
    return html.unescape(s.replace("<mark>", "").replace("</mark>", "")).strip("…")


def test_marks_whole_phrase_in_original_script():
    s = snippet("在更大范圍開展“綜合查一次”工作", ["综合查一次"])
    assert "<mark>綜合查一次</mark>" in s
    assert s.count("<mark>") == 1


def test_long_text_is_cut_with_ellipses_around_the_match():
    text = "甲" * 300 + "綜合查一次" + "乙" * 300
    s = snippet(text, ["综合查一次"])
    assert s.startswith("…") and s.endswith("…")
    assert "<mark>綜合查一次</mark>" in s
    assert 100 <= len(unmark(s)) <= 170


def test_only_mark_tags_survive():
    s = snippet('<script>alert("x")</script> 法治', ["法治"])
    assert re.sub(r"</?mark>", "", s).count("<") == 0
    assert "&lt;script&gt;" in s


@given(st.text(alphabet=ALPHABET, max_size=400), st.text(alphabet=ALPHABET, min_size=1, max_size=4))
def test_snippet_properties(text, term):
    s = snippet(text, [normalize(term)])
    # Removing the marks and unescaping gives back a substring of the paragraph.
    assert unmark(s) in text
    # No tag other than <mark> appears.
    assert re.sub(r"</?mark>", "", s).count("<") == 0
    # Each mark holds whole occurrences of the term.
    for marked in re.findall(r"<mark>(.*?)</mark>", s):
        assert normalize(term) in normalize(html.unescape(marked))


SPACED = st.lists(
    st.sampled_from(
        ["联合", "检查", "86", "次", " ", "  ", "\u3000", "\t", "ＰＭ", "2.5", "pm", "AI", "domain",
         "。", "<", "&", "5%", "左右", "6.", "綜合"]
    ),
    max_size=30,
).map("".join)  # fmt: skip


@given(SPACED, st.data())
def test_marks_sit_on_the_original_characters(text, data):
    """With whitespace dropped or squeezed, the marks still cover the text as written."""
    norm = normalize(text)
    assume(norm.strip())
    i = data.draw(st.integers(0, len(norm) - 1))
    term = norm[i : data.draw(st.integers(i + 1, len(norm)))].strip()
    assume(term)
    s = snippet(text, [term], width=max(len(text), 1))
    # Removing the marks gives back the escaped original, whole.
    assert re.sub(r"</?mark>", "", s) == html.escape(text)
    marked = [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", s)]
    assert bool(marked) == contains(norm, term)
    for m in marked:
        assert term in normalize(m)
        assert not m[0].isspace() and not m[-1].isspace()


def test_spaced_original_is_marked_whole():
    s = snippet("开展联合检查 86 次，推 进 营 商 环 境。", ["联合检查86次", "推进营商环境"])
    assert re.findall(r"<mark>(.*?)</mark>", s) == ["联合检查 86 次", "推 进 营 商 环 境"]
