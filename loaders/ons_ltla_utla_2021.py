"""ONS lower-tier to upper-tier local authority lookup (April 2021), England and Wales.

A secondary source: each district lies within its county (skos:broader, plus a membership of the
2021 lookup); a unitary authority is its own upper tier and needs no link. English areas are
named by dfe-geography-lookups; the Welsh unitary authorities, which it lacks, are named here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any

from pyoxigraph import Triple

from skillsgap.errors import Found, SourceError
from skillsgap.loaders import Source
from skillsgap.loaders._geography import (
    LAD,
    UTLA,
    Link,
    NamedArea,
    code_in,
    introduce,
    link_triples,
    named_area_triples,
    unique,
)
from skillsgap.loaders._tables import Table, read_lines

RECORDS_FILE = "records.json"
FIELDS = ("LTLA21CD", "LTLA21NM", "UTLA21CD", "UTLA21NM")
VINTAGE = 2021
ARRAY = "a JSON array of records (objects)"


def read(folder: Path) -> Iterator[Triple]:
    """District-in-county links of 2021 and the Welsh unitary authorities."""
    areas: dict[str, NamedArea] = {}
    links = []
    for row in record_table(folder / RECORDS_FILE).rows():
        lower = code_in(row, "LTLA21CD", LAD)
        upper = code_in(row, "UTLA21CD", UTLA)
        introduce(areas, lower, row.require("LTLA21NM"), "lad")
        introduce(areas, upper, row.require("UTLA21NM"), "utla")
        if lower != upper:
            links.append(Link(lower, upper, vintage=VINTAGE))
    return unique(
        chain(
            chain.from_iterable(named_area_triples(area) for area in areas.values()),
            chain.from_iterable(link_triples(link) for link in links),
        )
    )


def record_table(path: Path) -> Table:
    """The JSON array of records as a table: record n is row n, its fields are the columns."""
    records = json_records(path)
    cells = [record_cells(path, record, number) for number, record in enumerate(records, 1)]
    return Table(path.name, None, list(FIELDS), 0, cells)


def json_records(path: Path) -> list[Any]:
    """The file's records; a SourceError if it is not a non-empty JSON array."""
    if path.is_file() and not path.read_bytes().strip():
        raise SourceError("empty file", file=path.name, expected=ARRAY, got=Found("nothing"))
    # The shared reader gives the errors for a missing, binary or mis-encoded file.
    text = "\n".join(read_lines(path))
    try:
        records = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})",
            file=path.name,
            expected=ARRAY,
            got=Found(repr(text[exc.pos : exc.pos + 20])),
        ) from None
    if not isinstance(records, list) or not records:
        found = Found(json.dumps(records, ensure_ascii=False)[:60])
        raise SourceError("no records", file=path.name, expected=ARRAY, got=found)
    return records


def record_cells(path: Path, record: Any, number: int) -> list[Any]:
    """One record's values in FIELDS order; a SourceError naming the record and the field."""
    if not isinstance(record, dict):
        raise SourceError(
            "record is not an object",
            file=path.name,
            row=number,
            expected="a JSON object with fields " + ", ".join(FIELDS),
            got=Found(json.dumps(record)[:60]),
        )
    for name in FIELDS:
        if name not in record:
            raise SourceError(
                "record has no such field",
                file=path.name,
                row=number,
                column=name,
                expected=f"a field {name!r}",
                got=Found("fields " + ", ".join(repr(key) for key in record)),
            )
    return [json_cell(record[name]) for name in FIELDS]


def json_cell(value: Any) -> Any:
    """A JSON value as a cell: strings and numbers as they are, anything else as its JSON text."""
    if value is None or isinstance(value, str | int | float):
        return value
    return json.dumps(value)


SOURCE = Source(
    slug="ons-ltla-utla-2021",
    title="ONS Lower Tier Local Authority to Upper Tier Local Authority (April 2021) Lookup",
    holds="Districts within counties (2021) in England and Wales; the Welsh unitary authorities",
    files=(RECORDS_FILE,),
    read=read,
    depends_on=("dfe-geography-lookups",),
)
