"""Area names in statistics resolve to one GSS code, or fail naming the cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillsgap import iris
from skillsgap.errors import SourceError
from skillsgap.loaders._areas import area_index, fold
from skillsgap.loaders._tables import Table

from .conftest import bundled

DATA = bundled("dfe-geography-lookups").parent


def a_row():  # type: ignore[no-untyped-def]
    return next(Table("table.csv", None, ["area"], 1, [["area"], ["x"]]).rows())


@pytest.mark.parametrize(
    "name,kinds,code",
    [
        ("Greater Manchester", ("lsip",), "E69000014"),
        ("  leeds ", ("lad",), "E08000035"),
        ("Brighton and Hove, East Sussex, West Sussex", ("lsip",), "E69000001"),
        ("England", ("country",), "E92000001"),
    ],
)
def test_real_names_resolve(name: str, kinds: tuple[str, ...], code: str) -> None:
    assert area_index(DATA).resolve(a_row(), "area", name, kinds) == iris.area_iri(code)


def test_unknown_and_ambiguous_names_name_the_cell() -> None:
    with pytest.raises(SourceError, match="row 2, column 'area': unknown area name"):
        area_index(DATA).resolve(a_row(), "area", "Atlantis", ("lad",))
    with pytest.raises(SourceError, match="ambiguous area name"):
        area_index(DATA).resolve(a_row(), "area", "West Midlands", ("region", "combined-authority"))


def test_missing_geography_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="geography sources, which are missing"):
        area_index(tmp_path)


def test_fold_ignores_case_accents_ampersands_and_punctuation() -> None:
    assert fold("Stoke-on-Trent & Staffordshire ") == fold("stoke on trent and staffordshire")
