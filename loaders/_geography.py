"""Shared pieces of the geography loaders: GSS code patterns, area typing, containment triples.

Every area is an ONS statistical-geography IRI; its entity type is the first three characters of
its GSS code (E12 region, E06 unitary authority...). Containment is ``skos:broader`` from the
smaller area to the larger one; where a source dates a containment, an ``sg:AreaMembership``
records the years (or the year of the lookup that lists it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from pyoxigraph import Literal, Triple

from skillsgap import iris
from skillsgap.loaders._tables import Row
from skillsgap.namespaces import DCT, RDF, RDFS, SG, SKOS, STATDEF_ENTITY, XSD

# GSS codes: a country letter and eight digits. The patterns per kind make bad cells fail early.
GSS = r"[EWSNK]\d{8}"
REGION = r"E12\d{6}"
LAD = r"(E0[6-9]|W06)\d{6}"
UTLA = r"(E0[689]|E10|W06)\d{6}"
LSIP = r"E69\d{6}"
COMBINED_AUTHORITY = r"E47\d{6}"
REGION_OR_LONDON = r"E1[23]\d{6}"
LEP = r"E37\d{6}"
ENGLISH = r"E\d{8}"
EXPECTED = {
    GSS: "a GSS code such as E06000001",
    REGION: "a region code E12 + 6 digits",
    LAD: "a local authority district code (E06, E07, E08, E09 or W06 + 6 digits)",
    UTLA: "an upper-tier local authority code (E06, E08, E09, E10 or W06 + 6 digits)",
    LSIP: "an LSIP area code E69 + 6 digits",
    COMBINED_AUTHORITY: "a combined authority code E47 + 6 digits",
    REGION_OR_LONDON: "a region code (E12 + 6 digits) or Inner/Outer London code (E13 + 6 digits)",
    LEP: "a local enterprise partnership code E37 + 6 digits",
    ENGLISH: "an English GSS code (E + 8 digits)",
}

# The scheme of each kind of area, and its label.
SCHEMES = {
    "country": "Countries of the United Kingdom",
    "region": "Regions of England",
    "inner-outer-london": "Inner and Outer London",
    "utla": "Upper-tier local authorities",
    "lad": "Local authority districts",
    "lsip": "Local Skills Improvement Plan areas",
    "lep": "Local Enterprise Partnerships",
    "combined-authority": "Combined authorities and other English devolved areas",
}

# Names of the ONS statistical entities (Register of Geographic Codes) the loaders meet.
ENTITY_TYPES = {
    "E06": "Unitary authority",
    "E07": "Non-metropolitan district",
    "E08": "Metropolitan district",
    "E09": "London borough",
    "E10": "County",
    "E12": "Region",
    "E13": "Inner and Outer London",
    "E37": "Local enterprise partnership",
    "E47": "Combined authority",
    "E61": "Greater London Authority",
    "E69": "Local skills improvement plan area",
    "E92": "Country",
    "W06": "Unitary authority (Wales)",
    "W92": "Country",
}

# The country each GSS country letter stands for; no source file lists the countries themselves.
COUNTRIES = {"E": ("E92000001", "England"), "W": ("W92000004", "Wales")}


def english(text: str) -> Literal:
    """A label in English."""
    return Literal(text, language="en")


def welsh(text: str) -> Literal:
    """A label in Welsh."""
    return Literal(text, language="cy")


def year(value: int) -> Literal:
    """A year as xsd:gYear."""
    return Literal(f"{value:04d}", datatype=XSD.gYear)


def day(value: date) -> Literal:
    """A date as xsd:date."""
    return Literal(value.isoformat(), datatype=XSD.date)


def code_in(row: Row, column: str, pattern: str) -> str:
    """The GSS code in ``column``; a SourceError naming the expected kind of code."""
    return row.require(column, pattern, EXPECTED[pattern])


def year_in(row: Row, column: str) -> int:
    """A four-digit year cell."""
    return int(row.require(column, r"(19|20)\d\d", "a four-digit year"))


def date_in(row: Row, column: str) -> date | None:
    """A date written dd/mm/yyyy or yyyy-mm-dd, or None when the cell is empty."""
    text = row.get(column)
    if not text:
        return None
    found = re.fullmatch(r"(\d\d)/(\d\d)/(\d{4})|(\d{4})-(\d\d)-(\d\d)", text)
    try:
        if found and found[1]:
            return date(int(found[3]), int(found[2]), int(found[1]))
        if found:
            return date(int(found[4]), int(found[5]), int(found[6]))
    except ValueError:
        pass  # a well-formed but impossible date, such as 31/02/2020
    raise row.error(column, "a date as dd/mm/yyyy or yyyy-mm-dd", text)


def scheme_triples(kinds: Iterable[str]) -> Iterator[Triple]:
    """The concept schemes of the given kinds of area, with their labels."""
    for kind in kinds:
        scheme = iris.area_scheme_iri(kind)
        yield Triple(scheme, RDF.type, SKOS.ConceptScheme)
        yield Triple(scheme, SKOS.prefLabel, english(SCHEMES[kind]))


def area_triples(code: str, kinds: Iterable[str]) -> Iterator[Triple]:
    """What every area states: its classes, its code, its entity type and its schemes."""
    area = iris.area_iri(code)
    entity = iris.area_type_iri(code[:3])
    yield Triple(area, RDF.type, SKOS.Concept)
    yield Triple(area, RDF.type, SG.Area)
    yield Triple(area, SKOS.notation, Literal(code))
    yield Triple(area, STATDEF_ENTITY.code, entity)
    if code[:3] in ENTITY_TYPES:
        yield Triple(entity, RDFS.label, english(ENTITY_TYPES[code[:3]]))
    yield from (Triple(area, SKOS.inScheme, iris.area_scheme_iri(kind)) for kind in kinds)


def country_triples(letter: str) -> Iterator[Triple]:
    """A country as the top concept of the country scheme."""
    code, name = COUNTRIES[letter]
    area, scheme = iris.area_iri(code), iris.area_scheme_iri("country")
    yield from area_triples(code, ["country"])
    yield Triple(area, SKOS.prefLabel, english(name))
    yield Triple(area, SKOS.topConceptOf, scheme)
    yield Triple(scheme, SKOS.hasTopConcept, area)


def containment(member: str, container: str) -> Iterator[Triple]:
    """``member`` lies within ``container``: skos:broader one way, skos:narrower the other."""
    yield Triple(iris.area_iri(member), SKOS.broader, iris.area_iri(container))
    yield Triple(iris.area_iri(container), SKOS.narrower, iris.area_iri(member))


@dataclass(frozen=True)
class Link:
    """A containment a source states: years it lists it, and whether it holds as the latest."""

    member: str
    container: str
    first: int | None = None
    last: int | None = None
    vintage: int | None = None
    current: bool = True


def link_triples(link: Link) -> Iterator[Triple]:
    """skos:broader/narrower for a current link; an sg:AreaMembership where years are known."""
    if link.current:
        yield from containment(link.member, link.container)
    if link.first is None and link.vintage is None:
        return
    membership = iris.area_membership_iri(link.member, link.container)
    yield Triple(membership, RDF.type, SG.AreaMembership)
    yield Triple(membership, SG.memberArea, iris.area_iri(link.member))
    yield Triple(membership, SG.containingArea, iris.area_iri(link.container))
    if link.first is not None and link.last is not None:
        yield Triple(membership, SG.firstYear, year(link.first))
        yield Triple(membership, SG.lastYear, year(link.last))
    if link.vintage is not None:
        yield Triple(membership, SG.lookupVintage, year(link.vintage))


def replacement(old: str, new: str) -> Iterator[Triple]:
    """An area whose code was replaced by another's (a boundary or code change)."""
    yield Triple(iris.area_iri(old), DCT.isReplacedBy, iris.area_iri(new))
    yield Triple(iris.area_iri(new), DCT.replaces, iris.area_iri(old))


@dataclass
class NamedArea:
    """An area a secondary lookup introduces (one the DfE lists cannot have): names and kinds."""

    code: str
    name: str
    kinds: set[str]
    other_names: set[str]
    welsh_names: set[str]


def named_area_triples(area: NamedArea) -> Iterator[Triple]:
    """A secondary source's own area: labels, type, schemes, and its country above it."""
    node = iris.area_iri(area.code)
    yield from area_triples(area.code, sorted(area.kinds))
    yield Triple(node, SKOS.prefLabel, english(area.name))
    for name in sorted(area.other_names - {area.name}):
        yield Triple(node, SKOS.altLabel, english(name))
    yield from (Triple(node, SKOS.altLabel, welsh(name)) for name in sorted(area.welsh_names))
    if area.code[0] in COUNTRIES and "lad" in area.kinds:
        yield from country_triples(area.code[0])
        yield from containment(area.code, COUNTRIES[area.code[0]][0])


def introduce(
    found: dict[str, NamedArea], code: str, name: str, kind: str, welsh_name: str = ""
) -> None:
    """Note an area the DfE lists may lack: one outside England, or a combined authority.

    The DfE lists are English and their devolved-area list predates the May 2025 lookup; for an
    area they do name, a combined authority's current name is the same, so the labels agree.
    Later names win; earlier ones become altLabels.
    """
    if code[0] == "E" and kind != "combined-authority":
        return
    area = found.setdefault(code, NamedArea(code, name, set(), set(), set()))
    area.other_names.add(area.name)
    area.name = name
    area.kinds.add(kind)
    if welsh_name and welsh_name != name:
        area.welsh_names.add(welsh_name)


def unique(triples: Iterable[Triple]) -> Iterator[Triple]:
    """Each triple once, in first-seen order."""
    seen: set[Triple] = set()
    for triple in triples:
        if triple not in seen:
            seen.add(triple)
            yield triple
