"""The title coder behind ``title`` parameters (occupation search), built from the store.

The coder's entries (coding-index titles, unit-group titles, related job titles) are read from the
SOC 2020 graph with ``queries/_coder-entries.rq``, so a search ranks exactly the classification
that is loaded. Building takes a few seconds, so one coder is kept per store version.
"""

from __future__ import annotations

from decimal import Decimal
from threading import Lock

from pyoxigraph import Literal

from skillsgap import iris, resources
from skillsgap.catalog import Parameter, Ranked
from skillsgap.coder import Coder
from skillsgap.namespaces import XSD
from skillsgap.server.snapshots import SnapshotSource

# As many candidates as a person reads; the coder's measured top-3 agreement is in the README.
CANDIDATES = 10


class TitleRanker:
    """Ranks SOC 2020 unit groups for a job title against the current store version."""

    def __init__(self, snapshots: SnapshotSource) -> None:
        self._snapshots = snapshots
        self._lock = Lock()
        self._built: tuple[str, Coder] | None = None

    def coder(self) -> Coder:
        """The coder for the store's current version, built on first use."""
        snapshot = self._snapshots.current()
        with self._lock:
            if self._built is None or self._built[0] != snapshot.version:
                rows = snapshot.query(resources.read_text("queries", "_coder-entries.rq"))
                entries = [
                    (row["title"].value, row["code"].value, row["kind"].value) for row in rows
                ]
                self._built = (snapshot.version, Coder(entries))
            return self._built[1]

    def __call__(self, text: str, parameter: Parameter) -> Ranked:
        """The unit groups for ``text``, best first, as (group, score, rank) terms."""
        return [
            (
                iris.soc_iri("2020", match.code),
                Literal(str(Decimal(str(match.score))), datatype=XSD.decimal),
                Literal(str(rank), datatype=XSD.integer),
            )
            for rank, match in enumerate(self.coder().search(text, CANDIDATES), 1)
        ]
