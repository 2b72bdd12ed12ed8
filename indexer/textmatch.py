"""What "a term occurs in a paragraph" means: the one definition every engine must meet.

Both the term and the paragraph are normalized text (:func:`indexer.normalize.normalize`).
Chinese and other text matches as an exact substring, so 综合查一次 is found inside any
sentence. A run of ASCII letters or digits at the *edge* of a term must meet a token boundary
in the paragraph, so that ``ai`` does not match inside "domain", ``5%左右`` not inside
"6.5%左右" or "15%左右", and ``pm2`` not inside "pm2.5":

* a term that starts (ends) with a letter matches only where the paragraph has no letter or
  digit just before (after) it;
* a term that starts with a digit matches only where the paragraph has neither a digit nor a
  decimal part (a point preceded by a digit) just before it; one that ends with a digit only
  where the paragraph has neither a digit nor a decimal part (a point followed by a digit)
  just after it. A letter beside a number is a boundary for the number: ``2.5`` is found in
  "pm2.5", ``5`` in "5g".

This module is the reference implementation: the engines' tests compare against it.
"""

from __future__ import annotations

from collections.abc import Iterator

# Sets rather than comparisons: these run once per candidate occurrence, so they are hot.
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")
_ALNUM = _LETTERS | _DIGITS


def has_edge_run(term: str) -> bool:
    """True if ``term`` starts or ends with an ASCII letter or digit (boundaries apply)."""
    return bool(term) and (term[0] in _ALNUM or term[-1] in _ALNUM)


def left_ok(text: str, start: int, first: str) -> bool:
    """True if a term beginning with ``first`` may start at ``text[start]``."""
    if start == 0:
        return True
    before = text[start - 1]
    if first in _LETTERS:
        return before not in _ALNUM
    if first in _DIGITS:
        if before in _DIGITS:
            return False
        return not (before == "." and start >= 2 and text[start - 2] in _DIGITS)
    return True


def right_ok(text: str, end: int, last: str) -> bool:
    """True if a term ending with ``last`` may end just before ``text[end]``."""
    if end >= len(text):
        return True
    after = text[end]
    if last in _LETTERS:
        return after not in _ALNUM
    if last in _DIGITS:
        if after in _DIGITS:
            return False
        return not (after == "." and end + 1 < len(text) and text[end + 1] in _DIGITS)
    return True


def occurrences(text: str, term: str) -> Iterator[int]:
    """Start offsets of the non-overlapping occurrences of ``term`` in ``text``, in order."""
    if not term:
        return
    n = len(term)
    check = has_edge_run(term)
    first, last = term[0], term[-1]
    i = text.find(term)
    while i != -1:
        if not check or (left_ok(text, i, first) and right_ok(text, i + n, last)):
            yield i
            i = text.find(term, i + n)
        else:
            i = text.find(term, i + 1)


def contains(text: str, term: str) -> bool:
    """True if ``term`` occurs in ``text`` under the boundary rule."""
    if not has_edge_run(term):
        return term in text
    return next(occurrences(text, term), None) is not None


def count(text: str, term: str) -> int:
    """Number of non-overlapping occurrences of ``term`` in ``text``."""
    if not has_edge_run(term):
        return text.count(term)
    return sum(1 for _ in occurrences(text, term))
