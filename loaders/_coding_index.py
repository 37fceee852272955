"""The job-title coder's entries from the ONS SOC 2020 workbooks, read once per folder.

Entries are ``(title, unit-group code, kind)``: every Volume 2 coding-index title that has a
SOC 2020 code (with its ADD and IND qualifiers in brackets, as the index prints them), every
Volume 1 unit group's title, and Volume 1's related job titles.

Loaders import only leaves (tests/test_architecture.py), so this module does not import
``skillsgap.coder``: the caller passes the builder, ``coder_for_folder(folder, Coder)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast

from skillsgap.loaders import ons_soc2020
from skillsgap.loaders.ons_soc2020 import Group, IndexEntry

# The entry kinds skillsgap.coder knows (a test checks they are the same strings).
INDEX_TITLE = "index"
RELATED_TITLE = "related"
GROUP_TITLE = "group"

Entry = tuple[str, str, str]
Fingerprint = tuple[tuple[str, int, int], ...]
Built = TypeVar("Built")
# Qualifiers that say where or in what sense a title is used; SEE notes only point elsewhere.
CONTEXT_QUALIFIERS = ("ADD", "IND")


def index_title(entry: IndexEntry) -> str:
    """A coding-index title with its qualifiers in brackets: "Presser (textile mfr)"."""
    context = ", ".join(entry.qualifiers[q] for q in CONTEXT_QUALIFIERS if q in entry.qualifiers)
    return f"{entry.title} ({context})" if context else entry.title


def group_entries(groups: list[Group]) -> Iterator[Entry]:
    """Each unit group's own title and its Volume 1 related job titles."""
    for group in groups:
        if group.depth == len(ons_soc2020.LEVEL_COLUMNS):
            yield group.title, group.code, GROUP_TITLE
            yield from ((title, group.code, RELATED_TITLE) for title in group.job_titles)


def index_entries(entries: list[IndexEntry]) -> Iterator[Entry]:
    """Each coding-index title that has a SOC 2020 unit group (SEE-only rows have none)."""
    for entry in entries:
        if entry.soc2020:
            yield index_title(entry), entry.soc2020, INDEX_TITLE


def coder_entries(folder: Path) -> list[Entry]:
    """All the coder's entries from the two SOC 2020 workbooks in ``folder``."""
    groups = ons_soc2020.read_groups(folder / ons_soc2020.VOLUME_1)
    entries = ons_soc2020.read_index(folder / ons_soc2020.VOLUME_2)
    return [*group_entries(groups), *index_entries(entries)]


def _fingerprint(folder: Path) -> Fingerprint:
    """The workbooks' paths, sizes and modification times: a changed file is read again."""
    paths = (folder / ons_soc2020.VOLUME_1, folder / ons_soc2020.VOLUME_2)
    return tuple(
        (str(path.resolve()), path.stat().st_size, path.stat().st_mtime_ns)
        for path in paths
        if path.exists()
    )


@lru_cache(maxsize=4)
def _cached_entries(folder: Path, fingerprint: Fingerprint) -> tuple[Entry, ...]:
    """The entries of one folder in one file state (``fingerprint`` is only the cache key)."""
    return tuple(coder_entries(folder))


@lru_cache(maxsize=4)
def _cached_build(folder: Path, fingerprint: Fingerprint, build: Callable[..., Any]) -> Any:
    """One coder per folder, file state and builder."""
    return build(_cached_entries(folder, fingerprint))


def entries_for_folder(folder: Path) -> tuple[Entry, ...]:
    """The coder's entries for the SOC 2020 workbooks in ``folder``, read once and reused."""
    folder = Path(folder).resolve()
    return _cached_entries(folder, _fingerprint(folder))


def coder_for_folder(folder: Path, build: Callable[[tuple[Entry, ...]], Built]) -> Built:
    """``build(entries)`` for the SOC 2020 workbooks in ``folder``, made once and then reused."""
    folder = Path(folder).resolve()
    return cast(Built, _cached_build(folder, _fingerprint(folder), build))
