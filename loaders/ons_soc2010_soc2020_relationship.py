"""ONS SOC 2010 to SOC 2020 relationship: the weighted many-to-many crosswalk of unit groups.

The sheet is laid out in blocks. A block's first row names the SOC 2010 unit group, says
``Total sample`` under SOC2020 and carries the four sample bases (men/women x LFS/Census);
the rows beneath name SOC 2020 unit groups and the proportion of the base coded to each.

Modelled with ESCO's association-object pattern: one ``sg:SOCCrosswalkLink`` per pair of unit
groups, one ``sg:CrosswalkWeight`` per basis with data, and one ``sg:CrosswalkSample`` per
(SOC 2010 group, basis) holding the base. A proportion of an empty sample (base 0) is not a
measurement, so it gets no weight. Plain SKOS clients get ``skos:closeMatch`` where the
proportion is at least one half on every basis with data, ``skos:relatedMatch`` otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import iris
from skillsgap.errors import Found
from skillsgap.loaders import Source, _tables
from skillsgap.namespaces import RDF, SG, SKOS, XSD

WORKBOOK = "ONS_SOC2010_SOC2020.xlsx"
SHEET = "Sheet1"
FROM_COLUMN, TO_COLUMN = "SOC2010", "SOC2020"
TOTAL = "Total sample"
UNIT_GROUP = r"([0-9]{4}): (.+)"
# A SOC 2010 group maps closely to a SOC 2020 group when at least this share of every sample moved.
CLOSE_MATCH = Decimal("0.5")
DECIMAL_STEP = Decimal("1e-18")


@dataclass(frozen=True)
class Basis:
    """One of the four samples the proportions are computed on."""

    slug: str
    label: str
    base_column: str
    proportion_column: str


BASES = tuple(
    Basis(
        f"{sex}-{survey}",
        f"{sex.capitalize()}, {name} sample",
        f"{sex}_{survey}_base_2010",
        f"{sex}_{survey}_perc_2020",
    )
    for sex in ("men", "women")
    for survey, name in (("lfs", "Labour Force Survey"), ("census", "Census"))
)
COLUMNS = (
    FROM_COLUMN,
    TO_COLUMN,
    *(c for b in BASES for c in (b.base_column, b.proportion_column)),
)


@dataclass
class Block:
    """The rows of one SOC 2010 unit group: its code, bases and the SOC 2020 groups seen."""

    code: str
    bases: dict[str, int | None]
    targets: set[str] = field(default_factory=set)


def read(folder: Path) -> Iterator[Triple]:
    """The basis scheme, then per block its samples, links and weights."""
    table = _tables.read_sheet(folder / WORKBOOK, SHEET, COLUMNS)
    yield from basis_scheme_triples()
    block: Block | None = None
    seen: set[str] = set()
    for row in table.rows():
        if row.get(FROM_COLUMN):
            block = block_header(row, seen)
            yield from sample_triples(block)
        elif block is None:
            got = Found(f"a proportion row ({row.get(TO_COLUMN) or 'no SOC 2020 group'})")
            raise row.error(FROM_COLUMN, "a SOC 2010 unit group heading a block first", got)
        else:
            yield from link_triples(block, row)
    if block is None:
        raise table.error("no blocks", expected="SOC 2010 unit group blocks", got=Found("no rows"))


# --- Reading rows ---


def block_header(row: _tables.Row, seen: set[str]) -> Block:
    """A block's first row: the SOC 2010 unit group, 'Total sample' and the four bases."""
    code = unit_group_code(row, FROM_COLUMN, "SOC 2010")
    if code in seen:
        raise row.error(FROM_COLUMN, "each SOC 2010 unit group heading one block", code, "repeated")
    seen.add(code)
    if row.get(TO_COLUMN) != TOTAL:
        raise row.error(TO_COLUMN, f"{TOTAL!r} on a block's first row", row.get(TO_COLUMN))
    for basis in BASES:
        if row.get(basis.proportion_column):
            got = row.get(basis.proportion_column)
            raise row.error(basis.proportion_column, "no proportion on a block's first row", got)
    return Block(code, {b.slug: base(row, b.base_column) for b in BASES})


def unit_group_code(row: _tables.Row, column: str, version: str) -> str:
    """The 4-digit code of a 'NNNN: title' cell."""
    expected = f"a {version} unit group as 'NNNN: title'"
    return row.require(column, UNIT_GROUP, expected)[:4]


def base(row: _tables.Row, column: str) -> int | None:
    """A sample base: a whole number, or None where the cell is empty."""
    text = row.get(column)
    if not text:
        return None
    if not re.fullmatch(r"[0-9]+", text):
        raise row.error(column, "a sample base (a whole number)", text)
    return int(text)


def proportion(row: _tables.Row, column: str) -> Decimal | None:
    """A proportion as the decimal the cell holds, or None where the cell is empty."""
    text = row.get(column)
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise row.error(column, "a proportion (a number from 0 to 1)", text)
    return value


def row_weights(block: Block, row: _tables.Row) -> dict[Basis, Decimal]:
    """The proportions of one SOC 2020 row, by basis, leaving out bases without a sample."""
    weights: dict[Basis, Decimal] = {}
    for basis in BASES:
        if row.get(basis.base_column):
            got = row.get(basis.base_column)
            raise row.error(basis.base_column, "a base only on a block's first row", got)
        value = proportion(row, basis.proportion_column)
        sample = block.bases[basis.slug]
        if value is None or (sample == 0 and value == 0):
            continue  # no cell, or the publisher's 0 for an empty sample: no measurement
        if not sample:
            size = "empty" if sample is None else sample
            expected = f"no proportion where the block's {basis.base_column} is {size}"
            raise row.error(basis.proportion_column, expected, row.get(basis.proportion_column))
        weights[basis] = value
    return weights


# --- Triples ---


def basis_scheme_triples() -> Iterator[Triple]:
    """The small SKOS scheme of the four sample bases."""
    scheme = iris.soc_crosswalk_basis_scheme_iri()
    yield Triple(scheme, RDF.type, SKOS.ConceptScheme)
    yield Triple(scheme, SKOS.prefLabel, english("Samples of the SOC 2010 to SOC 2020 crosswalk"))
    for basis in BASES:
        node = iris.soc_crosswalk_basis_iri(basis.slug)
        yield Triple(node, RDF.type, SKOS.Concept)
        yield Triple(node, RDF.type, SG.CrosswalkBasis)
        yield Triple(node, SKOS.prefLabel, english(basis.label))
        yield Triple(node, SKOS.notation, Literal(basis.slug))
        yield Triple(node, SKOS.inScheme, scheme)
        yield Triple(node, SKOS.topConceptOf, scheme)
        yield Triple(scheme, SKOS.hasTopConcept, node)


def sample_triples(block: Block) -> Iterator[Triple]:
    """One sample per basis whose base the block gives."""
    for basis in BASES:
        size = block.bases[basis.slug]
        if size is None:
            continue
        node = iris.soc_crosswalk_sample_iri(block.code, basis.slug)
        yield Triple(node, RDF.type, SG.CrosswalkSample)
        yield Triple(node, SG.fromConcept, iris.soc_iri("2010", block.code))
        yield Triple(node, SG.basis, iris.soc_crosswalk_basis_iri(basis.slug))
        yield Triple(node, SG.sampleBase, Literal(str(size), datatype=XSD.integer))


def link_triples(block: Block, row: _tables.Row) -> Iterator[Triple]:
    """One SOC 2020 row: the link, its weights and the plain SKOS mapping."""
    target = unit_group_code(row, TO_COLUMN, "SOC 2020")
    if target in block.targets:
        raise row.error(TO_COLUMN, f"each SOC 2020 group once in block {block.code}", target)
    block.targets.add(target)
    weights = row_weights(block, row)
    source, goal = iris.soc_iri("2010", block.code), iris.soc_iri("2020", target)
    link = iris.soc_crosswalk_iri(block.code, target)
    yield Triple(link, RDF.type, SG.SOCCrosswalkLink)
    yield Triple(link, SG.fromConcept, source)
    yield Triple(link, SG.toConcept, goal)
    for basis, value in weights.items():
        yield from weight_triples(link, block.code, target, basis, value)
    yield Triple(source, mapping_property(weights), goal)


def weight_triples(
    link: NamedNode, from_code: str, to_code: str, basis: Basis, value: Decimal
) -> Iterator[Triple]:
    """One weight: the proportion of one basis's sample coded to the link's SOC 2020 group."""
    node = iris.soc_crosswalk_weight_iri(from_code, to_code, basis.slug)
    yield Triple(link, SG.weight, node)
    yield Triple(node, RDF.type, SG.CrosswalkWeight)
    yield Triple(node, SG.basis, iris.soc_crosswalk_basis_iri(basis.slug))
    yield Triple(node, SG.proportion, decimal(value))
    yield Triple(node, SG.sample, iris.soc_crosswalk_sample_iri(from_code, basis.slug))


def mapping_property(weights: dict[Basis, Decimal]) -> NamedNode:
    """skos:closeMatch when every basis with data moved at least half its sample, else related."""
    if weights and all(value >= CLOSE_MATCH for value in weights.values()):
        return SKOS.closeMatch
    return SKOS.relatedMatch


def decimal(value: Decimal) -> Literal:
    """An xsd:decimal of at most 18 decimal places, the precision Oxigraph and XSD 1.0 promise."""
    # The workbook holds doubles; their shortest form can have 19 or more places.
    with localcontext(prec=100):
        text = format(value.quantize(DECIMAL_STEP).normalize(), "f")
    return Literal(text, datatype=XSD.decimal)


def english(text: str) -> Literal:
    return Literal(text, language="en")


SOURCE = Source(
    slug="ons-soc2010-soc2020-relationship",
    title="ONS SOC 2010 to SOC 2020 relationship (dual-coded LFS and Census samples)",
    holds="For each SOC 2010 unit group, the SOC 2020 unit groups its dual-coded sample moved "
    "to, with the proportion per sample (men/women x LFS/Census) and the sample bases",
    files=(WORKBOOK,),
    read=read,
    depends_on=("ons-soc2020", "ons-soc2010"),
)
