"""The apprenticeships provider dashboard loader: excerpt golden, the gate, figures, standards, bad input."""

from __future__ import annotations

import csv
import re
import shutil
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from pyoxigraph import (
    Literal,
    NamedNode,
    Quad,
    QuerySolution,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
)

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import _dashboard as dash
from skillsgap.loaders import dfe_apprenticeships_provider_dashboard as loader
from skillsgap.loaders import dfe_geography_lookups, dfe_lsip_lookups
from skillsgap.loaders._ctdl import CETERMS, RDF, SG
from skillsgap.namespaces import XSD

from .conftest import assert_matches_golden, bundled, excerpt

SLUG = loader.SLUG
BESIDE = ("dfe-geography-lookups", "dfe-lsip-lookups", "dfe-lars")
PREFIXES = """
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sg: <https://w3id.org/skillsgap/def/>
"""


def folder_with(tmp: Path, source: Path) -> Path:
    """A data directory: ``source`` as this slug's folder, the bundled sources it reads beside."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / SLUG).symlink_to(source.resolve())
    for slug in BESIDE:
        (tmp / slug).symlink_to(bundled(slug).resolve())
    return tmp / SLUG


@pytest.fixture(scope="module")
def excerpt_triples(tmp_path_factory: pytest.TempPathFactory) -> list[Triple]:
    return list(loader.read(folder_with(tmp_path_factory.mktemp("data"), excerpt(SLUG))))


@pytest.fixture(scope="module")
def reference() -> bytes:
    """Geography, and each LARS standard as a named credential (read from Standard.csv)."""
    triples = [*dfe_geography_lookups.read(bundled("dfe-geography-lookups"))]
    triples += dfe_lsip_lookups.read(bundled("dfe-lsip-lookups"))
    for row in lars_rows():
        node = iris.credential_iri("lars-standard", row["StandardCode"])
        triples.append(Triple(node, RDF.type, CETERMS.ApprenticeshipCertificate))
        triples.append(Triple(node, CETERMS.name, Literal(row["StandardName"], language="en")))
    return gate.to_ntriples(triples)


@pytest.fixture(scope="module")
def store(excerpt_triples: list[Triple]) -> Store:
    graph = Store()
    graph.extend(Quad(t.subject, t.predicate, t.object) for t in excerpt_triples)
    return graph


def lars_rows() -> list[dict[str, str]]:
    with (bundled("dfe-lars") / "Standard.csv").open(encoding="utf-8-sig") as file:
        return list(csv.DictReader(file))


def table(folder: Path, name: str) -> list[dict]:
    """A file's records, read with pyarrow alone."""
    return pq.read_table(folder / name).to_pylist()


def select(store: Store, query: str) -> list[QuerySolution]:
    """The solutions of a SELECT query (with the prefixes above)."""
    solutions = store.query(PREFIXES + query)
    assert isinstance(solutions, QuerySolutions)
    return list(solutions)


def one_value(store: Store, where: str) -> tuple[Decimal, list[str]]:
    """The value and flags of the one observation the pattern ``where`` (on ?obs) picks."""
    rows = select(
        store, f"SELECT ?obs ?value WHERE {{ {where} ?obs sdmx-measure:obsValue ?value }}"
    )
    assert len(rows) == 1, where
    flags = select(store, f"SELECT ?f WHERE {{ {rows[0]['obs']} sg:reliability ?f }}")
    return Decimal(str(rows[0]["value"].value)), sorted(str(r["f"].value) for r in flags)


# --- the bundled files, the excerpt, the gate ----------------------------------------------------


def test_bundled_files_have_the_rows_source_md_states() -> None:
    text = (bundled(SLUG) / "SOURCE.md").read_text(encoding="utf-8")
    for name in loader.SOURCE.files:
        stated = re.search(rf"`{re.escape(name)}` \| ([\d,]+) \|", text)
        assert stated, name
        assert pq.read_metadata(bundled(SLUG) / name).num_rows == int(stated[1].replace(",", ""))


def test_excerpt_matches_golden(excerpt_triples: list[Triple]) -> None:
    assert_matches_golden(excerpt_triples, excerpt(SLUG) / "expected.nt")


def test_excerpt_passes_the_gate(excerpt_triples: list[Triple], reference: bytes) -> None:
    report = gate.validate(gate.to_ntriples(excerpt_triples), reference=reference)
    assert report.by_severity()["Violation"] == 0
    assert {r.shape for r in report.results} <= {
        "<https://w3id.org/skillsgap/shapes/UnmatchedStandardNameShape>"
    }


def test_the_gate_rejects_a_negative_count_and_a_modelled_figure_without_method(
    excerpt_triples: list[Triple], reference: bytes
) -> None:
    value = next(t for t in excerpt_triples if t.predicate.value.endswith("obsValue"))
    method = next(
        t
        for t in excerpt_triples
        if t.predicate == SG.modelMethod and "observation" in str(t.subject)
    )
    broken = [t for t in excerpt_triples if t not in (value, method)]
    broken.append(Triple(value.subject, value.predicate, Literal("-1.0", datatype=XSD.decimal)))
    report = gate.validate(gate.to_ntriples(broken), reference=reference)
    messages = {r.message for r in report.results if r.severity == "Violation"}
    assert "an apprenticeship count is never negative" in messages
    assert "a modelled apprenticeship figure names its method (sg:modelMethod)" in messages


def test_observation_iris_are_the_iris_pattern(excerpt_triples: list[Triple]) -> None:
    node = next(
        t.subject for t in excerpt_triples if "/starts-by-standard-and-provider/" in str(t.subject)
    )
    assert isinstance(node, NamedNode)
    year, *keys = node.value.split("/starts-by-standard-and-provider/")[1].split("/")
    assert node == iris.observation_iri(SLUG, "starts-by-standard-and-provider", year, *keys)


# --- the figures, read independently with pyarrow and found through SPARQL -----------------------


def test_standard_provider_starts_are_summed_over_sector_subject_areas(store: Store) -> None:
    rows = [
        r
        for r in table(excerpt(SLUG), loader.SUBJECTS)
        if r["provider_name"].endswith("(10000915)")
        and r["measure"] == "Starts"
        and r["year"].startswith("2025/26")
    ]
    assert len({r["ssa_t2_desc"] for r in rows}) == 2  # the awkward case is in the excerpt
    where = f"""?obs qb:dataSet {iris.dataset_iri(SLUG, "starts-by-standard-and-provider")} ;
        sg:provider {iris.organisation_iri("10000915")} ;
        sdmx-dimension:refPeriod {iris.months_iri(2025, 8, 9)} ."""
    value, flags = one_value(store, where)
    assert value == sum(r["values"] for r in rows)
    assert flags == [SG.Provisional.value]


def may_2024_code(name: str) -> str:
    """The code lads.csv gives the district ``name`` in operation on 1 May 2024."""

    def day(text: str) -> str:
        return "-".join(reversed(text.split("/"))) if text else ""

    with (bundled("dfe-geography-lookups") / "lads.csv").open(encoding="utf-8-sig") as file:
        rows = [r for r in csv.DictReader(file) if r["lad_name"].strip() == name]
    live = [r["lad_code"] for r in rows if day(r["date_of_introduction"]) <= "2024-05-01"
            and (not r["date_of_termination"] or day(r["date_of_termination"]) > "2024-05-01")]  # fmt: skip
    assert len(rows) > 1 and len(live) == 1  # a name two codes have had
    return live[0]


def test_district_starts_sum_the_providers_on_may_2024_codes(store: Store) -> None:
    rows = table(excerpt(SLUG), loader.DISTRICTS)
    year = "2025/26 (Aug to Apr)"
    expected = sum(
        r["starts"] for r in rows if r["learner_home_lad"] == "Barnsley" and r["year"] == year
    )
    where = f"""?obs qb:dataSet {iris.dataset_iri(SLUG, "by-district")} ;
        sdmx-dimension:refArea {iris.area_iri(may_2024_code("Barnsley"))} ;
        sg:areaBasis {iris.breakdown_iri("apprenticeship-area-basis", "learner-home")} ;
        sg:statistic {iris.statistic_iri("apprenticeship-starts")} ;
        sdmx-dimension:refPeriod {iris.months_iri(2025, 8, 9)} ."""
    assert one_value(store, where) == (Decimal(expected), [SG.Provisional.value])
    assert expected > 0


def test_region_cell_and_unknown_area_rows(store: Store) -> None:
    rows = table(excerpt(SLUG), loader.PROVIDERS)
    cell = [r for r in rows if r["delivery_region"] == "South West" and r["year"] == "2024/25"
            and r["apps_Level"] == "Advanced Apprenticeship" and r["age_group"] == "Under 19"]  # fmt: skip
    where = f"""?obs qb:dataSet {iris.dataset_iri(SLUG, "by-region-level-age")} ;
        sdmx-dimension:refArea {iris.area_iri("E12000009")} ;
        sg:areaBasis {iris.breakdown_iri("apprenticeship-area-basis", "delivery")} ;
        sg:ageGroup {iris.breakdown_iri("apprenticeship-age-group", "under-19")} ;
        sg:qualificationLevel {iris.breakdown_iri("apprenticeship-level", "advanced")} ;
        sg:statistic {iris.statistic_iri("apprenticeship-enrolments")} ;
        sdmx-dimension:refPeriod {iris.academic_year_iri(2024)} ."""
    assert one_value(store, where)[0] == sum(r["enrolments"] for r in cell) > 0
    outside = sum(r["starts"] for r in rows if r["learner_home_region"] == dash.UNKNOWN_AREA)
    assert (
        outside > 0
    )  # such rows are in the excerpt, in no observation, and counted in the comment
    comment = f"SELECT ?c WHERE {{ {iris.dataset_iri(SLUG, 'by-region-level-age')} <http://www.w3.org/2000/01/rdf-schema#comment> ?c }}"
    assert (
        f"{outside:,} starts with learner-home outside England"
        in select(store, comment)[0]["c"].value
    )


def lad_codes() -> dict[str, str]:
    """District names that only one code has had (lads.csv), with that code."""
    with (bundled("dfe-geography-lookups") / "lads.csv").open(encoding="utf-8-sig") as file:
        found: dict[str, set[str]] = defaultdict(set)
        for row in csv.DictReader(file):
            found[row["lad_name"].strip()].add(row["lad_code"])
    return {name: next(iter(codes)) for name, codes in found.items() if len(codes) == 1}


def test_modelled_starts_follow_the_stated_method(store: Store) -> None:
    subjects = table(excerpt(SLUG), loader.SUBJECTS)
    home: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in table(excerpt(SLUG), loader.DISTRICTS):
        if r["year"] == "2024/25":
            home[r["provider_name"][-9:-1]][r["learner_home_lad"]] += r["starts"]
    name, level = "Financial Services Customer Adviser", "Intermediate Apprenticeship"
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for r in subjects:
        if (r["year"], r["std_fwk_name"], r["apps_Level"]) == ("2024/25", name, level) and r[
            "measure"
        ] == "Starts":
            shares = home[r["provider_name"][-9:-1]]
            for district, starts in shares.items():
                expected[district] += Decimal(r["values"]) * starts / sum(shares.values())
    codes = lad_codes()
    district = max((d for d in expected if d in codes), key=expected.__getitem__)
    assert expected[district] >= Decimal("0.5")
    code = next(row["StandardCode"] for row in lars_rows() if row["StandardName"] == name)
    where = f"""?obs qb:dataSet {iris.dataset_iri(SLUG, loader.MODELLED.name)} ;
        sdmx-dimension:refArea {iris.area_iri(codes[district])} ;
        sg:apprenticeshipStandard {iris.credential_iri("lars-standard", code)} ;
        sg:modelMethod {iris.breakdown_iri("statistical-method", loader.METHOD_NAME)} ."""
    value, flags = one_value(store, where)
    assert value == expected[district].quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert flags == [SG.Modelled.value]


def test_every_modelled_observation_is_flagged(excerpt_triples: list[Triple]) -> None:
    modelled = {t.subject for t in excerpt_triples if t.object == iris.dataset_iri(SLUG, loader.MODELLED.name)
                and t.predicate.value.endswith("dataSet")}  # fmt: skip
    flagged = {t.subject for t in excerpt_triples if t.object == SG.Modelled}
    assert modelled and modelled == flagged


# --- standards and districts on the full files ----------------------------------------------------


@pytest.fixture(scope="module")
def standards() -> loader.Standards:
    subjects = dash.read_parquet(bundled(SLUG) / loader.SUBJECTS, loader.SUBJECT_COLUMNS)
    return loader.standards_of(bundled(SLUG), subjects)


def test_standard_names_matched_and_unmatched(standards: loader.Standards) -> None:
    text = (bundled(SLUG) / "SOURCE.md").read_text(encoding="utf-8")
    stated = re.search(r"\((\d+) standards \+ (\d+) legacy frameworks.*?finds (\d+) of", text, re.S)
    assert stated
    published, frameworks, lower_case = (int(n) for n in stated.groups())
    kinds = list(standards.kinds.values())
    assert (kinds.count("Standard"), kinds.count("Framework")) == (published, frameworks)
    matched = {name for (name, _level), found in standards.matches.items() if found}
    exact = {
        name
        for (name, _level), found in standards.matches.items()
        if found and found.rule == "exact"
    }
    assert len(exact) >= lower_case  # folding finds at least what lower-casing found
    # The counts reported: names (744 standards) and (name, level) pairs by rule.
    assert (len(exact), len(matched - exact), published - len(matched)) == (417, 57, 270)
    assert standards.counts() == {"exact": 418, "qualifier": 57, "standard": 271, "framework": 116}


def test_level_tells_standards_of_one_name_apart(standards: loader.Standards) -> None:
    plasterers = {
        row["NotionalEndLevel"]: row["StandardCode"]
        for row in lars_rows()
        if row["StandardName"] == "Plasterer"
    }
    assert standards.matches[("Plasterer", "Intermediate Apprenticeship")].code == plasterers["2"]
    assert standards.matches[("Plasterer", "Advanced Apprenticeship")].code == plasterers["3"]
    assert (
        standards.matches[("Financial Services Customer Adviser", "Advanced Apprenticeship")]
        is None
    )
    found = standards.matches[("Accounts or Finance Assistant", "Intermediate Apprenticeship")]
    lars = next(r for r in lars_rows() if r["StandardCode"] == found.code)
    assert (lars["StandardName"], found.rule) == ("Accounts / Finance Assistant", "qualifier")


def test_every_district_name_resolves_to_its_may_2024_code() -> None:
    districts = pq.read_table(
        bundled(SLUG) / loader.DISTRICTS, columns=["learner_home_lad", "delivery_lad"]
    )
    names = set(pc.unique(districts["learner_home_lad"]).to_pylist()) | set(
        pc.unique(districts["delivery_lad"]).to_pylist()
    )
    areas = dash.Areas(bundled(SLUG))
    found = {
        n: areas.resolve(Path("x"), districts, "learner_home_lad", n, "lad") for n in sorted(names)
    }
    assert found.pop(dash.UNKNOWN_AREA) is None
    assert len(set(found.values())) == len(found) == 296
    with (bundled("dfe-geography-lookups") / "lads.csv").open(encoding="utf-8-sig") as file:
        live = {r["lad_code"] for r in csv.DictReader(file) if not r["date_of_termination"]
                or r["date_of_termination"][-4:] > "2024"}  # fmt: skip
    assert {a.value.rsplit("/", 1)[1] for a in found.values()} <= live


# --- bad input -------------------------------------------------------------------------------------


def mutated(tmp_path: Path, name: str, change) -> Path:
    """A copy of the excerpt folder whose file ``name`` is replaced by ``change(path)``."""
    copy = tmp_path / "copy"
    shutil.copytree(excerpt(SLUG), copy)
    change(copy / name)
    return folder_with(tmp_path / "data", copy)


def rewrite(transform):
    return lambda path: pq.write_table(transform(pq.read_table(path)), path)


def read_error(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(loader.read(folder))
    assert "Traceback" not in str(caught.value) and str(caught.value).startswith(
        caught.value.file or ""
    )
    return caught.value


def test_truncated_parquet_file(tmp_path: Path) -> None:
    def cut(path: Path) -> None:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    error = read_error(mutated(tmp_path, loader.SUBJECTS, cut))
    assert (error.file, error.expected) == (loader.SUBJECTS, "an Apache Parquet file")
    assert "not a readable Parquet file" in str(error)


def test_csv_under_the_parquet_name(tmp_path: Path) -> None:
    error = read_error(
        mutated(tmp_path, loader.DISTRICTS, lambda p: p.write_text("year,starts\n2022/23,1\n"))
    )
    assert (error.file, error.expected) == (loader.DISTRICTS, "an Apache Parquet file")


def test_missing_column(tmp_path: Path) -> None:
    error = read_error(
        mutated(tmp_path, loader.PROVIDERS, rewrite(lambda t: t.drop_columns(["age_group"])))
    )
    assert (error.file, error.expected) == (loader.PROVIDERS, "columns 'age_group'")
    assert "missing column" in str(error)


def test_text_in_a_numeric_column(tmp_path: Path) -> None:
    def spoil(t: pa.Table) -> pa.Table:
        values = [str(v) for v in t["values"].to_pylist()]
        values[6] = "n/a"
        return t.set_column(t.schema.get_field_index("values"), "values", pa.array(values))

    error = read_error(mutated(tmp_path, loader.SUBJECTS, rewrite(spoil)))
    assert (error.file, error.row, error.column, error.got) == (loader.SUBJECTS, 7, "values", "n/a")
    assert error.expected == "a whole number of 0 or more"


def test_unresolvable_district_name(tmp_path: Path) -> None:
    original = pq.read_table(excerpt(SLUG) / loader.DISTRICTS)
    names = original["delivery_lad"].to_pylist()
    index = next(i for i, name in enumerate(names) if name != dash.UNKNOWN_AREA)

    def rename(t: pa.Table) -> pa.Table:
        names = t["delivery_lad"].to_pylist()
        names[index] += "x"
        return t.set_column(
            t.schema.get_field_index("delivery_lad"), "delivery_lad", pa.array(names)
        )

    error = read_error(mutated(tmp_path, loader.DISTRICTS, rewrite(rename)))
    assert (error.file, error.row, error.column, error.got) == (
        loader.DISTRICTS,
        index + 1,
        "delivery_lad",
        names[index] + "x",
    )
    assert "unknown area name" in str(error)


def test_duplicate_row(tmp_path: Path) -> None:
    error = read_error(
        mutated(tmp_path, loader.DISTRICTS, rewrite(lambda t: pa.concat_tables([t, t.slice(3, 1)])))
    )
    rows = pq.read_metadata(excerpt(SLUG) / loader.DISTRICTS).num_rows
    assert (error.file, error.row, error.message) == (loader.DISTRICTS, rows + 1, "duplicate row")


def test_impossible_academic_year(tmp_path: Path) -> None:
    def spoil(t: pa.Table) -> pa.Table:
        years = t["year"].to_pylist()
        years[2] = "2022/24"
        return t.set_column(t.schema.get_field_index("year"), "year", pa.array(years))

    error = read_error(mutated(tmp_path, loader.PROVIDERS, rewrite(spoil)))
    assert (error.row, error.column, error.got) == (3, "year", "2022/24")


# --- the full source through the gate (slow) -------------------------------------------------------


@pytest.mark.slow
def test_full_source_passes_the_gate_with_published_totals(reference: bytes) -> None:
    data = gate.to_ntriples(loader.read(bundled(SLUG)))
    report = gate.validate(data, reference=reference)
    assert report.by_severity()["Violation"] == 0
    graph = Store()
    graph.load(data, format=RdfFormat.N_TRIPLES)
    text = (bundled(SLUG) / "SOURCE.md").read_text(encoding="utf-8")
    totals = re.findall(r"(\d{4})/\d\d (?:Aug–Apr )?([\d,]{7})", text)
    assert len(totals) == 4  # the national starts of the four years, as SOURCE.md states them
    for start, total in totals:
        by_provider = f"""SELECT (SUM(?v) AS ?total) WHERE {{
            ?obs qb:dataSet {iris.dataset_iri(SLUG, "by-provider")} ;
                sg:statistic {iris.statistic_iri("apprenticeship-starts")} ;
                sdmx-dimension:refPeriod ?period ; sdmx-measure:obsValue ?v .
            FILTER(STRSTARTS(STR(?period), "http://reference.data.gov.uk/id/gregorian-interval/{start}-08-01")) }}"""
        assert Decimal(select(graph, by_provider)[0]["total"].value) == int(total.replace(",", ""))
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?obs qb:dataSet {iris.dataset_iri(SLUG, loader.MODELLED.name)} }}"
    assert int(select(graph, count)[0]["n"].value) > 50_000
