"""The SHACL gate: validate candidate triples, with the reference data they point at, against shapes.

Two engines sit behind one interface: ``shacl`` (a Rust engine, the default on measured speed)
and ``pyshacl`` (the reference implementation). Both return the same typed :class:`Report`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from skillsgap import resources
from skillsgap.errors import SourceError, UsageError

ENGINES = ("shacl", "pyshacl")
SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class Result:
    """One validation result, with terms written in N-Triples syntax."""

    severity: str
    focus: str
    path: str | None
    value: str | None
    component: str
    shape: str | None
    message: str | None = field(default=None, compare=False)

    def sort_key(self) -> tuple[str, ...]:
        fields = (self.severity, self.focus, self.path, self.value, self.component, self.shape)
        return tuple(v or "" for v in fields)


@dataclass
class Report:
    """The outcome of one validation: typed results plus the W3C report as Turtle."""

    engine: str
    results: list[Result]
    turtle: str = field(repr=False, default="")

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def by_severity(self) -> dict[str, int]:
        counts = Counter(r.severity for r in self.results)
        return {s: counts.get(s, 0) for s in SEVERITIES}


def to_ntriples(triples: Iterable[Triple]) -> bytes:
    """Triples as N-Triples bytes: the form both engines and the store read fastest."""
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b""


def validate(candidate: bytes, reference: bytes = b"", engine: str = "shacl") -> Report:
    """Validate N-Triples ``candidate`` together with ``reference`` against the packaged shapes."""
    data = candidate + b"\n" + reference
    if engine == "shacl":
        return _validate_with_shacl(data)
    if engine == "pyshacl":
        return _validate_with_pyshacl(data)
    raise UsageError(f"unknown SHACL engine {engine!r}; expected one of {', '.join(ENGINES)}")


@cache
def _shacl_shapes() -> Any:
    import shacl

    return shacl.Shapes.from_turtle(resources.shapes_text())


def _validate_with_shacl(data: bytes) -> Report:
    try:
        report = _shacl_shapes().validate_text(data.decode("utf-8"), format="ntriples")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid UTF-8 N-Triples at byte {exc.start}") from None
    except ValueError as exc:
        raise SourceError(f"not valid N-Triples: {exc}") from None
    results = [
        Result(
            severity=r.severity,
            focus=_canonical(r.focus_node),
            path=r.path,
            value=_canonical(r.value) if r.value is not None else None,
            component=r.component,
            shape=r.root_shape,
            message=r.message,
        )
        for r in report.results
    ]
    return Report("shacl", sorted(results, key=Result.sort_key), report.turtle)


def _canonical(ntriples_term: str) -> str:
    """An N-Triples term rewritten by pyoxigraph, so both engines spell terms alike."""
    if ntriples_term.startswith("_:"):
        return "_:b"
    doc = f"<urn:s> <urn:p> {ntriples_term} .".encode()
    from pyoxigraph import parse

    return str(next(iter(parse(doc, format=RdfFormat.N_TRIPLES))).object)


@cache
def _pyshacl_shapes() -> Any:
    from rdflib import Graph

    return Graph().parse(data=resources.shapes_text(), format="turtle")


def _validate_with_pyshacl(data: bytes) -> Report:
    import pyshacl
    from rdflib import Graph

    try:
        graph = Graph().parse(data=data, format="nt")
    except Exception as exc:  # rdflib raises several parser-specific types
        raise SourceError(f"not valid N-Triples: {exc}") from None
    _conforms, report_graph, _text = pyshacl.validate(
        graph, shacl_graph=_pyshacl_shapes(), inference="none", advanced=True
    )
    return Report(
        "pyshacl", _pyshacl_results(report_graph), report_graph.serialize(format="turtle")
    )


def _pyshacl_results(report_graph: Any) -> list[Result]:
    from rdflib.namespace import RDF, SH

    results = []
    # Only top-level results: sh:detail holds nested ones that the shacl engine does not report.
    top_level = (
        node
        for report in report_graph.subjects(RDF.type, SH.ValidationReport)
        for node in report_graph.objects(report, SH.result)
    )
    for node in top_level:
        one = report_graph.value
        shape = one(node, SH.sourceShape)
        results.append(
            Result(
                severity=str(one(node, SH.resultSeverity)).rsplit("#", 1)[-1],
                focus=_from_rdflib(one(node, SH.focusNode)) or "",
                path=_path_from_rdflib(report_graph, one(node, SH.resultPath)),
                value=_from_rdflib(one(node, SH.value)),
                component=str(one(node, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
                shape=_named_root_shape(shape),
                message=str(one(node, SH.resultMessage) or "") or None,
            )
        )
    return sorted(results, key=Result.sort_key)


def _named_root_shape(shape: Any) -> str | None:
    """pyshacl names the nested property shape; report the enclosing named shape, as shacl does."""
    from rdflib import BNode
    from rdflib.namespace import SH

    graph = _pyshacl_shapes()
    seen = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        parent = graph.value(predicate=SH.property, object=shape)
        if parent is None:
            return None
        shape = parent
    return None if shape is None else f"<{shape}>"


def _from_rdflib(term: Any) -> str | None:
    from rdflib import BNode, URIRef
    from rdflib import Literal as RdflibLiteral

    if term is None:
        return None
    if isinstance(term, URIRef):
        return str(NamedNode(str(term)))
    if isinstance(term, BNode):
        return "_:b"
    if isinstance(term, RdflibLiteral):
        if term.language:
            return str(Literal(str(term), language=term.language))
        if term.datatype:
            return str(Literal(str(term), datatype=NamedNode(str(term.datatype))))
        return str(Literal(str(term)))
    return str(BlankNode())


def _path_from_rdflib(graph: Any, path: Any) -> str | None:
    """A SHACL path written in SPARQL property-path syntax, as the shacl engine writes it."""
    from rdflib import URIRef
    from rdflib.collection import Collection
    from rdflib.namespace import RDF, SH

    if path is None:
        return None
    if isinstance(path, URIRef):
        return f"<{path}>"
    if graph.value(path, RDF.first) is not None:
        return (
            "(" + "/".join(_path_from_rdflib(graph, p) or "" for p in Collection(graph, path)) + ")"
        )
    if (inverse := graph.value(path, SH.inversePath)) is not None:
        return "^" + (_path_from_rdflib(graph, inverse) or "")
    if (choices := graph.value(path, SH.alternativePath)) is not None:
        return (
            "("
            + "|".join(_path_from_rdflib(graph, p) or "" for p in Collection(graph, choices))
            + ")"
        )
    for suffix, predicate in (
        ("*", SH.zeroOrMorePath),
        ("+", SH.oneOrMorePath),
        ("?", SH.zeroOrOnePath),
    ):
        if (inner := graph.value(path, predicate)) is not None:
            return f"({_path_from_rdflib(graph, inner)}){suffix}"
    return "unknown path"
