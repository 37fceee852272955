"""A published mapping of qualifications and apprenticeship standards to SOC 2020 occupations (CSV).

No UK register says which occupations a qualification or a standard leads to. Whoever has made
such a mapping (an LSIP, a college, IfATE's occupational maps turned into codes) can publish it in
this format and load it through the gate; skillsgap keeps each link with who made it and when.

The format: a UTF-8 CSV file (``.csv``) whose first line is the header, one row per link:

=================  =====================================================================
column             value
=================  =====================================================================
reference_type     ``qualification`` (a LARS learning aim reference; for a regulated
                   qualification its Ofqual number, QAN, with or without slashes:
                   ``6015696X`` or ``601/5696/X``) or ``standard`` (a LARS
                   apprenticeship standard code, a number such as ``2``; IfATE's ST0116
                   is not a LARS code)
reference          the reference itself
soc2020            a SOC 2020 unit group (4 digits, ``2134``), or a minor, sub-major or
                   major group (3, 2 or 1 digits) where the mapping cannot say which unit
source             who published the mapping: a name or a web address
date               when the mapping was made or published: an ISO date, ``2026-11-23``
note               optional: the basis of the link, or anything else worth saying
=================  =====================================================================

No other columns: a misspelt column (``notes``) is an error, not silently dropped. A reference
may have several rows (several occupations); the same reference, group and source twice is an
error. Letter case of ``reference_type`` and spaces around cells are ignored.

Each row becomes a ``ceterms:occupationType`` alignment of the credential
(``iris.credential_iri("lars-aim" | "lars-standard", reference)``) to the SOC 2020 group, marked
``sg:PublishedMapping`` with the source as ``dct:source``, the date as ``ceterms:alignmentDate``
and the note as ``skos:note``. Its IRI includes a digest of the source, so two mappings that link
the same credential to the same group stay two links. The credential itself is not described:
the gate warns (shapes/occupation-mapping.ttl) when no loaded source describes it, and rejects a
link to a SOC 2020 group that does not exist (shapes/ctdl.ttl).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from pyoxigraph import NamedNode, Triple

from skillsgap import iris
from skillsgap.errors import Found, SourceError
from skillsgap.loaders import _ctdl
from skillsgap.loaders._ctdl import CETERMS, SKOS, Framework, Link
from skillsgap.loaders._tables import Row, Table, header_key, read_csv

REQUIRED = ("reference_type", "reference", "soc2020", "source", "date")
OPTIONAL = ("note",)
# reference_type -> the credential IRI scheme, the reference's pattern and what it should look like
REFERENCES = {
    "qualification": (
        "lars-aim",
        r"[0-9A-Z]{8}|\d{3}/\d{4}/[0-9X]",
        "a LARS learning aim reference or QAN: 8 letters or digits, such as 6015696X or 601/5696/X",
    ),
    "standard": (
        "lars-standard",
        r"[1-9]\d*",
        "a LARS standard code: a number such as 2 (an IfATE reference such as ST0116 is not one)",
    ),
}
SOC_GROUP = r"[1-9]\d{0,3}"


def is_occupation_mapping(path: Path) -> bool:
    """Whether ``path`` is a ``.csv`` file whose header has the mapping's columns."""
    if Path(path).suffix.lower() != ".csv":
        return False
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(io.StringIO(handle.readline())), [])
    except (OSError, UnicodeDecodeError):
        return False
    return {header_key(c) for c in REQUIRED} <= {header_key(c) for c in header}


def read_document(path: Path) -> list[Triple]:
    """The mapping's links as triples; a SourceError naming file, row and column for a bad cell."""
    table = read_csv(Path(path), REQUIRED)
    _no_other_columns(table)
    triples: list[Triple] = []
    seen: dict[NamedNode, int] = {}
    for row in table.rows():
        triples.extend(link(row, seen))
    if not seen:
        raise table.error(
            "no links", expected="at least one row below the header", got=Found("none")
        )
    return triples


def _no_other_columns(table: Table) -> None:
    known = {header_key(c) for c in REQUIRED + OPTIONAL}
    other = [c for c in table.header if header_key(c) not in known]
    if other:
        columns = ", ".join(REQUIRED + OPTIONAL)
        raise SourceError(
            "unknown column" + ("s" if len(other) > 1 else ""),
            file=table.file,
            row=table.header_row,
            column=other[0],
            expected=f"only the columns {columns}",
            got=Found(", ".join(repr(c) for c in other)),
        )


def link(row: Row, seen: dict[NamedNode, int]) -> Iterator[Triple]:
    """One row's alignment: the credential, the SOC 2020 group, the source, date and note."""
    credential = credential_of(row)
    soc = row.require("soc2020", SOC_GROUP, "a SOC 2020 group: 1 to 4 digits, such as 2134")
    source = row.require("source", expected="who published the mapping (a name or web address)")
    made = mapping_date(row)
    framework = mapping_framework(source)
    node = iris.alignment_iri(credential, "occupationType", framework.key, soc)
    if node in seen:
        expected = f"one row per reference, group and source (row {seen[node]} has this link)"
        raise row.error("soc2020", expected, soc, "duplicate link")
    seen[node] = row.number
    yield from _ctdl.alignment(
        credential, CETERMS.occupationType, framework, soc, Link.mapping(source), _soc(soc)
    )
    yield Triple(node, CETERMS.alignmentDate, _ctdl.day(made))
    if row.get("note"):
        yield Triple(node, SKOS.note, _ctdl.en(row.get("note")))


def credential_of(row: Row) -> NamedNode:
    """The credential the row's reference names."""
    kind = row.get("reference_type").lower()
    if kind not in REFERENCES:
        raise row.error("reference_type", "qualification or standard", row.get("reference_type"))
    scheme, pattern, expected = REFERENCES[kind]
    reference = row.require("reference", pattern, expected).replace("/", "")
    return iris.credential_iri(scheme, reference)


def mapping_date(row: Row) -> date:
    """The date the mapping was made: an ISO date (yyyy-mm-dd) that exists."""
    text = row.get("date")
    try:
        if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
            return date.fromisoformat(text)
    except ValueError:
        pass  # well-formed but impossible, such as 2025-02-30
    raise row.error("date", "an ISO date such as 2026-11-23", text)


def mapping_framework(source: str) -> Framework:
    """SOC 2020 as one mapping's framework: its key carries a digest of the mapping's source, so
    that links from different mappings get different alignment IRIs."""
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]
    return Framework(f"{_ctdl.SOC2020.key}-mapping-{digest}", _ctdl.SOC2020.iri, _ctdl.SOC2020.name)


def _soc(code: str) -> NamedNode:
    return iris.soc_iri("2020", code)
