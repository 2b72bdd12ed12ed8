"""The field values of the tantivy engine's paragraph documents, as plain dicts.

Kept apart from :mod:`indexer.engines.tantivy_engine` (the one module that imports tantivy)
so that what a document holds can be read, and tested, without the engine.
"""

from __future__ import annotations

import hashlib

from indexer.engines.bigrams import layout
from indexer.engines.documents import ParagraphDoc, ReportFields
from indexer.query.plan import SENTENCE_ENDS

YEAR_MISSING = -1  # i64 sentinel of an unknown year: older than any year
ORDINAL_BITS = 20
ORDINAL_MASK = (1 << ORDINAL_BITS) - 1
MAX_SERIAL = 1 << 32  # pkey stays below 2**52, exact in the float64 keys of aggregations


def paragraph_key(serial: int, ordinal: int) -> int:
    """The paragraph key: the report's serial, then the paragraph's 0-based ordinal."""
    return (serial << ORDINAL_BITS) | ordinal


def recency(year: int | None) -> float:
    """The tie-breaking weight of a year: 2**-20 per year after 1900, capped at 1023."""
    rank = 0 if year is None else min(max(year - 1900, 0), 1023)
    return rank / (1 << 20)


def sentence_count(text: str) -> int:
    """``len(indexer.query.sentences.split(text))``, counted without splitting."""
    marks = sum(map(text.count, SENTENCE_ENDS))
    return marks + (1 if text and text[-1] not in SENTENCE_ENDS else 0)


def report_level(report_id: str, serial: int, fields: ReportFields) -> dict:
    """The fields every paragraph of a report shares (the region path as given)."""
    year = YEAR_MISSING if fields.year is None else fields.year
    out: dict = {"doc_type": "p", "report": report_id, "serial": serial, "year": year,
                 "recency": recency(fields.year)}  # fmt: skip
    for name in ("level", "kind"):
        if getattr(fields, name):
            out[name] = getattr(fields, name)
    if fields.region:
        out["region_key"] = section_key(fields.region)
    if fields.region_path:
        out["region_path"] = list(dict.fromkeys(fields.region_path))
    return out


def section_key(section: str) -> int:
    """A 62-bit hash of a section (or region): the facet counts it, the report record names it."""
    digest = hashlib.blake2b(section.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 2


def heading_level(para: ParagraphDoc) -> dict:
    """The fields of a paragraph's section path (shared by the paragraphs of a section)."""
    if not para.headings:
        return {}
    joined = "\n".join(para.headings)
    return {"section": para.section, "section_key": section_key(para.section),
            "heading": layout(joined, barrier="\n"),
            "heading_chars": "".join(para.headings)}  # fmt: skip


def body_level(text: str, passage: bytes = b"") -> dict:
    """The fields of a paragraph's own text; ``passage`` is stored (the paragraph as written)."""
    out = {"body": layout(text), "body_chars": text, "sentences": sentence_count(text)}
    if passage:
        out["para"] = passage
    return out
