"""The merged view: arXiv papers carrying their Hugging Face signals (upvotes, code,
organization, AI summary), and the announce types a listing shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from papercli.core import hf
from papercli.dates import Period, day_period
from papercli.errors import FetchError, PapersError
from papercli.models import Paper

if TYPE_CHECKING:
    from papercli.core.context import Context

HF_WINDOW = 2  # Hugging Face days either side of the arXiv announcement
Signals = tuple[dict[str, Paper], list[Paper]]


def arxiv_view(
    papers: list[Paper], replacements: bool, signals: Signals | None, include_hf: bool
) -> list[Paper]:
    """An arXiv listing as shown: announce types chosen (new and cross, or all with
    ``replacements``); with ``signals`` (Hugging Face papers by id, and those listed
    recently), each paper carries its signals, and ``include_hf`` adds the recent
    Hugging Face papers the listing lacks, marked ``hf``."""
    from papercli.sources import arxiv

    allowed = set(arxiv.ANNOUNCE_TYPES) if replacements else arxiv.DEFAULT_TYPES
    papers = [p for p in papers if p.announce_type is None or p.announce_type in allowed]
    if signals is None:
        return papers
    by_id, recent = signals
    papers = [p.merged_with_hf(by_id[p.id]) if p.id in by_id else p for p in papers]
    if include_hf:
        listed = {p.id for p in papers}
        papers += [
            replace(p, extra_marks=(*p.extra_marks, "hf")) for p in recent if p.id not in listed
        ]
    return papers


def _most_upvoted(papers: list[Paper]) -> dict[str, Paper]:
    by_id: dict[str, Paper] = {}
    for p in papers:
        known = by_id.get(p.id)
        if known is None or (p.upvotes or 0) > (known.upvotes or 0):
            by_id[p.id] = p
    return by_id


def signals_around(ctx: Context, day: dt.date, *, offline: bool) -> Signals:
    """Hugging Face papers listed around ``day`` (HF_WINDOW days either side, not past
    today): by id (most upvoted copy), and those listed on ``day`` or later, in order.

    Hugging Face being unreachable is a warning, not a failure of the arXiv listing.
    """
    end = min(day + dt.timedelta(days=HF_WINDOW), max(ctx.today, day))
    by_id: dict[str, Paper] = {}
    recent: list[Paper] = []
    problem: str | None = None
    found = False
    # The announcement day first, then later days, then earlier ones.
    offsets = [0, *range(1, (end - day).days + 1), *range(-1, -HF_WINDOW - 1, -1)]
    for current in (day + dt.timedelta(days=n) for n in offsets):
        try:
            papers = hf.period_papers(ctx, day_period(current), offline=offline, refresh=False)
        except FetchError as exc:
            problem = str(exc)
            break  # the service is down: do not wait on every day in turn
        except PapersError as exc:  # offline, nothing cached for that day
            problem = problem or str(exc)
            papers = []
        else:
            found = True
        for p in papers:
            known = by_id.get(p.id)
            if known is None or (p.upvotes or 0) > (known.upvotes or 0):
                by_id[p.id] = p
            if current >= day and known is None:
                recent.append(p)
    if problem and not found:
        ctx.warn(f"Hugging Face signals unavailable: {problem}")
    return by_id, recent


def signals_for(ctx: Context, period: Period, *, offline: bool) -> Signals:
    """Hugging Face signals for an arXiv listing of ``period``: around the day for a
    day; the week's or month's own Hugging Face listing otherwise."""
    if period.kind == "day":
        return signals_around(ctx, period.start, offline=offline)
    try:
        papers = hf.period_papers(ctx, period, offline=offline, refresh=False)
    except PapersError as exc:
        ctx.warn(f"Hugging Face signals unavailable: {exc}")
        return {}, []
    by_id = _most_upvoted(papers)
    return by_id, list(by_id.values())
