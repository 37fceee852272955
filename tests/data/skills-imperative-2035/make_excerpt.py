"""Write the test excerpt: a few real rows of the sheets the loader reads, from two bundled workbooks.

Run from the repository root: python tests/data/skills-imperative-2035/make_excerpt.py
Cells are copied as calamine reads them (cached formula values), at their original row and
column, so the layout is the real one; rows not listed are left empty.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import python_calamine

SOURCE = Path("src/skillsgap/data/skills-imperative-2035")
TARGET = Path(__file__).parent
HEADER = list(range(1, 7))  # title, counts, units and header rows of the occupation tables
ROWS: dict[str, list[int] | None] = {
    "Info": None,  # None: every row
    "Warning": None,
    # Process, plant and machine operatives (few women in Tees Valley); All occupations.
    "Occ T1": [*HEADER, 15, 18],
    # 63 Community and civil enforcement occupations (under 1,000 people in Tees Valley); total.
    "Occ T2": [*HEADER, 27, 35],
    # All qualifications: 31 (negative net change) and the total; No Qualification: 53 (negative
    # total requirement, under 1,000 people) and the total.
    "RD T1": [*HEADER, 13, 33, 267, 283, 294],
    # RQF8 Doctorate and the total.
    "Qual T1": [1, 2, 3, 4, 5, 15],
}


# England: the total rows only (its figures are all large; Tees Valley has the awkward cells).
ENGLAND_ROWS = ROWS | {
    "Occ T1": [*HEADER, 18],
    "Occ T2": [*HEADER, 35],
    "RD T1": [*HEADER, 33],
    "Qual T1": [1, 2, 3, 4, 15],
}


def excerpt(name: str, rows_by_sheet: dict[str, list[int] | None]) -> None:
    """Copy the listed rows of the listed sheets of one workbook into a new workbook."""
    source = python_calamine.CalamineWorkbook.from_path(str(SOURCE / name))
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet_name, rows in rows_by_sheet.items():
        cells = source.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        sheet = book.create_sheet(sheet_name)
        for number in rows or range(1, len(cells) + 1):
            for column, value in enumerate(cells[number - 1], start=1):
                if value != "":
                    sheet.cell(number, column, value)
    book.save(TARGET / name)


if __name__ == "__main__":
    excerpt("EN_MainTables.Main.xlsx", ENGLAND_ROWS)
    excerpt("TV_LSIP_MainTables.Main.xlsx", ROWS)
