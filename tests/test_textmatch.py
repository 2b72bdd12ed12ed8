"""The matching contract: substrings for Chinese, token boundaries for Latin and numbers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.normalize import normalize
from indexer.textmatch import contains, count, occurrences


@pytest.mark.parametrize(
    ("text", "term", "found"),
    [
        ("public domain", "ai", False),
        ("ai与大模型", "ai", True),
        ("发展ai产业", "ai", True),
        ("reits试点", "it", False),
        ("it服务", "it", True),
        ("增长6.5%左右", "5%左右", False),
        ("增长15%左右", "5%左右", False),
        ("增长5%左右", "5%左右", True),
        ("pm2.5浓度", "pm2.5", True),
        ("pm2.5浓度", "pm2", False),
        ("pm2.5浓度", "2.5", True),
        ("pm25浓度", "pm2", False),
        ("15g基站", "5g", False),
        ("5g基站", "5g", True),
        ("5g基站", "g", False),
        ("5g基站", "5", True),
        ("12024年", "2024年", False),
        ("2024年", "2024年", True),
        ("第1.5版", "1", False),
        ("截至2024.", "2024", True),
        ("综合查一次工作", "综合查一次", True),
        ("开展“综合查一次”", "综合查一次", True),
    ],
)
def test_boundary_rule(text: str, term: str, found: bool) -> None:
    assert contains(text, term) is found
    assert (count(text, term) > 0) is found


def test_full_width_forms_normalize_to_the_same_token() -> None:
    assert contains(normalize("ＰＭ２．５浓度下降"), normalize("PM2.5"))


def test_occurrences_skip_rejected_overlaps() -> None:
    # The first "5%" is inside 6.5%; the second stands alone.
    text = "6.5%与5%"
    assert list(occurrences(text, "5%")) == [text.index("与") + 1]


_ALPHABET = st.sampled_from(list("ab12.%年 g"))


@given(st.text(_ALPHABET, max_size=30), st.text(_ALPHABET, min_size=1, max_size=4))
def test_matches_a_regex_statement_of_the_rule(text: str, term: str) -> None:
    """An independent statement of the rule with look-arounds agrees with occurrences()."""
    left = ""
    if term[0] in "abg":
        left = r"(?<![a-z0-9])"
    elif term[0] in "12":
        left = r"(?<![0-9])(?<![0-9]\.)"
    right = ""
    if term[-1] in "abg":
        right = r"(?![a-z0-9])"
    elif term[-1] in "12":
        right = r"(?![0-9])(?!\.[0-9])"
    pattern = re.compile(left + re.escape(term) + right)
    starts, pos = [], 0
    while (m := pattern.search(text, pos)) is not None:
        starts.append(m.start())
        pos = m.end()
    assert list(occurrences(text, term)) == starts
