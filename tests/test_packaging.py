"""Every data file ships in the package and is reachable through importlib.resources."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from skillsgap import resources
from skillsgap.loaders import sources

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize(
    "kind,folder", [("ontology", "ontology"), ("shapes", "shapes"), ("queries", "queries")]
)
def test_every_data_file_is_reachable(kind: str, folder: str) -> None:
    on_disk = {p.name for p in (ROOT / folder).iterdir() if p.suffix in {".ttl", ".jsonld", ".rq"}}
    packaged = {f.name for f in resources.package_files(kind)}
    assert on_disk, f"no data files in {folder}/"
    assert on_disk == packaged


def test_every_source_is_bundled_with_its_licence_note() -> None:
    bundled = Path(str(resources.bundled_data()))
    assert sources(), "no loaders found"
    for slug, source in sources().items():
        folder = bundled / slug
        assert (folder / "SOURCE.md").is_file(), f"{slug}: SOURCE.md missing from bundled data"
        for name in source.files:
            assert (folder / name).is_file(), f"{slug}: bundled file {name} missing"


def test_bundled_data_is_inside_the_package() -> None:
    assert Path(str(files("skillsgap"))) in Path(str(resources.bundled_data())).parents
