"""Normalization and analysis: offsets, script equivalence, positions."""

from hypothesis import given
from hypothesis import strategies as st

from indexer import analysis
from indexer.normalize import normalize, normalize_with_map

TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from("綜合查一次综合查一次ＰＭ２．５ﬁßİ㈱①⑩Ⅻ　！，。"),
    ),
    max_size=40,
)


def test_traditional_simplified_fullwidth_and_case_are_equivalent():
    assert normalize("綜合查一次") == normalize("综合查一次") == "综合查一次"
    assert normalize("ＰＭ２．５") == normalize("PM2.5") == "pm2.5"
    assert normalize("互联网＋") == "互联网+"


@given(TEXT)
def test_normalizing_a_substring_gives_a_substring(text):
    norm = normalize(text)
    for i in range(len(text)):
        for j in range(i, min(len(text), i + 6) + 1):
            assert normalize(text[i:j]) in norm


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
    boundaries = {len(normalize(text[:k])) for k in range(len(text) + 1)}
    if start in boundaries and end in boundaries and start < end:
        assert normalize(text[a:b]) == mapped.text[start:end]


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
