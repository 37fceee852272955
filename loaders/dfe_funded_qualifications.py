"""DfE list of regulated qualifications approved for public funding (Ofqual snapshot 18/02/2025).

Each row is a regulated qualification, a ``ceterms:Credential`` (and ``sg:LearningAim``) named
``iris.credential_iri("lars-aim", QAN)``: its Ofqual number without slashes is also its LARS
learning aim reference, so LARS, NCS and XCRI-CAP name it alike. It has its QAN (with slashes,
as Ofqual prints it, and without), title, the awarding body's qualification page(s), its level
(``ceterms:atLevel`` → LARS notional NVQ level v2, whose names the list uses), its sector subject
area tier 2 (``ceterms:subject`` → the ``ssa`` code list dfe-lars loads) and its Ofqual
qualification type and subcategory (``sg:qualificationType``, a SKOS list of our own: the source
names them, it has no codes). Each funding offer the row approves (``<offer>_FundingAvailable`` is
True) is an ``sg:FundingApproval`` of the qualification: the stream, its start and end dates and
the source's note. An offer that is False is not in the data: the list is complete, so absence
means not approved for that stream.

Levels and sector subject areas are matched by name (case, punctuation and "&" ignored) against
the dfe-lars files beside this folder (a ``--data-dir`` needs its ``dfe-lars`` folder too);
"Digital technology (practitioners)" and "(users)" are the names after 2020 of SSA 6.1 and 6.2 (DfE's own AODP code: SkillsFundingAgency/das-aodp-web,
ValueObjects/SectorSubjectArea.cs). Awarding organisations are matched by name to LARS awarding
organisation codes the same way (legal suffixes and "(Formerly ...)" ignored; full name first,
then short name, then acronym; an extant organisation preferred): 94 of the 124 names (6,458
qualifications) match and are linked by the IRI dfe-lars gives them; the 30 others (e.g. "WJEC-CBAC", "VTCT Skills") get an organisation of their
own, named by their name (``iris.organisation_code_iri("awarding-organisation-name", ...)``).

No occupation links: the title coder was tried on 40 random titles and most matches were wrong
(qualification titles name subjects, not jobs; see tests/data/dfe-funded-qualifications/
coder-sample.csv). Link qualifications to occupations with a published mapping instead
(``loaders/occupation_mapping.py``).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pyoxigraph import NamedNode, Triple

from skillsgap import iris
from skillsgap.errors import Found, SourceError
from skillsgap.loaders import Source, _ctdl, dfe_lars
from skillsgap.loaders._ctdl import CETERMS, DCT, RDF, SCHEMA, SG, SKOS, Link
from skillsgap.loaders._tables import Row, read_csv

FILE = "approved.csv"
LARS = "dfe-lars"
SOURCE_NAME = "DfE qualifications approved for funding (Ofqual snapshot 18/02/2025)"
QAN = r"\d{7}[0-9X]"  # 3 + 4 digits and a check character, slashes removed
TYPES = "ofqual-qualification-type"
STREAMS = "dfe-funding-stream"
# Funding offers: the column prefix and the stream's name in DfE's AODP service (FundingStream.cs).
OFFERS = {
    "Age1416": "Age 14-16",
    "Age1619": "Age 16-19",
    "LocalFlexibilities": "Local flexibilities",
    "LegalEntitlementL2L3": "Legal entitlement L2 L3",
    "LegalEntitlementEnglishandMaths": "Legal entitlement English and Maths",
    "DigitalEntitlement": "Digital entitlement",
    "LifelongLearningEntitlement": "Lifelong learning entitlement",
    "AdvancedLearnerLoans": "Advanced learner loans",
    "L3FreeCoursesForJobs": "Free courses for jobs (level 3)",
}
OFFER_PARTS = ("FundingAvailable", "FundingApprovalStartDate", "FundingApprovalEndDate", "Notes")
COLUMNS = [
    "DateOfOfqualDataSnapshot",
    "QualificationName",
    "AwardingOrganisation",
    "QualificationNumber",
    "Level",
    "QualificationType",
    "Subcategory",
    "SectorSubjectArea",
    "Status",
    "AwardingOrganisationURL",
    *(f"{offer}_{part}" for offer in OFFERS for part in OFFER_PARTS),
]
# Tier 2 areas renamed since LARS's 2020 list (DfE AODP SectorSubjectArea.cs gives these codes).
SSA_RENAMED = {"digital technology practitioners": "6.1", "digital technology users": "6.2"}
FORMERLY = re.compile(r"\((formerly|trading as)\b[^)]*\)|\(the\)|^the\b|\b(ltd|limited)\b\.?")


def name_key(text: str) -> str:
    """A name folded for matching: case, punctuation and "&" versus "and" ignored."""
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold().replace("&", " and ")))


def organisation_key(text: str) -> str:
    """An organisation's name folded, without legal suffixes or "(Formerly ...)"."""
    return name_key(FORMERLY.sub(" ", text.casefold().strip()))


@dataclass(frozen=True)
class Codes:
    """What the rows are matched against: levels, areas and awarding bodies from dfe-lars."""

    levels: dict[str, tuple[str, str]]  # name key -> (notation, label)
    areas: dict[str, tuple[str, str]]
    organisations: dict[str, tuple[str, str]]  # organisation key -> (LARS code, LARS name)


def read(folder: Path) -> Iterator[Triple]:
    """The code lists, then each approved qualification with its funding approvals."""
    codes = lars_codes(Path(folder).parent / LARS)
    table = read_csv(Path(folder) / FILE, COLUMNS)
    yield from _ctdl.code_list(TYPES, "Ofqual qualification types", f"{SOURCE_NAME}: {FILE}")
    yield from _ctdl.code_list(STREAMS, "DfE funding streams for qualifications", SOURCE_NAME)
    for key, label in OFFERS.items():
        yield from concept(STREAMS, key, label, SG.FundingStream)
    seen: set[str] = set()
    described: set[NamedNode] = set()
    for row in dfe_lars.rows(table):
        yield from qualification(row, codes, seen, described)


# --- The dfe-lars lists the rows are matched against ---------------------------------------------


def lars_codes(folder: Path) -> Codes:
    """Levels, tier 2 areas and awarding organisations from the dfe-lars files in ``folder``."""
    if not folder.is_dir():
        raise SourceError(
            "levels, sector subject areas and awarding bodies are matched against dfe-lars",
            file=str(folder),
            expected=f"a folder {LARS} beside the funded list's folder",
            got=Found("no such folder"),
        )
    levels = named_codes(folder, dfe_lars.LEVEL_V2)
    areas = named_codes(folder, dfe_lars.SSA_TIER_2)
    return Codes(levels, areas, awarding_bodies(folder / dfe_lars.AWARDING_ORGS))


def named_codes(folder: Path, code_list: dfe_lars.CodeList) -> dict[str, tuple[str, str]]:
    """A LARS code list by name key: (notation, label), placeholders left out."""
    code, name = code_list.column(0), code_list.column(1)
    found: dict[str, tuple[str, str]] = {}
    for row in dfe_lars.rows(read_csv(folder / code_list.file, [code, name])):
        value = row.require(code)
        if not re.fullmatch(code_list.skip, value):
            found[name_key(row.get(name))] = (code_list.notation(value), row.get(name))
    return found


def awarding_bodies(path: Path) -> dict[str, tuple[str, str]]:
    """LARS awarding organisations by folded full name, short name or acronym (that order);
    a key two organisations share goes to the extant one, or to neither."""
    columns = ["AwardOrgName", "AwardOrgShortName", "AwardOrgAcronym"]
    table = read_csv(path, ["AwardOrgCode", "AwardOrgNonExtant", *columns])
    records = list(dfe_lars.rows(table))
    found: dict[str, tuple[str, str]] = {}
    for column in columns:
        claims: dict[str, list[Row]] = {}
        for row in records:
            key = organisation_key(row.get(column))
            if key:
                claims.setdefault(key, []).append(row)
        for key, claimants in claims.items():
            extant = [r for r in claimants if r.get("AwardOrgNonExtant") != "Y"] or claimants
            if key not in found and len(extant) == 1:
                found[key] = (extant[0].get("AwardOrgCode"), extant[0].get("AwardOrgName"))
    return found


# --- One qualification ------------------------------------------------------------------------


def qualification(
    row: Row, codes: Codes, seen: set[str], described: set[NamedNode]
) -> Iterator[Triple]:
    """One approved qualification: credential, identifiers, owner, level, area, type, funding."""
    qan = row.require("QualificationNumber", QAN, "an 8-character QAN without slashes")
    if qan in seen:
        raise row.error("QualificationNumber", "a QAN not listed before", qan, "duplicate QAN")
    seen.add(qan)
    row.require("Status", "Approved", "Approved")
    uk_date(row, "DateOfOfqualDataSnapshot", required=True)
    node = iris.credential_iri("lars-aim", qan)
    owner = yield from awarding_body(row, codes, described)
    name = " ".join(row.require("QualificationName", expected="a title").split())
    yield from _ctdl.credential(node, _ctdl.CREDENTIAL, name, owned_by=[owner])
    yield Triple(node, RDF.type, SG.LearningAim)
    yield from _ctdl.identifier(node, "lars-aim", qan)
    yield from _ctdl.identifier(node, "qan", f"{qan[:3]}/{qan[3:7]}/{qan[7]}")
    yield from webpages(row, node)
    yield from aligned(row, node, "Level", CETERMS.atLevel, dfe_lars.LEVELS, codes.levels)
    yield from aligned(row, node, "SectorSubjectArea", CETERMS.subject, _ctdl.SSA, codes.areas)
    yield from qualification_type(row, node, described)
    for offer in OFFERS:
        yield from funding_approval(row, node, offer)


def awarding_body(
    row: Row, codes: Codes, described: set[NamedNode]
) -> Generator[Triple, None, NamedNode]:
    """The awarding organisation's node (returned), described here unless dfe-lars has it."""
    name = row.require("AwardingOrganisation", expected="an awarding organisation")
    key = organisation_key(name)
    if key in codes.organisations:
        code, lars_name = codes.organisations[key]
        node = iris.organisation_code_iri("lars-awarding-org", code)
        if node not in described and name != lars_name:
            yield Triple(node, CETERMS.alternateName, _ctdl.en(name))
    else:
        node = iris.organisation_code_iri("awarding-organisation-name", key.replace(" ", "-"))
        if node not in described:
            yield from _ctdl.organisation(node, name)
            yield from _ctdl.agent_type(node, "CertificationBody", Link.stated(FILE))
    described.add(node)
    return node


def webpages(row: Row, node: NamedNode) -> Iterator[Triple]:
    """The qualification's page(s) at its awarding body (AwardingOrganisationURL; a few cells
    give two addresses on separate lines)."""
    for address in row.get("AwardingOrganisationURL").split():
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", address):
            expected = "web addresses (http or https), separated by white space"
            raise row.error("AwardingOrganisationURL", expected, address)
        yield Triple(node, CETERMS.subjectWebpage, NamedNode(address))


def aligned(
    row: Row,
    node: NamedNode,
    column: str,
    prop: NamedNode,
    framework: _ctdl.Framework,
    known: dict[str, tuple[str, str]],
) -> Iterator[Triple]:
    """A stated alignment to the dfe-lars code whose name the cell gives."""
    text = row.require(column, expected="a name")
    key = name_key(text)
    notation = SSA_RENAMED.get(key) if framework is _ctdl.SSA else None
    if notation is None:
        if key not in known:
            expected = f"a name in {LARS}'s {framework.name}"
            raise row.error(column, expected, text, "unknown code")
        notation = known[key][0]
    target = _ctdl.code_iri(framework.key, notation)
    yield from _ctdl.alignment(node, prop, framework, notation, Link.stated(FILE), target, text)


def qualification_type(row: Row, node: NamedNode, described: set[NamedNode]) -> Iterator[Triple]:
    """The Ofqual qualification type, or its subcategory (a narrower concept of the type)."""
    kind = row.require("QualificationType", expected="a qualification type")
    sub = row.get("Subcategory")
    key = slug(kind)
    target = _ctdl.code_iri(TYPES, key)
    if target not in described:
        described.add(target)
        yield from concept(TYPES, key, kind, SG.QualificationType)
    if sub:
        target = _ctdl.code_iri(TYPES, f"{key}--{slug(sub)}")
        if target not in described:
            described.add(target)
            yield from concept(TYPES, f"{key}--{slug(sub)}", sub, SG.QualificationType, key)
    yield Triple(node, SG.qualificationType, target)


def slug(text: str) -> str:
    return name_key(text).replace(" ", "-")


def concept(
    name: str, key: str, label: str, cls: NamedNode, broader: str | None = None
) -> Iterator[Triple]:
    """A concept of one of our code lists: the source names it but gives it no code."""
    scheme, node = _ctdl.code_list_iri(name), _ctdl.code_iri(name, key)
    yield Triple(node, RDF.type, SKOS.Concept)
    yield Triple(node, RDF.type, cls)
    yield Triple(node, SKOS.inScheme, scheme)
    yield Triple(node, SKOS.prefLabel, _ctdl.en(label))
    if broader is None:
        yield Triple(node, SKOS.topConceptOf, scheme)
        yield Triple(scheme, SKOS.hasTopConcept, node)
    else:
        yield Triple(node, SKOS.broader, _ctdl.code_iri(name, broader))
        yield Triple(_ctdl.code_iri(name, broader), SKOS.narrower, node)


# --- Funding ------------------------------------------------------------------------------------


def funding_approval(row: Row, node: NamedNode, offer: str) -> Iterator[Triple]:
    """The qualification's approval for one funding stream, if the row gives one."""
    available, start_column, end_column, notes = (f"{offer}_{part}" for part in OFFER_PARTS)
    flag = row.require(available, "True|False", "True or False")
    start = uk_date(row, start_column, required=flag == "True")
    end = uk_date(row, end_column)
    if flag == "False":
        if start or end or row.get(notes):
            raise row.error(start_column, "no dates or notes for an offer not available", start)
        return
    if end is not None and start is not None and end < start:
        raise row.error(end_column, f"a date on or after {start.isoformat()}", row.get(end_column))
    approval = iris.part_iri(node, "funding", offer)
    yield Triple(node, SG.fundingApproval, approval)
    yield Triple(approval, RDF.type, SG.FundingApproval)
    yield Triple(approval, SG.fundingStream, _ctdl.code_iri(STREAMS, offer))
    if start is not None:
        yield Triple(approval, SCHEMA.startDate, _ctdl.day(start))
    if end is not None:
        yield Triple(approval, SCHEMA.endDate, _ctdl.day(end))
    if row.get(notes):
        yield Triple(approval, DCT.description, _ctdl.en(row.get(notes)))


def uk_date(row: Row, column: str, required: bool = False) -> date | None:
    """A date written dd/mm/yyyy; None when the cell is empty and not ``required``."""
    text = row.get(column)
    if not text and not required:
        return None
    found = re.fullmatch(r"(\d\d)/(\d\d)/(\d{4})", text)
    try:
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
    except ValueError:
        pass  # well-formed but impossible, such as 31/02/2025
    raise row.error(column, "a date such as 31/07/2026", text)


SOURCE = Source(
    slug="dfe-funded-qualifications",
    title="DfE qualifications approved for public funding (Ofqual snapshot 18 February 2025)",
    holds="8,092 regulated qualifications as CTDL credentials: QAN (= LARS aim reference), "
    "title, awarding body, level, sector subject area, type, and their approvals for nine "
    "DfE funding streams with dates",
    files=(FILE,),
    read=read,
    # Levels, sector subject areas and awarding bodies are dfe-lars's (the shapes check them);
    # dfe-lars's own occupation links need the SOC 2020 groups when its graph is reference data.
    depends_on=("ons-soc2020", LARS),
)
