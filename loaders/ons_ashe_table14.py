"""ONS ASHE Table 14: pay by occupation (SOC 2020, all four levels), UK, as RDF Data Cube.

Two editions, 2023 provisional (``2023p.xlsx``) and 2021 revised (``2021r.xlsx``), each one
``qb:DataSet``; each has four sheets (hourly or annual pay, full-time or all jobs). Every cell of
every row becomes one observation: the number of jobs, the median and mean with their annual
% change, and ten percentiles. ONS's markers are kept: ``x`` (unreliable, suppressed) and ``..``
(disclosive) are ``sg:Suppressed``, ``:`` (not applicable: ASHE does not cover the armed forces)
is ``sg:NotAvailable``; a row marked ``..`` or ``:`` in No_jobs and empty elsewhere passes its
marker to its empty cells; an empty change cell is ``sg:NotAvailable`` with an empty marker.
Every observation carries its edition's flag, ``sg:Provisional`` or ``sg:Revised``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import iris
from skillsgap.loaders import Source
from skillsgap.loaders import _cube as cube
from skillsgap.loaders._tables import Row, Table, read_sheet
from skillsgap.loaders.ons_online_job_adverts import nation_triples
from skillsgap.namespaces import RDF, SG

SLUG = "ons-ashe-table14"
STRUCTURE = "ashe-table14"
UNITED_KINGDOM = "K02000001"  # ASHE Table 14 covers UK employee jobs


@dataclass(frozen=True)
class Edition:
    """One published edition of the table: its year, its name and its reliability flag."""

    file: str
    year: int
    table: str
    flag: NamedNode
    label: str


EDITIONS = (
    Edition("2023p.xlsx", 2023, "2023p", SG.Provisional, "2023 provisional"),
    Edition("2021r.xlsx", 2021, "2021r", SG.Revised, "2021 revised"),
)

# Sheet name -> (pay period, working pattern): FT full-time, FTPT all employee jobs.
SHEETS = {
    "hourly_FTPT": ("hourly", "all"),
    "hourly_FT": ("hourly", "full-time"),
    "annual_FTPT": ("annual", "all"),
    "annual_FT": ("annual", "full-time"),
}
PAY_PERIODS = {
    "annual": ("Annual (gross annual pay)", "gbp-per-year"),
    "hourly": ("Hourly (gross hourly pay excluding overtime)", "gbp-per-hour"),
}
WORKING_PATTERNS = {"full-time": "Full-time", "all": "Full-time and part-time"}

DESCRIPTION, CODE, JOBS, MEDIAN, MEAN = "Description", "Code", "No_jobs", "Median", "Mean"
CHANGE = "change"
PERCENTILES = ("10", "20", "25", "30", "40", "60", "70", "75", "80", "90")
REQUIRED = (DESCRIPTION, CODE, JOBS, MEDIAN, CHANGE, MEAN, *PERCENTILES)
# The sheets have two columns headed "change": each is the % change of the column before it.
MEDIAN_CHANGE, MEAN_CHANGE = f"{CHANGE} ({MEDIAN})", f"{CHANGE} ({MEAN})"

# Codes outside SOC 2020: the all-employees row and the row of jobs not classified.
ALL_OCCUPATIONS, NOT_CLASSIFIED = "all", "not-classified"
OCCUPATION_TOTALS = {
    ALL_OCCUPATIONS: "All occupations",
    NOT_CLASSIFIED: "Occupation not classified",
}
SOC_CODE = r"[1-9]\d{0,3}"
NUMBER = re.compile(r"-?\d+(\.\d+)?")
MARKERS = {"x": cube.SUPPRESSED, "..": cube.SUPPRESSED, ":": cube.NOT_AVAILABLE}
ROW_MARKERS = ("..", ":")
PUBLISHER = "https://www.ons.gov.uk/"


@dataclass(frozen=True)
class Measure:
    """A column of the sheets: the statistic it holds and its unit (None: the pay unit)."""

    column: str
    statistic: str
    label: str
    definition: str
    unit: str | None


def _percentile(share: str) -> Measure:
    return Measure(
        share,
        f"pay-percentile-{share}",
        f"Pay, {share}th percentile",
        f"The gross pay below which {share}% of employee jobs fall (ASHE).",
        None,
    )


PAY = "gross annual pay, or gross hourly pay excluding overtime, as sg:payPeriod says"
MEASURES = (
    Measure(
        JOBS,
        "employee-jobs",
        "Employee jobs",
        "The number of employee jobs the pay figures of the table describe (ASHE).",
        "thousand-jobs",
    ),
    Measure(MEDIAN, "median-pay", "Median pay", f"Median {PAY} (ASHE).", None),
    Measure(
        MEDIAN_CHANGE,
        "median-pay-change",
        "Median pay, annual change",
        "The percentage change of median pay on the year before, as ONS publishes it (ASHE).",
        "percent",
    ),
    Measure(MEAN, "mean-pay", "Mean pay", f"Mean {PAY} (ASHE).", None),
    Measure(
        MEAN_CHANGE,
        "mean-pay-change",
        "Mean pay, annual change",
        "The percentage change of mean pay on the year before, as ONS publishes it (ASHE).",
        "percent",
    ),
    *(_percentile(share) for share in PERCENTILES),
)
CHANGES = (MEDIAN_CHANGE, MEAN_CHANGE)


@dataclass(frozen=True)
class Cell:
    """A cell's value, or its status and the publisher's marker."""

    value: Decimal | None
    status: NamedNode
    marker: str | None = None


def read(folder: Path) -> Iterator[Triple]:
    """Both editions: structure, code lists, the UK, and one observation per cell."""
    yield from code_list_triples()
    yield from nation_triples(UNITED_KINGDOM)
    for edition in EDITIONS:
        yield from edition_triples(folder / edition.file, edition)


def code_list_triples() -> Iterator[Triple]:
    """The structure and the codes the observations use."""
    breakdowns = (SG.occupation, SG.workingPattern, SG.payPeriod)
    yield from cube.structure(
        STRUCTURE,
        "ASHE Table 14: pay by occupation, working pattern and pay period",
        (cube.Component(p, "dimension") for p in breakdowns),
    )
    for measure in MEASURES:
        yield from cube.statistic(measure.statistic, measure.label, measure.definition)
    for name in ("thousand-jobs", "percent", *(unit for _, unit in PAY_PERIODS.values())):
        yield from cube.unit(name)[1]
    yield from breakdown_codes(
        "pay-period", "Pay periods", {k: v for k, (v, _) in PAY_PERIODS.items()}
    )
    yield from breakdown_codes("working-pattern", "Working patterns", WORKING_PATTERNS)
    yield from breakdown_codes("occupation", "Occupation totals", OCCUPATION_TOTALS)


def breakdown_codes(kind: str, scheme_label: str, labels: dict[str, str]) -> Iterator[Triple]:
    """The concepts of one breakdown code list."""
    scheme = iris.breakdown_scheme_iri(kind)
    for code, label in labels.items():
        yield from cube.concept(iris.breakdown_iri(kind, code), scheme, scheme_label, label)


def edition_triples(path: Path, edition: Edition) -> Iterator[Triple]:
    """One edition: its dataset and the observations of its four sheets."""
    about = cube.source_metadata(PUBLISHER, f"ONS ASHE Table 14, {path.name}", cube.OGL)
    about[SG.reliability] = edition.flag
    label = f"ASHE Table 14: pay by occupation (SOC 2020), UK, {edition.label}"
    yield from cube.dataset(SLUG, edition.table, STRUCTURE, label, about)
    for sheet, (period, pattern) in SHEETS.items():
        table = pay_table(path, sheet)
        seen: dict[str, int] = {}
        for row in table.rows():
            occupation = occupation_key(row)
            if occupation in seen:
                raise row.error(CODE, "a code not used before in the sheet", row.get(CODE),
                                f"duplicate row (first at row {seen[occupation]})")  # fmt: skip
            seen[occupation] = row.number
            yield from row_triples(row, edition, period, pattern, occupation)


def pay_table(path: Path, sheet: str) -> Table:
    """A sheet with its header found; the two "change" columns named after their statistic."""
    table = read_sheet(path, sheet, REQUIRED)
    header = list(table.header)
    for index, name in enumerate(header):
        if name.lower() != CHANGE:
            continue
        before = header[index - 1] if index else ""
        if before not in (MEDIAN, MEAN):
            raise table.error(
                f"header row {table.header_row}: a {CHANGE!r} column must follow "
                f"{MEDIAN!r} or {MEAN!r}",
                expected=f"{CHANGE!r} right after {MEDIAN!r} and after {MEAN!r}",
                got=f"{CHANGE!r} after {before!r}",
            )
        header[index] = f"{CHANGE} ({before})"
    table.header = header
    table.require_columns(MEDIAN_CHANGE, MEAN_CHANGE)
    return table


def occupation_key(row: Row) -> str:
    """The row's SOC 2020 code, "all" (code XX) or "not-classified" (no code)."""
    code = row.get(CODE)
    if code == "XX":
        return ALL_OCCUPATIONS
    if not code and row.get(DESCRIPTION).casefold() == "not classified":
        return NOT_CLASSIFIED
    return row.require(
        CODE, SOC_CODE, "a SOC 2020 code of 1 to 4 digits, XX, or none for 'Not Classified'"
    )


def occupation_iri(key: str) -> NamedNode:
    """The SOC 2020 group, or the code for all occupations or none."""
    if key in OCCUPATION_TOTALS:
        return iris.breakdown_iri("occupation", key)
    return iris.soc_iri("2020", key)


def row_triples(
    row: Row, edition: Edition, period: str, pattern: str, occupation: str
) -> Iterator[Triple]:
    """One observation per measure of one row."""
    row_marker = row.get(JOBS) if row.get(JOBS) in ROW_MARKERS else None
    dimensions = {
        cube.REF_AREA: iris.area_iri(UNITED_KINGDOM),
        cube.REF_PERIOD: iris.year_iri(edition.year),
        SG.occupation: occupation_iri(occupation),
        SG.workingPattern: iris.breakdown_iri("working-pattern", pattern),
        SG.payPeriod: iris.breakdown_iri("pay-period", period),
    }
    for measure in MEASURES:
        found = cell(row, measure.column, row_marker)
        node = iris.observation_iri(
            SLUG, edition.table, period, pattern, occupation, measure.statistic
        )
        yield from cube.observation(
            node,
            SLUG,
            edition.table,
            {**dimensions, cube.STATISTIC: statistic_iri(measure.statistic)},
            found.value,
            unit_iri(measure.unit or PAY_PERIODS[period][1]),
            found.status,
            (edition.flag,),
            found.marker,
            EMPTY_MARKER if found.marker == "" else None,
        )
        yield Triple(node, RDF.type, ASHE_OBSERVATION)


# The same few IRIs for every observation, made once.
statistic_iri = cache(iris.statistic_iri)
unit_iri = cache(iris.unit_iri)
ASHE_OBSERVATION = SG.ASHEObservation
EMPTY_MARKER = {SG.sourceMarker: Literal("")}  # observation() drops an empty marker


def cell(row: Row, column: str, row_marker: str | None) -> Cell:
    """A number, a marker, or an empty cell that the row's marker or its column explains."""
    text = row.get(column)
    if text in MARKERS:
        return Cell(None, MARKERS[text], text)
    if not text and row_marker:
        return Cell(None, MARKERS[row_marker], row_marker)
    if not text and column in CHANGES:
        return Cell(None, cube.NOT_AVAILABLE, "")  # ONS leaves a change it cannot compute empty
    if not NUMBER.fullmatch(text):
        message = "empty cell (a formula without a cached value?)" if not text else ""
        raise row.error(column, "a number or one of the markers x, .., :", text, message)
    return Cell(Decimal(text), cube.AVAILABLE)


SOURCE = Source(
    slug=SLUG,
    title="ONS ASHE Table 14: earnings by occupation (SOC 2020), UK, 2023 provisional and 2021 revised",
    holds="Pay percentiles, median, mean and job counts by SOC 2020 group as RDF Data Cube",
    files=tuple(edition.file for edition in EDITIONS),
    read=read,
    depends_on=("ons-soc2020",),
)
