"""Shared parts of the Employer Skills Survey loader: sheet cells, area names, code lists.

ESS tables (produced by IFF for DfE) are grids: a header row naming the columns (areas, sectors),
the row above it grouping them ("ENGLAND", "REGION", "LEP", "LEA", "Sector (13 sector grouping)"),
and one labelled row per measure. A cell holds a number, ``**`` (suppressed: base too small) or
``*`` / ``*%`` (above zero but under 0.5, or 0.5%: the publisher prints no number).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Triple

from skillsgap import iris
from skillsgap.errors import Found, SourceError
from skillsgap.loaders import _cube as cube
from skillsgap.loaders import dfe_geography_lookups
from skillsgap.loaders._areas import AreaIndex, area_index
from skillsgap.loaders._tables import Row, Table, clean, read_sheet
from skillsgap.namespaces import RDF, SG, SKOS

SLUG = "dfe-employer-skills-survey"
PUBLISHER = "https://www.gov.uk/government/organisations/department-for-education"

# --- Cells ---

SUPPRESSED = "**"
# "*" and "*%": more than zero but under 0.5 (or 0.5%); kept as the publisher's marker, no value.
BELOW_HALF = ("*", "*%")
MARKERS = "a number, '**' (suppressed), '*' or '*%' (under 0.5)"
SIGNIFICANCE = re.compile(r"[a-m]+")


@dataclass(frozen=True)
class Reading:
    """A cell as an observation states it: a value, or a status and the publisher's marker."""

    value: Decimal | None
    status: NamedNode = cube.AVAILABLE
    marker: str | None = None
    reliability: tuple[NamedNode, ...] = ()


@dataclass(frozen=True)
class Grid:
    """A published table read by cell position, with the column groups above its header row."""

    table: Table
    groups: tuple[str, ...]

    @classmethod
    def read(cls, path: Path, sheet: str, corner: str, at: int = 1) -> Grid:
        """The sheet, its header row being the first that holds ``corner`` (in column ``at``)."""
        table = read_sheet(path, sheet, (corner,))
        if clean(table.header[at] if at < len(table.header) else "") != corner:
            found = Found(f"{corner!r} elsewhere in the header row: a shifted header")
            where = Row(table, table.header_row, {})
            raise where.error(column_letter(at), f"{corner!r} in column {column_letter(at)}", found)
        above = table.raw_rows[table.header_row - 2] if table.header_row > 1 else []
        groups, current = [], ""
        for index in range(len(table.header)):
            current = clean(above[index]) if index < len(above) and clean(above[index]) else current
            groups.append(current)
        return cls(table, tuple(groups))

    def header(self, column: int) -> str:
        return self.table.header[column]

    def columns(self, group: str | None = None) -> list[int]:
        """The columns with a header (after the label column), of one group or of all."""
        found = range(1, len(self.table.header))
        return [c for c in found if self.header(c) and group in (None, self.groups[c])]

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """The rows below the header, numbered as the sheet shows them."""
        first = self.table.header_row + 1
        yield from enumerate((list(r) for r in self.table.raw_rows[first - 1 :]), start=first)

    def column_name(self, column: int) -> str:
        """A column as a reader finds it: its letter and its header."""
        letters = column_letter(column)
        return f"{letters}: {self.header(column)}" if self.header(column) else letters

    def error(
        self, row: int, column: int | None, expected: str, got: Any, message: str = ""
    ) -> SourceError:
        """A SourceError pointing at one cell (or one row)."""
        name = self.column_name(column) if column is not None else None
        return Row(self.table, row, {}).error(name, expected, got, message)

    def missing_rows(self, labels: set[str]) -> SourceError:
        """A SourceError for rows the table should have and does not."""
        expected = "rows labelled " + ", ".join(repr(label) for label in sorted(labels))
        return SourceError(
            "missing rows", file=self.table.file, sheet=self.table.sheet, expected=expected,
            got=Found("no such rows"),
        )  # fmt: skip

    def reading(self, row: int, cells: list[Any], column: int) -> Reading:
        """The cell at ``column`` as a Reading; a SourceError for anything else."""
        value = cells[column] if column < len(cells) else ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Reading(self.number(row, column, repr(value)))
        text = clean(value)
        if text == SUPPRESSED:
            return Reading(None, cube.SUPPRESSED, text)
        if text in BELOW_HALF:
            return Reading(None, cube.NOT_AVAILABLE, text, (SG.BelowPublicationThreshold,))
        if not text:
            got = Found("an empty cell (a formula without its cached value?)")
            raise self.error(row, column, MARKERS, got, "no value")
        return Reading(self.number(row, column, text))

    def number(self, row: int, column: int, text: str) -> Decimal:
        try:
            parsed = Decimal(text)
        except InvalidOperation:
            parsed = Decimal("NaN")
        if not parsed.is_finite():
            raise self.error(row, column, MARKERS, text, "not a number or a known marker")
        return parsed

    def significance_row(self, row: int, cells: list[Any]) -> None:
        """An unlabelled 2019 row of significance-test letters; a SourceError if it holds data."""
        for column, value in enumerate(cells[1:], start=1):
            text = clean(value)
            if text and not SIGNIFICANCE.fullmatch(text):
                expected = "significance-test column letters (a to m) in an unlabelled row"
                raise self.error(row, column, expected, value, "unexpected cell")


def column_letter(column: int) -> str:
    """A column's letters as a spreadsheet shows them: 0 is A, 26 is AA."""
    letters, number = "", column + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- Areas ---

# ESS 2017 and 2019 both use the LEP geography of April 2017 to March 2020 (38 LEPs). The DfE
# lookup holds the codes of every vintage under the same names (three "Leeds City Region"s) and
# its dates for that period are not usable (London E37000023 "terminated 2017-04-01" while its
# successor starts 2020-04-01), so the vintage is this list of the ONS LEP (2017) codes.
LEP_2017 = frozenset(
    f"E370000{n:02d}" for n in (*range(1, 13), *range(14, 26), 27, 29, 30, *range(32, 43))
)
# ESS keeps an empty Northamptonshire column (no establishments): that LEP merged into South
# East Midlands in 2017. It is loaded as published, under the old LEP's code.
NORTHAMPTONSHIRE_LEP = "E37000026"
# ESS 2019 still lists Bournemouth, Poole and the Dorset county council separately: its local
# authorities are those in operation before the April 2019 reorganisation.
LA_VINTAGE = date(2019, 3, 31)
# Publisher spellings that differ from the geography lookups' names, per kind of area.
SPELLINGS = {
    "lep": {
        "Greater Cambridge Greater Peterborough": "Greater Cambridge and Greater Peterborough",
        "North Eastern": "North East",
        "North East LEP": "North East",
        "Oxfordshire LEP": "Oxfordshire",
        "Cornwall and the Isles of Scilly": "Cornwall and Isles of Scilly",
        # The sheet of the LEP its ALL_LEPS column calls "York, North Yorkshire and East Riding".
        "York and North Yorkshire": "York, North Yorkshire and East Riding",
    },
    "utla": {
        "Bristol": "Bristol, City of",
        "Kingston upon Hull": "Kingston upon Hull, City of",
        "Herefordshire": "Herefordshire, County of",
        "Durham": "County Durham",
        "StokeonTrent": "Stoke-on-Trent",  # the sheets' own headers lost their hyphens
        "StocktononTees": "Stockton-on-Tees",
    },
}
ENGLAND_NAMES = ("Total", "England")  # 2017 tables head England's column "Total"
TOTAL_SUFFIX = " Total"  # 2019 column headers: "Black Country Total", "West Midlands Total"


class Areas:
    """ESS column headers resolved to ONS areas as they stood in the survey years."""

    def __init__(self, data_dir: Path) -> None:
        self.index: AreaIndex = area_index(data_dir)
        self.periods = operating_periods(data_dir)

    def resolve(self, grid: Grid, column: int, kind: str) -> NamedNode:
        """The area a column header names; a SourceError naming the header cell otherwise."""
        header = strip_total(grid.header(column))
        if header in ENGLAND_NAMES:
            kind, header = "country", "England"
        name = SPELLINGS.get(kind, {}).get(header, header)
        found = {area for area in self.index.candidates(name, (kind,)) if self.in_vintage(area)}
        if len(found) == 1:
            return found.pop()
        message = "ambiguous area name" if found else "unknown area name"
        expected = f"the name of one {kind} area of the survey's time"
        raise grid.error(grid.table.header_row, column, expected, header, message)

    def in_vintage(self, area: NamedNode) -> bool:
        """Whether the area is of the surveys' geography (2017 LEPs; LAs of 31 March 2019)."""
        code = code_of(area)
        if code.startswith("E37"):
            return code in LEP_2017 or code == NORTHAMPTONSHIRE_LEP
        periods = self.periods.get(code, [(None, None)])
        return any((s or LA_VINTAGE) <= LA_VINTAGE <= (e or LA_VINTAGE) for s, e in periods)


def strip_total(header: str) -> str:
    """A 2019 column header without its " Total" suffix."""
    return header if header == "Total" else header.removesuffix(TOTAL_SUFFIX)


@cache
def operating_periods(data_dir: Path) -> dict[str, list[tuple[date | None, date | None]]]:
    """When each upper-tier local authority was in operation, as DfE's las.csv lists it."""
    las = next(area_list for area_list in dfe_geography_lookups.LISTS if area_list.kind == "utla")
    folder = data_dir / dfe_geography_lookups.SOURCE.slug
    periods: dict[str, list[tuple[date | None, date | None]]] = {}
    for listing in dfe_geography_lookups.read_list(folder / las.file, las)[0]:
        periods.setdefault(listing.code, []).append((listing.start, listing.end))
    return periods


def code_of(area: NamedNode) -> str:
    """An area IRI's GSS code."""
    return area.value.rsplit("/", 1)[-1]


# --- Code lists: statistics, units, sectors ---


@dataclass(frozen=True)
class Statistic:
    """What an ESS observation measures, in which unit, and its 2019 summary row if any."""

    name: str
    unit: str
    label: str
    definition: str
    row_2019: str | None = None

    @property
    def node(self) -> NamedNode:
        return iris.statistic_iri(self.name)


# One entry per statistic: "name (unit): label", its definition and (for the 2019 summaries)
# its row label as published; a line indented by eight spaces continues the field above.
STATISTICS_TABLE = """
ess-establishments (establishments): Establishments
    definition: Number of establishments (weighted estimate).
    row: Total (establishments)
ess-employment (persons): Staff employed
    definition: Number of people working at the establishments (weighted estimate); 2017: table 53,
        Total.
    row: Total number of staff
ess-share-establishments-with-vacancies (proportion): Establishments with vacancies (share)
    definition: Proportion of establishments with at least one current vacancy.
    row: Establishments with any vacancies
ess-share-establishments-with-hard-to-fill-vacancies (proportion): Establishments with hard-to-fill
        vacancies (share)
    definition: Proportion of establishments with at least one vacancy that is hard to fill.
    row: Have at least one vacancy that is hard to fill
ess-share-establishments-with-skill-shortage-vacancies (proportion): Establishments with
        skill-shortage vacancies (share)
    definition: Proportion of establishments with a skill-shortage vacancy (prompted or
        unprompted).
    row: Have a skills shortage vacancy (prompted or unprompted)
ess-vacancies (vacancies): Vacancies
    definition: Number of current vacancies (weighted estimate). ESS 2017 table T54: vacancies in
        the up to six occupations followed up per establishment.
    row: Number of vacancies
ess-hard-to-fill-vacancies (vacancies): Hard-to-fill vacancies
    definition: Number of current vacancies the employer finds hard to fill (weighted estimate).
ess-skill-shortage-vacancies (vacancies): Skill-shortage vacancies
    definition: Number of hard-to-fill vacancies caused by a lack of skills, qualifications or
        experience among applicants, prompted or unprompted (weighted estimate).
    row: Number of skill-shortage vacancies
ess-vacancy-density (proportion): Vacancies as a share of employment
    definition: Number of vacancies as a proportion of all employment.
    row: Number of vacancies as a % of all employment
ess-skill-shortage-vacancy-density (proportion): Skill-shortage vacancies as a share of vacancies
    definition: Proportion of all vacancies that are skill-shortage vacancies.
    row: % of all vacancies which are SSVs
ess-share-establishments-with-skills-gaps (proportion): Establishments with skills gaps (share)
    definition: Proportion of establishments with any staff not fully proficient.
    row: % of establishments with any staff not fully proficient
ess-skills-gaps (persons): Skills gaps
    definition: Number of staff not fully proficient in their job (weighted estimate).
    row: Number of skills gaps
ess-skills-gap-density (proportion): Skills gaps as a share of employment
    definition: Staff not fully proficient as a proportion of all staff.
    row: Number of skills gaps as a % of employment
ess-share-establishments-training (proportion): Establishments training staff (share)
    definition: Proportion of establishments that trained staff over the last 12 months.
    row: % of establishments training staff over the last 12 months
ess-share-establishments-off-the-job-training (proportion): Establishments providing off-the-job
        training (share)
    definition: Proportion of establishments providing off-the-job training in the last 12 months.
    row: % of establishments providing off-the-job training in the last 12 months
ess-share-establishments-on-the-job-training (proportion): Establishments providing on-the-job
        training (share)
    definition: Proportion of establishments providing on-the-job training in the last 12 months.
    row: % of establishments providing on-the-job training in the last 12 months
ess-share-trainers-online-training (proportion): Training establishments providing online training
        (share)
    definition: Proportion of the establishments that trained staff which provided online training
        or e-learning in the last 12 months.
    row: % of training establishments providing online training or e-learning in the last 12 months
ess-staff-trained (persons): Staff trained
    definition: Number of staff trained over the last 12 months, including the publisher's modelled
        data.
    row: Total number trained (including modelled data)
ess-staff-trained-share (proportion): Staff trained as a share of staff
    definition: Number of staff trained as a proportion of total staff.
    row: Number trained as % of total staff
ess-training-days (days): Training days
    definition: Total days of training over the last 12 months.
    row: Total Days Training
ess-training-days-per-trainee (days-per-person): Training days per trainee
    definition: Days of training per member of staff trained.
    row: Training days per trainee
ess-training-days-per-staff (days-per-person): Training days per member of staff
    definition: Days of training per member of staff.
    row: Training days per staff
ess-occupation-share-of-vacancies (proportion): Share of vacancies in the occupation
    definition: Vacancies in the occupation as a proportion of all vacancies in the up to six
        occupations followed up per establishment (ESS 2017 table T54).
ess-occupation-share-of-hard-to-fill-vacancies (proportion): Share of hard-to-fill vacancies in the
        occupation
    definition: Hard-to-fill vacancies in the occupation as a proportion of all hard-to-fill
        vacancies (ESS 2017 table T56).
ess-occupation-share-of-skill-shortage-vacancies (proportion): Share of skill-shortage vacancies in
        the occupation
    definition: Skill-shortage vacancies in the occupation as a proportion of all skill-shortage
        vacancies (ESS 2017 table T63).
ess-occupation-skills-gaps-share-of-employment (proportion): Skills gaps in the occupation as a
        share of all staff
    definition: Staff in the occupation not fully proficient as a proportion of all staff in the
        area, every occupation (ESS 2017 table 53).
ess-occupation-share-of-skills-gaps (proportion): Share of skills gaps in the occupation
    definition: Staff in the occupation not fully proficient as a proportion of all staff not fully
        proficient (ESS 2017 table T74).
"""


def parse_statistics(text: str) -> dict[str, Statistic]:
    """The statistics table above, by name."""
    entries: dict[str, dict[str, str]] = {}
    name = field = ""
    for line in text.strip().splitlines():
        if not line.startswith(" "):
            head, _, label = line.partition(": ")
            name, _, unit = head.partition(" (")
            entries[name], field = {"unit": unit.removesuffix(")"), "label": label}, "label"
        elif line.startswith(" " * 8):
            entries[name][field] += " " + line.strip()
        else:
            field, _, value = line.strip().partition(": ")
            entries[name][field] = value
    return {
        n: Statistic(n, e["unit"], e["label"], e["definition"], e.get("row"))
        for n, e in entries.items()
    }


STATISTICS = parse_statistics(STATISTICS_TABLE)
# The 2019 summaries' first block: row label as published -> statistic.
SUMMARY_ROWS = {s.row_2019: s.name for s in STATISTICS.values() if s.row_2019}


# Units _cube.UNITS lacks, minted here the same way.
EXTRA_UNITS = {"days": "Days", "days-per-person": "Days per person"}


@cache
def unit(name: str) -> tuple[NamedNode, tuple[Triple, ...]]:
    """A unit of measure and the triples that describe it."""
    if name not in EXTRA_UNITS:
        node, triples = cube.unit(name)
        return node, tuple(triples)
    node = iris.unit_iri(name)
    scheme = "Units of measure"
    return node, tuple(cube.concept(node, iris.UNIT_SCHEME, scheme, EXTRA_UNITS[name], name))


SECTOR_KIND = "ess-sector"
SECTOR_GROUP = "Sector (13 sector grouping)"
# The 13 ESS sectors as the 2019 sheets head them: IRI key and the SIC 2007 sections each
# groups (the ESS technical reports' sector definitions).
SECTORS = {
    "Primary Sector & Utilities": ("primary-sector-and-utilities", "ABDE"),
    "Manufacturing": ("manufacturing", "C"),
    "Construction": ("construction", "F"),
    "Wholesale & Retail": ("wholesale-and-retail", "G"),
    "Hotels & Restaurants": ("hotels-and-restaurants", "I"),
    "Transport & Storage": ("transport-and-storage", "H"),
    "Information & Communications": ("information-and-communications", "J"),
    "Financial Services": ("financial-services", "K"),
    "Business Services": ("business-services", "LMN"),
    "Public admin.": ("public-administration", "O"),
    "Education": ("education", "P"),
    "Health & Social Work": ("health-and-social-work", "Q"),
    "Arts & Other Services": ("arts-and-other-services", "RS"),
}


def sector_triples() -> Iterator[Triple]:
    """The ESS sector code list, each sector matched to its SIC 2007 sections."""
    scheme = iris.breakdown_scheme_iri(SECTOR_KIND)
    for label, (key, sections) in SECTORS.items():
        node = iris.breakdown_iri(SECTOR_KIND, key)
        yield from cube.concept(node, scheme, "Employer Skills Survey sectors", label)
        yield Triple(node, RDF.type, SG.ESSSector)
        # One section: the same industries; several: each section is narrower than the sector.
        match = SKOS.exactMatch if len(sections) == 1 else SKOS.narrowMatch
        yield from (Triple(node, match, iris.sic_iri(section)) for section in sections)
