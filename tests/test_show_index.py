"""`papers show` finds a cached paper through the search index when there is one.

Without an index it reads the cache files; both ways give the same paper.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from papercli import config
from papercli.cache import Cache
from papercli.core import App
from papercli.models import Paper
from papercli.sources import arxiv, hf

BOTH = "2507.11001"  # on the Hugging Face day, and fetched alone from arXiv


def _app() -> App:
    return App(config.load(), lambda message: None, today=dt.date(2025, 7, 16))


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
    from papercli.index import SearchIndex

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


def test_with_an_index_the_files_are_not_read(
    fixture_bytes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _fill(fixture_bytes)
    _build_index()
    monkeypatch.setattr(App, "_scan_for", lambda self, pid: pytest.fail("scanned the files"))
    assert _app().find_cached(ids[-1]) is not None


def test_the_index_follows_listings_cached_after_it(fixture_bytes: Any) -> None:
    _fill(fixture_bytes)
    _build_index()
    late = Paper(id="2507.20001", title="Listed later", sources=("hf",), upvotes=5)
    Cache(config.load().cache_dir).save("hf", "day", "2025-07-16", [late])
    found = _app().find_cached("2507.20001")
    assert found is not None and found.title == "Listed later"


def test_an_unusable_index_falls_back_to_the_files(
    fixture_bytes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papercli.errors import PapersError
    from papercli.index import SearchIndex

    ids = _fill(fixture_bytes)
    _build_index()

    def busy(self: SearchIndex) -> None:
        raise PapersError("The search index is busy")

    monkeypatch.setattr(SearchIndex, "update", busy)
    assert _app().find_cached(ids[0]) is not None


def test_show_offline_through_the_index(run: Any, fixture_bytes: Any, isolated_home: Path) -> None:
    ids = _fill(fixture_bytes)
    assert run("search", "--offline", "model").exit_code in (0, 1)  # builds the index
    assert (isolated_home / "cache" / "index").is_dir()
    result = run("show", ids[0], "--offline", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["id"] == ids[0]
