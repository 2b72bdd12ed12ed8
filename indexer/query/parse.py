"""Parse the query language into terms, alternatives, exclusions and filters.

Syntax (documented in README and /help):

* whitespace separates terms; each term must occur exactly (after normalization);
* "quoted text" (also “…”, 「…」, 『…』) is one term, spaces included;
* ``A OR B`` means either; ``-term`` excludes; the words other engines use for these —
  ``or``, ``AND``/``and`` (what a space already means) and ``NOT x``/``not x`` (``-x``) — are
  read as the operators they stand for when they stand between (``not``: before) other
  tokens, and the query's ``notes`` say how to write them here;
* ``section:`` / ``heading:`` (a word in any heading), ``region:``, ``year:``, ``report:``,
  ``kind:`` and ``level:`` filter; ``-year:2026`` excludes; ``heading:安排 OR heading:任务`` is a
  union of values of one field; filters of different fields intersect.

Only those field names (and their Chinese aliases) make a filter: ``foo:bar``, ``注：本报告`` and
URLs are text. Anything else is text too: an unbalanced quote is dropped, a dangling ``OR`` or
``-`` is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from indexer.normalize import normalize

QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "”": "”"}
FILTER_FIELDS = {
    "section": "heading",
    "heading": "heading",
    "章节": "heading",
    "region": "region",
    "地区": "region",
    "year": "year",
    "年份": "year",
    "report": "report",
    "报告": "report",
    "kind": "kind",
    "类型": "kind",
    "level": "level",
    "层级": "level",
}
_FILTER_RE = re.compile(r"^(" + "|".join(FILTER_FIELDS) + r")[:：](.*)$", re.IGNORECASE | re.DOTALL)
_FILTER_QUOTES = '"“”「」『』'
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
    span: tuple[int, int] = field(default=(0, 0), compare=False)  # where typed in the query


@dataclass(frozen=True)
class QueryFilter:
    """A filter typed in the query: any of ``values`` of one field (none of them if negated)."""

    name: str  # heading | region | year | report | kind | level
    values: tuple[str, ...]  # as typed
    negated: bool = False
    spans: tuple[tuple[int, int], ...] = field(default=(), compare=False)  # where typed in q


@dataclass(frozen=True)
class ParsedQuery:
    """A query: every clause must match (a clause is a tuple of alternatives)."""

    clauses: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    filters: tuple[QueryFilter, ...] = ()
    within: str = "paragraph"  # "sentence" when the query holds the ~句 operator
    notes: tuple[str, ...] = field(default=(), compare=False)  # how foreign operators were read

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
    span: tuple[int, int] = (0, 0)  # where the token stands in the query, operators included


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
                tokens.append(_Token(q[start + 1 : close], True, negated, span=(i, close + 1)))
                i = close + 1
                continue
            start += 1  # unbalanced quote: drop it, read the rest as plain text
        end = start
        while end < n and not q[end].isspace():
            end += 1
        word = q[start:end]
        tokens.append(
            _Token(word, False, negated, is_or=(word == "OR" and not negated), span=(i, end))
        )
        i = end
    return tokens


_QUOTE_CHARS = "".join(set(QUOTES) | set(QUOTES.values()))


def _term(text: str, quoted: bool, span: tuple[int, int] = (0, 0)) -> Term | None:
    text = _SPACE_RE.sub(" ", text).strip()
    if not quoted:
        text = text.strip(_QUOTE_CHARS)  # a stray quote mark is punctuation, not search text
    norm = normalize(text)
    if not norm.strip() or (not quoted and norm.strip("-") == ""):
        return None  # a lone "-" is an operator with nothing to act on
    return Term(text, norm, quoted, span)


def parse_query(q: str) -> ParsedQuery:
    """Parse ``q`` into clauses of alternatives, exclusions and filters."""
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    filters: list[QueryFilter] = []
    pending_or = False  # an OR follows the last clause or filter
    or_span = (0, 0)
    last = ""  # "term" | "filter": what an OR would join
    within = "paragraph"
    tokens, notes = foreign_operators(tokenize(q))
    for tok in tokens:
        if not tok.quoted and tok.text in SENTENCE_OPERATORS:
            within = "sentence"
            continue
        if tok.is_or:
            pending_or, or_span = bool(last), tok.span
            continue
        parsed = None if tok.quoted else _filter(tok)
        if parsed is not None:
            if pending_or and last == "filter":
                filters[-1] = _union(filters[-1], parsed, or_span)
            else:
                _check_no_or_across(pending_or, last, "filter")
                filters.append(parsed)
            pending_or, last = False, "filter"
            continue
        term = _term(tok.text, tok.quoted, tok.span)
        if term is None:
            continue
        if tok.negated:
            excluded.append(term)
        elif pending_or and last == "term":
            clauses[-1].append(term)
        else:
            _check_no_or_across(pending_or, last, "term")
            clauses.append([term])
        pending_or, last = False, ("term" if not tok.negated else "")
    return ParsedQuery(tuple(tuple(c) for c in clauses), tuple(excluded), tuple(filters), within,
                       notes)  # fmt: skip


FOREIGN_OPERATORS = ("and", "or", "not")  # read as operators beside other words


def foreign_operators(tokens: list[_Token]) -> tuple[list[_Token], tuple[str, ...]]:
    """Read ``or``, ``AND``/``and`` and ``NOT``/``not`` as the operators of other engines.

    ``or`` becomes ``OR``; ``AND``/``and`` is dropped (a space already means "and");
    ``NOT x``/``not x`` becomes ``-x``; one left with nothing to act on is dropped like a
    dangling ``OR``. A query of that one word alone stays text. Each rewrite is described,
    so that the page can say how to write the query here.
    """
    out: list[_Token] = []
    notes: dict[str, None] = {}
    negator: _Token | None = None
    for i, tok in enumerate(tokens):
        word = "" if tok.quoted or tok.negated or tok.is_or else tok.text
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if negator is not None:
            tok, negator = replace(tok, negated=True, span=(negator.span[0], tok.span[1])), None
        elif word.lower() in FOREIGN_OPERATORS and len(tokens) > 1:
            if word.lower() == "not" and nxt is not None and not nxt.is_or:
                notes[f"“{word} {nxt.text}”按排除理解；本站写作 -{nxt.text}。"] = None
                negator = tok
            elif word.lower() == "or" and out and nxt is not None:
                out.append(replace(tok, is_or=True))
                if word != "OR":
                    notes[f"“{word}”按“或者”理解；本站写作大写 OR，如“人工智能 OR 数字经济”。"] = (
                        None
                    )
            elif word.lower() == "and":
                notes[f"“{word}”按“并且”理解；本站用空格分开的词都要出现，不必写 {word}。"] = None
            else:
                notes[f"“{word}”没有可作用的词，已忽略。"] = None
            continue
        out.append(tok)
    return out, tuple(notes)


def without_spans(q: str, spans: tuple[tuple[int, int], ...]) -> str:
    """``q`` with the given spans cut out (a chip's "remove this filter")."""
    for start, end in sorted(spans, reverse=True):
        q = q[:start] + " " + q[end:]
    return _SPACE_RE.sub(" ", q).strip()


def _filter(tok: _Token) -> QueryFilter | None:
    """The filter a ``field:value`` token stands for (None: it is text)."""
    match = _FILTER_RE.match(tok.text)
    if not match:
        return None
    value = match.group(2).strip(_FILTER_QUOTES)
    if not value:
        return None
    name = FILTER_FIELDS[match.group(1).lower()]
    return QueryFilter(name, (value,), tok.negated, (tok.span,))


def _union(left: QueryFilter, right: QueryFilter, or_span: tuple[int, int]) -> QueryFilter:
    """``left OR right``: the values of one field, both kept or both excluded."""
    if left.name != right.name or left.negated or right.negated:
        raise QueryError(
            "bad_or",
            "OR 只能连接同一字段的筛选条件，如 heading:安排 OR heading:任务；"
            "要排除多个值，请分别写 -year:2024 -year:2025。",
        )
    return QueryFilter(left.name, left.values + right.values, False,
                       left.spans + (or_span,) + right.spans)  # fmt: skip


def _check_no_or_across(pending_or: bool, last: str, now: str) -> None:
    """Refuse ``term OR field:value``: it cannot be expressed, and silence would mislead."""
    if pending_or and last and last != now:
        raise QueryError(
            "bad_or",
            "OR 不能连接搜索词和筛选条件；请分成两次搜索，或用 OR 连接同类的条件。",
        )
