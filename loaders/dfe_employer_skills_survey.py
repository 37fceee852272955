"""DfE Employer Skills Survey (ESS) 2017 and 2019: vacancies, skill shortages and skills gaps.

Read as RDF Data Cube observations (``loaders/_cube.py``), one dataset per published table:

- ESS 2017 England LEP standard tables T54, T56, T63, 53 and T74: vacancies, hard-to-fill
  vacancies, skill-shortage vacancies and skills gaps by occupation (the nine ESS groups, each a
  SOC 2010 major group) for England and each LEP, counts and the published percentages (stored
  as fractions). Their "Total" rows form a dataset of their own (no occupation).
- ESS 2019 summary tables: the first block (establishments, staff, vacancies, skill-shortage
  vacancies, skills gaps, training) for England, each LEP and each local authority (sheets
  ALL_LEPS, ALL_LEAS), for each LEP and authority by the 13 ESS sectors (one sheet each), and for
  the regions (the regional figures on the LEP sheets).

Not read: the 2017 rows "Unclassified staff" and the four skill-level groupings (sums of SOC
major groups), T74's counts and Total (the same figures as table 53's), unweighted bases, the
significance-test letters, the 2019 6-sector, size and type columns and the apprenticeship and
recruitment blocks (other bases). A ``**`` cell is suppressed and ``*`` / ``*%`` are kept as
the publisher's marker with no value; neither is ever a zero.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import iris
from skillsgap.loaders import Source
from skillsgap.loaders import _cube as cube
from skillsgap.loaders._ess import (
    PUBLISHER,
    SECTOR_GROUP,
    SECTOR_KIND,
    SECTORS,
    SLUG,
    STATISTICS,
    SUMMARY_ROWS,
    Areas,
    Grid,
    Reading,
    code_of,
    sector_triples,
    unit,
)
from skillsgap.loaders._tables import clean
from skillsgap.namespaces import RDF, RDFS, SG

# A breakdown dimension of an observation: property, code (concept) and its key in the IRI.
Breakdown = tuple[NamedNode, NamedNode, str]

WORKBOOK_2017 = "ESS_2017_England_LEP_Standard_Tables_Controlled_v03.01.xlsx"
WORKBOOK_LEP = "ESS_2019_LEP_Summary_Tables_Controlled_v01.00.xlsx"
WORKBOOK_LA = "ESS_2019_LEA_Summary_Tables_Controlled_v01.00.xlsx"

# ESS occupation groups (row labels of the 2017 tables) to SOC 2010 major groups: ESS 2017 coded
# occupations to SOC 2010 (SOC 2020 was published in 2020), one group per major group.
OCCUPATIONS = {
    "Managers": "1",
    "Professionals": "2",
    "Associate professionals": "3",
    "Administrative/clerical staff": "4",
    "Skilled trades occupations": "5",
    "Caring, leisure and other services staff": "6",
    "Sales and customer services staff": "7",
    "Machine operatives": "8",
    "Elementary staff": "9",
}
SOC_VERSION = "2010"

STRUCTURES = {
    "ess-area": ("ESS figures by area", ()),
    "ess-area-occupation": (
        "ESS figures by area and occupation (SOC 2010 major group)",
        (cube.Component(SG.occupation, "dimension"),),
    ),
    "ess-area-sector": (
        "ESS figures by area and ESS sector",
        (cube.Component(SG.industry, "dimension"),),
    ),
}


@dataclass(frozen=True)
class Table:
    """One published table read into one dataset: where it is and how it is broken down."""

    name: str
    structure: str
    label: str
    file: str
    sheets: str

    @property
    def year(self) -> int:
        return int(self.name[:4])

    def dataset(self, comment: str | None) -> Iterator[Triple]:
        about = cube.source_metadata(PUBLISHER, f"{self.file}, {self.sheets}", cube.OGL)
        yield from cube.dataset(SLUG, self.name, self.structure, self.label, about)
        if comment:
            node = iris.dataset_iri(SLUG, self.name)
            yield Triple(node, RDFS.comment, Literal(comment, language="en"))


@dataclass(frozen=True)
class OccupationTable:
    """An ESS 2017 LEP table by occupation: a count row and a percentage row per group."""

    sheet: str
    topic: str
    count: str | None  # statistic of the count rows (None: the counts are another table's)
    share: str  # statistic of the percentage rows
    totals: Mapping[str, tuple[str | None, str | None]] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()

    def by_occupation(self) -> Table:
        label = f"ESS 2017 table {self.sheet}: {self.topic} by occupation, England and LEPs"
        sheet = f"sheet {self.sheet}"
        return Table(
            f"2017-{self.sheet.lower()}", "ess-area-occupation", label, WORKBOOK_2017, sheet
        )

    def all_occupations(self) -> Table:
        label = f"ESS 2017 table {self.sheet}: {self.topic}, all occupations, England and LEPs"
        sheet = f"sheet {self.sheet}, Total rows"
        return Table(f"2017-{self.sheet.lower()}-total", "ess-area", label, WORKBOOK_2017, sheet)


OCCUPATION_TABLES = (
    OccupationTable(
        "T54", "vacancies", "ess-vacancies", "ess-occupation-share-of-vacancies",
        {"Total": ("ess-vacancies", None)},
    ),
    OccupationTable(
        "T56", "hard-to-fill vacancies", "ess-hard-to-fill-vacancies",
        "ess-occupation-share-of-hard-to-fill-vacancies",
        {"Total": ("ess-hard-to-fill-vacancies", None)},
    ),
    OccupationTable(
        "T63", "skill-shortage vacancies", "ess-skill-shortage-vacancies",
        "ess-occupation-share-of-skill-shortage-vacancies",
        {"Total": ("ess-skill-shortage-vacancies", None)},
    ),
    OccupationTable(
        "53", "skills gaps (staff not fully proficient)", "ess-skills-gaps",
        "ess-occupation-skills-gaps-share-of-employment",
        {
            "Total": ("ess-employment", None),
            "Total not fully proficient": ("ess-skills-gaps", "ess-skills-gap-density"),
        },
    ),
    # T74 repeats table 53's counts and total; only its percentages (of all skills gaps) are new.
    OccupationTable(
        "T74", "share of skills gaps", None, "ess-occupation-share-of-skills-gaps",
        ignored=frozenset({"Total"}),
    ),
)  # fmt: skip
# 2017 rows not loaded: unweighted bases, unclassified vacancies, and the skill-level groupings
# (sums of SOC major groups).
NOT_LOADED_2017 = frozenset(
    {"Unweighted row", "Unclassified staff", "HIGH-SKILL", "MIDDLE-SKILL"}
    | {"SERVICE-INTENSIVE", "LABOUR-INTENSIVE"}
)
FOOTER = "Tables produced by IFF"
TESTED = "Columns Tested:"  # the significance-test note under the last block
SECTIONS = frozenset({"Vacancies", "Skills gaps", "Training", "Significance Level: 95%"})
UNWEIGHTED = "Unweighted row"

SUMMARY_LEP = Table(
    "2019-lep", "ess-area", "ESS 2019 summary: England and LEPs", WORKBOOK_LEP, "sheet ALL_LEPS"
)
SUMMARY_LA = Table(
    "2019-la", "ess-area", "ESS 2019 summary: England and local authorities", WORKBOOK_LA,
    "sheet ALL_LEAS",
)  # fmt: skip
SECTOR_LEP = Table(
    "2019-lep-sector", "ess-area-sector", "ESS 2019 summary: LEPs by sector", WORKBOOK_LEP,
    "one sheet per LEP",
)  # fmt: skip
SECTOR_LA = Table(
    "2019-la-sector", "ess-area-sector", "ESS 2019 summary: local authorities by sector",
    WORKBOOK_LA, "one sheet per local authority",
)  # fmt: skip
REGIONS = Table(
    "2019-region", "ess-area", "ESS 2019 summary: regions (the regional figures on the LEP sheets)",
    WORKBOOK_LEP, "one sheet per LEP",
)  # fmt: skip


def read(folder: Path) -> Iterator[Triple]:
    """Code lists, structures, then the 2017 occupation tables and the 2019 summaries."""
    areas = Areas(folder.parent)
    yield from code_lists()
    for spec in OCCUPATION_TABLES:
        yield from occupation_table(folder / WORKBOOK_2017, spec, areas)
    yield from summary(folder / WORKBOOK_LEP, "ALL_LEPS", SUMMARY_LEP, "lep", areas)
    yield from summary(folder / WORKBOOK_LA, "ALL_LEAS", SUMMARY_LA, "utla", areas)
    yield from area_sheets(folder / WORKBOOK_LEP, "LEP", "lep", SECTOR_LEP, areas, REGIONS)
    yield from area_sheets(folder / WORKBOOK_LA, "LEA", "utla", SECTOR_LA, areas, None)


def code_lists() -> Iterator[Triple]:
    """Statistics, units, structures and the ESS sectors, each triple once."""
    found: list[Triple] = []
    for statistic in STATISTICS.values():
        found += cube.statistic(statistic.name, statistic.label, statistic.definition)
    for name in sorted({s.unit for s in STATISTICS.values()}):
        found += unit(name)[1]
    for name, (label, breakdowns) in STRUCTURES.items():
        found += cube.structure(name, label, breakdowns)
    yield from dict.fromkeys([*found, *sector_triples()])


# --- Observations ---


def observation(
    table: Table,
    statistic: str,
    area: NamedNode,
    reading: Reading,
    breakdown: Breakdown | None = None,
) -> Iterator[Triple]:
    """One ESS observation, named by its table, statistic, area and breakdown code."""
    measured = STATISTICS[statistic]
    keys = [statistic, code_of(area)] + ([breakdown[2]] if breakdown else [])
    node = iris.observation_iri(SLUG, table.name, *keys)
    dimensions = {
        cube.REF_AREA: area,
        cube.REF_PERIOD: iris.year_iri(table.year),
        cube.STATISTIC: measured.node,
    }
    if breakdown:
        dimensions[breakdown[0]] = breakdown[1]
    yield Triple(node, RDF.type, SG.ESSObservation)
    yield from cube.observation(
        node, SLUG, table.name, dimensions, reading.value, unit(measured.unit)[0],
        reading.status, reading.reliability, reading.marker,
    )  # fmt: skip


def base_line(grid: Grid) -> str | None:
    """The table's 'Base: ...' line above its header, as published."""
    for cells in grid.table.raw_rows[: grid.table.header_row]:
        text = clean(cells[0]) if cells else ""
        if text.startswith("Base:"):
            return text
    return None


# --- ESS 2017: tables by occupation ---


def occupation_table(path: Path, spec: OccupationTable, areas: Areas) -> Iterator[Triple]:
    """One 2017 table: its occupation rows by SOC 2010 major group, its Total rows by area."""
    grid = Grid.read(path, spec.sheet, "Total")
    columns = [(c, areas.resolve(grid, c, "lep")) for c in grid.columns()]
    by_occupation, totals = spec.by_occupation(), spec.all_occupations()
    yield from by_occupation.dataset(base_line(grid))
    if spec.totals:
        yield from totals.dataset(base_line(grid))
    for number, cells, label, is_share in occupation_rows(grid, spec):
        breakdown: Breakdown | None = None
        if label in OCCUPATIONS:
            table, statistic = by_occupation, spec.share if is_share else spec.count
            code = OCCUPATIONS[label]
            breakdown = (SG.occupation, iris.soc_iri(SOC_VERSION, code), code)
        else:
            table, statistic = totals, spec.totals[label][is_share]
        if statistic is None:
            continue
        for column, area in columns:
            reading = grid.reading(number, cells, column)
            yield from observation(table, statistic, area, reading, breakdown)


def occupation_rows(
    grid: Grid, spec: OccupationTable
) -> Iterator[tuple[int, list[Any], str, bool]]:
    """Rows to load: number, cells, label (a percentage row takes the label above it), is-share."""
    required = required_rows(spec)
    known = {label for label, _ in required} | NOT_LOADED_2017 | spec.ignored
    seen: set[tuple[str, bool]] = set()
    label = ""
    for number, cells in grid.rows():
        text = clean(cells[0]) if cells else ""
        if text == FOOTER:
            break
        if text and text not in known:
            expected = "an ESS occupation group, a Total row or a row this loader skips"
            raise grid.error(number, 0, expected, text, "unknown row")
        if not text and not any(clean(v) for v in cells[1:]):
            continue  # a blank separator row
        label = text or label
        if (label, not text) in required:
            seen.add((label, not text))
            yield number, cells, label, not text
    if required - seen:
        raise grid.missing_rows(
            {f"{lab} (percentage row)" if pc else lab for lab, pc in required - seen}
        )


def required_rows(spec: OccupationTable) -> set[tuple[str, bool]]:
    """The (label, is-percentage-row) pairs a table must have."""
    rows = {(label, share) for label in OCCUPATIONS for share in (False, True)}
    for label, (_, share_statistic) in spec.totals.items():
        rows |= {(label, False)} | ({(label, True)} if share_statistic else set())
    return rows


# --- ESS 2019: summaries ---


def summary(path: Path, sheet: str, table: Table, kind: str, areas: Areas) -> Iterator[Triple]:
    """An ALL_ sheet: England and every LEP or local authority, one column each."""
    grid = Grid.read(path, sheet, "England Total")
    columns = [(c, areas.resolve(grid, c, kind)) for c in grid.columns()]
    yield from table.dataset(base_line(grid))
    for number, cells, statistic in summary_rows(grid):
        for column, area in columns:
            yield from observation(table, statistic, area, grid.reading(number, cells, column))


def summary_rows(grid: Grid) -> Iterator[tuple[int, list[Any], str]]:
    """The first block's measure rows (number, cells, statistic), up to the next base."""
    seen: set[str] = set()
    bases = 0
    for number, cells in grid.rows():
        label = clean(cells[0]) if cells else ""
        if label == UNWEIGHTED:
            bases += 1
            if bases > 1:
                break
        elif not label:
            grid.significance_row(number, cells)
        elif label in SUMMARY_ROWS:
            seen.add(label)
            yield number, cells, SUMMARY_ROWS[label]
        elif label == FOOTER or label.startswith(TESTED):
            break
        elif label not in SECTIONS:
            raise grid.error(number, 0, "an ESS 2019 summary row label", label, "unknown row")
    if set(SUMMARY_ROWS) - seen:
        raise grid.missing_rows(set(SUMMARY_ROWS) - seen)


def area_sheets(
    path: Path, own: str, kind: str, table: Table, areas: Areas, regions: Table | None
) -> Iterator[Triple]:
    """The one-sheet-per-area tables: each area by sector (and the regions, on LEP sheets)."""
    yield from table.dataset(None)
    if regions:
        yield from regions.dataset(None)
    seen: dict[tuple[str, NamedNode], Reading] = {}  # a region's figures, on several sheets
    for sheet in sheet_names(path):
        grid = Grid.read(path, sheet, "England Total")
        yield from area_sheet(grid, own, kind, table, areas)
        if regions:
            yield from region_columns(grid, regions, areas, seen)


def area_sheet(grid: Grid, own: str, kind: str, table: Table, areas: Areas) -> Iterator[Triple]:
    """One area's sheet: its 13 sector columns."""
    area = own_area(grid, own, kind, areas)
    sectors = [(c, sector_of(grid, c)) for c in grid.columns(SECTOR_GROUP)]
    if len(sectors) != len(SECTORS):
        raise grid.error(grid.table.header_row, None, "13 sector columns", len(sectors))
    for number, cells, statistic in summary_rows(grid):
        for column, breakdown in sectors:
            reading = grid.reading(number, cells, column)
            yield from observation(table, statistic, area, reading, breakdown)


def region_columns(
    grid: Grid, table: Table, areas: Areas, seen: dict[tuple[str, NamedNode], Reading]
) -> Iterator[Triple]:
    """A LEP sheet's regional figures, once per region; each repeat must agree."""
    columns = [(c, areas.resolve(grid, c, "region")) for c in grid.columns("REGION")]
    for number, cells, statistic in summary_rows(grid):
        for column, region in columns:
            reading = grid.reading(number, cells, column)
            before = seen.setdefault((statistic, region), reading)
            if before != reading:
                expected = f"the figure another LEP sheet gives for this region ({before})"
                raise grid.error(number, column, expected, cells[column], "regions disagree")
            if before is reading:
                yield from observation(table, statistic, region, reading)


def own_area(grid: Grid, own: str, kind: str, areas: Areas) -> NamedNode:
    """The area whose sheet this is: the column just left of the sectors, of group ``own``."""
    # Not "the column under the group label": CROYDON's "LEA" label sits one column too early,
    # over a second "London Total".
    first_sector = min(grid.columns(SECTOR_GROUP), default=0)
    column = first_sector - 1
    if column < 1 or grid.groups[column] != own:
        expected = f"the sheet's own area in group {own!r}, left of the sector columns"
        raise grid.error(grid.table.header_row, max(column, 0), expected, grid.groups[column])
    return areas.resolve(grid, column, kind)


def sector_of(grid: Grid, column: int) -> Breakdown:
    """The ESS sector a column header names, as a breakdown."""
    if grid.header(column) not in SECTORS:
        expected = "one of the 13 ESS sectors: " + ", ".join(SECTORS)
        raise grid.error(grid.table.header_row, column, expected, grid.header(column))
    key = SECTORS[grid.header(column)][0]
    return SG.industry, iris.breakdown_iri(SECTOR_KIND, key), key


def sheet_names(path: Path) -> list[str]:
    """The per-area sheets the workbook's Contents lists ("Table BLACK COUNTRY")."""
    contents = Grid.read(path, "Contents", "Page 1 Table of Contents", at=0)
    names = []
    for _, cells in contents.rows():
        text = clean(cells[0]) if cells else ""
        if text.startswith("Table ") and not text.startswith("Table ALL "):
            names.append(text.removeprefix("Table ").replace(" ", "_"))
    return names


SOURCE = Source(
    slug=SLUG,
    title="DfE Employer Skills Survey 2017 and 2019: vacancies, skill shortages and skills gaps",
    holds=(
        "ESS 2017 vacancies, hard-to-fill and skill-shortage vacancies and skills gaps by "
        "occupation (SOC 2010 major groups) for England and each LEP; ESS 2019 establishments, "
        "staff, vacancies, skill-shortage vacancies, skills gaps and training for England, "
        "regions, LEPs and local authorities, and by 13 sectors: RDF Data Cube observations"
    ),
    files=(WORKBOOK_2017, WORKBOOK_LEP, WORKBOOK_LA),
    read=read,
    depends_on=("dfe-geography-lookups", "dfe-lsip-lookups", "ons-soc2010"),
)
