"""Resolving area names in statistics tables to ONS GSS codes.

Statistics name their areas by text ("Greater Manchester", "ladu:Leeds", "Cheshire and Warrington
LEP"). The names and codes come from the geography sources themselves, read from the folders
beside the statistics source (the bundled data, or the same ``--data-dir``), so a loader never
needs the store. A name that matches no area, or several, is an error naming the row.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from pyoxigraph import NamedNode, Triple

from skillsgap.errors import SourceError
from skillsgap.loaders import dfe_geography_lookups, dfe_lsip_lookups
from skillsgap.loaders._tables import Row
from skillsgap.namespaces import ID, SKOS

GEOGRAPHY_SOURCES = (dfe_geography_lookups.SOURCE, dfe_lsip_lookups.SOURCE)
KINDS = (
    "country",
    "region",
    "inner-outer-london",
    "utla",
    "lad",
    "lsip",
    "lep",
    "combined-authority",
)


def fold(name: str) -> str:
    """A name folded for matching: accents, case, '&', punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = text.casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


class AreaIndex:
    """Area codes by folded name (preferred and alternative labels) and by kind."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        names: dict[NamedNode, set[str]] = defaultdict(set)
        kinds: dict[NamedNode, set[str]] = defaultdict(set)
        prefix = str(ID) + "geography/"
        for t in triples:
            subject, value = t.subject, str(getattr(t.object, "value", ""))
            if not isinstance(subject, NamedNode):
                continue
            if t.predicate in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
                names[subject].add(fold(value))
            elif t.predicate == SKOS.inScheme and value.startswith(prefix):
                kinds[subject].add(value[len(prefix) :])
        self._by_name: dict[str, set[tuple[str, NamedNode]]] = defaultdict(set)
        for area, labels in names.items():
            for label in labels:
                for kind in kinds.get(area, ()):
                    self._by_name[label].add((kind, area))

    def candidates(self, name: str, kinds: Iterable[str]) -> set[NamedNode]:
        """Every area of one of ``kinds`` that carries ``name``."""
        wanted = set(kinds)
        return {area for kind, area in self._by_name.get(fold(name), ()) if kind in wanted}

    def resolve(self, row: Row, column: str, name: str, kinds: Iterable[str]) -> NamedNode:
        """The one area of ``kinds`` named ``name``; a SourceError naming the cell otherwise."""
        kinds = tuple(kinds)
        found = self.candidates(name, kinds)
        if len(found) == 1:
            return next(iter(found))
        expected = "the name of one " + " or ".join(kinds) + " area"
        message = "ambiguous area name" if found else "unknown area name"
        raise row.error(column, expected, name, message)


@cache
def area_index(data_dir: Path) -> AreaIndex:
    """The index built from the geography sources in ``data_dir`` (one folder per slug)."""
    triples: list[Triple] = []
    for source in GEOGRAPHY_SOURCES:
        folder = data_dir / source.slug
        if not folder.is_dir():
            raise SourceError(
                "area names are resolved with the geography sources, which are missing",
                file=str(folder),
                expected=f"the {source.slug} folder beside this source's folder",
                got="no such folder",
            )
        triples.extend(source.read(folder))
    return AreaIndex(triples)
