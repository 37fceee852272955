"""DfE/ESFA LARS reference tables (Sept 2020): apprenticeship standards and frameworks as CTDL.

Apprenticeship standards become ``ceterms:ApprenticeshipCertificate`` credentials with their level
(``ceterms:atLevel``), sector subject areas and standard sector (``ceterms:subject``), dates, IfATE
page, version and learning aims (StandardAims). Framework pathways become credentials of the class
their programme type says (apprenticeship, diploma, or plain credential), owned by their issuing
authority. Awarding organisations and issuing authorities are ``ceterms:CredentialOrganization`` s.
The code lists (sector subject areas in two tiers, notional NVQ levels, programme types, learning
aim types, IfATE routes, standard sectors, LearnDirect subject codes) are SKOS concept schemes.

LARS states no occupations: each standard gets up to three SOC 2020 unit groups derived from its
name by skillsgap's title coder (``_occupation_links``), marked derived with the coder's score.
Placeholder codes (negative codes "Unknown"/"Not applicable", level X, LDCS NUL/UUUU/XXXX) are
not codes of anything: they are not loaded and a record coded so gets no link.

Not read: SectorSubjectArea.csv (the two tier files joined), TLevelPathway.csv and
TechnicalRoute.csv (header only in this snapshot), Version.csv (LARS schema versions).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from pyoxigraph import NamedNode, Triple

from skillsgap import iris
from skillsgap.coder import Coder
from skillsgap.errors import Found
from skillsgap.loaders import Source, _ctdl, _occupation_links
from skillsgap.loaders._ctdl import CETERMS, RDF, SG, Framework, Link
from skillsgap.loaders._tables import Row, Table, read_csv

SOURCE_NAME = "LARS (ESFA), September 2020 snapshot"
STANDARDS = "Standard.csv"
STANDARD_AIMS = "StandardAims.csv"
FRAMEWORKS = "Framework.csv"
AWARDING_ORGS = "AwardOrgCode.csv"
ISSUING_AUTHORITIES = "IssuingAuthority.csv"
NEGATIVE = r"-\d+(\.00)?"  # "Unknown", "Not applicable"
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS = {name: number for number, name in enumerate(MONTH_NAMES, 1)}
# Programme types whose framework pathways are apprenticeships or diplomas (from ProgType.csv).
APPRENTICESHIP_TYPES = {"2", "3", "10", "20", "21", "22", "23", "25"}
DIPLOMA_TYPES = {"15", "16", "17", "18"}
FRAMEWORK_CLASSES = dict.fromkeys(APPRENTICESHIP_TYPES, CETERMS.ApprenticeshipCertificate)
FRAMEWORK_CLASSES |= dict.fromkeys(DIPLOMA_TYPES, CETERMS.Diploma)

Codes = dict[str, str]  # notation -> label, per code list


@dataclass(frozen=True)
class CodeList:
    """A LARS list read into a SKOS scheme: its file, code pattern and placeholder codes."""

    name: str
    label: str
    file: str
    pattern: str
    classes: tuple[NamedNode, ...] = (SG.LARSCode,)
    skip: str = NEGATIVE  # placeholder codes: not loaded
    columns: tuple[str, str, str] = ("", "", "")  # code, name, short name; default from the file

    def column(self, which: int) -> str:
        stem = Path(self.file).stem
        return self.columns[which] or stem + ("", "Desc", "Desc2")[which]

    def notation(self, code: str) -> str:
        """A code as written in skillsgap: sector subject areas lose LARS's trailing zeros."""
        return format(Decimal(code).normalize(), "f") if self.name == "ssa" else code


LEVEL, AREA = (SG.QualificationLevel,), (SG.SectorSubjectArea,)
LEVEL_V2 = CodeList(
    "lars-notional-nvq-level-v2",
    "LARS notional NVQ levels, version 2",
    "NotionalNVQLevelv2.csv",
    r"[1-8](\.5)?|[EHMX]",
    LEVEL,
    "X",
)
SECTOR = CodeList(
    "lars-standard-sector", "LARS apprenticeship standard sectors", "StandardSectorCode.csv", r"\d+"
)
PROGRAMME = CodeList("lars-prog-type", "LARS programme types", "ProgType.csv", r"-?\d+")
SSA_TIER_1 = CodeList(
    "ssa", "Sector subject areas", "SectorSubjectAreaTier1.csv", r"-?\d{1,2}\.00", AREA
)
# Tier 2 lists each tier 1 area again as X.00: those rows are the tier 1 areas, not loaded twice.
SSA_TIER_2 = CodeList(
    "ssa", "Sector subject areas", "SectorSubjectAreaTier2.csv", r"-?\d{1,2}\.\d0", AREA, r".*\.00"
)
CODE_LISTS = (
    CodeList(
        "lars-notional-nvq-level",
        "LARS notional NVQ levels",
        "NotionalNVQLevel.csv",
        r"[1-5]|[EHMX]",
        LEVEL,
        "X",
    ),
    LEVEL_V2,
    PROGRAMME,
    SECTOR,
    CodeList("lars-learn-aim-type", "LARS learning aim types", "LearnAimRefType.csv", r"\w\d{3}"),
    CodeList(
        "lars-route",
        "IfATE routes (LARS)",
        "Route.csv",
        r"\d+",
        columns=("RouteId", "RouteName", "RouteShortName"),
    ),
    SSA_TIER_1,
    SSA_TIER_2,
    CodeList(
        "lars-ldcs",
        "LearnDirect classification system (LDCS) subjects",
        "LearnDirectClassSystemCode.csv",
        r"[A-Z]|[A-Z]{2}\.\d*|NUL|UUUU|XXXX",
        skip="NUL|UUUU|XXXX",
    ),
)
LEVELS = Framework(LEVEL_V2.name, _ctdl.code_list_iri(LEVEL_V2.name), LEVEL_V2.label)
SECTORS = Framework(SECTOR.name, _ctdl.code_list_iri(SECTOR.name), SECTOR.label)


def read(folder: Path) -> Iterator[Triple]:
    """The code lists, the organisations, the standards and the framework pathways."""
    known: dict[str, Codes] = {}
    for code_list in CODE_LISTS:
        first = code_list.name not in known
        yield from code_list_triples(folder, code_list, known.setdefault(code_list.name, {}), first)
    yield from awarding_organisations(folder / AWARDING_ORGS)
    authorities: set[str] = set()
    yield from issuing_authorities(folder / ISSUING_AUTHORITIES, authorities)
    standards: set[str] = set()
    coder = _occupation_links.title_coder(folder)
    yield from standard_triples(folder / STANDARDS, known, standards, coder)
    yield from standard_aims(folder / STANDARD_AIMS, standards)
    yield from framework_triples(folder / FRAMEWORKS, known, authorities)


# --- Cells --------------------------------------------------------------------------------------


def rows(table: Table) -> Iterator[Row]:
    """A table's data rows; a SourceError for a row with fewer cells than the header (cut short)."""
    for row in table.rows():
        if len(row.cells) < len(table.header):
            expected = f"{len(table.header)} cells, as the header has"
            raise row.error(None, expected, Found(f"{len(row.cells)} cells"), "line cut short")
        yield row


def new_code(
    row: Row, column: str, pattern: str, seen: set[str] | Codes, expected: str = "a number"
) -> str:
    """The cell's code, matching ``pattern`` and not used by an earlier row."""
    value = row.require(column, pattern, expected)
    unused(row, column, value, seen)
    return value


def unused(row: Row, column: str | None, key: str, seen: set[str] | Codes) -> None:
    """A SourceError if an earlier row used ``key`` already."""
    if key in seen:
        raise row.error(column, "a code not used before in the file", key, "duplicate code")


def lars_date(row: Row, column: str) -> date | None:
    """A LARS date ("01 Aug 2014"), or None when the cell is empty."""
    text = row.get(column)
    if not text:
        return None
    found = re.fullmatch(r"(\d\d) ([A-Z][a-z]{2}) (\d{4})", text)
    try:
        if found and found[2] in MONTHS:
            return date(int(found[3]), MONTHS[found[2]], int(found[1]))
    except ValueError:
        pass  # a well-formed but impossible date, such as 31 Feb 2020
    raise row.error(column, "a date such as 01 Aug 2014", text)


def dates_in_order(row: Row, start_column: str, end_column: str) -> tuple[date, date | None]:
    """A required start date and an optional end date not before it."""
    start = lars_date(row, start_column)
    if start is None:
        raise row.error(start_column, "a date such as 01 Aug 2014", "")
    end = lars_date(row, end_column)
    if end is not None and end < start:
        raise row.error(end_column, f"a date on or after {start.isoformat()}", row.get(end_column))
    return start, end


def yes_no(row: Row, column: str) -> bool | None:
    """Y or N in either case; None when empty."""
    text = row.get(column).upper()
    if text not in ("", "Y", "N"):
        raise row.error(column, "Y or N", row.get(column))
    return None if not text else text == "Y"


def ukprn_in(row: Row, column: str) -> str | None:
    """An 8-digit UKPRN; None where the cell is empty or LARS writes 0 for "none"."""
    if row.get(column) in ("", "0"):
        return None
    return row.require(column, r"\d{8}", "an 8-digit UKPRN, 0 or nothing")


def known_code(row: Row, column: str, code_list: CodeList, codes: Codes) -> str | None:
    """The code under ``column`` as a notation of ``code_list``; None for a placeholder code."""
    value = row.require(column, expected=f"a code of {code_list.label}")
    if re.fullmatch(code_list.skip, value):
        return None
    notation = code_list.notation(value)
    if notation not in codes:
        raise row.error(column, f"a code of {code_list.file}", value, "unknown code")
    return notation


# --- Code lists ---------------------------------------------------------------------------------


def code_list_triples(
    folder: Path, code_list: CodeList, codes: Codes, first: bool
) -> Iterator[Triple]:
    """One LARS file of a code list as SKOS concepts, adding its codes to ``codes``."""
    code, name, short = (code_list.column(i) for i in range(3))
    table = read_csv(folder / code_list.file, [code, name, short])
    source = f"{SOURCE_NAME}: {table.file}"
    if first:
        yield from _ctdl.code_list(code_list.name, code_list.label, source)
    else:
        yield from _ctdl.code_list_source(code_list.name, source)
    for row in rows(table):
        value = row.require(code, code_list.pattern, f"a code matching {code_list.pattern}")
        if re.fullmatch(code_list.skip, value):
            continue
        notation = code_list.notation(value)
        unused(row, code, notation, codes)
        parent = PARENTS.get(code_list.name, no_parent)(row, notation, codes)
        if parent is not None and parent not in codes:
            raise row.error(
                code, f"a code under one listed above it ({parent})", value, "parent not listed"
            )
        codes[notation] = row.require(name, expected="a name")
        labels = [row.get(short)]
        yield from _ctdl.code(
            code_list.name, notation, codes[notation], code_list.classes, parent, labels
        )


def no_parent(_row: Row, _notation: str, _codes: Codes) -> str | None:
    return None


def ssa_parent(_row: Row, notation: str, _codes: Codes) -> str | None:
    """A tier 2 area (6.1) is under its tier 1 area (6)."""
    return notation.split(".")[0] if "." in notation else None


def ldcs_parent(_row: Row, notation: str, codes: Codes) -> str | None:
    """The longest listed code that ``notation`` extends: AB.12 under AB.1, else AB., else A."""
    if len(notation) == 1:
        return None
    shorter = (notation[:cut] for cut in range(len(notation) - 1, 0, -1))
    return next((c for c in shorter if c in codes), notation[0])


def route_parent(row: Row, _notation: str, _codes: Codes) -> str | None:
    """The route a route belongs to (ParentRouteId; 0 for a top route)."""
    parent = row.require("ParentRouteId", r"\d+", "a route number or 0")
    return None if parent == "0" else parent


PARENTS: dict[str, Callable[[Row, str, Codes], str | None]] = {
    "ssa": ssa_parent,
    "lars-ldcs": ldcs_parent,
    "lars-route": route_parent,
}


# --- Organisations --------------------------------------------------------------------------------


def awarding_organisations(path: Path) -> Iterator[Triple]:
    """Awarding organisations: named by their LARS code, with UKPRN, acronym and CTDL type."""
    names = ["AwardOrgName", "AwardOrgShortName", "AwardOrgAcronym"]
    flags = ["AwardOrgNonExtant", "AwardOrgHigherEducationInstitution"]
    table = read_csv(path, ["AwardOrgCode", "AwardOrgUKPRN", *names, *flags])
    seen: set[str] = set()
    stated = Link.stated(table.file)
    for row in rows(table):
        code = new_code(row, "AwardOrgCode", r"[A-Z0-9][A-Z0-9 &-]*", seen, "a code such as AQA")
        seen.add(code)
        node = iris.organisation_code_iri("lars-awarding-org", code)
        name, *others = (row.get(column) for column in names)
        ukprn = ukprn_in(row, "AwardOrgUKPRN")
        yield from _ctdl.organisation(node, row.require(names[0]), ukprn, others)
        yield from _ctdl.identifier(node, "lars-awarding-org", code)
        yield from _ctdl.agent_type(node, "CertificationBody", stated)
        if yes_no(row, "AwardOrgHigherEducationInstitution"):
            yield from _ctdl.agent_type(node, "Postsecondary", stated)
        non_extant = yes_no(row, "AwardOrgNonExtant")
        if non_extant is not None:
            yield Triple(node, SG.nonExtant, _ctdl.boolean(non_extant))


def issuing_authorities(path: Path, codes: set[str]) -> Iterator[Triple]:
    """The bodies (sector skills councils) that issued apprenticeship frameworks."""
    column = "IssuingAuthority"
    table = read_csv(path, [column, column + "Desc", column + "Desc2", column + "UKPRN"])
    for row in rows(table):
        code = new_code(row, column, r"-?\d+", codes)
        if re.fullmatch(NEGATIVE, code):
            continue
        codes.add(code)
        node = iris.organisation_code_iri("lars-issuing-authority", code)
        ukprn = ukprn_in(row, column + "UKPRN")
        short = [row.get(column + "Desc2")]
        yield from _ctdl.organisation(node, row.require(column + "Desc"), ukprn, short)
        yield from _ctdl.identifier(node, "lars-issuing-authority", code)


# --- Standards and frameworks -----------------------------------------------------------------------


def coded(
    node: NamedNode,
    prop: NamedNode,
    framework: Framework,
    notation: str | None,
    codes: Codes,
    file: str,
) -> Iterator[Triple]:
    """A stated alignment of ``node`` to a code of one of the LARS lists (none for a placeholder)."""
    if notation:
        target = _ctdl.code_iri(framework.key, notation)
        yield from _ctdl.alignment(
            node, prop, framework, notation, Link.stated(file), target, codes[notation]
        )


def subjects(row: Row, node: NamedNode, areas: Codes, file: str) -> Iterator[Triple]:
    """A record's sector subject areas, tier 1 and tier 2 (which must lie under it)."""
    tier_1 = known_code(row, "SectorSubjectAreaTier1", SSA_TIER_1, areas)
    tier_2 = known_code(row, "SectorSubjectAreaTier2", SSA_TIER_1, areas)
    if tier_1 and tier_2 and ssa_parent(row, tier_2, areas) != tier_1:
        raise row.error("SectorSubjectAreaTier2", f"a tier 2 area under {tier_1}", tier_2)
    for notation in dict.fromkeys((tier_1, tier_2)):
        yield from coded(node, CETERMS.subject, _ctdl.SSA, notation, areas, file)


def standard_triples(
    path: Path, known: dict[str, Codes], codes: set[str], coder: Coder
) -> Iterator[Triple]:
    """Apprenticeship standards as ceterms:ApprenticeshipCertificate credentials."""
    columns = ["StandardCode", "Version", "StandardName", "StandardSectorCode", "NotionalEndLevel"]
    columns += ["EffectiveFrom", "LastDateStarts", "EffectiveTo", "URLLink"]
    columns += ["SectorSubjectAreaTier1", "SectorSubjectAreaTier2", "IntegratedDegreeStandard"]
    table = read_csv(path, [*columns, "OtherBodyApprovalRequired"])
    for row in rows(table):
        code = new_code(row, "StandardCode", r"\d+", codes)
        codes.add(code)
        node = iris.credential_iri("lars-standard", code)
        yield from standard(row, node, known, table.file)
        source = f"{table.file} StandardName"
        yield from _occupation_links.derived_occupations(
            coder, node, row.get("StandardName"), source
        )


def standard(row: Row, node: NamedNode, known: dict[str, Codes], file: str) -> Iterator[Triple]:
    """One apprenticeship standard."""
    start, end = dates_in_order(row, "EffectiveFrom", "EffectiveTo")
    webpage = row.require("URLLink", r"https?://\S+", "a web address")
    name = row.require("StandardName", expected="a name")
    yield from _ctdl.credential(node, _ctdl.APPRENTICESHIP, name, None, webpage, start, end)
    yield from _ctdl.identifier(node, "lars-standard", row.get("StandardCode"))
    version = row.require("Version", r"\d+", "a version number")
    yield from _ctdl.identifier(node, "lars-version", version, CETERMS.versionIdentifier)
    last_start = lars_date(row, "LastDateStarts")
    if last_start:
        yield Triple(node, SG.lastDateForStarts, _ctdl.day(last_start))
    levels, sectors = known[LEVELS.key], known[SECTORS.key]
    level = known_code(row, "NotionalEndLevel", LEVEL_V2, levels)
    yield from coded(node, CETERMS.atLevel, LEVELS, level, levels, file)
    sector = known_code(row, "StandardSectorCode", SECTOR, sectors)
    yield from coded(node, CETERMS.subject, SECTORS, sector, sectors, file)
    yield from subjects(row, node, known["ssa"], file)
    flags = (
        ("IntegratedDegreeStandard", SG.integratedDegree),
        ("OtherBodyApprovalRequired", SG.otherBodyApprovalRequired),
    )
    for column, predicate in flags:
        answer = yes_no(row, column)
        if answer is not None:
            yield Triple(node, predicate, _ctdl.boolean(answer))


def standard_aims(path: Path, standards: set[str]) -> Iterator[Triple]:
    """Each standard's LARS learning aims (sg:learningAim), as sg:LearningAim nodes."""
    described: set[NamedNode] = set()
    for row in rows(read_csv(path, ["StandardCode", "LearnAimRef"])):
        code = row.require("StandardCode", r"\d+", "a number")
        if code not in standards:
            raise row.error("StandardCode", f"a standard of {STANDARDS}", code, "unknown standard")
        ref = row.require("LearnAimRef", r"[A-Z0-9]{8}", "an 8-character learning aim reference")
        aim = iris.credential_iri("lars-aim", ref)
        yield Triple(iris.credential_iri("lars-standard", code), SG.learningAim, aim)
        if aim not in described:  # several standards share an aim
            described.add(aim)
            yield Triple(aim, RDF.type, SG.LearningAim)
            yield from _ctdl.identifier(aim, "lars-aim", ref)


def framework_triples(
    path: Path, known: dict[str, Codes], authorities: set[str]
) -> Iterator[Triple]:
    """Apprenticeship framework pathways, each a credential of its programme type's class."""
    keys = ["FworkCode", "ProgType", "PwayCode"]
    columns = ["PathwayName", "NASTitle", "IssuingAuthorityTitle", "IssuingAuthority"]
    columns += ["EffectiveFrom", "EffectiveTo", "SectorSubjectAreaTier1", "SectorSubjectAreaTier2"]
    table = read_csv(path, [*keys, *columns])
    seen: set[str] = set()
    for row in rows(table):
        key = "-".join(row.require(column, r"\d+", "a number") for column in keys)
        unused(row, None, key, seen)
        seen.add(key)
        node = iris.credential_iri("lars-framework", key)
        yield from framework(row, node, known, authorities, table.file)
        yield from _ctdl.identifier(node, "lars-framework", key)


def framework(
    row: Row, node: NamedNode, known: dict[str, Codes], authorities: set[str], file: str
) -> Iterator[Triple]:
    """One framework pathway."""
    programme = known_code(row, "ProgType", PROGRAMME, known[PROGRAMME.name])
    start, end = dates_in_order(row, "EffectiveFrom", "EffectiveTo")
    authority = row.require("IssuingAuthority", r"-?\d+", "a number")
    if not re.fullmatch(NEGATIVE, authority) and authority not in authorities:
        expected = f"an authority of {ISSUING_AUTHORITIES}"
        raise row.error("IssuingAuthority", expected, authority, "unknown code")
    owners = [iris.organisation_code_iri("lars-issuing-authority", a) for a in [authority]]
    owners = [] if re.fullmatch(NEGATIVE, authority) else owners
    names = [row.get("NASTitle"), row.get("PathwayName")]
    title = row.require("IssuingAuthorityTitle", expected="a title")
    cls = FRAMEWORK_CLASSES.get(programme or "", _ctdl.CREDENTIAL)
    yield from _ctdl.credential(node, cls, title, None, None, start, end, names, owners)
    if programme:
        yield Triple(node, SG.programmeType, _ctdl.code_iri(PROGRAMME.name, programme))
    yield from subjects(row, node, known["ssa"], file)


SOURCE = Source(
    slug="dfe-lars",
    title="DfE/ESFA Learning Aim Reference Service (LARS) reference tables, September 2020",
    holds="589 apprenticeship standards and 1,437 framework pathways as CTDL credentials, "
    "502 awarding organisations, sector subject areas, levels and other LARS code lists",
    files=(
        STANDARDS,
        STANDARD_AIMS,
        FRAMEWORKS,
        AWARDING_ORGS,
        ISSUING_AUTHORITIES,
        *(code_list.file for code_list in CODE_LISTS),
    ),
    read=read,
    # The derived occupation links point at SOC 2020 groups, coded from its workbooks.
    depends_on=("ons-soc2020",),
)
