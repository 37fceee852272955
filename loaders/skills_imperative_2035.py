"""Skills Imperative 2035 (Warwick IER / Cambridge Econometrics) projections as RDF Data Cube.

One workbook per area: England and 30 LSIP areas, each named in its ``Info`` sheet and resolved to
its GSS code through the geography sources. Four tables become one ``qb:DataSet`` each:

- ``Occ T1`` / ``Occ T2``: employment in 2015, 2019, 2020, 2025 and 2035 and the 2020-2035 net
  change, replacement demand and total requirement, by SOC 2020 major / sub-major group and sex;
- ``RD T1``: employment 2020 and 2035, net change, replacement demand, total requirement and the
  replacement demand rate 2020-2035, by sub-major group and qualification level (all levels too);
- ``Qual T1``: employment by qualification level and year;
- ``Ind T1`` / ``Ind T2``: employment 2015-2035 by the projections' 6 industry sectors (with the
  2020-2035 net change, replacement demand and total requirement) / 22 industry groups;
- ``Ind T6``: employment by industry group (England: and its 75 industries), employment status
  (full-time and part-time employees, self-employed) and sex;
- ``Ind Occ T1`` / ``Ind Occ T2``: employment in 2015, 2020 and 2035 by industry group (England:
  the 75 industries) and SOC 2020 major group, by sex / by employment status.

Industries are a code list of their own (the workbooks' sectors, groups and industries, nested
as their ``aggregation`` sheet states): the workbooks say "SIC 2007" in titles but print no SIC
codes and no correspondence, so no SIC 2007 match is asserted.

Not read: shares, growth rates and changes by sub-period (derived from the levels), the side
tables of ``RD T1`` (major groups by qualification, by sex, by industry), ``Occ T3``-``Occ T5``,
``Ind T4`` (the levels of ``Ind T1`` and ``Ind T2`` in one list) and ``Ind T5`` (``Ind T6``'s
levels for 2020, 2025 and 2035 with their differences), which repeat or aggregate what is loaded.

Every figure is the model's (``sg:Projected``; 2015-2020 are its estimates of the past). The
Warning sheet advises publishing only cells based on at least 10,000 people and calls cells under
1,000 too uncertain to be useful: such cells keep their published value and carry
``sg:BelowPublicationThreshold`` (and ``sg:LowReliability`` under 1,000). Nothing is suppressed,
because the publisher withheld nothing: suppression is a publication decision for whoever shows
the figures, and the flags travel with every answer so that it can be made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import iris
from skillsgap.loaders import Source
from skillsgap.loaders import _cube as cube
from skillsgap.loaders._areas import AreaIndex, area_index
from skillsgap.loaders._skills_imperative import (
    ALL,
    EMPLOYMENT,
    NET_CHANGE,
    QUALIFICATIONS,
    REPLACEMENT_DEMAND,
    REPLACEMENT_RATE,
    SEX_COLUMNS,
    STATUSES,
    TOTAL_INDUSTRIES,
    TOTAL_REQUIREMENT,
    About,
    Figure,
    Grid,
    Industries,
    Sheet,
    grid_figures,
    industry_figures,
    occupation_figures,
    qualification_figures,
    read_about,
    read_industries,
    replacement_figures,
)
from skillsgap.namespaces import DCT, RDF, SDMX_DIMENSION, SG, SKOS, Namespace

SLUG = "skills-imperative-2035"
ENGLAND_FILE = "EN_MainTables.Main.xlsx"
# The workbook name prefixes of the 30 LSIP areas, as SOURCE.md lists them.
LSIP_PREFIXES = (
    "BH", "BU", "CH", "CI", "CP", "CU", "DN", "DO", "ES", "GC", "GL", "GM", "HE", "HU", "KM",
    "LA", "LV", "MA", "NS", "OX", "SM", "SN", "ST", "SY", "TB", "TV", "WO", "WS", "WY", "YY",
)  # fmt: skip
FILES = (ENGLAND_FILE, *(f"{prefix}_LSIP_MainTables.Main.xlsx" for prefix in LSIP_PREFIXES))

SDMX_CODE = Namespace("http://purl.org/linked-data/sdmx/2009/code#")
SEX = SDMX_DIMENSION.sex
OBSERVATION_CLASS = SG.SkillsImperativeObservation
INDUSTRY_CLASS = SG.SkillsImperativeIndustry
PUBLISHER = NamedNode("https://www.nfer.ac.uk/")
CREATORS = (NamedNode("https://warwick.ac.uk/fac/soc/ier/"), NamedNode("https://www.camecon.com/"))
RIGHTS = "Copyright: Warwick Institute for Employment Research / Cambridge Econometrics, 2023"
ORIGIN = "dfe-analytical-services/lsip_dashboard, Data/2-13_skillsImperative2035"


@dataclass(frozen=True)
class TableSpec:
    """One loaded table: its key in IRIs, its sheet, label, structure and reader."""

    key: str
    sheet: str
    label: str
    structure: str
    read: Callable[[Sheet, str, Industries], Iterator[Figure]]


STATUS_GRID = Grid(STATUSES, "status", "sex", "T")  # Ind T6: rows by sex, columns by status


TABLES = (
    TableSpec(
        "occ-t1",
        "Occ T1",
        "Skills Imperative 2035: employment 2015-2035 and replacement demand 2020-2035 "
        "by SOC 2020 major group and sex",
        "occupation-sex",
        lambda sheet, key, _: occupation_figures(sheet, key, 1),
    ),
    TableSpec(
        "occ-t2",
        "Occ T2",
        "Skills Imperative 2035: employment 2015-2035 and replacement demand 2020-2035 "
        "by SOC 2020 sub-major group and sex",
        "occupation-sex",
        lambda sheet, key, _: occupation_figures(sheet, key, 2),
    ),
    TableSpec(
        "rd-t1",
        "RD T1",
        "Skills Imperative 2035: replacement demand 2020-2035 by SOC 2020 sub-major group "
        "and qualification level",
        "occupation-qualification",
        lambda sheet, key, _: replacement_figures(sheet, key),
    ),
    TableSpec(
        "qual-t1",
        "Qual T1",
        "Skills Imperative 2035: employment 2015-2035 by qualification level",
        "qualification",
        lambda sheet, key, _: qualification_figures(sheet, key),
    ),
    TableSpec(
        "ind-t1",
        "Ind T1",
        "Skills Imperative 2035: employment 2015-2035 and replacement demand 2020-2035 "
        "by industry sector (6 sectors)",
        "industry",
        industry_figures,
    ),
    TableSpec(
        "ind-t2",
        "Ind T2",
        "Skills Imperative 2035: employment 2015-2035 by industry group (22 groups)",
        "industry",
        industry_figures,
    ),
    TableSpec(
        "ind-t6",
        "Ind T6",
        "Skills Imperative 2035: employment 2015-2035 by industry, employment status and sex",
        "industry-status-sex",
        lambda sheet, key, industries: grid_figures(sheet, key, industries, STATUS_GRID),
    ),
    TableSpec(
        "ind-occ-t1",
        "Ind Occ T1",
        "Skills Imperative 2035: employment 2015, 2020 and 2035 by industry, SOC 2020 major "
        "group and sex",
        "industry-occupation-sex",
        lambda sheet, key, industries: grid_figures(
            sheet, key, industries, Grid(SEX_COLUMNS, "sex", "occupation", ALL)
        ),
    ),
    TableSpec(
        "ind-occ-t2",
        "Ind Occ T2",
        "Skills Imperative 2035: employment 2015, 2020 and 2035 by industry, SOC 2020 major "
        "group and employment status",
        "industry-occupation-status",
        lambda sheet, key, industries: grid_figures(
            sheet, key, industries, Grid(STATUSES, "status", "occupation", ALL)
        ),
    ),
)

OCCUPATION = cube.Component(SG.occupation, "dimension")
QUALIFICATION = cube.Component(SG.qualificationLevel, "dimension")
INDUSTRY = cube.Component(SG.industry, "dimension")
STATUS = cube.Component(SG.employmentStatus, "dimension")
SEX_COMPONENT = cube.Component(SEX, "dimension")
STRUCTURES = {
    "occupation-sex": ("by occupation and sex", (OCCUPATION, SEX_COMPONENT)),
    "occupation-qualification": (
        "by occupation and qualification level",
        (OCCUPATION, QUALIFICATION),
    ),
    "qualification": ("by qualification level", (QUALIFICATION,)),
    "industry": ("by industry", (INDUSTRY,)),
    "industry-status-sex": (
        "by industry, employment status and sex",
        (INDUSTRY, STATUS, SEX_COMPONENT),
    ),
    "industry-occupation-sex": (
        "by industry, occupation and sex",
        (INDUSTRY, OCCUPATION, SEX_COMPONENT),
    ),
    "industry-occupation-status": (
        "by industry, occupation and employment status",
        (INDUSTRY, OCCUPATION, STATUS),
    ),
}

STATISTICS = {
    EMPLOYMENT: ("Employment", "The number of people in employment (employees and self-employed)."),
    NET_CHANGE: (
        "Net change in employment",
        "Employment at the end of a period minus employment at its start.",
    ),
    REPLACEMENT_DEMAND: (
        "Replacement demand",
        "Job openings over a period that arise because people leave (retirement, death and other "
        "outflows) and must be replaced, whether or not employment changes.",
    ),
    TOTAL_REQUIREMENT: (
        "Total requirement",
        "Net change in employment plus replacement demand over a period: all the job openings "
        "to be filled.",
    ),
    REPLACEMENT_RATE: (
        "Replacement demand rate",
        "The average annual rate of replacement demand over a period, as a proportion of "
        "employment at its start: (1 + replacement demand / starting employment)^(1 / years) - 1.",
    ),
}
UNIT_OF = {REPLACEMENT_RATE: "proportion"}  # every other statistic is in thousands of persons

QUALIFICATION_KIND = "qualification-level"
INDUSTRY_KIND = "si-industry"
STATUS_KIND = "employment-status"
# The workbooks' 'name' sheet spells the statuses out; FT, PT and SE are its codes.
STATUS_LABELS = {
    ALL: ("All in employment", None),
    "full-time": ("Full-time employees", "FT"),
    "part-time": ("Part-time employees", "PT"),
    "self-employed": ("Self-employment", "SE"),
}
SEXES = {"T": "Total", "M": "Male", "F": "Female"}
SEX_SCHEME = SDMX_CODE.sex
ALL_OCCUPATIONS = iris.breakdown_iri("occupation", ALL)


@dataclass(frozen=True)
class Workbook:
    """One area's workbook, read: its file, area, Info and Warning facts, and figures."""

    file: str
    area: NamedNode
    about: About
    industries: Industries
    figures: list[Figure]


def read(folder: Path) -> Iterator[Triple]:
    """All 31 workbooks of the folder as one graph."""
    return read_files(folder, FILES)


def read_files(folder: Path, names: Iterable[str]) -> Iterator[Triple]:
    """The named workbooks as one graph; every workbook is read before a triple is made."""
    areas = area_index(folder.parent)
    workbooks = [read_workbook(folder / name, areas) for name in names]
    return _triples(workbooks)


def _triples(workbooks: list[Workbook]) -> Iterator[Triple]:
    yield from code_list_triples()
    yield from industry_triples(workbooks)
    yield from dataset_triples(workbooks)
    for workbook in workbooks:
        for figure in workbook.figures:
            yield from observation_triples(workbook, figure)


def read_workbook(path: Path, areas: AreaIndex) -> Workbook:
    """One workbook: its area from the Info sheet, then the figures of every loaded table."""
    about = read_about(path)
    area = areas.resolve(about.area_row, "B", about.area_name, (about.area_kind,))
    industries = read_industries(path)
    figures = [figure for spec in TABLES
               for figure in spec.read(Sheet.read(path, spec.sheet), spec.key, industries)]  # fmt: skip
    return Workbook(path.name, area, about, industries, figures)


# --- Code lists, structures and datasets ---------------------------------------------------


def code_list_triples() -> Iterator[Triple]:
    """Statistics, units, qualification levels, the all-occupations total and the sex codes."""
    for name, (label, definition) in STATISTICS.items():
        yield from cube.statistic(name, label, definition)
    for name in ("thousand-persons", "proportion"):
        yield from cube.unit(name)[1]
    yield from qualification_triples()
    # The same code, scheme and labels as ons-ashe-table14's all-occupations row.
    yield from cube.concept(ALL_OCCUPATIONS, iris.breakdown_scheme_iri("occupation"),
                            "Occupation totals", "All occupations")  # fmt: skip
    for code, label in SEXES.items():
        yield from cube.concept(SDMX_CODE[f"sex-{code}"], SEX_SCHEME,
                                "Code list for Sex (SEX) - codelist scheme", label, code)  # fmt: skip
    yield from status_triples()


def status_triples() -> Iterator[Triple]:
    """Employment statuses: full-time and part-time employees and self-employed, in all."""
    scheme = iris.breakdown_scheme_iri(STATUS_KIND)
    for code, (label, notation) in STATUS_LABELS.items():
        node = status_iri(code)
        yield from cube.concept(node, scheme, "Employment status", label, notation)
        yield from _nested(scheme, node, None if code == ALL else status_iri(ALL))


def industry_triples(workbooks: list[Workbook]) -> Iterator[Triple]:
    """The industries the workbooks use, each narrower than its sector or group (or the total)."""
    scheme = iris.breakdown_scheme_iri(INDUSTRY_KIND)
    label = "Skills Imperative 2035 industries"
    total = industry_iri(ALL)
    yield from cube.concept(total, scheme, label, TOTAL_INDUSTRIES)
    yield Triple(total, RDF.type, INDUSTRY_CLASS)
    yield from _nested(scheme, total, None)
    codes = {key: code for workbook in workbooks for key, code in workbook.industries.codes.items()}
    for key, (name, _level, broader) in codes.items():
        node = industry_iri(key)
        yield from cube.concept(node, scheme, label, name)
        yield Triple(node, RDF.type, INDUSTRY_CLASS)
        yield from _nested(scheme, node, industry_iri(broader))


def _nested(scheme: NamedNode, node: NamedNode, broader: NamedNode | None) -> Iterator[Triple]:
    """A top concept of its scheme, or narrower than ``broader``."""
    if broader is None:
        yield Triple(scheme, SKOS.hasTopConcept, node)
        yield Triple(node, SKOS.topConceptOf, scheme)
    else:
        yield Triple(node, SKOS.broader, broader)
        yield Triple(broader, SKOS.narrower, node)


def qualification_triples() -> Iterator[Triple]:
    """The qualification groups as published; each level is narrower than the total."""
    scheme = iris.breakdown_scheme_iri(QUALIFICATION_KIND)
    total = iris.breakdown_iri(QUALIFICATION_KIND, ALL)
    for label, code in QUALIFICATIONS.items():
        node = iris.breakdown_iri(QUALIFICATION_KIND, code)
        notation = code.upper() if code.startswith("rqf") else None
        yield from cube.concept(node, scheme, "Qualification levels", label, notation)
        yield from _nested(scheme, node, None if code == ALL else total)


def dataset_triples(workbooks: list[Workbook]) -> Iterator[Triple]:
    """Each structure once, then each table's dataset with where it came from and its model."""
    for name, (label, breakdowns) in STRUCTURES.items():
        yield from cube.structure(
            _structure_name(name), f"Skills Imperative 2035 {label}", breakdowns
        )
    files = ", ".join(workbook.file for workbook in workbooks)
    versions = sorted({workbook.about.model_version for workbook in workbooks})
    for spec in TABLES:
        about: dict[NamedNode, cube.Term] = {
            DCT.publisher: PUBLISHER,
            DCT.rights: _en(RIGHTS),
            DCT.source: Literal(f"Sheet '{spec.sheet}' of {files} ({ORIGIN})"),
            DCT.description: _en(DESCRIPTION),
            SG.reliability: SG.Projected,
        }
        yield from cube.dataset(SLUG, spec.key, _structure_name(spec.structure), spec.label, about)
        node = iris.dataset_iri(SLUG, spec.key)
        yield from (Triple(node, DCT.creator, creator) for creator in CREATORS)
        yield from (Triple(node, SG.modelVersion, Literal(version)) for version in versions)


DESCRIPTION = (
    "Projections by the Warwick Institute for Employment Research and Cambridge Econometrics "
    "for NFER (Skills Imperative 2035, successor to Working Futures), one workbook per area. "
    "Figures for 2015-2020 are the model's estimates of the past, later ones its projections; "
    "all are flagged as projected. Employment in thousands. Cells based on fewer than 10,000 "
    "people are flagged below the publication threshold the publisher advises, under 1,000 also "
    "low reliability; their values are kept as published. No open licence is stated."
)


def _structure_name(name: str) -> str:
    return f"{SLUG}-{name}"


def _en(text: str) -> Literal:
    return Literal(text, language="en")


# --- Observations --------------------------------------------------------------------------


def observation_triples(workbook: Workbook, figure: Figure) -> Iterator[Triple]:
    """One figure as a qb:Observation of its table's dataset, with its reliability flags."""
    gss = workbook.area.value.rsplit("/", 1)[-1]
    codes = breakdowns(figure)
    keys = (gss, figure.statistic, _period_key(figure.period), *(key for key, _, _ in codes))
    node = iris.observation_iri(SLUG, figure.table, *keys)
    dimensions: dict[NamedNode, cube.Term] = {
        cube.REF_AREA: workbook.area,
        cube.REF_PERIOD: period_iri(figure.period),
        cube.STATISTIC: statistic_iri(figure.statistic),
    }
    dimensions.update((dimension, value) for _, dimension, value in codes)
    flags = reliability(figure, workbook.about)
    yield Triple(node, RDF.type, OBSERVATION_CLASS)
    yield from cube.observation(node, SLUG, figure.table, dimensions, figure.value,
                                unit_iri(figure.statistic), reliability=flags)  # fmt: skip


def breakdowns(figure: Figure) -> list[tuple[str, NamedNode, NamedNode]]:
    """The figure's breakdowns in structure order: (key in its IRI, dimension, value)."""
    found = []
    if figure.industry is not None:
        found.append((figure.industry, INDUSTRY.property, industry_iri(figure.industry)))
    if figure.occupation is not None:
        found.append((figure.occupation, OCCUPATION.property, occupation_iri(figure.occupation)))
    if figure.status is not None:
        found.append((f"status-{figure.status}", STATUS.property, status_iri(figure.status)))
    if figure.sex is not None:
        found.append((f"sex-{figure.sex}", SEX, sex_iri(figure.sex)))
    if figure.qualification is not None:
        code = figure.qualification
        found.append((code, QUALIFICATION.property, qualification_iri(code)))
    return found


# Made once per code, not per observation: 31 workbooks hold about 80,000 observations.
@cache
def occupation_iri(code: str) -> NamedNode:
    """A SOC 2020 group, or the all-occupations total."""
    return ALL_OCCUPATIONS if code == ALL else iris.soc_iri("2020", code)


@cache
def sex_iri(code: str) -> NamedNode:
    """SDMX's code for T(otal), M(ale) or F(emale)."""
    return SDMX_CODE[f"sex-{code}"]


@cache
def qualification_iri(code: str) -> NamedNode:
    """A qualification group of the source's list."""
    return iris.breakdown_iri(QUALIFICATION_KIND, code)


@cache
def industry_iri(code: str) -> NamedNode:
    """An industry of the source's code list (sector, group or industry), or the total."""
    return iris.breakdown_iri(INDUSTRY_KIND, code)


@cache
def status_iri(code: str) -> NamedNode:
    """An employment status, or all in employment."""
    return iris.breakdown_iri(STATUS_KIND, code)


@cache
def statistic_iri(name: str) -> NamedNode:
    return iris.statistic_iri(name)


@cache
def unit_iri(statistic: str) -> NamedNode:
    """The unit a statistic is published in."""
    return iris.unit_iri(UNIT_OF.get(statistic, "thousand-persons"))


@cache
def period_iri(period: tuple[int, int]) -> NamedNode:
    """A year, or the span of whole years from the first to the last (2020-2035: 15 years)."""
    first, last = period
    return iris.year_iri(first) if first == last else iris.years_iri(first, last - first)


def _period_key(period: tuple[int, int]) -> str:
    return str(period[0]) if period[0] == period[1] else f"{period[0]}-{period[1]}"


PROJECTED, BELOW_THRESHOLD, LOW_RELIABILITY = (
    SG.Projected,
    SG.BelowPublicationThreshold,
    SG.LowReliability,
)


def reliability(figure: Figure, about: About) -> list[NamedNode]:
    """Projected always; below the publisher's minimum cell sizes, the threshold flags too."""
    flags = [PROJECTED]
    if figure.base < about.published_minimum:
        flags.append(BELOW_THRESHOLD)
    if figure.base < about.usable_minimum:
        flags.append(LOW_RELIABILITY)
    return flags


SOURCE = Source(
    slug=SLUG,
    title="Skills Imperative 2035 employment and replacement demand projections "
    "(Warwick IER / Cambridge Econometrics), England and 30 LSIP areas",
    holds="Employment 2015-2035 by SOC 2020 major and sub-major group and sex; replacement "
    "demand and total requirement 2020-2035 by sub-major group and qualification level; "
    "employment by qualification level; employment and replacement demand by industry; "
    "employment by industry and occupation, sex and employment status; for England and 30 "
    "LSIP areas",
    files=FILES,
    read=read,
    depends_on=("ons-soc2020", "dfe-geography-lookups", "dfe-lsip-lookups"),
)
