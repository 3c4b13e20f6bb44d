"""The command line: parse arguments, call one core function, hand the result to output.

Every :class:`~papercli.errors.PapersError` becomes one line on stderr and an
exit status (1 for failures, 2 for usage errors); nothing shows a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from papercli import __version__
from papercli.errors import PapersError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from papercli.core import App, Filters, Listing
    from papercli.models import Paper

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
cache_app = typer.Typer(help="Inspect or clear the local cache.", no_args_is_help=True)
config_app = typer.Typer(help="Create and inspect the configuration file.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")
app.add_typer(config_app, name="config")


class Sort(StrEnum):
    upvotes = "upvotes"
    date = "date"
    title = "title"
    relevance = "relevance"


# --- shared options -------------------------------------------------------------
QueryArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Words that must all appear in the title or abstract (a quoted phrase is one term).",
        show_default=False,
    ),
]
SortOpt = Annotated[Sort, typer.Option("--sort", help="Order of the papers.")]
LimitOpt = Annotated[
    int | None, typer.Option("--limit", "-n", min=0, help="Show at most N papers.")
]
MinUpvotesOpt = Annotated[
    int | None, typer.Option("--min-upvotes", min=0, help="Only papers with at least N upvotes.")
]
HasCodeOpt = Annotated[bool, typer.Option("--has-code", help="Only papers with a code repository.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON array instead of a table.")]
OfflineOpt = Annotated[bool, typer.Option("--offline", help="Use the cache only; no network.")]
RefreshOpt = Annotated[bool, typer.Option("--refresh", help="Ignore the cache and fetch again.")]


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

    return Console(stderr=stderr, highlight=False, markup=False, emoji=False)


def _query_text(words: list[str] | None) -> str:
    return " ".join(words or [])


def _filters(
    query: list[str] | None,
    *,
    sort: Sort,
    limit: int | None,
    min_upvotes: int | None,
    has_code: bool,
) -> Filters:
    from papercli.core import Filters
    from papercli.query import Query

    return Filters(
        query=Query.parse(_query_text(query)),
        min_upvotes=min_upvotes,
        has_code=has_code,
        sort=sort.value,  # type: ignore[arg-type]
        limit=limit,
    )


def _print_json(data: Any) -> None:
    from papercli.text import json_terminal_safe

    sys.stdout.write(json_terminal_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")
    sys.stdout.flush()


def _emit_listing(listing: Listing, as_json: bool) -> None:
    if as_json:
        _print_json([p.to_json() for p in listing.papers])
    else:
        from papercli.render import papers_table

        console = _console()
        if listing.papers:
            _print(console, papers_table(listing.papers, listing.query, width=console.width))
    if not listing.papers:
        if listing.total:
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


@app.command()
@handle_errors
def today(
    query: QueryArg = None,
    sort: SortOpt = Sort.upvotes,
    limit: LimitOpt = None,
    min_upvotes: MinUpvotesOpt = None,
    has_code: HasCodeOpt = False,
    json_: JsonOpt = False,
    offline: OfflineOpt = False,
    refresh: RefreshOpt = False,
    source: SourceOpt = None,
    category: CategoryOpt = None,
    replacements: ReplacementsOpt = False,
    include_hf: IncludeHfOpt = False,
) -> None:
    """Today's papers (or the latest day before today that has some).

    Examples: papers today | papers today mini-batch | papers today "diffusion model" --has-code
    | papers today --source arxiv -c cs.LG -c cs.CL | papers today --source all --include-hf
    """
    filters = _filters(query, sort=sort, limit=limit, min_upvotes=min_upvotes, has_code=has_code)

    def run(a: App) -> None:
        listing = a.today_listing(
            source.value if source else None,
            filters,
            categories=category,
            replacements=replacements,
            include_hf=include_hf,
            offline=offline,
            refresh=refresh,
        )
        _emit_listing(listing, json_)

    _run(run)


@app.command("list")
@handle_errors
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
    json_: JsonOpt = False,
    offline: OfflineOpt = False,
    refresh: RefreshOpt = False,
) -> None:
    """The papers of any day, ISO week or month.

    Examples: papers list --date yesterday | papers list --week 2025-W28 agents
    | papers list -m 2025-07
    """
    import datetime as dt

    from papercli.dates import period_from_options

    filters = _filters(query, sort=sort, limit=limit, min_upvotes=min_upvotes, has_code=has_code)
    period = period_from_options(date, week, month, dt.date.today())
    _run(
        lambda a: _emit_listing(a.listing(period, filters, offline=offline, refresh=refresh), json_)
    )


@app.command()
@handle_errors
def show(
    paper_id: Annotated[str, typer.Argument(metavar="ID", help="arXiv id or paper URL.")],
    json_: JsonOpt = False,
    offline: OfflineOpt = False,
    refresh: RefreshOpt = False,
) -> None:
    """One paper in full: authors, links, abstract, AI summary and keywords.

    Examples: papers show 2308.04079 | papers show https://arxiv.org/abs/2308.04079v2 --json
    """

    def run(a: App) -> None:
        paper = a.show(paper_id, offline=offline, refresh=refresh)
        _emit_paper(paper, json_)

    _run(run)


def _emit_paper(paper: Paper, as_json: bool) -> None:
    if as_json:
        _print_json(paper.to_json())
        return
    from papercli.render import paper_detail

    _print(_console(), paper_detail(paper))


@app.command()
@handle_errors
def search(
    query: Annotated[list[str], typer.Argument(help="What to search for.", show_default=False)],
    sort: SortOpt = Sort.relevance,
    limit: LimitOpt = None,
    min_upvotes: MinUpvotesOpt = None,
    has_code: HasCodeOpt = False,
    json_: JsonOpt = False,
    source: SourceOpt = None,
) -> None:
    """Search Hugging Face papers, or arXiv with --source arxiv.

    Examples: papers search llama 3 herd --limit 5
    | papers search '"diffusion model" distillation' --source arxiv --limit 20
    """
    filters = _filters(query, sort=sort, limit=limit, min_upvotes=min_upvotes, has_code=has_code)
    chosen = source.value if source else None
    _run(lambda a: _emit_listing(a.search(_query_text(query), filters, chosen), json_))


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
    if path.exists() and not force:
        raise PapersError(f"{path} already exists; use --force to overwrite it.")
    atomic_write_text(path, config.default_config_text())
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
    sys.stdout.write(f"# {settings.config_path}\n")
    sys.stdout.write(tomli_w.dumps(nested))


def vars_of(rule: Any) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(rule)
    data.pop("name", None)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def main() -> None:
    """Console-script entry point."""
    app(prog_name="papers")
