"""Cut the test excerpt from the real bundled ASHE Table 14 workbooks (run from the repository root).

Copies each sheet's header and chosen real rows cell by cell (values as stored) into new workbooks
with the same file and sheet names and header layout. See SOURCE.md for why each row is there.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

SOURCE = Path("src/skillsgap/data/ons-ashe-table14")
TARGET = Path("tests/data/ons-ashe-table14")
SHEETS = ("hourly_FTPT", "hourly_FT", "annual_FTPT", "annual_FT")
# Codes kept per workbook; "" is the 'Not Classified' row, which has no code.
ROWS = {
    "2023p.xlsx": {"XX", "1112", "1161", "6250", ""},
    "2021r.xlsx": {"XX", "1112"},
}


def cut(name: str, codes: set[str]) -> None:
    source = openpyxl.load_workbook(SOURCE / name, read_only=True)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet_name in SHEETS:
        target = book.create_sheet(sheet_name)
        rows = source[sheet_name].iter_rows(values_only=True)
        target.append(next(rows))
        for row in rows:
            if str(row[1] or "").strip() in codes:
                target.append(row)
    book.save(TARGET / name)


if __name__ == "__main__":
    for name, codes in ROWS.items():
        cut(name, codes)
