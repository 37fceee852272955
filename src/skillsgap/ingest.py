"""Read, map, gate, commit: one source (or one user RDF file) into its named graph, with a load record."""

from __future__ import annotations

import hashlib
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Triple, parse

from skillsgap import gate, iris, store
from skillsgap.config import Settings
from skillsgap.errors import GateRejection, SourceError, SourceWarning, UsageError
from skillsgap.namespaces import DCT, PROV, RDF, RDFS, SG, SH, XSD

if TYPE_CHECKING:  # ingest takes a loader as an argument; it never imports one
    from skillsgap.loaders import Source

# Progress callback: (phase, triples so far); phases are "reading", "validating", "committing".
Progress = Callable[[str, int], None]

RDF_FORMATS = {
    ".ttl": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".trig": RdfFormat.TRIG,
    ".rdf": RdfFormat.RDF_XML,
    ".owl": RdfFormat.RDF_XML,
    ".xml": RdfFormat.RDF_XML,
    ".jsonld": RdfFormat.JSON_LD,
    ".json": RdfFormat.JSON_LD,
}


@dataclass(frozen=True)
class SourceFile:
    """A file a load read, identified by its content."""

    name: str
    sha256: str
    size: int


@dataclass
class Candidate:
    """Triples mapped from one source, per target graph, ready for the gate."""

    label: str
    loader_version: str
    graphs: dict[str, bytes]
    triple_count: int
    files: list[SourceFile]
    # Graphs whose triples the shapes may point at; None means every graph in the store.
    reference_graphs: tuple[NamedNode, ...] | None = ()
    # What the loader repaired or kept as published, as it said (errors.SourceWarning).
    source_warnings: tuple[str, ...] = ()

    def ntriples(self) -> bytes:
        return b"\n".join(self.graphs.values())


@dataclass
class LoadOutcome:
    """What a committed load did."""

    candidate: Candidate
    report: gate.Report
    version: str
    load: NamedNode
    seconds: dict[str, float] = field(default_factory=dict)


def read_source(source: Source, folder: Path, progress: Progress | None = None) -> Candidate:
    """Run a source's loader over its files in ``folder`` (nothing is written)."""
    files = [_describe(folder / name) for name in source.files]
    counted = _Counter(source.read(folder), progress)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SourceWarning)
        ntriples = gate.to_ntriples(counted)
    for other in caught:
        if not issubclass(other.category, SourceWarning):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    return Candidate(
        label=source.slug,
        loader_version=f"{source.slug}/{source.version}",
        graphs={iris.graph_iri(source.slug).value: ntriples},
        triple_count=counted.count,
        files=files,
        reference_graphs=tuple(iris.graph_iri(slug) for slug in source.depends_on),
        source_warnings=tuple(
            str(w.message) for w in caught if issubclass(w.category, SourceWarning)
        ),
    )


def read_rdf_file(
    path: Path,
    graph: str | None = None,
    reader: Callable[[Path], Iterable[Triple]] | None = None,
) -> Candidate:
    """A user's RDF file: triples go to ``graph`` (default: one named after the file), quads keep
    theirs; ``reader`` replaces the format's parser (e.g. CTDL JSON-LD with its bundled context).

    The gate checks it against every graph in the store, since a file may point anywhere."""
    file_format = RDF_FORMATS.get(path.suffix.lower())
    if file_format is None and reader is None:
        known = ", ".join(sorted(RDF_FORMATS))
        raise UsageError(
            f"{path}: unknown RDF file type {path.suffix!r}; expected one of {known}, "
            "or an occupation mapping CSV (docs/occupation-mapping.md)"
        )
    described = _describe(path)
    target = graph or iris.file_graph_iri(path.name).value
    if reader is not None:
        triples = list(reader(path))
        graphs = {target: gate.to_ntriples(triples)}
        return Candidate(path.name, "rdf-file/1", graphs, len(triples), [described], None)
    assert file_format is not None  # refused above when there is no reader
    if file_format == RdfFormat.N_TRIPLES:
        # Already the form the gate and the store read: passed on as is; the gate's parser
        # reports a syntax error with its line and column.
        data = path.read_bytes()
        count = sum(
            1 for line in data.splitlines() if line.strip() and not line.lstrip().startswith(b"#")
        )
        graphs = {target: data}
    else:
        by_graph: dict[str, list[Triple]] = {}
        for quad in _parsed(path, file_format):
            name = target if isinstance(quad.graph_name, DefaultGraph) else quad.graph_name.value
            by_graph.setdefault(name, []).append(quad.triple)
        count = sum(len(t) for t in by_graph.values())
        graphs = {name: gate.to_ntriples(triples) for name, triples in by_graph.items()}
    return Candidate(path.name, "rdf-file/1", graphs, count, [described], None)


def _parsed(path: Path, file_format: RdfFormat) -> Iterator[Quad]:
    """Quads of an RDF file; syntax errors become a SourceError naming the file and position."""
    try:
        yield from parse(path=str(path), format=file_format, base_iri=path.resolve().as_uri())
    except SyntaxError as exc:
        raise SourceError(f"not valid {file_format.name}: {exc}", file=path.name) from None
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read as {file_format.name}: {exc}", file=path.name) from None


def check(candidate: Candidate, settings: Settings) -> gate.Report:
    """Validate a candidate with its reference data from the live store; nothing is written."""
    snapshot = store.open_snapshot(settings.store)
    references = candidate.reference_graphs
    if references is None:
        replaced = set(candidate.graphs) | {iris.LOADS_GRAPH.value}
        references = tuple(NamedNode(g) for g in snapshot.graph_names() if g not in replaced)
    reference = snapshot.graph_ntriples(references)
    try:
        return gate.validate(candidate.ntriples(), reference, settings.engine)
    except SourceError as exc:
        # The candidate comes first in what the gate parsed, so its line numbers are the file's.
        raise SourceError(exc.message, file=candidate.label) from None


def commit(
    candidate: Candidate, settings: Settings, progress: Progress | None = None
) -> LoadOutcome:
    """Gate the candidate and, if it has no sh:Violation, replace its graphs in one atomic step."""
    started = datetime.now(UTC)
    clock = time.perf_counter()
    _tell(progress, "validating", candidate.triple_count)
    report = check(candidate, settings)
    validated = time.perf_counter()
    if not report.conforms:
        raise GateRejection(
            f"{candidate.label}: rejected by the SHACL gate with "
            f"{report.count('Violation')} violation(s); the store is unchanged",
            violations=report.count("Violation"),
            report=report,
        )
    _tell(progress, "committing", candidate.triple_count)
    load = iris.load_iri(candidate.label, started.strftime("%Y%m%dT%H%M%S.%fZ"))
    with store.draft(settings.store, settings.keep_versions) as draft:
        for graph, ntriples in candidate.graphs.items():
            draft.replace_graph(NamedNode(graph), ntriples)
        draft.add(load_record(load, candidate, report, settings.engine, started))
    version = store.current_version(settings.store) or ""
    seconds = {"validate": validated - clock, "commit": time.perf_counter() - validated}
    return LoadOutcome(candidate, report, version, load, seconds)


def load_record(
    load: NamedNode, candidate: Candidate, report: gate.Report, engine: str, started: datetime
) -> list[Quad]:
    """PROV for one committed load, with its validation report, in the loads graph."""
    ended = datetime.now(UTC)
    counts = report.by_severity()
    triples = [
        Triple(load, RDF.type, SG.Load),
        Triple(load, RDF.type, PROV.Activity),
        Triple(load, SG.source, Literal(candidate.label)),
        Triple(load, SG.loaderVersion, Literal(candidate.loader_version)),
        Triple(load, PROV.startedAtTime, _datetime(started)),
        Triple(load, PROV.endedAtTime, _datetime(ended)),
        Triple(load, SG.tripleCount, Literal(str(candidate.triple_count), datatype=XSD.integer)),
        Triple(load, SG.warningCount, Literal(str(counts["Warning"]), datatype=XSD.integer)),
        Triple(load, SG.infoCount, Literal(str(counts["Info"]), datatype=XSD.integer)),
        Triple(
            load,
            SG.sourceWarningCount,
            Literal(str(len(candidate.source_warnings)), datatype=XSD.integer),
        ),
        Triple(load, SG.engine, Literal(engine)),
        Triple(load, SG.outcome, Literal("committed")),
    ]
    triples += [Triple(load, PROV.generated, NamedNode(graph)) for graph in candidate.graphs]
    for described in candidate.files:
        entity = iris.file_iri(described.sha256)
        triples += [
            Triple(load, PROV.used, entity),
            Triple(entity, RDF.type, PROV.Entity),
            Triple(entity, RDFS.label, Literal(described.name)),
            Triple(entity, SG.sha256, Literal(described.sha256)),
            Triple(entity, DCT.extent, Literal(str(described.size), datatype=XSD.integer)),
        ]
    triples += _report_triples(load, report)
    return [Quad(t.subject, t.predicate, t.object, iris.LOADS_GRAPH) for t in triples]


def _report_triples(load: NamedNode, report: gate.Report) -> list[Triple]:
    """The W3C validation report, linked from the load."""
    if not report.turtle:
        return []
    triples = list(parse(report.turtle.encode(), format=RdfFormat.TURTLE))
    reports = [
        t.subject for t in triples if t.predicate == RDF.type and t.object == SH.ValidationReport
    ]
    return triples + [Triple(load, SG.validationReport, node) for node in reports]


class _Counter:
    """Passes triples through while counting them and telling the progress callback."""

    def __init__(self, triples: Iterable[Triple], progress: Progress | None) -> None:
        self._triples = triples
        self._progress = progress
        self.count = 0

    def __iter__(self) -> Iterator[Triple]:
        for triple in self._triples:
            self.count += 1
            if self._progress and self.count % 20_000 == 0:
                self._progress("reading", self.count)
            yield triple


def _describe(path: Path) -> SourceFile:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise SourceError("is a directory, not a file", file=str(path)) from None
    return SourceFile(path.name, hashlib.sha256(data).hexdigest(), len(data))


def _datetime(moment: datetime) -> Literal:
    return Literal(moment.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)


def _tell(progress: Progress | None, phase: str, count: int) -> None:
    if progress:
        progress(phase, count)
