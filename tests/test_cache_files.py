"""The JSON cache's small print: ages in words, safe paths, and files it cannot read,
set aside or replace (each a one-line warning, never an exception)."""

from __future__ import annotations

import errno
import time
from pathlib import Path
from typing import Any

import pytest

from papercli.models import Paper
from papercli.storage import cache as cache_module
from papercli.storage.cache import Cache, Entry, describe_age

PAPERS = [Paper(id="2507.00001", title="Mini-batch", sources=("hf",))]


@pytest.mark.parametrize(
    "seconds, words",
    [
        (0, "0 seconds"),
        (89, "89 seconds"),
        (90, "2 minutes"),
        (89 * 60, "89 minutes"),
        (90 * 60, "2 hours"),
        (35 * 3600, "35 hours"),
        (36 * 3600, "2 days"),
        (10 * 86400, "10 days"),
    ],
)
def test_describe_age(seconds: float, words: str) -> None:
    assert describe_age(seconds) == words


def test_the_age_of_an_entry() -> None:
    entry = Entry("hf", "day", "2025-07-15", time.time() - 100, PAPERS)
    assert 100 <= entry.age_seconds() < 1000  # the clock, when none is given
    assert entry.age_seconds(now=entry.fetched_at + 5) == 5
    assert entry.age_seconds(now=entry.fetched_at - 5) == 0.0  # fetched "in the future"


@pytest.mark.parametrize(
    "source, kind, key",
    [
        ("hf", "day", ".."),
        ("hf", "day", "../../etc/passwd"),
        ("hf", "day", "a/../b"),
        ("hf", "day", ""),
        ("hf", "day", ".hidden"),
        ("hf", "day", "two words"),
        ("..", "day", "2025-07-15"),
        ("hf", "d/y", "2025-07-15"),
        ("hf", "day", "x" * 201),
    ],
)
def test_unsafe_paths_are_refused(tmp_path: Path, source: str, kind: str, key: str) -> None:
    root = tmp_path / "cache"
    cache = Cache(root)
    with pytest.raises(ValueError, match="unsafe cache path part"):
        cache.path(source, kind, key)
    with pytest.raises(ValueError):
        cache.save(source, kind, key, PAPERS)
    assert not root.exists()


def test_relative_paths(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    assert cache.relative("hf", "day", "2025-07-15") == "hf/day/2025-07-15.json"
    assert (
        cache.relative("arxiv", "rss", "cs.CL+cs.LG/2025-07-15")
        == "arxiv/rss/cs.CL+cs.LG/2025-07-15.json"
    )
    assert cache.path("hf", "paper", "2507.00001") == tmp_path / "hf/paper/2507.00001.json"


def test_a_file_that_cannot_be_read_is_a_warning_and_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    cache = Cache(tmp_path, warnings.append)
    cache.save("hf", "day", "2025-07-15", PAPERS)
    path = cache.path("hf", "day", "2025-07-15")

    def denied(p: Path) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied", str(p))

    monkeypatch.setattr(cache_module, "read_bytes", denied)
    assert cache.load("hf", "day", "2025-07-15") is None
    assert warnings == [f"Cannot read cache file {path}: Permission denied."]
    assert path.is_file() and not list(tmp_path.rglob("*.corrupt-*"))  # not set aside


def test_a_bad_file_that_cannot_be_set_aside_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    cache = Cache(tmp_path, warnings.append)
    path = cache.path("hf", "day", "2025-07-15")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not json")

    def cannot(*args: Any) -> Path:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(cache_module, "move_aside", cannot)
    assert cache.load("hf", "day", "2025-07-15") is None
    assert len(warnings) == 1
    assert warnings[0].startswith(f"Ignoring unreadable cache file {path} (")
    assert path.read_bytes() == b"not json"


def test_saving_over_a_folder_sets_the_folder_aside(tmp_path: Path) -> None:
    warnings: list[str] = []
    cache = Cache(tmp_path, warnings.append)
    path = cache.path("hf", "day", "2025-07-15")
    (path / "inside").mkdir(parents=True)
    (path / "inside" / "mine.txt").write_text("kept")
    cache.save("hf", "day", "2025-07-15", PAPERS)
    loaded = cache.load("hf", "day", "2025-07-15")
    assert loaded is not None and [p.id for p in loaded.papers] == ["2507.00001"]
    aside = list(path.parent.glob("2025-07-15.json.corrupt-*"))
    assert len(aside) == 1 and (aside[0] / "inside" / "mine.txt").read_text() == "kept"
    assert len(warnings) == 1 and "a folder where a cache file belongs" in warnings[0]


def test_a_cache_file_that_cannot_be_written_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    cache = Cache(tmp_path, warnings.append)
    cache.save("hf", "day", "2025-07-15", PAPERS)
    before = cache.path("hf", "day", "2025-07-15").read_bytes()

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache_module, "atomic_write_text", full)
    entry = cache.save("hf", "day", "2025-07-15", [*PAPERS, *PAPERS])
    assert len(entry.papers) == 2  # still good to show
    path = cache.path("hf", "day", "2025-07-15")
    assert warnings == [f"Could not write the cache file {path}: No space left on device."]
    assert path.read_bytes() == before
