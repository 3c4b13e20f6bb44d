"""``papers today``, ``list``, ``show`` and ``open``."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer

from papercli.cli.boundary import handle_errors, run
from papercli.cli.options import (
    CategoryOpt,
    DateOpt,
    HasCodeOpt,
    IncludeHfOpt,
    LimitOpt,
    MinUpvotesOpt,
    MonthOpt,
    NewOpt,
    OfflineOpt,
    QueryArg,
    RefreshOpt,
    ReplacementsOpt,
    Sort,
    SortOpt,
    SourceOpt,
    SubmitterOpt,
    WeekOpt,
    filters,
    output_params,
)
from papercli.cli.root import QueryCommand, app
from papercli.errors import UsageError
from papercli.ui.output import Output


def _show_listing(
    period_text: tuple[str | None, str | None, str | None] | None,
    query: list[str] | None,
    *,
    sort: Sort,
    limit: int | None,
    min_upvotes: int | None,
    has_code: bool,
    new: bool,
    offline: bool,
    refresh: bool,
    source: str | None,
    category: list[str] | None,
    replacements: bool,
    include_hf: bool,
    submitter: str | None,
    out: Output,
) -> None:
    """Today's listing (``period_text`` None) or a day, week or month: fetch, print, and
    remember the papers as seen."""
    from papercli.core import listing as core_listing
    from papercli.core.listings import source_listing
    from papercli.dates import period_from_options
    from papercli.ui import emit

    chosen = filters(
        query,
        sort=sort,
        limit=limit,
        min_upvotes=min_upvotes,
        has_code=has_code,
        new=new,
        submitter=submitter,
    )
    period = period_from_options(*period_text, dt.date.today()) if period_text else None

    def go(ctx):  # type: ignore[no-untyped-def]
        result = source_listing(
            ctx,
            period,
            source,
            chosen,
            categories=category,
            replacements=replacements,
            include_hf=include_hf,
            offline=offline,
            refresh=refresh,
        )
        numbered = emit.listing(result, out)
        core_listing.mark_seen(ctx, result.papers)
        if numbered is not None:
            core_listing.remember_shown(ctx, result.papers, numbered)

    run(go)


@app.command(cls=QueryCommand)
@handle_errors
@output_params
def today(
    query: QueryArg = None,
    sort: SortOpt = "upvotes",
    limit: LimitOpt = None,
    min_upvotes: MinUpvotesOpt = None,
    has_code: HasCodeOpt = False,
    offline: OfflineOpt = False,
    refresh: RefreshOpt = False,
    source: SourceOpt = None,
    category: CategoryOpt = None,
    replacements: ReplacementsOpt = False,
    include_hf: IncludeHfOpt = False,
    new: NewOpt = False,
    submitter: SubmitterOpt = None,
    *,
    out: Output,
) -> None:
    """Today's papers (or the latest day before today that has some).

    Examples: papers today | papers today mini-batch | papers today "diffusion model" --has-code
    | papers today --source arxiv -c cs.LG -c cs.CL | papers today --source all --include-hf
    | papers today --new | papers today --submitter akhaliq --format ids
    """
    _show_listing(
        None,
        query,
        sort=sort,
        limit=limit,
        min_upvotes=min_upvotes,
        has_code=has_code,
        new=new,
        offline=offline,
        refresh=refresh,
        source=source,
        category=category,
        replacements=replacements,
        include_hf=include_hf,
        submitter=submitter,
        out=out,
    )


@app.command("list", cls=QueryCommand)
@handle_errors
@output_params
def list_(
    query: QueryArg = None,
    date: DateOpt = None,
    week: WeekOpt = None,
    month: MonthOpt = None,
    sort: SortOpt = "upvotes",
    limit: LimitOpt = None,
    min_upvotes: MinUpvotesOpt = None,
    has_code: HasCodeOpt = False,
    offline: OfflineOpt = False,
    refresh: RefreshOpt = False,
    new: NewOpt = False,
    source: SourceOpt = None,
    category: CategoryOpt = None,
    replacements: ReplacementsOpt = False,
    include_hf: IncludeHfOpt = False,
    submitter: SubmitterOpt = None,
    *,
    out: Output,
) -> None:
    """The papers of any day, ISO week or month.

    With --source arxiv|all, each day is the cached arXiv announcement of that day when
    there is one, else the papers submitted that day (arXiv's export API; the announce
    type is then unknown, and a paper is usually announced a day or more later).

    Examples: papers list --date yesterday | papers list --week 2025-W28 agents
    | papers list -m 2025-07 --new | papers list --source arxiv -c cs.LG --date 2025-07-14
    | papers list --source all -c cs.CL --week 2025-W28
    | papers list -w 2025-W28 --submitter akhaliq
    """
    _show_listing(
        (date, week, month),
        query,
        sort=sort,
        limit=limit,
        min_upvotes=min_upvotes,
        has_code=has_code,
        new=new,
        offline=offline,
        refresh=refresh,
        source=source,
        category=category,
        replacements=replacements,
        include_hf=include_hf,
        submitter=submitter,
        out=out,
    )


@app.command()
@handle_errors
@output_params
def show(
    paper_id: Annotated[
        str,
        typer.Argument(
            metavar="ID|N", help="arXiv id, paper URL, or N: the N-th paper of the last listing."
        ),
    ],
    offline: OfflineOpt = False,
    refresh: RefreshOpt = False,
    highlight: Annotated[
        str | None,
        typer.Option("--highlight", help="Highlight the words this query matches."),
    ] = None,
    *,
    out: Output,
) -> None:
    """One paper in full: authors, links, abstract, AI summary and keywords.

    N (1 to 999) is the N-th paper of the last table shown in this PAPERS_HOME
    (today, list, search, watch run).

    Examples: papers show 2308.04079 | papers show 3
    | papers show https://arxiv.org/abs/2308.04079v2 --json
    | papers show 2507.11001 --highlight mini-batch
    """
    from papercli.core import papers
    from papercli.query import Query
    from papercli.ui import emit

    marked = Query.parse(highlight, strict=True) if highlight else None

    def go(ctx):  # type: ignore[no-untyped-def]
        wanted = _by_rank(ctx, paper_id)
        return papers.show(ctx, wanted, offline=offline, refresh=refresh)

    emit.paper(run(go), out, marked)


def _by_rank(ctx, text: str) -> str:  # type: ignore[no-untyped-def]
    """``text`` as given, or for a bare number N the id of the N-th paper of the last
    listing shown."""
    from papercli.core.listing import is_rank, paper_at_rank

    return paper_at_rank(ctx, int(text)) if is_rank(text.strip()) else text


@app.command("open")
@handle_errors
def open_(
    paper_id: Annotated[
        str,
        typer.Argument(
            metavar="ID|N", help="arXiv id, paper URL, or N: the N-th paper of the last listing."
        ),
    ],
    pdf: Annotated[bool, typer.Option("--pdf", help="Open the arXiv PDF.")] = False,
    arxiv: Annotated[
        bool, typer.Option("--arxiv", help="Open the arXiv abstract page, not Hugging Face's.")
    ] = False,
) -> None:
    """Open a paper's page in the web browser (the URL is also printed).

    Without a browser, the URL is printed and the exit status is still 0. N (1 to 999)
    is the N-th paper of the last table shown.
    Examples: papers open 2308.04079 | papers open 3 --pdf
    """
    from papercli import links
    from papercli.core.listing import is_rank
    from papercli.ui.browser import open_in_browser
    from papercli.ui.console import say

    if pdf and arxiv:
        raise UsageError("Give --pdf or --arxiv, not both.")
    if is_rank(paper_id.strip()):
        paper_id = run(lambda ctx: _by_rank(ctx, paper_id))
    if not (pdf or arxiv):
        from papercli.core.papers import known_only_from_arxiv

        # A paper papercli knows only from arXiv has no Hugging Face page to open.
        arxiv = run(lambda ctx: known_only_from_arxiv(ctx, paper_id))
    url = links.paper_url(paper_id, pdf=pdf, arxiv=arxiv)
    sys.stdout.write(url + "\n")
    sys.stdout.flush()
    if not open_in_browser(url):
        say("No web browser could be started; open the URL above yourself.")
