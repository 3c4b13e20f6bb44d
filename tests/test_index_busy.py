"""The search index when another process holds it: SQLITE_BUSY is retried a few times,
then "the search index is busy" (one line, exit 1), and the index is never thrown away
for it.

SQLite normally waits for a lock (the index connects with a 60-second busy timeout);
it answers SQLITE_BUSY at once in a few cases (WAL set-up and recovery while other
processes open the file). Here the index's connections get no busy timeout at all,
and a second connection holds the write lock: every write the index tries is a real
SQLITE_BUSY from SQLite. The pauses between tries are recorded instead of slept.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from papercli.models import Paper
from papercli.storage.cache import Cache
from papercli.storage.index import SearchIndex, index_path

BUSY_MESSAGE = (
    "Error: The search index is busy (another papers command is updating it); "
    "try again in a moment.\n"
)


def paper(paper_id: str, title: str) -> Paper:
    return Paper(id=paper_id, title=title, listed="2025-07-15", sources=("hf",))


@pytest.fixture
def cache(isolated_home: Path) -> Cache:
    """A cache with an up-to-date index, and then a new listing the index has not read."""
    cache = Cache(isolated_home / "cache")
    cache.save("hf", "day", "2025-07-15", [paper("2507.00001", "Mini-batch training")])
    with SearchIndex(cache) as index:
        index.update()
    cache.save("hf", "day", "2025-07-16", [paper("2507.00002", "Mini-batch noise")])
    return cache


@pytest.fixture
def locker(cache: Cache) -> Iterator[sqlite3.Connection]:
    """Another connection holding the index's write lock (as a papers sync would)."""
    db = sqlite3.connect(index_path(cache.root), isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    yield db
    if db.in_transaction:
        db.execute("ROLLBACK")
    db.close()


@pytest.fixture
def impatient(monkeypatch: pytest.MonkeyPatch) -> None:
    """The index's connections answer SQLITE_BUSY at once instead of waiting."""
    real = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        kwargs["timeout"] = 0
        return real(*args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses between tries, recorded instead of slept."""
    import time

    record: list[float] = []
    monkeypatch.setattr(time, "sleep", record.append)
    return record


def test_busy_every_time_is_a_one_line_error_after_five_pauses(
    run: Callable[..., Any],
    cache: Cache,
    locker: sqlite3.Connection,
    impatient: None,
    pauses: list[float],
) -> None:
    before = index_path(cache.root).read_bytes()
    result = run("search", "--offline", "mini")
    assert result.exit_code == 1
    assert result.stderr == BUSY_MESSAGE
    assert pauses == [0.1, 0.2, 0.4, 0.8, 1.6]  # growing pauses, then it gives up
    locker.execute("ROLLBACK")
    assert index_path(cache.root).read_bytes() == before  # kept: busy is not corrupt
    assert "Rebuilding" not in result.stderr


def test_busy_a_few_times_then_free_answers_as_usual(
    cache: Cache,
    locker: sqlite3.Connection,
    impatient: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:
            locker.execute("ROLLBACK")  # the other process is done

    monkeypatch.setattr(time, "sleep", pause)
    warnings: list[str] = []
    cache.warn = warnings.append
    with SearchIndex(cache) as index:
        stats = index.update()
        found = {p.id for p in index.candidates(None)}
    assert pauses == [0.1, 0.2]
    assert stats.added == 1 and not stats.rebuilt
    assert found == {"2507.00001", "2507.00002"}
    assert warnings == []


def test_a_locked_table_is_retried_like_a_busy_file(
    cache: Cache, pauses: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLITE_LOCKED (a table locked within the process) is treated as SQLITE_BUSY."""
    calls = 0
    real = SearchIndex._update

    def update(self: SearchIndex, db: sqlite3.Connection) -> Any:
        nonlocal calls
        calls += 1
        if calls <= 2:
            error = sqlite3.OperationalError("database table is locked")
            error.sqlite_errorname = "SQLITE_LOCKED"  # type: ignore[attr-defined]
            raise error
        return real(self, db)

    monkeypatch.setattr(SearchIndex, "_update", update)
    with SearchIndex(cache) as index:
        assert index.update().added == 1
    assert pauses == [0.1, 0.2] and calls == 3
