"""Cut the test excerpt of the ESS workbooks from the bundled real files (see SOURCE.md).

Run from the repository root: ``python tests/data/dfe-employer-skills-survey/cut_excerpt.py``.
Every cell is copied unchanged from the real workbooks; only sheets and columns are left out.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import python_calamine

HERE = Path(__file__).parent
REAL = HERE.parents[2] / "src" / "skillsgap" / "data" / "dfe-employer-skills-survey"

# Areas the geography excerpts beside this folder know (tests/data/dfe-geography-lookups).
LEPS_2017 = ("Total", "Black Country", "Cheshire and Warrington", "Greater Lincolnshire")
LEPS_2019 = ("England Total", "Black Country", "Cheshire and Warrington", "Greater Lincolnshire")
LAS_2019 = ("England Total", "City of London", "Barnsley", "Kent")
CUTS = {
    "ESS_2017_England_LEP_Standard_Tables_Controlled_v03.01.xlsx": {
        sheet: (9, LEPS_2017) for sheet in ("T54", "T56", "T63", "53", "T74")
    },
    "ESS_2019_LEP_Summary_Tables_Controlled_v01.00.xlsx": {
        "Contents": ("Table ALL LEPS", "Table GTR LINCOLNSHIRE"),
        "ALL_LEPS": (9, LEPS_2019),
        "GTR_LINCOLNSHIRE": None,
    },
    "ESS_2019_LEA_Summary_Tables_Controlled_v01.00.xlsx": {
        "Contents": ("Table ALL LEAS", "Table BARNSLEY"),
        "ALL_LEAS": (9, LAS_2019),
        "BARNSLEY": None,
    },
}


def real_rows(workbook: str, sheet: str) -> list[list[object]]:
    book = python_calamine.CalamineWorkbook.from_filelike(
        io.BytesIO((REAL / workbook).read_bytes())
    )
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def kept_columns(rows: list[list[object]], header_row: int, names: tuple[str, ...]) -> list[int]:
    """The label column and the columns headed by ``names``, in sheet order."""
    header = rows[header_row - 1]
    return [0] + [i for i, value in enumerate(header) if value in names]


def cut_columns(rows: list[list[object]], header_row: int, names: tuple[str, ...]) -> list[list]:
    columns = kept_columns(rows, header_row, names)
    cut = [[row[i] if i < len(row) else "" for i in columns] for row in rows]
    # The group label ("LEP", "LEA") goes over the first kept area column, as in the original.
    group = next((v for v in rows[header_row - 2][2:] if v), "")
    cut[header_row - 2] = [""] * len(columns)
    if group:
        cut[header_row - 2][2] = group
    return cut


def cut_contents(rows: list[list[object]], tables: tuple[str, ...]) -> list[list]:
    return [row for row in rows if not str(row[0]).startswith("Table ") or row[0] in tables]


def write(path: Path, sheets: dict[str, list[list]]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([None if value == "" else value for value in row])
    book.save(path)


def main() -> None:
    for workbook, cuts in CUTS.items():
        sheets = {}
        for sheet, cut in cuts.items():
            rows = real_rows(workbook, sheet)
            if cut is None:
                sheets[sheet] = rows
            elif sheet == "Contents":
                sheets[sheet] = cut_contents(rows, cut)
            else:
                sheets[sheet] = cut_columns(rows, *cut)
        write(HERE / workbook, sheets)


if __name__ == "__main__":
    main()
