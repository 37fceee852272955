"""Reading real spreadsheets and CSV files as rows with their 1-based numbers and clear errors.

Every loader reads through here so that a bad file gets the same kind of message: the file,
the sheet, the row as a spreadsheet shows it, the column, what was expected and what was found.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import python_calamine

from skillsgap.errors import Found, SourceError

# Strings a publisher uses for "no value here".
BLANKS = frozenset({"", "<blank>"})


def clean(value: Any) -> str:
    """A cell as text: whole floats lose their ".0", strings lose outer whitespace."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


@lru_cache(maxsize=4096)
def header_key(value: Any) -> str:
    """A header cell folded for matching: case, line breaks and repeated spaces ignored."""
    return re.sub(r"\s+", " ", clean(value)).lower()


@dataclass(frozen=True)
class Row:
    """One data row: its number in the file and its cells by (folded) header."""

    table: Table = field(repr=False)
    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        """The cell under ``column``, cleaned; "" when empty or ``<blank>``."""
        value = self.cells.get(header_key(column), "")
        return "" if value in BLANKS else value

    def require(self, column: str, pattern: str | None = None, expected: str = "a value") -> str:
        """The cell under ``column``; a SourceError if it is empty or does not match ``pattern``."""
        value = self.get(column)
        if not value or (pattern and not re.fullmatch(pattern, value)):
            raise self.error(column, expected, value)
        return value

    def error(self, column: str | None, expected: str, got: Any, message: str = "") -> SourceError:
        """A SourceError pointing at this row (and column)."""
        return SourceError(
            message,
            file=self.table.file,
            sheet=self.table.sheet,
            row=self.number,
            column=self.table.display_name(column) if column else None,
            expected=expected,
            got=got,
        )


@dataclass
class Table:
    """A sheet or CSV file with a located header row."""

    file: str
    sheet: str | None
    header: list[str]
    header_row: int
    raw_rows: Sequence[Sequence[Any]] = field(repr=False)
    # The number shown for each raw row; None: its position (a sheet row, a CSV record).
    row_numbers: Sequence[int] | None = field(default=None, repr=False)

    def display_name(self, column: str) -> str:
        key = header_key(column)
        for name in self.header:
            if header_key(name) == key:
                return name
        return column

    def rows(self, skip_empty: bool = True) -> Iterator[Row]:
        """Data rows below the header, numbered as the file shows them."""
        keys = [header_key(h) for h in self.header]
        for offset, raw in enumerate(self.raw_rows[self.header_row :], start=self.header_row + 1):
            texts = [clean(v) for v in raw]
            if skip_empty and not any(texts):
                continue
            number = self.row_numbers[offset - 1] if self.row_numbers else offset
            yield Row(self, number, dict(zip(keys, texts, strict=False)))

    def require_columns(self, *columns: str) -> None:
        """A SourceError naming the missing columns if the header lacks any of ``columns``."""
        present = {header_key(h) for h in self.header}
        missing = [c for c in columns if header_key(c) not in present]
        if missing:
            raise SourceError(
                "missing column" + ("s" if len(missing) > 1 else ""),
                file=self.file,
                sheet=self.sheet,
                row=self.header_row,
                expected="columns " + ", ".join(repr(c) for c in missing),
                got=Found("header " + ", ".join(repr(h) for h in self.header if h)),
            )

    def error(self, message: str, expected: str | None = None, got: Any = None) -> SourceError:
        return SourceError(message, file=self.file, sheet=self.sheet, expected=expected, got=got)


def read_sheet(path: Path, sheet: str, required: Sequence[str], search_rows: int = 30) -> Table:
    """A workbook sheet (xlsx or xls, cached formula values), its header found by ``required``."""
    rows = _sheet_rows(path, sheet)
    wanted = {header_key(c) for c in required}
    for index, raw in enumerate(rows[:search_rows]):
        if wanted <= {header_key(v) for v in raw}:
            return Table(path.name, sheet, [clean(v) for v in raw], index + 1, rows)
    first = next((r for r in rows if any(clean(v) for v in r)), [])
    table = Table(path.name, sheet, [clean(v) for v in first], 1, rows)
    table.require_columns(*required)
    raise AssertionError("unreachable: require_columns raised")


def read_csv(
    path: Path, required: Sequence[str], encoding: str = "utf-8-sig", number_by_line: bool = False
) -> Table:
    """A CSV file (optionally .gz) whose first line is its header; quoted multi-line cells kept.

    Rows are numbered by record; ``number_by_line``: by the line each record starts on, as an
    editor shows it (they differ once a quoted cell spans lines).
    """
    text = _read_text(path, encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    try:
        # Track physical line numbers: a quoted cell may span lines.
        line_numbers: list[int] = []
        for record in reader:
            rows.append(record)
            line_numbers.append(reader.line_num)
    except csv.Error as exc:
        raise SourceError(f"not valid CSV: {exc}", file=path.name, row=reader.line_num) from None
    if not rows:
        raise SourceError(
            "empty file", file=path.name, expected="a header line", got=Found("nothing")
        )
    starts = [1, *(line + 1 for line in line_numbers[:-1])] if number_by_line else None
    table = Table(path.name, None, [clean(v) for v in rows[0]], 1, rows, starts)
    table.require_columns(*required)
    return table


def read_lines(path: Path, encoding: str = "utf-8-sig") -> list[str]:
    """A text file's lines, with a clear error for a missing, binary or wrongly encoded file."""
    text = _read_text(path, encoding)
    if not text.strip():
        raise SourceError(
            "empty file", file=path.name, expected="at least a header line", got=Found("nothing")
        )
    return text.splitlines()


def _read_text(path: Path, encoding: str) -> str:
    data = read_bytes(path)
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise SourceError(f"not a readable gzip file ({exc})", file=path.name) from None
    if b"\x00" in data[:4096]:
        raise SourceError(
            "not a text file", file=path.name, expected="CSV text", got=Found("binary data")
        )
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            "text is not valid " + encoding,
            file=path.name,
            row=line,
            expected=f"{encoding} text",
            got=Found(repr(data[exc.start : exc.start + 8])),
        ) from None


def read_bytes(path: Path) -> bytes:
    """A source file's bytes; a SourceError naming it if it is missing or a directory."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise SourceError("is a directory, not a file", file=str(path)) from None


def _sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    if not path.exists():
        raise SourceError("file not found", file=str(path))
    try:
        # From the bytes, so the format is detected from the content, not the file name.
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    except Exception as exc:  # calamine raises several unrelated types for unreadable files
        raise SourceError(
            f"not a readable workbook ({exc})",
            file=path.name,
            expected="an .xlsx or .xls workbook",
            got=Found(f"{path.stat().st_size} bytes that are not one"),
        ) from None
    names = workbook.sheet_names
    match = next((n for n in names if n.strip().lower() == sheet.strip().lower()), None)
    if match is None:
        raise SourceError(
            "sheet not found",
            file=path.name,
            expected=f"a sheet named {sheet!r}",
            got=Found("sheets " + ", ".join(repr(n) for n in names)),
        )
    try:
        return workbook.get_sheet_by_name(match).to_python(skip_empty_area=False)
    except Exception as exc:
        raise SourceError(f"sheet cannot be read ({exc})", file=path.name, sheet=match) from None
