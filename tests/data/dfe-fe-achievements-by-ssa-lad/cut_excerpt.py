"""Cut the committed excerpt: the header and chosen real lines, byte for byte, in file order."""

import csv
from collections.abc import Callable
from pathlib import Path

SRC = Path("src/skillsgap/data/dfe-fe-achievements-by-ssa-lad")
OUT = Path("tests/data/dfe-fe-achievements-by-ssa-lad")
SOME_DISTRICTS = ("E06000001", "E06000052", "E06000043", "E07000112")  # Hartlepool, Cornwall...


def keep_ssa(r: dict[str, str]) -> bool:
    """Allerdale whole; a few SSAs of Barnsley, City of London, England, North East and z."""
    code, ssa = r["location_code"], r["ssa_t1_desc"]
    chosen = {
        "E08000016": ("Total", "Arts, Media and Publishing", "Education and Training"),
        "E09000001": ("Total", "Social Sciences", "Information and Communication Technology"),
        "E92000001": ("Total", "History, Philosophy and Theology"),
        "E12000001": ("Total", "History, Philosophy and Theology"),
        "z": ("Total", "History, Philosophy and Theology"),
    }
    chosen |= dict.fromkeys(SOME_DISTRICTS, ("Total",))
    return code == "E07000026" or ssa in chosen.get(code, ())


def keep_provision(r: dict[str, str]) -> bool:
    """First and part year of England and Hartlepool; the ~ year of City of London; a few more."""
    code, year, kind = r["location_code"], r["time_period"], r["level_or_type"]
    return (
        (code in ("E92000001", "E06000001") and year in ("201617", "202122"))
        or (code == "E09000001" and year == "201819")
        or (code == "E07000026" and year == "202122")
        or (code in ("E12000001", "z") and year == "201617" and kind.startswith("Apprenticeships"))
        or (
            code in (*SOME_DISTRICTS[1:], "E08000016")
            and year in ("201819", "202122")
            and kind.startswith("Education")
        )
    )


def cut(name: str, keep: Callable[[dict[str, str]], bool]) -> None:
    lines = (SRC / name).read_bytes().splitlines(keepends=True)
    header = next(csv.reader([lines[0].decode("utf-8-sig")]))
    kept = [lines[0]]
    for line in lines[1:]:
        if keep(dict(zip(header, next(csv.reader([line.decode()])), strict=True))):
            kept.append(line)
    (OUT / name).write_bytes(b"".join(kept))


if __name__ == "__main__":
    cut("FEAchSSAAug21-Apr22.csv", keep_ssa)
    cut("permalink-3960ad0f-fd8a-49bb-91d7-f3ca1181b93f.csv", keep_provision)
