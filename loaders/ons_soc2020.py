"""ONS SOC 2020: Volume 1 (groups and descriptions) and Volume 2 (the coding index) as SKOS/XKOS.

Every group of the four levels becomes a ``skos:Concept`` with its description, tasks and
related job titles; every coding-index job title becomes an ``sg:CodingIndexEntry`` that links
it to its SOC 2020 unit group, its SOC 2010 unit group and its ISCO-08 group, so the index is
also a title-level crosswalk. Titles also become ``skos:altLabel``s of their unit group.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import iris
from skillsgap.errors import Found
from skillsgap.loaders import Source
from skillsgap.loaders._tables import Row, clean, read_sheet
from skillsgap.namespaces import DCT, OGL, ONS, RDF, RDFS, SG, SKOS, XKOS, XSD

VERSION = "2020"
VOLUME_1 = "soc2020volume1structureanddescriptionofunitgroupsexcel16042025.xlsx"
VOLUME_2 = "soc2020volume2thecodingindexexcel16042025.xlsx"
DESCRIPTIONS = "SOC2020 descriptions"
CODING_INDEX = "SOC2020 coding index"
FILE_SPEC = "FILE SPEC"

# Volume 1 puts each group's code in the column of its level, the other three say <blank>.
LEVEL_COLUMNS = (
    "SOC 2020 Major Group",
    "SOC 2020 Sub-Major Group",
    "SOC 2020 Minor Group",
    "SOC 2020 Unit Group",
)
LEVEL_NAMES = ("Major groups", "Sub-major groups", "Minor groups", "Unit groups")
TITLE = "SOC 2020 Group Title"
DESCRIPTION = "Group Description"
ENTRY_ROUTES = "Typical Entry Routes And Associated Qualifications"
TASKS = "Tasks"
JOB_TITLES = "Related Job Titles"

UNIQUE_ID = "UNIQUE ID"
SOC_2010 = "SOC_2010"
SOC_2020 = "SOC_2020"
EXTENSION = "SOC_2020_ext"
INDEX_TERM = "INDEXOCC"
QUALIFIERS = {"ADD": SG.additionalQualifier, "IND": SG.industryQualifier, "SEE": SG.seeNote}
ISCO_08 = "ISCO-08 code based on SOC2020"
EXTENSION_TITLE = "SOC2020_ext_SUG_title"
NATURAL_TITLE = "INDEXOCC_-_natural_word_order"
INDEX_COLUMNS = (UNIQUE_ID, SOC_2010, SOC_2020, EXTENSION, INDEX_TERM, *QUALIFIERS, ISCO_08)
INDEX_COLUMNS += (EXTENSION_TITLE, NATURAL_TITLE)
SPEC_COLUMNS = ("Field Name", "Type", "Range of values", "Description")

# The coding index writes "}}}}" (or "}}}}/}}") where a title has no code in that classification.
NO_CODE = re.compile(r"\}+(/\}+)?")
UNIT_CODE = r"\d{4}"
EXTENSION_CODE = r"\d{4}/\d{2}"
PUBLISHER = ONS
LICENCE = OGL


@dataclass(frozen=True)
class Group:
    """One Volume 1 group at any level, with its row for error messages."""

    code: str
    title: str
    description: str
    entry_routes: str
    tasks: tuple[str, ...]
    job_titles: tuple[str, ...]
    row: Row = field(repr=False, compare=False)

    @property
    def depth(self) -> int:
        return len(self.code)

    @property
    def parent(self) -> str:
        return self.code[:-1]


@dataclass(frozen=True)
class IndexEntry:
    """One job title of the Volume 2 coding index."""

    unique_id: str
    index_term: str
    title: str
    qualifiers: dict[str, str]
    soc2020: str | None
    extension: str | None
    extension_title: str
    soc2010: str | None
    isco08: str | None


def read(folder: Path) -> Iterator[Triple]:
    """Both volumes as one graph: the scheme, its levels, the groups and the coding index."""
    groups = read_groups(folder / VOLUME_1)
    entries = read_index(folder / VOLUME_2)
    version = coding_index_version(folder / VOLUME_2)
    labels = alt_labels(groups, entries)
    yield from scheme_triples(groups, version)
    yield from level_triples(groups)
    for group in groups:
        yield from group_triples(group, labels.get(group.code, ()))
    for entry in entries:
        yield from entry_triples(entry)


# --- Volume 1 -------------------------------------------------------------------------------


def read_groups(path: Path) -> list[Group]:
    """Volume 1's groups in file order; a SourceError for bad codes or a missing parent."""
    table = read_sheet(path, DESCRIPTIONS, (*LEVEL_COLUMNS, TITLE, DESCRIPTION, TASKS, JOB_TITLES))
    groups: list[Group] = []
    first_row: dict[str, int] = {}
    for row in table.rows():
        group = read_group(row)
        if group.code in first_row:
            raise row.error(
                _code_column(group),
                "a group code not used before",
                group.code,
                f"duplicate group code (first at row {first_row[group.code]})",
            )
        first_row[group.code] = row.number
        groups.append(group)
    check_parents(groups)
    return groups


def read_group(row: Row) -> Group:
    """One Volume 1 row as a group."""
    return Group(
        code=group_code(row),
        title=row.require(TITLE, expected="a group title"),
        description=row.get(DESCRIPTION),
        entry_routes=row.get(ENTRY_ROUTES),
        tasks=list_items(row.get(TASKS)),
        job_titles=list_items(row.get(JOB_TITLES)),
        row=row,
    )


def group_code(row: Row) -> str:
    """The row's code, from the one level column that has one; its digits give its level."""
    filled = [(depth, column) for depth, column in enumerate(LEVEL_COLUMNS, 1) if row.get(column)]
    if len(filled) != 1:
        codes = ", ".join(f"{row.table.display_name(c)!r}={row.get(c)!r}" for _, c in filled)
        raise row.error(
            None, "a code in exactly one of the four group columns", Found(codes or "none")
        )
    depth, column = filled[0]
    return row.require(column, rf"[1-9]\d{{{depth - 1}}}", f"a {depth}-digit SOC 2020 code")


def check_parents(groups: list[Group]) -> None:
    """A SourceError naming the first group whose parent group is not in the file."""
    codes = {group.code for group in groups}
    for group in groups:
        if group.depth > 1 and group.parent not in codes:
            raise group.row.error(
                _code_column(group),
                f"a group whose parent {group.parent} is in the file",
                group.code,
                "parent group not in the file",
            )


def _code_column(group: Group) -> str:
    return LEVEL_COLUMNS[group.depth - 1]


def list_items(text: str) -> tuple[str, ...]:
    """A Volume 1 list cell ("~item" paragraphs) as its items, without the "~" and whitespace."""
    items = re.split(r"(?m)^\s*~", text)
    return tuple(item.strip() for item in items if item.strip())


# --- Volume 2 -------------------------------------------------------------------------------


def read_index(path: Path) -> list[IndexEntry]:
    """The coding index's job titles in file order; a SourceError for bad codes or repeated ids."""
    table = read_sheet(path, CODING_INDEX, INDEX_COLUMNS)
    entries: list[IndexEntry] = []
    first_row: dict[str, int] = {}
    for row in table.rows():
        entry = read_entry(row)
        if entry.unique_id in first_row:
            raise row.error(
                UNIQUE_ID,
                "an id not used before",
                entry.unique_id,
                f"duplicate UNIQUE ID (first at row {first_row[entry.unique_id]})",
            )
        first_row[entry.unique_id] = row.number
        entries.append(entry)
    return entries


def read_entry(row: Row) -> IndexEntry:
    """One coding-index row as an entry."""
    return IndexEntry(
        unique_id=row.require(UNIQUE_ID, r"[a-z0-9]+", "an id of lower-case letters and digits"),
        index_term=row.require(INDEX_TERM, expected="a job title"),
        title=row.require(NATURAL_TITLE, expected="a job title"),
        qualifiers={column: row.get(column) for column in QUALIFIERS if row.get(column)},
        soc2020=optional_code(row, SOC_2020, UNIT_CODE, "a 4-digit SOC 2020 code or }}}}"),
        extension=optional_code(row, EXTENSION, EXTENSION_CODE, "a code like 2439/99 or }}}}/}}"),
        extension_title=row.get(EXTENSION_TITLE),
        soc2010=optional_code(row, SOC_2010, UNIT_CODE, "a 4-digit SOC 2010 code or }}}}"),
        isco08=optional_code(row, ISCO_08, UNIT_CODE, "a 4-digit ISCO-08 code or }}}}"),
    )


def optional_code(row: Row, column: str, pattern: str, expected: str) -> str | None:
    """The code under ``column``; None where the index says "no code" (}}}})."""
    value = row.require(column, expected=expected)
    if NO_CODE.fullmatch(value):
        return None
    if not re.fullmatch(pattern, value):
        raise row.error(column, expected, value)
    return value


def coding_index_version(path: Path) -> str:
    """The coding index version ("Version 12") stated above the FILE SPEC field table."""
    spec = read_sheet(path, FILE_SPEC, SPEC_COLUMNS)
    for raw in spec.raw_rows[: spec.header_row]:
        for cell in raw:
            found = re.match(r"Version \d+", clean(cell))
            if found:
                return found.group()
    raise spec.error("no coding index version", "a line such as 'Version 12: ...'", Found("none"))


def alt_labels(groups: Iterable[Group], entries: Iterable[IndexEntry]) -> dict[str, list[str]]:
    """Each group's job titles, Volume 1's first, once per spelling ignoring case, never its title."""
    seen = {group.code: {group.title.casefold()} for group in groups}
    labels: dict[str, list[str]] = {code: [] for code in seen}
    candidates = [(group.code, title) for group in groups for title in group.job_titles]
    candidates += [(entry.soc2020, entry.title) for entry in entries if entry.soc2020]
    for code, title in candidates:
        # An index code that is not a Volume 1 group gets no labels; the gate rejects its entry.
        if code in seen and title.casefold() not in seen[code]:
            seen[code].add(title.casefold())
            labels[code].append(title)
    return labels


# --- Triples --------------------------------------------------------------------------------

SCHEME = iris.soc_scheme_iri(VERSION)


def _en(text: str) -> Literal:
    return Literal(text, language="en")


def _positive(number: int) -> Literal:
    return Literal(str(number), datatype=XSD.integer)


def scheme_triples(groups: list[Group], index_version: str) -> Iterator[Triple]:
    """The concept scheme, its publisher, sources and level list."""
    yield Triple(SCHEME, RDF.type, SKOS.ConceptScheme)
    yield Triple(SCHEME, SKOS.prefLabel, _en("SOC 2020"))
    yield Triple(SCHEME, SKOS.altLabel, _en("Standard Occupational Classification 2020"))
    yield Triple(SCHEME, SKOS.notation, Literal("SOC2020"))
    yield Triple(SCHEME, DCT.publisher, PUBLISHER)
    yield Triple(SCHEME, DCT.license, LICENCE)
    volume_1 = f"ONS SOC 2020 Volume 1: structure and descriptions of unit groups ({VOLUME_1})"
    volume_2 = f"ONS SOC 2020 Volume 2: the coding index, {index_version} ({VOLUME_2})"
    yield Triple(SCHEME, DCT.source, _en(volume_1))
    yield Triple(SCHEME, DCT.source, _en(volume_2))
    yield Triple(SCHEME, XKOS.numberOfLevels, _positive(len(LEVEL_COLUMNS)))
    for group in groups:
        if group.depth == 1:
            yield Triple(SCHEME, SKOS.hasTopConcept, iris.soc_iri(VERSION, group.code))
    yield from level_list_triples()


def level_list_triples() -> Iterator[Triple]:
    """xkos:levels as an rdf:List whose cells are minted IRIs, not blank nodes."""
    deepest = len(LEVEL_COLUMNS)
    yield Triple(SCHEME, XKOS.levels, iris.soc_level_list_iri(VERSION, 1))
    for depth in range(1, deepest + 1):
        cell = iris.soc_level_list_iri(VERSION, depth)
        rest = iris.soc_level_list_iri(VERSION, depth + 1) if depth < deepest else RDF.nil
        yield Triple(cell, RDF.first, iris.soc_level_iri(VERSION, depth))
        yield Triple(cell, RDF.rest, rest)


def level_triples(groups: list[Group]) -> Iterator[Triple]:
    """The four xkos:ClassificationLevels with their depth, code pattern and members."""
    for depth, name in enumerate(LEVEL_NAMES, 1):
        level = iris.soc_level_iri(VERSION, depth)
        yield Triple(level, RDF.type, XKOS.ClassificationLevel)
        yield Triple(level, SKOS.prefLabel, _en(f"SOC 2020 {name.lower()}"))
        yield Triple(level, XKOS.depth, _positive(depth))
        yield Triple(level, XKOS.notationPattern, Literal("[1-9]" + "[0-9]" * (depth - 1)))
    for group in groups:
        member = iris.soc_iri(VERSION, group.code)
        yield Triple(iris.soc_level_iri(VERSION, group.depth), SKOS.member, member)


def group_triples(group: Group, alt_labels: Iterable[str]) -> Iterator[Triple]:
    """One group: its code, labels, place in the hierarchy and its Volume 1 texts."""
    concept = iris.soc_iri(VERSION, group.code)
    yield Triple(concept, RDF.type, SKOS.Concept)
    yield Triple(concept, RDF.type, SG.SOC2020Group)
    yield Triple(concept, SKOS.notation, Literal(group.code))
    yield Triple(concept, SKOS.prefLabel, _en(group.title))
    yield Triple(concept, SKOS.inScheme, SCHEME)
    if group.depth == 1:
        yield Triple(concept, SKOS.topConceptOf, SCHEME)
    else:
        parent = iris.soc_iri(VERSION, group.parent)
        yield Triple(concept, SKOS.broader, parent)
        yield Triple(parent, SKOS.narrower, concept)
    texts = [(SKOS.definition, group.description), (SG.typicalEntryRoutes, group.entry_routes)]
    texts += [(SG.task, task) for task in group.tasks]
    # Volume 1's related job titles by their own name too: the title coder weighs them apart.
    texts += [(SG.relatedJobTitle, title) for title in group.job_titles]
    texts += [(SKOS.altLabel, label) for label in alt_labels]
    for predicate, text in texts:
        if text:
            yield Triple(concept, predicate, _en(text))


# Made once, not per entry: the index has 32,195 entries.
ENTRY_CLASSES = (SG.CodingIndexEntry, SG.SOC2020IndexEntry)
TYPE, LABEL, TERM = RDF.type, RDFS.label, SG.indexTerm
CODE_LINKS = ((SG.soc2020, VERSION), (SG.soc2010, "2010"), (SG.isco08, "ISCO-08"))


@cache
def code_iri(classification: str, code: str) -> NamedNode:
    """The IRI of a group of SOC 2020, SOC 2010 or ISCO-08 ("ISCO-08"), made once per code."""
    if classification == "ISCO-08":
        return iris.isco_iri(code)
    return iris.soc_iri(classification, code)


def entry_triples(entry: IndexEntry) -> Iterator[Triple]:
    """One coding-index title with its qualifiers and its codes in each classification."""
    node = iris.soc_index_entry_iri(VERSION, entry.unique_id)
    yield from (Triple(node, TYPE, cls) for cls in ENTRY_CLASSES)
    yield Triple(node, LABEL, _en(entry.title))
    yield Triple(node, TERM, _en(entry.index_term))
    for column, text in entry.qualifiers.items():
        yield Triple(node, QUALIFIERS[column], _en(text))
    codes = (entry.soc2020, entry.soc2010, entry.isco08)
    for (predicate, classification), code in zip(CODE_LINKS, codes, strict=True):
        if code:
            yield Triple(node, predicate, code_iri(classification, code))
    if entry.extension:
        yield Triple(node, SG.soc2020Extension, Literal(entry.extension))
        if entry.extension_title and not NO_CODE.fullmatch(entry.extension_title):
            yield Triple(node, SG.soc2020ExtensionTitle, _en(entry.extension_title))


SOURCE = Source(
    slug="ons-soc2020",
    title="ONS Standard Occupational Classification 2020 (Volumes 1 and 2)",
    holds="SOC 2020 groups at four levels with descriptions and tasks; 32,195 coding-index "
    "job titles with their SOC 2020, SOC 2010 and ISCO-08 codes",
    files=(VOLUME_1, VOLUME_2),
    read=read,
)
