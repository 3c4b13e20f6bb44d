"""The search index under faults: never a wrong answer.

The index is derived from the JSON files. Whatever happens to it (a dropped table,
damaged pages, a full disk, a read-only home), every command that uses it answers
exactly what a healthy index answers, or fails with one line saying why; a good
index is never thrown away because the disk is full.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from papercli.core.matches import matching_papers
from papercli.errors import PapersError
from papercli.models import Paper
from papercli.query import Query
from papercli.storage.cache import Cache
from papercli.storage.index import SearchIndex

DAYS = ("2025-07-14", "2025-07-15", "2025-07-16")


def _fill(cache: Cache, per_day: int = 40) -> None:
    for d, day in enumerate(DAYS):
        papers = [
            Paper(
                id=f"2507.{d * 1000 + i:05d}",
                title=f"{'Agent' if i % 3 else 'Diffusion'} study number {i}",
                abstract=" ".join(f"word{i * j % 97} agentic planning" for j in range(20)),
                listed=day,
                upvotes=i,
                sources=("hf",),
            )
            for i in range(per_day)
        ]
        cache.save("hf", "day", day, papers)


def _ids(cache: Cache, text: str = "agent") -> list[str]:
    return sorted(p.id for p in matching_papers(cache, Query.parse(text)))


@pytest.mark.parametrize(
    "table", ["ids", "papers", "fts", "files", "meta", "fts_data", "fts_idx", "fts_config"]
)
def test_a_dropped_table_is_rebuilt_and_the_answer_is_the_healthy_one(
    tmp_path: Path, table: str
) -> None:
    warnings: list[str] = []
    cache = Cache(tmp_path, warnings.append)
    _fill(cache)
    healthy = _ids(cache)
    assert len(healthy) > 50
    db = sqlite3.connect(SearchIndex(cache).path)
    db.execute(f"DROP TABLE {table}")
    db.commit()
    db.close()
    assert _ids(cache) == healthy
    assert _ids(cache) == healthy  # and the run after it


@pytest.mark.parametrize("seed", range(12))
def test_damaged_pages_give_the_healthy_answer_or_fail(tmp_path: Path, seed: int) -> None:
    """512 random bytes every 64 KB: the answer is the healthy one, or an error; never less."""
    cache = Cache(tmp_path)
    _fill(cache, per_day=400)
    healthy = _ids(cache)
    path = SearchIndex(cache).path
    SearchIndex(cache).close()
    data = bytearray(path.read_bytes())
    assert len(data) > 3 * 65536
    rng = random.Random(seed)
    for offset in range(rng.randrange(0, 65536), len(data), 65536):
        data[offset : offset + 512] = rng.randbytes(len(data[offset : offset + 512]))
    path.write_bytes(bytes(data))
    try:
        got = _ids(cache)
    except PapersError:
        got = None
    assert got in (healthy, None)
    assert _ids(cache) == healthy  # the next run is right in any case


# --- the commands that use the index --------------------------------------------------


def _cli_cache(home: Path) -> Cache:
    """Recent days (watch rules look back 7 days), with a watch rule on them."""
    import datetime as dt

    cache = Cache(home / "cache")
    today = dt.date.today()
    for n in range(3):
        day = (today - dt.timedelta(days=n + 1)).isoformat()
        papers = [
            Paper(id=f"2507.{n * 100 + i:05d}", title=f"Agent {i}", listed=day, sources=("hf",))
            for i in range(10)
        ]
        cache.save("hf", "day", day, papers)
    with (home / "config.toml").open("a") as handle:
        handle.write('\n[watch.ag]\nquery = "agent"\nsources = ["hf"]\n')
    return cache


def _answer(run, name: str) -> tuple[int, object, str]:  # type: ignore[no-untyped-def]
    """(exit status, answer, stderr) of one index user."""
    if name == "search":
        search = run("search", "--offline", "agent", "--json", "--limit", "1000")
        return search.exit_code, sorted(p["id"] for p in search.json()), search.stderr
    if name == "trends":
        trends = run("trends", "agent", "--json")
        return trends.exit_code, trends.json(), trends.stderr
    watch = run("watch", "run", "--offline", "--dry-run", "--json")
    return watch.exit_code, watch.stdout, watch.stderr


@pytest.mark.parametrize("table", ["ids", "papers", "fts"])
@pytest.mark.parametrize("name", ["search", "trends", "watch"])
def test_every_index_user_answers_as_a_healthy_index_after_a_rebuild(
    run, isolated_home: Path, table: str, name: str
) -> None:
    cache = _cli_cache(isolated_home)
    healthy = _answer(run, name)[:2]
    assert healthy[0] == 0 and healthy[1], healthy
    db = sqlite3.connect(SearchIndex(cache).path)
    db.execute(f"DROP TABLE {table}")
    db.commit()
    db.close()
    assert _answer(run, name)[:2] == healthy


# --- a full disk ----------------------------------------------------------------------


def _index_cannot_grow(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's own "database or disk is full" (SQLITE_FULL): the index file may not grow."""
    real_connect = SearchIndex._connect

    def connect(self: SearchIndex) -> sqlite3.Connection:
        db = real_connect(self)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
        return db

    monkeypatch.setattr(SearchIndex, "_connect", connect)


def _more_papers(cache: Cache) -> None:
    papers = [
        Paper(id=f"2507.9{i:04d}", title=f"Agent late {i}", abstract="x " * 2000, listed=DAYS[0])
        for i in range(300)
    ]
    cache.save("hf", "day", "2025-07-20", papers)


def _from_scratch(root: Path, scratch: Path) -> list[str]:
    """The answer of a healthy index built from a copy of the JSON files."""
    import shutil

    shutil.copytree(root, scratch, ignore=shutil.ignore_patterns("index"))
    return _ids(Cache(scratch))


def test_a_full_disk_keeps_the_index_and_answers_from_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    root = tmp_path / "cache"
    cache = Cache(root, warnings.append)
    _fill(cache)
    _ids(cache)
    path = SearchIndex(cache).path
    size = path.stat().st_size
    _more_papers(cache)  # the index must grow to take them in
    healthy = _from_scratch(root, tmp_path / "scratch")
    assert len(healthy) > 300
    _index_cannot_grow(monkeypatch)
    assert _ids(cache) == healthy
    assert _ids(cache) == healthy
    assert path.stat().st_size >= size  # kept, not rebuilt into an empty file
    assert not any("Rebuilding" in w for w in warnings), warnings
    notes = [w for w in warnings if "No space left on device" in w]
    assert len(notes) == 1 and "reading the cached files instead" in notes[0], warnings
    monkeypatch.undo()
    assert _ids(cache) == healthy  # space freed: the index catches up
    with SearchIndex(cache) as index:
        assert index_counts(index)[0] == 4


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 8 MB file system (tmpfs), where mounting one is allowed (root on Linux)."""
    import subprocess

    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


def _fill_disk(folder: Path) -> Path:
    filler = folder / "filler"
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    return filler


@pytest.mark.parametrize("name", ["search", "trends", "watch"])
def test_commands_on_a_really_full_disk_keep_the_index_and_answer_right(
    run, small_disk: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path, name: str
) -> None:
    import datetime as dt

    home = small_disk / "home"
    home.mkdir()
    (home / "config.toml").write_text((isolated_home / "config.toml").read_text())
    monkeypatch.setenv("PAPERS_HOME", str(home))
    cache = _cli_cache(home)
    before = _answer(run, name)
    index = SearchIndex(cache).path
    size = index.stat().st_size
    # New papers in the cache, which the index must grow to take in: the disk is full.
    day = (dt.date.today() - dt.timedelta(days=4)).isoformat()
    late = [
        Paper(f"2507.9{i:04d}", f"Agent {i}", abstract="y " * 3000, listed=day, sources=("hf",))
        for i in range(200)
    ]
    cache.save("hf", "day", day, late)
    filler = _fill_disk(small_disk)
    code, full, stderr = _answer(run, name)
    assert code == 0, stderr
    assert full != before[1]  # the new papers are in the answer
    assert index.stat().st_size >= size  # the index is kept
    note = "No space left on device"
    assert [line for line in stderr.splitlines() if note in line] == [stderr.splitlines()[0]]
    assert "Rebuilding" not in stderr, stderr
    filler.unlink()  # space again: the index catches up, the same answer without a note
    again = _answer(run, name)
    assert again[:2] == (0, full) and note not in again[2]


def test_sync_succeeds_when_only_the_index_cannot_grow(
    run, hf_url, httpserver, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    day = "2025-07-20"
    # Enough new text that the index must grow (it keeps no records, so a few papers
    # would fit in its free pages).
    items = [
        {
            "paper": {"id": f"2507.5{i:04d}", "title": f"Agent {i}", "summary": f"w{i} " * 300},
            "title": f"Agent {i}",
        }
        for i in range(5555, 5855)
    ]
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        json.dumps(items), content_type="application/json"
    )
    cache = Cache(isolated_home / "cache")
    _fill(cache)
    _ids(cache)
    _index_cannot_grow(monkeypatch)
    result = run("sync", "--source", "hf", "--since", day, "--until", day)
    assert result.exit_code == 0, result.stderr
    assert "search index was not updated (No space left on device)" in result.stderr
    found = run("search", "--offline", "--json", "agent", "--limit", "5000")
    assert found.exit_code == 0 and "2507.55555" in {p["id"] for p in found.json()}


# --- a read-only home -----------------------------------------------------------------


def _subprocess_as_nobody(home: Path, *args: str) -> tuple[int, str, str]:
    """Run papers as an unprivileged user (uid/gid 65534), for whom ``home`` is read-only."""
    import os
    import subprocess
    import sys

    # Python itself may live where that user cannot read (/root/.pyenv): every module the
    # command can need is imported first, then the process changes user.
    code = (
        "import os, sys, importlib, pkgutil, papercli, sqlite3, zlib, json, tomllib, "
        "encodings.ascii, encodings.latin_1, encodings.utf_8, datetime, calendar, "
        "unicodedata, difflib, shutil, tempfile, fcntl, errno, hashlib, csv, io\n"
        "for m in pkgutil.walk_packages(papercli.__path__, 'papercli.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "from papercli.cli.root import app, main\n"
        "from papercli.cli.clitree import command\n"
        "cmd = command(app)\n"
        "os.setgroups([]); os.setgid(65534); os.setuid(65534)\n"
        "sys.argv = ['papers', *sys.argv[1:]]\n"
        "main()\n"
    )
    env = {**os.environ, "PAPERS_HOME": str(home), "HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(params=["read-only mount", "unprivileged user"])
def read_only_home(
    request: pytest.FixtureRequest, isolated_home: Path
) -> Iterator[tuple[str, Path]]:
    """A PAPERS_HOME papercli cannot write to: a read-only bind mount (in process), or the
    home of another user (papercli run as uid 65534 in a child process)."""
    import os
    import subprocess
    import tempfile

    if request.param == "unprivileged user":
        if os.geteuid() != 0:
            pytest.skip("changing to another user needs root")
        home = Path(tempfile.mkdtemp(prefix="papers-ro-"))
        home.chmod(0o755)
        yield "nobody", home
        subprocess.run(["rm", "-rf", str(home)], check=False)
        return
    done = subprocess.run(
        ["mount", "--bind", str(isolated_home), str(isolated_home)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {done.stderr.decode(errors='replace').strip()}")
    # Mounted over itself, still writable: the test fills it, then makes it read-only.
    yield "mount", isolated_home
    subprocess.run(["umount", "-l", str(isolated_home)], capture_output=True, check=False)


def _make_read_only(kind: str, home: Path) -> None:
    import subprocess

    if kind == "mount":
        done = subprocess.run(
            ["mount", "-o", "remount,ro,bind", str(home)], capture_output=True, check=False
        )
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only: {done.stderr.decode(errors='replace')}")
    else:
        for path in [home, *home.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.mark.parametrize("name", ["search", "trends", "watch"])
@pytest.mark.parametrize("indexed", [True, False], ids=["with-index", "no-index"])
def test_a_read_only_home_answers_from_the_files(
    run, read_only_home: tuple[str, Path], monkeypatch: pytest.MonkeyPatch, name: str, indexed: bool
) -> None:
    import datetime as dt

    kind, home = read_only_home
    if kind == "nobody":
        (home / "config.toml").write_text("[network]\nbackoff_seconds = 0.01\n")
    monkeypatch.setenv("PAPERS_HOME", str(home))
    cache = _cli_cache(home)
    healthy = _answer(run, name)
    if not indexed:
        import shutil

        shutil.rmtree(home / "cache" / "index")
    # One more listing, which the index would have to take in.
    day = (dt.date.today() - dt.timedelta(days=4)).isoformat()
    cache.save("hf", "day", day, [Paper("2507.77777", "Agent X", listed=day, sources=("hf",))])
    scratch = _answer(run, name)  # what a writable home answers
    assert scratch[:2] != healthy[:2]
    if indexed:
        # Undo that update: the index is behind the files again, as it was.
        cache.path("hf", "day", day).unlink()
        _answer(run, name)
        cache.save("hf", "day", day, [Paper("2507.77777", "Agent X", listed=day, sources=("hf",))])
    else:
        import shutil

        shutil.rmtree(home / "cache" / "index")
    _make_read_only(kind, home)
    if kind == "mount":
        got = _answer(run, name)
    else:
        args = {
            "search": ("search", "--offline", "agent", "--json", "--limit", "1000"),
            "trends": ("trends", "agent", "--json"),
            "watch": ("watch", "run", "--offline", "--dry-run", "--json"),
        }[name]
        code, out, err = _subprocess_as_nobody(home, *args)
        import json

        value: object = out
        if name == "search" and code == 0:
            value = sorted(p["id"] for p in json.loads(out))
        elif name == "trends" and code == 0:
            value = json.loads(out)
        got = (code, value, err)
    assert got[:2] == scratch[:2], got[2]
    notes = [line for line in got[2].splitlines() if "search index" in line]
    assert len(notes) == 1 and "reading the cached files instead" in notes[0], got[2]


# --- something else where the index belongs ---------------------------------------------


@pytest.mark.parametrize("what", ["index file is a folder", "index folder is a file"])
def test_something_else_in_the_index_place_is_set_aside(tmp_path: Path, what: str) -> None:
    warnings: list[str] = []
    cache = Cache(tmp_path / "cache", warnings.append)
    _fill(cache)
    path = SearchIndex(cache).path
    if what == "index file is a folder":
        (path / "inside").mkdir(parents=True)
        kept = path
    else:
        path.parent.parent.mkdir(parents=True, exist_ok=True)
        path.parent.write_text("mine")
        kept = path.parent
    healthy = _from_scratch(tmp_path / "cache", tmp_path / "scratch")
    assert _ids(cache) == healthy
    assert path.is_file()  # a real index again
    aside = list(kept.parent.glob(f"{kept.name}.corrupt-*"))
    assert len(aside) == 1, warnings
    assert len(warnings) == 1 and "set aside" in warnings[0], warnings
    assert _ids(cache) == healthy and len(warnings) == 1


def index_counts(index: SearchIndex) -> tuple[int, int]:
    """(files, paper rows) in the index."""

    def run(db: Any) -> tuple[int, int]:
        files = db.execute("SELECT count(*) FROM files").fetchone()[0]
        rows = db.execute("SELECT count(*) FROM papers").fetchone()[0]
        return int(files), int(rows)

    return index._with_rebuild(run)  # type: ignore[no-any-return]


@pytest.mark.parametrize("column", ["title_key", "up_key", "date_key"])
def test_a_value_of_another_type_in_the_index_is_a_damaged_index(
    tmp_path: Path, column: str
) -> None:
    """A damaged page may give back a number for a text or a text for a number: the
    relevance order rebuilds the index and answers as the healthy one, not a TypeError."""
    from papercli.core.listing import Filters
    from papercli.core.search import _local_matches

    cache = Cache(tmp_path)
    _fill(cache)
    filters = Filters(query=Query.parse("agent planning"), sort="relevance", limit=7)
    healthy = [p.id for p in _local_matches(cache, filters, None, None)[0]]
    db = sqlite3.connect(SearchIndex(cache).path)
    value = "x'00ff'" if column == "up_key" else "12.5"
    db.execute(f"UPDATE ids SET {column} = {value}, ntitle = NULL WHERE rowid % 3 = 0")
    db.commit()
    db.close()
    assert [p.id for p in _local_matches(cache, filters, None, None)[0]] == healthy
