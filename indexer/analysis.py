"""Index terms for normalized text: jieba words and overlapping character bigrams.

Both term streams carry positions that are token ordinals (0, 1, 2, ...), never character
offsets, so phrase queries over them work. Every character of the text, punctuation and
spaces included, takes part in a bigram, so any substring of two or more characters is a
run of consecutive bigrams; a single character is matched through the ``chars`` stream.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache


@cache
def _jieba():
    """jieba's tokenizer, imported on first use: a tantivy index run and most searches never
    cut words, and importing jieba (with pkg_resources) is most of a short run's start-up."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = None
    return tokenizer


@dataclass(frozen=True)
class Term:
    """One index term: its text, token ordinal and character span in the normalized text."""

    text: str
    position: int
    start: int
    end: int


def words(text: str) -> list[str]:
    """Cut normalized text into jieba words, dropping pure whitespace."""
    return [w for w in _jieba().cut(text, HMM=True) if w.strip()]


def word_terms(text: str) -> Iterator[Term]:
    """Yield jieba words with consecutive positions and their character spans."""
    position = 0
    for word, start, end in _jieba().tokenize(text, HMM=True):
        if word.strip():
            yield Term(word, position, start, end)
            position += 1


def bigram_terms(text: str) -> Iterator[Term]:
    """Yield overlapping character bigrams; position i is the bigram starting at character i."""
    for i in range(len(text) - 1):
        yield Term(text[i : i + 2], i, i, i + 2)


def query_bigrams(term: str) -> list[str]:
    """Bigrams of a query term in order (empty for a one-character term)."""
    return [term[i : i + 2] for i in range(len(term) - 1)]


def initialize() -> None:
    """Load jieba's dictionary now rather than on the first request."""
    _jieba().initialize()
