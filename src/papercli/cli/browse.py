"""``papers browse``: the triage screen over any listing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from papercli.cli.boundary import handle_errors
from papercli.cli.options import (
    CategoryOpt,
    DateOpt,
    HasCodeOpt,
    MinUpvotesOpt,
    MonthOpt,
    OfflineOpt,
    QueryArg,
    SortOpt,
    SourceOpt,
    WeekOpt,
    filters,
    query_text,
)
from papercli.cli.root import QueryCommand, app
from papercli.errors import UsageError

if TYPE_CHECKING:
    from papercli.core.context import Context


@app.command(cls=QueryCommand)
@handle_errors
def browse(
    query: QueryArg = None,
    date: DateOpt = None,
    week: WeekOpt = None,
    month: MonthOpt = None,
    source: SourceOpt = None,
    category: CategoryOpt = None,
    sort: SortOpt = "upvotes",
    min_upvotes: MinUpvotesOpt = None,
    has_code: HasCodeOpt = False,
    offline: OfflineOpt = False,
) -> None:
    """The triage screen: go through a listing at the keyboard. j/k or arrows move, Enter
    reads a paper, l like, d dislike, u take back, s save (S with a tag), o/p open the
    page or PDF, / filter, [ ] the previous or next day, r refresh, ? help, q quit.
    Every like, dislike and save teaches the 'for you' order (the default order once
    you have rated papers).

    Examples: papers browse | papers browse --date yesterday | papers browse -w 2025-W28 agents
    | papers browse --source arxiv -c cs.LG --offline
    """
    import sys

    from papercli import config
    from papercli.core.context import Context
    from papercli.dates import period_from_options
    from papercli.ui import browse as screen
    from papercli.ui.browse.service import CoreBackend

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("papers browse needs a terminal; for a pipe use papers today or list.")
    text = query_text(query)
    chosen = filters(None, sort=sort, limit=None, min_upvotes=min_upvotes, has_code=has_code)
    view = None
    if date or week or month:
        view = period_from_options(date, week, month, dt.date.today())
    settings = config.load()

    def make_context(warn: Callable[[str], None]) -> Context:
        return Context(settings, warn)

    backend = CoreBackend(
        make_context,
        chosen,
        source=source,
        categories=category,
    )
    screen.run(backend, view=view, query=text, offline=offline)
