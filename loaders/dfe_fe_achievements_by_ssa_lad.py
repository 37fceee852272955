"""DfE further education and skills achievements by local authority district, as RDF Data Cube.

- ``FEAchSSAAug21-Apr22.csv``: education and training (adult FE) aim achievements by sector subject
  area tier 1, for every district, region and England, in 2021/22 **August to April only**
  (provisional, year to date): ``sg:periodCoverage sg:PartYear`` and ``sg:reliability
  sg:Provisional``, the nine months in the dataset's ``dct:temporal``.
- ``permalink-3960ad0f-…csv``: achievements by provision type (apprenticeships, education and
  training, community learning, all FE and skills) for every district, region and England,
  2016/17 to 2021/22; 2021/22 is a provisional part-year figure (the quarter is not stated).

Both are Explore Education Statistics downloads. Areas are given as GSS codes, on each year's
boundaries (326 districts in 2016/17, 309 in 2021/22: SOURCE.md's 327 and 310 count the placeholder
z). Every code is checked against the ``dfe-geography-lookups`` folder beside this one: known, of
the kind the row's geographic level says, named as the row names it, and in operation during the
academic year. Rows for "Outside of England and unknown" (DfE's code ``z``) are not observations:
an observation's area must be an area (each dataset's ``rdfs:comment`` says so). Sector subject
areas are named: the names are mapped to the LARS tier 1 codes of
``dfe-lars/SectorSubjectAreaTier1.csv``: the concepts the ``dfe-lars`` loader mints, restated here
triple for triple from that file; "Total" and "Not Applicable/ Not Known" are codes of a list of our own.

``low`` and ``~`` (fewer than 5) are ``sg:Suppressed`` with no value and the marker kept. Two rows
for the same cell give one observation IRI, so the gate reports them (two values or statuses).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import iris
from skillsgap.errors import SourceError
from skillsgap.loaders import Source, dfe_geography_lookups, dfe_lars
from skillsgap.loaders import _cube as cube
from skillsgap.loaders._areas import fold
from skillsgap.loaders._tables import Row, read_csv
from skillsgap.namespaces import DCT, RDF, RDFS, SG, SKOS

SLUG = "dfe-fe-achievements-by-ssa-lad"
SSA_FILE = "FEAchSSAAug21-Apr22.csv"
PROVISION_FILE = "permalink-3960ad0f-fd8a-49bb-91d7-f3ca1181b93f.csv"
DFE = "https://www.gov.uk/government/organisations/department-for-education"
LOCATION, CODE, LEVEL, PERIOD = "location", "location_code", "geographic_level", "time_period"
SSA_COLUMN, TYPE_COLUMN = "ssa_t1_desc", "level_or_type"
MARKERS = ("low", "~")  # EES: a count that rounds to 0, i.e. fewer than 5 ('~' the older symbol)
PLACEHOLDER = "z"  # DfE: "Outside of England and unknown"
LEVELS = {"country": "country", "region": "region", "localAuthorityDistrict": "lad"}
UNIT = "achievements"

# --- code lists ------------------------------------------------------------------------------

PROVISION_KIND = "fe-provision-type"
PROVISION_TYPES = {  # the file's name -> (code, label, definition)
    "Apprenticeships: Total": (
        "apprenticeships",
        "Apprenticeships",
        "Apprenticeships, as DfE's further education and skills statistics count them.",
    ),
    "Education and training: Total": (
        "education-and-training",
        "Education and training",
        "Adult (19+) further education and training other than apprenticeships and community learning.",
    ),
    "Community learning: Total": (
        "community-learning",
        "Community learning",
        "Adult community learning.",
    ),
    "Further education and skills: Total": (
        "further-education-and-skills",
        "Further education and skills (all provision)",
        "DfE's total for all further education and skills provision; not the sum of the other types (for England 2016/17: 1,578,910 against 1,590,200).",
    ),
}
EDUCATION_AND_TRAINING = iris.breakdown_iri(PROVISION_KIND, "education-and-training")
SSA_KIND = "sector-subject-area"
OWN_SSA_CODES = {  # names the SSA file uses that are not LARS tier 1 areas -> (code, label)
    "Total": ("all", "All sector subject areas"),
    "Not Applicable/ Not Known": ("not-applicable-or-not-known", "Not applicable or not known"),
}
ACHIEVEMENTS, AIM_ACHIEVEMENTS = "fe-achievements", "fe-aim-achievements"
ROUNDED = "Counts are rounded to the nearest 10; 'low' or '~' stands for fewer than 5."
STATISTICS = {
    ACHIEVEMENTS: (
        "Further education and skills achievements",
        f"Achievements in further education and skills as DfE's statistics (from the ILR) count them for a provision type, area and academic year. {ROUNDED}",
    ),
    AIM_ACHIEVEMENTS: (
        "Education and training aim achievements",
        f"Learning aims achieved in adult education and training (a learner achieving several aims counts once for each), as DfE's statistics (from the ILR) count them. {ROUNDED}",
    ),
}


def provision_iri(name: str) -> NamedNode:
    """A provision type, by the file's name for it."""
    return iris.breakdown_iri(PROVISION_KIND, PROVISION_TYPES[name][0])


def code_list_triples() -> Iterator[Triple]:
    """Statistics, the unit, the provision types and the table's own SSA codes."""
    for name, (label, definition) in STATISTICS.items():
        yield from cube.statistic(name, label, definition)
    yield from cube.concept(iris.unit_iri(UNIT), iris.UNIT_SCHEME, "Units of measure",
                            "Achievements", UNIT)  # fmt: skip
    scheme = iris.breakdown_scheme_iri(PROVISION_KIND)
    for code, label, definition in PROVISION_TYPES.values():
        node = iris.breakdown_iri(PROVISION_KIND, code)
        yield from cube.concept(node, scheme, "Further education and skills provision types", label)
        yield Triple(node, SKOS.definition, Literal(definition, language="en"))
    ssa_scheme = iris.breakdown_scheme_iri(SSA_KIND)
    for code, label in OWN_SSA_CODES.values():
        node = iris.breakdown_iri(SSA_KIND, code)
        yield from cube.concept(node, ssa_scheme, "Sector subject area totals", label)


@cache
def lars_ssa(data_dir: Path) -> tuple[tuple[Triple, ...], dict[str, NamedNode]]:
    """The LARS SSA tier 1 concepts (as the dfe-lars loader states them) and their IRIs by name.

    Restated here, triple for triple, so this graph passes the gate without the whole dfe-lars
    graph as reference (which would need the SOC graph too); the union holds each triple once.
    """
    labels: dict[str, str] = {}
    folder = data_dir / dfe_lars.SOURCE.slug
    triples = tuple(dfe_lars.code_list_triples(folder, dfe_lars.SSA_TIER_1, labels, True))
    codes = {fold(label): iris.code_iri("ssa", notation) for notation, label in labels.items()}
    for name, (code, _label) in OWN_SSA_CODES.items():
        codes[fold(name)] = iris.breakdown_iri(SSA_KIND, code)
    return triples, codes


def ssa_iri(row: Row, data_dir: Path) -> NamedNode:
    """The sector subject area a row names; a SourceError if LARS tier 1 has no such name."""
    name = row.require(SSA_COLUMN, expected="a sector subject area (tier 1) name")
    found = lars_ssa(data_dir)[1].get(fold(name))
    if found is None:
        expected = f"a tier 1 name of dfe-lars/{dfe_lars.SSA_TIER_1.file}, Total or Not Applicable/ Not Known"
        raise row.error(SSA_COLUMN, expected, name, "unknown sector subject area")
    return found


# --- areas -----------------------------------------------------------------------------------


@dataclass
class Area:
    """What the geography source says about one GSS code."""

    kinds: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    label: str = ""
    start: date | None = None
    end: date | None = None

    def operating(self, first: date, last: date) -> bool:
        """In operation on some day from ``first`` to ``last``."""
        return (self.start is None or self.start <= last) and (self.end is None or first < self.end)


@cache
def areas(data_dir: Path) -> dict[str, Area]:
    """The areas of the dfe-geography-lookups folder beside this source's folder, by code."""
    folder = data_dir / dfe_geography_lookups.SOURCE.slug
    if not folder.is_dir():
        raise SourceError(
            "area codes are checked against the geography source, which is missing",
            file=str(folder),
            expected="the dfe-geography-lookups folder beside this source's folder",
            got="no such folder",
        )
    found: dict[str, Area] = {}
    prefix = iris.area_iri("").value
    for t in dfe_geography_lookups.read(folder):
        if isinstance(t.subject, NamedNode) and t.subject.value.startswith(prefix):
            note(found.setdefault(t.subject.value[len(prefix) :], Area()), t)
    return found


def note(area: Area, t: Triple) -> None:
    """Add what one triple says about an area."""
    value = str(getattr(t.object, "value", ""))
    if t.predicate in (SKOS.prefLabel, SKOS.altLabel):
        area.names.add(fold(value))
        area.label = value if t.predicate == SKOS.prefLabel else area.label
    elif t.predicate == SKOS.inScheme:
        area.kinds.add(value.rsplit("/", 1)[1])
    elif t.predicate == SG.operationalFrom:
        area.start = date.fromisoformat(value)
    elif t.predicate == SG.terminatedOn:
        area.end = date.fromisoformat(value)


def area_iri(row: Row, data_dir: Path, year: int) -> NamedNode | None:
    """The row's area, checked against the geography source; None for DfE's placeholder z."""
    code = row.require(CODE, expected="a GSS code, or z")
    if code == PLACEHOLDER:
        return None
    level = row.require(LEVEL, "|".join(LEVELS), "one of " + ", ".join(LEVELS))
    area = areas(data_dir).get(code)
    if area is None:
        raise row.error(CODE, "a GSS code of dfe-geography-lookups", code, "unknown area code")
    if LEVELS[level] not in area.kinds:
        levels = ", ".join(name for name, kind in LEVELS.items() if kind in area.kinds)
        raise row.error(LEVEL, f"the level of {code}: {levels}", level, "level and code disagree")
    if fold(row.get(LOCATION)) not in area.names:
        raise row.error(LOCATION, f"the name of {code}, {area.label}", row.get(LOCATION))
    if not area.operating(date(year, 8, 1), date(year + 1, 7, 31)):
        raise row.error(CODE, f"an area in operation in {academic(year)}", code)
    return iris.area_iri(code)


# --- cells -----------------------------------------------------------------------------------


def academic(year: int) -> str:
    """An academic year as DfE writes it in text: 2021/22."""
    return f"{year}/{(year + 1) % 100:02d}"


def academic_year(row: Row) -> int:
    """The first calendar year of a time_period such as 202122."""
    text = row.require(PERIOD, r"20\d{4}", "an academic year such as 202122")
    if int(text[4:]) != (int(text[:4]) + 1) % 100:
        raise row.error(PERIOD, "two consecutive years, such as 202122", text)
    return int(text[:4])


def count(row: Row, column: str) -> tuple[Decimal | None, str | None]:
    """A count and no marker, or no count and its suppression marker."""
    text = row.get(column)
    if text in MARKERS:
        return None, text
    if re.fullmatch(r"\d+", text):
        return Decimal(text), None
    symbol = re.fullmatch(r"[a-z]|[^\w\s]{1,3}", text)
    message = "unknown marker" if symbol else "not a count"
    raise row.error(column, "a whole number, or a suppression marker: low or ~", text, message)


def totals(row: Row, columns: tuple[str, ...]) -> None:
    """Breakdowns the table must not have: every such column reads Total."""
    for column in columns:
        if row.get(column) != "Total":
            expected = "Total (this loader reads the table without this breakdown)"
            raise row.error(column, expected, row.get(column))


# --- tables ----------------------------------------------------------------------------------

Breakdowns = Callable[[Row, Path], Mapping[NamedNode, NamedNode]]


@dataclass(frozen=True)
class Table:
    """One file: its dataset, what it measures, its breakdowns and its part-year periods."""

    file: str
    name: str
    label: str
    value: str
    statistic: str
    breakdowns: tuple[NamedNode, ...]
    breakdown_column: str
    read_breakdowns: Breakdowns
    fixed: tuple[str, ...]  # columns that must read Total
    part_years: Mapping[int, NamedNode | None]  # first year -> the months covered, where stated
    years: frozenset[int] | None = None  # the only years the file may hold

    def year(self, row: Row) -> int:
        """The row's academic year (its first calendar year), one this file may hold."""
        year = academic_year(row)
        if self.years is not None and year not in self.years:
            expected = " or ".join(f"{y}{(y + 1) % 100:02d}" for y in sorted(self.years))
            raise row.error(PERIOD, f"{expected}, the year this file covers", row.get(PERIOD))
        return year

    def structure(self) -> Iterator[Triple]:
        """The table's data structure: the breakdowns and the period-coverage attribute."""
        components = [cube.Component(p, "dimension") for p in self.breakdowns]
        components.append(cube.Component(SG.periodCoverage, "attribute"))
        yield from cube.structure(f"fe-{self.name}", self.label, components)

    def dataset(self) -> Iterator[Triple]:
        """The dataset with its publisher, source, licence, months covered and caveats."""
        about = cube.source_metadata(DFE, f"{SLUG}/{self.file}", cube.OGL)
        yield from cube.dataset(SLUG, self.name, f"fe-{self.name}", self.label, about)
        node = iris.dataset_iri(SLUG, self.name)
        for months in filter(None, self.part_years.values()):
            yield Triple(node, DCT.temporal, months)
        yield Triple(node, RDFS.comment, Literal(self.comment(), language="en"))

    def comment(self) -> str:
        part = ", ".join(academic(year) for year in self.part_years)
        return (
            f"{ROUNDED} Figures for {part} are provisional and cover only part of the academic "
            "year (sg:PartYear). Rows for 'Outside of England and unknown' (code z) are not "
            "observations: an observation's area must be an area. District codes are those of "
            "each year's boundaries."
        )


def ssa_breakdowns(row: Row, data_dir: Path) -> Mapping[NamedNode, NamedNode]:
    """The SSA file: education and training, by sector subject area."""
    return {SG.provisionType: EDUCATION_AND_TRAINING, SG.sectorSubjectArea: ssa_iri(row, data_dir)}


def provision_breakdowns(row: Row, _data_dir: Path) -> Mapping[NamedNode, NamedNode]:
    """The provision-type file: by provision type."""
    name = row.get(TYPE_COLUMN)
    if name not in PROVISION_TYPES:
        raise row.error(TYPE_COLUMN, "one of " + ", ".join(PROVISION_TYPES), name)
    return {SG.provisionType: provision_iri(name)}


TABLES = (
    Table(
        SSA_FILE,
        "achievements-by-ssa",
        "Education and training aim achievements by sector subject area (tier 1) and district, "
        "England, 2021/22 August to April (provisional)",
        "e_and_t_aims_ach",
        AIM_ACHIEVEMENTS,
        (SG.provisionType, SG.sectorSubjectArea),
        SSA_COLUMN,
        ssa_breakdowns,
        ("notional_nvq_level", "ethnicity_group", "gender"),
        {2021: iris.months_iri(2021, 8, 9)},
        frozenset({2021}),
    ),
    Table(
        PROVISION_FILE,
        "achievements-by-provision-type",
        "Further education and skills achievements by provision type and district, England, "
        "2016/17 to 2021/22 (2021/22 provisional, part year)",
        "achievements",
        ACHIEVEMENTS,
        (SG.provisionType,),
        TYPE_COLUMN,
        provision_breakdowns,
        ("age_group",),
        {2021: None},
    ),
)


def read(folder: Path) -> Iterator[Triple]:
    """Both tables, their structures and datasets, and the code lists they use."""
    yield from code_list_triples()
    yield from lars_ssa(folder.parent)[0]
    for table in TABLES:
        yield from table.structure()
        yield from table.dataset()
        yield from observations(table, folder / table.file, folder.parent)


def observations(table: Table, path: Path, data_dir: Path) -> Iterator[Triple]:
    """One observation per row of a real area."""
    columns = [LOCATION, CODE, LEVEL, PERIOD, *table.fixed, table.breakdown_column, table.value]
    for row in read_csv(path, columns).rows():
        yield from observation(table, row, data_dir)


def observation(table: Table, row: Row, data_dir: Path) -> Iterator[Triple]:
    """The observation of one row (none for DfE's placeholder area; its cells are checked too)."""
    year = table.year(row)
    totals(row, table.fixed)
    area = area_iri(row, data_dir, year)
    breakdowns = table.read_breakdowns(row, data_dir)
    value, marker = count(row, table.value)
    if area is None:
        return
    dimensions = {
        cube.REF_AREA: area,
        cube.REF_PERIOD: iris.academic_year_iri(year),
        cube.STATISTIC: iris.statistic_iri(table.statistic),
        **breakdowns,
    }
    keys = [term.value.rsplit("/", 1)[1] for term in (area, *breakdowns.values())]
    node = iris.observation_iri(
        SLUG, table.name, keys[0], f"{year}-{(year + 1) % 100:02d}", *keys[1:]
    )
    status = cube.AVAILABLE if marker is None else cube.SUPPRESSED
    part_year = year in table.part_years
    flags = (SG.Provisional,) if part_year else ()
    coverage = {SG.periodCoverage: SG.PartYear if part_year else SG.FullYear}
    unit = iris.unit_iri(UNIT)
    yield from cube.observation(
        node, SLUG, table.name, dimensions, value, unit, status, flags, marker, coverage
    )
    yield Triple(node, RDF.type, SG.FEAchievementObservation)


SOURCE = Source(
    slug=SLUG,
    title="DfE further education and skills achievements by district: by sector subject area "
    "(2021/22, August to April) and by provision type (2016/17 to 2021/22)",
    holds="Adult education and training aim achievements by SSA tier 1, and FE and skills "
    "achievements by provision type, for every district, region and England, as RDF Data Cube",
    files=(SSA_FILE, PROVISION_FILE),
    read=read,
    depends_on=("dfe-geography-lookups",),
)
