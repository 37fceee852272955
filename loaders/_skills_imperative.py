"""Reading the Skills Imperative 2035 workbooks: print-layout sheets as positioned cells and figures.

The workbooks lay their tables out for print: blocks side by side (all persons, males, females) or
one under another (one per qualification level), with header text spread over the rows above. This
module finds each block by its header cells, checks the layout it relies on, and returns plain
``Figure``s. A cell it cannot read is a SourceError naming file, sheet, row and column (A1 style).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from skillsgap.errors import Found, SourceError
from skillsgap.loaders._tables import Row, Table, clean, read_sheet

EMPLOYMENT = "employment"
NET_CHANGE = "net-employment-change"
REPLACEMENT_DEMAND = "replacement-demand"
TOTAL_REQUIREMENT = "total-requirement"
REPLACEMENT_RATE = "replacement-demand-rate"
ALL = "all"  # the code of a table's total row ("All occupations", "All qualifications"...)

TOTAL_OCCUPATIONS = "All occupations"
TOTAL_QUALIFICATIONS = "All qualifications"
LEVEL_LABELS = frozenset({"levels", "levels (000s)"})
# The three side-by-side blocks of the occupation tables, by the label two rows above the header.
SEXES = {"": "T", "males": "M", "females": "F"}
# The header of a net change / replacement demand / total requirement triple of columns, two rows.
CHANGE_HEADER = (
    ("net", "change", NET_CHANGE),
    ("replacement", "demand", REPLACEMENT_DEMAND),
    ("total", "requirement", TOTAL_REQUIREMENT),
)
RD_HEADER = (
    "net change",
    "replacement demand level",
    "total requirement",
    "replacement demand rate",
)

# SOC 2020 major groups as the workbooks title them (they print no codes for major groups);
# tests check every title against SOC 2020 Volume 1.
MAJOR_GROUPS = {
    "managers, directors and senior officials": "1",
    "professional occupations": "2",
    "associate professional occupations": "3",
    "administrative and secretarial occupations": "4",
    "skilled trades occupations": "5",
    "caring, leisure and other service occupations": "6",
    "sales and customer service occupations": "7",
    "process, plant and machine operatives": "8",
    "elementary occupations": "9",
}
SUB_MAJOR_GROUP = re.compile(r"([1-9][0-9]) \S.*")

# The qualification groups as published (label -> code); RQF levels 1-8, grouped as the source does.
QUALIFICATIONS = {
    "All qualifications": ALL,
    "RQF8 Doctorate": "rqf8",
    "RQF7 Other higher degree": "rqf7",
    "RQF6 First degree": "rqf6",
    "RQF5 Foundation degree;Nursing;Teaching": "rqf5",
    "RQF4 HE below degree level": "rqf4",
    "RQF3 A level & equivalent": "rqf3",
    "RQF2 GCSE(A-C) & equivalent": "rqf2",
    "RQF1 GCSE(below grade C) & equivalent": "rqf1",
    "No Qualification": "none",
}
DECIMAL_STEP = Decimal(1).scaleb(-18)
CONSTRAINED = re.compile(r"(.+) \(Constrained\)")
PERIOD = re.compile(r"((?:19|20)\d\d)-((?:19|20)\d\d)")
THRESHOLD = re.compile(r"(UN)?PUBLISHED DATA:.* minimum of (\d[\d,]*) individuals", re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    """One published cell: what it measures, for which breakdown, its value and its base."""

    table: str
    statistic: str
    period: tuple[int, int]  # first and last year; equal for a single year
    value: Decimal
    # The employment (thousands) the figure rests on, which the publication thresholds apply
    # to: a level's own value; for a change over a period, the smaller of its row's levels at
    # the start and at the end of the period.
    base: Decimal
    occupation: str | None = None  # a SOC 2020 code, or ALL
    sex: str | None = None  # T, M or F
    qualification: str | None = None
    industry: str | None = None  # a key of the industry code list (Industries), or ALL
    status: str | None = None  # an employment status (STATUSES), or ALL


def column_letter(index: int) -> str:
    """A 0-based column index as a spreadsheet shows it: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def exact(number: Decimal) -> Decimal:
    """The number as an xsd:decimal Oxigraph holds: at most 18 digits after the point."""
    # A double's shortest repr can have more (7.5e-06 is 0.0000075...); rounding there changes
    # a figure in thousands of people by under 1e-15 of a person.
    exponent = number.as_tuple().exponent
    return number.quantize(DECIMAL_STEP) if isinstance(exponent, int) and exponent < -18 else number


@dataclass(frozen=True)
class Sheet:
    """A sheet's cells by 0-based position, with errors that name the cell as Excel does."""

    table: Table = field(repr=False)

    @classmethod
    def read(cls, path: Path, name: str) -> Sheet:
        """The named sheet of a workbook (cached formula values)."""
        return cls(read_sheet(path, name, ()))

    @property
    def height(self) -> int:
        return len(self.table.raw_rows)

    def raw(self, row: int, column: int) -> Any:
        cells = self.table.raw_rows[row] if row < self.height else ()
        return cells[column] if column < len(cells) else ""

    def text(self, row: int, column: int) -> str:
        """The cell as text, spaces collapsed."""
        return " ".join(clean(self.raw(row, column)).split())

    def key(self, row: int, column: int) -> str:
        """The cell as folded text for matching header words."""
        return self.text(row, column).casefold()

    def number(self, row: int, column: int, what: str) -> Decimal:
        """A numeric cell as a Decimal (exactly as stored); a SourceError for anything else."""
        value = self.raw(row, column)
        if isinstance(value, bool) or not isinstance(value, int | float):
            empty = clean(value) == ""
            got = Found("an empty cell") if empty else value
            why = "no value (a formula cell without a cached value?)" if empty else "not a number"
            raise self.error(row, column, "a number", got, f"{what}: {why}")
        if not math.isfinite(value):
            raise self.error(row, column, "a finite number", value, what)
        return exact(Decimal(repr(value)) if isinstance(value, float) else Decimal(value))

    def year(self, row: int, column: int) -> int | None:
        """The cell as a year (a whole number 1990-2100), or None."""
        value = self.raw(row, column)
        if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value):
            return int(value) if 1990 <= value <= 2100 else None
        return None

    def row(self, row: int) -> Row:
        """A _tables Row for this 0-based row, for helpers that report errors through one."""
        return Row(self.table, row + 1, {})

    def error(
        self, row: int, column: int, expected: str, got: Any, message: str = ""
    ) -> SourceError:
        """A SourceError for one cell."""
        return SourceError(
            message,
            file=self.table.file,
            sheet=self.table.sheet,
            row=row + 1,
            column=column_letter(column),
            expected=expected,
            got=got,
        )

    def expect(self, row: int, column: int, wanted: str, what: str) -> None:
        """A SourceError unless the cell reads ``wanted`` (case and spacing ignored)."""
        if self.key(row, column) != wanted.casefold():
            raise self.error(row, column, repr(wanted), self.text(row, column), f"layout: {what}")


# --- Info and Warning ----------------------------------------------------------------------


@dataclass(frozen=True)
class About:
    """What a workbook's Info and Warning sheets say: its area, model and thresholds."""

    area_name: str
    area_kind: str  # "lsip" or "country"
    area_row: Row = field(repr=False)
    model_version: str
    published_minimum: Decimal  # thousands of people
    usable_minimum: Decimal


AREA_KEYS = {"lsip name": "lsip", "country name": "country"}


def read_about(path: Path) -> About:
    """The area (from ``LSIP name`` or ``Country name``), MDM version and thresholds."""
    info = Sheet.read(path, "Info")
    values = {info.key(r, 0): r for r in range(info.height) if info.text(r, 0)}
    area_key = next((key for key in AREA_KEYS if key in values), None)
    if area_key is None:
        raise info.table.error(
            "the workbook does not say which area it covers",
            "a row 'LSIP name' or 'Country name'",
            Found("rows " + ", ".join(repr(info.text(r, 0)) for r in values.values())),
        )
    published, usable = read_thresholds(Sheet.read(path, "Warning"))
    row = values[area_key]
    return About(
        area_name=_required(info, row, 1, "an area name"),
        area_kind=AREA_KEYS[area_key],
        area_row=info.row(row),
        model_version=_required(info, values.get("mdm version"), 1, "the MDM version"),
        published_minimum=published,
        usable_minimum=usable,
    )


def _required(sheet: Sheet, row: int | None, column: int, expected: str) -> str:
    """The text of a cell that must not be empty, in a row that must exist."""
    if row is None:
        raise sheet.table.error("missing row", expected, Found("no such row"))
    text = sheet.text(row, column)
    if not text:
        raise sheet.error(row, column, expected, Found("an empty cell"))
    return text


def read_thresholds(sheet: Sheet) -> tuple[Decimal, Decimal]:
    """The Warning sheet's minimum cell sizes, published and unpublished, in thousands."""
    found: dict[bool, Decimal] = {}
    for cells in sheet.table.raw_rows:
        for cell in cells:
            match = THRESHOLD.match(" ".join(clean(cell).split()))
            if match:  # "10,000" people is 10 thousand
                people = Decimal(match.group(2).replace(",", ""))
                found.setdefault(match.group(1) is None, people / 1000)
    if len(found) < 2:
        raise sheet.table.error(
            "publication thresholds not found",
            "the lines 'PUBLISHED DATA: ... minimum of N individuals per cell' and "
            "'UNPUBLISHED DATA: A minimum of N individuals per cell'",
            Found("not both"),
        )
    return found[True], found[False]


# --- Blocks of levels by year, with or without 2020-2035 change columns ----------------------


@dataclass(frozen=True)
class Block:
    """One table block: its label column, header row, year columns and change columns."""

    sheet: Sheet
    column: int
    header: int
    years: dict[int, int]  # year -> column
    changes: dict[str, int]  # statistic -> column
    period: tuple[int, int] | None


def find_header(sheet: Sheet, column: int = 0, search: int = 12) -> int:
    """The first row whose five cells right of ``column`` are years; a SourceError if none."""
    for row in range(min(search, sheet.height)):
        if all(sheet.year(row, column + offset) for offset in range(1, 6)):
            return row
    raise sheet.table.error(
        "no header row of years",
        f"a row in the first {search} with years in columns "
        f"{column_letter(column + 1)}-{column_letter(column + 5)}",
        Found("none"),
    )


def read_block(sheet: Sheet, column: int, header: int) -> Block:
    """The block whose labels are in ``column`` and whose years are in row ``header``."""
    years: dict[int, int] = {}
    offset = 1
    while (year := sheet.year(header, column + offset)) is not None:
        if year in years:
            raise sheet.error(header, column + offset, "each year once", year, "layout: year twice")
        years[year] = column + offset
        offset += 1
    check_thousands(sheet, column, header)
    changes, period = read_changes(sheet, column + offset + 1, header, years)
    return Block(sheet, column, header, years, changes, period)


def read_changes(
    sheet: Sheet, first: int, header: int, years: dict[int, int]
) -> tuple[dict[str, int], tuple[int, int] | None]:
    """The net change / replacement demand / total requirement columns, if the block has them."""
    if not sheet.text(header, first):
        return {}, None
    changes = {}
    for offset, (upper, lower, statistic) in enumerate(CHANGE_HEADER):
        sheet.expect(header - 1, first + offset, upper, "the change columns' upper header")
        sheet.expect(header, first + offset, lower, "the change columns' header")
        changes[statistic] = first + offset
    period_text = sheet.text(header - 2, first)
    match = PERIOD.fullmatch(period_text)
    if not match or not {int(match[1]), int(match[2])} <= set(years):
        expected = "a period such as '2020-2035' between two of the block's years"
        raise sheet.error(header - 2, first, expected, period_text, "layout: the change period")
    return changes, (int(match[1]), int(match[2]))


def check_thousands(sheet: Sheet, column: int, header: int, width: int = 10) -> None:
    """A SourceError unless 'thousands' or '(000s)' appears in or above the block's header."""
    for row in range(max(0, header - 4), min(header + 2, sheet.height)):
        for offset in range(width):
            text = sheet.key(row, column + offset)
            if text == "thousands" or "(000s)" in text:
                return
    raise sheet.error(
        header, column, "'thousands' or '(000s)' in or above the header", Found("neither"),
        "layout: the unit of the levels",
    )  # fmt: skip


def data_rows(sheet: Sheet, column: int, first: int, total: str) -> Iterator[int]:
    """Rows with a label in ``column`` from ``first`` down to the row labelled ``total``."""
    for row in range(first, sheet.height):
        label = sheet.key(row, column)
        if not label or (label in LEVEL_LABELS and not sheet.text(row, column + 1)):
            continue
        yield row
        if label == total.casefold():
            return
    raise sheet.error(
        sheet.height - 1, column, f"a row {total!r} closing the table", Found("the end of the sheet"),
        "table not closed",
    )  # fmt: skip


def level_figures(block: Block, row: int, table: str, **keys: str) -> Iterator[Figure]:
    """A row's levels by year and, where the block has them, its changes over the period."""
    sheet = block.sheet
    levels = {}
    for year, column in block.years.items():
        value = sheet.number(row, column, f"employment in {year}")
        levels[year] = value
        yield Figure(table, EMPLOYMENT, (year, year), value, value, **keys)
    if block.period:
        base = min(levels[block.period[0]], levels[block.period[1]])
        for statistic, column in block.changes.items():
            value = sheet.number(row, column, f"{statistic} {block.period[0]}-{block.period[1]}")
            yield Figure(table, statistic, block.period, value, base, **keys)


# --- Labels --------------------------------------------------------------------------------


def occupation_code(sheet: Sheet, row: int, column: int, depth: int) -> str:
    """The SOC 2020 code of a row label (major groups by title), or ALL for the total row."""
    label = sheet.text(row, column)
    folded = label.casefold()
    if folded == TOTAL_OCCUPATIONS.casefold():
        return ALL
    if depth == 1 and folded in MAJOR_GROUPS:
        return MAJOR_GROUPS[folded]
    match = SUB_MAJOR_GROUP.fullmatch(label)
    if depth == 2 and match:
        return match.group(1)
    expected = (
        "a SOC 2020 major group title such as 'Professional occupations'"
        if depth == 1
        else "a SOC 2020 sub-major group such as '21 Science, research, engineering and ...'"
    )
    raise sheet.error(
        row, column, f"{expected} or {TOTAL_OCCUPATIONS!r}", label, "unknown occupation"
    )


def qualification_code(sheet: Sheet, row: int, column: int, label: str) -> str:
    """The code of a qualification group as published; a SourceError for an unknown one."""
    for published, code in QUALIFICATIONS.items():
        if published.casefold() == label.casefold():
            return code
    expected = "one of " + ", ".join(repr(q) for q in QUALIFICATIONS)
    raise sheet.error(row, column, expected, label, "unknown qualification level")


def unique_rows(sheet: Sheet, column: int, codes: Sequence[tuple[int, str]]) -> None:
    """A SourceError naming the second row of a code that appears twice in one block."""
    first: dict[str, int] = {}
    for row, code in codes:
        if code in first:
            message = f"the same row label twice (first at row {first[code] + 1})"
            raise sheet.error(row, column, "each row once", sheet.text(row, column), message)
        first[code] = row


# --- The tables ----------------------------------------------------------------------------


def occupation_figures(sheet: Sheet, table: str, depth: int) -> Iterator[Figure]:
    """Occ T1 / Occ T2: employment by year and 2020-2035 changes, by occupation and sex."""
    header = find_header(sheet)
    columns = [c for c, cell in enumerate(sheet.table.raw_rows[header]) if _is_level(cell)]
    for column in columns or [0]:
        sex_label = sheet.key(header - 2, column)
        if sex_label not in SEXES:
            raise sheet.error(header - 2, column, "'Males', 'Females' or nothing", sex_label)
        block = read_block(sheet, column, header)
        codes = [(r, occupation_code(sheet, r, column, depth)) for r in data_rows(
            sheet, column, header + 1, TOTAL_OCCUPATIONS)]  # fmt: skip
        unique_rows(sheet, column, codes)
        for row, code in codes:
            yield from level_figures(block, row, table, occupation=code, sex=SEXES[sex_label])


def _is_level(cell: Any) -> bool:
    return " ".join(clean(cell).split()).casefold() in LEVEL_LABELS


def qualification_figures(sheet: Sheet, table: str) -> Iterator[Figure]:
    """Qual T1: employment by qualification level and year."""
    header = find_header(sheet)
    block = read_block(sheet, 0, header)
    rows = data_rows(sheet, 0, header + 1, TOTAL_QUALIFICATIONS)
    codes = [(row, qualification_code(sheet, row, 0, sheet.text(row, 0))) for row in rows]
    unique_rows(sheet, 0, codes)
    for row, code in codes:
        yield from level_figures(block, row, table, qualification=code)


def replacement_figures(sheet: Sheet, table: str) -> Iterator[Figure]:
    """RD T1: per qualification level, 2020, 2035 and 2020-2035 figures by sub-major group."""
    headers = [r for r in range(sheet.height) if CONSTRAINED.fullmatch(sheet.text(r, 0))]
    if not headers:
        expected = "a row such as 'All qualifications (Constrained)' heading each block"
        raise sheet.table.error("no replacement demand blocks", expected, Found("none"))
    check_thousands(sheet, 0, headers[0])
    seen: list[tuple[int, str]] = []
    for header in headers:
        label = CONSTRAINED.fullmatch(sheet.text(header, 0))[1]  # type: ignore[index]
        qualification = qualification_code(sheet, header, 0, label)
        seen.append((header, qualification))
        yield from replacement_block(sheet, table, header, qualification)
    unique_rows(sheet, 0, seen)


def replacement_block(
    sheet: Sheet, table: str, header: int, qualification: str
) -> Iterator[Figure]:
    """One qualification level's block of RD T1."""
    start, end = sheet.year(header, 1), sheet.year(header, 2)
    if start is None or end is None or start >= end:
        raise sheet.error(header, 1, "two years, e.g. 2020 and 2035", sheet.text(header, 1))
    for offset, wanted in enumerate(RD_HEADER, start=3):
        sheet.expect(header, offset, wanted, "the replacement demand columns")
    rows = data_rows(sheet, 0, header + 1, TOTAL_OCCUPATIONS)
    codes = [(row, occupation_code(sheet, row, 0, 2)) for row in rows]
    unique_rows(sheet, 0, codes)
    statistics = (NET_CHANGE, REPLACEMENT_DEMAND, TOTAL_REQUIREMENT, REPLACEMENT_RATE)
    for row, code in codes:
        keys = {"occupation": code, "qualification": qualification}
        first = sheet.number(row, 1, f"employment in {start}")
        last = sheet.number(row, 2, f"employment in {end}")
        yield Figure(table, EMPLOYMENT, (start, start), first, first, **keys)
        yield Figure(table, EMPLOYMENT, (end, end), last, last, **keys)
        for column, statistic in enumerate(statistics, start=3):
            value = sheet.number(row, column, f"{statistic} {start}-{end}")
            yield Figure(table, statistic, (start, end), value, min(first, last), **keys)


# --- Industries ----------------------------------------------------------------------------

TOTAL_INDUSTRIES = "All industries"
# The projections' own industry groupings (not SIC 2007 codes: the workbooks print none): the 6
# sectors and the 22 groups each holds, as every workbook's 'aggregation' sheet states them (a
# test checks that). The 75 industries of the England workbook are read from its own
# 'aggregation' sheet, which is the only place that names them.
SECTORS = {
    "Primary sector and utilities": (
        "Agriculture", "Mining and quarrying", "Electricity and gas", "Water and sewerage",
    ),
    "Manufacturing": ("Food drink and tobacco", "Engineering", "Rest of manufacturing"),
    "Construction": ("Construction",),
    "Trade, accomod. and transport": (
        "Wholesale and retail trade", "Transport and storage", "Accommodation and food",
    ),
    "Business and other services": (
        "Media", "Information technology", "Finance and insurance", "Real estate",
        "Professional services", "Support services", "Arts and entertainment", "Other services",
    ),
    "Non-marketed services": (
        "Public admin. and defence", "Education", "Health and social work",
    ),
}  # fmt: skip
# A sheet's second row says how many industries it is by; the count names the level.
LEVELS = {6: "sector", 22: "group", 75: "industry"}
INDUSTRY_COUNT = re.compile(r"(?:.* by )?(\d+) Industries", re.IGNORECASE)
INDUSTRY_HEADING = re.compile(r"Industry \d+ ?: ?(.+)")
GROUP_TOTAL = re.compile(r"industry \d+ total")
DETAIL_AGGREGATION = "aggregation 75 industries to 22 industry groups"


def industry_key(level: str, label: str) -> str:
    """The IRI key of an industry: its level and its label as a slug ('sector-construction')."""
    return f"{level}-" + "-".join(re.findall(r"[a-z0-9]+", label.casefold()))


@dataclass(frozen=True)
class Industries:
    """A workbook's industry code list: key -> (label, level, broader key or ALL)."""

    codes: dict[str, tuple[str, str, str]]

    def code(self, sheet: Sheet, row: int, column: int, level: str, label: str) -> str:
        """The key of a published label at a level, or ALL; a SourceError for an unknown one."""
        if label.casefold() == TOTAL_INDUSTRIES.casefold():
            return ALL
        key = industry_key(level, label)
        if key not in self.codes:
            expected = f"an industry {level} the workbook's 'aggregation' sheet names, or "
            raise sheet.error(row, column, expected + repr(TOTAL_INDUSTRIES), label,
                              "unknown industry")  # fmt: skip
        return key


def read_industries(path: Path) -> Industries:
    """The 6 sectors and 22 groups, and the 75 industries where the workbook details them."""
    codes = {industry_key("sector", sector): (sector, "sector", ALL) for sector in SECTORS}
    for sector, groups in SECTORS.items():
        for group in groups:
            codes[industry_key("group", group)] = (group, "group", industry_key("sector", sector))
    sheet = Sheet.read(path, "aggregation")
    title = next((r for r in range(sheet.height) if sheet.key(r, 0) == DETAIL_AGGREGATION), None)
    if title is not None:
        codes.update(detailed_industries(sheet, title, codes))
    return Industries(codes)


def detailed_industries(
    sheet: Sheet, title: int, codes: dict[str, tuple[str, str, str]]
) -> dict[str, tuple[str, str, str]]:
    """The matrix under the 75-to-22 title: a 1 where an industry (column) is in a group (row)."""
    header = title + 1
    found: dict[str, tuple[str, str, str]] = {}
    for row in range(header + 1, sheet.height):
        label = sheet.text(row, 0)
        if not label:
            break
        group = industry_key("group", label)
        if group not in codes:
            raise sheet.error(row, 0, "one of the 22 industry groups", label, "unknown industry")
        for column in range(1, len(sheet.table.raw_rows[row])):
            if sheet.raw(row, column) == 1 and sheet.text(header, column):
                detail = sheet.text(header, column)
                found[industry_key("industry", detail)] = (detail, "industry", group)
    if not found:
        raise sheet.error(header, 1, "industry names over a matrix of 0 and 1", Found("none"))
    return found


def industry_level(sheet: Sheet) -> str:
    """The level a sheet is by, from its second row ('22 Industries', '9 Occupations by 75 ...')."""
    match = INDUSTRY_COUNT.fullmatch(sheet.text(1, 0))
    if not match or int(match[1]) not in LEVELS:
        expected = "'6 Industries', '22 Industries' or '... by 75 Industries'"
        raise sheet.error(1, 0, expected, sheet.text(1, 0), "layout: the industries' level")
    return LEVELS[int(match[1])]


def industry_figures(sheet: Sheet, table: str, industries: Industries) -> Iterator[Figure]:
    """Ind T1 / Ind T2: employment by year (and 2020-2035 changes) by industry sector or group."""
    level = industry_level(sheet)
    header = find_header(sheet)
    block = read_block(sheet, 0, header)
    rows = data_rows(sheet, 0, header + 1, TOTAL_INDUSTRIES)
    codes = [(r, industries.code(sheet, r, 0, level, sheet.text(r, 0))) for r in rows]
    unique_rows(sheet, 0, codes)
    for row, code in codes:
        yield from level_figures(block, row, table, industry=code)


# --- Grids: blocks of years x (sex or status) columns, one block per industry ---------------

STATUSES = {"ft": "full-time", "pt": "part-time", "se": "self-employed", "total": ALL}
SEX_COLUMNS = {"female": "F", "male": "M", "total": "T"}
SEX_ROWS = {"female employment": "F", "male employment": "M", "total employment": "T"}


@dataclass(frozen=True)
class Grid:
    """A grid table's layout: the codes of its sub-columns and of its rows, and their keys."""

    columns: dict[str, str]  # sub-header text (folded) -> code
    column_key: str  # the Figure field the column codes fill
    row_key: str
    row_total: str  # the code of the row that closes each industry's rows


def grid_figures(sheet: Sheet, table: str, industries: Industries, grid: Grid) -> Iterator[Figure]:
    """Ind T6 / Ind Occ T1 / Ind Occ T2: one block per industry, rows by sex or occupation."""
    level = industry_level(sheet)
    headers = [r for r in range(sheet.height) if sheet.text(r, 0) and sheet.year(r, 1)
               and sheet.key(r + 1, 1) in grid.columns]  # fmt: skip
    if not headers:
        raise sheet.table.error("no industry blocks", "a row with a label and years", Found("none"))
    check_thousands(sheet, 0, headers[0], width=len(sheet.table.raw_rows[headers[0]]))
    blocks = [(h, block_industry(sheet, h, level, industries)) for h in headers]
    unique_rows(sheet, 0, blocks)
    for (header, industry), end in zip(blocks, [*headers[1:], sheet.height], strict=True):
        yield from grid_block(sheet, table, industries, grid, (header, end), industry)


def block_industry(sheet: Sheet, header: int, level: str, industries: Industries) -> str:
    """A block's industry: 'Industry 3 : Food drink and tobacco' is a group, else the level's."""
    text = sheet.text(header, 0)
    heading = INDUSTRY_HEADING.fullmatch(text)
    if heading:
        return industries.code(sheet, header, 0, "group", heading[1])
    return industries.code(sheet, header, 0, level, text)


def grid_columns(sheet: Sheet, header: int, names: dict[str, str]) -> list[tuple[int, int, str]]:
    """(column, year, code) of each figure column: years on the header, codes under them."""
    cells: list[tuple[int, int, str]] = []
    year = None
    for column in range(1, len(sheet.table.raw_rows[header + 1])):
        year = sheet.year(header, column) or year
        name = sheet.key(header + 1, column)
        if not name:
            continue
        if name not in names or year is None:
            expected = "a year above sub-headers " + ", ".join(repr(n) for n in names)
            raise sheet.error(header + 1, column, expected, sheet.text(header + 1, column),
                              "layout: unknown column header")  # fmt: skip
        cells.append((column, year, names[name]))
    for each in {y for _, y, _ in cells}:
        if sorted(c for _, y, c in cells if y == each) != sorted(names.values()):
            raise sheet.error(header + 1, 1, f"each of {sorted(names)} once under each year",
                              Found(f"a different set under {each}"), "layout")  # fmt: skip
    return cells


def grid_block(
    sheet: Sheet,
    table: str,
    industries: Industries,
    grid: Grid,
    rows: tuple[int, int],
    industry: str,
) -> Iterator[Figure]:
    """One block's figures; a sub-heading row (England's 75 industries) switches the industry."""
    columns = grid_columns(sheet, rows[0], grid.columns)
    seen: dict[tuple[str, str], int] = {}
    for row in range(rows[0] + 2, rows[1]):
        label = sheet.key(row, 0)
        if not label:
            continue
        code = grid_row_code(sheet, row, grid)
        if code is None:  # a sub-heading: 'Agriculture, etc' or 'Industry 3 Total'
            industry = industry_subheading(sheet, row, rows[0], industries)
            continue
        if (industry, code) in seen:
            raise sheet.error(
                row,
                0,
                "each row once",
                sheet.text(row, 0),
                f"the same row twice (first at row {seen[industry, code] + 1})",
            )
        seen[industry, code] = row
        for column, year, column_code in columns:
            value = sheet.number(row, column, f"employment in {year}")
            keys = {"industry": industry, grid.row_key: code, grid.column_key: column_code}
            yield Figure(table, EMPLOYMENT, (year, year), value, value, **keys)  # type: ignore[arg-type]
    unclosed = {i for i, _ in seen} - {i for i, c in seen if c == grid.row_total}
    if unclosed:
        raise sheet.error(rows[1] - 1, 0, "a total row closing each industry's rows",
                          Found(f"none for {sorted(unclosed)}"), "table not closed")  # fmt: skip


def grid_row_code(sheet: Sheet, row: int, grid: Grid) -> str | None:
    """The row's code (sex or occupation), None for an Ind T6 sub-heading without figures."""
    label = sheet.key(row, 0)
    if grid.row_key == "sex":
        return SEX_ROWS.get(label)
    return ALL if label == "total" else occupation_code(sheet, row, 0, 1)


def industry_subheading(sheet: Sheet, row: int, header: int, industries: Industries) -> str:
    """England's Ind T6: 'Industry 3 Total' is the block's group, any other label an industry."""
    label = sheet.text(row, 0)
    if GROUP_TOTAL.fullmatch(label.casefold()):
        return block_industry(sheet, header, "group", industries)
    if sheet.text(row, 1):
        raise sheet.error(row, 0, "'Female employment', 'Male employment' or 'Total employment'",
                          label, "unknown row")  # fmt: skip
    return industries.code(sheet, row, 0, "industry", label)
