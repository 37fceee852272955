"""RDF Data Cube building blocks shared by the statistics loaders.

The pattern (see ``ontology/skillsgap.ttl`` and ``shapes/cube.ttl``):

- one ``qb:DataSet`` per published table, with ``qb:structure`` its ``qb:DataStructureDefinition``;
- every observation has the dimensions ``sdmx-dimension:refArea`` (an ONS area),
  ``sdmx-dimension:refPeriod`` (a data.gov.uk year, month or interval) and ``sg:statistic`` (what is
  measured: a concept of the ``sgid:statistic`` scheme), plus the table's own breakdowns
  (``sg:occupation``, ``sg:qualificationLevel``, ``sg:industry``, ``sg:workingPattern``...);
- its one measure is ``sdmx-measure:obsValue`` (xsd:decimal), with ``sdmx-attribute:unitMeasure``;
- ``sdmx-attribute:obsStatus`` says whether the value is there: ``sg:Available`` (it is),
  ``sg:Suppressed`` (withheld by the publisher) or ``sg:NotAvailable`` (missing). A suppressed or
  missing cell has no value at all — never a zero — and keeps its publisher's marker in
  ``sg:sourceMarker``; ``sg:reliability`` adds flags such as ``sg:Unreliable``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import iris, namespaces
from skillsgap.loaders._tables import Row
from skillsgap.namespaces import (
    DCT,
    QB,
    RDF,
    RDFS,
    SDMX_ATTRIBUTE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    SG,
    SKOS,
    XSD,
)

Term = NamedNode | Literal

REF_AREA = SDMX_DIMENSION.refArea
REF_PERIOD = SDMX_DIMENSION.refPeriod
STATISTIC = SG.statistic
OBS_VALUE = SDMX_MEASURE.obsValue
UNIT = SDMX_ATTRIBUTE.unitMeasure
STATUS = SDMX_ATTRIBUTE.obsStatus

AVAILABLE = SG.Available
SUPPRESSED = SG.Suppressed
NOT_AVAILABLE = SG.NotAvailable


@dataclass(frozen=True)
class Component:
    """One component of a data structure: a dimension, the measure, or an attribute."""

    property: NamedNode
    kind: str  # "dimension", "measure" or "attribute"
    required: bool = True


COMMON_COMPONENTS = (
    Component(REF_AREA, "dimension"),
    Component(REF_PERIOD, "dimension"),
    Component(STATISTIC, "dimension"),
    Component(OBS_VALUE, "measure"),
    Component(UNIT, "attribute"),
    Component(STATUS, "attribute"),
    Component(SG.reliability, "attribute", required=False),
    Component(SG.sourceMarker, "attribute", required=False),
)


def structure(name: str, label: str, breakdowns: Iterable[Component] = ()) -> Iterator[Triple]:
    """A qb:DataStructureDefinition: the common components plus the table's breakdowns."""
    dsd = iris.structure_iri(name)
    yield Triple(dsd, RDF.type, QB.DataStructureDefinition)
    yield Triple(dsd, RDFS.label, Literal(label, language="en"))
    for order, component in enumerate((*COMMON_COMPONENTS, *breakdowns), start=1):
        spec = iris.component_iri(
            name, component.property.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        )
        yield Triple(dsd, QB.component, spec)
        yield Triple(spec, RDF.type, QB.ComponentSpecification)
        yield Triple(spec, QB[component.kind], component.property)
        yield Triple(spec, QB.order, Literal(str(order), datatype=XSD.integer))
        if component.kind == "attribute":
            required = "true" if component.required else "false"
            yield Triple(spec, QB.componentRequired, Literal(required, datatype=XSD.boolean))


def dataset(
    slug: str,
    table: str,
    structure_name: str,
    label: str,
    about: Mapping[NamedNode, Term] | None = None,
) -> Iterator[Triple]:
    """A qb:DataSet for one table, with its structure and descriptive metadata (dct:...)."""
    node = iris.dataset_iri(slug, table)
    yield Triple(node, RDF.type, QB.DataSet)
    yield Triple(node, QB.structure, iris.structure_iri(structure_name))
    yield Triple(node, RDFS.label, Literal(label, language="en"))
    for predicate, value in (about or {}).items():
        yield Triple(node, predicate, value)


def observation(
    node: NamedNode,
    slug: str,
    table: str,
    dimensions: Mapping[NamedNode, Term],
    value: Decimal | None,
    unit: NamedNode,
    status: NamedNode = AVAILABLE,
    reliability: Iterable[NamedNode] = (),
    marker: str | None = None,
    attributes: Mapping[NamedNode, Term] | None = None,
) -> Iterator[Triple]:
    """One qb:Observation; ``value`` must be None exactly when the status is not Available."""
    if (value is None) != (status != AVAILABLE):
        raise ValueError(f"{node.value}: a value goes with status Available, and only with it")
    yield Triple(node, RDF.type, QB.Observation)
    yield Triple(node, QB.dataSet, _dataset_iri(slug, table))
    for dimension, code in dimensions.items():
        yield Triple(node, dimension, code)
    if value is not None:
        yield Triple(node, OBS_VALUE, decimal(value))
    yield Triple(node, UNIT, unit)
    yield Triple(node, STATUS, status)
    for flag in reliability:
        yield Triple(node, SG.reliability, flag)
    if marker:
        yield Triple(node, SG.sourceMarker, Literal(marker))
    for attribute, term in (attributes or {}).items():
        yield Triple(node, attribute, term)


_dataset_iri = cache(iris.dataset_iri)  # the same few datasets for many observations


def decimal(value: Decimal) -> Literal:
    """An xsd:decimal literal in canonical form (no exponent), at most 18 decimal places."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -18:
        # Oxigraph (and the shacl engine built on it) holds 18 digits after the point.
        value = value.quantize(Decimal("1e-18"))
    text = format(value.normalize(), "f") if value != 0 else "0"
    return Literal(text if "." in text else text + ".0", datatype=XSD.decimal)  # 1000.0, 0.0


def number(row: Row, column: str, raw: str | None = None) -> Decimal:
    """A cell's number, or a SourceError naming the row and column."""
    text = (row.get(column) if raw is None else raw).replace(",", "").strip()
    try:
        parsed = Decimal(text)
    except InvalidOperation:
        raise row.error(column, "a number", text) from None
    if not parsed.is_finite():
        raise row.error(column, "a finite number", text)
    return parsed


def concept(
    node: NamedNode, scheme: NamedNode, scheme_label: str, label: str, notation: str | None = None
) -> Iterator[Triple]:
    """A code of a small code list (statistic, unit, breakdown) with its scheme.

    Every graph that uses a code states it, so each graph passes the gate alone; the triples are
    identical across graphs, so the union holds each once.
    """
    yield Triple(scheme, RDF.type, SKOS.ConceptScheme)
    yield Triple(scheme, SKOS.prefLabel, Literal(scheme_label, language="en"))
    yield Triple(node, RDF.type, SKOS.Concept)
    yield Triple(node, SKOS.inScheme, scheme)
    yield Triple(node, SKOS.prefLabel, Literal(label, language="en"))
    if notation:
        yield Triple(node, SKOS.notation, Literal(notation))


def statistic(name: str, label: str, definition: str) -> Iterator[Triple]:
    """A concept of the statistic scheme: what an observation measures."""
    node = iris.statistic_iri(name)
    yield from concept(node, iris.STATISTIC_SCHEME, "Statistics", label, name)
    yield Triple(node, SKOS.definition, Literal(definition, language="en"))


UNITS = {
    "persons": "Persons",
    "thousand-persons": "Thousands of persons",
    "gbp-per-year": "Pounds sterling per year",
    "gbp-per-hour": "Pounds sterling per hour",
    "percent": "Per cent",
    "proportion": "Proportion (0 to 1)",
    "establishments": "Establishments",
    "vacancies": "Vacancies",
    "thousand-jobs": "Thousands of employee jobs",
    "index": "Index (unit measure)",
    "job-adverts": "Job adverts",
    "learners": "Learners",
}


def unit(name: str) -> tuple[NamedNode, list[Triple]]:
    """A unit of measure and the triples that describe it."""
    node = iris.unit_iri(name)
    return node, list(concept(node, iris.UNIT_SCHEME, "Units of measure", UNITS[name], name))


def source_metadata(publisher: str, source: str, licence: str) -> dict[NamedNode, Term]:
    """dct: metadata for a dataset: publisher (IRI), source (file or URL text), licence (IRI)."""
    return {
        DCT.publisher: NamedNode(publisher),
        DCT.source: Literal(source),
        DCT.license: NamedNode(licence),
    }


OGL = namespaces.OGL.value
