"""Cut the test excerpt from the real bundled SOC 2020 workbooks (run from the repository root).

Copies the header and chosen real rows cell by cell (values as stored) into new workbooks with
the same sheet names and header layout. See SOURCE.md for why each row is there.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

SOURCE = Path("src/skillsgap/data/ons-soc2020")
TARGET = Path("tests/data/ons-soc2020")
VOLUME_1 = "soc2020volume1structureanddescriptionofunitgroupsexcel16042025.xlsx"
VOLUME_2 = "soc2020volume2thecodingindexexcel16042025.xlsx"

GROUPS = {
    "1", "11", "111", "1111", "1112", "113", "1132", "116", "1161",
    "2", "24", "243", "2439", "4", "41", "411", "4111", "4112",
    "8", "81", "816", "8160", "9", "92", "926", "9265",
}  # fmt: skip
ENTRIES = {
    "a1aa", "a1ab", "a1ac", "a1ad", "a1ae", "a1az", "a1eb", "a1pc",
    "b1zb", "b6xg", "c9kp", "d9zu",
}  # fmt: skip


def group_code(row: tuple) -> str:
    """The code in whichever of the four level columns holds one."""
    return next(str(int(v)) for v in row[:4] if isinstance(v, int | float))


def copy_rows(sheet, target, keep) -> None:
    """The header row, then the rows ``keep`` accepts, in file order."""
    rows = sheet.iter_rows(values_only=True)
    target.append(next(rows))
    for row in rows:
        if any(v not in (None, "") for v in row) and keep(row):
            target.append(row)


def cut(name: str, sheets: dict) -> None:
    source = openpyxl.load_workbook(SOURCE / name, read_only=True)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet_name, keep in sheets.items():
        copy_rows(source[sheet_name], book.create_sheet(sheet_name), keep)
    book.save(TARGET / name)


if __name__ == "__main__":
    cut(VOLUME_1, {"SOC2020 descriptions": lambda row: group_code(row) in GROUPS})
    cut(
        VOLUME_2,
        {
            "FILE SPEC": lambda row: True,
            "SOC2020 coding index": lambda row: row[0] in ENTRIES,
        },
    )
