"""Reads W3C SPARQL 1.1 test manifests and compares query results the way the suite says.

Not a test module: ``test_w3c_query_evaluation.py`` and ``test_w3c_protocol.py`` use it. Every
file is read with its own ``file:`` URI as base IRI, so relative IRIs in manifests, queries, data
and expected results (graph names such as ``<data01.ttl>``) all resolve to the same IRIs.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlparse

from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Dataset,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
)

from skillsgap import ingest
from skillsgap.config import Settings

W3C_DATA = Path(__file__).resolve().parent / "data" / "w3c-sparql11"

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
QT = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
STATUS_CLASS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

RDF_SUFFIXES = {".ttl": RdfFormat.TURTLE, ".nt": RdfFormat.N_TRIPLES, ".rdf": RdfFormat.RDF_XML}
RESULT_SUFFIXES = {
    ".srx": QueryResultsFormat.XML,
    ".srj": QueryResultsFormat.JSON,
    ".tsv": QueryResultsFormat.TSV,
}

Term = NamedNode | BlankNode | Literal | Triple


@dataclass(frozen=True)
class Table:
    """SELECT results: the variables and one dict of bound terms per solution, in order."""

    variables: frozenset[str]
    rows: tuple[dict[str, Term], ...]


@dataclass(frozen=True)
class Graph:
    """CONSTRUCT or DESCRIBE results."""

    triples: tuple[Triple, ...]


Outcome = bool | Table | Graph


@dataclass(frozen=True)
class QueryTest:
    """One query-evaluation or syntax test of a manifest."""

    id: str
    name: str
    kind: str
    query: Path
    data: tuple[Path, ...] = ()
    graph_data: tuple[Path, ...] = ()
    result: Path | None = None

    @property
    def is_syntax_test(self) -> bool:
        """Whether the test checks only that the query parses (or fails to)."""
        return "SyntaxTest" in self.kind

    @property
    def expects_syntax_error(self) -> bool:
        """Whether the query must be rejected as invalid."""
        return self.kind.startswith("Negative")

    @property
    def result_suffix(self) -> str:
        """The expected result file's extension ('.srx', '.csv'…), or '' for none."""
        return self.result.suffix if self.result else ""


@dataclass(frozen=True)
class ProtocolRequest:
    """One HTTP request of a protocol test, with what its response must show."""

    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]
    statuses: tuple[str, ...]
    result_format: str | None = None
    boolean: bool | None = None


@dataclass(frozen=True)
class ProtocolTest:
    """One protocol test: the graphs it needs (IRI, file) and its requests, run in order."""

    id: str
    name: str
    graphs: tuple[tuple[str, Path], ...]
    requests: tuple[ProtocolRequest, ...]


class _Index:
    """The triples of one manifest, indexed by subject and predicate."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self._by_subject: dict[Term, dict[str, list[Term]]] = {}
        for t in triples:
            by_predicate = self._by_subject.setdefault(t.subject, {})
            by_predicate.setdefault(t.predicate.value, []).append(t.object)

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        """All objects of ``subject predicate ?o``."""
        return self._by_subject.get(subject, {}).get(predicate, [])

    def value(self, subject: Term, predicate: str) -> Term | None:
        """One object of ``subject predicate ?o``, or None."""
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def items(self, head: Term | None) -> Iterator[Term]:
        """The members of an RDF list."""
        while head is not None and head != NamedNode(RDF + "nil"):
            first = self.value(head, RDF + "first")
            if first is not None:
                yield first
            head = self.value(head, RDF + "rest")

    def subjects_of_type(self, rdf_type: str) -> list[Term]:
        """Subjects with ``rdf:type rdf_type``."""
        wanted = NamedNode(rdf_type)
        return [s for s, p in self._by_subject.items() if wanted in p.get(RDF + "type", [])]


def read_manifest(path: Path) -> _Index:
    """A manifest's triples, relative IRIs resolved against the manifest file."""
    return _Index(parse(path=str(path), format=RdfFormat.TURTLE, base_iri=path.resolve().as_uri()))


def file_path(iri: Term) -> Path:
    """The local file a ``file:`` IRI names."""
    return Path(unquote(urlparse(iri.value).path))


def query_tests(folder: str, root: Path = W3C_DATA) -> list[QueryTest]:
    """The tests listed in ``mf:entries`` of ``root/folder/manifest.ttl``, in manifest order."""
    index = read_manifest(root / folder / "manifest.ttl")
    manifest = NamedNode((root / folder / "manifest.ttl").resolve().as_uri())
    entries = index.items(index.value(manifest, MF + "entries"))
    return [_query_test(index, folder, entry) for entry in entries]


def _query_test(index: _Index, folder: str, entry: Term) -> QueryTest:
    """One manifest entry as a QueryTest."""
    kind = (index.value(entry, RDF + "type") or NamedNode(MF + "?")).value.rsplit("#", 1)[-1]
    name = index.value(entry, MF + "name")
    action = index.value(entry, MF + "action")
    result = index.value(entry, MF + "result")
    query = index.value(action, QT + "query") if isinstance(action, BlankNode) else action
    assert query is not None, f"{entry}: no query"
    return QueryTest(
        id=f"{folder}/{entry.value.rsplit('#', 1)[-1]}",
        name=name.value if name else "",
        kind=kind,
        query=file_path(query),
        data=tuple(file_path(d) for d in index.objects(action, QT + "data")),
        graph_data=tuple(file_path(g) for g in index.objects(action, QT + "graphData")),
        result=file_path(result) if result else None,
    )


def protocol_tests(root: Path = W3C_DATA) -> list[ProtocolTest]:
    """The tests of ``protocol/manifest.ttl``, each with its requests and expected responses."""
    path = root / "protocol" / "manifest.ttl"
    index = read_manifest(path)
    manifest = NamedNode(path.resolve().as_uri())
    return [_protocol_test(index, e) for e in index.items(index.value(manifest, MF + "entries"))]


def _protocol_test(index: _Index, entry: Term) -> ProtocolTest:
    """One protocol manifest entry."""
    graphs = []
    for described in index.objects(entry, UT + "graphData"):
        label, graph = index.value(described, RDFS + "label"), index.value(described, UT + "graph")
        if label is not None and graph is not None:
            graphs.append((label.value, file_path(graph)))
    connection = index.value(entry, MF + "action")
    requests = index.items(index.value(connection, HT + "requests")) if connection else iter(())
    name = index.value(entry, MF + "name")
    return ProtocolTest(
        id=entry.value.rsplit("#", 1)[-1],
        name=name.value if name else "",
        graphs=tuple(graphs),
        requests=tuple(_protocol_request(index, r) for r in requests),
    )


def _protocol_request(index: _Index, request: Term) -> ProtocolRequest:
    """One ht:Request with its ht:resp expectations."""
    method = index.value(request, HT + "methodName")
    path = index.value(request, HT + "absolutePath")
    assert method is not None and path is not None, f"incomplete request {request}"
    headers = {}
    for header in index.items(index.value(request, HT + "headers")):
        field_name = index.value(header, HT + "fieldName")
        field_value = index.value(header, HT + "fieldValue")
        if field_name is not None and field_value is not None:
            headers[field_name.value] = field_value.value
    response = index.value(request, HT + "resp")
    statuses = tuple(
        s.value.removeprefix(STATUS_CLASS) for s in index.objects(response, MF + "expectedStatus")
    )
    result_format = index.value(response, MF + "expectedFormat")
    boolean = index.value(response, MF + "expectedBoolean")
    return ProtocolRequest(
        method=method.value,
        path=path.value,
        body=_body(index, index.value(request, HT + "body")),
        headers=headers,
        statuses=statuses,
        result_format=result_format.value if result_format else None,
        boolean=boolean.value == "true" if boolean else None,
    )


def _body(index: _Index, body: Term | None) -> bytes | None:
    """A cnt:ContentAsText body, encoded as its cnt:characterEncoding says."""
    if body is None:
        return None
    chars = index.value(body, CNT + "chars")
    encoding = index.value(body, CNT + "characterEncoding")
    return (chars.value if chars else "").encode(encoding.value if encoding else "utf-8")


def status_matches(status: int, classes: Iterable[str]) -> bool:
    """Whether an HTTP status is in one of the classes '2xx', '3xx', '4xx'…"""
    return any(str(status)[0] == c[0] for c in classes)


def load_through_gate(graphs: dict[str, Path], settings: Settings, label: str) -> None:
    """Read each file into its graph (IRI → file) and commit them all as one gated load."""
    read = [ingest.read_rdf_file(path, iri) for iri, path in sorted(graphs.items())]
    merged = ingest.Candidate(
        label=label,
        loader_version="rdf-file/1",
        graphs={iri: data for candidate in read for iri, data in candidate.graphs.items()},
        triple_count=sum(candidate.triple_count for candidate in read),
        files=[described for candidate in read for described in candidate.files],
    )
    ingest.commit(merged, settings)


# Outcomes: what a query gave, or what a test expects.


def outcome_of(results: QuerySolutions | QueryBoolean | QueryTriples) -> Outcome:
    """pyoxigraph query results as an Outcome."""
    if isinstance(results, QueryBoolean):
        return bool(results)
    if isinstance(results, QueryTriples):
        return Graph(tuple(results))
    names = [v.value for v in results.variables]
    rows = tuple({n: s[n] for n in names if s[n] is not None} for s in results)
    return Table(frozenset(names), rows)


def read_results(data: bytes, suffix: str, base_iri: str | None = None) -> Outcome:
    """A results document (.srx, .srj, .tsv, .csv, or RDF: a graph or an rs:ResultSet)."""
    if suffix == ".csv":
        return read_csv(data)
    if suffix in RESULT_SUFFIXES:
        return outcome_of(parse_query_results(data, format=RESULT_SUFFIXES[suffix]))
    triples = list(parse(data, format=RDF_SUFFIXES[suffix], base_iri=base_iri))
    return _result_set(_Index(q.triple for q in triples)) or Graph(tuple(q.triple for q in triples))


def expected_outcome(test: QueryTest) -> Outcome:
    """What a query-evaluation test expects."""
    assert test.result is not None, f"{test.id} has no expected result"
    return read_results(test.result.read_bytes(), test.result_suffix, test.result.as_uri())


def read_csv(data: bytes) -> Table:
    """SPARQL CSV results by lexical value only (the format keeps no term types, as the spec says).

    pyoxigraph does not parse CSV results (the format is lossy), so this reads them: an empty
    cell is unbound, ``_:x`` a blank node, anything else a plain literal of the cell's text.
    """
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    if not rows:
        return Table(frozenset(), ())
    header, body = rows[0], rows[1:]
    solutions = tuple(
        {name: _csv_term(cell) for name, cell in zip(header, row, strict=True) if cell != ""}
        for row in body
    )
    return Table(frozenset(header), solutions)


def _csv_term(cell: str) -> Term:
    """One CSV cell as a lexical term."""
    return BlankNode(cell[2:]) if cell.startswith("_:") else Literal(cell)


def _result_set(index: _Index) -> Outcome | None:
    """The rs:ResultSet vocabulary (the suite's RDF form of results), or None if absent."""
    found = index.subjects_of_type(RS + "ResultSet")
    if not found:
        return None
    result_set = found[0]
    boolean = index.value(result_set, RS + "boolean")
    if boolean is not None:
        return boolean.value == "true"
    variables = frozenset(v.value for v in index.objects(result_set, RS + "resultVariable"))
    solutions = index.objects(result_set, RS + "solution")
    solutions.sort(key=lambda s: int(getattr(index.value(s, RS + "index"), "value", 0)))
    return Table(variables, tuple(_rs_solution(index, s) for s in solutions))


def _rs_solution(index: _Index, solution: Term) -> dict[str, Term]:
    """One rs:solution as variable → term."""
    row: dict[str, Term] = {}
    for binding in index.objects(solution, RS + "binding"):
        variable, value = index.value(binding, RS + "variable"), index.value(binding, RS + "value")
        if variable is not None and value is not None:
            row[variable.value] = value
    return row


# Comparison, the W3C way.


def equivalent(expected: Outcome, actual: Outcome, ordered: bool = False) -> bool:
    """Same booleans; same graphs up to blank-node renaming; same solution multisets likewise.

    Solutions are compared in order only when ``ordered`` (the query has an outer ORDER BY).
    """
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, Graph) and isinstance(actual, Graph):
        return _canonical_graph(expected) == _canonical_graph(actual)
    if isinstance(expected, Table) and isinstance(actual, Table):
        if expected.variables != actual.variables:
            return False
        return _same_rows(_normal_table(expected), _normal_table(actual), ordered)
    return False


def _canonical_graph(graph: Graph) -> set[str]:
    """A graph's canonical form, numbers and booleans normalised."""
    return canonical(_normal_triple(t) for t in graph.triples)


def _normal_table(table: Table) -> Table:
    """The table with numbers and booleans in canonical form."""
    return Table(table.variables, tuple({n: _normal(t) for n, t in r.items()} for r in table.rows))


def _normal_triple(triple: Triple) -> Triple:
    """The triple with a number or boolean object in canonical form."""
    return Triple(triple.subject, triple.predicate, _normal(triple.object))


def _normal(term: Term) -> Term:
    """A number or boolean in canonical lexical form ("1.0"^^xsd:decimal and "1" are one value).

    The suite's result files were written by several engines, which spell values differently,
    and Oxigraph stores such literals by value; the datatype still has to match.
    """
    if not isinstance(term, Literal) or term.datatype.value not in _CANONICAL:
        return term
    try:
        value = _CANONICAL[term.datatype.value](term.value.strip())
    except (ArithmeticError, ValueError, KeyError):
        return term  # an ill-typed literal stays as written
    return Literal(value, datatype=term.datatype)


def _decimal(lexical: str) -> str:
    """xsd:decimal canonical form: no exponent, no trailing zeros, at least one fraction digit."""
    text = format(Decimal(lexical).normalize(), "f")
    return text if "." in text else text + ".0"


_CANONICAL = {
    XSD + "integer": lambda v: str(int(v)),
    XSD + "decimal": _decimal,
    XSD + "double": lambda v: repr(float(v)),
    XSD + "float": lambda v: repr(float(v)),
    XSD + "boolean": lambda v: {"1": "true", "0": "false", "true": "true", "false": "false"}[v],
}


def _same_rows(expected: Table, actual: Table, ordered: bool) -> bool:
    """Solution sequences equal (as multisets unless ordered), blank nodes up to renaming."""
    if len(expected.rows) != len(actual.rows):
        return False
    if not (_has_blank_nodes(expected) or _has_blank_nodes(actual)):
        left = [frozenset(r.items()) for r in expected.rows]
        right = [frozenset(r.items()) for r in actual.rows]
        return left == right if ordered else Counter(left) == Counter(right)
    return canonical(_as_triples(expected, ordered)) == canonical(_as_triples(actual, ordered))


def _has_blank_nodes(table: Table) -> bool:
    """Whether any solution binds a blank node (or a triple term holding one)."""
    return any(_holds_blank_node(term) for row in table.rows for term in row.values())


def _holds_blank_node(term: Term) -> bool:
    """Whether the term is, or a triple term contains, a blank node."""
    if isinstance(term, Triple):
        return any(_holds_blank_node(t) for t in (term.subject, term.object))
    return isinstance(term, BlankNode)


def _as_triples(table: Table, ordered: bool) -> list[Triple]:
    """Solutions as a graph (one blank node per row), so graph isomorphism compares them."""
    triples = []
    for position, row in enumerate(table.rows):
        node = BlankNode()
        mark = Literal(str(position)) if ordered else Literal("row")
        triples.append(Triple(node, NamedNode("urn:x-w3c:row"), mark))
        triples += [Triple(node, NamedNode(f"urn:x-w3c:var:{n}"), t) for n, t in row.items()]
    return triples


def canonical(triples: Iterable[Triple]) -> set[str]:
    """Triples with blank nodes relabelled canonically (RDFC-1.0), as N-Triples lines."""
    dataset = Dataset(Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


_COMMENT = re.compile(r"^\s*#.*$|\s#[^\n>]*$", re.MULTILINE)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)


def has_outer_order_by(query: str) -> bool:
    """Whether the outermost query has ORDER BY (one inside a subquery does not order results)."""
    text = _COMMENT.sub("", query)
    return any(_depth(text[: m.start()]) == 0 for m in _ORDER_BY.finditer(text))


def _depth(text: str) -> int:
    """Braces still open at the end of ``text``."""
    return text.count("{") - text.count("}")


def declares_dataset(query: str) -> bool:
    """Whether the query picks its own dataset with FROM or FROM NAMED."""
    return re.search(r"\bFROM\s+(NAMED\s+)?<", _COMMENT.sub("", query), re.IGNORECASE) is not None
