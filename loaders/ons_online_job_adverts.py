"""ONS online job adverts as RDF Data Cube: Adzuna by area 2017-2022, Textkernel by profession 2022.

- ``referencetablesupdated.xlsx`` (ONS, May 2022): the January average of online job adverts, as a
  unit measure, by local authority (worksheet 1) and ITL1 region (2); adverts of unknown local
  authority by region (3) and their share (5); two regional indices, January 2019 = 100 (6). The
  43 local authorities ONS excluded for quality (worksheet 4) are ``sg:Suppressed`` observations,
  flagged ``sg:LowReliability`` and marked ``[note 3]``, the note that gives the reason.
- ``C_Vacancy_ONS1722.csv`` (DfE): worksheet 1's figures summed to regions, LSIP areas, LEPs and
  combined authorities. Its LADU rows repeat worksheet 1: they are checked against it, not loaded.
- ``C_OnsProfDetail.csv`` (DfE): October 2022 adverts by Textkernel profession category (a code
  list of its own, summary -> detailed; not SOC) for LSIP areas, LEPs, combined authorities and
  the UK's nations.

Areas are named, not coded: they are resolved through the geography sources beside this folder.
Rows for an "Unknown" area (adverts no area of the level could be given) are not observations, as
each dataset's ``rdfs:comment`` says: an observation's area must be an area.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import iris
from skillsgap.loaders import Source, dfe_geography_lookups
from skillsgap.loaders import _cube as cube
from skillsgap.loaders._areas import AreaIndex, area_index, fold
from skillsgap.loaders._geography import area_triples, containment, english, scheme_triples
from skillsgap.loaders._tables import Row, Table, read_csv, read_sheet
from skillsgap.namespaces import DCT, RDF, RDFS, SG, SKOS, XKOS, XSD

SLUG = "ons-online-job-adverts"
WORKBOOK = "referencetablesupdated.xlsx"
VACANCY_FILE = "C_Vacancy_ONS1722.csv"
PROFESSION_FILE = "C_OnsProfDetail.csv"
ONS = "https://www.ons.gov.uk/"
DFE = "https://www.gov.uk/government/organisations/department-for-education"

# --- areas -----------------------------------------------------------------------------------

# The geography sources hold England and Wales. The UK and the other two nations are named by
# their GSS codes (ONS Register of Geographic Codes); Scottish and Northern Irish councils by the
# codes DfE's ward lookup (in the dfe-geography-lookups folder) gives them.
UNITED_KINGDOM = "K02000001"
NATIONS = {
    UNITED_KINGDOM: "United Kingdom",
    "S92000003": "Scotland",
    "N92000002": "Northern Ireland",
}
COUNCIL_NATIONS = {"S12": "S92000003", "N09": "N92000002"}
ENTITY_NAMES = {
    "K02": "United Kingdom",
    "S92": "Country",
    "N92": "Country",
    "S12": "Council area",
    "N09": "Local government district",
}
SPELLINGS = {  # names the publishers spell otherwise than the geography sources
    "East Ayshire": "East Ayrshire",  # worksheet 4
    "Enterprise M3 LEP (including all of Surrey)": "Enterprise M3",  # LSIP E69000009
}
NOTE = re.compile(r"\s*\[notes? [^\]]*\]", re.IGNORECASE)
AUTUMN_2022 = date(2022, 10, 1)


@dataclass(frozen=True)
class Level:
    """A geographic level of the files: the kinds of area it names, and as of when."""

    kinds: tuple[str, ...]
    on: date


LEVELS = {
    "LADU": Level(("lad",), date(2021, 5, 1)),  # note 1: local authority districts of May 2021
    "GOR": Level(("region", "country"), date(2021, 1, 1)),  # note 2: ITL1 of 1 January 2021
    "LSIP": Level(("lsip",), AUTUMN_2022),  # the areas of DfE's dashboard, autumn 2022
    "LEP": Level(("lep",), AUTUMN_2022),
    "MCA": Level(("combined-authority",), AUTUMN_2022),
    "Country": Level(("country",), AUTUMN_2022),
}


def nation_triples(code: str) -> Iterator[Triple]:
    """The UK or one of its nations as an area of the country scheme (a nation a top concept)."""
    node, scheme = iris.area_iri(code), iris.area_scheme_iri("country")
    yield from scheme_triples(["country"])
    yield from area_triples(code, ["country"])
    yield Triple(node, SKOS.prefLabel, english(NATIONS[code]))
    yield Triple(iris.area_type_iri(code[:3]), RDFS.label, english(ENTITY_NAMES[code[:3]]))
    if code != UNITED_KINGDOM:
        yield Triple(node, SKOS.topConceptOf, scheme)
        yield Triple(scheme, SKOS.hasTopConcept, node)


def council_triples(code: str, name: str) -> Iterator[Triple]:
    """A Scottish or Northern Irish council, within its nation."""
    yield from scheme_triples(["lad"])
    yield from area_triples(code, ["lad"])
    yield Triple(iris.area_iri(code), SKOS.prefLabel, english(name))
    yield Triple(iris.area_type_iri(code[:3]), RDFS.label, english(ENTITY_NAMES[code[:3]]))
    yield from containment(code, COUNCIL_NATIONS[code[:3]])


@cache
def councils(data_dir: Path) -> dict[str, tuple[str, str]]:
    """Scottish and Northern Irish councils of DfE's ward lookup by folded name: (code, name)."""
    path = data_dir / dfe_geography_lookups.SOURCE.slug / dfe_geography_lookups.WARDS_FILE
    rows = read_csv(path, ["lad_code", "lad_name", "most_recent_year_included"]).rows()
    # Sorted by year: a code's latest name, and a name's latest code (Fife was recoded in 2018).
    listed = sorted(
        (row.get("most_recent_year_included"), row.get("lad_code"), row.get("lad_name"))
        for row in rows
        if row.get("lad_code")[:3] in COUNCIL_NATIONS
    )
    names = {code: name for _year, code, name in listed}
    return {fold(name): (code, names[code]) for _year, code, name in listed}


@cache
def operating(data_dir: Path) -> dict[NamedNode, tuple[date | None, date | None]]:
    """Each area's first day and end day, as the primary geography source dates them."""
    folder = data_dir / dfe_geography_lookups.SOURCE.slug
    listings: dict[str, list[dfe_geography_lookups.Listing]] = {}
    for area_list in dfe_geography_lookups.LISTS:  # the lists only: the ward file has no dates
        for listing in dfe_geography_lookups.read_list(folder / area_list.file, area_list)[0]:
            listings.setdefault(listing.code, []).append(listing)
    spans: dict[NamedNode, tuple[date | None, date | None]] = {}
    for code, found in listings.items():
        for t in dfe_geography_lookups.area_output(code, found):  # dated as the source dates them
            if t.predicate in (SG.operationalFrom, SG.terminatedOn):
                area, day = iris.area_iri(code), date.fromisoformat(t.object.value)
                start, end = spans.get(area, (None, None))
                spans[area] = (day, end) if t.predicate == SG.operationalFrom else (start, day)
    return spans


@dataclass
class Places:
    """Area names resolved to GSS codes, and the areas the geography sources lack."""

    data_dir: Path
    index: AreaIndex
    introduced: dict[str, str] = field(default_factory=dict)
    resolved: dict[tuple[str, str], NamedNode] = field(default_factory=dict)

    def resolve(self, row: Row, column: str, level: str) -> NamedNode:
        """The area a cell names; a SourceError naming the cell if there is none or several."""
        key = (level, row.get(column))
        if key not in self.resolved:
            self.resolved[key] = self.look_up(row, column, level)
        return self.resolved[key]

    def look_up(self, row: Row, column: str, level: str) -> NamedNode:
        name = NOTE.sub("", row.get(column))
        name, kinds = SPELLINGS.get(name, name), LEVELS[level].kinds
        found = self.index.candidates(name, kinds)
        if len(found) > 1:  # one name, codes changed over time: the code in use at the level's date
            found = {area for area in found if self.in_operation(area, LEVELS[level].on)} or found
        if len(found) == 1:
            return next(iter(found))
        if not found and (code := self.outside_geography(name, kinds)):
            return iris.area_iri(code)
        return self.index.resolve(row, column, name, kinds)  # raises: unknown or ambiguous

    def in_operation(self, area: NamedNode, on: date) -> bool:
        start, end = operating(self.data_dir).get(area, (None, None))
        return (start is None or start <= on) and (end is None or on < end)

    def outside_geography(self, name: str, kinds: tuple[str, ...]) -> str | None:
        """A nation or council the geography sources lack, noted to be introduced."""
        nations = {fold(nation): code for code, nation in NATIONS.items()}
        if "country" in kinds and fold(name) in nations:
            code = nations[fold(name)]
            self.introduced[code] = NATIONS[code]
        elif "lad" in kinds and fold(name) in councils(self.data_dir):
            code, self.introduced[code] = councils(self.data_dir)[fold(name)]
            self.add_nation(COUNCIL_NATIONS[code[:3]])
        else:
            return None
        return code

    def add_nation(self, code: str) -> None:
        if not self.index.candidates(NATIONS[code], ["country"]):
            self.introduced[code] = NATIONS[code]

    def triples(self) -> Iterator[Triple]:
        """The introduced areas."""
        for code, name in sorted(self.introduced.items()):
            yield from nation_triples(code) if code in NATIONS else council_triples(code, name)


def is_unknown(row: Row, column: str) -> bool:
    """A row of adverts that no area of the level could be given."""
    return fold(NOTE.sub("", row.get(column))) == "unknown"


# --- statistics, units, datasets, observations -----------------------------------------------

ADZUNA, UNKNOWN_LA = "online-job-adverts-adzuna", "online-job-adverts-adzuna-unknown-la"
UNKNOWN_SHARE = "online-job-adverts-adzuna-unknown-la-share"
INDEX_NEW, INDEX_RTI = "online-job-adverts-adzuna-index", "online-job-adverts-adzuna-index-rti"
TEXTKERNEL = "online-job-adverts-textkernel"
MONTHLY = "the average of weekly counts of online job adverts (Adzuna) over the month, as ONS's unit measure (the count divided by a fixed value), to 1 decimal place"
NO_LA = "The adverts of an area that no local authority could be given"
BASE_2019 = "as an index, January 2019 average = 100"
STATISTICS = {
    ADZUNA: ("Online job adverts (Adzuna)", f"The volume of adverts: {MONTHLY}."),
    UNKNOWN_LA: ("Online job adverts (Adzuna) of unknown local authority", f"{NO_LA}: {MONTHLY}."),
    UNKNOWN_SHARE: (
        "Share of online job adverts (Adzuna) of unknown local authority",
        f"{NO_LA}, as a share (0 to 1) of all its adverts.",
    ),
    INDEX_NEW: (
        "Online job adverts (Adzuna), index",
        f"The volume of adverts in the data of this release, {BASE_2019} (ONS note 5).",
    ),
    INDEX_RTI: (
        "Online job adverts (Adzuna, real-time indicators data), index",
        f"The volume of adverts in the Adzuna data of ONS's weekly real-time indicators, {BASE_2019} (ONS note 6).",
    ),
    TEXTKERNEL: (
        "Online job adverts (Textkernel)",
        "Online job adverts in the month (Textkernel data, ONS's experimental series by profession), summed by DfE to its areas, rounded to the nearest 5.",
    ),
}
INDEX_UNIT, INDEX_UNIT_LABEL = "index-2019-01-100", "Index (January 2019 average = 100)"
STRUCTURE, BY_PROFESSION = "online-job-adverts", "online-job-adverts-by-profession"
UNKNOWN_ROWS = (
    "Rows for an 'Unknown' area are not observations: an observation's area must be an area."
)


def code_list_triples() -> Iterator[Triple]:
    """Structures, statistics and units."""
    yield from cube.structure(STRUCTURE, "Online job adverts by area and month")
    profession = cube.Component(SG.professionCategory, "dimension")
    yield from cube.structure(
        BY_PROFESSION, "Online job adverts by area, month and profession", [profession]
    )
    for name, (label, definition) in STATISTICS.items():
        yield from cube.statistic(name, label, definition)
    for name in ("index", "proportion", "job-adverts"):
        yield from cube.unit(name)[1]
    yield from cube.concept(
        iris.unit_iri(INDEX_UNIT),
        iris.UNIT_SCHEME,
        "Units of measure",
        INDEX_UNIT_LABEL,
        INDEX_UNIT,
    )


@dataclass
class Dataset:
    """One table's dataset; its observations keyed by their dimensions, so duplicates are caught."""

    table: str
    seen: dict[tuple[str, ...], int] = field(default_factory=dict)

    def triples(self, structure: str, label: str, publisher: str, source: str) -> Iterator[Triple]:
        """The dataset: publisher, source, licence, and the note on 'Unknown' rows."""
        about = cube.source_metadata(publisher, source, cube.OGL)
        yield from cube.dataset(SLUG, self.table, structure, label, about)
        yield Triple(iris.dataset_iri(SLUG, self.table), RDFS.comment, english(UNKNOWN_ROWS))

    def observation(
        self,
        row: Row,
        column: str,
        dimensions: tuple[NamedNode, NamedNode, str],
        value: Decimal | None,
        unit: str,
        category: NamedNode | None = None,
    ) -> Iterator[Triple]:
        """One observation of (area, period, statistic[, category]); None: an excluded area."""
        area, period, statistic = dimensions
        keys = tuple(term.value.rsplit("/", 1)[1] for term in (area, period)) + (statistic,)
        keys += (category.value.rsplit("/", 1)[1],) if category else ()
        if keys in self.seen:
            message = f"duplicate observation (first at row {self.seen[keys]})"
            raise row.error(
                column, "one row per area, period and category", row.get(column), message
            )
        self.seen[keys] = row.number
        node = iris.observation_iri(SLUG, self.table, *keys)
        terms = {
            cube.REF_AREA: area,
            cube.REF_PERIOD: period,
            cube.STATISTIC: iris.statistic_iri(statistic),
        }
        if category:
            terms[SG.professionCategory] = category
        excluded = value is None
        yield from cube.observation(
            node,
            SLUG,
            self.table,
            terms,
            value,
            iris.unit_iri(unit),
            cube.SUPPRESSED if excluded else cube.AVAILABLE,
            (SG.LowReliability,) if excluded else (),
            "[note 3]" if excluded else None,
        )
        yield Triple(node, RDF.type, SG.JobAdvertObservation)


def amount(row: Row, column: str) -> Decimal:
    """A figure of 0 or more."""
    value = cube.number(row, column)
    if value < 0:
        raise row.error(column, "a figure of 0 or more", row.get(column))
    return value


def january(row: Row, column: str) -> NamedNode:
    """The January of a year cell (the series is the average over January)."""
    return iris.month_iri(int(row.require(column, YEAR, "a year such as 2017")), 1)


Figures = dict[tuple[NamedNode, str], Decimal]  # worksheet 1's figures by (area, year)


def read(folder: Path) -> Iterator[Triple]:
    """The workbook, DfE's area sums and DfE's profession table, and the areas they need."""
    places = Places(folder.parent, area_index(folder.parent))
    yield from code_list_triples()
    local: Figures = {}
    yield from workbook_triples(folder / WORKBOOK, places, local)
    yield from vacancy_triples(folder / VACANCY_FILE, places, local)
    yield from profession_triples(folder / PROFESSION_FILE, places)
    yield from places.triples()


# --- the workbook ----------------------------------------------------------------------------

YEAR = r"20\d\d"
REGION = "Region [note 2]"


@dataclass(frozen=True)
class Worksheet:
    """A worksheet with years across: its dataset, area column and level, and what it measures."""

    sheet: str
    table: str
    area: str
    level: str
    statistic: str
    unit: str


YEARS_ACROSS = (
    Worksheet("1", "local-authority", "Local authority [note 1]", "LADU", ADZUNA, "index"),
    Worksheet("2", "region", REGION, "GOR", ADZUNA, "index"),
    Worksheet("3", "region-unknown-la", REGION, "GOR", UNKNOWN_LA, "index"),
    Worksheet("5", "region-unknown-la-share", REGION, "GOR", UNKNOWN_SHARE, "proportion"),
)
EXCLUDED_SHEET, EXCLUDED = "4", "Excluded Local Authorities [note 1, 3]"
INDEX_SHEET, INDEX_YEAR = "6", "Year"
INDICES = {
    "Volume of adverts, new [note 5]": INDEX_NEW,
    "Volume of adverts, existing [note 6, 7]": INDEX_RTI,
}


def workbook_triples(path: Path, places: Places, local: Figures) -> Iterator[Triple]:
    """Worksheets 1 to 6; worksheet 1's figures are kept in ``local`` to check DfE's copy."""
    for worksheet in YEARS_ACROSS:
        table = read_sheet(path, worksheet.sheet, [worksheet.area])
        dataset = Dataset(worksheet.table)
        yield from dataset.triples(
            STRUCTURE, title(table), ONS, f"{path.name}, worksheet {worksheet.sheet}"
        )
        years = year_columns(table)
        for row in table.rows():
            values = {year: amount(row, year) for year in years}
            if is_unknown(row, worksheet.area):
                continue
            area = places.resolve(row, worksheet.area, worksheet.level)
            for year, value in values.items():
                if worksheet.sheet == "1":
                    local[(area, year)] = value
                month = iris.month_iri(int(year), 1)
                yield from dataset.observation(
                    row, worksheet.area, (area, month, worksheet.statistic), value, worksheet.unit
                )
        if worksheet.sheet == "1":
            yield from excluded_triples(path, places, dataset, years)
    yield from index_triples(path, places)


def title(table: Table) -> str:
    """A worksheet's title: its first cell."""
    text = str(table.raw_rows[0][0]).strip() if table.raw_rows and table.raw_rows[0] else ""
    if not text:
        raise table.error("no title in the first cell", "the worksheet's title", "")
    return text


def year_columns(table: Table) -> list[str]:
    """The header cells that are years."""
    years = [name for name in table.header if re.fullmatch(YEAR, name)]
    if not years:
        raise table.error(
            f"no year columns in header row {table.header_row}",
            "columns such as '2017'",
            table.header,
        )
    return years


def excluded_triples(
    path: Path, places: Places, dataset: Dataset, years: list[str]
) -> Iterator[Triple]:
    """For each local authority worksheet 4 excludes, a suppressed observation per year."""
    for row in read_sheet(path, EXCLUDED_SHEET, [EXCLUDED]).rows():
        area = places.resolve(row, EXCLUDED, "LADU")
        for year in years:
            yield from dataset.observation(
                row, EXCLUDED, (area, iris.month_iri(int(year), 1), ADZUNA), None, "index"
            )


def index_triples(path: Path, places: Places) -> Iterator[Triple]:
    """Worksheet 6: two regional indices, one row per region and year."""
    table = read_sheet(path, INDEX_SHEET, [INDEX_YEAR, REGION, *INDICES])
    dataset = Dataset("region-index")
    yield from dataset.triples(
        STRUCTURE, title(table), ONS, f"{path.name}, worksheet {INDEX_SHEET}"
    )
    for row in table.rows():
        month, values = january(row, INDEX_YEAR), {s: amount(row, c) for c, s in INDICES.items()}
        if is_unknown(row, REGION):
            continue
        area = places.resolve(row, REGION, "GOR")
        for statistic, value in values.items():
            yield from dataset.observation(row, REGION, (area, month, statistic), value, INDEX_UNIT)


# --- DfE's files -----------------------------------------------------------------------------

AREA, LEVEL, VACANCY_YEAR, VACANCY_UNIT = "area", "geographic_level", "year", "vacancy_unit"
SUMS = "Online job adverts (Adzuna) by region, LSIP area, LEP and combined authority, January 2017 to 2022: DfE's sums of ONS's local authority figures (worksheet 1), so without the adverts of unknown local authority and of the 43 excluded authorities"


def vacancy_triples(path: Path, places: Places, local: Figures) -> Iterator[Triple]:
    """DfE's sums to regions, LSIP areas, LEPs and combined authorities; LADU rows checked."""
    table = read_csv(path, [VACANCY_YEAR, AREA, LEVEL, VACANCY_UNIT])
    dataset = Dataset("dfe-areas")
    yield from dataset.triples(STRUCTURE, SUMS, DFE, path.name)
    for row in table.rows():
        level = row.require(LEVEL, "|".join(LEVELS), "one of " + ", ".join(LEVELS))
        month = january(row, VACANCY_YEAR)
        if is_unknown(row, AREA):
            continue
        area, value = places.resolve(row, AREA, level), amount(row, VACANCY_UNIT)
        if level == "LADU":
            check_copy(row, local.get((area, row.get(VACANCY_YEAR))), value)
        else:
            yield from dataset.observation(row, AREA, (area, month, ADZUNA), value, "index")


def check_copy(row: Row, published: Decimal | None, value: Decimal) -> None:
    """DfE's copy of a worksheet 1 figure must be that figure."""
    if published is None:
        raise row.error(
            AREA, f"a local authority and year of {WORKBOOK} worksheet 1", row.get(AREA)
        )
    if published != value:
        raise row.error(
            VACANCY_UNIT, f"{published}, as in {WORKBOOK} worksheet 1", row.get(VACANCY_UNIT)
        )


SUMMARY, DETAILED = "Summary Profession Category", "Detailed Profession Category"
PERIOD, ADVERTS = "time_period", "vacancies"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PROFESSIONS = "profession-category"
BY_CATEGORY = "Online job adverts (Textkernel) by profession category and area, October 2022 (DfE's sums of ONS figures)"


@cache
def category_iri(name: str) -> NamedNode:
    """A profession category, by its name made into a path segment."""
    return iris.breakdown_iri(PROFESSIONS, "-".join(fold(name).split()))


def profession_triples(path: Path, places: Places) -> Iterator[Triple]:
    """October 2022 adverts by detailed profession category and area, then the code list."""
    table = read_csv(path, [LEVEL, AREA, SUMMARY, DETAILED, PERIOD, ADVERTS])
    dataset = Dataset("profession")
    yield from dataset.triples(BY_PROFESSION, BY_CATEGORY, DFE, path.name)
    parents: dict[str, tuple[str, int]] = {}
    names: dict[NamedNode, str] = {}
    for row in table.rows():
        level = row.require(LEVEL, "LSIP|LEP|MCA|Country", "one of LSIP, LEP, MCA, Country")
        summary, detailed = category(row, SUMMARY, names), category(row, DETAILED, names)
        first = parents.setdefault(detailed, (summary, row.number))
        if first[0] != summary:
            message = "a detailed category under two summary categories"
            raise row.error(SUMMARY, f"{first[0]!r}, as at row {first[1]}", summary, message)
        month, value = period(row), amount(row, ADVERTS)
        if not is_unknown(row, AREA):
            dimensions = (places.resolve(row, AREA, level), month, TEXTKERNEL)
            yield from dataset.observation(
                row, AREA, dimensions, value, "job-adverts", category_iri(detailed)
            )
    yield from category_triples({detailed: summary for detailed, (summary, _) in parents.items()})


def category(row: Row, column: str, names: dict[NamedNode, str]) -> str:
    """A category name; a SourceError if another name makes the same IRI."""
    name = row.require(column, expected="a profession category")
    other = names.setdefault(category_iri(name), name)
    if other != name:
        raise row.error(column, f"a name that makes another IRI than {other!r}", name)
    return name


def period(row: Row) -> NamedNode:
    """A month written like "Oct 22"."""
    found = re.fullmatch(r"([A-Z][a-z]{2}) (\d\d)", row.get(PERIOD))
    if not found or found[1] not in MONTHS:
        raise row.error(PERIOD, "a month like 'Oct 22'", row.get(PERIOD))
    return iris.month_iri(2000 + int(found[2]), MONTHS.index(found[1]) + 1)


def category_triples(parents: dict[str, str]) -> Iterator[Triple]:
    """The profession categories as a two-level SKOS/XKOS classification."""
    scheme = iris.breakdown_scheme_iri(PROFESSIONS)
    yield Triple(scheme, XKOS.numberOfLevels, Literal("2", datatype=XSD.integer))
    yield Triple(scheme, DCT.publisher, NamedNode(ONS))
    for depth, level in enumerate(("summary", "detailed"), 1):
        node = iris.profession_category_level_iri(level)
        yield Triple(node, RDF.type, XKOS.ClassificationLevel)
        yield Triple(node, SKOS.prefLabel, english(f"{level.capitalize()} profession categories"))
        yield Triple(node, XKOS.depth, Literal(str(depth), datatype=XSD.integer))
    for name in sorted(set(parents.values())):
        yield from category_concept(name, "summary")
        yield Triple(category_iri(name), SKOS.topConceptOf, scheme)
        yield Triple(scheme, SKOS.hasTopConcept, category_iri(name))
    for name, parent in sorted(parents.items()):
        yield from category_concept(name, "detailed")
        yield Triple(category_iri(name), SKOS.broader, category_iri(parent))
        yield Triple(category_iri(parent), SKOS.narrower, category_iri(name))


def category_concept(name: str, level: str) -> Iterator[Triple]:
    """One category: a concept of the scheme, a member of its level."""
    node = category_iri(name)
    label = "Profession categories of online job adverts (Textkernel)"
    yield from cube.concept(node, iris.breakdown_scheme_iri(PROFESSIONS), label, name)
    yield Triple(node, RDF.type, SG.ProfessionCategory)
    yield Triple(iris.profession_category_level_iri(level), SKOS.member, node)


SOURCE = Source(
    slug=SLUG,
    title="ONS online job adverts: Adzuna by area 2017-2022, Textkernel by profession October 2022",
    holds="Online job advert volumes by local authority, region, LSIP area, LEP, combined authority and profession category, as RDF Data Cube",
    files=(WORKBOOK, VACANCY_FILE, PROFESSION_FILE),
    read=read,
    depends_on=("dfe-geography-lookups", "dfe-lsip-lookups"),
)
