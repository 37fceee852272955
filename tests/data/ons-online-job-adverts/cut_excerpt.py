"""Cut the test excerpt from the real bundled online job advert files (run from the repository root).

The workbook: every sheet, its title and header rows, and the chosen real rows cell by cell
(values as stored). The CSV files: the header line and the chosen lines, byte for byte. The rows
are those whose areas the committed geography excerpts hold; SOURCE.md says why each is there.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

SOURCE = Path("src/skillsgap/data/ons-online-job-adverts")
TARGET = Path("tests/data/ons-online-job-adverts")
WORKBOOK = "referencetablesupdated.xlsx"

LOCAL = {"Barnsley", "Brighton and Hove", "City of London", "Cornwall", "Hartlepool",
         "Midlothian", "Vale of Glamorgan"}  # fmt: skip
EXCLUDED = {"Allerdale", "Isle of Anglesey"}
REGIONS = {"London", "North East", "Scotland", "Unknown [note 4]", "Wales"}
# Sheet -> (rows above the data, the cell of each data row that names its area, areas kept).
SHEETS = {
    "Cover_sheet": (None, 0, set()),
    "Contents": (None, 0, set()),
    "Notes": (None, 0, set()),
    "1": (4, 0, LOCAL),
    "2": (4, 0, REGIONS),
    "3": (4, 0, REGIONS),
    "4": (3, 0, EXCLUDED),
    "5": (4, 0, REGIONS),
    "6": (4, 1, {"London", "North East"}),
}
VACANCY = {
    "LADU": LOCAL,
    "GOR": {"North East", "Scotland", "Wales"},
    "LSIP": {"Greater London", "Kent and Medway", "Cornwall and the Isles of Scilly"},
    "LEP": {"Black Country", "Buckinghamshire"},
    "MCA": {"South Yorkshire"},
}
PROFESSIONS = {"Administration and Customer Service (other)", "Administrative Personnel",
               "Programmers", "IT R&D Professionals"}  # fmt: skip
PROFESSION_AREAS = {
    "LSIP": {"Kent and Medway", "Greater London", "Unknown"},
    "LEP": {"Black Country"},
    "MCA": {"South Yorkshire"},
    "Country": {"United Kingdom", "England", "Wales", "Scotland", "Unknown"},
}


def cut_workbook() -> None:
    source = openpyxl.load_workbook(SOURCE / WORKBOOK, read_only=True)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (above, cell, areas) in SHEETS.items():
        target = book.create_sheet(name)
        for number, row in enumerate(source[name].iter_rows(values_only=True), 1):
            if above is None or number <= above or row[cell] in areas:
                target.append(row)
    book.save(TARGET / WORKBOOK)


def cut_lines(name: str, keep) -> None:
    lines = (SOURCE / name).read_bytes().splitlines(keepends=True)
    kept = [lines[0], *(line for line in lines[1:] if keep(line.decode("utf-8").split('","')))]
    (TARGET / name).write_bytes(b"".join(kept))


def vacancy(fields: list[str]) -> bool:
    """The fields: year and area, level, value."""
    area = fields[0].split(',"', 1)[1]
    return area in VACANCY.get(fields[1], set())


def profession(fields: list[str]) -> bool:
    """The fields: level, area, summary and detailed category, period, value."""
    level, area, detailed = fields[0].strip('"'), fields[1], fields[3]
    return area in PROFESSION_AREAS.get(level, set()) and detailed in PROFESSIONS


if __name__ == "__main__":
    cut_workbook()
    cut_lines("C_Vacancy_ONS1722.csv", vacancy)
    cut_lines("C_OnsProfDetail.csv", profession)
