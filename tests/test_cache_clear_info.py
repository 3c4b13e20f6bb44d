"""``papers cache info`` and ``papers cache clear`` on a real cache.

The cache is built by the commands themselves against a loopback server: every kind
of listing papercli writes (Hugging Face day, week, month and paper; arXiv RSS
announcement, export-API day and paper), the search index, temporary files left by
killed processes, a file set aside as unreadable, and files papercli did not write.
``info`` must count exactly papercli's listings; ``clear`` must delete exactly those
(and the temporary files), and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from papercli.storage.index import INDEX_VERSION
from support import faultmatrix as fm
from support.faultserver import FaultServer

# What each command leaves in the cache (relative to the cache folder).
BUILD: list[tuple[tuple[str, ...], str]] = [
    (("show", "2507.11001"), "hf/paper/2507.11001.json"),
    (("show", "2401.00001"), "arxiv/paper/2401.00001.json"),
    (("list", "--source", "hf", "--date", "2025-07-15"), "hf/day/2025-07-15.json"),
    (("list", "--source", "hf", "--week", "2025-W29"), "hf/week/2025-W29.json"),
    (("list", "--source", "hf", "--month", "2025-06"), "hf/month/2025-06.json"),
    (("today", "--source", "arxiv"), "arxiv/rss/cs.CL+cs.LG/2025-07-15.json"),
    (
        ("list", "--source", "arxiv", "--date", "2025-07-14"),
        "arxiv/api/cs.CL+cs.LG/2025-07-14.json",
    ),
]
LISTINGS = sorted(path for _, path in BUILD)
INDEX = f"index/search-v{INDEX_VERSION}.sqlite3"
# Temporary files of writes that a killed process never finished (atomic_write_text's
# names), beside the listing they were to replace and in a folder of their own.
LEFTOVERS = [
    "hf/day/.2025-07-15.json.k3j2h1a0.tmp",
    "arxiv/rss/cs.CL+cs.LG/.2025-07-15.json.zz99yy88.tmp",
    "hf/week/.2025-W30.json.abcdefgh.tmp",
]
SET_ASIDE = "hf/day/2025-07-10.json.corrupt-20250716T120000"
FOREIGN = {
    "notes.json": b'{"mine": "a note"}\n',
    "notes/todo.json": b'["buy milk"]\n',
    "backup/2025/important.json": b'{"keep": true}\n',
}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultServer]:
    with FaultServer("none", fm.good) as s:
        for var in ("PAPERS_HF_URL", "PAPERS_ARXIV_RSS_URL", "PAPERS_ARXIV_URL"):
            monkeypatch.setenv(var, s.url)
        yield s


def files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def without_index_companions(names: set[str]) -> set[str]:
    """SQLite may leave ``-wal``/``-shm`` beside the index for a while: not listings."""
    return {n for n in names if not (n.startswith(INDEX) and n != INDEX)}


@pytest.fixture
def cache(run: Callable[..., Any], isolated_home: Path, server: FaultServer) -> Path:
    """A cache holding every kind of listing, the index, leftovers and a set-aside file."""
    config = isolated_home / "config.toml"
    config.write_text(config.read_text() + 'categories = ["cs.LG", "cs.CL"]\n')
    root = isolated_home / "cache"
    for args, path in BUILD:
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert (root / path).is_file(), (args, sorted(files(root)))
    found = run("search", "--offline", "mini")  # builds the index
    assert found.exit_code == 0, found.stderr
    assert (root / INDEX).is_file()
    assert without_index_companions(files(root)) == {*LISTINGS, INDEX}
    for name in LEFTOVERS:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text('{"schema": 1, "papers": [')  # cut short by the kill
    (root / SET_ASIDE).write_bytes(b"garbage that was set aside")
    return root


def add_foreign(root: Path) -> None:
    for name, data in FOREIGN.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def expected_info(root: Path) -> str:
    size = sum((root / p).stat().st_size for p in LISTINGS)
    return (
        f"Cache folder: {root}\n"
        f"Files: 7 ({size / 1e6:.1f} MB)\n"
        "  arxiv: 3\n"
        "  hf: 4\n"
        "Set-aside (unreadable) files: 1\n"
    )


def test_info_counts_every_listing_and_nothing_else(run, cache: Path) -> None:
    info = run("cache", "info")
    assert info.exit_code == 0, info.stderr
    assert info.stdout == expected_info(cache)
    assert info.stderr == ""


def test_clear_deletes_the_listings_and_leftovers_and_keeps_the_rest(run, cache: Path) -> None:
    kept_bytes = (cache / SET_ASIDE).read_bytes()
    cleared = run("cache", "clear", "--yes")
    assert cleared.exit_code == 0, cleared.stderr
    assert cleared.stderr == "Removed 7 cache files.\n"
    # Left: the set-aside file (never deleted) and the derived index (which follows the
    # JSON files on its next use, below).
    assert without_index_companions(files(cache)) == {SET_ASIDE, INDEX}
    assert (cache / SET_ASIDE).read_bytes() == kept_bytes
    info = run("cache", "info")
    assert (
        info.stdout
        == f"Cache folder: {cache}\nFiles: 0 (0.0 MB)\nSet-aside (unreadable) files: 1\n"
    )
    # The index kept no paper of the deleted listings.
    search = run("search", "--offline", "mini")
    assert "mini" not in search.stdout.lower()
    again = run("cache", "clear", "--yes")
    assert again.exit_code == 0 and again.stderr == "Removed 0 cache files.\n"


def test_clear_without_yes_and_without_a_terminal_deletes_nothing(run, cache: Path) -> None:
    before = files(cache)
    refused = run("cache", "clear")
    assert refused.exit_code == 2
    assert "Refusing to clear the cache without --yes" in refused.stderr
    assert files(cache) == before


def test_search_leaves_files_papercli_did_not_write_alone(run, cache: Path) -> None:
    add_foreign(cache)
    result = run("search", "--offline", "mini")  # brings the index up to date
    assert result.exit_code == 0, result.stderr
    for name, data in FOREIGN.items():
        assert (cache / name).read_bytes() == data, name
    assert len(list(cache.rglob("*.corrupt-*"))) == 1  # only the one set aside before


def test_info_does_not_count_files_papercli_did_not_write(run, cache: Path) -> None:
    add_foreign(cache)
    info = run("cache", "info")
    assert info.exit_code == 0, info.stderr
    assert info.stdout == expected_info(cache)


def test_clear_leaves_files_papercli_did_not_write(run, cache: Path) -> None:
    add_foreign(cache)
    cleared = run("cache", "clear", "--yes")
    assert cleared.exit_code == 0, cleared.stderr
    assert "Removed 7 cache files." in cleared.stderr
    assert without_index_companions(files(cache)) == {SET_ASIDE, INDEX, *FOREIGN}
    for name, data in FOREIGN.items():
        assert (cache / name).read_bytes() == data, name


def test_an_empty_or_missing_cache(run, isolated_home: Path) -> None:
    root = isolated_home / "cache"
    info = run("cache", "info")
    assert info.stdout == f"Cache folder: {root}\nFiles: 0 (0.0 MB)\n"
    cleared = run("cache", "clear", "--yes")
    assert cleared.exit_code == 0 and cleared.stderr == "Removed 0 cache files.\n"
    assert not root.exists() or not files(root)
