"""Display-only script conversion (Simplified / Traditional / as written) for the pages.

Search never depends on this: matching is script-agnostic through normalization. The pages
use it to show a report or a snippet in the reader's preferred script. Conversion keeps the
text's length so that highlight spans computed on the original text still line up.
"""

from __future__ import annotations

import functools

import opencc

SCRIPTS = ("orig", "s", "t")  # as written, Simplified, Traditional
_CONFIGS = {"s": "t2s", "t": "s2t"}


@functools.cache
def _converter(script: str) -> opencc.OpenCC:
    return opencc.OpenCC(_CONFIGS[script])


def convert(text: str, script: str) -> str:
    """Return ``text`` in ``script`` ("s", "t"; anything else: unchanged), same length."""
    if script not in _CONFIGS or not text:
        return text
    converter = _converter(script)
    # Whole-text conversion uses OpenCC's phrase tables (干部 -> 幹部, not 乾部) ...
    whole = converter.convert(text)
    if len(whole) == len(text):
        return whole
    # ... but if a phrase changed length, convert per character so offsets stay aligned.
    return "".join(_char(converter, ch) for ch in text)


def _char(converter: opencc.OpenCC, ch: str) -> str:
    out = converter.convert(ch)
    return out if len(out) == 1 else ch


def is_traditional(text: str) -> bool:
    """True if ``text`` changes when converted to Simplified (i.e. it is written Traditional)."""
    return convert(text, "s") != text
