"""A big index update reads its files in helper processes: the index they build is the
one this process builds, and helpers that cannot start, fail or are interrupted leave
the files to this process, and no process behind."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from papercli.models import Paper
from papercli.storage import index_read, index_update
from papercli.storage.cache import Cache
from papercli.storage.index import SearchIndex, index_path


def _fill(cache: Cache) -> None:
    """Files of every kind: days and a month of Hugging Face, arXiv listings sharing
    ids with them (worked out again after the bulk), a paper file, a file that is not
    UTF-8 (no spans), an empty listing and a corrupt file."""
    for day in range(10, 20):
        papers = [
            Paper(
                id=f"2507.{day}{i:03d}",
                title=f"Graph models, part {i} (day {day})",
                abstract=f"We study e.g. mini-batch training; see arXiv:{day}.{i}. Naïve café",
                authors=("Ana Lúcia", f"Bo Li{i}"),
                organization="Meta" if i % 3 == 0 else None,
                ai_keywords=("graph neural networks",) if i % 2 else (),
                listed=f"2025-07-{day}",
                upvotes=i,
                sources=("hf",),
            )
            for i in range(40)
        ]
        cache.save("hf", "day", f"2025-07-{day}", papers, fetched_at=1000.0 + day)
        cache.save(
            "arxiv",
            "api",
            f"cs.LG/2025-07-{day}",
            [
                Paper(p.id, p.title + " (v2)", abstract="lattice", categories=("cs.LG",))
                for p in papers[::4]
            ],
            fetched_at=2000.0 + day,
        )
    cache.save("hf", "month", "2025-06", [Paper(id="2506.00001", title="June")])
    cache.save("hf", "month", "2025-05", [])
    cache.save("hf", "paper", "2507.10001", [Paper(id="2507.10001", title="Alone")])
    text = cache.path("hf", "day", "2025-07-12").read_text(encoding="utf-8")
    cache.path("hf", "day", "2025-07-21").write_bytes(
        text.replace("2025-07-12", "2025-07-21").encode("utf-16")
    )
    cache.path("hf", "day", "2025-07-22").write_text('{"schema": 1, "papers": [', "utf-8")


def _dump(root: Path) -> dict[str, Any]:
    db = sqlite3.connect(index_path(root))
    try:
        db.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, fts, 'row')")
        return {
            table: db.execute(sql).fetchall()
            for table, sql in {
                "files": "SELECT path, size, hf, fetched_at, first_row, last_row FROM files"
                " ORDER BY id",
                "papers": "SELECT rowid, file_id, pid, off, len FROM papers ORDER BY rowid",
                "ids": "SELECT * FROM ids ORDER BY rowid",
                "vocab": "SELECT term, doc FROM temp.v ORDER BY term",
                "terms": "SELECT term, docs FROM terms ORDER BY term",
                "dead": "SELECT * FROM dead",
            }.items()
        }
    finally:
        db.close()


def _build(root: Path) -> list[str]:
    said: list[str] = []
    with SearchIndex(Cache(root, warn=said.append)) as index:
        index.update()
    return [s.split(" was unreadable")[0] for s in said]


@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, Path]:
    _fill(Cache(tmp_path / "a"))
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    return tmp_path / "a", tmp_path / "b"


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[index_read._Helper]:
    """Helpers for every update, however small; the ones started are listed."""
    monkeypatch.setattr(index_read, "POOL_BYTES", 0)
    monkeypatch.setattr(index_read, "helper_count", lambda _: 2)
    helpers: list[index_read._Helper] = []
    real = index_read._start_helpers

    def start(root: Path, count: int, into: list[index_read._Helper]) -> None:
        real(root, count, into)
        helpers.extend(into)

    monkeypatch.setattr(index_read, "_start_helpers", start)
    answer = index_read._Helper.answer

    def counted(self: index_read._Helper, size: int) -> index_read.FileRows | None:
        got = answer(self, size)
        self.answered = getattr(self, "answered", 0) + (got is not None)  # type: ignore[attr-defined]
        return got

    monkeypatch.setattr(index_read._Helper, "answer", counted)
    return helpers


def _in_process(monkeypatch: pytest.MonkeyPatch, root: Path) -> list[str]:
    with monkeypatch.context() as m:
        m.setattr(index_read, "helper_count", lambda _: 0)
        return _build(root)


def test_helpers_build_the_index_this_process_builds(
    two: tuple[Path, Path], started: list[index_read._Helper], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two
    # This process reads the first file while they start, and then no other (it would
    # take one each time it had waited so long on them).
    monkeypatch.setattr(index_read, "TAKE_AFTER", float("inf"))
    said = _build(a)
    assert len(started) == 2
    assert all(h.proc.returncode == 0 for h in started)  # ended with their input
    # Every file but the first, and the corrupt one, which this process reads (and
    # sets aside).
    assert sum(h.answered for h in started) == 23  # type: ignore[attr-defined]
    assert said == _in_process(monkeypatch, b)
    assert len(said) == 1 and "2025-07-22.json" in said[0]  # set aside once, here
    got, want = _dump(a), _dump(b)
    assert got == want
    assert len(got["ids"]) == 10 * 40 + 1  # June; the UTF-16 day repeats 2025-07-12
    assert any(off is None for _, _, _, off, _ in got["papers"])  # no spans in UTF-16


@pytest.mark.parametrize(
    "args", [("-c", "import sys; sys.exit(3)"), ("-c", "import sys; sys.stdin.read(30)")]
)
def test_helpers_that_fail_leave_their_files_to_this_process(
    two: tuple[Path, Path],
    started: list[index_read._Helper],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
) -> None:
    a, b = two
    monkeypatch.setattr(index_read, "HELPER_ARGS", args)
    assert _build(a) == _in_process(monkeypatch, b)
    assert _dump(a) == _dump(b)
    assert started and all(h.proc.returncode is not None for h in started)


def test_helpers_of_another_papercli_stop_at_once(
    two: tuple[Path, Path], started: list[index_read._Helper], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two
    monkeypatch.setattr(index_read, "this_file", lambda: "/elsewhere/index_read.py")
    assert _build(a) == _in_process(monkeypatch, b)
    assert _dump(a) == _dump(b)
    assert [h.proc.returncode for h in started] == [2, 2]


def test_helpers_that_cannot_start_leave_the_files_to_this_process(
    two: tuple[Path, Path], started: list[index_read._Helper], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two
    monkeypatch.setattr(sys, "executable", str(a / "no-such-python"))
    assert _build(a) == _in_process(monkeypatch, b)
    assert _dump(a) == _dump(b)
    assert started == []


def test_an_interrupted_build_stops_its_helpers_and_keeps_nothing(
    two: tuple[Path, Path], started: list[index_read._Helper], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _ = two
    real = index_update.Updater._index_file
    seen: list[str] = []

    def stops_at_the_fifth(self: index_update.Updater, rel: str, rows: Any) -> None:
        seen.append(rel)
        if len(seen) == 5:
            raise KeyboardInterrupt  # the user stops it
        real(self, rel, rows)

    monkeypatch.setattr(index_update.Updater, "_index_file", stops_at_the_fifth)
    with pytest.raises(KeyboardInterrupt):
        _build(a)
    assert len(started) == 2
    for helper in started:
        assert helper.proc.returncode is not None  # waited for: none left running
        assert helper.proc.stdin is not None and helper.proc.stdin.closed
    db = sqlite3.connect(index_path(a))
    assert db.execute("SELECT count(*) FROM files").fetchone()[0] == 0  # nothing kept
    db.close()


def _config(root: Path) -> dict[str, Any]:
    db = sqlite3.connect(index_path(root))
    try:
        return dict(db.execute("SELECT k, v FROM fts_config WHERE k != 'version'"))
    finally:
        db.close()


def test_an_update_bigger_than_the_index_is_a_bulk_and_ends_as_a_build(
    two: tuple[Path, Path],
) -> None:
    """The update is done as a build is (indexes made after, counts taken from the FTS
    table, FTS5 merging off until the end): the same documents and counts as a build
    of the same files, and FTS5's usual merging afterwards."""
    a, b = two
    days = sorted((a / "hf" / "day").iterdir())
    aside = a.parent / "aside"
    aside.mkdir()
    for path in days[1:]:
        path.rename(aside / path.name)
    _build(a)  # one day, then the rest: more than the index holds
    for path in aside.iterdir():
        path.rename(a / "hf" / "day" / path.name)
    with SearchIndex(Cache(a)) as index:
        stats = index.update()
    assert not stats.rebuilt and stats.added == len(days) - 1
    _build(b)
    got, want = _dump(a), _dump(b)
    assert got["vocab"] == want["vocab"] == got["terms"]
    keys = [sorted((r[1], *r[4:]) for r in d["ids"]) for d in (got, want)]  # not row numbers
    assert keys[0] == keys[1]
    assert _config(a) == _config(b) == {"hashsize": 32 << 20, "automerge": 4, "crisismerge": 16}


def test_this_process_takes_files_when_the_helpers_fall_behind(
    two: tuple[Path, Path], started: list[index_read._Helper], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Waiting on the helpers at all (here: always), it reads files itself, as they
    would: the same index."""
    a, b = two
    monkeypatch.setattr(index_read, "TAKE_AFTER", 0.0)
    said = _build(a)
    assert sum(getattr(h, "answered", 0) for h in started) == 0
    assert said == _in_process(monkeypatch, b)
    assert _dump(a) == _dump(b)


@pytest.mark.parametrize(("cpus", "helpers"), [(1, 0), (2, 1), (3, 2), (64, 2)])
def test_one_helper_fewer_than_cpus_and_two_at_most(
    monkeypatch: pytest.MonkeyPatch, cpus: int, helpers: int
) -> None:
    """This process keeps a CPU for its own part (SQLite's inserts); a small update
    starts none."""
    monkeypatch.setattr(
        index_read.os, "sched_getaffinity", lambda _: set(range(cpus)), raising=False
    )
    assert index_read.helper_count(index_read.POOL_BYTES) == helpers
    assert index_read.helper_count(index_read.POOL_BYTES - 1) == 0
