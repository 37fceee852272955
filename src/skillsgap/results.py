"""Result formats, shared by the server and ``skillsgap query``: pyoxigraph serialises, we only pick."""

from __future__ import annotations

from typing import Any

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
)
from pyoxigraph import serialize as serialize_rdf

from skillsgap.errors import UsageError
from skillsgap.namespaces import PREFIXES

SOLUTION_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "ttl": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
    "nq": RdfFormat.N_QUADS,
}
TEXT_FORMATS = ("table",)
ALL_FORMATS = TEXT_FORMATS + tuple(SOLUTION_FORMATS) + tuple(GRAPH_FORMATS)


def serialize(results: Any, fmt: str) -> bytes:
    """Query results as bytes in ``fmt`` (a key of SOLUTION_FORMATS or GRAPH_FORMATS)."""
    if isinstance(results, QueryTriples):
        if fmt not in GRAPH_FORMATS:
            raise UsageError(_wrong_format(fmt, "a CONSTRUCT or DESCRIBE result", GRAPH_FORMATS))
        return (
            serialize_rdf(results, format=GRAPH_FORMATS[fmt], prefixes=_graph_prefixes(fmt)) or b""
        )
    if fmt not in SOLUTION_FORMATS:
        raise UsageError(_wrong_format(fmt, "a SELECT or ASK result", SOLUTION_FORMATS))
    return results.serialize(format=SOLUTION_FORMATS[fmt]) or b""


def table(results: Any) -> str:
    """Results as an aligned text table for a terminal (prefixes compacted)."""
    if isinstance(results, QueryBoolean):
        return "true" if bool(results) else "false"
    if isinstance(results, QueryTriples):
        rows = [[compact(t.subject), compact(t.predicate), compact(t.object)] for t in results]
        return _align(["subject", "predicate", "object"], rows)
    assert isinstance(results, QuerySolutions)
    names = [v.value for v in results.variables]
    rows = [[compact(solution[name]) for name in names] for solution in results]
    return _align(names, rows)


def compact(term: Any) -> str:
    """A term as a person reads it: prefixed IRI, literal's text, empty for unbound."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        for prefix, namespace in PREFIXES.items():
            if term.value.startswith(namespace):
                return f"{prefix}:{term.value[len(namespace) :]}"
        return f"<{term.value}>"
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        return term.value
    return str(term)


def _align(header: list[str], rows: list[list[str]]) -> str:
    cells = [[c.replace("\n", " ") for c in row] for row in rows]
    widths = [min(60, max([len(h)] + [len(r[i]) for r in cells])) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(_fit(c, w) for c, w in zip(row, widths, strict=True)))
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def _fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


def _graph_prefixes(fmt: str) -> dict[str, str] | None:
    return PREFIXES if fmt in ("ttl", "rdfxml") else None


def _wrong_format(fmt: str, what: str, allowed: dict[str, Any]) -> str:
    return f"format {fmt!r} cannot hold {what}; expected one of {', '.join(allowed)}"
