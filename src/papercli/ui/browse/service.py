"""The triage screen's backend: papercli's own use cases behind the screen's protocol.

Each call opens its own :class:`~papercli.core.context.Context` (and so its own
HTTP client and cache handle): loads run in a worker thread while ratings are
written from the UI thread, and nothing is shared between them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from papercli.core.context import Context
from papercli.core.listing import Filters
from papercli.dates import Period, day_period, parse_month, parse_week
from papercli.models import Paper
from papercli.ui.browse.backend import Mark, Page, Rating


@dataclass
class CoreBackend:
    """``papers browse``'s view of papercli: a listing with the command line's options."""

    make_context: Callable[[Callable[[str], None]], Context]  # given where notes go
    filters: Filters
    source: str | None = None
    categories: list[str] | None = None
    notes: list[str] = field(default_factory=list)

    def _context(self) -> Context:
        return self.make_context(self.notes.append)

    def load(self, view: Period | None, *, refresh: bool, offline: bool) -> Page:
        from papercli.core.listings import source_listing

        self.notes.clear()
        filters = self.filters
        with self._context() as ctx:
            if filters.sort == "upvotes" and _has_model(ctx):
                filters = replace(filters, sort="for-you")  # with a model, the default order
            result = source_listing(
                ctx,
                view,
                self.source,
                filters,
                categories=self.categories,
                offline=offline,
                refresh=refresh,
            )
        notes = [*self.notes, *(n for n in result.notes if "No ratings yet" not in n)]
        count = len(result.papers)
        heading = f"{result.heading} · {count} paper{'s' if count != 1 else ''}"
        scores = result.scores or None
        return Page(result.papers, heading, result.period, scores, notes)

    def step(self, period: Period | None, delta: int) -> Period:
        current = period or day_period(dt.date.today())
        if current.kind == "day":
            return day_period(current.start + dt.timedelta(days=delta))
        if current.kind == "week":
            start = current.start + dt.timedelta(weeks=delta)
            year, week, _ = start.isocalendar()
            return parse_week(f"{year:04d}-W{week:02d}")
        month = current.start.month - 1 + delta
        year = current.start.year + month // 12
        return parse_month(f"{year:04d}-{month % 12 + 1:02d}")

    def _mark(self, ctx: Context, paper_id: str) -> Mark:
        from papercli.core.ratings import library
        from papercli.storage.library import base_id

        item = library(ctx).items().get(base_id(paper_id))
        if item is None:
            return Mark()
        return Mark(item.rating, item.saved is not None, item.tags)

    def rate(self, paper: Paper, rating: Rating | None) -> Mark:
        from papercli.core.ratings import library, stamp

        with self._context() as ctx:
            library(ctx).rate([paper.id], rating, stamp(ctx), {paper.id: paper})
            return self._mark(ctx, paper.id)

    def save(self, paper: Paper, tag: str | None) -> Mark:
        from papercli.core.ratings import checked_tags, library, stamp

        tags = checked_tags([tag]) if tag else []  # (a bad one: said on the status line)
        with self._context() as ctx:
            library(ctx).save([paper.id], tags, stamp(ctx), {paper.id: paper})
            return self._mark(ctx, paper.id)

    def marks(self, papers: Sequence[Paper]) -> dict[str, Mark]:
        from papercli.core.ratings import library
        from papercli.storage.library import base_id

        with self._context() as ctx:
            items = library(ctx).items()
        out = {}
        for p in papers:
            item = items.get(base_id(p.id))
            if item is not None:
                out[base_id(p.id)] = Mark(item.rating, item.saved is not None, item.tags)
        return out

    def mark_seen(self, papers: Sequence[Paper]) -> None:
        from papercli.core.listing import mark_seen

        with self._context() as ctx:
            mark_seen(ctx, list(papers))

    def open_url(self, paper: Paper, *, pdf: bool) -> str | None:
        from papercli.links import paper_url
        from papercli.ui.browser import open_in_browser

        url = paper_url(paper.id, pdf=pdf, arxiv="hf" not in paper.sources)
        return url if open_in_browser(url) else None


def _has_model(ctx: Context) -> bool:
    from papercli.core.ratings import library

    return any(i.liked for i in library(ctx).items().values())
