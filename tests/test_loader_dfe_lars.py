"""The dfe-lars loader: LARS standards, frameworks, organisations and code lists as CTDL and SKOS."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import dfe_lars, ons_soc2020, sources
from skillsgap.namespaces import CETERMS, RDF, SG, SKOS, XSD

from .conftest import assert_matches_golden, bundled, excerpt, soc2020_groups

SLUG = "dfe-lars"


# --- reading the real files independently of the loader ---------------------------------------


def records(folder: Path, name: str) -> list[dict[str, str]]:
    """A LARS CSV file's rows as dictionaries, read with the csv module."""
    with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def full_triples() -> tuple[Triple, ...]:
    return tuple(dfe_lars.read(bundled(SLUG)))


@cache
def full_graph() -> dict[tuple[NamedNode, NamedNode], set]:
    graph: dict[tuple[NamedNode, NamedNode], set] = {}
    for t in full_triples():
        graph.setdefault((t.subject, t.predicate), set()).add(t.object)
    return graph


def objects(subject: NamedNode, predicate: NamedNode) -> set:
    return full_graph().get((subject, predicate), set())


def typed(cls: NamedNode) -> set[NamedNode]:
    return {t.subject for t in full_triples() if t.predicate == RDF.type and t.object == cls}


def aligned(subject: NamedNode, prop: NamedNode) -> set:
    """The target concepts of ``subject``'s alignments through ``prop``."""
    return {
        target for node in objects(subject, prop) for target in objects(node, CETERMS.targetNode)
    }


def lars_day(text: str) -> Literal:
    day, month, year = text.split()
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return Literal(
        date(int(year), months.index(month) + 1, int(day)).isoformat(), datatype=XSD.date
    )


# --- the excerpt -----------------------------------------------------------------------------


def test_excerpt_matches_golden() -> None:
    assert_matches_golden(dfe_lars.read(excerpt(SLUG)), excerpt(SLUG) / "expected.nt")


def test_excerpt_passes_gate_alike_with_both_engines() -> None:
    data = gate.to_ntriples(dfe_lars.read(excerpt(SLUG)))
    # The derived occupation links point at the SOC 2020 groups of the excerpt beside it.
    soc = gate.to_ntriples(ons_soc2020.read(excerpt("ons-soc2020")))
    fast = gate.validate(data, reference=soc)
    reference = gate.validate(data, reference=soc, engine="pyshacl")
    assert fast.results == reference.results == []


# --- the full bundled files ------------------------------------------------------------------


def test_source_is_registered_with_its_bundled_files() -> None:
    source = sources()[SLUG]
    assert all((bundled(SLUG) / name).is_file() for name in source.files)
    assert (bundled(SLUG) / "SOURCE.md").is_file()


def test_counts_are_those_source_md_states() -> None:
    assert len(typed(CETERMS.ApprenticeshipCertificate)) == 589 + sum(
        1
        for r in records(bundled(SLUG), "Framework.csv")
        if r["ProgType"] in dfe_lars.APPRENTICESHIP_TYPES
    )
    standards = {
        t.subject
        for t in full_triples()
        if t.predicate == CETERMS.identifier and "/lars-standard/" in t.subject.value
    }
    assert len(standards) == 589
    frameworks = {
        s
        for s in typed(CETERMS.ApprenticeshipCertificate)
        | typed(CETERMS.Diploma)
        | typed(CETERMS.Credential)
        if "/lars-framework/" in s.value
    }
    assert len(frameworks) == 1437
    awarding = {
        s for s in typed(CETERMS.CredentialOrganization) if "/lars-awarding-org/" in s.value
    }
    assert len(awarding) == 502
    assert sum(1 for t in full_triples() if t.predicate == SG.learningAim) == 573
    # 17 tier 1 rows and 67 tier 2 rows, less the placeholders and tier 2's repeats of tier 1.
    assert len(typed(SG.SectorSubjectArea)) == 15 + 50


def test_standard_cells_are_found_in_the_triples() -> None:
    for row in records(bundled(SLUG), "Standard.csv"):
        node = iris.credential_iri("lars-standard", row["StandardCode"])
        assert objects(node, CETERMS.name) == {Literal(row["StandardName"].strip(), language="en")}
        assert objects(node, CETERMS.subjectWebpage) == {NamedNode(row["URLLink"])}
        assert objects(node, CETERMS.dateEffective) == {lars_day(row["EffectiveFrom"])}
        level = iris.code_iri("lars-notional-nvq-level-v2", row["NotionalEndLevel"])
        assert aligned(node, CETERMS.atLevel) == {level}
        tier_2 = row["SectorSubjectAreaTier2"].rstrip("0").rstrip(".")
        sector = iris.code_iri("lars-standard-sector", row["StandardSectorCode"])
        assert {iris.code_iri("ssa", tier_2), sector} <= aligned(node, CETERMS.subject)


def test_closed_standard_keeps_its_last_start_and_end_dates() -> None:
    row = next(r for r in records(bundled(SLUG), "Standard.csv") if r["EffectiveTo"])
    node = iris.credential_iri("lars-standard", row["StandardCode"])
    assert objects(node, CETERMS.expirationDate) == {lars_day(row["EffectiveTo"])}
    assert objects(node, SG.lastDateForStarts) == {lars_day(row["LastDateStarts"])}


def test_lower_case_yes_no_is_read() -> None:
    row = next(
        r for r in records(bundled(SLUG), "Standard.csv") if r["IntegratedDegreeStandard"] == "n"
    )
    node = iris.credential_iri("lars-standard", row["StandardCode"])
    assert objects(node, SG.integratedDegree) == {Literal("false", datatype=XSD.boolean)}


def test_awarding_organisations_keep_their_codes_and_ukprns() -> None:
    rows = records(bundled(SLUG), "AwardOrgCode.csv")
    for row in rows:
        node = iris.organisation_code_iri("lars-awarding-org", row["AwardOrgCode"])
        assert objects(node, CETERMS.name) == {Literal(row["AwardOrgName"].strip(), language="en")}
        ukprn = iris.identifier_iri(node, "ukprn")
        has_ukprn = row["AwardOrgUKPRN"] not in ("", "0")
        assert (ukprn in objects(node, CETERMS.identifier)) == has_ukprn, row["AwardOrgCode"]
        if has_ukprn:
            assert objects(ukprn, CETERMS.identifierValueCode) == {Literal(row["AwardOrgUKPRN"])}
    universities = [r for r in rows if r["AwardOrgHigherEducationInstitution"] == "Y"]
    node = iris.organisation_code_iri("lars-awarding-org", universities[0]["AwardOrgCode"])
    assert NamedNode("https://purl.org/ctdl/vocabs/orgType/Postsecondary") in aligned(
        node, CETERMS.agentType
    )


def test_framework_pathway_class_follows_its_programme_type() -> None:
    for row in records(bundled(SLUG), "Framework.csv")[:50]:
        key = f"{row['FworkCode']}-{row['ProgType']}-{row['PwayCode']}"
        node = iris.credential_iri("lars-framework", key)
        expected = (
            CETERMS.ApprenticeshipCertificate
            if row["ProgType"] in dfe_lars.APPRENTICESHIP_TYPES
            else CETERMS.Diploma
            if row["ProgType"] in dfe_lars.DIPLOMA_TYPES
            else CETERMS.Credential
        )
        assert objects(node, RDF.type) == {expected}
        assert objects(node, SG.programmeType) == {iris.code_iri("lars-prog-type", row["ProgType"])}


def test_placeholder_codes_are_not_concepts_and_give_no_link() -> None:
    notations = {o.value for s in typed(SG.SectorSubjectArea) for o in objects(s, SKOS.notation)}
    assert not {n for n in notations if n.startswith("-")}
    row = next(
        r for r in records(bundled(SLUG), "Framework.csv") if r["SectorSubjectAreaTier1"] == "-1.00"
    )
    node = iris.credential_iri(
        "lars-framework", f"{row['FworkCode']}-{row['ProgType']}-{row['PwayCode']}"
    )
    assert objects(node, CETERMS.subject) == set()


def test_ldcs_code_without_listed_parent_sits_under_its_nearest_ancestor() -> None:
    assert objects(iris.code_iri("lars-ldcs", "FM.495"), SKOS.broader) == {
        iris.code_iri("lars-ldcs", "FM.4")
    }
    assert objects(iris.code_iri("lars-ldcs", "X"), SKOS.topConceptOf) == {
        iris.code_list_iri("lars-ldcs")
    }


def test_full_output_passes_gate_without_warnings() -> None:
    report = gate.validate(gate.to_ntriples(full_triples()), gate.to_ntriples(soc2020_groups()))
    assert report.results == []


# --- bad input -------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A writable copy of the excerpt."""
    (tmp_path / "ons-soc2020").symlink_to(excerpt("ons-soc2020"))  # the coder's workbooks
    return Path(shutil.copytree(excerpt(SLUG), tmp_path / SLUG))


def replace_line(path: Path, number: int, edit: Callable[[str], str]) -> None:
    """Rewrite line ``number`` (1-based) of a file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[number - 1] = edit(lines[number - 1])
    path.write_text("\n".join(lines), encoding="utf-8")


def load_error(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(dfe_lars.read(folder))
    return caught.value


def test_rejects_missing_column(folder: Path) -> None:
    replace_line(
        folder / "Standard.csv", 1, lambda line: line.replace('"NotionalEndLevel"', '"Level"')
    )
    error = load_error(folder)
    assert (error.file, error.row) == ("Standard.csv", 1)
    assert "NotionalEndLevel" in (error.expected or "") and "'Level'" in str(error.got)


def test_rejects_malformed_standard_code(folder: Path) -> None:
    replace_line(folder / "Standard.csv", 2, lambda line: line.replace('"1","1",', '"11a","1",', 1))
    error = load_error(folder)
    assert (error.file, error.row, error.column, error.got) == (
        "Standard.csv",
        2,
        "StandardCode",
        "11a",
    )
    assert error.expected == "a number"


def test_rejects_unknown_sector_subject_area(folder: Path) -> None:
    replace_line(
        folder / "Standard.csv", 3, lambda line: line.replace('"6.00","6.20"', '"6.00","6.90"')
    )
    error = load_error(folder)
    assert (error.file, error.row, error.column) == ("Standard.csv", 3, "SectorSubjectAreaTier2")
    assert error.got == "6.90" and error.message == "unknown code"


def test_rejects_tier_2_area_outside_its_tier_1(folder: Path) -> None:
    replace_line(
        folder / "Standard.csv", 3, lambda line: line.replace('"6.00","6.20"', '"6.00","4.10"')
    )
    error = load_error(folder)
    assert (error.row, error.column, error.got) == (3, "SectorSubjectAreaTier2", "4.1")
    assert error.expected == "a tier 2 area under 6"


def test_rejects_tier_2_area_without_its_tier_1(folder: Path) -> None:
    tier_1 = folder / "SectorSubjectAreaTier1.csv"
    lines = tier_1.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if line.startswith('"6.00"'))
    tier_1.write_text("".join(lines[: number - 1] + lines[number:]), encoding="utf-8")
    error = load_error(folder)
    assert (error.file, error.column, error.got) == (
        "SectorSubjectAreaTier2.csv",
        "SectorSubjectAreaTier2",
        "6.10",
    )


def test_rejects_route_under_a_route_not_listed(folder: Path) -> None:
    replace_line(folder / "Route.csv", 13, lambda line: line.replace('"22","4"', '"22","40"'))
    error = load_error(folder)
    assert (error.file, error.row, error.column, error.got) == ("Route.csv", 13, "RouteId", "22")
    assert error.message == "parent not listed" and "(40)" in (error.expected or "")


def test_rejects_ldcs_code_with_no_listed_ancestor(folder: Path) -> None:
    path = folder / "LearnDirectClassSystemCode.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith('"F"')), encoding="utf-8")
    error = load_error(folder)
    assert (error.column, error.got, error.message) == (
        "LearnDirectClassSystemCode",
        "FM.",
        "parent not listed",
    )


def test_rejects_impossible_and_malformed_dates(folder: Path) -> None:
    replace_line(
        folder / "Standard.csv", 2, lambda line: line.replace('"01 Aug 2014"', '"31 Feb 2014"', 1)
    )
    error = load_error(folder)
    assert (error.row, error.column, error.got) == (2, "EffectiveFrom", "31 Feb 2014")
    replace_line(
        folder / "Standard.csv", 2, lambda line: line.replace('"31 Feb 2014"', '"2014-08-01"', 1)
    )
    assert load_error(folder).expected == "a date such as 01 Aug 2014"


def test_rejects_end_before_start(folder: Path) -> None:
    replace_line(
        folder / "Standard.csv",
        4,
        lambda line: line.replace('"31 Mar 2017","31 Mar 2017"', '"31 Mar 2017","31 Mar 2013"'),
    )
    error = load_error(folder)
    assert (error.row, error.column, error.got) == (4, "EffectiveTo", "31 Mar 2013")


def test_rejects_aim_of_unknown_standard(folder: Path) -> None:
    replace_line(folder / "StandardAims.csv", 2, lambda line: '"9999"' + line[line.index(",") :])
    error = load_error(folder)
    assert (error.file, error.row, error.column, error.got) == (
        "StandardAims.csv",
        2,
        "StandardCode",
        "9999",
    )


def test_rejects_empty_file(folder: Path) -> None:
    (folder / "Standard.csv").write_bytes(b"")
    error = load_error(folder)
    assert (error.file, error.message, error.expected) == (
        "Standard.csv",
        "empty file",
        "a header line",
    )


def test_rejects_truncated_file(folder: Path) -> None:
    path = folder / "AwardOrgCode.csv"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    error = load_error(folder)
    assert error.file == "AwardOrgCode.csv" and error.row is not None and error.row > 1


def test_rejects_wrong_file_type(folder: Path) -> None:
    (folder / "Standard.csv").write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(200))
    error = load_error(folder)
    assert (error.file, error.message, error.expected) == (
        "Standard.csv",
        "not a text file",
        "CSV text",
    )


def test_errors_are_readable_sentences_not_tracebacks(folder: Path) -> None:
    replace_line(folder / "Standard.csv", 2, lambda line: line.replace('"1","1",', '"11a","1",', 1))
    text = str(load_error(folder))
    assert text == "Standard.csv, row 2, column 'StandardCode': expected a number, got '11a'"
