"""Loaders: one module per source slug, each turning that source's real files into triples.

A loader module defines ``SOURCE``, a :class:`Source`, and never touches the store or the gate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from importlib import import_module
from pathlib import Path

from pyoxigraph import Triple

from skillsgap.errors import UsageError


@dataclass(frozen=True)
class Source:
    """A source: its slug, its files, what it holds, and how to read it."""

    slug: str
    title: str
    holds: str
    files: tuple[str, ...]
    read: Callable[[Path], Iterable[Triple]]
    # Sources whose graphs the gate needs as reference data (the shapes point into them).
    # sources() completes it with their own dependencies: the gate validates reference graphs
    # together with the candidate, so a reference graph needs its references too.
    depends_on: tuple[str, ...] = ()
    version: str = "1"


# Load order: a source comes after the sources it depends on.
MODULES = (
    "ons_soc2020",
    "ons_soc2010",
    "ons_soc2010_soc2020_relationship",
    "dfe_geography_lookups",
    "dfe_lsip_lookups",
    "ons_ltla_utla_2021",
    "ons_geography_lad_region",
    "uk_sic2007",
    # Demand: statistics as RDF Data Cube (they reference SOC groups and areas).
    "ons_ashe_table14",
    "nomis_aps_employment_by_occupation",
    "skills_imperative_2035",
    "dfe_employer_skills_survey",
    "ons_online_job_adverts",
    # Supply: CTDL credentials, courses and providers (they reference SOC groups and areas).
    "dfe_lars",
    "dfe_funded_qualifications",
    "xcri_cap_feeds",
    "ncs_course_directory_samples",
    "dfe_apprenticeships_provider_dashboard",
    "dfe_fe_achievements_by_ssa_lad",
)


def sources() -> dict[str, Source]:
    """Every source that has a loader, by slug, in load order."""
    found: dict[str, Source] = {}
    for name in MODULES:
        try:
            module = import_module(f"skillsgap.loaders.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"skillsgap.loaders.{name}":
                raise
            continue  # not written yet
        source: Source = module.SOURCE
        found[source.slug] = source
    return {slug: _with_indirect_dependencies(source, found) for slug, source in found.items()}


def _with_indirect_dependencies(source: Source, known: dict[str, Source]) -> Source:
    """``source`` depending also on what its dependencies depend on, in load order."""
    needed: set[str] = set()
    waiting = list(source.depends_on)
    while waiting:
        slug = waiting.pop()
        if slug not in needed:
            needed.add(slug)
            waiting.extend(known[slug].depends_on if slug in known else ())
    ordered = tuple(slug for slug in known if slug in needed)
    return replace(source, depends_on=ordered + tuple(sorted(needed - set(ordered))))


def source(slug: str) -> Source:
    """The source named ``slug``, or a UsageError listing the known slugs."""
    known = sources()
    if slug not in known:
        raise UsageError(f"unknown source {slug!r}; known sources: {', '.join(known)}")
    return known[slug]
