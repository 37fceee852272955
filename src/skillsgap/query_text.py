"""Lexical checks on SPARQL text: which keywords appear outside strings, IRIs and comments."""

from __future__ import annotations

import re
from functools import lru_cache

# Strings, IRIs and comments, removed before looking for keywords.
_NOT_KEYWORDS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>'
    r"|#[^\n]*"
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _keyword(word: str) -> re.Pattern[str]:
    # The keyword, not a variable (?from), a prefix (from:) or part of a name (a:from).
    return re.compile(rf"(?<![?$:\w-]){word}(?![:\w-])", re.IGNORECASE)


_SERVICE = _keyword("SERVICE")
_FROM = _keyword("FROM")


@lru_cache(maxsize=4)  # the checks of one query (SERVICE, FROM, LIMIT) strip it once
def _code(query: str) -> str:
    # SPARQL resolves \u escapes anywhere in the query text before parsing it.
    text = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    return _NOT_KEYWORDS.sub(" ", text)


def _may_contain(query: str, word: str) -> bool:
    # A cheap first look: the word cannot be a keyword of a text that does not contain it,
    # unless \u escapes spell it.
    return word in query.lower() or "\\u" in query or "\\U" in query


def uses_service(query: str) -> bool:
    """Whether the query has a SERVICE clause."""
    return _may_contain(query, "service") and bool(_SERVICE.search(_code(query)))


def declares_dataset(query: str) -> bool:
    """Whether the query has FROM or FROM NAMED clauses, which then define its dataset."""
    return _may_contain(query, "from") and bool(_FROM.search(_code(query)))


# A solution modifier at the very end of the text belongs to the outer query: a subquery's
# would be followed by its closing brace.
_OUTER_LIMIT = re.compile(
    r"(?<![?$:\w-])(?:LIMIT\s+(\d+)(?:\s+OFFSET\s+\d+)?|OFFSET\s+\d+\s+LIMIT\s+(\d+))\s*\Z",
    re.IGNORECASE,
)


def outer_limit(query: str) -> int | None:
    """The outer query's LIMIT when the text ends with it, else None."""
    if not _may_contain(query, "limit"):
        return None
    match = _OUTER_LIMIT.search(_code(query))
    return int(match.group(1) or match.group(2)) if match else None
