"""The query layer: parse a user's query, plan it, let an engine run the plan, present results.

Everything here is engine-neutral: :mod:`indexer.query.plan` is what an engine is asked,
:class:`~indexer.query.library.Library` keeps the current searcher of an index, and the
results are plain frozen dataclasses that the JSON API and the HTML pages both render.
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
