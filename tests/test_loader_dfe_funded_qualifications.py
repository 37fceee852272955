"""The dfe-funded-qualifications loader: approved qualifications as CTDL credentials with funding."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import dfe_funded_qualifications as loader
from skillsgap.loaders import dfe_lars, sources
from skillsgap.namespaces import CETERMS, RDF, SG, XSD

from .conftest import assert_matches_golden, bundled, excerpt

SLUG = "dfe-funded-qualifications"
SCHEMA = "https://schema.org/"
STREAM_COLUMNS = [c.removesuffix("_FundingAvailable") for c in loader.COLUMNS if "Available" in c]


# --- reading the real file independently of the loader ----------------------------------------


def records(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def full_rows() -> list[dict[str, str]]:
    return records(bundled(SLUG) / loader.FILE)


@cache
def full_triples() -> tuple[Triple, ...]:
    return tuple(loader.read(bundled(SLUG)))


@cache
def full_graph() -> dict[tuple[Any, Any], set]:
    graph: dict[tuple[Any, Any], set] = {}
    for t in full_triples():
        graph.setdefault((t.subject, t.predicate), set()).add(t.object)
    return graph


def objects(subject: NamedNode, predicate: NamedNode) -> set:
    return full_graph().get((subject, predicate), set())


def aligned(subject: NamedNode, prop: NamedNode) -> set:
    return {t for node in objects(subject, prop) for t in objects(node, CETERMS.targetNode)}


def uk_day(text: str) -> Literal:
    day = datetime.strptime(text, "%d/%m/%Y").date()
    return Literal(day.isoformat(), datatype=XSD.date)


def lars_reference(folder: Path) -> Iterator[Triple]:
    """The dfe-lars triples the shapes need: levels, sector subject areas, awarding bodies."""
    known: dict[str, dict[str, str]] = {}
    for code_list in (dfe_lars.SSA_TIER_1, dfe_lars.SSA_TIER_2, dfe_lars.LEVEL_V2):
        first = code_list.name not in known
        codes = known.setdefault(code_list.name, {})
        yield from dfe_lars.code_list_triples(folder, code_list, codes, first)
    yield from dfe_lars.awarding_organisations(folder / dfe_lars.AWARDING_ORGS)


@cache
def excerpt_reference() -> bytes:
    """What the shapes check the excerpt against: the dfe-lars excerpt's levels, areas, bodies."""
    return gate.to_ntriples(lars_reference(excerpt("dfe-lars")))


# --- the excerpt -----------------------------------------------------------------------------


def test_excerpt_matches_golden() -> None:
    assert_matches_golden(loader.read(excerpt(SLUG)), excerpt(SLUG) / "expected.nt")


def test_excerpt_passes_gate_alike_with_both_engines() -> None:
    data = gate.to_ntriples(loader.read(excerpt(SLUG)))
    fast = gate.validate(data, reference=excerpt_reference())
    slow = gate.validate(data, reference=excerpt_reference(), engine="pyshacl")
    assert fast.results == slow.results == []


def test_gate_rejects_level_that_is_not_a_lars_level() -> None:
    triples = list(loader.read(excerpt(SLUG)))
    level = iris.code_iri("lars-notional-nvq-level-v2", "3")
    wrong = iris.code_iri("ssa", "15.1")
    planted = [Triple(t.subject, t.predicate, wrong) if t.object == level else t for t in triples]
    report = gate.validate(gate.to_ntriples(planted), excerpt_reference())
    shapes = {r.shape for r in report.results if r.severity == "Violation"}
    assert shapes == {"<https://w3id.org/skillsgap/shapes/funded-qualification>"}


def test_gate_rejects_funding_that_ends_before_it_starts() -> None:
    triples = list(loader.read(excerpt(SLUG)))
    start = NamedNode(SCHEMA + "startDate")
    late = Literal("2099-01-01", datatype=XSD.date)
    planted = [Triple(t.subject, t.predicate, late) if t.predicate == start else t for t in triples]
    report = gate.validate(gate.to_ntriples(planted), excerpt_reference())
    messages = {r.message for r in report.results if r.severity == "Violation"}
    assert messages == {"a funding approval cannot end before it starts"}


# --- the full bundled file --------------------------------------------------------------------


def test_source_is_registered_with_its_bundled_file() -> None:
    source = sources()[SLUG]
    assert all((bundled(SLUG) / name).is_file() for name in source.files)
    assert (bundled(SLUG) / "SOURCE.md").is_file()
    assert source.depends_on == ("ons-soc2020", "dfe-lars")


def test_counts_are_those_source_md_states() -> None:
    credentials = {t.subject for t in full_triples() if t.object == CETERMS.Credential}
    assert len(credentials) == len(full_rows()) == 8092
    approvals = [t for t in full_triples() if t.predicate == SG.fundingStream]
    by_stream = {
        offer: sum(1 for t in approvals if t.object == iris.code_iri(loader.STREAMS, offer))
        for offer in STREAM_COLUMNS
    }
    assert by_stream["Age1619"] == 7469 and by_stream["AdvancedLearnerLoans"] == 1774
    assert by_stream["LocalFlexibilities"] == 4123 and by_stream["LegalEntitlementL2L3"] == 1244
    for offer in STREAM_COLUMNS:
        available = sum(1 for r in full_rows() if r[f"{offer}_FundingAvailable"] == "True")
        assert by_stream[offer] == available, offer


def test_every_row_is_found_in_the_triples() -> None:
    for row in full_rows():
        node = iris.credential_iri("lars-aim", row["QualificationNumber"])
        title = " ".join(row["QualificationName"].split())
        assert objects(node, CETERMS.name) == {Literal(title, language="en")}
        assert objects(node, RDF.type) == {CETERMS.Credential, SG.LearningAim}
        for offer in STREAM_COLUMNS:
            approval = iris.part_iri(node, "funding", offer)
            if row[f"{offer}_FundingAvailable"] == "False":
                assert approval not in objects(node, SG.fundingApproval)
                continue
            start = objects(approval, NamedNode(SCHEMA + "startDate"))
            assert start == {uk_day(row[f"{offer}_FundingApprovalStartDate"])}
            end = objects(approval, NamedNode(SCHEMA + "endDate"))
            assert end == {uk_day(row[f"{offer}_FundingApprovalEndDate"])}


def test_levels_and_areas_are_the_lars_codes_of_the_same_name() -> None:
    lars = bundled("dfe-lars")
    levels = {
        r["NotionalNVQLevelV2Desc"]: r["NotionalNVQLevelV2"]
        for r in records(lars / dfe_lars.LEVEL_V2.file)
    }
    areas = {
        r["SectorSubjectAreaTier2Desc"].casefold(): r["SectorSubjectAreaTier2"].rstrip("0")
        for r in records(lars / dfe_lars.SSA_TIER_2.file)
    }
    for row in full_rows()[::50]:
        node = iris.credential_iri("lars-aim", row["QualificationNumber"])
        level = iris.code_iri("lars-notional-nvq-level-v2", levels[row["Level"]])
        assert aligned(node, CETERMS.atLevel) == {level}
        area = areas.get(row["SectorSubjectArea"].casefold())
        if area:
            assert aligned(node, CETERMS.subject) == {iris.code_iri("ssa", area)}


def test_areas_named_after_2020_get_their_codes() -> None:
    names = {"Digital technology (practitioners)": "6.1", "Digital technology (users)": "6.2"}
    names["Child development and well-being"] = "1.5"
    for name, code in names.items():
        row = next(r for r in full_rows() if r["SectorSubjectArea"] == name)
        node = iris.credential_iri("lars-aim", row["QualificationNumber"])
        assert aligned(node, CETERMS.subject) == {iris.code_iri("ssa", code)}


def test_awarding_bodies_reuse_lars_codes_where_names_match() -> None:
    lars = {
        r["AwardOrgName"]: r["AwardOrgCode"]
        for r in records(bundled("dfe-lars") / "AwardOrgCode.csv")
    }
    row = next(r for r in full_rows() if r["AwardingOrganisation"] in lars)
    node = iris.credential_iri("lars-aim", row["QualificationNumber"])
    code = lars[row["AwardingOrganisation"]]
    assert objects(node, CETERMS.ownedBy) == {iris.organisation_code_iri("lars-awarding-org", code)}
    # "City & Guilds of London Institute" in LARS; the list writes "and".
    guilds = next(r for r in full_rows() if r["AwardingOrganisation"].startswith("City and Guilds"))
    node = iris.credential_iri("lars-aim", guilds["QualificationNumber"])
    assert objects(node, CETERMS.ownedBy) == {iris.organisation_code_iri("lars-awarding-org", "CG")}


def test_awarding_body_lars_does_not_name_is_described_here() -> None:
    row = next(r for r in full_rows() if r["AwardingOrganisation"] == "WJEC-CBAC")
    owner = next(
        iter(objects(iris.credential_iri("lars-aim", row["QualificationNumber"]), CETERMS.ownedBy))
    )
    assert "/awarding-organisation-name/" in owner.value
    assert objects(owner, CETERMS.name) == {Literal("WJEC-CBAC", language="en")}


def test_funding_notes_are_kept() -> None:
    row = next(r for r in full_rows() if r["Age1619_Notes"] == "18+ only")
    node = iris.credential_iri("lars-aim", row["QualificationNumber"])
    approval = iris.part_iri(node, "funding", "Age1619")
    description = NamedNode("http://purl.org/dc/terms/description")
    assert objects(approval, description) == {Literal("18+ only", language="en")}


def test_full_output_passes_gate_without_warnings() -> None:
    reference = gate.to_ntriples(lars_reference(bundled("dfe-lars")))
    report = gate.validate(gate.to_ntriples(full_triples()), reference)
    assert report.results == []


# --- bad input -------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A writable copy of the excerpt, with the dfe-lars excerpt beside it."""
    (tmp_path / "dfe-lars").symlink_to(excerpt("dfe-lars"))
    return Path(shutil.copytree(excerpt(SLUG), tmp_path / SLUG))


def edit_row(folder: Path, number: int, column: str, value: str) -> None:
    """Set one cell of data row ``number`` (1-based line number, as the error gives it)."""
    path = folder / loader.FILE
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[number - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def load_error(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(loader.read(folder))
    return caught.value


def test_rejects_missing_column(folder: Path) -> None:
    path = folder / loader.FILE
    path.write_text(path.read_text(encoding="utf-8-sig").replace("SectorSubjectArea", "SSA", 1))
    error = load_error(folder)
    assert (error.file, error.row) == (loader.FILE, 1)
    assert "'SectorSubjectArea'" in (error.expected or "") and "'SSA'" in str(error.got)


@pytest.mark.parametrize("qan", ["6100818", "61OO8187", "610/0818/7"])
def test_rejects_malformed_qan(folder: Path, qan: str) -> None:
    edit_row(folder, 3, "QualificationNumber", qan)
    error = load_error(folder)
    assert (error.file, error.sheet, error.row, error.column, error.got) == (
        loader.FILE,
        None,
        3,
        "QualificationNumber",
        qan,
    )
    assert error.expected == "an 8-character QAN without slashes"


def test_rejects_duplicate_qan(folder: Path) -> None:
    first = records(folder / loader.FILE)[0]["QualificationNumber"]
    edit_row(folder, 4, "QualificationNumber", first)
    error = load_error(folder)
    assert (error.row, error.column, error.message) == (4, "QualificationNumber", "duplicate QAN")


def test_rejects_impossible_and_malformed_dates(folder: Path) -> None:
    edit_row(folder, 2, "Age1619_FundingApprovalStartDate", "31/02/2022")
    error = load_error(folder)
    assert (error.row, error.column, error.got) == (
        2,
        "Age1619_FundingApprovalStartDate",
        "31/02/2022",
    )
    assert error.expected == "a date such as 31/07/2026"
    edit_row(folder, 2, "Age1619_FundingApprovalStartDate", "2022-09-01")
    assert load_error(folder).got == "2022-09-01"


def test_rejects_funding_that_ends_before_it_starts(folder: Path) -> None:
    edit_row(folder, 2, "Age1619_FundingApprovalEndDate", "31/07/2021")
    error = load_error(folder)
    assert (error.row, error.column, error.got) == (
        2,
        "Age1619_FundingApprovalEndDate",
        "31/07/2021",
    )
    assert error.expected == "a date on or after 2022-09-01"


def test_rejects_available_funding_without_start_and_flag_not_true_or_false(folder: Path) -> None:
    edit_row(folder, 2, "Age1619_FundingApprovalStartDate", "")
    assert (load_error(folder).column, load_error(folder).got) == (
        "Age1619_FundingApprovalStartDate",
        "",
    )
    edit_row(folder, 2, "Age1619_FundingAvailable", "Yes")
    error = load_error(folder)
    assert (error.column, error.expected, error.got) == (
        "Age1619_FundingAvailable",
        "True or False",
        "Yes",
    )


def test_rejects_unknown_sector_subject_area(folder: Path) -> None:
    edit_row(folder, 5, "SectorSubjectArea", "Basket weaving")
    error = load_error(folder)
    assert (error.row, error.column, error.got, error.message) == (
        5,
        "SectorSubjectArea",
        "Basket weaving",
        "unknown code",
    )
    assert "Sector subject areas" in (error.expected or "")


def test_rejects_unknown_level(folder: Path) -> None:
    edit_row(folder, 6, "Level", "Level 9")
    error = load_error(folder)
    assert (error.row, error.column, error.got, error.message) == (
        6,
        "Level",
        "Level 9",
        "unknown code",
    )


def test_rejects_cell_that_is_not_a_web_address(folder: Path) -> None:
    edit_row(folder, 7, "AwardingOrganisationURL", "see website")
    error = load_error(folder)
    assert (error.row, error.column, error.got) == (7, "AwardingOrganisationURL", "see")


def test_rejects_empty_file(folder: Path) -> None:
    (folder / loader.FILE).write_bytes(b"")
    error = load_error(folder)
    assert (error.file, error.message, error.expected) == (
        loader.FILE,
        "empty file",
        "a header line",
    )


def test_rejects_truncated_file(folder: Path) -> None:
    path = folder / loader.FILE
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    error = load_error(folder)
    assert error.file == loader.FILE and error.message == "line cut short"
    assert error.row == len(data[: len(data) // 2].decode("utf-8-sig").splitlines())


def test_rejects_workbook_under_the_csv_name(folder: Path) -> None:
    workbook = next(excerpt("ons-soc2020").glob("*.xlsx"))
    shutil.copy(workbook, folder / loader.FILE)
    error = load_error(folder)
    assert (error.file, error.message) == (loader.FILE, "not a text file")


def test_rejects_folder_without_dfe_lars_beside_it(tmp_path: Path) -> None:
    copy = Path(shutil.copytree(excerpt(SLUG), tmp_path / SLUG))
    error = load_error(copy)
    assert error.file == str(tmp_path / "dfe-lars") and error.got == "no such folder"


def test_errors_read_as_sentences_not_tracebacks(folder: Path) -> None:
    edit_row(folder, 3, "QualificationNumber", "6100818")
    text = str(load_error(folder))
    assert text == (
        "approved.csv, row 3, column 'QualificationNumber': "
        "expected an 8-character QAN without slashes, got '6100818'"
    )
    assert "Traceback" not in text
