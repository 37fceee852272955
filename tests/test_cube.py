"""The Data Cube pattern: well-formed observations pass; a suppressed cell with a value fails."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import gate, iris
from skillsgap.loaders import _cube as cube
from skillsgap.loaders.dfe_geography_lookups import read as read_geography
from skillsgap.namespaces import XSD

from .conftest import excerpt

AREA = iris.area_iri("E12000007")
DIMENSIONS = {
    cube.REF_AREA: AREA,
    cube.REF_PERIOD: iris.year_iri(2021),
    cube.STATISTIC: iris.statistic_iri("employment"),
}


@cache
def reference() -> bytes:
    return gate.to_ntriples(read_geography(excerpt("dfe-geography-lookups")))


def observation(key: str, value: Decimal | None, status: NamedNode = cube.AVAILABLE,
                marker: str | None = None, dimensions: dict | None = None) -> list[Triple]:  # fmt: skip
    unit, _ = cube.unit("persons")
    node = iris.observation_iri("test", "table", key)
    chosen = DIMENSIONS if dimensions is None else dimensions
    return list(cube.observation(node, "test", "table", chosen, value, unit, status, marker=marker))


def well_formed() -> list[Triple]:
    metadata = cube.source_metadata("https://www.ons.gov.uk/", "table.xlsx", cube.OGL)
    return [
        *cube.structure("test", "Test structure"),
        *cube.dataset("test", "table", "test", "Test table", metadata),
        *cube.unit("persons")[1],
        *cube.statistic("employment", "Employment", "People in employment."),
        *observation("available", Decimal("12.5")),
        *observation("suppressed", None, cube.SUPPRESSED, "x"),
    ]


@pytest.mark.parametrize("engine", gate.ENGINES)
def test_well_formed_cube_passes(engine: str) -> None:
    report = gate.validate(gate.to_ntriples(well_formed()), reference(), engine)
    assert report.results == []


def test_a_suppressed_cell_with_a_value_and_a_missing_dimension_fail_alike_in_both_engines() -> (
    None
):
    zero = Literal("0", datatype=XSD.decimal)
    broken = [
        *well_formed(),
        Triple(iris.observation_iri("test", "table", "suppressed"), cube.OBS_VALUE, zero),
        *observation("no-period", Decimal(1), dimensions={k: v for k, v in DIMENSIONS.items()
                                                          if k != cube.REF_PERIOD}),
    ]  # fmt: skip
    fast = gate.validate(gate.to_ntriples(broken), reference(), "shacl")
    slow = gate.validate(gate.to_ntriples(broken), reference(), "pyshacl")
    assert fast.results == slow.results
    failing = {((r.value or r.focus).rsplit("/", 1)[-1], r.component) for r in fast.results}
    assert ("suppressed>", "OrConstraintComponent") in failing
    assert ("no-period>", "SPARQLConstraintComponent") in failing  # Data Cube IC-11


def test_value_and_status_must_agree_when_building() -> None:
    with pytest.raises(ValueError, match="status Available"):
        observation("bad", None)


def test_decimal_literals_are_canonical() -> None:
    assert cube.decimal(Decimal("1E+3")).value == "1000.0"
    assert cube.decimal(Decimal("0.50")).value == "0.5"
    assert cube.decimal(Decimal("0")).value == "0.0"
    assert cube.decimal(Decimal("7.5e-25")).value == "0.0"
    assert cube.decimal(Decimal("1.2345678901234567891")).value == "1.234567890123456789"
