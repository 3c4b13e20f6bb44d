"""Hugging Face Daily Papers listings: a day, week or month; today with its fallbacks."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from papercli.core.freshness import Fetched, cached_or_fetch, fresh_in, settled_time
from papercli.core.listing import Filters, Listing, listing_of
from papercli.dates import Period, day_period, is_current, parse_month
from papercli.errors import FetchError, PapersError
from papercli.models import Paper

if TYPE_CHECKING:
    from papercli.core.context import Context

FALLBACK_DAYS = 7


def period_papers(
    ctx: Context, period: Period, *, offline: bool, refresh: bool, stale_ok: bool = True
) -> list[Paper]:
    """Every paper of a day, week or month: from the cache when fresh (a day or week may
    come from cached month listings), else fetched, conditionally when possible."""

    def get(validators: Any) -> tuple[Any, dict[str, Any]]:
        got = ctx.hf.listing(period, validators if isinstance(validators, dict) else None)
        return got, ({"validators": got.validators} if got.validators else {})

    def fetch() -> Fetched:
        got, meta = get(None)
        return got.papers, meta

    def revalidate(meta: dict[str, Any]) -> Fetched | None:
        got, new_meta = get(meta.get("validators"))
        return None if got.not_modified else (got.papers, new_meta)

    if period.kind != "month" and not refresh:
        from_months = _from_months(ctx, period, offline=offline)
        if from_months is not None:
            return from_months
    entry = cached_or_fetch(
        ctx,
        "hf",
        period.kind,
        period.key,
        fetch,
        current=is_current(period, ctx.today),
        offline=offline,
        refresh=refresh,
        what=f"Hugging Face papers for {period.key}",
        settled_after=settled_time(period),
        revalidate=revalidate,
        stale_ok=stale_ok,
    )
    return entry.papers


def month_is_fresh(ctx: Context, month: Period) -> bool:
    """A cached month listing that a day or week of it may be read from (``papers sync``
    stores months): fresh by the one rule."""
    entry = ctx.cache.load("hf", "month", month.key)
    return entry is not None and fresh_in(
        ctx, entry, current=is_current(month, ctx.today), settled_at=settled_time(month)
    )


def _from_months(ctx: Context, period: Period, *, offline: bool) -> list[Paper] | None:
    """A day or week taken from cached month listings (what ``papers sync`` stores).

    Used only when the period has no file of its own and every month it touches
    is cached and fresh (or offline); otherwise None.
    """
    if ctx.cache.load("hf", period.kind, period.key) is not None:
        return None
    first, last = period.start.isoformat(), period.end.isoformat()
    papers: list[Paper] = []
    for key in sorted({first[:7], last[:7]}):
        month = parse_month(key)
        entry = ctx.cache.load("hf", "month", month.key)
        if entry is None:
            return None
        usable = offline or fresh_in(
            ctx, entry, current=is_current(month, ctx.today), settled_at=settled_time(month)
        )
        if not usable:
            return None
        papers += [p for p in entry.papers if p.listed and first <= p.listed <= last]
    return papers


def latest_cached_day(ctx: Context, today: dt.date) -> tuple[list[Paper], str] | None:
    """The most recent cached Hugging Face day up to ``today`` that has papers, from
    day files or from month listings (what ``papers sync`` stores)."""
    best: tuple[list[Paper], str] | None = None
    for key in reversed(ctx.cache.keys("hf", "day")):
        if key <= today.isoformat():
            cached = ctx.cache.load("hf", "day", key)
            if cached is not None and cached.papers:
                best = (cached.papers, key)
                break
    for key in reversed(ctx.cache.keys("hf", "month")):
        if best is not None and key < best[1][:7]:
            break
        if key > today.isoformat()[:7]:
            continue
        entry = ctx.cache.load("hf", "month", key)
        if entry is None:
            continue
        days = sorted(
            {p.listed for p in entry.papers if p.listed and p.listed <= today.isoformat()}
        )
        if days and (best is None or days[-1] > best[1]):
            best = ([p for p in entry.papers if p.listed == days[-1]], days[-1])
            break
    return best


def today_papers(ctx: Context, *, offline: bool, refresh: bool) -> tuple[list[Paper], dt.date]:
    """Today's listing, or the most recent one before it when today has none yet.

    Offline, or when the network fails, the most recent cached day is shown
    with a note saying which day it is.
    """
    today = ctx.today
    if offline:
        latest = latest_cached_day(ctx, today)
        if latest is None:
            raise PapersError(f"No cached Hugging Face listing for {today} or before (offline).")
        if latest[1] != today.isoformat():
            ctx.warn(f"No papers cached for {today} (offline); showing {latest[1]}.")
        return latest[0], dt.date.fromisoformat(latest[1])
    try:
        papers = period_papers(ctx, day_period(today), offline=False, refresh=refresh)
        if papers:
            return papers, today
        for back in range(1, FALLBACK_DAYS + 1):
            day = today - dt.timedelta(days=back)
            papers = period_papers(ctx, day_period(day), offline=False, refresh=False)
            if papers:
                ctx.warn(f"No papers listed for {today} yet; showing {day}.")
                return papers, day
    except FetchError as exc:
        latest = latest_cached_day(ctx, today)
        if latest is None:
            raise
        ctx.warn(f"{exc} Showing the most recent cached listing, {latest[1]}.")
        return latest[0], dt.date.fromisoformat(latest[1])
    first = today - dt.timedelta(days=FALLBACK_DAYS)
    latest = latest_cached_day(ctx, first)
    if latest is not None:  # as offline: the most recent day papercli has
        ctx.warn(
            f"Nothing listed from {first} to {today}; "
            f"showing the most recent cached listing, {latest[1]}."
        )
        return latest[0], dt.date.fromisoformat(latest[1])
    ctx.warn(f"Nothing listed on Hugging Face Daily Papers from {first} to {today}.")
    return [], today


def listing(
    ctx: Context,
    period: Period | None,
    filters: Filters,
    *,
    offline: bool = False,
    refresh: bool = False,
) -> Listing:
    """``papers today`` (period None) and ``papers list``: Hugging Face listings."""
    asked = None
    if period is None:
        papers, day = today_papers(ctx, offline=offline, refresh=refresh)
        period = day_period(day)
        asked = ctx.today if day != ctx.today else None
    elif period.start > ctx.today:
        ctx.warn(f"{period.key} is in the future: nothing is listed yet.")
        papers = []
    else:
        papers = period_papers(ctx, period, offline=offline, refresh=refresh)
    label = "Hugging Face Daily Papers"
    heading = f"{label}, {period.key}"
    return listing_of(
        ctx, papers, filters, heading, "hf", period, offline=offline, label=label, asked=asked
    )
