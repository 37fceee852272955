"""Keyword checks on SPARQL text see keywords, not strings, IRIs, comments, variables or names."""

from __future__ import annotations

import pytest

from skillsgap.query_text import declares_dataset, uses_service


@pytest.mark.parametrize(
    "query,expected",
    [
        ("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", True),
        ("select * { service   <x> {} }", True),
        ("SELECT * { SERVICE SILENT ?x {} }", True),
        ("SELECT * {{}SERVICE<x>{}}", True),
        (r"SELECT * { \u0053ERVICE <x> {} }", True),
        ('SELECT * WHERE { ?s ?p "customer service" }', False),
        ("SELECT * WHERE { ?s <http://x/SERVICE> ?o } # service", False),
        ('SELECT * WHERE { ?s ?p """a " SERVICE""" }', False),
        ("PREFIX service: <http://x/> SELECT * { ?s service:p ?o }", False),
        ("SELECT ?service { ?s a:service ?service }", False),
    ],
)
def test_uses_service(query: str, expected: bool) -> None:
    assert uses_service(query) is expected


@pytest.mark.parametrize(
    "query,expected",
    [
        ("ASK FROM <x> {}", True),
        ("SELECT * FROM NAMED <g> WHERE {}", True),
        ("SELECT ?from WHERE { ?s ex:from ?from }", False),
        ('SELECT * { ?s ?p "from here" }', False),
    ],
)
def test_declares_dataset(query: str, expected: bool) -> None:
    assert declares_dataset(query) is expected
