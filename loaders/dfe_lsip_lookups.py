"""The DfE Local Skills dashboard's lookups: LAD (2023) to LSIP, LAD (2025) to combined authority,
and LAD (2011) to LAD (2021).

A secondary source: dfe-geography-lookups names the English areas, this one adds containment and
succession. LAD23 -> LSIP23 is kept as dated memberships only (LSIP areas were redrawn in 2025, so
it no longer holds as skos:broader); LAD25 -> combined authority is current, so skos:broader too.
Areas the DfE lists lack get a prefLabel here: Welsh districts (with Welsh names as altLabels) and
combined authorities newer than DfE's list.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from pyoxigraph import Triple

from skillsgap.loaders import Source
from skillsgap.loaders._geography import (
    COMBINED_AUTHORITY,
    LAD,
    LSIP,
    Link,
    NamedArea,
    code_in,
    introduce,
    link_triples,
    named_area_triples,
    replacement,
    unique,
)
from skillsgap.loaders._tables import read_csv, read_sheet

LSIP_FILE = "LSIP_lookup.xlsx"
LSIP_SHEET = "LA Districts to LSIPs"
CA_FILE = "Local_Authority_District_to_Combined_Authority_(May_2025)_Lookup_in_EN.csv"
SUCCESSION_FILE = (
    "Local_Authority_District_(2011)_to_Local_Authority_District_(2021)"
    "_Lookup_for_England_and_Wales.csv"
)
LSIP_VINTAGE = 2023
CA_VINTAGE = 2025
SUCCESSION_COLUMNS = ("LAD11CD", "LAD11NM", "LAD11NMW", "LAD21CD", "LAD21NM", "LAD21NMW")


def read(folder: Path) -> Iterator[Triple]:
    """Memberships of LSIP areas and combined authorities, code successions, and Welsh districts."""
    areas: dict[str, NamedArea] = {}
    lsip_links = read_lsip_links(folder / LSIP_FILE)
    ca_links = read_combined_authority_links(folder / CA_FILE, areas)
    successions = read_successions(folder / SUCCESSION_FILE, areas)
    return unique(
        chain(
            chain.from_iterable(named_area_triples(area) for area in areas.values()),
            chain.from_iterable(link_triples(link) for link in (*lsip_links, *ca_links)),
            chain.from_iterable(replacement(old, new) for old, new in successions),
        )
    )


def read_lsip_links(path: Path) -> list[Link]:
    """Each 2023 district's LSIP area, as a membership of the 2023 lookup (not skos:broader)."""
    table = read_sheet(path, LSIP_SHEET, ("LAD23CD", "LSIP23CD"))
    return [
        Link(
            code_in(row, "LAD23CD", LAD),
            code_in(row, "LSIP23CD", LSIP),
            vintage=LSIP_VINTAGE,
            current=False,
        )
        for row in table.rows()
    ]


def read_combined_authority_links(path: Path, areas: dict[str, NamedArea]) -> list[Link]:
    """Each May 2025 district's combined authority: current, so skos:broader as well."""
    links = []
    for row in read_csv(path, ("LAD25CD", "CAUTH25CD", "CAUTH25NM")).rows():
        authority = code_in(row, "CAUTH25CD", COMBINED_AUTHORITY)
        introduce(areas, authority, row.require("CAUTH25NM"), "combined-authority")
        links.append(Link(code_in(row, "LAD25CD", LAD), authority, vintage=CA_VINTAGE))
    return links


def read_successions(path: Path, areas: dict[str, NamedArea]) -> list[tuple[str, str]]:
    """(2011 code, 2021 code) where the code changed; Welsh districts met on the way."""
    successions = []
    for row in read_csv(path, SUCCESSION_COLUMNS).rows():
        old, new = code_in(row, "LAD11CD", LAD), code_in(row, "LAD21CD", LAD)
        introduce(areas, old, row.require("LAD11NM"), "lad", row.get("LAD11NMW"))
        introduce(areas, new, row.require("LAD21NM"), "lad", row.get("LAD21NMW"))
        if old != new:
            successions.append((old, new))
    return successions


SOURCE = Source(
    slug="dfe-lsip-lookups",
    title="DfE Local Skills lookups: LAD to LSIP (2023), LAD to combined authority (May 2025), "
    "LAD 2011 to 2021",
    holds="District memberships of LSIP areas and combined authorities, and LAD code successions",
    files=(LSIP_FILE, CA_FILE, SUCCESSION_FILE),
    read=read,
    depends_on=("dfe-geography-lookups",),
)
