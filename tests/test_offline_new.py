"""Offline corners: ``search --offline --new`` and ``today --offline`` with nothing cached.

``--new`` leaves out papers seen in a listing shown before (``today`` and ``list``
remember what they show, by id without version); a search shows but does not mark.
``today --offline`` with an empty cache is one ``Error:`` line and exit 1, for each
source.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from papercli.models import Paper
from papercli.storage.cache import Cache


def _hf(pid: str, day: str, title: str) -> Paper:
    return Paper(id=pid, title=title, listed=day, sources=("hf",))


@pytest.fixture
def cached(isolated_home: Path) -> Cache:
    """Two cached Hugging Face days and one arXiv day, none of them shown yet."""
    cache = Cache(isolated_home / "cache")
    cache.save(
        "hf",
        "day",
        "2025-07-14",
        [
            _hf("2507.00001", "2025-07-14", "Batch one"),
            _hf("2507.00002", "2025-07-14", "Batch two"),
        ],
    )
    cache.save("hf", "day", "2025-07-15", [_hf("2507.00003", "2025-07-15", "Batch three")])
    arxiv = Paper(
        id="2507.00004", title="Batch four", listed="2025-07-15", sources=("arxiv",), version=2
    )
    cache.save("arxiv", "api", "cs.LG/2025-07-15", [arxiv])
    return cache


def _ids(result: Any) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return sorted(p["id"] for p in result.json())


def _seen(home: Path) -> set[str]:
    path = home / "state" / "seen.json"
    return set(json.loads(path.read_text())["ids"]) if path.exists() else set()


def test_search_offline_new_leaves_out_papers_shown_in_a_listing(
    run: Any, cached: Cache, isolated_home: Path
) -> None:
    everything = ["2507.00001", "2507.00002", "2507.00003", "2507.00004"]
    # Nothing shown yet: every match is new.
    assert _ids(run("search", "--offline", "--new", "batch", "--json")) == everything
    assert _seen(isolated_home) == set()  # a search shows, it does not mark
    # A listing shown marks its papers as seen.
    assert _ids(run("list", "--date", "2025-07-14", "--offline", "--json")) == everything[:2]
    assert _seen(isolated_home) == {"2507.00001", "2507.00002"}
    new = ["2507.00003", "2507.00004"]
    assert _ids(run("search", "--offline", "--new", "batch", "--json")) == new
    assert _ids(run("search", "--offline", "--new", "batch", "--json")) == new  # still new
    assert _ids(run("search", "--offline", "batch", "--json")) == everything
    # The other filters still apply to the new papers.
    assert _ids(run("search", "--offline", "--new", "three", "--json")) == ["2507.00003"]
    assert _ids(run("search", "--offline", "--new", "one", "--json")) == []


def test_search_offline_new_matches_seen_ids_without_their_version(
    run: Any, cached: Cache, isolated_home: Path
) -> None:
    """A paper seen as v1 is not new as v2 (seen.json holds ids without version)."""
    state = isolated_home / "state"
    state.mkdir()
    (state / "seen.json").write_text(
        json.dumps({"schema": 1, "ids": {"2507.00004": "2025-07-15", "2507.00003": "2025-07-15"}})
    )
    assert _ids(run("search", "--offline", "--new", "batch", "--json")) == [
        "2507.00001",
        "2507.00002",
    ]


def test_search_offline_new_with_everything_seen_shows_nothing(run: Any, cached: Cache) -> None:
    for day in ("2025-07-14", "2025-07-15"):
        assert run("list", "--date", day, "--offline", "--json").exit_code == 0
    assert (
        run("list", "-s", "arxiv", "-c", "cs.LG", "--date", "2025-07-15", "--offline").exit_code
        == 0
    )
    result = run("search", "--offline", "--new", "batch")
    assert result.exit_code == 0
    assert result.stdout == ""
    # One line (it says no papers match; not yet that they were all shown before).
    assert len(result.stderr.splitlines()) == 1 and "batch" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((), "No cached Hugging Face listing"),
        (("--source", "arxiv", "-c", "cs.LG"), "No cached copy of the arXiv listing of cs.LG"),
        (("--source", "all", "-c", "cs.LG"), "No cached copy of the arXiv listing of cs.LG"),
    ],
)
def test_today_offline_with_an_empty_cache_is_one_line_exit_1(
    run: Any, isolated_home: Path, args: tuple[str, ...], says: str
) -> None:
    result = run("today", "--offline", *args)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and says in lines[0] and "offline" in lines[0]
    assert not list(isolated_home.rglob("*.json"))  # nothing written either
