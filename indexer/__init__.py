"""govsearch indexer: read, structure, normalize and index Chinese governance reports.

This package is a library with no web framework in it. The pipeline is

    reading (bytes -> text lines) -> structure (lines -> sections, paragraphs)
    -> normalize/analysis (paragraph -> index terms) -> engine (Whoosh)

and the query layer (:mod:`indexer.query`) searches what the engine stores.
"""

__version__ = "0.1.0"
