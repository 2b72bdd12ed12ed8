"""Did you mean: a query whose exact search found little, with a typo or a region corrected.

When the exact tier finds at most :data:`FEW` paragraphs, two corrections are tried, and the
first one whose own exact search finds more is offered:

* **spelling** — an unquoted term that occurs in at most :data:`FEW` paragraphs has a word
  (as jieba cuts the term) one edit away (a character replaced, added, dropped or two
  swapped) from a word of the collection's vocabulary found in at least :data:`MIN_COUNT`
  paragraphs: 营商环竟 → 营商环境. Terms are normalized, so a typo in Traditional script is
  corrected too, and the correction is shown in the script it was typed in (營商環竟 →
  營商環境);
* **region** — a term that starts with a region's name (江苏低空经济) becomes a region filter
  and the rest (``region:江苏省 低空经济``), like the region ``suggestions`` offered for a
  term that is a region's name alone.

The vocabulary is the searcher's :meth:`~indexer.engines.base.Searcher.frequent_words` plus
the words of the most common section headings (so it is never empty), built once per
searcher.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from indexer.normalize import normalize
from indexer.query.filters import Collection
from indexer.query.parse import ParsedQuery, Term
from indexer.query.script import convert, is_traditional
from indexer.query.tiers import whole_words

if TYPE_CHECKING:  # the engines import the query layer's plan
    from indexer.engines.base import Searcher

FEW = 3  # the exact tier found "very little"; a term this rare may be a typo
MIN_COUNT = 3  # a correction must be a word of at least this many paragraphs
MAX_CHECKS = 4  # candidate corrections of one term checked against the index
HEADINGS = 5000  # the most common headings whose words join the vocabulary
_NUMBERING = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、])\s*"
)


@dataclass(frozen=True)
class Vocabulary:
    """Words of the collection with their paragraph counts, indexed for one-edit lookups."""

    counts: dict[str, int]
    deletes: dict[str, tuple[str, ...]]  # a word, or a word less one character -> words

    @classmethod
    def build(cls, searcher: Searcher) -> Vocabulary:
        """The searcher's frequent words and the words of its most common headings."""
        counts: dict[str, int] = {}
        for word, n in searcher.frequent_words():
            counts[word] = max(counts.get(word, 0), n)
        for heading, n in searcher.headings()[:HEADINGS]:
            for word in whole_words(normalize(_NUMBERING.sub("", heading))):
                if len(word) >= 2 and any(c.isalnum() for c in word):
                    counts[word] = max(counts.get(word, 0), n)
        deletes: dict[str, list[str]] = {}
        for word, n in counts.items():
            if n >= MIN_COUNT and len(word) <= 8:
                for key in {word, *_deletions(word)}:
                    deletes.setdefault(key, []).append(word)
        return cls(counts, {k: tuple(v) for k, v in deletes.items()})

    def neighbours(self, word: str) -> list[str]:
        """Frequent words one edit away from ``word``, most frequent first."""
        found = {v for key in (word, *_deletions(word)) for v in self.deletes.get(key, ())}
        near = [v for v in found if v != word and _one_edit(word, v)]
        return sorted(near, key=lambda v: (-self.counts[v], v))


def vocabulary(searcher: Searcher) -> Vocabulary:
    """The searcher's vocabulary, built once per searcher."""
    return searcher.derived("vocabulary", Vocabulary.build)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))} if len(word) > 1 else set()


def _one_edit(a: str, b: str) -> bool:
    """True if ``b`` is ``a`` with one character replaced, added, dropped, or two swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = (diff + [0, 0])[:2]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def correct_term(
    searcher: Searcher, vocab: Vocabulary, norm: str, df: int | None = None
) -> str | None:
    """``norm`` (found in ``df`` paragraphs) with a word corrected, if that makes it occur more."""
    words = whole_words(norm)
    if len(norm) > 32 or not words:
        return None
    candidates = []  # (count, corrected term)
    start = 0
    for word in words:
        at = norm.find(word, start)
        start = at + len(word)
        if len(word) < 2 or vocab.counts.get(word, 0) >= MIN_COUNT:
            continue  # a known word (or one character) is not a typo
        for better in vocab.neighbours(word)[:MAX_CHECKS]:
            candidates.append((vocab.counts[better], norm[:at] + better + norm[start:]))
    candidates.sort(key=lambda c: -c[0])
    if not candidates:
        return None
    best, best_df = None, searcher.doc_freq(norm) if df is None else df
    for _count, corrected in candidates[:MAX_CHECKS]:
        df = searcher.doc_freq(corrected)
        if df > best_df:
            best, best_df = corrected, df
    return best


def did_you_mean(
    searcher: Searcher,
    q: str,
    parsed: ParsedQuery,
    exact_total: int,
    count: Callable[[str], int],
    plain: bool = False,
) -> str | None:
    """A corrected query whose exact search finds more than ``q``'s did (None: none).

    ``plain``: no filter came with the query, so one term alone found exactly its paragraphs.
    """
    if exact_total > FEW:
        return None
    for correct in (_spelling, _region):
        corrected = correct(searcher, q, parsed, exact_total if plain else None)
        if corrected and corrected != q and count(corrected) > exact_total:
            return corrected
    return None


def _terms(parsed: ParsedQuery) -> list[Term]:
    return [t for clause in parsed.clauses for t in clause if not t.quoted]


def _spelling(searcher: Searcher, q: str, parsed: ParsedQuery, total: int | None) -> str | None:
    """``q`` with every rare term that has a one-edit correction corrected.

    ``total``: what the exact search found, if nothing but the query's text narrowed it.
    """
    vocab, changes = None, []
    alone = total is not None and len(parsed.clauses) == 1 and len(parsed.clauses[0]) == 1
    alone = alone and not (parsed.excluded or parsed.filters or parsed.within != "paragraph")
    for term in _terms(parsed):
        # A query of one term and nothing else found exactly the paragraphs holding it.
        df = total if alone and total is not None else searcher.doc_freq(term.norm)
        if df > FEW:
            continue
        vocab = vocab or vocabulary(searcher)
        corrected = correct_term(searcher, vocab, term.norm, df)
        if corrected:
            shown = convert(corrected, "t") if is_traditional(term.text) else corrected
            changes.append((term.span, shown))
    return _replaced(q, changes) if changes else None


def _region(searcher: Searcher, q: str, parsed: ParsedQuery, _total: int | None) -> str | None:
    """``q`` with a term that starts with a region's name split into a filter and the rest."""
    regions = Collection.of(searcher).regions
    for term in _terms(parsed):
        text = term.text
        for cut in range(min(len(text) - 1, 12), 1, -1):
            names = [n for n in regions.full_names(text[:cut]) if n != "全国"]
            if names:  # 全国 starts too many phrases (全国统一大市场) to be meant as a place
                return _replaced(q, [(term.span, f"region:{names[0]} {text[cut:]}")])
    return None


def _replaced(q: str, changes: list[tuple[tuple[int, int], str]]) -> str:
    for (start, end), text in sorted(changes, reverse=True):
        q = q[:start] + text + q[end:]
    return q
