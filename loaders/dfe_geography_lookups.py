"""DfE geography lookups: England's regions, local authorities, LSIP areas, LEPs, devolved areas.

The primary geography source: it names the areas and gives their status and dates. One code is
one area, however many rows name it: its live name is the prefLabel, former names (a renamed
LSIP, Shepway before Folkestone and Hythe) are altLabels. Containment: an upper-tier LA in its
region (las.csv), an LAD in its LSIP area (lsip_lad_hierarchy.csv, dated) and in its upper-tier
LA (ward_lad_la_pcon_hierarchy.csv.gz, dated; wards themselves are not loaded).

Not read: region_la_hierarchy.csv repeats las.csv's region and old LA code; geography_matrix.csv
lists DfE's column names per geographic level and holds no areas.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path

from pyoxigraph import Literal, Triple

from skillsgap import iris
from skillsgap.loaders import Source
from skillsgap.loaders._geography import (
    ENGLISH,
    GSS,
    LAD,
    LEP,
    LSIP,
    REGION,
    REGION_OR_LONDON,
    SCHEMES,
    UTLA,
    Link,
    area_triples,
    code_in,
    country_triples,
    date_in,
    day,
    english,
    link_triples,
    scheme_triples,
    unique,
    year_in,
)
from skillsgap.loaders._tables import Row, read_csv
from skillsgap.namespaces import SG, SKOS, STATDEF_GEO

HIERARCHY_FILE = "lsip_lad_hierarchy.csv"
WARDS_FILE = "ward_lad_la_pcon_hierarchy.csv.gz"
FIRST_YEAR = "first_available_year_included"
LAST_YEAR = "most_recent_year_included"
ENGLAND = "E92000001"
LONDON = "E12000007"
# DfE's placeholders: "z" (not applicable/unknown) and rows joining two areas' codes with " / "
# (e.g. "E06000061 / E06000062"), each of which also has a row of its own.
PLACEHOLDER = re.compile(rf"z|{GSS}( / {GSS})+")
STATUSES = r"live|terminated|renamed"


@dataclass(frozen=True)
class AreaList:
    """One DfE list file: which columns hold the code, name, dates, status and parent."""

    file: str
    code: str
    name: str
    pattern: str
    kind: str | None = None  # None: by code prefix (regions.csv mixes E12 and E13)
    start: str | None = None
    end: str | None = None
    status: str | None = None  # None: live unless a termination date is given
    parent: str | None = None
    entity: str | None = None
    number: str | None = None

    def columns(self) -> list[str]:
        named = (self.code, self.name, self.start, self.end, self.status, self.parent, self.entity)
        return [column for column in named if column]


LISTS = (
    AreaList("regions.csv", "region_code", "region_name", REGION_OR_LONDON),
    AreaList(
        "las.csv",
        "new_la_code",
        "la_name",
        UTLA,
        "utla",
        "date_of_operation",
        "date_of_termination",
        "status",
        parent="parent_geography_code",
        entity="entity_code",
        number="old_la_code",
    ),
    AreaList(
        "lads.csv",
        "lad_code",
        "lad_name",
        LAD,
        "lad",
        "date_of_introduction",
        "date_of_termination",
        "status",
    ),
    AreaList(
        "lsips.csv",
        "lsip_code",
        "lsip_name",
        LSIP,
        "lsip",
        "date_of_operation",
        "date_of_termination",
        "status",
    ),
    AreaList(
        "leps.csv",
        "local_enterprise_partnership_code",
        "local_enterprise_partnership_name",
        LEP,
        "lep",
        "date_of_introduction",
        "date_of_termination",
        "status",
    ),
    AreaList(
        "english_devolved_areas.csv",
        "english_devolved_area_code",
        "english_devolved_area_name",
        ENGLISH,
        "combined-authority",
        "date_of_introduction",
        "date_of_termination",
    ),
)


@dataclass(frozen=True)
class Listing:
    """One row naming an area: under which name, as what kind, live or not, and from when."""

    code: str
    name: str
    kind: str
    file: str
    status: str | None
    start: date | None
    end: date | None
    number: str = ""


def read(folder: Path) -> Iterator[Triple]:
    """Schemes, England, every listed area, and the containments the files state."""
    listings: list[Listing] = []
    links: list[Link] = []
    for area_list in LISTS:
        found, found_links = read_list(folder / area_list.file, area_list)
        listings += found
        links += found_links
    links += year_links(folder / HIERARCHY_FILE, "lad_code", "lsip_code", LAD, LSIP)
    links += year_links(folder / WARDS_FILE, "lad_code", "new_la_code", GSS, GSS, english_pair)
    by_code: dict[str, list[Listing]] = {}
    for listing in listings:
        by_code.setdefault(listing.code, []).append(listing)
    return unique(
        chain(
            scheme_triples(SCHEMES),
            country_triples("E"),
            chain.from_iterable(area_output(code, found) for code, found in by_code.items()),
            chain.from_iterable(link_triples(link) for link in links),
        )
    )


def read_list(path: Path, area_list: AreaList) -> tuple[list[Listing], list[Link]]:
    """The areas one list file names, and the containments its parent column states."""
    listings, links = [], []
    for row in read_csv(path, area_list.columns()).rows():
        if PLACEHOLDER.fullmatch(row.get(area_list.code)):
            continue
        listing = listing_in(row, area_list)
        listings.append(listing)
        links += parent_links(row, area_list, listing.code)
    return listings, links


def listing_in(row: Row, area_list: AreaList) -> Listing:
    """One row as a Listing; a SourceError for a bad code, name, date, status or type."""
    code = code_in(row, area_list.code, area_list.pattern)
    start = date_in(row, area_list.start) if area_list.start else None
    end = date_in(row, area_list.end) if area_list.end else None
    if start and end and end < start:
        after = f"a date on or after {start.isoformat()}"
        raise row.error(area_list.end, after, row.get(area_list.end or ""))
    if area_list.status:
        status = row.require(area_list.status, STATUSES, "live, terminated or renamed")
    else:
        status = "terminated" if end else "live" if area_list.end else None
    if area_list.entity:
        row.require(area_list.entity, re.escape(code[:3]), f"{code[:3]}, the type in the code")
    number = la_number(row, area_list.number) if area_list.number else ""
    kind = area_list.kind or ("region" if code.startswith("E12") else "inner-outer-london")
    return Listing(
        code, row.require(area_list.name), kind, area_list.file, status, start, end, number
    )


def la_number(row: Row, column: str) -> str:
    """DfE's 3-digit LA number; "" where DfE writes x (counties abolished in 2009 have none)."""
    if row.get(column) == "x":
        return ""
    return row.require(column, r"\d{3}", "a 3-digit LA number or x")


def parent_links(row: Row, area_list: AreaList, code: str) -> list[Link]:
    """The region above an LA (las.csv), England above a region, London above Inner/Outer London."""
    if area_list.parent:
        return [Link(code, code_in(row, area_list.parent, REGION))]
    if area_list.kind is None:
        # regions.csv states no parents: every E12 region is in England, E13 is part of London.
        return [Link(code, ENGLAND if code.startswith("E12") else LONDON)]
    return []


def english_pair(member: str, container: str) -> bool:
    """An English LAD under a different upper-tier LA (a unitary authority is its own)."""
    return member.startswith("E") and member != container


def year_links(
    path: Path,
    member_column: str,
    container_column: str,
    member_pattern: str,
    container_pattern: str,
    keep: Callable[[str, str], bool] = lambda _member, _container: True,
) -> list[Link]:
    """Dated containments, one per pair; each member's latest one is current (skos:broader)."""
    spans: dict[tuple[str, str], tuple[int, int]] = {}
    for row in read_csv(path, [FIRST_YEAR, LAST_YEAR, member_column, container_column]).rows():
        pair = (
            code_in(row, member_column, member_pattern),
            code_in(row, container_column, container_pattern),
        )
        if not keep(*pair):
            continue
        first, last = year_in(row, FIRST_YEAR), year_in(row, LAST_YEAR)
        if last < first:
            raise row.error(LAST_YEAR, f"a year not before {first}", last)
        known = spans.get(pair, (first, last))
        spans[pair] = (min(known[0], first), max(known[1], last))
    latest: dict[str, int] = {}
    for (member, _container), (_first, last) in spans.items():
        latest[member] = max(latest.get(member, last), last)
    return [
        Link(member, container, first, last, current=last == latest[member])
        for (member, container), (first, last) in spans.items()
    ]


def area_output(code: str, listings: list[Listing]) -> Iterator[Triple]:
    """One area from all rows naming it: labels, status, dates and DfE's LA number."""
    area = iris.area_iri(code)
    yield from area_triples(code, dict.fromkeys(listing.kind for listing in listings))
    name = preferred_name(listings)
    yield Triple(area, SKOS.prefLabel, english(name))
    for other in sorted({listing.name for listing in listings} - {name}):
        yield Triple(area, SKOS.altLabel, english(other))
    status = area_status(listings)
    if status:
        yield Triple(area, STATDEF_GEO.status, Literal(status))
    start = known_date(listings, lambda listing: listing.start, min)
    if start:
        yield Triple(area, SG.operationalFrom, day(start))
    end = known_date(listings, lambda listing: listing.end, max)
    if status == "terminated" and end:
        yield Triple(area, SG.terminatedOn, day(end))
    for number in sorted({listing.number for listing in listings if listing.number}):
        yield Triple(area, SG.oldLaCode, Literal(number))


def preferred_name(listings: list[Listing]) -> str:
    """The live name (first file wins); with none live, the name in use last."""
    live = [listing for listing in listings if listing.status == "live"]
    if live:
        return live[0].name
    return max(listings, key=lambda listing: listing.end or date.min).name


def area_status(listings: list[Listing]) -> str | None:
    """Live if any row says so; terminated if only terminated (a renamed row is a former name)."""
    statuses = {listing.status for listing in listings}
    return next((status for status in ("live", "terminated") if status in statuses), None)


def known_date(
    listings: list[Listing],
    when: Callable[[Listing], date | None],
    pick: Callable[[list[date]], date],
) -> date | None:
    """The earliest start (pick=min) or latest end (max) the files state for an area.

    A file with several rows for the code states a date only if every row has one: a renamed
    LSIP's first row has no start, so the start of its second name is not the area's start.
    """
    stated = []
    for file in dict.fromkeys(listing.file for listing in listings):
        dates = [when(listing) for listing in listings if listing.file == file]
        if all(dates):
            stated.append(pick([d for d in dates if d]))
    return pick(stated) if stated else None


SOURCE = Source(
    slug="dfe-geography-lookups",
    title="DfE geography lookups (regions, LAs, LADs, LSIP areas, LEPs, devolved areas)",
    holds="English areas with names, GSS codes, status and dates, and their containment",
    files=(*(area_list.file for area_list in LISTS), HIERARCHY_FILE, WARDS_FILE),
    read=read,
)
