"""A fake :class:`~papercli.ui.browse.backend.BrowseBackend` for the triage screen's tests.

It serves the recorded Hugging Face day (``tests/fixtures/hf/daily_2025-07-15.json``),
the hostile papers of :mod:`tests.hostile`, or any papers given, per period, and
records every call: nothing reaches the network, the store or a browser.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papercli.dates import Period, day_period
from papercli.errors import FetchError, NotFoundError, PapersError
from papercli.models import Paper, split_version
from papercli.sources.hf import parse_daily
from papercli.ui.browse.backend import Mark, Page, Rating

if TYPE_CHECKING:
    from textual.pilot import Pilot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DAY = dt.date(2025, 7, 15)


def recorded_day() -> list[Paper]:
    body = (FIXTURES / "hf" / "daily_2025-07-15.json").read_bytes()
    return parse_daily(body, DAY.isoformat())


def many_papers(count: int) -> list[Paper]:
    """``count`` made-up papers in the recorded papers' shape (for long lists)."""
    base = recorded_day()
    out = []
    for i in range(count):
        p = base[i % len(base)]
        out.append(
            replace(
                p,
                id=f"2507.{20000 + i}",
                title=f"{p.title} ({i + 1})",
                upvotes=max(0, 500 - i),
            )
        )
    return out


@dataclass
class FakeBackend:
    """Pages by period key; ``cached``/``fresh`` say what the cache and network hold."""

    cached: dict[str, list[Paper]] = field(default_factory=dict)
    fresh: dict[str, list[Paper]] = field(default_factory=dict)
    today: dt.date = DAY
    fail_fetch: PapersError | None = None
    notes: list[str] = field(default_factory=list)
    scores: dict[str, float] | None = None
    fetch_gate: threading.Event | None = None  # a fetch waits for it (a slow network)
    opens_browser: bool = True
    calls: list[tuple[object, ...]] = field(default_factory=list)
    ratings: dict[str, Rating] = field(default_factory=dict)
    saved: dict[str, tuple[str, ...]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    opened: list[str] = field(default_factory=list)

    def _key(self, view: Period | None) -> Period:
        return view if view is not None else day_period(self.today)

    def load(self, view: Period | None, *, refresh: bool, offline: bool) -> Page:
        period = self._key(view)
        self.calls.append(("load", period.key, refresh, offline))
        if offline:
            papers = self.cached.get(period.key)
            if papers is None:
                raise NotFoundError(f"Nothing cached for {period.key} (offline).")
        else:
            if self.fetch_gate is not None:
                self.fetch_gate.wait(10)
            if self.fail_fetch is not None:
                raise self.fail_fetch
            papers = self.fresh.get(period.key, self.cached.get(period.key))
            if papers is None:
                raise FetchError(f"Hugging Face lists nothing for {period.key}.")
            self.cached[period.key] = papers
        heading = (
            f"Hugging Face Daily Papers · {period.start:%a} {period.key} · {len(papers)} papers"
        )
        return Page(
            list(papers),
            heading,
            period,
            scores=self.scores,
            notes=list(self.notes),
        )

    def step(self, period: Period | None, delta: int) -> Period:
        self.calls.append(("step", None if period is None else period.key, delta))
        start = self._key(period).start
        return day_period(start + dt.timedelta(days=delta))

    def _mark(self, key: str) -> Mark:
        return Mark(self.ratings.get(key), key in self.saved, self.saved.get(key, ()))

    def rate(self, paper: Paper, rating: Rating | None) -> Mark:
        key = split_version(paper.id)[0]
        self.calls.append(("rate", key, rating))
        if rating is None:
            self.ratings.pop(key, None)
        else:
            self.ratings[key] = rating
        return self._mark(key)

    def save(self, paper: Paper, tag: str | None) -> Mark:
        key = split_version(paper.id)[0]
        self.calls.append(("save", key, tag))
        tags = self.saved.get(key, ())
        self.saved[key] = (*tags, tag) if tag and tag not in tags else tags
        return self._mark(key)

    def marks(self, papers: Sequence[Paper]) -> dict[str, Mark]:
        keys = {split_version(p.id)[0] for p in papers}
        return {k: self._mark(k) for k in keys if k in self.ratings or k in self.saved}

    def mark_seen(self, papers: Sequence[Paper]) -> None:
        self.seen.update(split_version(p.id)[0] for p in papers)

    def open_url(self, paper: Paper, *, pdf: bool) -> str | None:
        url = paper.pdf_url if pdf else paper.url or paper.arxiv_url
        if url is None:
            raise PapersError(f"{paper.id} has no {'PDF' if pdf else 'page'} to open.")
        self.opened.append(url)
        return url if self.opens_browser else None


async def settle(pilot: Pilot[None]) -> None:
    """Wait until the background loads are done and the screen has caught up."""
    app: Any = pilot.app
    for _ in range(500):
        if not app.busy:
            break
        await pilot.pause(0.01)
    else:
        raise AssertionError("the app stayed busy")
    await pilot.pause()
