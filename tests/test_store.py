"""The store: versioned, all-or-nothing commits; readers see the old graph or the new, never half."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from skillsgap import store
from skillsgap.errors import StoreError

GRAPH = NamedNode("https://example.org/graph")


def ntriples(count: int, tag: str) -> bytes:
    lines = (
        f'<https://example.org/s{i}> <https://example.org/p> "{tag} {i}" .' for i in range(count)
    )
    return "\n".join(lines).encode()


def commit(root: Path, count: int, tag: str) -> None:
    with store.draft(root) as draft:
        draft.replace_graph(GRAPH, ntriples(count, tag))


def tags(root: Path) -> set[str]:
    rows = store.open_snapshot(root).query(
        f"SELECT DISTINCT ?o WHERE {{ GRAPH <{GRAPH.value}> {{ ?s ?p ?o }} }}"
    )
    return {row["o"].value.split()[0] for row in rows}


def test_new_store_is_empty(store_path: Path) -> None:
    assert store.open_snapshot(store_path).graph_sizes() == {}


def test_commit_replaces_the_graph_whole(store_path: Path) -> None:
    commit(store_path, 100, "old")
    commit(store_path, 10, "new")
    assert store.open_snapshot(store_path).graph_sizes() == {GRAPH.value: 10}
    assert tags(store_path) == {"new"}


def test_open_snapshot_keeps_its_version_after_a_commit(store_path: Path) -> None:
    commit(store_path, 5, "old")
    before = store.open_snapshot(store_path)
    commit(store_path, 7, "new")
    assert before.graph_sizes() == {GRAPH.value: 5}
    assert not before.is_current()
    assert store.open_snapshot(store_path).graph_sizes() == {GRAPH.value: 7}


def test_failed_draft_leaves_store_unchanged(store_path: Path) -> None:
    commit(store_path, 5, "old")
    version = store.current_version(store_path)
    with pytest.raises(RuntimeError), store.draft(store_path) as draft:
        draft.replace_graph(GRAPH, ntriples(50, "half"))
        raise RuntimeError("the load failed after writing")
    assert store.current_version(store_path) == version
    assert tags(store_path) == {"old"}


def test_second_writer_gets_a_clear_error(store_path: Path) -> None:
    commit(store_path, 1, "old")
    expected = pytest.raises(StoreError, match="another load is being written")
    with store.draft(store_path), expected, store.draft(store_path):
        pass


def test_old_versions_are_pruned(store_path: Path) -> None:
    for i in range(6):
        commit(store_path, 1, f"v{i}")
    assert len(list((store_path / store.VERSIONS).iterdir())) == 3


KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from pyoxigraph import NamedNode
    from skillsgap import store
    lines = "\\n".join(f'<https://example.org/s{i}> <https://example.org/p> "half {i}" .'
                      for i in range(20000)).encode()
    with store.draft(Path(sys.argv[1])) as draft:
        draft.replace_graph(NamedNode("https://example.org/graph"), lines)
        print("written", flush=True)
        time.sleep(60)
    """
)


def test_writer_killed_mid_commit_leaves_store_unchanged(store_path: Path) -> None:
    commit(store_path, 5, "old")
    version = store.current_version(store_path)
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(store_path)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "written"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert store.current_version(store_path) == version
    assert tags(store_path) == {"old"}
    commit(store_path, 3, "after")  # the lock died with the writer; its draft is cleared
    assert tags(store_path) == {"after"}
    assert sorted(p.name for p in (store_path / store.VERSIONS).iterdir())[
        -1
    ] == store.current_version(store_path)


def test_load_command_killed_at_random_moments_never_leaves_half_a_graph(
    store_path: Path, tmp_path: Path
) -> None:
    big = tmp_path / "big.nt"
    big.write_bytes(ntriples(200_000, "new"))
    commit(store_path, 5, "old")
    graph = GRAPH.value
    seen = []
    for delay in (0.3, 1.0, 2.0, 4.0):
        loader = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "skillsgap.cli",
                "load",
                "--file",
                str(big),
                "--graph",
                graph,
                "--store",
                str(store_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        os.kill(loader.pid, signal.SIGKILL)
        loader.wait()
        sizes = store.open_snapshot(store_path).graph_sizes()
        assert sizes.get(graph) in (5, 200_000), f"half a graph after a kill at {delay} s: {sizes}"
        seen.append(tags(store_path))
        assert seen[-1] in ({"old"}, {"new"})
        if seen[-1] == {"new"}:
            break
    assert seen[0] == {"old"}, "the first kill came too late to interrupt the load"
