"""The ncs-course-directory-samples loader: legacy export tables and Find a Course API as CTDL."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import MODULES, dfe_geography_lookups, dfe_lars, ncs_course_directory_samples
from skillsgap.namespaces import CETERMS, RDF, SG, XSD

from .conftest import assert_matches_golden, bundled, excerpt

SLUG = "ncs-course-directory-samples"
GEOGRAPHY = ("dfe-geography-lookups", "dfe-lsip-lookups")
SCHEMA = "https://schema.org/"
read = ncs_course_directory_samples.read


def with_geography(source: Path, root: Path) -> Path:
    """A copy of ``source`` with the bundled geography sources linked beside it."""
    folder = root / SLUG
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("expected.nt", "SOURCE.md"))
    for slug in GEOGRAPHY:
        (root / slug).symlink_to(bundled(slug))
    return folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return with_geography(excerpt(SLUG), tmp_path)


@cache
def full_triples() -> tuple[Triple, ...]:
    return tuple(read(bundled(SLUG)))


@cache
def ldcs_codes() -> tuple[Triple, ...]:
    """LARS's LDCS subject codes (ceterms:subject points at them)."""
    ldcs = next(code_list for code_list in dfe_lars.CODE_LISTS if code_list.name == "lars-ldcs")
    return tuple(dfe_lars.code_list_triples(bundled("dfe-lars"), ldcs, {}, True))


@cache
def geography() -> bytes:
    """Reference data: the areas (sg:inArea) and LARS's LDCS subjects."""
    reference = dfe_geography_lookups.SOURCE.read(bundled("dfe-geography-lookups"))
    return gate.to_ntriples((*reference, *ldcs_codes()))


def objects(triples: tuple[Triple, ...], subject: NamedNode, predicate: NamedNode) -> set:
    return {t.object for t in triples if t.subject == subject and t.predicate == predicate}


def typed(triples: tuple[Triple, ...], cls: NamedNode) -> set:
    return {t.subject for t in triples if t.predicate == RDF.type and t.object == cls}


def table(name: str) -> list[dict[str, str]]:
    """A legacy table read with the csv module, independently of the loader."""
    with (bundled(SLUG) / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def api(name: str) -> Any:
    return json.loads((bundled(SLUG) / name).read_text(encoding="utf-8"))


def line_of(path: Path, start: str) -> int:
    """The 1-based line of ``path`` that starts with ``start``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(start))


# --- real data -----------------------------------------------------------------------------------


def test_excerpt_matches_golden(folder: Path) -> None:
    assert_matches_golden(read(folder), excerpt(SLUG) / "expected.nt")


def test_source_is_registered_with_its_bundled_files() -> None:
    source = ncs_course_directory_samples.SOURCE
    assert source.slug == SLUG and source.read is read
    assert "ncs_course_directory_samples" in MODULES
    assert all((bundled(SLUG) / name).is_file() for name in source.files)


def test_counts_are_those_of_the_files() -> None:
    triples = full_triples()
    providers = {r["UKPRN"] for r in table("C_PROVIDERS.csv")}
    results = api("find_a_course_search_response.json")["results"]
    details = api("find_a_course_details_response.json")
    providers |= {r["ukprn"] for r in results} | {details["provider"]["ukprn"]}
    organisations = typed(triples, CETERMS.CredentialOrganization)
    assert organisations == {iris.organisation_iri(u) for u in providers}
    assert len(typed(triples, CETERMS.Course)) == len(table("O_COURSES.csv")) + len(results) + 1
    runs = len(table("O_OPPORTUNITIES.csv")) + len(results) + 1
    assert len(typed(triples, CETERMS.ScheduledOffering)) == runs


def test_legacy_cells_are_found_in_the_triples() -> None:
    triples = full_triples()
    row = table("O_OPPORTUNITIES.csv")[0]
    course = iris.course_iri("10018328", "ncs-" + row["COURSE_ID"])
    run = iris.part_iri(course, "offering", row["OPPORTUNITY_ID"])
    price = objects(triples, iris.part_iri(run, "cost", "price"), CETERMS.price)
    assert {float(p.value) for p in price} == {float(row["PRICE"])}
    duration = objects(triples, iris.part_iri(run, "duration"), CETERMS.exactDuration)
    assert duration == {Literal(f"P{int(row['DURATION_VALUE']) * 7}D", datatype=XSD.duration)}
    summary = table("O_COURSES.csv")[0]["COURSE_SUMMARY"]
    assert Literal(summary, language="en") in objects(triples, course, CETERMS.description)
    aim = iris.credential_iri("lars-aim", table("O_COURSES.csv")[0]["QUAL_REFERENCE"])
    assert objects(triples, course, CETERMS.isPreparationFor) == {aim}


def test_start_dates_keep_their_precision() -> None:
    starts = table("O_OPP_START_DATES.csv")
    course = iris.course_iri("10003491", "ncs-53301287")
    run = iris.part_iri(course, "offering", starts[0]["OPPORTUNITY_ID"])
    day, month = starts[0]["START_DATE"][:8], starts[1]["START_DATE"][:6]
    assert objects(full_triples(), run, NamedNode(SCHEMA + "startDate")) == {
        Literal(f"{day[:4]}-{day[4:6]}-{day[6:]}", datatype=XSD.date)
    }
    assert objects(full_triples(), run, SG.startMonth) == {
        Literal(f"{month[:4]}-{month[4:]}", datatype=XSD.gYearMonth)
    }


def test_areas_only_where_the_source_names_one() -> None:
    triples = full_triples()
    in_area = {t.subject: t.object for t in triples if t.predicate == SG.inArea}
    provider = iris.place_iri("ukprn-10003491", "address")
    assert in_area[provider] == iris.area_iri("E06000013")  # DfE LA number 813
    region = iris.place_iri("ncs-region", "north west england")
    assert in_area[region] == iris.area_iri("E12000002")
    assert len(in_area) == 4
    venues = {iris.place_iri("ncs-venue", r["VENUE_ID"]) for r in table("C_VENUES.csv")}
    assert not venues & set(in_area)
    assert len(venues & typed(triples, CETERMS.Place)) == 4


def test_api_cells_are_found_and_unescaped() -> None:
    triples = full_triples()
    result = api("find_a_course_search_response.json")["results"][1]
    course = iris.course_iri(result["ukprn"], "ncs-" + result["courseId"])
    (description,) = objects(triples, course, CETERMS.description)
    assert "&#x" not in description.value and "East & North London" in description.value
    run = iris.part_iri(course, "run", result["courseRunId"])
    assert objects(triples, run, SG.flexibleStartDate) == {Literal("true", datatype=XSD.boolean)}
    assert objects(triples, run, SG.studyMode) == {iris.code_iri("ncs-study-mode", "2")}


def test_full_output_passes_gate_with_one_warning_for_the_unlisted_venue() -> None:
    report = gate.validate(gate.to_ntriples(full_triples()), reference=geography())
    assert report.conforms, report.results[:3]
    assert report.by_severity()["Warning"] == 1
    assert report.results[0].focus == "<" + iris.place_iri("ncs-venue", "3048953").value + ">"


def test_both_engines_agree(folder: Path) -> None:
    # pyshacl is slow on the whole geography: the areas (checked above) are left out here.
    triples = [t for t in read(folder) if t.predicate != SG.inArea]
    data, reference = gate.to_ntriples(triples), gate.to_ntriples(ldcs_codes())
    fast = gate.validate(data, reference=reference)
    slow = gate.validate(data, reference=reference, engine="pyshacl")
    assert fast.by_severity() == slow.by_severity() == {"Violation": 0, "Warning": 1, "Info": 0}


def test_both_shapes_meet_on_provider_and_qualification(folder: Path) -> None:
    path = folder / "find_a_course_search_response.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["results"][0].update(ukprn="10018328", learnAimRef="60143824")
    path.write_text(json.dumps(doc), encoding="utf-8")
    triples = tuple(read(folder))
    provider = iris.organisation_iri("10018328")
    assert objects(triples, provider, CETERMS.name) == {
        Literal("MI COMPUTSOLUTIONS INCORPORATED", language="en")
    }
    assert Literal("BRENT LONDON BOROUGH COUNCIL", language="en") in objects(
        triples, provider, CETERMS.alternateName
    )
    aim = iris.credential_iri("lars-aim", "60143824")
    preparing = {t.subject for t in triples if t.predicate == CETERMS.isPreparationFor}
    assert len({c for c in preparing if aim in objects(triples, c, CETERMS.isPreparationFor)}) == 2
    assert gate.validate(gate.to_ntriples(triples), reference=geography()).conforms


def test_gate_rejects_a_run_with_two_end_dates() -> None:
    run = next(iter(typed(full_triples(), CETERMS.ScheduledOffering)))
    extra = Triple(run, NamedNode(SCHEMA + "endDate"), Literal("2030-01-01", datatype=XSD.date))
    report = gate.validate(gate.to_ntriples((*full_triples(), extra)), reference=geography())
    assert not report.conforms
    assert any("end date" in r.message for r in report.results if r.severity == "Violation")


# --- bad input -----------------------------------------------------------------------------------


def edit(path: Path, change: Callable[[str], str]) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def error_of(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(read(folder))
    return caught.value


def test_rejects_missing_column(folder: Path) -> None:
    edit(folder / "C_PROVIDERS.csv", lambda text: text.replace(",UKPRN,", ",UKPRN_X,", 1))
    error = error_of(folder)
    assert (error.file, error.row) == ("C_PROVIDERS.csv", 1)
    assert "'UKPRN'" in str(error.expected)


def test_rejects_ukprn_of_wrong_form(folder: Path) -> None:
    edit(folder / "C_PROVIDERS.csv", lambda text: text.replace(",10018328,", ",1001832,"))
    error = error_of(folder)
    assert (error.file, error.row, error.column, error.got) == (
        "C_PROVIDERS.csv",
        2,
        "UKPRN",
        "1001832",
    )
    assert error.expected == "an 8-digit UKPRN starting with 1"


def test_rejects_ukprn_of_wrong_form_in_json(folder: Path) -> None:
    edit(folder / "find_a_course_search_response.json", lambda t: t.replace('"10023705"', '"ABC"'))
    error = error_of(folder)
    assert (error.file, error.column) == (
        "find_a_course_search_response.json",
        "$.results[1].ukprn",
    )
    assert error.got == "ABC"


def test_rejects_unknown_code_naming_the_line_the_record_starts_on(folder: Path) -> None:
    path = folder / "O_OPPORTUNITIES.csv"
    edit(path, lambda text: text.replace(",SM4,AM2,AP2,", ",SM9,AM2,AP2,"))
    error = error_of(folder)
    assert (error.file, error.column, error.got) == ("O_OPPORTUNITIES.csv", "STUDY_MODE", "SM9")
    assert error.row == line_of(path, "4452063,") != 6  # record 6 starts further down
    assert "SM1" in str(error.expected)


def test_rejects_bad_subject_code_on_a_record_after_multi_line_cells(folder: Path) -> None:
    path = folder / "O_COURSES.csv"
    edit(path, lambda text: text.replace(",LV2,HD.4,", ",LV2,hd4,"))
    error = error_of(folder)
    assert (error.column, error.got, error.row) == ("LDCS1", "hd4", line_of(path, "53233529,"))


def test_rejects_impossible_date(folder: Path) -> None:
    edit(folder / "O_OPP_START_DATES.csv", lambda text: text.replace("20190901", "20190231"))
    error = error_of(folder)
    assert (error.file, error.row, error.column) == ("O_OPP_START_DATES.csv", 2, "START_DATE")
    assert error.got == "20190231 00:00:00"


def test_rejects_start_after_end(folder: Path) -> None:
    edit(folder / "O_OPPORTUNITIES.csv", lambda text: text.replace(",31-Aug-21,", ",31-Aug-19,"))
    error = error_of(folder)
    assert (error.file, error.row, error.column) == ("O_OPP_START_DATES.csv", 2, "START_DATE")


def test_rejects_impossible_date_in_json(folder: Path) -> None:
    edit(
        folder / "find_a_course_details_response.json",
        lambda t: t.replace("2020-09-01", "2020-09-31"),
    )
    error = error_of(folder)
    assert (error.file, error.column) == ("find_a_course_details_response.json", "$.startDate")


def test_rejects_non_numeric_cost(folder: Path) -> None:
    path = folder / "O_OPPORTUNITIES.csv"
    edit(
        path,
        lambda text: text.replace(
            "922907,ESOL ENTRY LEVEL 3,300.00,", "922907,ESOL ENTRY LEVEL 3,£300,"
        ),
    )
    error = error_of(folder)
    assert (error.file, error.row, error.column, error.got) == (
        "O_OPPORTUNITIES.csv",
        2,
        "PRICE",
        "£300",
    )


def test_rejects_non_numeric_cost_in_json(folder: Path) -> None:
    edit(
        folder / "find_a_course_search_response.json",
        lambda t: t.replace('"cost": 0,', '"cost": "free",', 1),
    )
    error = error_of(folder)
    assert (error.column, error.got) == ("$.results[0].cost", "free")


def test_rejects_json_that_is_not_the_api_shape(folder: Path) -> None:
    (folder / "find_a_course_search_response.json").write_text('{"results": {}}', encoding="utf-8")
    error = error_of(folder)
    assert (error.column, error.expected) == ("$.results", "an array")
    (folder / "find_a_course_search_response.json").write_text('{"total": 3}', encoding="utf-8")
    assert error_of(folder).column == "$.results"


def test_rejects_reference_to_unknown_provider(folder: Path) -> None:
    edit(
        folder / "C_VENUES.csv", lambda text: text.replace("\n300989,3185371,", "\n399999,3185371,")
    )
    error = error_of(folder)
    assert (error.file, error.column, error.got) == ("C_VENUES.csv", "PROVIDER_ID", "399999")
    assert error.expected == "an id listed in C_PROVIDERS.csv"


def test_rejects_empty_file(folder: Path) -> None:
    (folder / "C_VENUES.csv").write_bytes(b"")
    error = error_of(folder)
    assert (error.file, error.expected) == ("C_VENUES.csv", "a header line")


def test_rejects_truncated_files(folder: Path) -> None:
    path = folder / "O_COURSES.csv"
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    error = error_of(folder)
    assert error.file == "O_COURSES.csv" and error.row is not None
    json_path = folder / "find_a_course_details_response.json"
    path.write_bytes((bundled(SLUG) / "O_COURSES.csv").read_bytes())
    json_path.write_bytes(json_path.read_bytes()[:1000])
    error = error_of(folder)
    assert error.file == json_path.name and error.row is not None


def test_rejects_wrong_file_type(folder: Path) -> None:
    shutil.copy(
        bundled("dfe-geography-lookups") / "ward_lad_la_pcon_hierarchy.csv.gz",
        folder / "C_PROVIDERS.csv",
    )
    error = error_of(folder)
    assert (error.file, error.expected) == ("C_PROVIDERS.csv", "CSV text")


def test_errors_are_readable_sentences_not_tracebacks(folder: Path) -> None:
    edit(folder / "O_OPPORTUNITIES.csv", lambda text: text.replace(",DU3,", ",DU9,"))
    message = str(error_of(folder))
    assert message.startswith("O_OPPORTUNITIES.csv, row 2, column 'DURATION_UNITS': unknown code")
    assert "Traceback" not in message and "DU1" in message
