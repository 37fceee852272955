"""Result formats, shared by the server and ``skillsgap query``: pyoxigraph serialises, we only pick."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import IO, Any, Protocol, cast

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


@lru_cache(maxsize=256)  # clients send the same few Accept headers again and again
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


class Output(Protocol):
    """Where a result is written: told first whether the row cap cut it, then given its bytes."""

    def begin(self, truncated: bool) -> None: ...

    def write(self, data: bytes) -> int: ...

    def flush(self) -> None: ...


# The fewest bytes one solution takes in each format (a row with every variable unbound):
# output shorter than max_rows times this cannot hold more than max_rows rows.
MIN_ROW_BYTES = {"json": 3, "csv": 2, "tsv": 1, "xml": 17}


def write_capped(
    results: Any, rerun: Callable[[], Any] | None, fmt: str, max_rows: int, out: Output, *,
    cap_cannot_cut: bool = False,
) -> None:  # fmt: skip
    """Write results in ``fmt`` with at most ``max_rows`` rows or triples to ``out``.

    pyoxigraph writes every row; no row is built in Python. When the cap cannot cut (the query's
    own LIMIT is within it) the output streams from the first row. Otherwise a result short
    enough that it cannot exceed the cap is written directly; a longer one is evaluated again
    (``rerun``; without it, no direct attempt) and its rows counted on pyoxigraph's TSV before
    being converted.
    """
    kind = result_kind(results)
    if kind == "boolean":
        out.begin(False)
        out.write(serialize(results, fmt))
    elif kind == "graph":
        _write_graph(results, fmt, max_rows, out)
    elif cap_cannot_cut:
        out.begin(False)
        results.serialize(out, SOLUTION_FORMATS[fmt])
    elif fmt == "tsv" or rerun is None:
        _write_counted(results, fmt, max_rows, out)
    elif not _write_if_short(results, fmt, max_rows, out):
        _write_counted(rerun(), fmt, max_rows, out)  # the short attempt consumed the solutions


def capped(results: Any, fmt: str, max_rows: int) -> tuple[bytes, bool]:
    """Results in ``fmt`` with at most ``max_rows`` rows or triples, and whether any were cut."""
    collected = _Collected()
    write_capped(results, None, fmt, max_rows, collected)
    return b"".join(collected.parts), collected.truncated


def _write_graph(results: Any, fmt: str, max_rows: int, out: Output) -> None:
    triples: list[Any] = []
    for triple in results:
        if len(triples) == max_rows:
            out.begin(True)
            break
        triples.append(triple)
    else:
        out.begin(False)
    serialize_rdf(
        triples, cast(IO[bytes], out), format=GRAPH_FORMATS[fmt], prefixes=_graph_prefixes(fmt)
    )


def _write_if_short(results: Any, fmt: str, max_rows: int, out: Output) -> bool:
    """Write results that fit in fewer bytes than max_rows rows can; False if they do not."""
    sink = _ByteSink(MIN_ROW_BYTES[fmt] * max_rows)
    try:
        results.serialize(sink, SOLUTION_FORMATS[fmt])
    except Exception:
        if not sink.full:
            raise
        return False
    out.begin(False)
    out.write(b"".join(sink.parts))
    return True


def _write_counted(results: Any, fmt: str, max_rows: int, out: Output) -> None:
    # TSV has exactly one line per solution after the header line, so lines count rows.
    sink = _LineSink(max_rows + 1)
    try:
        results.serialize(sink, QueryResultsFormat.TSV)
    except Exception:
        if not sink.full:
            raise
    tsv, truncated = sink.text()
    out.begin(truncated)
    if fmt == "tsv":
        out.write(tsv)
    else:
        solutions = parse_query_results(tsv, QueryResultsFormat.TSV)
        solutions.serialize(cast(IO[bytes], out), SOLUTION_FORMATS[fmt])


class _Collected:
    """An Output that keeps everything, for callers that want the whole result."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.truncated = False

    def begin(self, truncated: bool) -> None:
        self.truncated = truncated

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


class _ByteSink:
    """A file-like target that keeps fewer than ``limit`` bytes and stops the writer at it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        self.full = False

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size >= self.limit:
            self.full = True
            raise _SinkFull
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


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
    """Raised into pyoxigraph's writer to stop it once a sink is full."""


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
