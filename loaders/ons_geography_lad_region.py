"""ONS Local Authority District to Region (December 2018) lookup, England.

A secondary source: each 2018 district lies within its region (skos:broader, plus a membership of
the 2018 lookup). Regions do not change, so the link still holds for districts that are still
live; districts abolished since keep it for the years they existed. dfe-geography-lookups names
every area this file mentions, so no labels are given here.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from pyoxigraph import Triple

from skillsgap.loaders import Source
from skillsgap.loaders._geography import LAD, REGION, Link, code_in, link_triples, unique
from skillsgap.loaders._tables import read_csv

LOOKUP_FILE = "016.csv"
VINTAGE = 2018


def read(folder: Path) -> Iterator[Triple]:
    """Each 2018 district within its region."""
    table = read_csv(folder / LOOKUP_FILE, ("LAD18CD", "RGN18CD"))
    links = [
        Link(code_in(row, "LAD18CD", LAD), code_in(row, "RGN18CD", REGION), vintage=VINTAGE)
        for row in table.rows()
    ]
    return unique(chain.from_iterable(link_triples(link) for link in links))


SOURCE = Source(
    slug="ons-geography-lad-region",
    title="ONS Local Authority District to Region (December 2018) Lookup in England",
    holds="English local authority districts (2018 codes) within their regions",
    files=(LOOKUP_FILE,),
    read=read,
    depends_on=("dfe-geography-lookups",),
)
