"""Options shared by the commands, declared once: queries, sorting, filters, sources,
dates and the output options (--json, --format, -o, --force, --abstracts)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer

from papercli import export
from papercli.choices import SortKey, Source
from papercli.errors import UsageError
from papercli.ui.output import output_options

if TYPE_CHECKING:
    from papercli.core.listing import Filters

F = TypeVar("F", bound=Callable[..., Any])


# Choices are Literal types, not enums: Typer offers them alike, and an enum class costs
# start-up (about 0.2 ms each) where a Literal costs nothing.
Sort = SortKey


# --- shell completion of values (run only while completing: papers completion) ---------
def complete_category(incomplete: str) -> list[str]:
    """arXiv categories and archives starting with what was typed (any case)."""
    from papercli.arxiv_taxonomy import ARCHIVES, CATEGORIES

    typed = incomplete.lower()
    return sorted(n for n in {*CATEGORIES, *ARCHIVES} if n.lower().startswith(typed))


def complete_rule(incomplete: str) -> list[str]:
    """The names of the watch rules in the configuration file."""
    from papercli import config

    try:
        names = list(config.load().watches)
    except Exception:  # a broken file completes nothing; the command will say why
        return []
    return [n for n in names if n.startswith(incomplete)]


# --- shared options -------------------------------------------------------------
QueryArg = Annotated[
    list[str] | None,
    typer.Argument(
        help='A query: words that must all match the title or abstract, "phrases", '
        "OR, -word, fields such as title:, au:, cat: (see: papers help queries).",
        show_default=False,
    ),
]
SortOpt = Annotated[
    Sort,
    typer.Option(
        "--sort",
        help="Order of the papers: upvotes (most first), date (the day the paper was "
        "listed, newest first, then its arXiv date), title, relevance, for-you (learned "
        "from your likes, dislikes and saves).",
    ),
]
LimitOpt = Annotated[
    int | None,
    typer.Option("--limit", "-n", min=1, metavar="N", help="Show at most N papers."),
]
MinUpvotesOpt = Annotated[
    int | None,
    typer.Option("--min-upvotes", min=0, metavar="N", help="Only papers with at least N upvotes."),
]
HasCodeOpt = Annotated[bool, typer.Option("--has-code", help="Only papers with a code repository.")]
SubmitterOpt = Annotated[
    str | None,
    typer.Option(
        "--submitter",
        metavar="NAME",
        help="Only papers submitted to Hugging Face Daily Papers by NAME (the account "
        "name, e.g. akhaliq, or the display name).",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
OfflineOpt = Annotated[bool, typer.Option("--offline", help="Use the cache only; no network.")]
RefreshOpt = Annotated[bool, typer.Option("--refresh", help="Ignore the cache and fetch again.")]
NewOpt = Annotated[
    bool, typer.Option("--new", help="Only papers not seen in any listing shown before.")
]
DateOpt = Annotated[
    str | None, typer.Option("--date", "-d", help="A day: YYYY-MM-DD, today or yesterday.")
]
WeekOpt = Annotated[str | None, typer.Option("--week", "-w", help="An ISO week: 2025-W28.")]
MonthOpt = Annotated[str | None, typer.Option("--month", "-m", help="A month: 2025-07.")]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help="From this day on (YYYY-MM-DD, today, yesterday).")
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help="Up to this day (YYYY-MM-DD, today, yesterday).")
]


# The export formats come from their registry (papercli.export, light: no writer loads).
Format = Literal[("table", *export.names())]  # type: ignore[valid-type]

FormatOpt = Annotated[
    Format | None,  # type: ignore[valid-type]
    typer.Option(
        "--format",
        help="Output format. table: a table (the default). "
        + " ".join(f"{name}: {text}." for name, _, text in export.describe())
        + " With -o FILE and no --format, the file's ending chooses (papers help formats).",
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
NoPagerOpt = Annotated[
    bool,
    typer.Option(
        "--no-pager",
        help="Print everything at once, even when longer than the screen "
        "([display] pager = false: always).",
    ),
]


BibEncoding = Literal["latex", "utf8"]


BibEncodingOpt = Annotated[
    BibEncoding | None,
    typer.Option(
        "--bib-encoding",
        help="With --format bib: latex (accents and math that pdflatex typesets) or utf8 "
        "(for biber with XeLaTeX or LuaLaTeX). Default: [export] bibtex_encoding.",
        show_default=False,
    ),
]
FeedUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--feed-url",
        help='With --format atom: the public URL of the feed (its rel="self" link). '
        "Default: [export] feed_base_url and the -o file's name.",
        metavar="URL",
        show_default=False,
    ),
]


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
        autocompletion=complete_category,
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


def query_text(words: list[str] | None) -> str:
    for word in words or []:
        if word.startswith("--") and len(word) > 2:
            # After "--" everything is query text; an option there is surely a slip.
            raise UsageError(
                f"{word!r} looks like an option inside the query: put options before '--' "
                "(papers COMMAND --limit 5 -- diffusion -video)."
            )
    return " ".join(words or [])


def filters(
    query: list[str] | None,
    *,
    sort: Sort,
    limit: int | None,
    min_upvotes: int | None,
    has_code: bool,
    new: bool = False,
    submitter: str | None = None,
) -> Filters:
    from papercli.core.listing import Filters
    from papercli.query import Query

    return Filters(
        query=Query.parse(query_text(query), strict=True),
        min_upvotes=min_upvotes,
        has_code=has_code,
        sort=sort,
        limit=limit,
        new_only=new,
        submitter=submitter,
    )


_OUTPUT_PARAMS: tuple[tuple[str, Any, Any], ...] = (
    ("json_", JsonOpt, False),
    ("fmt", FormatOpt, None),
    ("output", OutputOpt, None),
    ("force", ForceOpt, False),
    ("abstracts", AbstractsOpt, False),
    ("no_pager", NoPagerOpt, False),
    ("bib_encoding", BibEncodingOpt, None),
    ("feed_url", FeedUrlOpt, None),
)


def output_params(func: F) -> F:
    """Give a command --json, --format, -o/--output, --force, --abstracts, --no-pager,
    --bib-encoding and --feed-url.

    The command declares ``out: Output`` instead; the options are checked and
    combined by :func:`papercli.ui.output.output_options` before the command runs (so
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
        no_pager: bool = False,
        bib_encoding: BibEncoding | None = None,
        feed_url: str | None = None,
        **kwargs: Any,
    ) -> Any:
        chosen = fmt
        encoding = bib_encoding
        out = output_options(
            chosen, json_, output, force, abstracts, encoding, feed_url, pager=not no_pager
        )
        return func(*args, out=out, **kwargs)

    params = [*kept, *added]
    wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    wrapper.__annotations__["return"] = signature.return_annotation
    return wrapper  # type: ignore[return-value]


def day_option(text: str | None, name: str) -> Any:
    import datetime as dt

    from papercli.dates import parse_day

    if text is None:
        return None
    try:
        return parse_day(text, dt.date.today())
    except UsageError as exc:
        raise UsageError(f"{name}: {exc.message}") from None


def day_range(since: str | None, until: str | None) -> tuple[Any, Any]:
    """--since and --until as days; the first after the second is a usage error."""
    first, last = day_option(since, "--since"), day_option(until, "--until")
    if first is not None and last is not None and first > last:
        raise UsageError(f"--since {first} is after --until {last}.")
    return first, last
