"""Shared fixtures: where the real data lives, golden-graph comparison, a fresh store."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, Quad, RdfFormat, Triple, parse, serialize

from skillsgap import resources

TESTS = Path(__file__).parent
EXCERPTS = TESTS / "data"
# Set SKILLSGAP_UPDATE_GOLDEN=1 to rewrite golden files from the current output (then review the diff).
UPDATE_GOLDEN = os.environ.get("SKILLSGAP_UPDATE_GOLDEN") == "1"


def bundled(slug: str) -> Path:
    """The full real files of a source, as bundled with skillsgap."""
    return Path(str(resources.bundled_data())) / slug


def excerpt(slug: str) -> Path:
    """The committed test excerpt of a source."""
    return EXCERPTS / slug


def canonical(triples: Iterable[Triple]) -> str:
    """Triples as sorted canonical N-Triples, blank nodes relabelled (RDFC-1.0)."""
    dataset = Dataset(Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    text = serialize((q.triple for q in dataset), format=RdfFormat.N_TRIPLES) or b""
    return "\n".join(sorted(text.decode().splitlines())) + "\n"


def assert_matches_golden(triples: Iterable[Triple], golden: Path) -> None:
    """The triples equal the golden N-Triples file as graphs (blank-node labels ignored)."""
    actual = canonical(triples)
    if UPDATE_GOLDEN or not golden.exists():
        if not UPDATE_GOLDEN:
            pytest.fail(f"no golden file {golden}; run with SKILLSGAP_UPDATE_GOLDEN=1 to create it")
        golden.write_text(actual, encoding="utf-8")
    expected = canonical(parse(golden.read_bytes(), format=RdfFormat.N_TRIPLES))
    assert actual == expected, f"output differs from {golden.name}; diff the canonical N-Triples"


@cache
def soc2020_groups() -> tuple[Triple, ...]:
    """SOC 2020 groups from the bundled Volume 1: reference data for links to occupations."""
    from skillsgap.loaders import ons_soc2020

    groups = ons_soc2020.read_groups(bundled("ons-soc2020") / ons_soc2020.VOLUME_1)
    return (
        *ons_soc2020.scheme_triples(groups, "test"),
        *ons_soc2020.level_triples(groups),
        *(t for group in groups for t in ons_soc2020.group_triples(group, ())),
    )


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A store directory that does not exist yet."""
    return tmp_path / "store"


CLASSIFICATIONS = (
    "ons-soc2020",
    "ons-soc2010",
    "ons-soc2010-soc2020-relationship",
    "dfe-geography-lookups",
    "dfe-lsip-lookups",
    "ons-ltla-utla-2021",
    "ons-geography-lad-region",
)


def load_sources(root: Path, slugs: Iterable[str]) -> None:
    """Load the bundled real files of ``slugs`` into a store, in order, through the gate."""
    from skillsgap import ingest
    from skillsgap.config import Settings
    from skillsgap.loaders import source

    for slug in slugs:
        src = source(slug)
        ingest.commit(ingest.read_source(src, bundled(slug)), Settings(store=root))


@pytest.fixture(scope="session")
def reference_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the real SOC schemes, crosswalk and geography (tests must not write to it)."""
    root = tmp_path_factory.mktemp("reference") / "store"
    load_sources(root, CLASSIFICATIONS)
    return root
