"""Derived occupation links: the title coder's best SOC 2020 unit groups for a credential.

No UK register states which occupations a qualification or apprenticeship standard leads to
(there is no official qualification→SOC crosswalk), so the supply loaders ask skillsgap's
job-title coder (``skillsgap.coder``) for the unit groups that best match a title. Each link is a
``ceterms:occupationType`` alignment marked ``sg:Derived`` with the coder's name and its score, so
queries can tell it from a stated or published link and filter on the score.

The coder reads the ONS SOC 2020 workbooks from the ``ons-soc2020`` folder beside the loader's own
folder (the bundled data and a user's ``--data-dir`` both have that layout).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from pyoxigraph import NamedNode, Triple

from skillsgap.coder import Coder
from skillsgap.errors import SourceError
from skillsgap.loaders import _ctdl
from skillsgap.loaders._coding_index import coder_for_folder
from skillsgap.loaders._ctdl import Link

ALGORITHM = "skillsgap title coder (TF-IDF over the ONS SOC 2020 coding index)"
SOC2020_FOLDER = "ons-soc2020"
# The coder's measured top-3 agreement is 81% against 60% top-1 (README): keep three candidates.
CANDIDATES = 3
# Below this the best match shares only a common word or two with the title: no link at all.
MIN_SCORE = Decimal("0.3")


def title_coder(folder: Path) -> Coder:
    """The coder for the SOC 2020 workbooks beside ``folder`` (built once per process)."""
    soc_folder = Path(folder).parent / SOC2020_FOLDER
    if not soc_folder.is_dir():
        raise SourceError(
            "derived occupation links need the ONS SOC 2020 workbooks",
            file=str(soc_folder),
            expected=f"a folder {SOC2020_FOLDER} beside {Path(folder).name}",
            got="no such folder",
        )
    return coder_for_folder(soc_folder, Coder)


def derived_occupations(
    coder: Coder, subject: NamedNode, title: str, source: str | None = None
) -> Iterator[Triple]:
    """``subject``'s derived occupation links: up to three unit groups matching ``title``."""
    for rank, match in enumerate(coder.search(title, CANDIDATES), 1):
        score = Decimal(str(match.score))
        if score < MIN_SCORE:
            break
        link = Link.derived(ALGORITHM, score, source, rank)
        yield from _ctdl.occupation(subject, match.code, link, match.title or None)
