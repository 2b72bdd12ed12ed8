"""Parse the query language into terms, alternatives, exclusions and filters.

Syntax (documented in README and /help):

* whitespace separates terms; each term must occur exactly (after normalization);
* "quoted text" (also “…”, 「…」, 『…』) is one term, spaces included;
* ``A OR B`` means either; ``-term`` excludes;
* ``section:`` / ``heading:`` (a word in any heading), ``region:``, ``year:``, ``report:`` filter.

Anything else is text: an unbalanced quote is dropped, a dangling ``OR`` or ``-`` is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.normalize import normalize

QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "”": "”"}
FILTER_FIELDS = {
    "section": "heading",
    "heading": "heading",
    "章节": "heading",
    "region": "region",
    "year": "year",
    "report": "report",
}
_FILTER_RE = re.compile(r"^(" + "|".join(FILTER_FIELDS) + r")[:：](.*)$", re.IGNORECASE | re.DOTALL)
SENTENCE_OPERATORS = ("~句", "～句", "~sentence")
_SPACE_RE = re.compile(r"\s+")


class QueryError(ValueError):
    """A query or parameter a user can fix; ``code`` names the problem for the API."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Term:
    """One search term as typed and normalized."""

    text: str  # as typed (quotes removed)
    norm: str  # normalized: what must occur in the normalized paragraph
    quoted: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """A query: every clause must match (a clause is a tuple of alternatives)."""

    clauses: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    within: str = "paragraph"  # "sentence" when the query holds the ~句 operator

    @property
    def has_quoted(self) -> bool:
        """True if any positive term was quoted."""
        return any(t.quoted for clause in self.clauses for t in clause)

    def positive_terms(self) -> list[Term]:
        """All positive terms, in order, without duplicates."""
        seen: dict[str, Term] = {}
        for clause in self.clauses:
            for term in clause:
                seen.setdefault(term.norm, term)
        return list(seen.values())


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool
    negated: bool = False
    is_or: bool = False


def tokenize(q: str) -> list[_Token]:
    """Split the raw query into tokens, honouring quotes and a leading '-'."""
    tokens: list[_Token] = []
    i, n = 0, len(q)
    while i < n:
        ch = q[i]
        if ch.isspace():
            i += 1
            continue
        negated = ch == "-" and i + 1 < n and not q[i + 1].isspace()
        start = i + 1 if negated else i
        if start < n and q[start] in QUOTES:
            close = q.find(QUOTES[q[start]], start + 1)
            if close != -1:
                tokens.append(_Token(q[start + 1 : close], True, negated))
                i = close + 1
                continue
            start += 1  # unbalanced quote: drop it, read the rest as plain text
        end = start
        while end < n and not q[end].isspace():
            end += 1
        word = q[start:end]
        tokens.append(_Token(word, False, negated, is_or=(word == "OR" and not negated)))
        i = end
    return tokens


_QUOTE_CHARS = "".join(set(QUOTES) | set(QUOTES.values()))


def _term(text: str, quoted: bool) -> Term | None:
    text = _SPACE_RE.sub(" ", text).strip()
    if not quoted:
        text = text.strip(_QUOTE_CHARS)  # a stray quote mark is punctuation, not search text
    norm = normalize(text)
    if not norm.strip() or (not quoted and norm.strip("-") == ""):
        return None  # a lone "-" is an operator with nothing to act on
    return Term(text, norm, quoted)


def parse_query(q: str) -> ParsedQuery:
    """Parse ``q``; filters come back under the keys heading, region, year and report."""
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    filters: dict[str, list[str]] = {}
    pending_or = False
    within = "paragraph"
    for tok in tokenize(q):
        if not tok.quoted and tok.text in SENTENCE_OPERATORS:
            within = "sentence"
            continue
        if tok.is_or:
            pending_or = bool(clauses)
            continue
        match = None if tok.quoted else _FILTER_RE.match(tok.text)
        if match and match.group(2).strip('"“”「」『』'):
            key = FILTER_FIELDS[match.group(1).lower()]
            filters.setdefault(key, []).append(match.group(2).strip('"“”「」『』'))
            pending_or = False
            continue
        term = _term(tok.text, tok.quoted)
        if term is None:
            continue
        if tok.negated:
            excluded.append(term)
        elif pending_or:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        pending_or = False
    return ParsedQuery(
        tuple(tuple(c) for c in clauses),
        tuple(excluded),
        {k: tuple(v) for k, v in filters.items()},
        within,
    )
