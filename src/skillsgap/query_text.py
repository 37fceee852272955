"""Lexical checks on SPARQL text: which keywords appear outside strings, IRIs and comments."""

from __future__ import annotations

import re

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


def _code(query: str) -> str:
    # SPARQL resolves \u escapes anywhere in the query text before parsing it.
    text = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    return _NOT_KEYWORDS.sub(" ", text)


def uses_service(query: str) -> bool:
    """Whether the query has a SERVICE clause."""
    return bool(_SERVICE.search(_code(query)))


def declares_dataset(query: str) -> bool:
    """Whether the query has FROM or FROM NAMED clauses, which then define its dataset."""
    return bool(_FROM.search(_code(query)))
