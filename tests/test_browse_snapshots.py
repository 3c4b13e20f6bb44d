"""Screenshots of the triage screen at 80x24 and 120x40, hostile titles included.

Fixed data from :mod:`tests.browse_fake`, no clock and no spinner in any frame. The
accepted screenshots are SVG files under ``tests/__snapshots__/``; after a deliberate
change of the screen, look at the new ones and accept them with
``pytest tests/test_browse_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from papercli.errors import FetchError
from papercli.ui.browse.app import BrowseApp
from support.browse_fake import DAY, FakeBackend, recorded_day, settle
from support.hostile import hostile_papers

KEY = DAY.isoformat()
Compare = Callable[..., bool]


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same frames wherever the tests run (a CI may set NO_COLOR)."""
    monkeypatch.delenv("NO_COLOR", raising=False)


def hostile_day() -> list[Any]:
    return recorded_day() + hostile_papers()


def app_for(**kwargs: Any) -> BrowseApp:
    options = {k: kwargs.pop(k) for k in ("query", "offline") if k in kwargs}
    kwargs.setdefault("cached", {KEY: hostile_day()})
    app = BrowseApp(FakeBackend(**kwargs), **options)
    app.theme = "textual-dark"  # not TEXTUAL_THEME's
    return app


def keys(*pressed: str) -> Callable[[Pilot[None]], Any]:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(*pressed)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_listing_with_an_escape_sequence_title(snap_compare: Compare, size: tuple[int, int]):
    # The cursor on the title with ANSI colour and OSC 8 link sequences.
    app = app_for(ratings={"2507.11001": "like"}, saved={"2507.11002": ("to-read",)})
    assert snap_compare(app, terminal_size=size, run_before=keys(*["j"] * 11))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_paper_in_full_with_a_bidi_title(snap_compare: Compare, size: tuple[int, int]):
    app = app_for()
    assert snap_compare(app, terminal_size=size, run_before=keys(*["j"] * 12, "enter"))


def test_markup_title_in_full_with_the_query_highlighted(snap_compare: Compare):
    app = app_for(query="batch OR minibatching")
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("j", "enter"))


def test_filtered_with_scores(snap_compare: Compare):
    scores = {p.id: round(1 - i / 20, 3) for i, p in enumerate(hostile_day())}
    app = app_for(scores=scores)
    assert snap_compare(
        app, terminal_size=(120, 40), run_before=keys("slash", *"au:borel", "enter")
    )


def test_fetch_failure(snap_compare: Compare):
    app = app_for(fail_fetch=FetchError("Hugging Face did not answer (timed out)."))
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys())


def test_help(snap_compare: Compare):
    assert snap_compare(app_for(), terminal_size=(80, 24), run_before=keys("question_mark"))


def test_no_color(snap_compare: Compare, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = app_for()
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("j", "j", "l"))
