"""The command line: parse arguments, call one core function, hand the result to output.

Every :class:`~papercli.errors.PapersError` becomes one line on stderr and an
exit status (1 for failures, 2 for usage errors); nothing shows a traceback.
"""

from __future__ import annotations

import errno
import functools
import inspect
import json
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand

try:
    from typer._click.exceptions import NoSuchOption
except ImportError:  # a Typer that does not vendor click
    from click.exceptions import NoSuchOption  # type: ignore[no-redef]

from papercli import __version__, export
from papercli.errors import PapersError, UsageError
from papercli.output import Output, output_options

if TYPE_CHECKING:
    from rich.console import Console

    from papercli.core import App, Filters, Listing
    from papercli.models import Paper
    from papercli.query import Query

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="papers",
    help="Hugging Face Daily Papers and arXiv listings in the terminal, cached locally.",
    epilog="Example: papers today mini-batch   (see 'papers COMMAND --help')",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
cache_app = typer.Typer(
    help="Inspect or clear the local cache. Example: papers cache info", no_args_is_help=True
)
config_app = typer.Typer(
    help="Create and inspect the configuration file. Example: papers config init",
    no_args_is_help=True,
)
watch_app = typer.Typer(
    help="Saved queries that report what is new since last time.", no_args_is_help=True
)
app.add_typer(cache_app, name="cache")
app.add_typer(config_app, name="config")
app.add_typer(watch_app, name="watch")


class QueryCommand(TyperCommand):
    """A command that takes a query: an unknown short option there is most likely a word
    to exclude (``agent -video``), which must come after ``--``. Say so."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except NoSuchOption as exc:
            name = getattr(exc, "option_name", "")
            if isinstance(name, str) and name.startswith("-") and not name.startswith("--"):
                exc.message += (
                    " (a word to exclude? put the query after '--': "
                    f"papers {ctx.info_name} -- agent -video)"
                )
            raise


class Sort(StrEnum):
    upvotes = "upvotes"
    date = "date"
    title = "title"
    relevance = "relevance"


# --- shared options -------------------------------------------------------------
QueryArg = Annotated[
    list[str] | None,
    typer.Argument(
        help='A query: words that must all match the title or abstract, "phrases", '
        "OR, -word, fields such as title:, au:, cat: (see the README's Queries).",
        show_default=False,
    ),
]
SortOpt = Annotated[Sort, typer.Option("--sort", help="Order of the papers.")]
LimitOpt = Annotated[
    int | None, typer.Option("--limit", "-n", min=1, help="Show at most N papers.")
]
MinUpvotesOpt = Annotated[
    int | None, typer.Option("--min-upvotes", min=0, help="Only papers with at least N upvotes.")
]
HasCodeOpt = Annotated[bool, typer.Option("--has-code", help="Only papers with a code repository.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
OfflineOpt = Annotated[bool, typer.Option("--offline", help="Use the cache only; no network.")]
RefreshOpt = Annotated[bool, typer.Option("--refresh", help="Ignore the cache and fetch again.")]
NewOpt = Annotated[
    bool, typer.Option("--new", help="Only papers not seen in any listing shown before.")
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help="From this day on (YYYY-MM-DD, today, yesterday).")
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help="Up to this day (YYYY-MM-DD, today, yesterday).")
]


# The export formats come from their registry (papercli.export, light: no writer loads).
Format = StrEnum("Format", [(name, name) for name in ("table", *export.names())])  # type: ignore[misc]

FormatOpt = Annotated[
    Format | None,  # type: ignore[valid-type]
    typer.Option(
        "--format",
        help="Output format. table: a table (the default). "
        + " ".join(f"{name}: {text}." for name, _, text in export.describe())
        + " With -o FILE and no --format, the file's ending chooses.",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to FILE instead of stdout ('-' is stdout).", metavar="FILE"
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite the --output file.")]
AbstractsOpt = Annotated[
    bool, typer.Option("--abstracts", help="With --format md: each abstract, collapsible.")
]


class Source(StrEnum):
    hf = "hf"
    arxiv = "arxiv"
    all = "all"


SourceOpt = Annotated[
    Source | None,
    typer.Option(
        "--source",
        "-s",
        help="hf (Hugging Face Daily Papers), arxiv (category listings) or all (arXiv "
        "with Hugging Face signals). Default: [display] default_source.",
        show_default=False,
    ),
]
CategoryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--category",
        "-c",
        help="arXiv category (repeatable), e.g. -c cs.LG -c cs.CL. "
        "Default: [sources.arxiv] categories.",
        show_default=False,
    ),
]
ReplacementsOpt = Annotated[
    bool,
    typer.Option("--replacements", help="arXiv: also show replaced (revised) papers."),
]
IncludeHfOpt = Annotated[
    bool,
    typer.Option(
        "--include-hf",
        help="--source all: also show Hugging Face papers outside the categories, marked [hf].",
    ),
]


# --- plumbing --------------------------------------------------------------------
def _stderr(message: str) -> None:
    from papercli.text import strip_controls

    sys.stderr.write(strip_controls(message).replace("\n", " ") + "\n")
    sys.stderr.flush()


def _fail(message: str, code: int) -> typer.Exit:
    _stderr(f"Error: {message}")
    return typer.Exit(code)


_ENVIRONMENT_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.EACCES, errno.EPERM}
)


def handle_errors(func: F) -> F:
    """The error boundary of every command."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PapersError as exc:
            raise _fail(exc.message, exc.exit_code) from None
        except KeyboardInterrupt:
            raise _fail("interrupted.", 130) from None
        except BrokenPipeError:
            # The reader went away (papers today | head): not an error worth a message.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno in _ENVIRONMENT_ERRNOS:
                # The machine said no (disk full, read-only, permissions): not a bug.
                where = f" ({exc.filename})" if exc.filename else ""
                raise _fail(f"cannot write{where}: {exc.strerror or exc}.", 1) from None
            if os.environ.get("PAPERS_DEBUG"):
                raise
            raise _fail(
                f"internal error: {type(exc).__name__}: {exc} "
                "(run with PAPERS_DEBUG=1 for details, and please report it).",
                1,
            ) from None

    return wrapper  # type: ignore[return-value]


def _app() -> App:
    from papercli import config
    from papercli.core import App

    return App(config.load(), _stderr)


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    # NO_COLOR (https://no-color.org): no colour and no other styling either.
    plain = bool(os.environ.get("NO_COLOR"))
    return Console(
        stderr=stderr,
        highlight=False,
        markup=False,
        emoji=False,
        **({"color_system": None} if plain else {}),
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _query_text(words: list[str] | None) -> str:
    for word in words or []:
        if word.startswith("--") and len(word) > 2:
            # After "--" everything is query text; an option there is surely a slip.
            raise UsageError(
                f"{word!r} looks like an option inside the query: put options before '--' "
                "(papers COMMAND --limit 5 -- diffusion -video)."
            )
    return " ".join(words or [])


def _filters(
    query: list[str] | None,
    *,
    sort: Sort,
    limit: int | None,
    min_upvotes: int | None,
    has_code: bool,
    new: bool = False,
) -> Filters:
    from papercli.core import Filters
    from papercli.query import Query

    return Filters(
        query=Query.parse(_query_text(query), strict=True),
        min_upvotes=min_upvotes,
        has_code=has_code,
        sort=sort.value,  # type: ignore[arg-type]
        limit=limit,
        new_only=new,
    )


def _print_json(data: Any) -> None:
    from papercli.text import json_terminal_safe

    sys.stdout.write(json_terminal_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")
    sys.stdout.flush()


def _write_output(text: str, out: Output, what: str, *, quiet: bool = False) -> None:
    from papercli import output

    output.write(text, out, what, (lambda _: None) if quiet else _stderr)


_OUTPUT_PARAMS: tuple[tuple[str, Any, Any], ...] = (
    ("json_", JsonOpt, False),
    ("fmt", FormatOpt, None),
    ("output", OutputOpt, None),
    ("force", ForceOpt, False),
    ("abstracts", AbstractsOpt, False),
)


def output_params(func: F) -> F:
    """Give a command --json, --format, -o/--output, --force and --abstracts.

    The command declares ``out: Output`` instead; the options are checked and
    combined by :func:`papercli.output.output_options` before the command runs (so
    before anything is fetched). Typer reads the parameters from ``__signature__``.
    """
    signature = inspect.signature(func, eval_str=True)
    kept = [p for name, p in signature.parameters.items() if name != "out"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=hint)
        for name, hint, default in _OUTPUT_PARAMS
    ]

    @functools.wraps(func)
    def wrapper(
        *args: Any,
        json_: bool = False,
        fmt: Format | None = None,
        output: Path | None = None,
        force: bool = False,
        abstracts: bool = False,
        **kwargs: Any,
    ) -> Any:
        chosen = fmt.value if fmt is not None else None
        out = output_options(chosen, json_, output, force, abstracts)
        return func(*args, out=out, **kwargs)

    params = [*kept, *added]
    wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    wrapper.__annotations__["return"] = signature.return_annotation
    return wrapper  # type: ignore[return-value]


def _plain_text(renderable: Any) -> str:
    """A renderable as plain text for a file (no colour, no padding)."""
    from rich.console import Console

    console = Console(width=120, color_system=None, force_terminal=False, highlight=False)
    with console.capture() as capture:
        console.print(renderable)
    return "".join(line.rstrip() + "\n" for line in capture.get().splitlines())


def _emit_listing(listing: Listing, out: Output | bool) -> None:
    """Print (or write) a listing in the chosen format. ``out`` may be the old ``--json`` flag."""
    if isinstance(out, bool):
        out = Output("json" if out else "table")
    count = len(listing.papers)
    what = f"{count} paper{'s' if count != 1 else ''}"
    if out.format == "table":
        from papercli.render import papers_table

        if out.path is not None:
            table = papers_table(listing.papers, None, width=120) if listing.papers else ""
            _write_output(_plain_text(table), out, what)
        elif listing.papers:
            console = _console()
            _print(console, papers_table(listing.papers, listing.query, width=console.width))
    elif out.format == "json" and out.path is None:
        _print_json([p.to_json() for p in listing.papers])
    else:
        from papercli.export import Meta, render

        text = render(out.format, listing.papers, Meta.of(listing), abstracts=out.abstracts)
        _write_output(text, out, what)
    if not listing.papers:
        if listing.fresh == 0 and listing.total:
            _stderr(
                f"Nothing new in {listing.heading} "
                f"({_plural(listing.total, 'paper')}, all shown before)."
            )
        elif listing.fresh:
            _stderr(f"No new papers match (of {listing.fresh} new in {listing.heading}).")
        elif listing.total:
            _stderr(f"No papers match (of {listing.total} in {listing.heading}).")
        else:
            _stderr(f"No papers in {listing.heading}.")


def _print(console: Console, renderable: Any) -> None:
    """Print to a terminal as is; elsewhere plain lines without Rich's trailing padding."""
    if console.is_terminal:
        console.print(renderable)
        return
    with console.capture() as capture:
        console.print(renderable)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in capture.get().splitlines()))


def _show_listing(application: App, listing: Listing, out: Any) -> None:
    """Print a listing, then remember its papers as seen (for --new)."""
    _emit_listing(listing, out)
    application.mark_seen(listing.papers)


def _day_option(text: str | None, name: str) -> Any:
    import datetime as dt

    from papercli.dates import parse_day

    if text is None:
        return None
    try:
        return parse_day(text, dt.date.today())
    except UsageError as exc:
        raise UsageError(f"{name}: {exc.message}") from None


def _day_range(since: str | None, until: str | None) -> tuple[Any, Any]:
    """--since and --until as days; the first after the second is a usage error."""
    first, last = _day_option(since, "--since"), _day_option(until, "--until")
    if first is not None and last is not None and first > last:
        raise UsageError(f"--since {first} is after --until {last}.")
    return first, last


def _run(func: Callable[[App], None]) -> None:
    application = _app()
    try:
        func(application)
    finally:
        application.close()


# --- commands ----------------------------------------------------------------------
def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"papers {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Hugging Face Daily Papers and arXiv listings in the terminal, cached locally."""


@app.command(cls=QueryCommand)
@handle_errors
@output_params
def today(
    query: QueryArg = None,
    sort: SortOpt = Sort.upvotes,
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
    *,
    out: Output,
) -> None:
    """Today's papers (or the latest day before today that has some).

    Examples: papers today | papers today mini-batch | papers today "diffusion model" --has-code
    | papers today --source arxiv -c cs.LG -c cs.CL | papers today --source all --include-hf
    | papers today --new
    """
    filters = _filters(
        query, sort=sort, limit=limit, min_upvotes=min_upvotes, has_code=has_code, new=new
    )

    def run(a: App) -> None:
        listing = a.source_listing(
            None,
            source.value if source else None,
            filters,
            categories=category,
            replacements=replacements,
            include_hf=include_hf,
            offline=offline,
            refresh=refresh,
        )
        _show_listing(a, listing, out)

    _run(run)


@app.command("list", cls=QueryCommand)
@handle_errors
@output_params
def list_(
    query: QueryArg = None,
    date: Annotated[
        str | None, typer.Option("--date", "-d", help="A day: YYYY-MM-DD, today or yesterday.")
    ] = None,
    week: Annotated[str | None, typer.Option("--week", "-w", help="An ISO week: 2025-W28.")] = None,
    month: Annotated[str | None, typer.Option("--month", "-m", help="A month: 2025-07.")] = None,
    sort: SortOpt = Sort.upvotes,
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
    """
    import datetime as dt

    from papercli.dates import period_from_options

    filters = _filters(
        query, sort=sort, limit=limit, min_upvotes=min_upvotes, has_code=has_code, new=new
    )
    period = period_from_options(date, week, month, dt.date.today())

    def run(a: App) -> None:
        listing = a.source_listing(
            period,
            source.value if source else None,
            filters,
            categories=category,
            replacements=replacements,
            include_hf=include_hf,
            offline=offline,
            refresh=refresh,
        )
        _show_listing(a, listing, out)

    _run(run)


@app.command()
@handle_errors
@output_params
def show(
    paper_id: Annotated[str, typer.Argument(metavar="ID", help="arXiv id or paper URL.")],
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

    Examples: papers show 2308.04079 | papers show https://arxiv.org/abs/2308.04079v2 --json
    | papers show 2507.11001 --highlight mini-batch
    """
    from papercli.query import Query

    marked = Query.parse(highlight, strict=True) if highlight else None

    def run(a: App) -> None:
        paper = a.show(paper_id, offline=offline, refresh=refresh)
        _emit_paper(paper, out, marked)

    _run(run)


def _emit_paper(paper: Paper, out: Output | bool, query: Query | None = None) -> None:
    if isinstance(out, bool):
        out = Output("json" if out else "table")
    if out.format == "table":
        from papercli.render import paper_detail

        if out.path is None:
            _print(_console(), paper_detail(paper, query))
        else:
            _write_output(_plain_text(paper_detail(paper, query)), out, f"paper {paper.id}")
        return
    if out.format == "json":
        from papercli.text import json_terminal_safe

        text = json_terminal_safe(json.dumps(paper.to_json(), ensure_ascii=False, indent=2))
        text += "\n"
    else:
        from papercli.export import Meta, render

        meta = Meta(heading=f"Paper {paper.id}", source=",".join(paper.sources))
        text = render(out.format, [paper], meta, abstracts=out.abstracts)
    _write_output(text, out, f"paper {paper.id}")


OFFLINE_SEARCH_LIMIT = 100


@app.command(cls=QueryCommand)
@handle_errors
@output_params
def search(
    query: Annotated[list[str], typer.Argument(help="What to search for.", show_default=False)],
    sort: Annotated[
        Sort | None,
        typer.Option(
            "--sort", help="Order: relevance (default online), date (default --offline), upvotes."
        ),
    ] = None,
    limit: LimitOpt = None,
    min_upvotes: MinUpvotesOpt = None,
    has_code: HasCodeOpt = False,
    source: SourceOpt = None,
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Search every cached listing of every source instead."),
    ] = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    new: NewOpt = False,
    *,
    out: Output,
) -> None:
    """Search Hugging Face papers, arXiv with --source arxiv, or (--offline) every cached
    listing with the full query language (at most 100 papers unless --limit says otherwise).

    Examples: papers search llama 3 herd --limit 5
    | papers search '"diffusion model" distillation' --source arxiv --limit 20
    | papers search --offline -- 'mini-batch OR "large batch" -author:smith' --since 2025-01-01
    """
    ordered = sort or (Sort.date if offline else Sort.relevance)
    try:
        filters = _filters(
            query, sort=ordered, limit=limit, min_upvotes=min_upvotes, has_code=has_code, new=new
        )
    except UsageError:
        if offline:
            raise
        # Online, the words go to the remote service as they are; the local query
        # language only highlights matches, so words it cannot parse just do not.
        filters = _filters(
            None, sort=ordered, limit=limit, min_upvotes=min_upvotes, has_code=has_code, new=new
        )
    filters.since, filters.until = _day_range(since, until)
    if offline:
        if limit is None:
            filters.limit = OFFLINE_SEARCH_LIMIT

        def run(a: App) -> None:
            listing = a.local_search(filters)
            _emit_listing(listing, out)
            if listing.more and limit is None:
                _stderr(f"Showing the first {filters.limit} matches; use --limit N to see more.")

        _run(run)
        return
    chosen = source.value if source else None
    _run(lambda a: _emit_listing(a.search(_query_text(query), filters, chosen), out))


# --- email digest ---------------------------------------------------------------------
DIGEST_NOTHING_NEW = 3  # like papers watch run: a cron job can tell "nothing new" apart


@app.command()
@handle_errors
def digest(
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="[NAME]...", help="Watch rules (default: all).", show_default=False),
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", metavar="ADDRESS", help="Recipient (default: [email] to).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the message; send nothing, mark nothing.")
    ] = False,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Consider papers listed from this day (default: 7 days ago)."),
    ] = None,
) -> None:
    """Email the new matches of watch rules as one message. Exit status: 0 sent (or
    --dry-run), 3 nothing new (no email), 1 error (nothing marked as reported), 2 usage.

    Examples: papers digest --dry-run | papers digest minibatch diffusion --to me@example.org
    """
    nothing_new = False
    first = _day_option(since, "--since")

    def run(a: App) -> None:
        nonlocal nothing_new
        from papercli import mail

        config = mail.SmtpConfig.from_settings(a.settings)
        if to is not None:
            mail.check_addresses(to, "to", from_config=False)
        groups, mark_reported = _watch_news(a, names or [], since=first)
        result = mail.run_digest(
            groups, config, day=a.today, mark_reported=mark_reported, to=to, dry_run=dry_run
        )
        rules = ", ".join(names or a.settings.watches) or "your watch rules"
        if result.message is None:
            nothing_new = True
            _stderr(f"No new papers for {rules}; no email sent.")
        elif dry_run:
            sys.stdout.write(mail.preview(result.message))
            _stderr(f"Dry run: {result.papers} new papers; nothing sent or marked as reported.")
        else:
            _stderr(f"Sent {result.papers} new papers to {result.message['To']}.")

    _run(run)
    if nothing_new:
        raise typer.Exit(DIGEST_NOTHING_NEW)


def _watch_news(
    a: App, names: list[str], since: Any = None
) -> tuple[dict[str, list[Paper]], Callable[..., None]]:
    """The new matches of the watch rules ``names`` (all when empty), and the callback
    that marks them reported: the one place that connects the digest to the watch
    rules' "new since last time" state (``papercli.watch``: ``select_rules``,
    ``new_matches``, ``mark_reported``)."""
    try:
        from papercli import watch
    except ImportError:  # the watch state is on another branch until it lands
        watches = a.settings.watches
        unknown = [n for n in names if n not in watches]
        if unknown:
            raise UsageError(f"No watch rule named {unknown[0]!r}.") from None
        raise PapersError("papers digest needs the watch rules' state (papercli.watch).") from None
    results = watch.new_matches(a, watch.select_rules(a, names), since=since)
    groups = {r.rule.name: list(r.new) for r in results}

    def mark_reported(sent: Any) -> None:
        watch.mark_reported(a, [r for r in results if r.rule.name in sent])

    return groups, mark_reported


@app.command("open")
@handle_errors
def open_(
    paper_id: Annotated[str, typer.Argument(metavar="ID", help="arXiv id or paper URL.")],
    pdf: Annotated[bool, typer.Option("--pdf", help="Open the arXiv PDF.")] = False,
    arxiv: Annotated[
        bool, typer.Option("--arxiv", help="Open the arXiv abstract page, not Hugging Face's.")
    ] = False,
) -> None:
    """Open a paper's page in the web browser (the URL is also printed).

    Without a browser, the URL is printed and the exit status is still 0.
    Examples: papers open 2308.04079 | papers open 2308.04079 --pdf
    """
    from papercli import browse

    if pdf and arxiv:
        raise UsageError("Give --pdf or --arxiv, not both.")

    if not (pdf or arxiv):
        # A paper papercli knows only from arXiv has no Hugging Face page to open.
        application = _app()
        try:
            arxiv = application.cached_elsewhere_than_hf(paper_id)
        finally:
            application.close()
    url = browse.paper_url(paper_id, pdf=pdf, arxiv=arxiv)
    sys.stdout.write(url + "\n")
    sys.stdout.flush()
    if not browse.open_in_browser(url):
        _stderr("No web browser could be started; open the URL above yourself.")


# --- cache and config ------------------------------------------------------------------
@cache_app.command("info")
@handle_errors
def cache_info() -> None:
    """How many files the cache holds, and how large it is. Example: papers cache info"""
    from papercli import config
    from papercli.cache import Cache

    settings = config.load()
    stats = Cache(settings.cache_dir, _stderr).stats()
    out = sys.stdout
    out.write(f"Cache folder: {settings.cache_dir}\n")
    out.write(f"Files: {stats['files']} ({stats['bytes'] / 1e6:.1f} MB)\n")
    for source, count in sorted(stats["by_source"].items()):
        out.write(f"  {source}: {count}\n")
    if stats["set_aside"]:
        out.write(f"Set-aside (unreadable) files: {stats['set_aside']}\n")


@cache_app.command("path")
@handle_errors
def cache_path() -> None:
    """Print the cache folder. Example: ls "$(papers cache path)" """
    from papercli import config

    sys.stdout.write(f"{config.paths()[1]}\n")


@cache_app.command("clear")
@handle_errors
def cache_clear(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete every cached listing. Example: papers cache clear --yes"""
    from papercli import config
    from papercli.cache import Cache

    settings = config.load()
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("Refusing to clear the cache without --yes (no terminal to ask).")
        typer.confirm(f"Delete every file in {settings.cache_dir}?", abort=True)
    removed = Cache(settings.cache_dir, _stderr).clear()
    _stderr(f"Removed {removed} cache files.")


@config_app.command("path")
@handle_errors
def config_path() -> None:
    """Print where the configuration file is (or would be). Example: papers config path"""
    from papercli import config

    sys.stdout.write(f"{config.paths()[0]}\n")


@config_app.command("init")
@handle_errors
def config_init(
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented configuration file with every default. Example: papers config init"""
    from papercli import config
    from papercli.cache import atomic_write_text

    path = config.paths()[0]
    if path.is_dir():
        raise PapersError(f"{path} is a folder, not a configuration file.")
    if path.exists() and not force:
        raise PapersError(f"{path} already exists; use --force to overwrite it.")
    try:
        atomic_write_text(path, config.default_config_text())
    except OSError as exc:
        raise PapersError(f"{path}: cannot be written: {exc.strerror or exc}.") from None
    _stderr(f"Wrote {path}")


@config_app.command("show")
@handle_errors
def config_show() -> None:
    """Print the configuration in effect (file, defaults, env). Example: papers config show"""
    import tomli_w

    from papercli import config

    settings = config.load()
    nested: dict[str, Any] = {}
    for section, values in settings.values.items():
        if section.startswith("sources."):
            nested.setdefault("sources", {})[section.split(".", 1)[1]] = values
        else:
            nested[section] = values
    if settings.watches:
        nested["watch"] = {
            name: {k: v for k, v in vars_of(rule).items() if v not in (None, ())}
            for name, rule in settings.watches.items()
        }
    path = settings.config_path
    where = "" if path.exists() else " (no such file: defaults and environment only)"
    sys.stdout.write(f"# {path}{where}\n")
    for (section, key), env in config.ENV_URLS.items():
        if os.environ.get(env):
            sys.stdout.write(f"# {env} is set: it gives [{section}] {key}\n")
    sys.stdout.write(tomli_w.dumps(nested))


# --- sync, watch, trends -----------------------------------------------------------------
def _sources(source: Source | None, settings_default: str) -> list[str]:
    value = source.value if source is not None else settings_default
    return ["hf", "arxiv"] if value == "all" else [value]


@app.command()
@handle_errors
def sync(
    since: SinceOpt = None,
    until: UntilOpt = None,
    source: Annotated[
        Source | None,
        typer.Option("--source", help="Which source (default: [display] default_source)."),
    ] = None,
) -> None:
    """Fetch and cache every listing of a range of days (default: the last 30), so that
    search, trends and watch rules work offline. Rerunning fetches only what is missing.
    arXiv: each past day's submissions (export API) for [sources.arxiv] categories and
    the watch rules' categories, one request at a time, plus the latest announcement.

    Examples: papers sync --since 2025-01-01 | papers sync --since 2025-07-01 --until 2025-07-31
    | papers sync --source arxiv --since 2026-05-01
    """
    import datetime as dt

    from papercli.sync import sync as run_sync

    today = dt.date.today()
    first = _day_option(since, "--since") or today - dt.timedelta(days=30)
    last = _day_option(until, "--until") or today

    def run(a: App) -> None:
        sources = _sources(source, a.settings.get("display", "default_source"))
        with _progress() as progress:
            report = run_sync(a, sources, first, last, progress)

        _stderr(
            f"Synced {first} to {last}: {_plural(len(report.fetched), 'listing')} fetched, "
            f"{len(report.cached)} already cached"
            + (
                f", {len(report.failed) - report.not_tried} failed"
                if len(report.failed) > report.not_tried
                else ""
            )
            + (f", {report.not_tried} not tried" if report.not_tried else "")
            + "."
        )
        if report.failed:
            names = ", ".join(what for what, _ in report.failed[:3])
            more = f" and {len(report.failed) - 3} more" if len(report.failed) > 3 else ""
            raise PapersError(
                f"{_plural(len(report.failed), 'listing')} could not be fetched ({names}{more}); "
                "run papers sync again."
            )

    _run(run)


class _progress:
    """A Rich progress bar on stderr when it is a terminal; otherwise nothing."""

    def __enter__(self) -> Callable[[int, int, str], None] | None:
        self._bar: Any = None
        if not sys.stderr.isatty():
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._bar = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            console=_console(stderr=True),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("Syncing", total=None)
        return self._update

    def _update(self, done: int, total: int, what: str) -> None:
        self._bar.update(self._task, completed=done, total=total, description=what)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


@watch_app.command("add", cls=QueryCommand)
@handle_errors
def watch_add(
    name: Annotated[str, typer.Argument(help="A name: letters, digits, '-' and '_'.")],
    query: Annotated[str, typer.Argument(help="The query (quote it).")],
    source: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="hf, arxiv or all (repeatable)."),
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option("--category", "-c", help="arXiv category or archive (repeatable)."),
    ] = None,
    min_upvotes: MinUpvotesOpt = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace a rule of that name.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Save the rule even with an arXiv category papercli "
            "does not know (one arXiv added recently).",
        ),
    ] = False,
) -> None:
    """Save a watch rule in the configuration file (comments and order are kept).
    An arXiv category papercli does not know is refused (a typo?) unless --force.

    Example: papers watch add minibatch 'mini-batch OR "large batch"' --min-upvotes 5
    """
    from papercli import config
    from papercli.config import WatchRule
    from papercli.watch import add_rule

    path = config.paths()[0]
    sources = [x for s in source or () for x in (("hf", "arxiv") if s == "all" else (s,))]
    rule = WatchRule(name, query, tuple(dict.fromkeys(sources)), tuple(category or ()), min_upvotes)
    add_rule(path, rule, replace=replace, force=force)
    _stderr(f"Saved watch rule {name!r} in {path}")


@watch_app.command("list")
@handle_errors
def watch_list(json_: JsonOpt = False) -> None:
    """The watch rules in the configuration file. Example: papers watch list"""
    from papercli import config

    settings = config.load()
    rules = [{"name": n, **vars_of(r)} for n, r in settings.watches.items()]
    if json_:
        _print_json(rules)
        return
    if not rules:
        _stderr(f"No watch rules in {settings.config_path}.")
        return
    for rule in rules:
        extras = []
        if rule["sources"]:
            extras.append("sources: " + ", ".join(rule["sources"]))
        if rule["categories"]:
            extras.append("categories: " + ", ".join(rule["categories"]))
        if rule["min_upvotes"] is not None:
            extras.append(f"min upvotes: {rule['min_upvotes']}")
        tail = f"  ({'; '.join(extras)})" if extras else ""
        sys.stdout.write(f"{rule['name']}: {rule['query']}{tail}\n")


@watch_app.command("rm")
@handle_errors
def watch_rm(name: Annotated[str, typer.Argument(help="The rule to remove.")]) -> None:
    """Remove a watch rule (and what it reported). Example: papers watch rm minibatch"""
    from papercli import config
    from papercli.state import State
    from papercli.watch import remove_rule

    settings = config.load()
    remove_rule(settings.config_path, name)
    State(settings.state_dir, _stderr).forget_rule(name)
    _stderr(f"Removed watch rule {name!r}.")


WATCH_NOTHING_NEW = 3


@watch_app.command("run")
@handle_errors
@output_params
def watch_run(
    names: Annotated[
        list[str] | None, typer.Argument(help="Rules to run (default: all).", show_default=False)
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Show papers reported before too.")] = False,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Consider papers listed from this day (default: 7 days ago)."),
    ] = None,
    offline: OfflineOpt = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Do not remember the papers as reported.")
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No notes on stderr, only warnings and errors (for cron)."
        ),
    ] = False,
    *,
    out: Output,
) -> None:
    """Fetch what the rules need, print the papers each matches that were not reported
    before, and remember them. Exit status: 0 new papers, 3 nothing new, 1 error, 2 usage.
    With -o FILE the file is always written (a valid document, empty when nothing
    matched), and the papers count as reported only once it is.

    Examples: papers watch run | papers watch run minibatch --all | papers watch run --json
    | papers watch run diffusion --all -q --format atom -o ~/public/diffusion.atom --force
    """
    from papercli.watch import mark_reported, new_matches, select_rules

    first = _day_option(since, "--since")
    found_new = False

    def run(a: App) -> None:
        nonlocal found_new
        rules = select_rules(a, names)
        results = new_matches(a, rules, since=first, include_seen=all_, fetch=not offline)
        found_new = any(r.new for r in results)
        for r in results if not quiet else ():
            count = f"{len(r.new)} new" + (f", {len(r.papers)} shown" if all_ else "")
            _stderr(f"Watch {r.rule.name}: {count}.")
        _emit_watch(results, out, quiet=quiet)
        if not dry_run:  # only once the papers were printed or written
            mark_reported(a, results)

    _run(run)
    if not found_new:
        raise typer.Exit(WATCH_NOTHING_NEW)


def _emit_watch(results: list[Any], out: Output, *, quiet: bool = False) -> None:
    """``papers watch run``'s results: a table per rule, or one export document."""
    if out.format == "json" and out.path is None:
        from papercli.watch import results_json

        _print_json(results_json(results))
        return
    shown = {p.id for r in results for p in r.papers}
    new = {p.id for r in results for p in r.new}
    what = f"{len(shown)} paper{'s' if len(shown) != 1 else ''} ({len(new)} new)"
    if out.format != "table":
        from papercli.watch import export_text

        text = export_text(results, out.format, abstracts=out.abstracts)
        _write_output(text, out, what, quiet=quiet)
        return
    from rich.console import Group
    from rich.text import Text

    from papercli.query import Query
    from papercli.render import papers_table

    console = _console()
    width = 120 if out.path is not None else console.width
    blocks: list[Any] = []
    for r in results:
        if r.papers:
            blocks.append(Text(f"{r.rule.name}: {r.rule.query}", style="bold"))
            marked = Query.parse(r.rule.query) if out.path is None else None
            blocks.append(papers_table(r.papers, marked, width=width))
    if out.path is not None:
        _write_output(_plain_text(Group(*blocks)) if blocks else "", out, what, quiet=quiet)
    else:
        for block in blocks:
            _print(console, block)


class By(StrEnum):
    day = "day"
    week = "week"
    month = "month"


@app.command(cls=QueryCommand)
@handle_errors
def trends(
    query: QueryArg = None,
    by: Annotated[By, typer.Option("--by", help="Period of each bar.")] = By.month,
    since: SinceOpt = None,
    until: UntilOpt = None,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON instead of a chart.")] = False,
) -> None:
    """How many cached papers match a query per day, week or month, as a bar chart,
    with the top organizations and AI keywords among them.

    Examples: papers trends "diffusion model" --by month | papers trends agent --since 2025-01-01
    """
    from papercli.query import Query
    from papercli.trends import trends as compute_trends

    parsed = Query.parse(_query_text(query), strict=True)
    first, last = _day_range(since, until)

    def run(a: App) -> None:
        result = compute_trends(a.cache, parsed, by.value, first, last)  # type: ignore[arg-type]
        if json_:
            _print_json(result.to_json())
            return
        if not result.total:
            _stderr("No cached papers match (run papers sync to fetch more history).")
            return
        from papercli.render import trends_chart

        console = _console()
        _print(console, trends_chart(result, width=console.width))

    _run(run)


def vars_of(rule: Any) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(rule)
    data.pop("name", None)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def main() -> None:
    """Console-script entry point."""
    from papercli.clitree import command

    command(app)(prog_name="papers")
