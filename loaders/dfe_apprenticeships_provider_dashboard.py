"""DfE apprenticeships provider dashboard (Parquet, 2022/23 to 2025/26 Aug-Apr) as RDF Data Cube.

Measured datasets (counts summed by skillsgap over the breakdowns a dataset leaves out):

- ``by-standard``: starts, enrolments and achievements by standard (or framework) and level, England;
- ``starts-by-standard-and-provider``: starts (where there were any) by standard, level and
  provider (UKPRN), England;
- ``by-provider``: starts, enrolments and achievements by provider, England;
- ``by-district``: the three counts by learner-home district and by delivery district
  (``sg:areaBasis`` says which; never add the two);
- ``by-region-level-age``: the three counts by learner-home or delivery region, level and age.

Modelled (``sg:Modelled``, ``sg:modelMethod``): ``modelled-starts-by-standard-and-district``,
starts by standard and learner-home district in the latest full academic year, each provider's
starts on a standard spread over districts as that provider's starts are (see :data:`METHOD`).
One year only, cells of 0.5 starts or more, to 1 decimal place: about 60,000 observations; all
four years would be 540,000 cells (230,000 of 0.5 or more), too many to load in reasonable time.

Counts are unrounded as DfE stores them; the dashboard shows them rounded to the nearest 10
(each dataset's ``sg:publicationRounding`` says so). 2025/26 is provisional and covers August to
April only (``sg:Provisional``, ``sg:PartYear``). Standards are named: names are matched to LARS
standards (``_dashboard.StandardMatcher``): of 744 standard names, 417 match exactly and 57 after
a qualifier is removed; 270 (newer than the 2020 LARS snapshot, renamed, or at another level) do
not. A name with no match, and each of the 76 frameworks, is a concept of the
``dfe-apprenticeship-name`` code list, never dropped (the gate reports each as an sh:Info). Districts and regions are named: all 296 district names and 9
regions resolve through the geography sources with no spelling table; the 8 names that several
codes have had (Barnsley, Sheffield, Gateshead, Northumberland, and four Hertfordshire districts)
take the code in operation on 1 May 2024, the LAD boundaries the dashboard maps every year with. "Outside of England and unknown" is not an area: those counts are in
the England totals but in no area's observation (each dataset's comment gives the amount).
Providers are ``ceterms:CredentialOrganization`` s by UKPRN, named as in their latest year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import iris
from skillsgap.loaders import Source, _ctdl, dfe_lars
from skillsgap.loaders import _cube as cube
from skillsgap.loaders import _dashboard as dash
from skillsgap.loaders._ctdl import RDF, SG, SKOS
from skillsgap.namespaces import RDFS

SLUG = "dfe-apprenticeships-provider-dashboard"
SUBJECTS, PROVIDERS, DISTRICTS = (
    "subjects_and_standards_0.parquet",
    "provider_breakdowns_0.parquet",
    "lad_map_data_0.parquet",
)
DFE = "https://www.gov.uk/government/organisations/department-for-education"
ENGLAND = iris.area_iri("E92000001")
UNIT = "apprenticeships"
UNIT_LABEL = "Apprenticeships (each start, enrolment or achievement counted once)"
ROUNDING = (
    "Counts are unrounded, as DfE stores them in the dashboard's repository; DfE shows them "
    "rounded to the nearest 10 (0 to 4 shown as 0). Round so (ROUND(?value / 10) * 10) before "
    "republishing a figure, above all a small one."
)
METHOD_NAME = "provider-learner-home-share"
METHOD = (
    "For each provider and standard, the provider's starts on the standard (subjects_and_"
    "standards) are spread over learner-home districts in proportion to all that provider's "
    "starts in the same year by learner-home district (lad_map_data), then summed over providers. "
    "It assumes a provider's learners on each standard live where its learners overall live. "
    "The share of learners living outside England or unknown is allocated to no district. "
    "Values to 1 decimal place; cells under 0.5 are not given."
)
PROVIDER = r".*\S \(\d{8}\)"
MEASURES = {
    "Starts": ("apprenticeship-starts", "Apprenticeship starts", "starts"),
    "Enrolments": ("apprenticeship-enrolments", "Apprenticeship enrolments", "enrolments"),
    "Achievements": ("apprenticeship-achievements", "Apprenticeship achievements", "achievements"),
}
DEFINITIONS = {
    "Starts": "Apprenticeship programmes started in the period (ILR; a learner may start more than one).",
    "Enrolments": "Apprenticeship programmes a learner was on at any time in the period (ILR).",
    "Achievements": "Apprenticeship programmes completed and achieved in the period (ILR).",
}
LEVELS = {
    "Intermediate Apprenticeship": ("intermediate", "Intermediate apprenticeship (level 2)"),
    "Advanced Apprenticeship": ("advanced", "Advanced apprenticeship (level 3)"),
    "Higher Apprenticeship": ("higher", "Higher apprenticeship (levels 4 to 7)"),
}
AGES = {"Under 19": "under-19", "19-24": "19-24", "25+": "25-and-over"}
BASES = {
    "learner_home": ("learner-home", "Learner's home", "Where the learner lives (home postcode)."),
    "delivery": (
        "delivery",
        "Delivery location",
        "Where the learning takes place (delivery postcode declared by the provider).",
    ),
}
KINDS = {  # code lists of this source: kind -> label
    "apprenticeship-level": "Apprenticeship levels (DfE)",
    "apprenticeship-age-group": "Age groups of apprenticeship statistics (DfE)",
    "apprenticeship-area-basis": "Geography bases of apprenticeship statistics (DfE)",
    "dfe-provider-type": "Provider types (DfE apprenticeship statistics)",
    "statistical-method": "Statistical methods used by skillsgap",
}
NAMES = "dfe-apprenticeship-name"
NAMES_LABEL = "Apprenticeship standard and framework names (DfE apprenticeships provider dashboard)"
RULES = {
    dash.EXACT: "LARS standard: exact name",
    dash.QUALIFIER: "LARS standard: name less qualifier",
}
NAME_KINDS = {"Standard": "Apprenticeship standards", "Framework": "Apprenticeship frameworks"}


def text(column: str, **kw: object) -> dash.Column:
    """A text column."""
    return dash.Column(column, "text", **kw)  # type: ignore[arg-type]


YEAR_COLUMN = text("year", pattern=dash.YEAR.pattern, expected="an academic year such as 2022/23")
PROVIDER_COLUMN = text("provider_name", pattern=PROVIDER, expected="a name ending (UKPRN)")
LEVEL_COLUMN = text("apps_Level", values=tuple(LEVELS), expected="an apprenticeship level")
TYPE_COLUMN = text("provider_type", expected="a provider type")
COUNTS = tuple(dash.Column(m.lower(), "count") for m in MEASURES)
SUBJECT_COLUMNS = (
    YEAR_COLUMN,
    LEVEL_COLUMN,
    text("std_fwk_name", expected="a standard or framework name"),
    text("std_fwk_flag", values=tuple(NAME_KINDS), expected="Standard or Framework"),
    TYPE_COLUMN,
    PROVIDER_COLUMN,
    text("measure", values=tuple(MEASURES), expected="Starts, Enrolments or Achievements"),
    dash.Column("values", "count"),
    text("ssa_t2_desc", expected="a sector subject area"),
)
PROVIDER_COLUMNS = (
    YEAR_COLUMN,
    PROVIDER_COLUMN,
    TYPE_COLUMN,
    LEVEL_COLUMN,
    text("age_group", values=tuple(AGES), expected="Under 19, 19-24 or 25+"),
    text("delivery_region", expected="a region name"),
    text("learner_home_region", expected="a region name"),
    *COUNTS,
)
DISTRICT_COLUMNS = (
    YEAR_COLUMN,
    PROVIDER_COLUMN,
    text("learner_home_lad", expected="a district name"),
    text("delivery_lad", expected="a district name"),
    *COUNTS,
)
# One row per these columns in each file.
SUBJECT_KEYS = ["year", "std_fwk_name", "apps_Level", "provider_name", "measure", "ssa_t2_desc"]
PROVIDER_KEYS = ["year", "provider_name", "apps_Level", "age_group"]
PROVIDER_KEYS += ["delivery_region", "learner_home_region"]
DISTRICT_KEYS = ["year", "provider_name", "learner_home_lad", "delivery_lad"]


# --- periods and code lists ------------------------------------------------------------------


@cache
def code(kind: str, key: str) -> NamedNode:
    """A code of one of this source's code lists."""
    return iris.breakdown_iri(kind, key)


def code_triples(kind: str, key: str, label: str, definition: str = "") -> Iterator[Triple]:
    """A code and its scheme."""
    node = code(kind, key)
    yield from cube.concept(node, iris.breakdown_scheme_iri(kind), KINDS[kind], label, key)
    if definition:
        yield Triple(node, SKOS.definition, Literal(definition, language="en"))


def code_lists() -> Iterator[Triple]:
    """Statistics, the unit, levels, age groups, area bases and the modelling method."""
    for measure, (name, label, _column) in MEASURES.items():
        yield from cube.statistic(name, label, DEFINITIONS[measure])
    yield from cube.concept(
        iris.unit_iri(UNIT), iris.UNIT_SCHEME, "Units of measure", UNIT_LABEL, UNIT
    )
    for key, label in LEVELS.values():
        yield from code_triples("apprenticeship-level", key, label)
    for label, key in AGES.items():
        yield from code_triples("apprenticeship-age-group", key, label)
    for key, label, definition in BASES.values():
        yield from code_triples("apprenticeship-area-basis", key, label, definition)
    method = "Modelled starts: provider starts spread by learner-home share"
    yield from code_triples("statistical-method", METHOD_NAME, method, METHOD)


@cache
def level_code(label: str) -> NamedNode:
    return code("apprenticeship-level", LEVELS[label][0])


# --- providers -------------------------------------------------------------------------------


def provider_triples(subjects: pa.Table, providers: pa.Table) -> Iterator[Triple]:
    """Each provider: its latest name, earlier names, UKPRN and provider type."""
    names: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for table in (subjects, providers):
        for record in table.group_by(["ukprn", "year", "provider_name"]).aggregate([]).to_pylist():
            names[record["ukprn"]].append((record["year"], record["provider_name"]))
    types = providers.group_by(["ukprn", "provider_type"]).aggregate([]).to_pylist()
    for record in types:
        yield from code_triples(
            "dfe-provider-type", dash.slug(record["provider_type"]), record["provider_type"]
        )
    kind = {record["ukprn"]: record["provider_type"] for record in types}
    for number, seen in sorted(names.items()):
        node = iris.organisation_iri(number)
        # The subjects file writes names in title case; the others in capitals, as registered.
        ordered = sorted(seen, key=lambda s: (s[0], s[1] != s[1].upper()))
        name = ordered[-1][1].rsplit(" (", 1)[0]
        others = {n.rsplit(" (", 1)[0] for _y, n in seen}
        alternates = sorted({o for o in others if o.casefold() != name.casefold()})
        yield from _ctdl.organisation(node, name, number, alternates)
        if number in kind:
            yield Triple(node, SG.providerType, code("dfe-provider-type", dash.slug(kind[number])))


# --- standards -------------------------------------------------------------------------------


@dataclass
class Standards:
    """Published standard and framework names, matched to LARS standards where they can be."""

    matcher: dash.StandardMatcher
    kinds: dict[str, str] = field(default_factory=dict)  # name -> Standard/Framework
    matches: dict[tuple[str, str], dash.Match | None] = field(default_factory=dict)
    slugs: dict[str, str] = field(default_factory=dict)
    nodes: dict[tuple[str, str], NamedNode] = field(default_factory=dict)

    def add(self, name: str, kind: str, level: str) -> None:
        slug = dash.slug(name)
        if self.slugs.setdefault(slug, name) != name:
            raise ValueError(f"two names share the key {slug!r}: {name!r}, {self.slugs[slug]!r}")
        self.kinds[name] = kind
        key = LEVELS[level][0]
        found = self.matcher.match(name, key) if kind == "Standard" else None
        self.matches[(name, level)] = found

    def node(self, name: str, level: str) -> NamedNode:
        """The dimension value: the LARS standard if matched, else the name's concept."""
        if (name, level) not in self.nodes:
            self.nodes[(name, level)] = self.look_up(name, level)
        return self.nodes[(name, level)]

    def look_up(self, name: str, level: str) -> NamedNode:
        found = self.matches[(name, level)]
        if found:
            return iris.credential_iri("lars-standard", found.code)
        return iris.code_iri(NAMES, dash.slug(name))

    def triples(self) -> Iterator[Triple]:
        """The name code list: one concept per name, with its LARS matches and their rules."""
        scheme = iris.code_list_iri(NAMES)
        yield from _ctdl.code_list(NAMES, NAMES_LABEL, SUBJECTS + " std_fwk_name")
        for kind, label in NAME_KINDS.items():
            yield from _ctdl.code(NAMES, kind.lower(), label)
        for rule, definition in dash.MATCH_RULES.items():
            yield from code_triples("statistical-method", f"lars-{rule}", RULES[rule], definition)
        for name, kind in sorted(self.kinds.items()):
            node = iris.code_iri(NAMES, dash.slug(name))
            yield Triple(node, RDF.type, SKOS.Concept)
            yield Triple(node, RDF.type, SG.ApprenticeshipName)
            yield Triple(node, SKOS.inScheme, scheme)
            yield Triple(node, SKOS.prefLabel, Literal(name, language="en"))
            parent = iris.code_iri(NAMES, kind.lower())
            yield Triple(node, SKOS.broader, parent)
            yield Triple(parent, SKOS.narrower, node)
        for (name, _level), found in sorted(self.matches.items()):
            if found:  # one rule per name: a name LARS has is only ever matched exactly
                node = iris.code_iri(NAMES, dash.slug(name))
                target = iris.credential_iri("lars-standard", found.code)
                yield Triple(node, SG.matchedCredential, target)
                yield Triple(node, SG.matchRule, code("statistical-method", f"lars-{found.rule}"))

    def counts(self) -> dict[str, int]:
        """Published (name, level) pairs by outcome: exact, qualifier, unmatched, framework."""
        tally: dict[str, int] = defaultdict(int)
        for (name, _level), found in self.matches.items():
            tally[found.rule if found else self.kinds[name].lower()] += 1
        return dict(tally)


def standards_of(folder: Path, subjects: pa.Table) -> Standards:
    """Every (name, kind, level) the subjects file publishes, matched to LARS."""
    lars = dash.lars_standards(folder.parent / dfe_lars.SOURCE.slug / dfe_lars.STANDARDS)
    standards = Standards(dash.StandardMatcher(lars))
    published = subjects.group_by(["std_fwk_name", "std_fwk_flag", "apps_Level"]).aggregate([])
    for record in published.to_pylist():
        standards.add(record["std_fwk_name"], record["std_fwk_flag"], record["apps_Level"])
    return standards


# --- datasets and observations ---------------------------------------------------------------

STANDARD = cube.Component(SG.apprenticeshipStandard, "dimension")
LEVEL = cube.Component(SG.qualificationLevel, "dimension")
PROVIDER_DIMENSION = cube.Component(SG.provider, "dimension")
BASIS = cube.Component(SG.areaBasis, "dimension")
AGE = cube.Component(SG.ageGroup, "dimension")
COVERAGE = cube.Component(SG.periodCoverage, "attribute")
MODEL = cube.Component(SG.modelMethod, "attribute")


@dataclass(frozen=True)
class Table:
    """One dataset: its table name, structure, label, breakdowns and source files."""

    name: str
    label: str
    breakdowns: tuple[cube.Component, ...]
    files: tuple[str, ...]
    about: str


BY_STANDARD = Table(
    "by-standard",
    "Apprenticeship starts, enrolments and achievements by standard and level, England",
    (STANDARD, LEVEL, COVERAGE),
    (SUBJECTS,),
    "Summed over providers by skillsgap. A standard name matched to LARS is its LARS standard; "
    "other names and all frameworks are concepts of the dfe-apprenticeship-name code list.",
)
BY_STANDARD_PROVIDER = Table(
    "starts-by-standard-and-provider",
    "Apprenticeship starts by standard, level and provider, England",
    (STANDARD, LEVEL, PROVIDER_DIMENSION, COVERAGE),
    (SUBJECTS,),
    "Starts only, and only where there were starts: the file's enrolments and achievements at "
    "this detail (and its rows of 0 starts, listed for them) are not loaded, to keep the graph "
    "small. Rows for one standard under two sector subject areas are summed.",
)
BY_PROVIDER = Table(
    "by-provider",
    "Apprenticeship starts, enrolments and achievements by provider, England",
    (PROVIDER_DIMENSION, COVERAGE),
    (PROVIDERS,),
    "Summed over levels, ages and regions by skillsgap.",
)
BY_DISTRICT = Table(
    "by-district",
    "Apprenticeship starts, enrolments and achievements by learner-home or delivery district",
    (BASIS, COVERAGE),
    (DISTRICTS,),
    "Summed over providers by skillsgap. sg:areaBasis says whether the district is where the "
    "learners live or where they learn: never add the two.",
)
BY_REGION = Table(
    "by-region-level-age",
    "Apprenticeship starts, enrolments and achievements by learner-home or delivery region, level and age",
    (BASIS, LEVEL, AGE, COVERAGE),
    (PROVIDERS,),
    "Summed over providers by skillsgap. Age is at start for starts and achievements, at 31 "
    "August for enrolments.",
)
MODELLED = Table(
    "modelled-starts-by-standard-and-district",
    "Apprenticeship starts by standard, level and learner-home district (modelled), latest full year",
    (STANDARD, LEVEL, BASIS, COVERAGE, MODEL),
    (SUBJECTS, DISTRICTS),
    "MODELLED, not published: " + METHOD,
)
TABLES = (BY_STANDARD, BY_STANDARD_PROVIDER, BY_PROVIDER, BY_DISTRICT, BY_REGION, MODELLED)


def dataset_triples(table: Table, notes: str) -> Iterator[Triple]:
    """A table's structure and dataset, with its notes (amounts in no area, etc.)."""
    yield from cube.structure(f"apprenticeships-{table.name}", table.label, table.breakdowns)
    about = cube.source_metadata(DFE, " and ".join(table.files), cube.OGL)
    yield from cube.dataset(SLUG, table.name, f"apprenticeships-{table.name}", table.label, about)
    node = iris.dataset_iri(SLUG, table.name)
    comment = " ".join(part for part in (table.about, notes) if part)
    yield Triple(node, RDFS.comment, Literal(comment, language="en"))
    yield Triple(node, SG.publicationRounding, Literal(ROUNDING, language="en"))
    if table is MODELLED:
        yield Triple(node, SG.modelMethod, code("statistical-method", METHOD_NAME))


UNIT_NODE = iris.unit_iri(UNIT)
organisation = cache(iris.organisation_iri)
STATISTICS = {measure: iris.statistic_iri(name) for measure, (name, _l, _c) in MEASURES.items()}


@cache
def _observations(table: str, year: str) -> str:
    """The IRI prefix of a dataset's observations of one year.

    The keys after it are slugs ([a-z0-9-]), UKPRNs and GSS codes, which iris.observation_iri
    would leave unquoted: the IRI is the one it gives (a test checks), made 10x faster.
    """
    return iris.observation_iri(SLUG, table, year).value


def observation(
    table: Table,
    keys: tuple[str, ...],
    when: dash.Period,
    measure: str,
    dimensions: dict[NamedNode, NamedNode],
    value: Decimal,
    modelled: bool = False,
) -> Iterator[Triple]:
    """One count: its dimensions, value, and the flags of its period (and model)."""
    node = NamedNode(f"{_observations(table.name, when.key)}/{'/'.join(keys)}/{measure.lower()}")
    flags, attributes = when.attributes()
    if modelled:
        flags += (SG.Modelled,)
        attributes = attributes | {SG.modelMethod: code("statistical-method", METHOD_NAME)}
    terms = {cube.REF_PERIOD: when.iri, cube.STATISTIC: STATISTICS[measure], **dimensions}
    yield from cube.observation(
        node, SLUG, table.name, terms, value, UNIT_NODE, reliability=flags, attributes=attributes
    )
    yield Triple(node, RDF.type, SG.ApprenticeshipObservation)


def by_standard(subjects: pa.Table, standards: Standards) -> Iterator[Triple]:
    """Starts, enrolments and achievements by standard and level, England."""
    yield from dataset_triples(BY_STANDARD, "")
    for r in dash.summed(subjects, ["year", "std_fwk_name", "apps_Level", "measure"], ("values",)):
        name, level = r["std_fwk_name"], r["apps_Level"]
        dims = {cube.REF_AREA: ENGLAND, SG.apprenticeshipStandard: standards.node(name, level)}
        dims[SG.qualificationLevel] = level_code(level)
        keys = (dash.slug(name), LEVELS[level][0])
        yield from observation(
            BY_STANDARD, keys, dash.period(r["year"]), r["measure"], dims, Decimal(r["values"])
        )


def by_standard_and_provider(subjects: pa.Table, standards: Standards) -> Iterator[Triple]:
    """Starts by standard, level and provider, England."""
    yield from dataset_triples(BY_STANDARD_PROVIDER, "")
    wanted = pc.and_(
        pc.equal(subjects.column("measure"), "Starts"), pc.greater(subjects.column("values"), 0)
    )
    starts = subjects.filter(wanted)
    for r in dash.summed(starts, ["year", "std_fwk_name", "apps_Level", "ukprn"], ("values",)):
        name, level = r["std_fwk_name"], r["apps_Level"]
        dims = {cube.REF_AREA: ENGLAND, SG.apprenticeshipStandard: standards.node(name, level)}
        dims[SG.qualificationLevel] = level_code(level)
        dims[SG.provider] = organisation(r["ukprn"])
        keys = (dash.slug(name), LEVELS[level][0], r["ukprn"])
        yield from observation(
            BY_STANDARD_PROVIDER, keys, dash.period(r["year"]), "Starts", dims, Decimal(r["values"])
        )


def counts(
    table: Table, r: dict, keys: tuple[str, ...], dims: dict[NamedNode, NamedNode]
) -> Iterator[Triple]:
    """The three counts of one summed record."""
    for measure, (_name, _label, column) in MEASURES.items():
        yield from observation(
            table, keys, dash.period(r["year"]), measure, dims, Decimal(r[column])
        )


def by_provider(providers: pa.Table) -> Iterator[Triple]:
    """Starts, enrolments and achievements by provider, England."""
    yield from dataset_triples(BY_PROVIDER, "")
    columns = tuple(column for _n, _l, column in MEASURES.values())
    for r in dash.summed(providers, ["year", "ukprn"], columns):
        dims = {cube.REF_AREA: ENGLAND, SG.provider: organisation(r["ukprn"])}
        yield from counts(BY_PROVIDER, r, (r["ukprn"],), dims)


def by_area(
    table: Table, path: Path, source: pa.Table, areas: dash.Areas, kind: str, extra: tuple[str, ...]
) -> Iterator[Triple]:
    """The three counts by learner-home and by delivery area (districts or regions)."""
    columns = tuple(column for _n, _l, column in MEASURES.values())
    notes = []
    for basis, (basis_key, _label, _definition) in BASES.items():
        area_column = f"{basis}_{'lad' if kind == 'lad' else 'region'}"
        records = dash.summed(source, ["year", area_column, *extra], columns)
        outside = sum(r["starts"] for r in records if r[area_column] == dash.UNKNOWN_AREA)
        notes.append(f"{outside:,} starts with {basis_key} outside England or unknown")
        for r in records:
            area = areas.resolve(path, source, area_column, r[area_column], kind)
            if area is None:
                continue
            dims = {cube.REF_AREA: area, SG.areaBasis: code("apprenticeship-area-basis", basis_key)}
            keys: tuple[str, ...] = (basis_key, area.value.rsplit("/", 1)[1])
            if extra:
                dims[SG.qualificationLevel] = level_code(r["apps_Level"])
                dims[SG.ageGroup] = code("apprenticeship-age-group", AGES[r["age_group"]])
                keys += (LEVELS[r["apps_Level"]][0], AGES[r["age_group"]])
            yield from counts(table, r, keys, dims)
    note = "Not in any area's observation (all years together): " + "; ".join(notes) + "."
    yield from dataset_triples(table, note)


# --- the modelled dataset --------------------------------------------------------------------

HALF, TENTH = Decimal("0.5"), Decimal("0.1")


def modelled(
    subjects: pa.Table, districts: pa.Table, standards: Standards, areas: dash.Areas, path: Path
) -> Iterator[Triple]:
    """Modelled starts by standard, level and learner-home district, latest full year."""
    year = max(
        label
        for label in pc.unique(subjects.column("year")).to_pylist()
        if not dash.period(label).part_year
    )
    cells, unallocated = dash.modelled_cells(subjects, districts, year)
    basis = code("apprenticeship-area-basis", "learner-home")
    small = outside = Decimal(0)
    places = {
        d: areas.resolve(path, districts, "learner_home_lad", d, "lad") for _n, _l, d in cells
    }
    for (name, level, district), value in sorted(cells.items()):
        area = places[district]
        if area is None or value < HALF:
            outside += value if area is None else 0
            small += value if area is not None else 0
            continue
        dims = {cube.REF_AREA: area, SG.apprenticeshipStandard: standards.node(name, level)}
        dims |= {SG.qualificationLevel: level_code(level), SG.areaBasis: basis}
        keys = (dash.slug(name), LEVELS[level][0], area.value.rsplit("/", 1)[1])
        value = value.quantize(TENTH, ROUND_HALF_UP)
        yield from observation(
            MODELLED, keys, dash.period(year), "Starts", dims, value, modelled=True
        )
    notes = (
        f"Year {year}. Starts allocated to learners outside England or unknown: {outside:.1f}; "
        f"in cells under 0.5 (not given): {small:.1f}; of providers with no district figures "
        f"(not allocated): {unallocated}."
    )
    yield from dataset_triples(MODELLED, notes)


# --- reading ---------------------------------------------------------------------------------


def read_file(
    folder: Path, name: str, columns: tuple[dash.Column, ...], keys: list[str]
) -> pa.Table:
    """One file, checked: columns, values, years, and one row per key."""
    path = folder / name
    table = dash.read_parquet(path, columns)
    dash.check_years(path, table)
    dash.check_unique(path, table, keys)
    return dash.with_ukprn(table)


def read(folder: Path) -> Iterator[Triple]:
    """The providers, the standard names, the measured datasets and the modelled one."""
    subjects = read_file(folder, SUBJECTS, SUBJECT_COLUMNS, SUBJECT_KEYS)
    providers = read_file(folder, PROVIDERS, PROVIDER_COLUMNS, PROVIDER_KEYS)
    districts = read_file(folder, DISTRICTS, DISTRICT_COLUMNS, DISTRICT_KEYS)
    standards = standards_of(folder, subjects)
    areas = dash.Areas(folder)
    yield from code_lists()
    yield from provider_triples(subjects, providers)
    yield from standards.triples()
    yield from by_standard(subjects, standards)
    yield from by_standard_and_provider(subjects, standards)
    yield from by_provider(providers)
    yield from by_area(BY_DISTRICT, folder / DISTRICTS, districts, areas, "lad", ())
    yield from by_area(
        BY_REGION, folder / PROVIDERS, providers, areas, "region", ("apps_Level", "age_group")
    )
    yield from modelled(subjects, districts, standards, areas, folder / DISTRICTS)


SOURCE = Source(
    slug=SLUG,
    title="DfE apprenticeships provider dashboard: starts, enrolments and achievements, 2022/23 to 2025/26",
    holds="Apprenticeship starts, enrolments and achievements by standard, provider, district and "
    "region (RDF Data Cube), modelled starts by standard and district, and the providers",
    files=(SUBJECTS, PROVIDERS, DISTRICTS),
    read=read,
    # Areas are checked against the geography graphs; matched standards are LARS credentials
    # (whose occupation links the gate checks against SOC 2020).
    depends_on=("dfe-geography-lookups", "dfe-lsip-lookups", "ons-soc2020", "dfe-lars"),
)
