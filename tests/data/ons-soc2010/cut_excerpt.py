"""Cut the committed excerpt of ONS_index.xls from the bundled real file (run from the repo root).

Writes the real cells of the two sheets the loader reads, unchanged, with openpyxl. The result
is an .xlsx workbook kept under the original name; the loader detects the format from the bytes.
"""

from pathlib import Path

import openpyxl
import python_calamine

REAL = Path("src/skillsgap/data/ons-soc2010/ONS_index.xls")
OUT = Path("tests/data/ons-soc2010/ONS_index.xls")

# Major group 1 whole; from 2 and 9 one branch each (IT acronyms, a trailing space, the last rows).
KEEP_PREFIXES = ("1", "213", "215", "927")
KEEP_CODES = {"2", "21", "9", "92"}
FIRST_INDEX_ROWS = 15  # the first real index rows that code into the groups kept
AWKWARD_INDEX_ROWS = (
    420, 801, 26242,  # cross-references: code }}}} and a see note (one with a trailing space)
    16833, 16834,  # two titles sharing record number 15530 and extension 500
    17453, 17454,  # a qualifier split over IND and ADD
    1192, 1240,  # non-ASCII: café, chef’s
)


def code_of(row: list) -> str:
    """The code in a structure row, whatever its level column."""
    for cell in row[:4]:
        if cell not in ("", None):
            return str(int(cell))
    return ""


def structure_rows(rows: list[list]) -> list[list]:
    """The header, the kept groups, and the blank separator row after each kept row."""
    kept, previous_kept = [rows[0]], True
    for row in rows[1:]:
        code = code_of(row)
        keep = code.startswith(KEEP_PREFIXES) or code in KEEP_CODES if code else previous_kept
        if keep:
            kept.append(row)
        previous_kept = keep and bool(code)
    return kept


def index_rows(rows: list[list], units: set[str]) -> list[list]:
    """The header, the first rows coding into kept unit groups, then the awkward rows."""
    coded = [n for n, row in enumerate(rows[1:], 2) if _code(row[6]) in units]
    numbers = sorted(set(coded[:FIRST_INDEX_ROWS]) | set(AWKWARD_INDEX_ROWS))
    return [rows[0]] + [rows[n - 1] for n in numbers]


def _code(cell: object) -> str:
    return str(int(cell)) if isinstance(cell, float) else str(cell).strip()


def main() -> None:
    book = python_calamine.CalamineWorkbook.from_path(str(REAL))
    structure = structure_rows(book.get_sheet_by_name("SOC2010 Structure").to_python())
    units = {code_of(r) for r in structure[1:] if r[3] not in ("", None)}
    index = index_rows(book.get_sheet_by_name("SOC2010 Full Index V5").to_python(), units)
    out = openpyxl.Workbook()
    out.remove(out.active)
    for name, rows in (("SOC2010 Structure", structure), ("SOC2010 Full Index V5", index)):
        sheet = out.create_sheet(name)
        for row in rows:
            sheet.append([None if cell == "" else cell for cell in row])
    out.save(OUT)
    print(f"{OUT}: {len(structure) - 1} structure rows, {len(index) - 1} index rows")


if __name__ == "__main__":
    main()
