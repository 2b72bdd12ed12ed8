"""Mark what changed between two paragraphs: <del> for a's text, <ins> for b's.

The texts are compared normalized (so 經濟 and 经济 are the same word) but shown as written
(or converted to a display script, which keeps lengths). The result covers both texts whole:
remove every <ins>…</ins> and unescape, and you get ``a``; remove every <del>…</del>, and
you get ``b``. Where the normalized texts agree but the written forms differ (one side
Traditional), the written forms are marked as a deletion and an insertion, since that is
what a reader of the two texts as written sees.

Sentences are compared first; only sentences that differ are compared character by
character, which keeps long paragraphs cheap and the marks readable.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from html import escape

from indexer.normalize import Normalized, normalize_with_map
from indexer.query.script import convert

_SENTENCE = re.compile(r"[^。！？；!?;]*[。！？；!?;]*")


def diff_html(a: str, b: str, script: str = "orig") -> str:
    """HTML of b's text with a's deletions and b's insertions marked."""
    na, nb = normalize_with_map(a), normalize_with_map(b)
    shown_a, shown_b = convert(a, script), convert(b, script)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in opcodes(na.text, nb.text):
        left = shown_a[cut(na, i1) : cut(na, i2)]
        right = shown_b[cut(nb, j1) : cut(nb, j2)]
        if tag == "equal" and len(left) == len(right):
            out.extend(_written(left, right))
        else:
            out.append(_mark("del", left) + _mark("ins", right))
    return "".join(out)


def _written(left: str, right: str) -> list[str]:
    """Equal normalized text: plain where written alike, marked where the script differs."""
    out, start = [], 0
    for k in range(len(left) + 1):
        at_end = k == len(left)
        if at_end or (left[k] == right[k]) != (left[start] == right[start]):
            piece_a, piece_b = left[start:k], right[start:k]
            if piece_a == piece_b:
                out.append(escape(piece_a, quote=False))
            else:
                out.append(_mark("del", piece_a) + _mark("ins", piece_b))
            start = k
    return out


def _mark(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text, quote=False)}</{tag}>" if text else ""


def cut(norm: Normalized, k: int) -> int:
    """The offset in the text as written where normalized offset ``k`` begins a piece.

    Whitespace that normalization dropped goes with the piece before it; the first piece
    starts at 0 and the last ends at the end, so the pieces cover the text whole.
    """
    if k <= 0:
        return 0
    if k >= len(norm.text):
        return len(norm.original)
    return norm.to_original(k, k + 1)[0]


def opcodes(a: str, b: str) -> list[tuple[str, int, int, int, int]]:
    """Sentence-level opcodes, with differing runs of sentences refined by characters."""
    sa, sb = sentences(a), sentences(b)
    out: list[tuple[str, int, int, int, int]] = []
    matcher = SequenceMatcher(None, [a[x:y] for x, y in sa], [b[x:y] for x, y in sb], False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a1, a2 = _span(sa, i1, i2, len(a))
        b1, b2 = _span(sb, j1, j2, len(b))
        if tag != "replace":
            out.append((tag, a1, a2, b1, b2))
            continue
        chars = SequenceMatcher(None, a[a1:a2], b[b1:b2], False)
        for t, x1, x2, y1, y2 in chars.get_opcodes():
            out.append((t, a1 + x1, a1 + x2, b1 + y1, b1 + y2))
    return out


def _span(spans: list[tuple[int, int]], lo: int, hi: int, end: int) -> tuple[int, int]:
    if lo >= hi:
        start = spans[lo][0] if lo < len(spans) else end
        return start, start
    return spans[lo][0], spans[hi - 1][1]


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, its closing marks included; together they cover text."""
    return [m.span() for m in _SENTENCE.finditer(text) if m.end() > m.start()]
