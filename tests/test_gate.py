"""The SHACL gate: both engines find the same results, on planted violations and real excerpts."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse

from skillsgap import gate
from skillsgap.errors import UsageError
from skillsgap.loaders import sources

from .conftest import EXCERPTS

PLANTED = EXCERPTS / "gate" / "planted.ttl"


def as_ntriples(path: Path) -> bytes:
    fmt = RdfFormat.TURTLE if path.suffix == ".ttl" else RdfFormat.N_TRIPLES
    return gate.to_ntriples(parse(path=str(path), format=fmt))


def test_planted_violations_are_found() -> None:
    report = gate.validate(as_ntriples(PLANTED))
    assert not report.conforms
    focus = {r.focus for r in report.results if r.severity == "Violation"}
    planted = (
        "noLabel",
        "twoLabels",
        "plainLabel",
        "noScheme",
        "twoNotations",
        "orphan",
        "schemeWithoutLabel",
    )
    assert focus == {f"<https://example.org/planted/{name}>" for name in planted}


def test_engines_agree_on_planted_violations() -> None:
    data = as_ntriples(PLANTED)
    fast, reference = gate.validate(data, engine="shacl"), gate.validate(data, engine="pyshacl")
    assert fast.results == reference.results
    assert len(fast.results) >= 7


def test_engines_write_a_sequence_path_alike() -> None:
    data = as_ntriples(EXCERPTS / "gate" / "planted-paths.ttl")
    fast, reference = gate.validate(data, engine="shacl"), gate.validate(data, engine="pyshacl")
    sequence = (
        "(<https://w3id.org/skillsgap/def/soc2020>/<http://www.w3.org/2004/02/skos/core#notation>)"
    )
    assert sequence in {r.path for r in fast.results}
    assert fast.results == reference.results


def _goldens() -> list[tuple[str, Path, list[Path]]]:
    found = []
    for slug, source in sources().items():
        golden = EXCERPTS / slug / "expected.nt"
        if golden.exists():
            references = [EXCERPTS / dep / "expected.nt" for dep in source.depends_on]
            found.append((slug, golden, references))
    return found


GOLDENS = _goldens()


@pytest.mark.parametrize("slug,golden,references", GOLDENS, ids=[g[0] for g in GOLDENS])
def test_engines_agree_on_real_excerpts(slug: str, golden: Path, references: list[Path]) -> None:
    reference = b"\n".join(as_ntriples(p) for p in references if p.exists())
    data = as_ntriples(golden)
    fast = gate.validate(data, reference, engine="shacl")
    slow = gate.validate(data, reference, engine="pyshacl")
    assert fast.results == slow.results


def test_real_excerpts_exist_for_the_agreement_test() -> None:
    assert len(GOLDENS) >= 3, "the engine agreement test needs real excerpts to compare on"


def test_unknown_engine_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown SHACL engine"):
        gate.validate(b"", engine="nope")


def test_report_is_w3c_turtle() -> None:
    report = gate.validate(as_ntriples(PLANTED))
    triples = list(parse(report.turtle.encode(), format=RdfFormat.TURTLE))
    assert any(t.object.value == "http://www.w3.org/ns/shacl#ValidationReport" for t in triples)
