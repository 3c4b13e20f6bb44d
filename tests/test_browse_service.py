"""The triage screen's real backend: papercli's use cases behind the screen's protocol."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from papercli import config
from papercli.core.context import Context
from papercli.core.listing import Filters
from papercli.dates import day_period, parse_month, parse_week
from papercli.errors import PapersError, UsageError
from papercli.storage.cache import Cache
from papercli.storage.library import Library
from papercli.ui.browse.service import CoreBackend

FIXTURES = Path(__file__).parent / "fixtures"
DAY = dt.date(2025, 7, 15)


@pytest.fixture
def backend(isolated_home: Path) -> CoreBackend:
    from papercli.sources import hf

    papers = hf.parse_daily((FIXTURES / "hf" / "daily_2025-07-15.json").read_bytes(), "2025-07-15")
    Cache(config.load().cache_dir).save("hf", "day", "2025-07-15", papers, fetched_at=time.time())

    def make(warn: Callable[[str], None]) -> Context:
        return Context(config.load(), warn)

    return CoreBackend(make, Filters())


def test_loads_a_cached_day_and_steps(backend: CoreBackend) -> None:
    page = backend.load(day_period(DAY), refresh=False, offline=True)
    assert page.papers and page.scores is None
    assert page.heading.endswith(f"· {len(page.papers)} papers")
    assert backend.step(day_period(DAY), 1) == day_period(DAY + dt.timedelta(days=1))
    assert backend.step(parse_week("2025-W01"), -1) == parse_week("2024-W52")
    assert backend.step(parse_month("2025-01"), -1) == parse_month("2024-12")
    with pytest.raises(PapersError):
        backend.load(day_period(DAY - dt.timedelta(days=3)), refresh=False, offline=True)


def test_keys_write_the_same_store_as_the_commands(backend: CoreBackend) -> None:
    page = backend.load(day_period(DAY), refresh=False, offline=True)
    first, second = page.papers[0], page.papers[1]
    assert backend.rate(first, "like").rating == "like"
    mark = backend.save(second, "to-read")
    assert mark.saved and mark.tags == ("to-read",)
    assert backend.rate(first, None).rating is None
    items = Library(config.load().state_dir).items()
    assert first.id not in items and items[second.id].tags == ("to-read",)
    assert set(backend.marks(page.papers)) == {second.id}
    # With a like, the default order becomes 'for you', with scores.
    backend.rate(first, "like")
    again = backend.load(day_period(DAY), refresh=False, offline=True)
    assert again.scores is not None and set(again.scores) == {p.id for p in again.papers}


@pytest.mark.parametrize("tag", ["my tag", "a/b,c", " "])
def test_a_tag_the_command_line_refuses_is_refused_here(backend: CoreBackend, run, tag) -> None:
    page = backend.load(day_period(DAY), refresh=False, offline=True)
    with pytest.raises(UsageError, match="a tag is one word"):
        backend.save(page.papers[0], tag)
    result = run("save", page.papers[0].id, "--tag", tag)
    assert result.exit_code == 2 and "a tag is one word" in result.stderr
    assert Library(config.load().state_dir).items() == {}


def test_papers_shown_are_marked_seen(backend: CoreBackend) -> None:
    from papercli.storage.state import State

    page = backend.load(day_period(DAY), refresh=False, offline=True)
    backend.mark_seen(page.papers[:2])
    seen = State(config.load().state_dir).seen_ids()
    assert {p.id for p in page.papers[:2]} <= seen


def test_browse_needs_a_terminal(run) -> None:  # type: ignore[no-untyped-def]
    result = run("browse", "--offline")
    assert result.exit_code == 2 and "needs a terminal" in result.stderr
