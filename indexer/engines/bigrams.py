"""Positional bigram tokens that make a phrase query mean :func:`indexer.textmatch.contains`.

A text becomes a stream of tokens, one *slot* (position) after another, laid out per
character: every character has a bigram slot holding the bigram it starts; an ASCII letter
or digit also has a slot before it and one after it for boundary markers::

    "增长5%"   增长 | 长5 | ⟨ 5% 5⟩ | %·
                         L  B   R        (· = the last character's bigram: none)

* ``LEFT`` in the slot before character k: a term starting with ``text[k]`` may start there
  (:func:`~indexer.textmatch.left_ok`);
* ``RIGHT + c`` in the slot after character k (``c = text[k]``): a term ending with c may end
  there (:func:`~indexer.textmatch.right_ok`);
* an empty slot holds ``FILL``, which the analyzer drops while keeping its position.

A term compiles to ``(offset, token)`` pairs: bigrams covering its characters, plus ``LEFT``
at its first slot if it starts with a letter or digit and ``RIGHT + last`` at its last slot
if it ends with one. The pairs' offsets follow from the term's own characters, because a
character's slot count depends only on the character. Exactness, for a match at slot P:
each bigram fixes two characters at known slots, so by induction the text there is the term
(the covering bigrams leave no character out, and a marker slot never holds a bigram). The
markers were computed from the whole text at index time, context outside the term included
(``2.5`` makes the ``5`` of a term ``5%`` fail on the left), and the query asks for them
only at the term's two ends, so no marker inside a term constrains the match: a term such as
``.5`` or ``5.5`` needs no alternatives. A one-character term is ``LEFT`` and ``RIGHT + c``
if c is a letter or digit (the marker names the character), otherwise a term in the
unigram field, where no boundary applies.

Bigrams are written with ASCII whitespace and ``ESC`` escaped (a prefix-free code), so a
whitespace tokenizer never splits one and no bigram equals a marker.
"""

from __future__ import annotations

import re

ESC = "\x1f"
FILL = ESC + "."  # a stop word: occupies a slot, indexes nothing
LEFT = ESC + "<"
RIGHT = ESC + ">"
_CODES = {ESC: "e", " ": "s", "\t": "t", "\n": "n", "\x0b": "v", "\x0c": "f", "\r": "r"}
_REP = {ch: ESC + code for ch, code in _CODES.items()}
_ESCAPED = re.compile("[" + re.escape("".join(_CODES)) + "]")
_ALNUM = re.compile(r"[A-Za-z0-9]")
_SPECIAL = re.compile(r"[A-Za-z0-9" + re.escape("".join(_CODES)) + "]")
# Where textmatch.left_ok / right_ok hold for the character's own kind, as look-arounds
# (tests check them against textmatch): one regex pass instead of two calls per character.
_STARTS = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]|(?<![0-9])(?<![0-9]\.)[0-9]")
_ENDS = re.compile(r"[A-Za-z](?![A-Za-z0-9])|[0-9](?![0-9])(?!\.[0-9])")


def is_alnum(ch: str) -> bool:
    """True for an ASCII letter or digit (the characters that take boundary slots)."""
    return ch.isascii() and ch.isalnum()


def layout(text: str, barrier: str = "") -> str:
    """The token stream of ``text``, space-separated, with ``FILL`` in empty slots.

    A bigram that contains ``barrier`` (the separator of joined headings) is left out, so
    no phrase crosses it.
    """
    n = len(text)
    if not _SPECIAL.search(text) and not (barrier and barrier in text):
        return " ".join([text[i : i + 2] for i in range(n - 1)])
    if _ESCAPED.search(text):
        reps = [_REP.get(ch, ch) for ch in text]
        grams = [reps[i] + reps[i + 1] for i in range(n - 1)]
    else:
        grams = [text[i : i + 2] for i in range(n - 1)]
    grams.append(FILL)
    if barrier:
        for i in range(n - 1):
            if text[i] == barrier or text[i + 1] == barrier:
                grams[i] = FILL
    starts = {m.start() for m in _STARTS.finditer(text)}
    ends = {m.start() for m in _ENDS.finditer(text)}
    for match in _ALNUM.finditer(text):
        k = match.start()
        left = LEFT if k in starts else FILL
        right = RIGHT + text[k] if k in ends else FILL
        grams[k] = f"{left} {grams[k]} {right}"
    return " ".join(grams)


def phrase(term: str) -> list[tuple[int, str]]:
    """The ``(offset, token)`` pairs a match of ``term`` needs, sorted by offset.

    Empty for a one-character term that is not a letter or digit: look it up as a unigram.
    """
    if not term:
        raise ValueError("empty term")
    slots, pos = [], 0  # the bigram slot of each character
    for ch in term:
        slots.append(pos + 1 if is_alnum(ch) else pos)
        pos += 3 if is_alnum(ch) else 1
    reps = [_REP.get(ch, ch) for ch in term]
    n = len(term)
    cover = list(range(0, n - 1, 2))
    if n >= 2 and cover[-1] != n - 2:
        cover.append(n - 2)
    words = [(slots[i], reps[i] + reps[i + 1]) for i in cover]
    if is_alnum(term[0]):
        words.insert(0, (slots[0] - 1, LEFT))
    if is_alnum(term[-1]):
        words.append((slots[-1] + 1, RIGHT + term[-1]))
    return words
