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
    "aggregation": None,  # the 22 industry groups in 6 sectors (England: its 75 industries)
    # Primary sector (about 5,500 people), Construction (sector and group alike), the total.
    "Ind T1": [*HEADER[:5], 6, 7, 9, 14],
    # Agriculture (under 1,000 people), Construction, the total.
    "Ind T2": [1, 2, 3, 4, 5, 12, 28],
    # Industry 1 : Agriculture, by sex and status (zeros among them).
    "Ind T6": [1, 2, 4, 5, 6, 8, 9, 10],
    # All industries: managers, operatives, total; Agriculture: managers and total.
    "Ind Occ T1": [1, 2, 4, 6, 7, 9, 16, 19, 23, 24, 26, 36],
    "Ind Occ T2": [1, 2, 4, 6, 7, 9, 16, 19, 23, 24, 26, 36],
}


# England: the total rows only (its figures are all large; Tees Valley has the awkward cells).
ENGLAND_ROWS = ROWS | {
    "Occ T1": [*HEADER, 18],
    "Occ T2": [*HEADER, 35],
    "RD T1": [*HEADER, 33],
    "Qual T1": [1, 2, 3, 4, 15],
    "Ind T1": [*HEADER[:5], 6, 14],
    "Ind T2": [1, 2, 3, 4, 28],
    # England details 75 industries under the 22 groups: Industry 1 (one industry, no group
    # total) and Industry 3 (Food products, and the group total 'Industry 3 Total').
    "Ind T6": [1, 2, 4, 5, 6, 8, 9, 10, 11, 25, 26, 28, 29, 30, 31, 38, 39, 40, 41],
    # All industries' total; 'Agriculture, etc' (one of the 75 industries): managers, total.
    "Ind Occ T1": [1, 2, 4, 6, 7, 19, 23, 24, 26, 36],
    "Ind Occ T2": [1, 2, 4, 6, 7, 19, 23, 24, 26, 36],
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
