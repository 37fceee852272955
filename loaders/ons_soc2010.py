"""ONS SOC 2010: the group structure and the coding index of job titles (Index V5.1, 2016).

The workbook lays the hierarchy out one group per row, the code in the column of its level.
Each group's parent follows from its code (1115 is under 111), and the loader checks that the
layout agrees. Index entries point at unit groups; ``}}}}`` in the code column marks the
publisher's cross-reference entries ("- see Adviser"), which point at no group.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import iris
from skillsgap.errors import Found
from skillsgap.loaders import Source, _tables
from skillsgap.namespaces import DCT, OGL, ONS, RDF, RDFS, SG, SKOS, XKOS, XSD

VERSION = "2010"
WORKBOOK = "ONS_index.xls"
STRUCTURE_SHEET = "SOC2010 Structure"
INDEX_SHEET = "SOC2010 Full Index V5"
LEVEL_COLUMNS = ("Major Group", "Sub-Major Group", "Minor Group", "Unit Group")
LEVEL_NAMES = ("major group", "sub-major group", "minor group", "unit group")
TITLE_COLUMN = "Group Title"
RECORD, EXTENSION, CODE = "REC NO", "RECNOEXT", "SOC 2010"
TERM, INDUSTRY, ADDITIONAL, SEE = "INDEXOCC", "IND", "ADD", "SEE"
# The FILE SPEC sheet: "For }}}} See another indexing word or See notes".
CROSS_REFERENCE = "}}}}"
UNIT_DEPTH = 4
SCHEME = iris.soc_scheme_iri(VERSION)
PUBLISHER = ONS
LICENCE = OGL


@dataclass(frozen=True)
class Group:
    """One SOC 2010 group as the structure sheet gives it."""

    code: str
    title: str

    @property
    def depth(self) -> int:
        return len(self.code)

    @property
    def iri(self) -> NamedNode:
        return iris.soc_iri(VERSION, self.code)


def read(folder: Path) -> Iterator[Triple]:
    """The SOC 2010 scheme, levels and groups, then the coding index entries."""
    path = folder / WORKBOOK
    groups = read_structure(path)
    yield from structure_triples(groups)
    yield from index_triples(path, groups)


def structure(folder: Path) -> Iterator[Triple]:
    """Only the scheme, levels and groups: the reference data other sources' shapes point at."""
    yield from structure_triples(read_structure(folder / WORKBOOK))


# --- The structure sheet ---


def read_structure(path: Path) -> dict[str, Group]:
    """The groups by code, in sheet order, each checked to sit under its parent in the layout."""
    table = _tables.read_sheet(path, STRUCTURE_SHEET, (*LEVEL_COLUMNS, TITLE_COLUMN))
    groups: dict[str, Group] = {}
    # The code last seen at each depth: the layout's path down to the current row.
    path_in_layout: list[str] = []
    for row in table.rows():
        group = structure_row(row)
        if group.code in groups:
            raise row.error(level_column(group), "a code not used before", group.code, "duplicate")
        check_parent(row, group, path_in_layout)
        path_in_layout[group.depth - 1 :] = [group.code]
        groups[group.code] = group
    if not groups:
        raise table.error("no groups", expected="SOC 2010 groups", got=Found("no rows"))
    return groups


def structure_row(row: _tables.Row) -> Group:
    """The one group a structure row holds: exactly one level column filled, plus a title."""
    filled = [depth for depth, column in enumerate(LEVEL_COLUMNS, 1) if row.get(column)]
    if len(filled) != 1:
        got = Found(f"{len(filled)} level columns filled")
        raise row.error(None, "a code in exactly one level column", got, "not one group")
    depth = filled[0]
    pattern = "[1-9]" + "[0-9]" * (depth - 1)
    code = row.require(LEVEL_COLUMNS[depth - 1], pattern, f"a {depth}-digit code")
    title = tidy(row.require(TITLE_COLUMN, expected="a group title"))
    return Group(code, title)


def check_parent(row: _tables.Row, group: Group, path_in_layout: list[str]) -> None:
    """A SourceError unless the group above this row in the layout is its code's parent."""
    if group.depth == 1:
        return
    above = path_in_layout[group.depth - 2] if len(path_in_layout) >= group.depth - 1 else None
    if above != group.code[:-1]:
        where = f"under {LEVEL_NAMES[group.depth - 2]} {above}" if above else "with no group above"
        raise row.error(
            level_column(group),
            f"a code starting with the {LEVEL_NAMES[group.depth - 2]} above it ({above})",
            group.code,
            f"group is placed {where} in the layout, not under its parent {group.code[:-1]}",
        )


def level_column(group: Group) -> str:
    return LEVEL_COLUMNS[group.depth - 1]


def tidy(text: str) -> str:
    """Text with runs of whitespace made single spaces (the sheet has stray double spaces)."""
    return re.sub(r"\s+", " ", text).strip()


def sentence_case(title: str) -> str:
    """An upper-case or Title Case group title in sentence case; acronyms (IT, NCOs) kept."""
    if title.isupper():
        return title[:1] + title[1:].lower()
    words = title.split(" ")
    return " ".join([words[0]] + [w.lower() if w[:2].istitle() else w for w in words[1:]])


# --- Structure triples ---


def structure_triples(groups: dict[str, Group]) -> Iterator[Triple]:
    """The concept scheme, its four XKOS levels and every group."""
    yield from scheme_triples(groups)
    yield from level_triples()
    for group in groups.values():
        yield from group_triples(group)


def scheme_triples(groups: dict[str, Group]) -> Iterator[Triple]:
    """The concept scheme, its publisher, source and level list (as SOC 2020's)."""
    yield Triple(SCHEME, RDF.type, SKOS.ConceptScheme)
    yield Triple(SCHEME, SKOS.prefLabel, english("SOC 2010"))
    yield Triple(SCHEME, SKOS.altLabel, english("Standard Occupational Classification 2010"))
    yield Triple(SCHEME, SKOS.notation, Literal("SOC2010"))
    yield Triple(SCHEME, DCT.publisher, PUBLISHER)
    yield Triple(SCHEME, DCT.license, LICENCE)
    yield Triple(SCHEME, DCT.source, english(f"ONS SOC 2010 Index, Version 5.1 ({WORKBOOK})"))
    yield Triple(SCHEME, XKOS.numberOfLevels, positive(len(LEVEL_COLUMNS)))
    for group in groups.values():
        if group.depth == 1:
            yield Triple(SCHEME, SKOS.hasTopConcept, group.iri)
    # xkos:levels is an rdf:List; its cells are minted IRIs, not blank nodes.
    yield Triple(SCHEME, XKOS.levels, iris.soc_level_list_iri(VERSION, 1))
    for depth in range(1, UNIT_DEPTH + 1):
        cell = iris.soc_level_list_iri(VERSION, depth)
        rest = iris.soc_level_list_iri(VERSION, depth + 1) if depth < UNIT_DEPTH else RDF.nil
        yield Triple(cell, RDF.first, iris.soc_level_iri(VERSION, depth))
        yield Triple(cell, RDF.rest, rest)


def level_triples() -> Iterator[Triple]:
    """The four xkos:ClassificationLevels with their depth and code pattern."""
    for depth, name in enumerate(LEVEL_NAMES, 1):
        level = iris.soc_level_iri(VERSION, depth)
        yield Triple(level, RDF.type, XKOS.ClassificationLevel)
        yield Triple(level, SKOS.prefLabel, english(f"SOC 2010 {name}s"))
        yield Triple(level, XKOS.depth, positive(depth))
        yield Triple(level, XKOS.notationPattern, Literal(f"[1-9][0-9]{{{depth - 1}}}"))


def group_triples(group: Group) -> Iterator[Triple]:
    """One group: SKOS concept in the scheme, member of its level, linked to its parent."""
    node = group.iri
    yield Triple(node, RDF.type, SKOS.Concept)
    yield Triple(node, RDF.type, SG.SOC2010Group)
    yield Triple(node, SKOS.prefLabel, english(group.title))
    if group.depth < UNIT_DEPTH and sentence_case(group.title) != group.title:
        yield Triple(node, SKOS.altLabel, english(sentence_case(group.title)))
    yield Triple(node, SKOS.notation, Literal(group.code))
    yield Triple(node, SKOS.inScheme, SCHEME)
    yield Triple(iris.soc_level_iri(VERSION, group.depth), SKOS.member, node)
    if group.depth == 1:
        yield Triple(node, SKOS.topConceptOf, SCHEME)
    else:
        parent = iris.soc_iri(VERSION, group.code[:-1])
        yield Triple(node, SKOS.broader, parent)
        yield Triple(parent, SKOS.narrower, node)


# --- The coding index ---


@dataclass(frozen=True)
class Entry:
    """One row of the coding index."""

    key: str
    term: str
    code: str | None
    industry: str
    additional: str
    see: str

    @property
    def label(self) -> str:
        return " ".join(part for part in (self.term, self.industry, self.additional) if part)


def index_triples(path: Path, groups: dict[str, Group]) -> Iterator[Triple]:
    """Every index entry, then each unit group's distinct index titles as altLabels."""
    table = _tables.read_sheet(
        path, INDEX_SHEET, (RECORD, EXTENSION, CODE, TERM, INDUSTRY, ADDITIONAL, SEE)
    )
    units = {code for code, group in groups.items() if group.depth == UNIT_DEPTH}
    entries = [index_row(row, units) for row in table.rows()]
    if not entries:
        raise table.error("no index entries", expected="job title rows", got=Found("no rows"))
    for entry, node_key in zip(entries, unique_keys(e.key for e in entries), strict=True):
        yield from entry_triples(entry, iris.soc_index_entry_iri(VERSION, node_key))
    yield from title_triples(entries, groups)


def index_row(row: _tables.Row, units: set[str]) -> Entry:
    """One index row, its code checked against the unit groups of the structure sheet."""
    record = row.require(RECORD, r"[0-9]+", "a record number")
    extension = row.require(EXTENSION, r"[0-9]+", "a record number extension")
    code = row.require(
        CODE, r"[0-9]{4}|" + re.escape(CROSS_REFERENCE), f"a unit group or {CROSS_REFERENCE}"
    )
    see = tidy(row.get(SEE))
    if code == CROSS_REFERENCE:
        if not see:
            raise row.error(SEE, f"a see note on a {CROSS_REFERENCE} cross-reference entry", see)
    elif code not in units:
        raise row.error(
            CODE, "a unit group of the SOC2010 Structure sheet", code, "unknown unit group"
        )
    term = tidy(row.require(TERM, expected="a job title"))
    industry, additional = tidy(row.get(INDUSTRY)), tidy(row.get(ADDITIONAL))
    code_or_none = None if code == CROSS_REFERENCE else code
    return Entry(f"{record}-{extension}", term, code_or_none, industry, additional, see)


def unique_keys(keys: Iterable[str]) -> Iterator[str]:
    """Record keys made unique: a repeated record number and extension gets -2, -3... in order."""
    # The publisher reuses four record number/extension pairs for two different job titles each.
    seen: dict[str, int] = {}
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        yield key if seen[key] == 1 else f"{key}-{seen[key]}"


def entry_triples(entry: Entry, node: NamedNode) -> Iterator[Triple]:
    """One index entry: its title, qualifiers, see note and unit group."""
    yield Triple(node, RDF.type, SG.CodingIndexEntry)
    yield Triple(node, RDF.type, SG.SOC2010IndexEntry)
    yield Triple(node, RDFS.label, english(entry.label))
    yield Triple(node, SG.indexTerm, english(entry.term))
    yield Triple(node, DCT.identifier, Literal(entry.key))
    if entry.code:
        yield Triple(node, SG.soc2010, iris.soc_iri(VERSION, entry.code))
    for predicate, text in (
        (SG.industryQualifier, entry.industry),
        (SG.additionalQualifier, entry.additional),
        (SG.seeNote, entry.see),
    ):
        if text:
            yield Triple(node, predicate, english(text))


def title_triples(entries: list[Entry], groups: dict[str, Group]) -> Iterator[Triple]:
    """A unit group's index titles as altLabels, once per spelling ignoring case, not its title."""
    seen = {code: {group.title.casefold()} for code, group in groups.items()}
    for entry in entries:
        if entry.code and entry.term.casefold() not in seen[entry.code]:
            seen[entry.code].add(entry.term.casefold())
            yield Triple(iris.soc_iri(VERSION, entry.code), SKOS.altLabel, english(entry.term))


def english(text: str) -> Literal:
    return Literal(text, language="en")


def positive(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


SOURCE = Source(
    slug="ons-soc2010",
    title="ONS SOC 2010 structure and coding index (Index V5.1, August 2016)",
    holds="SOC 2010 major, sub-major, minor and unit groups as SKOS concepts, and the 28,748 "
    "job titles of the coding index as entries pointing at their unit groups",
    files=(WORKBOOK,),
    read=read,
)
