"""Nomis APS table T09a: employment by occupation (SOC 2010 sub-major group), 2017 to 2021.

The sheet stacks one block per period (Jan-Dec of each year). A block starts with a ``date`` row
(the period) and a ``confidence`` row, then the header: ``Area`` and one title per SOC 2010
sub-major group over three columns ``number``, ``Flags``, ``conf`` (the 95% confidence interval,
plus or minus). Data rows follow until a blank row; the block's footnotes define the markers.
Nomis writes its markers in the number and conf cells themselves (``Flags`` is empty here):

- ``!`` "not available since the group sample size is zero or disclosive (0-2)": the publisher
  withholds the estimate (a zero sample is folded in so that it discloses nothing) -> sg:Suppressed;
- ``~`` "Estimate is less than 500": no figure is given -> sg:Suppressed and sg:EstimateUnder500
  (the interval is kept where Nomis gives one);
- ``*`` (in conf) "Estimate and confidence interval unreliable (sample 3-9)": the estimate is kept,
  flagged sg:Unreliable, and has no interval;
- ``-`` "These figures are missing" -> sg:NotAvailable.

Figures stay on SOC 2010 (``queries/employment-soc2020-apportioned.rq`` apportions them to SOC 2020
on request). Areas are named with a Nomis prefix: ``country:``, ``User Defined Geography:`` (DfE's
LSIP and mayoral combined authority areas), ``lep:`` and ``ladu:`` (districts), resolved among
the areas that existed when the names were given (:class:`Places`). Scotland's council areas have
no geography source, so their rows are checked but not loaded; the dataset says so.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import iris
from skillsgap.errors import Found, SourceError
from skillsgap.loaders import Source, _cube, ons_soc2010
from skillsgap.loaders import dfe_geography_lookups as geography
from skillsgap.loaders._areas import area_index, fold
from skillsgap.loaders._tables import Row, Table, clean, read_sheet
from skillsgap.namespaces import RDF, RDFS, SG

SLUG = "nomis-aps-employment-by-occupation"
WORKBOOK = "nomis_2023_04_24_143000.xlsx"
SHEET = "Data"
TABLE = "t09a"
STRUCTURE = "nomis-aps-t09a"
DATASET = iris.dataset_iri(SLUG, TABLE)
STATISTIC_NAME = "aps-employment"
STATISTIC = iris.statistic_iri(STATISTIC_NAME)
SOC_VERSION = "2010"
AREA = "Area"
PERIOD = r"Jan (\d{4})-Dec \1"
CONFIDENCE = "95% confidence interval (+/-)"
TITLE = re.compile(r"T09a:\d+ \(All people - (.+) \(SOC2010\) : All people \)")
SUBHEADERS = ("number", "Flags", "conf")
UNIT, UNIT_TRIPLES = _cube.unit("persons")
# Terms made once, not per observation (52,250 of them).
REF_AREA, REF_PERIOD, STATISTIC_DIMENSION = _cube.REF_AREA, _cube.REF_PERIOD, _cube.STATISTIC
OCCUPATION, INTERVAL, MARKER = SG.occupation, SG.confidenceInterval95, SG.sourceMarker
OBSERVATION = SG.APSObservation

# The footnote that must define each marker, and what the marker means for a cell.
LEGEND = {
    "!": "! Estimate and confidence interval not available since the group sample size is zero",
    "*": "* Estimate and confidence interval unreliable since the group sample size is small",
    "~": "~ Estimate is less than 500",
    "-": "- These figures are missing",
}
MARKERS = tuple(LEGEND)
# "-": missing (sg:NotAvailable); "!" and "~": withheld by the publisher (sg:Suppressed).
WITHHELD = ("!", "~")
FLAG_OF = {"*": SG.Unreliable, "~": SG.EstimateUnder500}
# Markers that stand for the interval as well as the estimate: both cells carry them.
WHOLE_CELL = ("!", "-")

# --- Areas ---

# The day whose areas Nomis's names refer to. Districts and LEPs: April 2021 (the download has
# North and West Northamptonshire, formed 1 April 2021, and the Cumbrian districts abolished on
# 1 April 2023; the LEPs include Hull and East Riding, formed April 2021). DfE defined its
# user-defined geographies (dn81838) for the 2023 LSIP areas: as on the download day.
DISTRICTS_AND_LEPS_ON = date(2021, 4, 1)
USER_DEFINED_ON = date(2023, 4, 24)
KINDS_BY_PREFIX: dict[str, tuple[str, ...]] = {
    "country": ("country",),
    "lep": ("lep",),
    "ladu": ("lad",),
}
USER_DEFINED_SUFFIX = re.compile(r" - from dn\d+$")
# Nomis writes "<name>-LSIP" or "<name>-MCA", cut at 35 characters: "-LS", "-" or nothing is left.
CUT_LSIP_SUFFIX = re.compile(r"-(L(S(IP?)?)?)?$")
# Publisher spellings that differ from the geography sources' names.
SPELLINGS = {
    # Cut at 35 characters by Nomis.
    "Brighton and Hove, East Sussex, Wes": "Brighton and Hove, East Sussex, West Sussex",
    # The LSIP's designation name; DfE lists area E69000009 as "Enterprise M3".
    "Enterprise M3 LEP (including all of Surrey)": "Enterprise M3",
    # Nomis's name for LEP E37000061, which DfE calls Hull and East Yorkshire.
    "Hull and East Riding": "Hull and East Yorkshire",
    "Rhondda Cynon Taff": "Rhondda Cynon Taf",
}
# No geography source holds Scotland's council areas (S12 codes), so their rows are left out;
# any other name that resolves to no area stops the load.
# fmt: off
SCOTTISH_COUNCIL_AREAS = frozenset((
    "Aberdeen City", "Aberdeenshire", "Angus", "Argyll and Bute", "Clackmannanshire",
    "Dumfries and Galloway", "Dundee City", "East Ayrshire", "East Dunbartonshire", "East Lothian",
    "East Renfrewshire", "City of Edinburgh", "Na h-Eileanan Siar", "Falkirk", "Fife",
    "Glasgow City", "Highland", "Inverclyde", "Midlothian", "Moray", "North Ayrshire",
    "North Lanarkshire", "Orkney Islands", "Perth and Kinross", "Renfrewshire", "Scottish Borders",
    "Shetland Islands", "South Ayrshire", "South Lanarkshire", "Stirling", "West Dunbartonshire",
    "West Lothian",
))
# fmt: on
LEFT_OUT = (
    "Rows for Scotland's 32 council areas are not loaded: no geography source holds them. "
    "Nomis notes for 2021: an issue with the collection of occupational data affected the "
    "accuracy of some detailed occupation breakdowns; use them with caution."
)


Span = tuple[date | None, date | None]


@cache
def lifetimes(data_dir: Path) -> dict[NamedNode, Span]:
    """When each area began and ended, as the DfE geography lists state it (and its loader reads)."""
    folder = data_dir / geography.SOURCE.slug
    listings: dict[str, list[geography.Listing]] = defaultdict(list)
    for area_list in geography.LISTS:
        for listing in geography.read_list(folder / area_list.file, area_list)[0]:
            listings[listing.code].append(listing)
    return {
        iris.area_iri(code): span(geography.area_output(code, found))
        for code, found in listings.items()
    }


def span(triples: Iterable[Triple]) -> Span:
    """The sg:operationalFrom and sg:terminatedOn dates among an area's triples."""
    dates = {
        t.predicate: date.fromisoformat(str(getattr(t.object, "value", "")))
        for t in triples
        if t.predicate in (SG.operationalFrom, SG.terminatedOn)
    }
    return dates.get(SG.operationalFrom), dates.get(SG.terminatedOn)


class Places:
    """Nomis area names resolved to ONS areas, among the areas that existed on the right day."""

    def __init__(self, data_dir: Path) -> None:
        self.index = area_index(data_dir)
        self.data_dir = data_dir

    def resolve(self, row: Row) -> NamedNode | None:
        """The area a row is about; None for a Scottish council area (left out)."""
        prefix, _, name = row.require(AREA).partition(":")
        if prefix == "ladu" and name in SCOTTISH_COUNCIL_AREAS:
            return None
        if prefix == "User Defined Geography":
            name, kinds = user_defined(name)
            return self.existing(row, name, kinds, USER_DEFINED_ON)
        known = KINDS_BY_PREFIX.get(prefix)
        if known is None:
            expected = "country:, User Defined Geography:, lep: or ladu: and an area name"
            raise row.error(AREA, expected, row.get(AREA), "unknown kind of area")
        return self.existing(row, name, known, DISTRICTS_AND_LEPS_ON)

    def existing(self, row: Row, name: str, kinds: tuple[str, ...], on: date) -> NamedNode:
        """The one area of ``kinds`` named ``name`` that existed ``on`` that day."""
        name = SPELLINGS.get(name, name)
        named = self.index.candidates(name, kinds)
        spans = lifetimes(self.data_dir)
        found = {area for area in named if alive(spans.get(area, (None, None)), on)}
        if len(found) == 1:
            return next(iter(found))
        expected = f"the name of one {' or '.join(kinds)} area in existence on {on.isoformat()}"
        message = "ambiguous area name" if found else "unknown area name"
        if named and not found:
            message = f"no area of this name existed on {on.isoformat()}"
        raise row.error(AREA, expected, row.get(AREA), message)


def user_defined(label: str) -> tuple[str, tuple[str, ...]]:
    """A DfE user-defined geography's name and kinds, from its Nomis label."""
    label = USER_DEFINED_SUFFIX.sub("", label).strip()
    if label.endswith("-MCA"):
        return label[: -len("-MCA")], ("combined-authority",)
    if CUT_LSIP_SUFFIX.search(label):
        return CUT_LSIP_SUFFIX.sub("", label), ("lsip",)
    return label, ("lsip", "combined-authority")  # the whole suffix was cut off


def alive(lifetime: Span, on: date) -> bool:
    """Whether an area with this start and end existed on the day."""
    start, end = lifetime
    return (start is None or start <= on) and (end is None or on < end)


# --- The sheet's blocks ---


@dataclass(frozen=True)
class Group:
    """One SOC 2010 sub-major group's three columns, by their header names."""

    code: str
    number: str
    flags: str
    conf: str
    concept: NamedNode


@dataclass(frozen=True)
class Block:
    """One period's rows: its year, its header (as a Table) and its groups."""

    year: int
    table: Table
    groups: tuple[Group, ...]


def read(folder: Path) -> Iterator[Triple]:
    """The table's metadata, then one observation per area, year and group."""
    sheet = read_sheet(folder / WORKBOOK, SHEET, (AREA,))
    places = Places(folder.parent)
    blocks = list(read_blocks(sheet, sub_major_groups(folder.parent)))
    yield from metadata_triples()
    for block in blocks:
        seen: dict[NamedNode, int] = {}
        for row in data_rows(block.table):
            area = places.resolve(row)
            if area is None:  # left out, but its cells are still checked
                for group in block.groups:
                    read_cell(row, group)
                continue
            if area in seen:
                got = f"{row.get(AREA)} (the area of row {seen[area]} too)"
                raise row.error(AREA, "each area once per period", got, "duplicate area")
            seen[area] = row.number
            yield from row_triples(row, area, block)


@cache
def sub_major_groups(data_dir: Path) -> dict[str, str]:
    """SOC 2010 sub-major group codes by folded title, from the ons-soc2010 source beside this."""
    folder = data_dir / ons_soc2010.SOURCE.slug
    if not folder.is_dir():
        raise SourceError(
            "column titles name SOC 2010 groups, read from the ons-soc2010 source, which is missing",
            file=str(folder),
            expected="the ons-soc2010 folder beside this source's folder",
            got=Found("no such folder"),
        )
    groups = ons_soc2010.read_structure(folder / ons_soc2010.WORKBOOK)
    return {fold(group.title): code for code, group in groups.items() if len(code) == 2}


def read_blocks(sheet: Table, titles: dict[str, str]) -> Iterator[Block]:
    """Every period block, each checked: period, interval type, header and footnotes."""
    starts = [i for i, raw in enumerate(sheet.raw_rows) if first(raw) == "date"]
    if not starts:
        raise sheet.error("no period blocks", "a 'date' row heading each period", Found("none"))
    years: set[int] = set()
    for start, end in zip(starts, [*starts[1:], len(sheet.raw_rows)], strict=True):
        block = read_block(sheet, start, end, titles)
        if block.year in years:
            raise cell_error(sheet, start, 1, "each period once", block.year, "repeated period")
        years.add(block.year)
        yield block


def read_block(sheet: Table, start: int, end: int, titles: dict[str, str]) -> Block:
    """The block whose 'date' row has index ``start``; the next block starts at ``end``."""
    rows = sheet.raw_rows
    period = re.fullmatch(PERIOD, clean(rows[start][1]))
    if not period:
        raise cell_error(sheet, start, 1, "a period 'Jan YYYY-Dec YYYY'", clean(rows[start][1]))
    confidence = next_filled(rows, start + 1)
    if first(rows[confidence]) != "confidence" or clean(rows[confidence][1]) != CONFIDENCE:
        got = " ".join(clean(v) for v in rows[confidence][:2])
        raise cell_error(sheet, confidence, 0, f"'confidence' and {CONFIDENCE!r}", got)
    header = next_filled(rows, confidence + 1)
    if first(rows[header]) != AREA:
        raise cell_error(
            sheet, header, 0, f"the header row starting with {AREA!r}", first(rows[header])
        )
    names, groups = header_columns(sheet, header, titles)
    table = Table(sheet.file, sheet.sheet, names, header + 2, rows[:end])
    check_legend(sheet, table, end)
    return Block(int(period[1]), table, groups)


def header_columns(
    sheet: Table, header: int, titles: dict[str, str]
) -> tuple[list[str], tuple[Group, ...]]:
    """Column names from the title row and the number/Flags/conf row beneath it."""
    rows = sheet.raw_rows
    heads, subs = rows[header], rows[header + 1] if header + 1 < len(rows) else []
    names, groups, codes = [AREA], [], set()
    for column in range(1, len(heads), len(SUBHEADERS)):
        if not clean(heads[column]):
            break
        code, title = group_code(sheet, header, column, titles)
        if code in codes:
            raise cell_error(sheet, header, column, "each SOC 2010 group once", title, "repeated")
        codes.add(code)
        for offset, sub in enumerate(SUBHEADERS):
            found = clean(subs[column + offset]) if column + offset < len(subs) else ""
            if found != sub:
                raise cell_error(
                    sheet, header + 1, column + offset, repr(sub), found, "missing column"
                )
        names += [f"{title}: {sub}" for sub in SUBHEADERS]
        number, flags, conf = names[-3:]
        groups.append(Group(code, number, flags, conf, iris.soc_iri(SOC_VERSION, code)))
    missing = sorted(set(titles.values()) - codes)
    if missing:
        expected = "a column per SOC 2010 sub-major group"
        raise cell_error(
            sheet, header, None, expected, Found("no column for " + ", ".join(missing))
        )
    return names, tuple(groups)


def group_code(sheet: Table, header: int, column: int, titles: dict[str, str]) -> tuple[str, str]:
    """The SOC 2010 sub-major group a T09a column title names, and the group's title."""
    text = clean(sheet.raw_rows[header][column])
    title = TITLE.fullmatch(text)
    code = titles.get(fold(title[1])) if title else None
    if not title or code is None:
        expected = "a T09a title naming a SOC 2010 sub-major group"
        raise cell_error(sheet, header, column, expected, text, "unknown occupation")
    return code, title[1]


def data_rows(table: Table) -> Iterator[Row]:
    """The block's area rows: from below the header to the first blank row."""
    for row in table.rows(skip_empty=False):
        if not row.get(AREA):
            return
        yield row


def check_legend(sheet: Table, table: Table, end: int) -> None:
    """Below the data, notes only; they define every marker as this loader reads it."""
    rows = sheet.raw_rows
    after = next((i for i in range(table.header_row, end) if not first(rows[i])), end)
    for index in range(after, end):
        filled = [c for c, v in enumerate(rows[index]) if c and clean(v)]
        if filled:
            got = clean(rows[index][filled[0]])
            raise cell_error(sheet, index, filled[0], "notes in column A only, below the data", got)
    notes = {first(raw)[:1]: (i, first(raw)) for i, raw in enumerate(rows[after:end], after)}
    for marker, wording in LEGEND.items():
        index, text = notes.get(marker, (after, ""))
        if not text.startswith(wording):
            raise cell_error(sheet, index, 0, f"the footnote {wording!r}...", text, "marker legend")


def first(raw: Sequence[Any]) -> str:
    """A row's first cell, cleaned."""
    return clean(raw[0]) if raw else ""


def next_filled(rows: Sequence[Sequence[Any]], index: int) -> int:
    """The index of the first row from ``index`` with any content."""
    while index < len(rows) and not any(clean(v) for v in rows[index]):
        index += 1
    return min(index, len(rows) - 1)


def cell_error(
    sheet: Table, index: int, column: int | None, expected: str, got: Any, message: str = ""
) -> SourceError:
    """A SourceError for a cell given by 0-based row index and column position."""
    name = None if column is None else f"column {letter(column)}"
    return SourceError(
        message, file=sheet.file, sheet=sheet.sheet, row=index + 1, column=name,
        expected=expected, got=got,
    )  # fmt: skip


def letter(column: int) -> str:
    """A 0-based column position as the spreadsheet letters it (0 -> A, 27 -> AB)."""
    name = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


# --- Cells ---


@dataclass(frozen=True)
class Cell:
    """One group's three cells read together."""

    value: Decimal | None
    interval: Decimal | None
    markers: tuple[str, ...]

    @property
    def status(self) -> NamedNode:
        if "-" in self.markers:
            return _cube.NOT_AVAILABLE
        withheld = any(m in WITHHELD for m in self.markers)
        return _cube.SUPPRESSED if withheld else _cube.AVAILABLE

    @property
    def flags(self) -> list[NamedNode]:
        return [FLAG_OF[m] for m in self.markers if m in FLAG_OF]


def read_cell(row: Row, group: Group) -> Cell:
    """The estimate, its interval and its markers; a SourceError for anything else."""
    value, number_marker = amount(row, group.number, ("!", "~", "-"))
    flag = row.get(group.flags)
    if flag and flag not in MARKERS:
        raise row.error(group.flags, "empty or a Nomis marker (! * ~ -)", flag, "unknown flag")
    interval, conf_marker = amount(row, group.conf, ("!", "*", "-"))
    for marker in WHOLE_CELL:
        if (number_marker == marker) != (conf_marker == marker):
            column = group.conf if number_marker == marker else group.number
            raise row.error(column, f"{marker!r} in both number and conf", row.get(column))
    markers = tuple(dict.fromkeys(m for m in (number_marker, flag, conf_marker) if m))
    cell = Cell(value, interval, markers)
    if value is not None and cell.status != _cube.AVAILABLE:
        raise row.error(group.flags, "no flag withholding a cell that has a number", flag)
    return cell


def amount(row: Row, column: str, markers: tuple[str, ...]) -> tuple[Decimal | None, str]:
    """A cell's non-negative number, or the marker in its place."""
    text = row.get(column)
    if text in markers:
        return None, text
    expected = f"a number of at least 0 or one of {' '.join(markers)}"
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise row.error(column, expected, text) from None
    if not value.is_finite() or value < 0:
        raise row.error(column, expected, text)
    return value, ""


# --- Triples ---


def row_triples(row: Row, area: NamedNode, block: Block) -> Iterator[Triple]:
    """A row's observations, one per SOC 2010 group, each with its status, flags and markers."""
    key = (area.value.rsplit("/", 1)[-1], str(block.year))
    base = {REF_AREA: area, REF_PERIOD: iris.year_iri(block.year), STATISTIC_DIMENSION: STATISTIC}
    for group in block.groups:
        cell = read_cell(row, group)
        node = iris.observation_iri(SLUG, TABLE, *key, group.code)
        attributes = {}
        if cell.interval is not None:
            attributes[INTERVAL] = _cube.decimal(cell.interval)
        yield Triple(node, RDF.type, OBSERVATION)
        yield from _cube.observation(
            node, SLUG, TABLE, {**base, OCCUPATION: group.concept}, cell.value, UNIT,
            cell.status, cell.flags, attributes=attributes,
        )  # fmt: skip
        yield from (Triple(node, MARKER, Literal(marker)) for marker in cell.markers)


def metadata_triples() -> Iterator[Triple]:
    """The structure, the dataset, its unit and its statistic."""
    occupation = _cube.Component(SG.occupation, "dimension")
    interval = _cube.Component(SG.confidenceInterval95, "attribute", required=False)
    yield from _cube.structure(
        STRUCTURE,
        "APS employment by SOC 2010 sub-major group, area and year",
        (occupation, interval),
    )
    about = _cube.source_metadata("https://www.ons.gov.uk/", WORKBOOK, _cube.OGL)
    about[RDFS.comment] = Literal(LEFT_OUT, language="en")
    label = "Annual Population Survey T09a: employment by occupation (SOC 2010), 2017 to 2021"
    yield from _cube.dataset(SLUG, TABLE, STRUCTURE, label, about)
    yield from UNIT_TRIPLES
    yield from _cube.statistic(
        STATISTIC_NAME,
        "Employment (Annual Population Survey)",
        "People aged 16 and over in employment, estimated by the ONS Annual Population Survey "
        "for January to December of a year, by the occupation of their main job.",
    )


SOURCE = Source(
    slug=SLUG,
    title="Annual Population Survey: employment by occupation (SOC 2010 sub-major group), Nomis",
    holds="Employment by SOC 2010 sub-major group for England, LSIP areas, combined authorities, "
    "LEPs and local authority districts, 2017 to 2021, with confidence intervals and Nomis flags",
    files=(WORKBOOK,),
    read=read,
    depends_on=("dfe-geography-lookups", "dfe-lsip-lookups", "ons-soc2010"),
)
