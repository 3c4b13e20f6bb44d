"""Interrupted fetches and writes, and bad files in the cache: nothing half-done is trusted.

- a multi-page listing that fails part-way writes nothing;
- a write that fails (or is interrupted) leaves the previous file as it was and no
  temporary file that a later run would read;
- a corrupt or foreign file is set aside (renamed, with a warning, its bytes kept)
  and the listing fetched again;
- an empty answer never replaces a cached listing that had papers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from papercli.errors import FetchError
from papercli.models import Paper
from papercli.storage.cache import SCHEMA_VERSION, Cache, atomic_write_text
from support.served import serve_day

DAY = "2025-07-15"


def day_file(home: Path, day: str = DAY) -> Path:
    return home / "cache" / "hf" / "day" / f"{day}.json"


def month_page(n: int, count: int) -> list[dict[str, Any]]:
    return [
        {"paper": {"id": f"2507.{n * 100 + i:05d}", "title": f"Paper {n}-{i}", "summary": "x"}}
        for i in range(count)
    ]


def tree(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): (b"<dir>" if p.is_dir() else p.read_bytes())
        for p in sorted(root.rglob("*"))
    }


# --- interrupted fetches ----------------------------------------------------------


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_listing_that_fails_part_way_writes_nothing(
    run, hf_url, httpserver, isolated_home: Path, concurrency: int
) -> None:
    (isolated_home / "config.toml").write_text(
        "[network]\nbackoff_seconds = 0.01\nretries = 1\n"
        f"[sources.hf]\nconcurrency = {concurrency}\n"
    )
    for n in (0, 1):
        httpserver.expect_request(
            "/api/daily_papers", query_string={"month": "2025-07", "limit": "100", "p": str(n)}
        ).respond_with_json(month_page(n, 100))
    for n in range(2, 12):
        httpserver.expect_request(
            "/api/daily_papers", query_string={"month": "2025-07", "limit": "100", "p": str(n)}
        ).respond_with_data("unavailable", status=503)
    result = run("list", "--month", "2025-07", "--json")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "HTTP 503" in result.stderr
    assert result.stdout == ""
    assert tree(isolated_home / "cache") == {}


def test_a_listing_that_fails_part_way_keeps_the_old_copy(
    run, hf_url, httpserver, isolated_home: Path
) -> None:
    old = Cache(isolated_home / "cache").save(
        "hf", "month", "2025-07", [Paper("2507.00001", "Old")], fetched_at=1.0
    )
    assert old.papers
    before = tree(isolated_home / "cache")
    httpserver.expect_request(
        "/api/daily_papers", query_string={"month": "2025-07", "limit": "100", "p": "0"}
    ).respond_with_json(month_page(0, 100))
    httpserver.expect_request("/api/daily_papers").respond_with_data("", status=500)
    result = run("list", "--month", "2025-07", "--refresh", "--json")
    assert result.exit_code == 0 and [p["id"] for p in result.json()] == ["2507.00001"]
    assert "cached copy" in result.stderr
    assert tree(isolated_home / "cache") == before


# --- interrupted writes ---------------------------------------------------------------


def _good_document(title: str = "Old") -> str:
    return json.dumps(
        {
            "schema": SCHEMA_VERSION,
            "source": "hf",
            "kind": "day",
            "key": DAY,
            "fetched_at": 1.0,
            "meta": {},
            "papers": [{"id": "2507.00001", "title": title}],
        }
    )


@pytest.mark.parametrize("fail_in", ["write", "fsync", "replace"])
@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_in: str, error: BaseException
) -> None:
    target = tmp_path / "hf" / "day" / f"{DAY}.json"
    atomic_write_text(target, _good_document())
    before = tree(tmp_path)

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise error

    if fail_in == "replace":
        monkeypatch.setattr(os, "replace", boom)
    elif fail_in == "fsync":
        monkeypatch.setattr(os, "fsync", boom)
    else:
        real_fdopen = os.fdopen

        class FailingFile:
            def __init__(self, handle: Any) -> None:
                self.handle = handle

            def __enter__(self) -> FailingFile:
                return self

            def __exit__(self, *exc: object) -> None:
                self.handle.close()

            def write(self, text: str) -> int:
                self.handle.write(text[: len(text) // 2])  # half of it, then the crash
                raise error

        monkeypatch.setattr(os, "fdopen", lambda *a, **k: FailingFile(real_fdopen(*a, **k)))
    with pytest.raises(type(error)):
        atomic_write_text(target, _good_document("New"))
    monkeypatch.undo()
    assert tree(tmp_path) == before  # old file intact, no temp file left behind
    assert Cache(tmp_path).load("hf", "day", DAY).papers[0].title == "Old"  # type: ignore[union-attr]


def test_a_cache_write_failure_is_a_warning_and_the_papers_still_show(
    run, hf_url, httpserver, fixture_bytes, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_day(httpserver, fixture_bytes)

    def no_space(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    result = run("list", "--date", DAY, "--json")
    assert result.exit_code == 0 and len(result.json()) == 3
    assert "Could not write the cache file" in result.stderr
    assert "No space left on device" in result.stderr
    assert [p for p in tree(isolated_home / "cache") if p.endswith((".json", ".tmp"))] == []


def test_a_temp_file_left_by_a_killed_process_is_never_read(
    run, hf_url, httpserver, fixture_bytes, isolated_home: Path
) -> None:
    folder = day_file(isolated_home).parent
    folder.mkdir(parents=True)
    leftover = folder / f".{DAY}.json.k3j2h1.tmp"
    leftover.write_text(_good_document("Half written")[:60])
    cache = Cache(isolated_home / "cache")
    assert cache.load("hf", "day", DAY) is None
    assert cache.keys("hf", "day") == []
    serve_day(httpserver, fixture_bytes)
    result = run("list", "--date", DAY, "--json")
    assert result.exit_code == 0 and len(result.json()) == 3
    assert "Half written" not in result.stdout


# --- corrupt and foreign files ------------------------------------------------------------

BAD_FILES: dict[str, bytes] = {
    "empty file": b"",
    "truncated cache file": _good_document().encode()[:50],
    "binary garbage": bytes(range(256)) * 4,
    "invalid UTF-8": b'{"schema": 1, "papers": ["\xff\xfe"]}',
    "foreign JSON object": b'{"hello": "world"}',
    "foreign JSON list": b"[1, 2, 3]",
    "JSON string": b'"papers"',
    "JSON null": b"null",
    "newer schema": _good_document().replace('"schema": 1', '"schema": 99').encode(),
    "schema as a string": _good_document().replace('"schema": 1', '"schema": "1"').encode(),
    "papers not a list": _good_document()
    .replace('"papers": [{"id": "2507.00001", "title": "Old"}]', '"papers": {"a": 1}')
    .encode(),
    "fetched_at a string": _good_document()
    .replace('"fetched_at": 1.0', '"fetched_at": "x"')
    .encode(),
    "paper without a title": _good_document().replace(', "title": "Old"', "").encode(),
    "paper with text upvotes": _good_document()
    .replace('"title": "Old"', '"title": "Old", "upvotes": "lots"')
    .encode(),
    "paper with numeric authors": _good_document()
    .replace('"title": "Old"', '"title": "Old", "authors": [1, 2]')
    .encode(),
    "paper that is a string": _good_document()
    .replace('{"id": "2507.00001", "title": "Old"}', '"2507.00001"')
    .encode(),
    "deeply nested JSON": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("shape", list(BAD_FILES))
def test_a_bad_cache_file_is_set_aside_with_its_bytes_and_refetched(
    run, hf_url, httpserver, fixture_bytes, isolated_home: Path, shape: str
) -> None:
    path = day_file(isolated_home)
    path.parent.mkdir(parents=True)
    path.write_bytes(BAD_FILES[shape])
    serve_day(httpserver, fixture_bytes)
    result = run("list", "--date", DAY, "--json")
    assert result.exit_code == 0, result.stderr
    assert len(result.json()) == 3
    assert "set aside" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    aside = list(path.parent.glob(f"{DAY}.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == BAD_FILES[shape]  # never lost
    assert json.loads(path.read_text())["schema"] == SCHEMA_VERSION


@pytest.mark.parametrize("contents", [False, True])
def test_a_folder_where_a_cache_file_belongs_is_set_aside(
    run, hf_url, httpserver, fixture_bytes, isolated_home: Path, contents: bool
) -> None:
    path = day_file(isolated_home)
    path.mkdir(parents=True)
    if contents:
        (path / "notes.txt").write_text("mine")
    serve_day(httpserver, fixture_bytes)
    result = run("list", "--date", DAY, "--json")
    assert result.exit_code == 0, result.stderr
    assert len(result.json()) == 3 and "set aside" in result.stderr
    aside = list(path.parent.glob(f"{DAY}.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].is_dir()
    if contents:
        assert (aside[0] / "notes.txt").read_text() == "mine"
    assert path.is_file()


def test_show_sets_aside_a_folder_in_place_of_its_file(
    run, hf_url, httpserver, fixture_bytes, isolated_home: Path
) -> None:
    path = isolated_home / "cache" / "hf" / "paper" / "2507.11001.json"
    path.mkdir(parents=True)
    httpserver.expect_request("/api/papers/2507.11001").respond_with_data(
        fixture_bytes("hf/paper_2507.11001.json"), content_type="application/json"
    )
    result = run("show", "2507.11001", "--json")
    assert result.exit_code == 0 and result.json()["id"] == "2507.11001"
    assert path.is_file() and len(list(path.parent.glob("*.corrupt-*"))) == 1


def test_setting_aside_twice_in_one_second_keeps_both(tmp_path: Path) -> None:
    warnings: list[str] = []
    cache = Cache(tmp_path, warnings.append)
    path = cache.path("hf", "day", DAY)
    path.parent.mkdir(parents=True)
    for content in (b"first", b"second", b"third"):
        path.write_bytes(content)
        assert cache.load("hf", "day", DAY) is None
    kept = sorted(p.read_bytes() for p in path.parent.glob("*.corrupt-*"))
    assert kept == [b"first", b"second", b"third"]
    assert len(warnings) == 3 and all("set aside" in w for w in warnings)


def test_set_aside_files_survive_cache_clear_and_temp_files_do_not(
    run, isolated_home: Path
) -> None:
    path = day_file(isolated_home)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage")
    Cache(isolated_home / "cache").load("hf", "day", DAY)
    leftover = path.parent / f".{DAY}.json.x1y2z3.tmp"  # from a killed process
    leftover.write_text("{")
    info = run("cache", "info")
    assert "Set-aside (unreadable) files: 1" in info.stdout
    run("cache", "clear", "--yes")
    assert len(list(path.parent.glob("*.corrupt-*"))) == 1
    assert not leftover.exists()


from papercli.core.freshness import cached_or_fetch  # noqa: E402

# --- empty answers never replace good listings ---------------------------------------------


def _app(isolated_home: Path, warnings: list[str], now: float = 10_000.0) -> Any:
    from papercli import config
    from papercli.core.context import Context

    return Context(config.load(), warnings.append, today=dt.date(2025, 7, 16), now=lambda: now)


def test_cached_or_fetch_never_overwrites_papers_with_nothing(isolated_home: Path) -> None:
    warnings: list[str] = []
    app = _app(isolated_home, warnings)
    good = [Paper("2507.00001", "Good")]
    app.cache.save("hf", "day", DAY, good, fetched_at=1.0)
    before = tree(isolated_home / "cache")
    entry = cached_or_fetch(
        app,
        "hf",
        "day",
        DAY,
        lambda: ([], {}),
        current=True,
        offline=False,
        refresh=True,
        what="the day",
    )
    assert entry.papers == good
    assert tree(isolated_home / "cache") == before
    assert warnings == [
        "the day: Hugging Face listed no papers this time; keeping the cached copy."
    ]


def test_cached_or_fetch_keeps_the_cache_when_the_fetch_fails(isolated_home: Path) -> None:
    warnings: list[str] = []
    app = _app(isolated_home, warnings)
    app.cache.save("hf", "day", DAY, [Paper("2507.00001", "Good")], fetched_at=1.0)
    before = tree(isolated_home / "cache")

    def fail() -> tuple[list[Paper], dict[str, Any]]:
        raise FetchError("Hugging Face sent an HTML page instead of a list of daily papers.")

    entry = cached_or_fetch(
        app, "hf", "day", DAY, fail, current=True, offline=False, refresh=True, what="the day"
    )
    assert entry.papers[0].title == "Good"
    assert tree(isolated_home / "cache") == before
    assert len(warnings) == 1 and "cached copy" in warnings[0]


def test_an_empty_listing_is_written_when_there_was_nothing(isolated_home: Path) -> None:
    app = _app(isolated_home, [])
    entry = cached_or_fetch(
        app,
        "hf",
        "day",
        DAY,
        lambda: ([], {}),
        current=False,
        offline=False,
        refresh=False,
        what="d",
    )
    assert entry.papers == [] and day_file(isolated_home).is_file()


def test_an_empty_past_listing_is_checked_again_after_the_ttl(isolated_home: Path) -> None:
    """An empty answer may be a hiccup: unlike a past day with papers, it is not final."""
    calls: list[int] = []

    def fetch() -> tuple[list[Paper], dict[str, Any]]:
        calls.append(1)
        return [], {}

    kwargs: dict[str, Any] = {"current": False, "offline": False, "refresh": False, "what": "d"}
    cached_or_fetch(_app(isolated_home, [], now=10_000.0), "hf", "day", DAY, fetch, **kwargs)
    cached_or_fetch(_app(isolated_home, [], now=10_060.0), "hf", "day", DAY, fetch, **kwargs)
    assert len(calls) == 1  # within the TTL: the empty copy stands
    cached_or_fetch(_app(isolated_home, [], now=10_000.0 + 7200), "hf", "day", DAY, fetch, **kwargs)
    assert len(calls) == 2


def test_a_fetch_time_in_the_future_is_not_fresh(isolated_home: Path) -> None:
    calls: list[int] = []

    def fetch() -> tuple[list[Paper], dict[str, Any]]:
        calls.append(1)
        return [Paper("2507.00002", "New")], {}

    app = _app(isolated_home, [], now=10_000.0)
    app.cache.save("hf", "day", DAY, [Paper("2507.00001", "Old")], fetched_at=10_000.0 + 86400)
    entry = cached_or_fetch(
        app, "hf", "day", DAY, fetch, current=True, offline=False, refresh=False, what="d"
    )
    assert calls and entry.papers[0].title == "New"


# --- a full disk -------------------------------------------------------------------


def test_sync_on_a_full_disk_fails_naming_each_listing_it_could_not_cache(
    run, hf_url, httpserver, fixture_bytes, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in ("2025-07-14", "2025-07-15"):
        serve_day(httpserver, fixture_bytes, day)

    full = [True]
    real_replace = os.replace

    def no_space(src: Any, dst: Any) -> None:
        if full[0]:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", no_space)
    result = run("sync", "--source", "hf", "--since", "2025-07-14", "--until", "2025-07-15")
    assert result.exit_code == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 4, result.stderr  # one per listing, the summary, the error
    for day, line in zip(("2025-07-14", "2025-07-15"), lines, strict=False):
        assert line.startswith(f"Hugging Face {day}: ") and "No space left on device" in line
    assert "0 listings fetched" in lines[2] and "2 failed" in lines[2]
    assert lines[3].startswith("Error: 2 listings could not be saved") and "sync again" in lines[3]
    assert [p for p in tree(isolated_home / "cache") if p.endswith(".json")] == []
    full[0] = False  # space freed: the next sync fetches both
    again = run("sync", "--source", "hf", "--since", "2025-07-14", "--until", "2025-07-15")
    assert again.exit_code == 0 and "2 listings fetched" in again.stderr


def test_watch_run_on_a_full_disk_fails_and_marks_nothing(
    run, hf_url, httpserver, fixture_bytes, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        fixture_bytes("hf/daily_2025-07-15.json"), content_type="application/json"
    )
    with (isolated_home / "config.toml").open("a") as handle:
        handle.write('\n[watch.any]\nquery = "a"\nsources = ["hf"]\n')
    real_replace = os.replace

    def no_space_in_cache(src: Any, dst: Any) -> None:
        if "/cache/" in str(dst):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", no_space_in_cache)
    result = run("watch", "run", "--json")
    assert result.exit_code == 1, result.stderr
    assert "No space left on device" in result.stderr
    assert "nothing was marked as reported" in result.stderr
    assert not (isolated_home / "state" / "watch.json").exists()


# --- files papercli did not write ------------------------------------------------------

FOREIGN = {
    "notes.json": b'{"my": "notes"}',
    "notes/todo.json": b"[1, 2]",
    "backup/2025/important.json": b"not json at all",
    "hf/day/copy of 2025-07-15.json": b"{}",
    "hf/day/notes.json": b"{}",
    "hf/other/2025-07-15.json": b"{}",
    "arxiv/rss/2025-07-15.json": b"{}",
}


def _plant_foreign(cache_root: Path) -> None:
    for rel, data in FOREIGN.items():
        path = cache_root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _foreign_intact(cache_root: Path) -> None:
    for rel, data in FOREIGN.items():
        assert (cache_root / rel).read_bytes() == data, rel
    assert not list(cache_root.rglob("*.corrupt-*"))


def test_cache_clear_leaves_files_papercli_did_not_write(
    run, isolated_home: Path, fixture_bytes
) -> None:
    root = isolated_home / "cache"
    Cache(root).save("hf", "day", DAY, [Paper("2507.00001", "Mine")])
    _plant_foreign(root)
    result = run("cache", "clear", "--yes")
    assert result.exit_code == 0, result.stderr
    assert not day_file(isolated_home).exists()
    _foreign_intact(root)
    assert "Kept 7 files papercli did not write" in result.stderr
    assert "Removed 1 cache file." in result.stderr


def test_search_and_info_never_read_or_set_aside_foreign_files(run, isolated_home: Path) -> None:
    root = isolated_home / "cache"
    Cache(root).save("hf", "day", DAY, [Paper("2507.00001", "Mine", listed=DAY)])
    _plant_foreign(root)
    found = run("search", "--offline", "--json", "mine")
    assert found.exit_code == 0 and [p["id"] for p in found.json()] == ["2507.00001"]
    assert "unreadable" not in found.stderr and found.stderr == ""
    assert run("trends", "mine", "--json").json()["total"] == 1
    info = run("cache", "info")
    assert "Files: 1 " in info.stdout and "Set-aside" not in info.stdout
    _foreign_intact(root)


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_source_folder_moved_elsewhere_behind_a_link_is_searched(
    run, isolated_home: Path, tmp_path: Path
) -> None:
    """cache/hf a link to another disk: search, trends and cache info read it as the
    listings do (it was silently empty)."""
    root = isolated_home / "cache"
    Cache(root).save("hf", "day", DAY, [Paper("2507.00001", "Mine", listed=DAY)])
    elsewhere = tmp_path / "other-disk" / "hf"
    elsewhere.parent.mkdir()
    (root / "hf").rename(elsewhere)
    (root / "hf").symlink_to(elsewhere, target_is_directory=True)
    assert [p["id"] for p in run("list", "--date", DAY, "--offline", "--json").json()] == [
        "2507.00001"
    ]
    found = run("search", "--offline", "--json", "mine")
    assert found.exit_code == 0 and [p["id"] for p in found.json()] == ["2507.00001"]
    assert run("trends", "mine", "--json").json()["total"] == 1
    assert "Files: 1 " in run("cache", "info").stdout


@pytest.mark.parametrize("odd", ["folder", "loop"])
def test_search_says_what_is_wrong_where_a_listing_file_belongs(
    run, isolated_home: Path, odd: str
) -> None:
    """A folder (set aside, as a listing does) or a link in a loop (named) in place of a
    listing's file: never a silent "no papers" for the rest."""
    root = isolated_home / "cache"
    cache = Cache(root)
    cache.save("hf", "day", DAY, [Paper("2507.00001", "Mine video", listed=DAY)])
    cache.save("hf", "day", "2025-07-16", [Paper("2507.00002", "Other video", listed=DAY)])
    path = cache.path("hf", "day", "2025-07-16")
    path.unlink()
    if odd == "folder":
        (path / "sub").mkdir(parents=True)
    else:
        if os.name == "nt":
            pytest.skip("symbolic links need privileges on Windows")
        path.symlink_to(path.name)
    found = run("search", "--offline", "--json", "video")
    assert found.exit_code == 0 and [p["id"] for p in found.json()] == ["2507.00001"]
    assert "2025-07-16.json" in found.stderr
    if odd == "folder":
        assert "set aside" in found.stderr and not path.exists()


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_link_to_nothing_where_a_listing_file_belongs_is_no_file(
    run, isolated_home: Path
) -> None:
    """As for the listings (not cached): no warning, and the index does not take it for
    a new file at every search."""
    from papercli.storage.index import SearchIndex

    cache = Cache(isolated_home / "cache")
    cache.save("hf", "day", DAY, [Paper("2507.00001", "Mine video", listed=DAY)])
    cache.path("hf", "day", "2025-07-16").symlink_to("gone.json")
    found = run("search", "--offline", "--json", "video")
    assert found.exit_code == 0 and found.stderr == ""
    with SearchIndex(cache) as index:
        assert index.update().added == 0


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_only_the_layouts_folders_are_followed_behind_a_link(
    run, isolated_home: Path, tmp_path: Path
) -> None:
    """cache/backup a link to some other folder: not walked, counted or named."""
    root = isolated_home / "cache"
    Cache(root).save("hf", "day", DAY, [Paper("2507.00001", "Mine", listed=DAY)])
    elsewhere = tmp_path / "elsewhere" / "a"
    elsewhere.mkdir(parents=True)
    (elsewhere / "x.json").write_text("{}", encoding="utf-8")
    (root / "backup").symlink_to(elsewhere.parent, target_is_directory=True)
    assert "Files: 1 " in run("cache", "info").stdout
    cleared = run("cache", "clear", "--yes")
    assert cleared.exit_code == 0 and "Kept" not in cleared.stderr
    assert (elsewhere / "x.json").exists()
