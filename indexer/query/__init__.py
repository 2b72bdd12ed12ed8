"""The query layer: parse a user's query, match it exactly, rank, highlight and facet.

It works on a :class:`~indexer.query.library.Library` (an in-memory view of one committed
index generation) and returns plain frozen dataclasses that the JSON API and the HTML pages
both render.
"""

from indexer.query.library import Library
from indexer.query.parse import QueryError, parse_query
from indexer.query.request import Limits, SearchRequest
from indexer.query.results import FacetValue, Hit, ResultsPage
from indexer.query.search import search

__all__ = [
    "FacetValue",
    "Hit",
    "Library",
    "Limits",
    "QueryError",
    "ResultsPage",
    "SearchRequest",
    "parse_query",
    "search",
]
