"""``papers search`` (remote, or every cached listing with --offline) and ``papers trends``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import typer

from papercli.cli.boundary import handle_errors, run
from papercli.cli.options import (
    HasCodeOpt,
    LimitOpt,
    MinUpvotesOpt,
    NewOpt,
    QueryArg,
    SinceOpt,
    Sort,
    Source,
    SourceOpt,
    UntilOpt,
    day_range,
    output_params,
    query_text,
)
from papercli.cli.root import QueryCommand, app
from papercli.ui.output import Output

if TYPE_CHECKING:
    from papercli.core.context import Context
    from papercli.core.listing import Listing


@app.command(cls=QueryCommand)
@handle_errors
@output_params
def search(
    query: Annotated[list[str], typer.Argument(help="What to search for.", show_default=False)],
    sort: Annotated[
        Sort | None,
        typer.Option(
            "--sort",
            help="Order: relevance (default online), date (default --offline: the day "
            "the paper was listed, newest first, then its arXiv date), upvotes, title.",
        ),
    ] = None,
    limit: LimitOpt = None,
    min_upvotes: MinUpvotesOpt = None,
    has_code: HasCodeOpt = False,
    source: SourceOpt = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline",
            help="Search every cached listing instead: of every source, or of --source "
            "hf|arxiv (all: every source).",
        ),
    ] = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    new: NewOpt = False,
    *,
    out: Output,
) -> None:
    """Search Hugging Face papers, arXiv with --source arxiv, both with --source all, or
    (--offline) every cached listing with the full query language (at most 100 papers
    unless --limit says otherwise). Fields (au:, title: ...) need --offline, except
    arXiv's own au:, ti:, abs:, cat:, id: with --source arxiv.

    Examples: papers search llama 3 herd --limit 5
    | papers search '"diffusion model" distillation' --source arxiv --limit 20
    | papers search --offline --since 2025-01-01 -- 'mini-batch OR "large batch" -author:smith'
    """
    from papercli.core import search as core_search
    from papercli.core.listing import Filters
    from papercli.ui import emit
    from papercli.ui.console import say

    text = query_text(query)
    ordered: Sort = sort or ("date" if offline else "relevance")
    first, last = day_range(since, until)
    chosen = Filters(
        query=core_search.parse_query(text, offline=offline),
        min_upvotes=min_upvotes,
        has_code=has_code,
        since=first,
        until=last,
        sort=ordered,
        limit=limit,
        new_only=new,
    )
    if offline and limit is None:
        chosen.limit = core_search.OFFLINE_LIMIT

    def go(ctx: Context) -> Listing:
        from papercli.core.listing import remember_shown

        if offline:
            result = core_search.local(ctx, chosen, source)
        else:
            result = core_search.remote(ctx, text, chosen, source)
        numbered = emit.listing(result, out)
        if numbered is not None:
            remember_shown(ctx, result.papers, numbered)
        return result

    result = run(go)
    if result.more and limit is None:
        shown = "the first match" if chosen.limit == 1 else f"the first {chosen.limit} matches"
        say(f"Showing {shown}; use --limit N to see more.")


By = Literal["day", "week", "month"]


@app.command(cls=QueryCommand)
@handle_errors
def trends(
    query: QueryArg = None,
    by: Annotated[By, typer.Option("--by", help="Period of each bar.")] = "month",
    since: SinceOpt = None,
    until: UntilOpt = None,
    source: Annotated[
        Source | None,
        typer.Option(
            "--source",
            "-s",
            help="Count the cached papers of hf (Hugging Face Daily Papers), arxiv, or all "
            "(every cached source, the default).",
            show_default=False,
        ),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON instead of a chart.")] = False,
) -> None:
    """How many cached papers match a query per day, week or month, as a bar chart,
    with the top organizations and AI keywords among them. A chart holds at most
    10,000 periods (a wider range is a usage error).

    Examples: papers trends "diffusion model" --by month | papers trends agent --since 2025-01-01
    | papers trends agent --source hf
    """
    from papercli.core.trends import trends as compute_trends
    from papercli.query import Query
    from papercli.ui.console import console, say, show
    from papercli.ui.emit import print_json

    parsed = Query.parse(query_text(query), strict=True)
    first, last = day_range(since, until)

    def go(ctx: Context):  # type: ignore[no-untyped-def]
        where = source
        return compute_trends(ctx.cache, parsed, by, first, last, where)

    result = run(go)
    if json_:
        print_json(result.to_json())
        return
    if not result.total:
        say("No cached papers match (run papers sync to fetch more history).")
        return
    from papercli.ui.table import trends_chart

    screen = console()
    show(screen, trends_chart(result, width=screen.width))
