"""The canned-query test dataset: every loader's committed excerpt in one store, one graph each.

The excerpts were cut one source at a time, each checked against the *bundled* reference data,
so together they do not always agree (the SOC 2020 excerpt holds 9 unit groups and the ASHE
excerpt names a tenth; the LSIP excerpt names districts the geography excerpt lacks). Two fixes, the least
invasive ones: a loader that cannot even *read* its excerpt without reference rows missing from
the other excerpts reads it as its own loader test does, with the bundled sources beside it
(READ_WITH_BUNDLED); a source whose triples point at nodes other excerpts do not hold is written
without the gate (UNGATED, with the reason). Everything else goes through ``ingest.commit``.

One addition no excerpt holds: the SOC 2020 and SOC 2010 major and sub-major groups, from the
bundled classifications, in a graph of their own (UPPER_GROUPS_GRAPH, through the gate). The
statistics excerpts are cut by area, not by occupation, and their groups (SOC 2020 31, 53, 63;
SOC 2010 major groups 3 to 8 ...) are not among the SOC excerpts' few groups; every demand query
joins a figure to its group's code and title, so without them replacement-demand-by-lsip would
have no answer at all on the excerpts. Unit groups (the title coder's entries) stay the excerpt's.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import NamedNode, Triple

from skillsgap import gate, ingest, iris, store
from skillsgap.config import Settings
from skillsgap.loaders import Source, ons_soc2010, ons_soc2020, skills_imperative_2035, sources
from skillsgap.namespaces import SKOS

from .conftest import bundled, excerpt

# Read with these bundled sources beside the excerpt (as the loader's own tests do): the
# excerpt's rows name areas or SOC 2010 groups the other excerpts lack, and the loader refuses
# a name it cannot resolve.
READ_WITH_BUNDLED = {
    "nomis-aps-employment-by-occupation": (
        "dfe-geography-lookups",
        "dfe-lsip-lookups",
        "ons-soc2010",
    ),
    "ncs-course-directory-samples": ("dfe-geography-lookups", "dfe-lsip-lookups"),
    "dfe-apprenticeships-provider-dashboard": (
        "dfe-geography-lookups",
        "dfe-lsip-lookups",
        "dfe-lars",
    ),
}

# Written without the gate, and why: each reason is a node another excerpt does not hold (the gate
# validates a source with the graphs it depends on, so a graph written this way also fails the
# gate of every later source that depends on it: those are listed too).
UNGATED = {
    "ons-soc2010-soc2020-relationship": "links SOC 2010/2020 unit groups the SOC excerpts lack",
    "dfe-lsip-lookups": "places districts the geography excerpt lacks; names E47000001 "
    "'Greater Manchester' beside the geography excerpt's 'Greater Manchester Combined "
    "Authority' (two prefLabels: the bundled file has both rows, the excerpt only the one "
    "terminated 2016-12-31)",
    "ons-geography-lad-region": "names districts (E09000002, E09000003, E06000028) the "
    "geography excerpt lacks",
    "ons-ashe-table14": "has unit group 6250, not in the SOC 2020 excerpt",
    "nomis-aps-employment-by-occupation": "SOC 2010 groups and areas the excerpts lack",
    "skills-imperative-2035": "SOC 2020 groups the SOC 2020 excerpt lacks",
    "dfe-employer-skills-survey": "SOC 2010 major groups the SOC 2010 excerpt lacks; "
    "depends on dfe-lsip-lookups",
    "ons-online-job-adverts": "depends on dfe-lsip-lookups",
    "xcri-cap-feeds": "LDCS subjects the LARS excerpt lacks; depends on dfe-lsip-lookups",
    "ncs-course-directory-samples": "areas and LDCS codes the excerpts lack",
    "dfe-apprenticeships-provider-dashboard": "areas and standards the excerpts lack",
}

# The skills-imperative-2035 excerpt holds 2 of the source's 39 workbooks.
EXCERPT_FILES = {
    "skills-imperative-2035": (
        skills_imperative_2035.ENGLAND_FILE,
        "TV_LSIP_MainTables.Main.xlsx",
    ),
}


UPPER_GROUPS = "test-soc-upper-groups"
UPPER_GROUPS_GRAPH = iris.graph_iri(UPPER_GROUPS)


def build(root: Path, work: Path) -> Path:
    """A store at ``root`` holding every source's excerpt in its named graph; ``work`` is scratch."""
    settings = Settings(store=root)
    for slug, source in sources().items():
        candidate = ingest.read_source(_excerpt_source(source), _folder(slug, work))
        if slug in UNGATED:
            _write_ungated(candidate, settings)
        else:
            ingest.commit(candidate, settings)
        if slug == "ons-soc2010":  # both SOC schemes are in: their upper groups can be gated
            ingest.commit(_upper_groups(settings), settings)
    return root


def _upper_groups(settings: Settings) -> ingest.Candidate:
    """Bundled SOC 2020 and SOC 2010 major and sub-major groups that the excerpts lack."""
    held = {
        row["group"]
        for row in store.open_snapshot(settings.store).query(
            "SELECT DISTINCT ?group WHERE { ?group a <http://www.w3.org/2004/02/skos/core#Concept> }"
        )
    }
    triples: list[Triple] = []
    for group in ons_soc2020.read_groups(bundled("ons-soc2020") / ons_soc2020.VOLUME_1):
        node = iris.soc_iri("2020", group.code)
        if group.depth <= 2 and node not in held:
            triples += ons_soc2020.group_triples(group, ())
            triples.append(Triple(iris.soc_level_iri("2020", group.depth), SKOS.member, node))
    groups = ons_soc2010.read_structure(bundled("ons-soc2010") / ons_soc2010.WORKBOOK)
    for group in groups.values():
        if group.depth <= 2 and group.iri not in held:
            triples += ons_soc2010.group_triples(group)
    return ingest.Candidate(
        label=UPPER_GROUPS,
        loader_version="tests/canned_dataset.py",
        graphs={UPPER_GROUPS_GRAPH.value: gate.to_ntriples(triples)},
        triple_count=len(triples),
        files=[],
        reference_graphs=(iris.graph_iri("ons-soc2020"), iris.graph_iri("ons-soc2010")),
    )


def _excerpt_source(source: Source) -> Source:
    files = EXCERPT_FILES.get(source.slug)
    if files is None:
        return source
    return replace(
        source,
        files=files,
        read=lambda folder: skills_imperative_2035.read_files(folder, files),
    )


def _folder(slug: str, work: Path) -> Path:
    """The excerpt, in a data folder whose other sources are the excerpts (or bundled files)."""
    root = work / slug
    root.mkdir(parents=True)
    beside = READ_WITH_BUNDLED.get(slug, ())
    for other in sources():
        target = bundled(other) if other in beside else excerpt(other)
        (root / other).symlink_to(target.resolve())
    return root / slug


def _write_ungated(candidate: ingest.Candidate, settings: Settings) -> None:
    """Replace the candidate's graphs without the gate, with a load record of what it said."""
    started = datetime.now(UTC)
    report = ingest.check(candidate, settings)
    assert not report.conforms, f"{candidate.label} passes the gate now: take it off UNGATED"
    load = iris.load_iri(candidate.label, started.strftime("%Y%m%dT%H%M%S.%fZ"))
    with store.draft(settings.store) as draft:
        for graph, ntriples in candidate.graphs.items():
            draft.replace_graph(NamedNode(graph), ntriples)
        draft.add(ingest.load_record(load, candidate, report, settings.engine, started))
