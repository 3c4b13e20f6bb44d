"""The one freshness rule, and every source held to it.

Each source is driven through its real use case with a stub client that counts
requests: a cached copy is served or refetched exactly as ``is_fresh`` says, for
fetch times in the future, within and past the TTL, before and after the listing
settled, and a failed fetch falls back to the stale copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from papercli import config
from papercli.core import arxiv as core_arxiv
from papercli.core import hf as core_hf
from papercli.core.context import Context
from papercli.core.freshness import arxiv_settled_time, is_fresh, settled_time
from papercli.core.sync import plan_arxiv, plan_hf, sync
from papercli.dates import day_period, parse_month
from papercli.errors import FetchError
from papercli.models import Paper
from papercli.storage.cache import Entry

TODAY = dt.date(2025, 7, 20)
NOON = dt.datetime(2025, 7, 20, 12, tzinfo=dt.UTC).timestamp()
TTL = 3600.0
PAPER = Paper("2507.00001", "A paper", listed="2025-07-10", sources=("hf",))


def entry(fetched_at: float, papers: list[Paper] | None = None) -> Entry:
    return Entry("hf", "day", "k", fetched_at, [PAPER] if papers is None else papers)


# -- the rule itself ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fetched_at,papers,current,settled_at,fresh",
    [
        (NOON + 60, [PAPER], False, None, False),  # a fetch time in the future: never fresh
        (NOON + 60, [PAPER], True, None, False),
        (NOON - 60, [PAPER], True, None, True),  # current, within the TTL
        (NOON - TTL - 1, [PAPER], True, None, False),  # current, past the TTL
        (NOON - 10 * TTL, [PAPER], False, None, True),  # settled with papers: for good
        (NOON - 10 * TTL, [], False, None, False),  # empty: a hiccup, asked again
        (NOON - 60, [], False, None, True),  # ... but not within the TTL
        (NOON - 10 * TTL, [PAPER], False, NOON - 5 * TTL, False),  # fetched before settling
        (NOON - 60, [PAPER], False, NOON, True),  # before settling, within the TTL
    ],
)
def test_the_rule(
    fetched_at: float, papers: list[Paper], current: bool, settled_at: float | None, fresh: bool
) -> None:
    got = is_fresh(entry(fetched_at, papers), NOON, TTL, current=current, settled_at=settled_at)
    assert got is fresh


# -- every source obeys it -----------------------------------------------------------------------
@dataclass
class StubHf:
    papers: list[Paper]
    calls: list[str] = field(default_factory=list)
    fail: bool = False

    def listing(self, period: Any, validators: Any = None) -> Any:
        from papercli.sources.hf import ListingFetch

        self.calls.append(period.key)
        if self.fail:
            raise FetchError("Hugging Face is down.")
        return ListingFetch([*self.papers])

    def paper(self, paper_id: str) -> Paper:
        raise AssertionError("not used")


@dataclass
class StubArxiv:
    papers: list[Paper]
    calls: list[str] = field(default_factory=list)
    fail: bool = False

    def day(self, categories: tuple[str, ...], day: dt.date) -> list[Paper]:
        self.calls.append(f"day {day}")
        if self.fail:
            raise FetchError("arXiv is down.")
        return list(self.papers)

    def days(
        self, categories: tuple[str, ...], first: dt.date, last: dt.date
    ) -> dict[dt.date, list[Paper]]:
        self.calls.append(f"days {first} {last}")
        if self.fail:
            raise FetchError("arXiv is down.")
        return {first + dt.timedelta(days=i): [] for i in range((last - first).days + 1)} | {
            first: list(self.papers)
        }

    def announcement(self, categories: tuple[str, ...]) -> Any:
        from papercli.sources.arxiv import RssResult

        self.calls.append("rss")
        if self.fail:
            raise FetchError("arXiv is down.")
        return RssResult(papers=list(self.papers), day=TODAY.isoformat())


def context(now: float, warnings: list[str] | None = None) -> Context:
    notes = warnings if warnings is not None else []
    return Context(config.load(), notes.append, today=TODAY, now=lambda: now)


def with_clients(ctx: Context, hf: StubHf | None = None, arxiv: StubArxiv | None = None) -> Context:
    ctx._hf = hf  # type: ignore[assignment]
    ctx._arxiv = arxiv  # type: ignore[assignment]
    return ctx


Fetcher = Callable[[Context], object]
PAST_DAY = dt.date(2025, 7, 10)
CATS = ("cs.LG",)


def _hf_day(ctx: Context) -> object:
    return core_hf.period_papers(ctx, day_period(PAST_DAY), offline=False, refresh=False)


def _hf_today(ctx: Context) -> object:
    return core_hf.period_papers(ctx, day_period(TODAY), offline=False, refresh=False)


def _arxiv_day(ctx: Context) -> object:
    return core_arxiv.past_day(ctx, CATS, PAST_DAY, offline=False, refresh=False)


def _arxiv_latest(ctx: Context) -> object:
    return core_arxiv.latest_announcement(ctx, CATS, offline=False, refresh=False)


def _seed(ctx: Context, kind: str, fetched_at: float, papers: list[Paper]) -> None:
    if kind == "hf-day":
        ctx.cache.save("hf", "day", PAST_DAY.isoformat(), papers, fetched_at=fetched_at)
    elif kind == "hf-today":
        ctx.cache.save("hf", "day", TODAY.isoformat(), papers, fetched_at=fetched_at)
    elif kind == "arxiv-day":
        ctx.cache.save("arxiv", "api", f"cs.LG/{PAST_DAY}", papers, fetched_at=fetched_at)
    else:
        ctx.cache.save("arxiv", "rss", f"cs.LG/{TODAY}", papers, fetched_at=fetched_at)


SOURCES = {
    "hf-day": (_hf_day, settled_time(day_period(PAST_DAY)), False),
    "hf-today": (_hf_today, None, True),
    "arxiv-day": (_arxiv_day, arxiv_settled_time(PAST_DAY), False),
    "arxiv-latest": (_arxiv_latest, None, True),
}


def _requests(kind: str, now: float, fetched_at: float, papers: list[Paper]) -> int:
    ctx = with_clients(context(now), StubHf([PAPER]), StubArxiv([PAPER]))
    _seed(ctx, kind, fetched_at, papers)
    SOURCES[kind][0](ctx)
    return len(ctx._hf.calls) + len(ctx._arxiv.calls)  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", SOURCES)
def test_a_future_fetch_time_is_refetched(kind: str) -> None:
    assert _requests(kind, NOON, NOON + 3600, [PAPER]) == 1


@pytest.mark.parametrize("kind", SOURCES)
def test_within_the_ttl_nothing_is_asked(kind: str) -> None:
    assert _requests(kind, NOON, NOON - 60, [PAPER]) == 0


@pytest.mark.parametrize("kind", SOURCES)
def test_an_empty_copy_is_asked_again_after_the_ttl(kind: str) -> None:
    assert _requests(kind, NOON, NOON - 2 * TTL - 1, []) == 1


@pytest.mark.parametrize("kind", SOURCES)
def test_settled_or_not_decides_past_the_ttl(kind: str) -> None:
    _, settled, current = SOURCES[kind]
    late = NOON - 2 * TTL
    # Fetched long ago: a current listing is asked again; a past one only when it was
    # fetched before it settled.
    expected = 1 if current or (settled is not None and late < settled) else 0
    assert _requests(kind, NOON, late, [PAPER]) == expected


@pytest.mark.parametrize("kind", SOURCES)
def test_a_failed_fetch_shows_the_stale_copy(kind: str) -> None:
    warnings: list[str] = []
    ctx = with_clients(
        context(NOON, warnings), StubHf([PAPER], fail=True), StubArxiv([PAPER], fail=True)
    )
    _seed(ctx, kind, NOON + 3600, [PAPER])  # never fresh, so a fetch is tried
    result = SOURCES[kind][0](ctx)
    papers = result[0] if isinstance(result, tuple) else result
    assert papers == [PAPER]
    assert any("down" in w for w in warnings)


def test_sync_uses_the_same_rule(isolated_home: Any) -> None:
    """A past day cached empty is asked again by sync after the TTL, as by list --date;
    within the TTL it is not."""
    ctx = with_clients(context(NOON), StubHf([PAPER]), StubArxiv([PAPER]))
    ctx.cache.save("hf", "day", PAST_DAY.isoformat(), [], fetched_at=NOON - 2 * TTL)
    ctx.cache.save("arxiv", "api", f"cs.LG/{PAST_DAY}", [], fetched_at=NOON - 2 * TTL)
    for task in plan_hf(ctx, PAST_DAY, PAST_DAY):
        cached = task.lookup() if task.lookup else None
        assert cached is not None and task.fresh is not None and not task.fresh(cached)
    # arXiv decides while planning: a day to fetch is part of a range task, run always.
    (arxiv_task,) = [t for t in plan_arxiv(ctx, PAST_DAY, PAST_DAY) if t.kind == "api"]
    assert arxiv_task.lookup is None and arxiv_task.what == "arXiv cs.LG 2025-07-10"
    report = sync(ctx, ["hf", "arxiv"], PAST_DAY, PAST_DAY)
    assert "Hugging Face 2025-07-10" in report.fetched
    assert "arXiv cs.LG 2025-07-10" in report.fetched
    assert ctx._arxiv.calls == ["days 2025-07-10 2025-07-10"]  # type: ignore[union-attr]

    within = with_clients(context(NOON), StubHf([PAPER]), StubArxiv([PAPER]))
    within.cache.save("arxiv", "api", f"cs.LG/{PAST_DAY}", [], fetched_at=NOON - 60)
    (cached_task,) = [t for t in plan_arxiv(within, PAST_DAY, PAST_DAY) if t.kind == "api"]
    entry = cached_task.lookup() if cached_task.lookup else None
    assert entry is not None and cached_task.fresh is not None and cached_task.fresh(entry)


def test_a_day_is_read_from_a_fresh_month_only() -> None:
    month = parse_month("2025-07")
    ctx = with_clients(context(NOON), StubHf([PAPER]))
    ctx.cache.save("hf", "month", month.key, [PAPER], fetched_at=NOON + 60)  # future
    assert not core_hf.month_is_fresh(ctx, month)
    ctx.cache.save("hf", "month", month.key, [PAPER], fetched_at=NOON - 60)
    assert core_hf.month_is_fresh(ctx, month)
