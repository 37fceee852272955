"""Cut this excerpt from the bundled workbook: whole rows, real cell values, in file order.

Run from the repository root: python tests/data/nomis-aps-employment-by-occupation/cut_excerpt.py
"""

import openpyxl

SOURCE = "src/skillsgap/data/nomis-aps-employment-by-occupation/nomis_2023_04_24_143000.xlsx"
EXCERPT = "tests/data/nomis-aps-employment-by-occupation/nomis_2023_04_24_143000.xlsx"
# Row numbers in the bundled sheet 'Data' (see SOURCE.md for why each is kept).
KEEP = [
    *range(1, 9),  # 2017 block: title, copyright, blank, date, confidence, blank, header rows
    9, 10, 12, 13, 15, 18, 19, 20, 24, 25, 35, 36, 52,  # England, user-defined LSIP/MCA areas
    79, 94, 95,  # LEPs
    98, 100, 159, 279, 378, 405, 418, 420, 445,  # districts
    *range(459, 469),  # blank, footnotes, blanks
    *range(1870, 1878),  # 2021 block: title to header rows
    1878, 1879, 1893, 1894, 2028, 2148, 2247, 2314,
    *range(2328, 2334),  # blank and footnotes
]

# Not read_only: the workbook lacks a dimension record, so read_only mode sees one cell.
source = openpyxl.load_workbook(SOURCE, data_only=True)["Data"]
book = openpyxl.Workbook()
sheet = book.active
sheet.title = "Data"
for number in KEEP:
    sheet.append([cell.value for cell in source[number]])
book.save(EXCERPT)
