"""Cut the committed excerpt of ONS_SOC2010_SOC2020.xlsx from the bundled file (run from repo root).

Keeps the header and whole blocks (a SOC 2010 row with its SOC 2020 rows), cells unchanged.
"""

from pathlib import Path

import openpyxl
import python_calamine

REAL = Path("src/skillsgap/data/ons-soc2010-soc2020-relationship/ONS_SOC2010_SOC2020.xlsx")
OUT = Path("tests/data/ons-soc2010-soc2020-relationship/ONS_SOC2010_SOC2020.xlsx")

BLOCKS = (
    "1115", "1116", "1121",  # the first three blocks
    "1133",  # one group split over three SOC 2020 groups, none by a clear majority on all bases
    "7114",  # a proportion with 19 decimal places (0.0008431703204047217)
    "5212",  # women's LFS base 0, its proportions written as 0
    "5443",  # men's LFS base 0
    "9279",  # the last block
)


def blocks(rows: list[list]) -> list[list]:
    """The header and the rows of the kept blocks, in file order."""
    kept, keeping = [rows[0]], False
    for row in rows[1:]:
        if row[0]:
            keeping = str(row[0])[:4] in BLOCKS
        if keeping and any(cell != "" for cell in row):
            kept.append(row)
    return kept


def main() -> None:
    book = python_calamine.CalamineWorkbook.from_path(str(REAL))
    rows = blocks(book.get_sheet_by_name("Sheet1").to_python())
    out = openpyxl.Workbook()
    sheet = out.active
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append([None if cell == "" else cell for cell in row])
    out.save(OUT)
    print(f"{OUT}: {len(rows) - 1} rows")


if __name__ == "__main__":
    main()
