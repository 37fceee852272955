"""The apprenticeships provider dashboard's Parquet files: reading, standards, periods, areas, model.

Parquet has no header line: a row number in an error is the record's 1-based position in the
file (row 1 is the first record), as ``pyarrow`` and the dashboard's R code count them.

Standards are published by name only. :class:`StandardMatcher` finds the LARS standard
(``dfe-lars/Standard.csv``, September 2020) a name and level stand for, by two rules, in order:

1. ``exact``: the names are equal once case, punctuation, accents and '&'/'and' are ignored, and
   the LARS level agrees with the apprenticeship level (intermediate 2, advanced 3, higher 4-7).
   The level also tells apart the two LARS standards of one name (Plasterer, levels 2 and 3).
2. ``qualifier``: the same once a trailing qualifier is removed from both names ("(Integrated
   Degree)", "(degree)", "(integrated)", "(2021)", "(NMC 2022)", " 2017") and '/' is read as
   'or' ("Accounts / Finance Assistant"); only if exactly one LARS standard of an agreeing level
   is left.

A name matching a LARS standard of another level only is not matched (a revised standard at a
new level is a different standard). Newer standards are not in the 2020 snapshot: no match.

Also here: academic years (:class:`Period`), area names (:class:`Areas`) and the modelled
allocation of standard starts to districts (:func:`modelled_cells`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pyoxigraph import NamedNode

from skillsgap import iris
from skillsgap.errors import Found, SourceError
from skillsgap.loaders._areas import area_index, fold
from skillsgap.loaders._ctdl import SG
from skillsgap.loaders._tables import Row, Table, clean, read_csv
from skillsgap.loaders.ons_online_job_adverts import operating

# --- reading Parquet ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column the loader reads: text (optionally one of ``values`` or matching ``pattern``)
    or a count (a whole number of 0 or more)."""

    name: str
    kind: str = "text"  # "text" or "count"
    pattern: str | None = None
    values: tuple[str, ...] = ()
    expected: str = "a value"


def read_parquet(path: Path, columns: Sequence[Column]) -> pa.Table:
    """The file's ``columns``, checked: a SourceError names the first bad row and column.

    Text columns come back dictionary-encoded (one dictionary per column), which makes the
    grouping the loader does fast; each distinct text is checked once.
    """
    texts = [column.name for column in columns if column.kind == "text"]
    table = _open(path, [column.name for column in _present(path, columns)], texts)
    for column in columns:
        if column.kind == "count":
            table = table.set_column(
                table.schema.get_field_index(column.name), column.name, _counts(path, table, column)
            )
        else:
            _check_text(path, table, column)
    return table


def _open(path: Path, names: list[str], texts: list[str]) -> pa.Table:
    if not path.is_file():
        raise SourceError("file not found", file=str(path))
    try:
        table = pq.read_table(path, columns=names, read_dictionary=texts)
        return table.unify_dictionaries().combine_chunks()
    except (pa.ArrowException, OSError) as exc:
        raise SourceError(
            f"not a readable Parquet file ({exc})",
            file=path.name,
            expected="an Apache Parquet file",
            got=Found(f"{path.stat().st_size} bytes that are not one"),
        ) from None


def _present(path: Path, columns: Sequence[Column]) -> Sequence[Column]:
    try:
        names = pq.read_schema(path).names
    except (pa.ArrowException, OSError):
        return columns  # _open says why the file cannot be read
    missing = [column.name for column in columns if column.name not in names]
    if missing:
        raise SourceError(
            "missing column" + ("s" if len(missing) > 1 else ""),
            file=path.name,
            expected="columns " + ", ".join(repr(name) for name in missing),
            got=Found("columns " + ", ".join(repr(name) for name in names)),
        )
    return columns


def row_at(path: Path, table: pa.Table, index: int) -> Row:
    """The record at 0-based ``index`` as a Row (numbered from 1), for error messages."""
    record = table.slice(index, 1).to_pylist()[0]
    frame = Table(path.name, None, list(record), 0, [])
    return Row(frame, index + 1, {name.lower(): clean(value) for name, value in record.items()})


def first_row(path: Path, table: pa.Table, column: str, value: Any) -> Row:
    """The first record whose ``column`` holds ``value``."""
    values = table.column(column)
    if pa.types.is_dictionary(values.type):
        chunk = values.chunk(0)
        code = pc.index(chunk.dictionary, value).as_py()
        index = pc.index(chunk.indices, code).as_py()
    else:
        index = pc.index(values, value).as_py()
    return row_at(path, table, max(int(index), 0))


def _check_text(path: Path, table: pa.Table, column: Column) -> None:
    values = table.column(column.name)
    if not pa.types.is_dictionary(values.type):
        _fail(path, table, column, 0, f"a text column, not {values.type}")
    if values.null_count:
        _fail(path, table, column, int(pc.index(pc.is_null(values), True).as_py()))
    chunk = values.chunk(0) if values.num_chunks else None
    used = chunk.dictionary.take(pc.unique(chunk.indices)) if chunk is not None else pa.array([])
    for text in used.to_pylist():
        if not _fits(text, column):
            raise first_row(path, table, column.name, text).error(
                column.name, column.expected, text
            )


def _fits(text: str, column: Column) -> bool:
    if not text.strip():
        return False
    if column.values and text not in column.values:
        return False
    return not column.pattern or re.fullmatch(column.pattern, text) is not None


def _counts(path: Path, table: pa.Table, column: Column) -> pa.ChunkedArray:
    values = table.column(column.name)
    expected = "a whole number of 0 or more"
    if not pa.types.is_integer(values.type):
        for index, value in enumerate(values.to_pylist()):
            if not (isinstance(value, str) and value.strip().isdigit()):
                _fail(path, table, column, index, expected=expected)
        values = pc.cast(pc.utf8_trim_whitespace(values), pa.int64())
    bad = pc.or_kleene(pc.is_null(values), pc.less(values, 0))
    if pc.any(bad).as_py():
        _fail(path, table, column, int(pc.index(bad, True).as_py()), expected=expected)
    return pc.cast(values, pa.int64())


def _fail(
    path: Path, table: pa.Table, column: Column, index: int, message: str = "", expected: str = ""
) -> None:
    row = row_at(path, table, index)
    raise row.error(column.name, expected or column.expected, row.get(column.name), message)


def check_unique(path: Path, table: pa.Table, keys: Sequence[str]) -> None:
    """A SourceError naming the second of two records with the same ``keys``."""
    numbered = table.select(list(keys)).append_column(
        "__row", pa.array(range(table.num_rows), pa.int64())
    )
    groups = numbered.group_by(list(keys)).aggregate([("__row", "count"), ("__row", "max")])
    repeated = groups.filter(pc.greater(groups.column("__row_count"), 1))
    if repeated.num_rows:
        row = row_at(path, table, int(repeated.column("__row_max")[0].as_py()))
        expected = "one row per " + ", ".join(keys)
        raise row.error(keys[-1], expected, row.get(keys[-1]), "duplicate row")


# --- naming standards --------------------------------------------------------------------------

LEVEL_DIGITS = {"intermediate": ("2",), "advanced": ("3",), "higher": ("4", "5", "6", "7")}
EXACT, QUALIFIER = "exact", "qualifier"
MATCH_RULES = {
    EXACT: "The published name equals the LARS standard name (case, punctuation, accents and "
    "'&'/'and' ignored) and the LARS level agrees with the apprenticeship level.",
    QUALIFIER: "The names are equal once a trailing version or degree qualifier ('(Integrated "
    "Degree)', '(degree)', '(integrated)', a year) is removed from both and '/' is read as 'or'; "
    "exactly one LARS standard of that name has a level agreeing with the apprenticeship level.",
}
QUALIFIERS = re.compile(
    r"\s*(\((integrated degree|degree|integrated|(nmc )?\d{4})\)|\d{4})\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class LarsStandard:
    """A standard of the LARS snapshot: its code, name and notional end level."""

    code: str
    name: str
    level: str


@dataclass(frozen=True)
class Match:
    """The LARS standard a published name and level stand for, and the rule that found it."""

    code: str
    rule: str


def lars_standards(path: Path) -> list[LarsStandard]:
    """The standards of LARS Standard.csv."""
    table = read_csv(path, ["StandardCode", "StandardName", "NotionalEndLevel"])
    return [
        LarsStandard(
            row.require("StandardCode", r"\d+", "a number"),
            row.require("StandardName", expected="a name"),
            row.get("NotionalEndLevel"),
        )
        for row in table.rows()
    ]


def without_qualifier(name: str) -> str:
    """A name folded for the second rule: no trailing qualifier, '/' read as 'or'."""
    return fold(QUALIFIERS.sub("", name).replace("/", " or "))


class StandardMatcher:
    """Finds the LARS standard a published standard name and apprenticeship level stand for."""

    def __init__(self, standards: Iterable[LarsStandard]) -> None:
        self.exact: dict[str, list[LarsStandard]] = defaultdict(list)
        self.loose: dict[str, list[LarsStandard]] = defaultdict(list)
        for standard in standards:
            self.exact[fold(standard.name)].append(standard)
            self.loose[without_qualifier(standard.name)].append(standard)

    def match(self, name: str, level: str) -> Match | None:
        """The match for ``name`` at ``level`` (intermediate, advanced, higher), or None."""
        digits = LEVEL_DIGITS[level]
        same = self.exact.get(fold(name), [])
        if same:  # a name LARS has: only its own level will do
            agreeing = [s for s in same if s.level in digits]
            return Match(agreeing[0].code, EXACT) if len(agreeing) == 1 else None
        loose = [s for s in self.loose.get(without_qualifier(name), []) if s.level in digits]
        return Match(loose[0].code, QUALIFIER) if len(loose) == 1 else None


# --- periods, providers, areas and the model ------------------------------------------------

UNKNOWN_AREA = "Outside of England and unknown"
BOUNDARIES = date(2024, 5, 1)  # the dashboard maps every year on LAD May 2024 names
YEAR = re.compile(r"(\d{4})/(\d{2})(?: \(Aug to (\w{3})\))?")
MONTHS = ("Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul")


@dataclass(frozen=True)
class Period:
    """An academic year as the files write it, and what it is in RDF."""

    label: str
    key: str
    iri: NamedNode
    part_year: bool

    @classmethod
    def parse(cls, label: str) -> Period:
        start, _end, last = YEAR.fullmatch(label).groups()  # type: ignore[union-attr]
        if last is None:
            return cls(label, f"{start}-{_end}", iris.academic_year_iri(int(start)), False)
        months = MONTHS.index(last) + 1
        return cls(label, f"{start}-{_end}", iris.months_iri(int(start), 8, months), True)

    def attributes(self) -> tuple[tuple[NamedNode, ...], dict[NamedNode, NamedNode]]:
        """The reliability flags and period coverage of its observations."""
        if self.part_year:
            return (SG.Provisional,), {SG.periodCoverage: SG.PartYear}
        return (), {SG.periodCoverage: SG.FullYear}


@cache
def period(label: str) -> Period:
    """The period a year cell names."""
    return Period.parse(label)


def ukprn(provider_name: str) -> str:
    """The UKPRN a provider name ends with, in brackets."""
    return provider_name.rsplit("(", 1)[1].rstrip(")")


def with_ukprn(table: pa.Table) -> pa.Table:
    """The table with a ``ukprn`` column cut from ``provider_name`` (dictionary-encoded)."""
    names = table.column("provider_name").chunk(0)
    numbers = pc.struct_field(pc.extract_regex(names.dictionary, r"\((?P<ukprn>\d{8})\)$"), [0])
    return table.append_column("ukprn", pc.dictionary_encode(numbers.take(names.indices)))


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def summed(table: pa.Table, keys: list[str], columns: tuple[str, ...]) -> list[dict]:
    """Records of ``table`` grouped by ``keys`` with ``columns`` summed (named as the columns)."""
    grouped = table.group_by(keys).aggregate([(column, "sum") for column in columns])
    names = {f"{column}_sum": column for column in columns}
    return grouped.rename_columns([names.get(n, n) for n in grouped.column_names]).to_pylist()


def check_years(path: Path, table: pa.Table) -> None:
    """Every year cell names a real academic year (2022/23: the second year follows the first)."""
    for label in pc.unique(table.column("year")).to_pylist():
        start, end, _last = YEAR.fullmatch(label).groups()  # type: ignore[union-attr]
        if (int(start) + 1) % 100 != int(end):
            row = first_row(path, table, "year", label)
            raise row.error("year", "an academic year such as 2022/23", label)


# --- areas -----------------------------------------------------------------------------------


@dataclass
class Areas:
    """District and region names resolved to GSS codes (None: outside England or unknown)."""

    folder: Path
    resolved: dict[tuple[str, str], NamedNode | None] = field(default_factory=dict)

    def resolve(
        self, path: Path, table: pa.Table, column: str, name: str, kind: str
    ) -> NamedNode | None:
        """The area ``name`` (a cell of ``column``) names; a SourceError naming the row if none."""
        key = (kind, name)
        if key not in self.resolved:
            self.resolved[key] = (
                None if name == UNKNOWN_AREA else self.look_up(path, table, column, name, kind)
            )
        return self.resolved[key]

    def look_up(self, path: Path, table: pa.Table, column: str, name: str, kind: str) -> NamedNode:
        index = area_index(self.folder.parent)
        found = index.candidates(name, [kind])
        if len(found) > 1:  # a name whose code changed: the code of the May 2024 boundaries
            found = {area for area in found if self.in_operation(area)} or found
        if len(found) == 1:
            return next(iter(found))
        return index.resolve(first_row(path, table, column, name), column, name, [kind])

    def in_operation(self, area: NamedNode) -> bool:
        start, end = operating(self.folder.parent).get(area, (None, None))
        return (start is None or start <= BOUNDARIES) and (end is None or end > BOUNDARIES)


def district_shares(districts: pa.Table, year: str) -> dict[str, list[tuple[str, Decimal]]]:
    """Each provider's share of its ``year`` starts by learner-home district name (unknown too)."""
    rows = districts.filter(pc.equal(districts.column("year"), year))
    starts: dict[str, dict[str, int]] = defaultdict(dict)
    for r in summed(rows, ["ukprn", "learner_home_lad"], ("starts",)):
        if r["starts"]:
            starts[r["ukprn"]][r["learner_home_lad"]] = r["starts"]
    return {
        provider: [(name, Decimal(n) / sum(by_name.values())) for name, n in by_name.items()]
        for provider, by_name in starts.items()
    }


def modelled_cells(
    subjects: pa.Table, districts: pa.Table, year: str
) -> tuple[dict[tuple[str, str, str], Decimal], int]:
    """Modelled starts by (name, level, district name); and the starts no provider share covers."""
    shares = district_shares(districts, year)
    in_year = pc.equal(subjects.column("year"), year)
    wanted = pc.and_(in_year, pc.equal(subjects.column("measure"), "Starts"))
    cells: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    unallocated = 0
    for r in summed(subjects.filter(wanted), ["ukprn", "std_fwk_name", "apps_Level"], ("values",)):
        if r["ukprn"] not in shares:
            unallocated += r["values"]
            continue
        starts, name, level = Decimal(r["values"]), r["std_fwk_name"], r["apps_Level"]
        for district, share in shares[r["ukprn"]]:
            cells[(name, level, district)] += starts * share
    return cells, unallocated
