"""`papers show` reads only the cache files the search index names for a paper.

With or without an index the answer is the same; the index only saves reading.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from papercli import config
from papercli.core.context import Context
from papercli.core.papers import find_cached
from papercli.models import Paper
from papercli.sources import arxiv, hf
from papercli.storage.cache import Cache

BOTH = "2507.11001"  # on the Hugging Face day, and fetched alone from arXiv


class _App:
    """A context with the lookup as a method, as these tests read it."""

    def __init__(self) -> None:
        self.ctx = Context(config.load(), lambda message: None, today=dt.date(2025, 7, 16))

    def find_cached(self, paper_id: str) -> Paper | None:
        return find_cached(self.ctx, paper_id)


def _app() -> _App:
    return _App()


def _fill(fixture_bytes: Any) -> list[str]:
    """A Hugging Face day, an arXiv announcement and single-paper files, in the cache."""
    cache = Cache(config.load().cache_dir)
    day = hf.parse_daily(fixture_bytes("hf/daily_2025-07-15.json"), "2025-07-15")
    feed = arxiv.parse_rss(fixture_bytes("arxiv/rss_cs.LG+cs.CL_2025-07-15.xml"))
    cache.save("hf", "day", "2025-07-15", day, fetched_at=1_000.0)
    cache.save("arxiv", "rss", "cs.CL+cs.LG/2025-07-15", feed.papers, fetched_at=2_000.0)
    assert BOTH in {p.id for p in day}
    both = Paper(id=BOTH, title="From arXiv", categories=("cs.LG",), sources=("arxiv",))
    cache.save("arxiv", "paper", both.id, [both], fetched_at=3_000.0)
    return sorted({p.id for p in [*day, *feed.papers]})


def _build_index() -> None:
    from papercli.storage.index import SearchIndex

    with SearchIndex(Cache(config.load().cache_dir)) as index:
        index.update()


def test_index_and_files_give_the_same_paper(fixture_bytes: Any) -> None:
    ids = _fill(fixture_bytes)
    app = _app()
    from_files = {i: app.find_cached(i) for i in ids}
    assert all(from_files.values())
    _build_index()
    from_index = {i: app.find_cached(i) for i in ids}
    assert from_index == from_files
    merged = from_index[BOTH]  # the arXiv record with its Hugging Face signals
    assert merged is not None and merged.title == "From arXiv"
    assert merged.upvotes is not None and set(merged.sources) == {"arxiv", "hf"}
    assert app.find_cached("2507.99999") is None


def _loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record which listing files the cache reads."""
    seen: list[str] = []
    original = Cache.load

    def load(self: Cache, source: str, kind: str, key: str) -> Any:
        if kind != "paper":
            seen.append(f"{source}/{kind}/{key}")
        return original(self, source, kind, key)

    monkeypatch.setattr(Cache, "load", load)
    return seen


def test_with_an_index_only_the_files_holding_the_paper_are_read(
    fixture_bytes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(fixture_bytes)
    cache = Cache(config.load().cache_dir)
    for n in range(5):  # listings that do not hold it
        other = Paper(id=f"2506.0000{n}", title="Other", sources=("hf",))
        cache.save("hf", "day", f"2025-06-0{n + 1}", [other])
    _build_index()
    seen = _loads(monkeypatch)
    found = _app().find_cached("2301.00001")  # only in the arXiv announcement
    assert found is not None and found.id == "2301.00001"
    assert seen == ["arxiv/rss/cs.CL+cs.LG/2025-07-15"]


def test_the_index_follows_listings_cached_after_it(fixture_bytes: Any) -> None:
    _fill(fixture_bytes)
    _build_index()
    late = Paper(id="2507.20001", title="Listed later", sources=("hf",), upvotes=5)
    Cache(config.load().cache_dir).save("hf", "day", "2025-07-16", [late])
    found = _app().find_cached("2507.20001")
    assert found is not None and found.title == "Listed later"


def test_the_same_precedence_with_and_without_an_index(fixture_bytes: Any) -> None:
    """A single-paper file wins over a listing fetched after it; a newer day over an
    older day fetched later (the rule of the file scan, kept with an index)."""
    cache = Cache(config.load().cache_dir)
    alone = Paper(id="2507.30001", title="Alone", comment="12 pages", sources=("arxiv",))
    cache.save("arxiv", "paper", alone.id, [alone], fetched_at=1_000.0)
    listed = Paper(id="2507.30001", title="Listed", sources=("arxiv",))
    cache.save("arxiv", "rss", "cs.LG/2025-07-15", [listed], fetched_at=5_000.0)
    newer = Paper(id="2507.30001", title="Newer day", listed="2025-07-16", sources=("hf",))
    older = Paper(id="2507.30001", title="Older day", listed="2025-07-15", sources=("hf",))
    cache.save("hf", "day", "2025-07-16", [newer], fetched_at=2_000.0)
    cache.save("hf", "day", "2025-07-15", [older], fetched_at=9_000.0)
    stray = cache.root / "backup" / "hf" / "day"
    stray.mkdir(parents=True)
    (stray / "2025-07-17.json").write_bytes(cache.path("hf", "day", "2025-07-16").read_bytes())
    without = _app().find_cached("2507.30001")
    _build_index()
    with_index = _app().find_cached("2507.30001")
    assert with_index == without
    assert without is not None and without.title == "Alone" and without.listed == "2025-07-16"


def test_an_unusable_index_means_reading_every_file(
    fixture_bytes: Any, isolated_home: Path
) -> None:
    ids = _fill(fixture_bytes)
    _build_index()
    from papercli.storage.index import index_path

    index_path(Cache(config.load().cache_dir).root).write_bytes(b"not a database" * 100)
    assert all(_app().find_cached(i) is not None for i in ids)


def test_the_lookup_neither_writes_nor_waits_on_the_index(fixture_bytes: Any) -> None:
    """A sync holding the index's write lock, and an index behind the cache."""
    import sqlite3

    from papercli.storage.index import index_path

    _fill(fixture_bytes)
    _build_index()
    late = Paper(id="2507.20001", title="Listed later", sources=("hf",))
    Cache(config.load().cache_dir).save("hf", "day", "2025-07-16", [late])
    path = index_path(Cache(config.load().cache_dir).root)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO meta VALUES ('busy', 'yes')")
        before = {p.name: p.read_bytes() for p in path.parent.iterdir()}
        found = _app().find_cached("2507.20001")
        assert found is not None and found.title == "Listed later"
        assert {p.name: p.read_bytes() for p in path.parent.iterdir()} == before
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_show_offline_through_the_index(run: Any, fixture_bytes: Any, isolated_home: Path) -> None:
    ids = _fill(fixture_bytes)
    assert run("search", "--offline", "model").exit_code in (0, 1)  # builds the index
    assert (isolated_home / "cache" / "index").is_dir()
    result = run("show", ids[0], "--offline", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["id"] == ids[0]


@pytest.mark.parametrize("index", [False, True])
def test_many_papers_at_once_are_each_as_one_alone_and_read_each_file_once(
    fixture_bytes: Any, monkeypatch: pytest.MonkeyPatch, index: bool
) -> None:
    """The library's lookup of all its papers (find_cached_many): the same papers as
    one lookup each, absent ones left out, and no listing file read twice."""
    from papercli.core.papers import find_cached_many

    ids = [*_fill(fixture_bytes), "2507.99999"]
    if index:
        _build_index()
    app = _app()
    alone = {i: app.find_cached(i) for i in ids}
    seen = _loads(monkeypatch)
    together = find_cached_many(app.ctx, ids)
    assert together == {i: p for i, p in alone.items() if p is not None}
    assert "2507.99999" not in together and len(seen) == len(set(seen))
