"""The local fault matrix: every command that uses the home folder, against a full disk,
a read-only PAPERS_HOME, a damaged search index and files papercli did not write.

The matrix (commands, faults, outcomes) is in ``faultmatrix.py`` (``LOCAL_*``) and in
``docs/faults.md``. Each cell builds the same home, runs the command once in a copy of
it without the fault (the healthy answer) and once with the fault, in process, and
compares: stdout, exit status, what stderr says, and that nothing was lost.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from papercli.models import Paper
from papercli.storage.cache import Cache
from papercli.storage.index import SearchIndex, index_path
from support import faultmatrix as fm

TODAY = dt.date.today()
FOREIGN = {
    "notes.json": b'{"my": "notes"}',
    "backup/2025/important.json": b"not json",
    "hf/day/notes.json": b"{}",
}


def _papers(day: dt.date, n: int) -> list[Paper]:
    first = Paper(
        "2507.11001", "Mini-batch training at scale", listed=day.isoformat(), sources=("hf",)
    )
    others = [
        Paper(
            f"2507.2{n}{i:03d}",
            f"Large batch study {n}.{i}",
            abstract="On batch sizes.",
            listed=day.isoformat(),
            upvotes=i,
            sources=("hf",),
        )
        for i in range(5)
    ]
    return ([first] if n == 3 else []) + others


def build_home(home: Path) -> None:
    """A week of cached days (today's fresh), the index a day behind, a rule, [email]."""
    with (home / "config.toml").open("a") as handle:
        handle.write(
            '\n[watch.mb]\nquery = "batch"\nsources = ["hf"]\n'
            '[email]\nfrom = "papers@example.org"\nto = "me@example.org"\n'
        )
    cache = Cache(home / "cache")
    for n in range(8, 0, -1):  # fetched now: after they settled, or within the TTL
        day = TODAY - dt.timedelta(days=n)
        cache.save("hf", "day", day.isoformat(), _papers(day, n))
    with SearchIndex(cache) as index:
        index.update()
    # Today's listing, fresh, and not in the index yet: large enough that taking it in
    # makes the index grow (which a full disk refuses).
    today = _papers(TODAY, 0) + [
        Paper(f"2507.3{i:04d}", f"Batch {i}", abstract=f"w{i} " * 400, listed=TODAY.isoformat())
        for i in range(300)
    ]
    cache.save("hf", "day", TODAY.isoformat(), today)


@pytest.fixture
def serve_day(httpserver: Any, hf_url: str) -> None:
    item = {
        "paper": {"id": "2507.99001", "title": "Batch of the day", "summary": "x"},
        "title": "Batch of the day",
    }
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        json.dumps([item]), content_type="application/json"
    )


def _normalise(text: str, home: Path) -> str:
    lines = [
        line
        for line in text.replace(str(home), "HOME").splitlines()
        if not line.startswith(("Date: ", "Message-ID: "))
    ]
    return "\n".join(lines)


def _json_files(home: Path) -> dict[str, bytes]:
    return {
        p.relative_to(home).as_posix(): p.read_bytes()
        for p in sorted(home.rglob("*.json"))
        if p.is_file()
    }


# --- the faults -------------------------------------------------------------------------


def _full_disk(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if str(home) in os.fspath(dst):
            raise OSError(errno.ENOSPC, "No space left on device", os.fspath(dst))
        real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    real_connect = SearchIndex._connect

    def connect(self: SearchIndex) -> sqlite3.Connection:
        db = real_connect(self)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
        return db

    monkeypatch.setattr(SearchIndex, "_connect", connect)


@pytest.fixture
def read_only(isolated_home: Path) -> Iterator[Callable[[], None]]:
    """Makes the home a read-only bind mount when called (skips where that is refused)."""
    mounted: list[Path] = []

    def make() -> None:
        done = subprocess.run(
            ["mount", "--bind", str(isolated_home), str(isolated_home)], capture_output=True
        )
        if done.returncode != 0:
            pytest.skip(f"cannot bind-mount here: {done.stderr.decode(errors='replace')}")
        mounted.append(isolated_home)
        done = subprocess.run(
            ["mount", "-o", "remount,ro,bind", str(isolated_home)], capture_output=True
        )
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only: {done.stderr.decode(errors='replace')}")

    yield make
    for path in mounted:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def _apply(
    fault: str, home: Path, monkeypatch: pytest.MonkeyPatch, read_only: Callable[[], None]
) -> None:
    index = index_path(home / "cache")
    if fault == "full-disk":
        _full_disk(home, monkeypatch)
    elif fault == "read-only-home":
        read_only()
    elif fault == "dropped-table":
        with SearchIndex(Cache(home / "cache")) as up_to_date:  # nothing left to add
            up_to_date.update()
        db = sqlite3.connect(index)
        db.execute("DROP TABLE ids")
        db.commit()
        db.close()
    elif fault == "garbage-index":
        for suffix in ("-wal", "-shm"):
            Path(f"{index}{suffix}").unlink(missing_ok=True)
        index.write_bytes(b"\x00garbage\xff" * 5000)
    elif fault == "foreign-files":
        for rel, data in FOREIGN.items():
            path = home / "cache" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


# --- the cells ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    fm.local_cells(),
    ids=[f"{c.name.replace(' ', '_')}-{f.name}" for c, f in fm.local_cells()],
)
def test_local_fault_cell(
    cell: tuple[fm.LocalCommand, fm.LocalFault],
    run: Any,
    isolated_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    serve_day: None,
    read_only: Callable[[], None],
) -> None:
    command, fault = cell
    outcome = fm.expected_local(command, fault)
    build_home(isolated_home)
    healthy_home = tmp_path / "healthy"
    shutil.copytree(isolated_home, healthy_home)
    monkeypatch.setenv("PAPERS_HOME", str(healthy_home))
    healthy = run(*command.args)
    monkeypatch.setenv("PAPERS_HOME", str(isolated_home))
    if fault.name == "foreign-files":
        _apply(fault.name, healthy_home, monkeypatch, read_only)  # not part of the answer
        shutil.rmtree(healthy_home)
        shutil.copytree(isolated_home, healthy_home)
    _apply(fault.name, isolated_home, monkeypatch, read_only)
    before = _json_files(isolated_home)
    result = run(*command.args)
    monkeypatch.undo()
    context = f"{command.name} / {fault.name}: exit {result.exit_code}\nstderr: {result.stderr}"

    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, context
    want_err = _normalise(healthy.stderr, healthy_home).splitlines()
    got_err = _normalise(result.stderr, isolated_home).splitlines()
    if outcome in (fm.SAME, fm.NOTED):
        assert result.exit_code == healthy.exit_code, context
        assert _normalise(result.stdout, isolated_home) == _normalise(
            healthy.stdout, healthy_home
        ), context
        # A table shown on a home that cannot be written also says that 'papers show N'
        # will not know it (the listing could not be remembered): a second, true note.
        extra = [
            line
            for line in got_err
            if line not in want_err and not line.startswith("Could not remember the listing")
        ]
        assert len(extra) == (1 if outcome == fm.NOTED else 0), context
        assert all(line in got_err for line in want_err), context
    else:
        assert result.exit_code == 1, context
        assert got_err and got_err[-1].startswith("Error: "), context
        reason = "No space left on device" if fault.name == "full-disk" else "Read-only file"
        assert reason in result.stderr, context
    # Nothing is lost: every JSON file there before is there after, unchanged (cache
    # clear deletes its own files, and only those).
    after = _json_files(isolated_home)
    for rel, data in before.items():
        if command.name == "cache clear" and rel.startswith("cache/hf/day/20"):
            continue
        if rel in after:
            assert after[rel] == data or rel.startswith("state/"), (rel, context)
        else:
            assert rel.startswith("state/"), (rel, context)
    for rel, data in FOREIGN.items() if fault.name == "foreign-files" else ():
        assert (isolated_home / "cache" / rel).read_bytes() == data, context
