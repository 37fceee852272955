"""The only reader of packaged files: ontology, shapes, queries and the bundled source data."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

PACKAGES = {
    "ontology": "skillsgap.ontology",
    "shapes": "skillsgap.shapes",
    "queries": "skillsgap.queries",
    "server": "skillsgap.server",
}
DATA_SUFFIXES = {
    "ontology": (".ttl", ".jsonld"),
    "shapes": (".ttl",),
    "queries": (".rq",),
    "server": (".ttl",),
}


def package_files(kind: str) -> list[Traversable]:
    """The data files of one package ("ontology", "shapes" or "queries"), sorted by name."""
    root = files(PACKAGES[kind])
    return sorted(
        (f for f in root.iterdir() if f.is_file() and f.name.endswith(DATA_SUFFIXES[kind])),
        key=lambda f: f.name,
    )


@cache  # packaged files do not change while the process runs; look-ups read them per request
def read_text(kind: str, name: str) -> str:
    """One packaged file's text, e.g. read_text("ontology", "skillsgap.ttl")."""
    return files(PACKAGES[kind]).joinpath(name).read_text(encoding="utf-8")


def shapes_text() -> str:
    """All SHACL shapes files, concatenated as one Turtle document per file."""
    return "\n".join(f.read_text(encoding="utf-8") for f in package_files("shapes"))


def static_folder() -> Traversable:
    """The folder of the query page's static files (the vendored editor and our page)."""
    return files("skillsgap.server").joinpath("static")


def bundled_data() -> Traversable:
    """The folder of bundled source data, one sub-folder per source slug."""
    return files("skillsgap").joinpath("data")
