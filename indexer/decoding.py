"""Bytes -> text for reports: UTF-8 (with or without BOM), GB18030/GBK/GB2312 and Big5.

The encoding is decided by content, not by file name. Big5 bytes very often decode "without
error" as GB18030 (into kana, Greek letters and rare characters), and GB bytes decode as Big5
(into rare Traditional characters), so a strict decode alone cannot tell them apart: each
successful candidate is scored by how much of its text is ordinary Chinese.
"""

from __future__ import annotations

import codecs
import functools
import re

from indexer.normalize import normalize


class UnreadableReport(Exception):
    """A file that cannot be read as a report; str(exc) is the human reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: the UTF-32 LE BOM starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Legacy Chinese encodings in the order they are tried; cp950 and big5hkscs extend Big5 with
# characters some Taiwan/Hong Kong files use.
_LEGACY = ("gb18030", "big5", "cp950", "big5hkscs")
# Declared names that should be decoded with a superset codec.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "big5": "big5"}
_SNIFF_BYTES = 8192
_MAX_CONTROL_SHARE = 0.05
# Below this share of plausible characters a decoding is considered garbage.
_MIN_PLAUSIBLE = 0.6
_SCORE_SAMPLE = 20000
# A truncated multibyte character is at most this many bytes short at the end of the file.
_MAX_TRUNCATED_TAIL = 4
_TRUNCATION_REASONS = ("unexpected end of data", "incomplete multibyte sequence", "truncated data")
_CJK_PUNCT = frozenset("，。、；：？！“”‘’（）《》〈〉【】「」『』—…·－％／～　")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


@functools.cache
def _common_hanzi() -> frozenset[str]:
    """The 3755 level-1 GB2312 characters: the "frequently used" hanzi of modern text."""
    chars = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # the last row has five unassigned cells
    return frozenset(chars)


def plausibility(text: str) -> float:
    """Share of non-space characters that are ASCII, CJK punctuation or common hanzi."""
    sample = text[:_SCORE_SAMPLE]
    common = _common_hanzi()
    # normalize() maps Traditional to Simplified, so Big5 text scores as well as GB text.
    chars = [c for c in normalize(sample) if not c.isspace()]
    if not chars:
        return 0.0
    good = sum(1 for c in chars if (c.isascii() and c.isprintable()) or c in common)
    good += sum(1 for c in chars if c in _CJK_PUNCT)
    return good / len(chars)


def _decode_tolerant(data: bytes, encoding: str) -> str | None:
    """Strict decode; a multibyte character cut off at the very end is dropped, not fatal."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        cut_short = exc.end == len(data) and exc.start >= len(data) - _MAX_TRUNCATED_TAIL
        if not cut_short or exc.reason not in _TRUNCATION_REASONS:
            return None
        try:
            return data[: exc.start].decode(encoding)
        except UnicodeDecodeError:
            return None
    except LookupError:
        return None


def _looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters mean this is not a text file."""
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        return True
    return len(_CONTROL.findall(head)) > _MAX_CONTROL_SHARE * len(head)


def _canonical(name: str) -> str | None:
    """Python codec name for a declared charset, widened to its superset; None if unknown."""
    try:
        codec = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(codec, codec)


def _best_legacy(data: bytes) -> tuple[str, str] | None:
    """The most plausible strict decoding among GB18030 and the Big5 family."""
    best: tuple[float, str, str] | None = None
    for encoding in _LEGACY:
        text = _decode_tolerant(data, encoding)
        if text is None:
            continue
        score = plausibility(text)
        if best is None or score > best[0]:
            best = (score, text, encoding)
    if best is None or best[0] < _MIN_PLAUSIBLE:
        return None
    return best[1], best[2]


def _fallback(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer as a last resort, accepted only if the result reads as text."""
    from charset_normalizer import from_bytes

    match = from_bytes(data).best()
    if match is None:
        return None
    text = str(match)
    if plausibility(text) < 0.9:
        return None
    return text, match.encoding


def _checked(text: str, encoding: str) -> tuple[str, str]:
    """Reject decoded text that has nothing in it."""
    if not text.strip():
        raise UnreadableReport("empty file (only whitespace)")
    return text, encoding


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode report bytes to (text, encoding name); raise UnreadableReport if impossible."""
    if not data:
        raise UnreadableReport("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _decode_tolerant(data, encoding)
            if text is None:
                raise UnreadableReport(f"invalid {encoding} data after byte-order mark")
            return _checked(text.lstrip("\ufeff"), encoding)
    if _looks_binary(data):
        raise UnreadableReport("binary data, not text")
    text = _decode_tolerant(data, "utf-8")
    # Valid UTF-8 with multibyte sequences is practically never an accident, so it wins even
    # over a declared legacy charset (pages are often re-saved as UTF-8 keeping the old tag).
    if text is not None and (not declared or not text.isascii()):
        return _checked(text, "utf-8")
    codec = _canonical(declared) if declared else None
    if codec:
        declared_text = _decode_tolerant(data, codec)
        if declared_text is not None:
            return _checked(declared_text, codec)
    if text is not None:
        return _checked(text, "utf-8")
    found = _best_legacy(data) or _fallback(data)
    if found is None:
        raise UnreadableReport("cannot decode as UTF-8, GB18030 or Big5")
    return _checked(*found)
