"""Normalization and analysis: offsets, script equivalence, positions."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from indexer import analysis
from indexer.normalize import fold, is_cjk, normalize, normalize_with_map

_PIECES = st.one_of(
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
    st.sampled_from(list("綜合查一次综合查一次ＰＭ２．５ﬁßİ㈱①⑩Ⅻ　！，。")),
    st.sampled_from(
        [
            " ",
            "  ",
            "\u3000",
            "\t",
            "\n",
            "\xa0",
            "ab",
            "Pm2.5",
            "年",
            "：",
            "¨",
            "ＡＩ",
            "㉑",
            "㎏",
        ]
    ),
)
TEXT = st.lists(_PIECES, max_size=30).map("".join)


def test_traditional_simplified_fullwidth_and_case_are_equivalent():
    assert normalize("綜合查一次") == normalize("综合查一次") == "综合查一次"
    assert normalize("ＰＭ２．５") == normalize("PM2.5") == "pm2.5"
    assert normalize("互联网＋") == "互联网+"


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("联合检查 86 次", "联合检查86次"),
        ("推 进 营 商 环 境", "推进营商环境"),
        ("2026 年", "2026年"),
        ("2026\u3000年", "2026年"),
        ("ＰＭ２．５ 浓度", "pm2.5浓度"),
        ("ＡＩ\u3000ＰＭ２．５", "ai pm2.5"),  # full-width letters and digits are Latin tokens
        ("２０２６ 年", "2026年"),
        ("2 ㉑", "2 21"),  # never joins two numbers
        ("数据： 2025", "数据:2025"),  # full-width colon: CJK as written
        ("Public   domain", "public domain"),
        ("a,\tb", "a, b"),  # ASCII comma: not CJK
        ("“ AI ”", "“ ai ”"),  # general punctuation is not CJK
        ("AI 大模型", "ai大模型"),
        (" 中 ", "中"),
        (" a ", " a "),
    ],
)
def test_whitespace_beside_cjk_is_dropped_and_other_runs_become_one_space(written, normalized):
    assert normalize(written) == normalized


def test_cjk_is_defined_by_unicode_blocks():
    assert all(is_cjk(c) for c in "中綜、。「」《》，：（．﹁㈱\U00020000")
    assert not any(is_cjk(c) for c in "aZ9.,:“”—…·éＰＭ２ｘ㎏㉑")


def test_ids_hash_fold_which_keeps_whitespace():
    assert fold("聯合檢查 86 次") == "联合检查 86 次"


@given(TEXT)
def test_dropping_whitespace_never_joins_two_latin_or_number_tokens(text):
    mapped = normalize_with_map(text)
    starts = mapped.starts or range(len(mapped.text))
    for i in range(len(mapped.text) - 1):
        dropped = text[starts[i] + 1 : starts[i + 1]]
        if dropped and dropped.isspace():
            pair = mapped.text[i : i + 2]
            assert not (pair.isascii() and pair.isalnum()), (text, pair)


def _edges_are_not_space(s: str) -> bool:
    return bool(s) and not s[0].isspace() and not s[-1].isspace()


@given(TEXT)
def test_normalizing_a_substring_gives_a_substring(text):
    norm = normalize(text)
    for i in range(len(text)):
        for j in range(i + 1, min(len(text), i + 6) + 1):
            if _edges_are_not_space(text[i:j]):
                assert normalize(text[i:j]) in norm


def _char_boundaries(mapped) -> set[int]:
    """Normalized offsets that do not fall inside one original character's expansion."""
    starts = mapped.starts or range(len(mapped.text))
    return {0, len(mapped.text)} | {i for i in range(1, len(starts)) if starts[i] != starts[i - 1]}


@given(TEXT, st.data())
def test_offset_map_round_trip(text, data):
    mapped = normalize_with_map(text)
    assert mapped.text == normalize(text)
    n = len(mapped.text)
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    a, b = mapped.to_original(start, end)
    assert 0 <= a <= b <= len(text)
    # The original span normalizes to a string that contains the normalized span ...
    assert mapped.text[start:end] in normalize(text[a:b])
    # ... and is exactly it when the span starts and ends on character boundaries.
    boundaries = _char_boundaries(mapped)
    if start in boundaries and end in boundaries and start < end:
        assert normalize(text[a:b]) == mapped.text[start:end]


@given(TEXT, st.data())
def test_a_matched_substring_maps_to_an_original_span_that_normalizes_to_it(text, data):
    """What highlighting relies on: the span marked in the original is the match, whole."""
    mapped = normalize_with_map(text)
    assume(_edges_are_not_space(mapped.text))
    start = data.draw(st.integers(0, len(mapped.text) - 1))
    end = data.draw(st.integers(start + 1, len(mapped.text)))
    term = mapped.text[start:end]
    assume(_edges_are_not_space(term))
    i = mapped.text.find(term)
    a, b = mapped.to_original(i, i + len(term))
    assert term in normalize(text[a:b])
    if {i, i + len(term)} <= _char_boundaries(mapped):
        assert normalize(text[a:b]) == term


def test_spaced_text_maps_back_whole():
    mapped = normalize_with_map("开展联合检查 86 次。")
    i = mapped.text.index("联合检查86次")
    a, b = mapped.to_original(i, i + len("联合检查86次"))
    assert mapped.original[a:b] == "联合检查 86 次"
    mapped = normalize_with_map("Public   domain")
    assert mapped.to_original(6, 13) == (6, 15)


def test_expanding_characters_map_back_to_their_source():
    mapped = normalize_with_map("ﬁ綜合")
    assert mapped.text == "fi综合"
    assert mapped.to_original(2, 4) == (1, 3)
    assert mapped.to_original(0, 1) == (0, 1)


def test_word_positions_are_ordinals_not_offsets():
    terms = list(analysis.word_terms("综合查一次 改革开放"))
    assert [t.position for t in terms] == list(range(len(terms)))
    assert [t.text for t in terms][-1] == "改革开放"
    for t in terms:
        assert "综合查一次 改革开放"[t.start : t.end] == t.text


def test_bigrams_cover_every_substring():
    text = "互联网+政务"
    grams = [t.text for t in analysis.bigram_terms(text)]
    assert grams == ["互联", "联网", "网+", "+政", "政务"]
    assert [t.position for t in analysis.bigram_terms(text)] == [0, 1, 2, 3, 4]
