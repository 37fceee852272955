"""UK SIC 2007: the Companies House condensed code list and the ONS activity index, as SKOS.

The files hold 5-digit subclasses only. Sections A-U come from the ONS division ranges; the
division, group and class levels between them have no titles in these files, so they are left
out and each subclass is ``skos:broader`` its section.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import iris
from skillsgap.loaders import Source
from skillsgap.loaders._tables import Row, Table, clean, read_lines
from skillsgap.namespaces import DCT, OGL, ONS, RDF, SG, SKOS, XKOS, XSD

CODES_FILE = "condensed_sic_codes.csv"
INDEX_FILE = "ons_economic_activities_alphabetic_index.csv"
CODE = "sic_code.string()"
TITLE = "sic_description.string()"
ACTIVITY = "activity_description.string()"
CODE_PATTERN = r"[0-9]{5}"
CODE_EXPECTED = "a 5-digit SIC 2007 code"

# The ONS UK SIC 2007 structure (ONS, "UK Standard Industrial Classification of Economic
# Activities 2007 (SIC 2007): structure and explanatory notes", 2009): each section, the
# divisions it holds (first and last, inclusive) and its title. The source files carry none of it.
SECTIONS: tuple[tuple[str, int, int, str], ...] = (
    ("A", 1, 3, "Agriculture, forestry and fishing"),
    ("B", 5, 9, "Mining and quarrying"),
    ("C", 10, 33, "Manufacturing"),
    ("D", 35, 35, "Electricity, gas, steam and air conditioning supply"),
    ("E", 36, 39, "Water supply; sewerage, waste management and remediation activities"),
    ("F", 41, 43, "Construction"),
    ("G", 45, 47, "Wholesale and retail trade; repair of motor vehicles and motorcycles"),
    ("H", 49, 53, "Transportation and storage"),
    ("I", 55, 56, "Accommodation and food service activities"),
    ("J", 58, 63, "Information and communication"),
    ("K", 64, 66, "Financial and insurance activities"),
    ("L", 68, 68, "Real estate activities"),
    ("M", 69, 75, "Professional, scientific and technical activities"),
    ("N", 77, 82, "Administrative and support service activities"),
    ("O", 84, 84, "Public administration and defence; compulsory social security"),
    ("P", 85, 85, "Education"),
    ("Q", 86, 88, "Human health and social work activities"),
    ("R", 90, 93, "Arts, entertainment and recreation"),
    ("S", 94, 96, "Other service activities"),
    (
        "T",
        97,
        98,
        "Activities of households as employers; undifferentiated goods- and "
        "services-producing activities of households for own use",
    ),
    ("U", 99, 99, "Activities of extraterritorial organisations and bodies"),
)
DIVISIONS_EXPECTED = (
    "a code whose first two digits are a UK SIC 2007 division ("
    + ", ".join(
        f"{first:02d}-{last:02d}" if first != last else f"{first:02d}"
        for _letter, first, last, _title in SECTIONS
    )
    + ")"
)

# Companies House adds these to its list for company returns; they are not ONS subclasses, so
# the division rule would misplace them (99999 "Dormant Company" is no extraterritorial body).
COMPANIES_HOUSE_CODES = frozenset({"74990", "98000", "99999"})
COMPANIES_HOUSE_NOTE = "A Companies House code for company returns, not in the ONS UK SIC 2007."

SCHEME_LABEL = "UK SIC 2007"
PUBLISHER = ONS
ORIGINS = (
    NamedNode(
        "https://www.gov.uk/government/publications/"
        "standard-industrial-classification-of-economic-activities-sic"
    ),
    NamedNode("https://github.com/companieshouse/sic-code-data"),
)
LICENCE = OGL
# (IRI name, label, depth in the full five-level ONS structure).
LEVELS = {"section": ("Section", 1), "subclass": ("Subclass", 5)}


@dataclass(frozen=True)
class Subclass:
    """A 5-digit code of the condensed list, its title and its section (None if not ONS)."""

    code: str
    title: str
    section: str | None


@dataclass(frozen=True)
class Activity:
    """One line of the ONS alphabetical index: a code and an activity it covers."""

    code: str
    label: str


def read(folder: Path) -> Iterator[Triple]:
    """The UK SIC 2007 scheme, its sections and subclasses, with index activities as altLabels."""
    subclasses = read_subclasses(folder / CODES_FILE)
    activities = read_activities(folder / INDEX_FILE)
    return _unique(
        chain(
            scheme_triples(),
            section_triples(subclasses),
            chain.from_iterable(subclass_triples(s) for s in subclasses),
            activity_triples(activities, {s.code: s.title for s in subclasses}),
        )
    )


def read_subclasses(path: Path) -> list[Subclass]:
    """The condensed code list; a SourceError for a bad, repeated or unplaceable code."""
    first_rows: dict[str, int] = {}
    subclasses = []
    for row in first_comma_table(path, (CODE, TITLE)).rows():
        code = row.require(CODE, CODE_PATTERN, CODE_EXPECTED)
        if code in first_rows:
            raise row.error(
                CODE, f"a code not already on row {first_rows[code]}", code, "repeated code"
            )
        first_rows[code] = row.number
        subclasses.append(Subclass(code, label_text(row.require(TITLE)), section_of(row, code)))
    return subclasses


def read_activities(path: Path) -> list[Activity]:
    """The ONS alphabetical index lines; a SourceError for a bad code or an empty activity."""
    return [
        Activity(row.require(CODE, CODE_PATTERN, CODE_EXPECTED), label_text(row.require(ACTIVITY)))
        for row in first_comma_table(path, (CODE, ACTIVITY)).rows()
    ]


def first_comma_table(path: Path, columns: tuple[str, str]) -> Table:
    """A two-column file whose second column is unquoted and may hold commas."""
    raw_rows = [line.split(",", 1) for line in read_lines(path)]
    table = Table(path.name, None, [clean(cell) for cell in raw_rows[0]], 1, raw_rows)
    table.require_columns(*columns)
    return table


def section_of(row: Row, code: str) -> str | None:
    """The section letter of a code's division; None for a Companies House code."""
    if code in COMPANIES_HOUSE_CODES:
        return None
    division = int(code[:2])
    for letter, first, last, _title in SECTIONS:
        if first <= division <= last:
            return letter
    raise row.error(CODE, DIVISIONS_EXPECTED, code, f"no UK SIC 2007 division {code[:2]}")


def label_text(text: str) -> str:
    """A label with runs of spaces (some doubled, some no-break) made single spaces."""
    return " ".join(text.split())


def scheme_triples() -> Iterator[Triple]:
    """The concept scheme, its provenance and its two levels."""
    scheme = iris.sic_scheme_iri()
    yield Triple(scheme, RDF.type, SKOS.ConceptScheme)
    yield Triple(scheme, SKOS.prefLabel, english(SCHEME_LABEL))
    yield Triple(scheme, DCT.publisher, PUBLISHER)
    yield Triple(scheme, DCT.license, LICENCE)
    yield from (Triple(scheme, DCT.source, origin) for origin in ORIGINS)
    for name, (label, depth) in LEVELS.items():
        level = iris.sic_level_iri(name)
        yield Triple(level, RDF.type, XKOS.ClassificationLevel)
        yield Triple(level, SKOS.prefLabel, english(label))
        yield Triple(level, XKOS.depth, Literal(str(depth), datatype=XSD.integer))


def section_triples(subclasses: Iterable[Subclass]) -> Iterator[Triple]:
    """All 21 sections as top concepts, whether or not the list has codes in them."""
    scheme = iris.sic_scheme_iri()
    for letter, _first, _last, title in SECTIONS:
        section = iris.sic_iri(letter)
        yield from concept_triples(section, letter, title, "section")
        yield Triple(section, SKOS.topConceptOf, scheme)
        yield Triple(scheme, SKOS.hasTopConcept, section)
    for subclass in subclasses:
        if subclass.section:
            yield Triple(iris.sic_iri(subclass.section), SKOS.narrower, iris.sic_iri(subclass.code))


def subclass_triples(subclass: Subclass) -> Iterator[Triple]:
    """A 5-digit code: under its section, or with a note if it is a Companies House code."""
    concept = iris.sic_iri(subclass.code)
    if subclass.section is None:
        yield from concept_triples(concept, subclass.code, subclass.title, None)
        yield Triple(concept, SKOS.scopeNote, english(COMPANIES_HOUSE_NOTE))
        return
    yield from concept_triples(concept, subclass.code, subclass.title, "subclass")
    yield Triple(concept, SKOS.broader, iris.sic_iri(subclass.section))


def concept_triples(
    concept: NamedNode, notation: str, title: str, level: str | None
) -> Iterator[Triple]:
    """What every SIC concept has: classes, notation, title, scheme (and level membership)."""
    yield Triple(concept, RDF.type, SKOS.Concept)
    yield Triple(concept, RDF.type, SG.SICCode)
    yield Triple(concept, SKOS.notation, Literal(notation))
    yield Triple(concept, SKOS.prefLabel, english(title))
    yield Triple(concept, SKOS.inScheme, iris.sic_scheme_iri())
    if level:
        yield Triple(iris.sic_level_iri(level), SKOS.member, concept)


def activity_triples(activities: Iterable[Activity], titles: dict[str, str]) -> Iterator[Triple]:
    """Index activities as altLabels; a code missing from the list is typed but left untitled.

    An activity worded exactly as its code's title is skipped: SKOS keeps a concept's prefLabel
    and altLabels disjoint. An untitled code is no skos:Concept, so the gate warns about it.
    """
    for activity in activities:
        concept = iris.sic_iri(activity.code)
        if activity.code not in titles:
            yield Triple(concept, RDF.type, SG.SICCode)
            yield Triple(concept, SKOS.notation, Literal(activity.code))
        if activity.label != titles.get(activity.code):
            yield Triple(concept, SKOS.altLabel, english(activity.label))


def english(text: str) -> Literal:
    """A label in English."""
    return Literal(text, language="en")


def _unique(triples: Iterable[Triple]) -> Iterator[Triple]:
    seen: set[Triple] = set()
    for triple in triples:
        if triple not in seen:
            seen.add(triple)
            yield triple


SOURCE = Source(
    slug="uk-sic2007",
    title="UK SIC 2007 condensed code list and ONS alphabetical index of economic activities",
    holds="UK SIC 2007 sections and 5-digit subclasses as SKOS concepts, index activities as "
    "altLabels",
    files=(CODES_FILE, INDEX_FILE),
    read=read,
)
