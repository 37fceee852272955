"""Every IRI pattern skillsgap mints, one function each; loaders and query parameters share them."""

from __future__ import annotations

from urllib.parse import quote

from pyoxigraph import NamedNode

from skillsgap.namespaces import GRAPH, ID, ISCO, STATENTITY, STATGEO


def _segment(value: str) -> str:
    return quote(value.strip(), safe="")


def graph_iri(slug: str) -> NamedNode:
    """The named graph holding one source."""
    return GRAPH[_segment(slug)]


LOADS_GRAPH = GRAPH["loads"]


def file_graph_iri(file_name: str) -> NamedNode:
    """The default named graph for triples from a user's own RDF file."""
    return GRAPH[f"file/{_segment(file_name)}"]


def load_iri(slug: str, stamp: str) -> NamedNode:
    """One load of one source; ``stamp`` is a compact UTC time such as 20261122T220102.123Z."""
    return ID[f"load/{_segment(slug)}/{_segment(stamp)}"]


def file_iri(sha256: str) -> NamedNode:
    """A source file, identified by its content."""
    return ID[f"file/sha256/{sha256}"]


def soc_scheme_iri(version: str) -> NamedNode:
    """The SOC concept scheme of one version: "2020" or "2010"."""
    return ID[f"soc{version}"]


def soc_iri(version: str, code: str) -> NamedNode:
    """A SOC group of any level, by its code: soc_iri("2020", "2133")."""
    return ID[f"soc{version}/{_segment(code)}"]


SOC_LEVELS = ("major-group", "sub-major-group", "minor-group", "unit-group")


def soc_level_iri(version: str, depth: int) -> NamedNode:
    """The xkos:ClassificationLevel of SOC groups with ``depth`` digits (1 to 4)."""
    return ID[f"soc{version}/level/{SOC_LEVELS[depth - 1]}"]


def soc_index_entry_iri(version: str, record: str) -> NamedNode:
    """One job title of the ONS coding index, by its stable identifier (SOC 2020: UNIQUE ID)."""
    return ID[f"soc{version}/index/{_segment(record)}"]


def soc_crosswalk_iri(from_code: str, to_code: str) -> NamedNode:
    """The weighted SOC 2010 to SOC 2020 link between two unit groups."""
    return ID[f"soc2010-soc2020/{_segment(from_code)}-{_segment(to_code)}"]


def isco_iri(code: str) -> NamedNode:
    """An ISCO-08 group, as ESCO publishes it."""
    return ISCO[_segment(code)]


def sic_scheme_iri() -> NamedNode:
    """The UK SIC 2007 concept scheme."""
    return ID["sic2007"]


def sic_iri(code: str) -> NamedNode:
    """A UK SIC 2007 section (letter), division, group, class or subclass (digits)."""
    return ID[f"sic2007/{_segment(code)}"]


def area_iri(gss_code: str) -> NamedNode:
    """An ONS statistical geography by GSS code: area_iri("E69000012")."""
    return STATGEO[_segment(gss_code)]


def area_type_iri(entity_code: str) -> NamedNode:
    """An ONS statistical entity (area type) by its code prefix: "E12" regions, "E69" LSIPs."""
    return STATENTITY[_segment(entity_code)]


def area_scheme_iri(kind: str) -> NamedNode:
    """A SKOS scheme of areas of one kind, e.g. "lsip", "region", "lad"."""
    return ID[f"geography/{_segment(kind)}"]


def sic_level_iri(level: str) -> NamedNode:
    """The xkos:ClassificationLevel of UK SIC 2007 codes of one level: "section" or "subclass"."""
    return ID[f"sic2007/level/{_segment(level)}"]


def soc_level_list_iri(version: str, depth: int) -> NamedNode:
    """The rdf:List cell of the scheme's xkos:levels whose rdf:first is the level of ``depth``."""
    return ID[f"soc{version}/levels/{depth}"]


def soc_crosswalk_basis_scheme_iri() -> NamedNode:
    """The SKOS scheme of the samples (men/women x LFS/Census) of the SOC 2010 to 2020 crosswalk."""
    return ID["soc2010-soc2020/basis"]


def soc_crosswalk_basis_iri(basis: str) -> NamedNode:
    """One sample basis of the SOC 2010 to 2020 crosswalk: "men-lfs", "women-census"..."""
    return ID[f"soc2010-soc2020/basis/{_segment(basis)}"]


def soc_crosswalk_sample_iri(from_code: str, basis: str) -> NamedNode:
    """The dual-coded sample of one SOC 2010 unit group on one basis, holding its base."""
    return ID[f"soc2010-soc2020/{_segment(from_code)}/{_segment(basis)}"]


def soc_crosswalk_weight_iri(from_code: str, to_code: str, basis: str) -> NamedNode:
    """The proportion of one basis's sample on one SOC 2010 to SOC 2020 link."""
    return ID[f"soc2010-soc2020/{_segment(from_code)}-{_segment(to_code)}/{_segment(basis)}"]


def area_membership_iri(member_code: str, container_code: str) -> NamedNode:
    """That one area lies within another, with the years sources list it: E07000026 in E10000006."""
    return ID[f"area-membership/{_segment(member_code)}/{_segment(container_code)}"]


# --- Statistics (RDF Data Cube) ---


def dataset_iri(slug: str, table: str) -> NamedNode:
    """A qb:DataSet: one published table of one source."""
    return ID[f"dataset/{_segment(slug)}/{_segment(table)}"]


def structure_iri(name: str) -> NamedNode:
    """A qb:DataStructureDefinition, shared by the tables of one shape."""
    return ID[f"structure/{_segment(name)}"]


def component_iri(structure: str, component: str) -> NamedNode:
    """A qb:ComponentSpecification of one structure."""
    return ID[f"structure/{_segment(structure)}/{_segment(component)}"]


def observation_iri(slug: str, table: str, *keys: str) -> NamedNode:
    """A qb:Observation, named by its dataset and its dimension values (so duplicates collide)."""
    return ID["observation/" + "/".join(_segment(k) for k in (slug, table, *keys))]


def statistic_iri(name: str) -> NamedNode:
    """What an observation measures (a concept of the statistic scheme), e.g. "replacement-demand"."""
    return ID[f"statistic/{_segment(name)}"]


STATISTIC_SCHEME = ID["statistic"]


def unit_iri(name: str) -> NamedNode:
    """A unit of measure, e.g. "thousand-persons", "gbp-per-year"."""
    return ID[f"unit/{_segment(name)}"]


UNIT_SCHEME = ID["unit"]


def breakdown_iri(kind: str, code: str) -> NamedNode:
    """A code of a breakdown dimension (qualification level, industry group, working pattern...)."""
    return ID[f"{_segment(kind)}/{_segment(code)}"]


def breakdown_scheme_iri(kind: str) -> NamedNode:
    """The SKOS scheme of one breakdown dimension's codes."""
    return ID[_segment(kind)]


def year_iri(year: int) -> NamedNode:
    """A calendar year as data.gov.uk's reference intervals name it."""
    return NamedNode(f"http://reference.data.gov.uk/id/year/{year}")


def years_iri(start: int, years: int) -> NamedNode:
    """A span of whole years from 1 January of ``start`` (e.g. the projection 2020-2035)."""
    return NamedNode(
        f"http://reference.data.gov.uk/id/gregorian-interval/{start}-01-01T00:00:00/P{years}Y"
    )


def month_iri(year: int, month: int) -> NamedNode:
    """A calendar month as data.gov.uk's reference intervals name it."""
    return NamedNode(f"http://reference.data.gov.uk/id/month/{year}-{month:02d}")


# --- Online job adverts: Textkernel profession categories (loader ons-online-job-adverts) ---


def profession_category_level_iri(level: str) -> NamedNode:
    """The xkos:ClassificationLevel of profession categories: "summary" or "detailed"."""
    return ID[f"profession-category/level/{_segment(level)}"]


# --- Supply: CTDL credentials, courses, organisations (loaders/_ctdl.py) ---


def organisation_iri(ukprn: str) -> NamedNode:
    """An organisation by its UK Provider Reference Number: organisation_iri("10022663")."""
    return ID[f"organisation/ukprn/{_segment(ukprn)}"]


def organisation_code_iri(register: str, code: str) -> NamedNode:
    """An organisation by another register's code: organisation_code_iri("lars-awarding-org", "AQA")."""
    return ID[f"organisation/{_segment(register)}/{_segment(code)}"]


def credential_iri(scheme: str, code: str) -> NamedNode:
    """A credential or learning aim by the register coding it: ("lars-standard", "1"), ("lars-aim", QAN)."""
    return ID[f"credential/{_segment(scheme)}/{_segment(code)}"]


def course_iri(provider: str, code: str) -> NamedNode:
    """A course by its provider (UKPRN, or a feed's slug) and the provider's own course identifier."""
    return ID[f"course/{_segment(provider)}/{_segment(code)}"]


def place_iri(scope: str, key: str) -> NamedNode:
    """A place (venue, address) by who names it and their key: place_iri("ukprn-10000001", "main")."""
    return ID[f"place/{_segment(scope)}/{_segment(key)}"]


def part_iri(owner: NamedNode, *keys: str) -> NamedNode:
    """A node that belongs to ``owner`` (an offering, a cost, an alignment, an identifier value).

    Under the owner's own IRI when that is ours; otherwise under id/part/ with the owner's IRI as
    one escaped segment, so nodes of documents from elsewhere get stable IRIs of ours too.
    """
    tail = "/".join(_segment(key) for key in keys)
    if owner.value.startswith(str(ID)):
        return NamedNode(f"{owner.value}/{tail}")
    return ID[f"part/{_segment(owner.value)}/{tail}"]


def alignment_iri(subject: NamedNode, kind: str, framework: str, code: str) -> NamedNode:
    """A ceterms:CredentialAlignmentObject: ``subject``'s ``kind`` link to ``code`` of ``framework``."""
    return part_iri(subject, kind, f"{framework}-{code}")


def identifier_iri(subject: NamedNode, scheme: str) -> NamedNode:
    """The ceterms:IdentifierValue giving ``subject``'s identifier in ``scheme`` (e.g. "ukprn")."""
    return part_iri(subject, "identifier", scheme)


def identifier_scheme_iri(scheme: str) -> NamedNode:
    """An identifier scheme (ceterms:identifierType): "ukprn", "lars-aim", "lars-standard"..."""
    return ID[f"identifier-scheme/{_segment(scheme)}"]


def code_list_iri(name: str) -> NamedNode:
    """A published code list as a SKOS scheme: "ssa", "lars-prog-type", "lars-notional-nvq-level-v2"."""
    return ID[f"code/{_segment(name)}"]


def code_iri(name: str, code: str) -> NamedNode:
    """A code of a published code list: code_iri("ssa", "6.1"), code_iri("lars-prog-type", "25")."""
    return ID[f"code/{_segment(name)}/{_segment(code)}"]


def code_level_iri(name: str, level: str) -> NamedNode:
    """An xkos:ClassificationLevel of a code list: code_level_iri("ssa", "tier-1")."""
    return ID[f"code/{_segment(name)}/level/{_segment(level)}"]


def skolem_iri(document_sha256: str, label: str) -> NamedNode:
    """A blank node of a user's document, made an IRI: by the document's SHA-256 and its label."""
    return ID[f"file/sha256/{_segment(document_sha256)}/genid/{_segment(label)}"]


# --- Academic years and part-year intervals (DfE further education statistics) ---


def academic_year_iri(start: int) -> NamedNode:
    """An English academic year, 1 August to 31 July: academic_year_iri(2021) is 2021/22."""
    return NamedNode(
        f"http://reference.data.gov.uk/id/gregorian-interval/{start}-08-01T00:00:00/P1Y"
    )


def months_iri(year: int, month: int, months: int) -> NamedNode:
    """A span of whole months from the 1st of ``month``: months_iri(2021, 8, 9) is Aug 2021-Apr 2022."""
    return NamedNode(
        f"http://reference.data.gov.uk/id/gregorian-interval/{year}-{month:02d}-01T00:00:00/P{months}M"
    )
