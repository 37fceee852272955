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
    parse_query_results,
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
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "nq": "application/n-quads",
}
# Other names clients use for the same formats, in requests and in ?format=.
ALIASES = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/x-turtle": "ttl",
    "text/plain": "nt",
    "application/json+ld": "jsonld",
    "application/xml+rdf": "rdfxml",
    "turtle": "ttl",
    "ntriples": "nt",
    "n-triples": "nt",
    "json-ld": "jsonld",
    "rdf": "rdfxml",
    "rdf/xml": "rdfxml",
    "nquads": "nq",
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


def result_kind(results: Any) -> str:
    """'graph' for CONSTRUCT/DESCRIBE, 'boolean' for ASK, 'solutions' for SELECT."""
    if isinstance(results, QueryTriples):
        return "graph"
    return "boolean" if isinstance(results, QueryBoolean) else "solutions"


def formats_for(kind: str) -> tuple[str, ...]:
    """The formats a result of ``kind`` can be written in, the preferred first."""
    return tuple(GRAPH_FORMATS) if kind == "graph" else tuple(SOLUTION_FORMATS)


def negotiate(kind: str, accept: str | None, requested: str | None = None) -> str | None:
    """The format for a result: ``requested`` (a name or media type) wins, else the best
    match of the Accept header by q-value (server preference breaks ties); None if nothing fits."""
    allowed = formats_for(kind)
    if requested:
        name = _format_name(requested.strip().lower())
        return name if name in allowed else None
    ranges = _accept_ranges(accept or "*/*")
    best: tuple[float, int, str] | None = None
    for preference, name in enumerate(allowed):
        quality = _quality(name, ranges)
        if quality > 0 and (best is None or (quality, -preference) > (best[0], best[1])):
            best = (quality, -preference, name)
    return best[2] if best else None


def capped(results: Any, fmt: str, max_rows: int) -> tuple[bytes, bool]:
    """Results in ``fmt`` with at most ``max_rows`` rows or triples, and whether any were cut.

    Rows are counted on pyoxigraph's own TSV output (one line per solution), cut there, and
    re-read by pyoxigraph for the asked format: no row is built in Python.
    """
    kind = result_kind(results)
    if kind == "boolean":
        return serialize(results, fmt), False
    if kind == "graph":
        triples: list[Any] = []
        for triple in results:
            if len(triples) == max_rows:
                break
            triples.append(triple)
        else:
            return _graph_bytes(triples, fmt), False
        return _graph_bytes(triples, fmt), True
    sink = _LineSink(max_rows + 1)  # the header line, then one line per solution
    try:
        results.serialize(sink, QueryResultsFormat.TSV)
    except Exception:
        if not sink.full:
            raise
    tsv, truncated = sink.text()
    if fmt == "tsv":
        return tsv, truncated
    return parse_query_results(tsv, QueryResultsFormat.TSV).serialize(
        format=SOLUTION_FORMATS[fmt]
    ) or b"", truncated


def _graph_bytes(triples: list[Any], fmt: str) -> bytes:
    return serialize_rdf(triples, format=GRAPH_FORMATS[fmt], prefixes=_graph_prefixes(fmt)) or b""


class _LineSink:
    """A file-like target that keeps ``limit`` lines and stops the writer past them."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.lines = 0
        self.full = False

    def write(self, data: bytes) -> int:
        if self.full:
            return len(data)
        chunk = bytes(data)
        self.parts.append(chunk)
        self.lines += chunk.count(b"\n")
        if self.lines > self.limit:
            self.full = True
            raise _SinkFull
        return len(data)

    def flush(self) -> None:
        pass

    def text(self) -> tuple[bytes, bool]:
        data = b"".join(self.parts)
        if not self.full:
            return data, False
        end = -1
        for _ in range(self.limit):
            end = data.index(b"\n", end + 1)
        return data[: end + 1], True


class _SinkFull(Exception):
    """Raised into pyoxigraph's writer to stop it once the row cap is passed."""


def _format_name(text: str) -> str:
    return ALIASES.get(text) or next((k for k, v in MEDIA_TYPES.items() if v == text), text)


def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        if media.strip():
            ranges.append((media.strip().lower(), quality))
    return ranges


def _quality(name: str, ranges: list[tuple[str, float]]) -> float:
    """The q-value the most specific matching media range gives format ``name``."""
    canonical = MEDIA_TYPES[name]
    aliases = {alias for alias, target in ALIASES.items() if target == name and "/" in alias}
    best_specificity, quality = -1, 0.0
    for media, q in ranges:
        if media == canonical or media in aliases:
            specificity = 2  # wildcards match only the canonical type, not aliases
        elif media == canonical.split("/")[0] + "/*":
            specificity = 1
        else:
            specificity = 0 if media == "*/*" else -1
        if specificity > best_specificity:
            best_specificity, quality = specificity, q
    return quality


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
