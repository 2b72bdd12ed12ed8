"""The words of the fallback tiers: what a long or question-style query asks for.

A search answers in the first of three tiers that finds something (:func:`indexer.query.search.answer`):

* ``exact`` — every term as typed (after normalization), nothing dropped;
* ``relaxed`` — every content word of each term, anywhere in the paragraph;
* ``partial`` — paragraphs holding the content words that weigh at least :data:`MIN_SHARE`
  of them all, each word weighted by its idf, ranked by that share.

Question and function words (如何, 哪些, 关于, 的, 和 …) are dropped in the two fallback tiers,
never in the exact one, and so are the nouns a question frames its topic with (措施, 做法,
安排, 方面 …) when the query asks (holds an interrogative: 如何, 哪些, 什么 …). Punctuation inside a term joins rather than splits: 放、管、服 is the
abbreviation 放管服, one word, not the three characters anywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from indexer import analysis
from indexer.query.parse import ParsedQuery
from indexer.query.plan import Clause, Partial
from indexer.textmatch import left_ok, right_ok

# Tuned on bench/partial.py's questions: at 2/3 all are answered and 85% of all hits are on
# topic; at 1/2 only 55% (paragraphs with just the common words); 3/4 is no more precise.
MIN_SHARE = 2 / 3
MAX_PARTIAL_WORDS = 12  # the first content words of a very long query; bounds the engine work
INTERROGATIVES = frozenset(
    [
        "如何", "怎么", "怎样", "怎么样", "怎么办", "怎样才能", "如何才能", "哪些", "有哪些", "哪个", "哪种",
        "哪里", "哪儿", "哪些地方", "哪些方面", "哪些措施", "什么", "有什么", "是什么", "什么样", "为什么",
        "为何", "是否", "是不是", "有没有", "能否", "多少", "吗", "呢", "请问",
    ]
)  # fmt: skip
QUESTION_WORDS = INTERROGATIVES | frozenset(
    [
        "几", "吧", "啊", "呀", "关于", "对于", "有关", "的", "地", "得", "之", "和", "与", "及", "以及", "或",
        "或者", "并", "并且", "而", "而且", "了", "着", "过", "在", "于", "对", "把", "被", "从", "向", "给",
        "是", "有", "都", "也", "还", "就", "又", "该", "各地", "各级", "一下",
    ]
)  # fmt: skip
# The nouns a question frames its topic with ("有哪些措施", "在…方面的做法"): dropped only from
# a query that asks (holds an interrogative), since 工作安排 or 具体措施 may be the topic itself.
FRAME_WORDS = frozenset(
    ["措施", "具体措施", "举措", "做法", "办法", "安排", "方面", "情况", "内容", "具体", "相关", "提出"]
)  # fmt: skip
# Punctuation between two Han characters (full-width forms are ASCII after NFKC): 、，；/·
_INNER_PUNCT = re.compile(
    r"(?<=[\u3400-\u9fff])[\u3000-\u303f\uff64,;:!?/|·・]+(?=[\u3400-\u9fff])"
)


@dataclass(frozen=True)
class Relaxed:
    """A query's relaxed clauses (each term as its content words) and the words dropped."""

    clauses: tuple[Clause, ...]
    dropped: tuple[str, ...]

    def words(self) -> tuple[str, ...]:
        """The content words of the clauses with one alternative, in order, without repeats."""
        single = (alt for clause in self.clauses if len(clause) == 1 for alt in clause)
        return tuple(dict.fromkeys(w for alt in single for w in alt))


def relaxed(parsed: ParsedQuery) -> Relaxed:
    """Each term becomes the tuple of its content words (all required), alternatives kept.

    A term of question words alone is dropped; an alternative that would be left empty
    keeps its words, so that ``A OR 的`` does not turn into "anything".
    """
    clauses: list[Clause] = []
    dropped: dict[str, None] = {}
    words_of = {t.norm: content_words(t.norm) for clause in parsed.clauses for t in clause}
    asks = any(w in INTERROGATIVES for words in words_of.values() for w in words)
    drop = QUESTION_WORDS | FRAME_WORDS if asks else QUESTION_WORDS
    for clause in parsed.clauses:
        alts = []
        for term in clause:
            words = words_of[term.norm]
            kept = tuple(w for w in words if w not in drop)
            if not kept and len(clause) > 1:
                kept = words or (term.norm,)
            dropped.update(dict.fromkeys(w for w in words if w not in kept))
            if kept:
                alts.append(kept)
        if alts:
            clauses.append(tuple(dict.fromkeys(alts)))
    return Relaxed(tuple(clauses), tuple(dropped))


def content_words(norm: str) -> tuple[str, ...]:
    """The words of a normalized term: pieces joined or split at punctuation, then jieba."""
    pieces = [p for p in _INNER_PUNCT.split(norm) if p.strip()]
    if len(pieces) > 1 and all(len(p) == 1 for p in pieces):
        return ("".join(pieces),)  # 放、管、服: an abbreviation, one word
    words = [w for piece in pieces for w in whole_words(piece) if any(c.isalnum() for c in w)]
    return tuple(dict.fromkeys(words)) or (norm,)


def whole_words(norm: str) -> list[str]:
    """jieba words of ``norm``, rejoined where jieba cut inside a Latin or number token.

    A word cut out of a token (``v1.2`` out of ``v1.2.3``) could never occur on its own under
    the boundary rule, so the relaxed search would miss the very text the term came from.
    """
    spans: list[list[int]] = []
    for term in analysis.word_terms(norm):
        if spans and spans[-1][1] == term.start and not _is_cut(norm, term.start):
            spans[-1][1] = term.end
        else:
            spans.append([term.start, term.end])
    return [norm[a:b] for a, b in spans]


def _is_cut(text: str, i: int) -> bool:
    """True if a token may end at ``text[i - 1]`` and another start at ``text[i]``."""
    return right_ok(text, i, text[i - 1]) and left_ok(text, i, text[i])


def partial(
    words: tuple[str, ...], doc_freq: Callable[[str], int], paragraphs: int
) -> Partial | None:
    """The partial tier over ``words`` with idf weights (None if fewer than two words).

    A word found in no paragraph keeps its weight, the highest there is: it is usually the
    word that says what the query is about (a name, a code) or a typo, and leaving it out
    would answer with paragraphs about something else.
    """
    words = words[:MAX_PARTIAL_WORDS]
    if len(words) < 2:
        return None
    return Partial(words, tuple(idf(doc_freq(w), paragraphs) for w in words), MIN_SHARE)


def idf(df: int, n: int) -> float:
    """BM25's inverse document frequency (always positive)."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))
