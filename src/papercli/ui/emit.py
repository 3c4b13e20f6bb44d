"""Hand a result to the reader: a listing, a paper or watch results, as a table on the
terminal, as JSON, or as an export document on stdout or in a file (``-o``)."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from papercli.ui.console import broken, console, plain_text, plural, quiet, say, show
from papercli.ui.output import Output

if TYPE_CHECKING:
    from papercli.core.listing import Listing
    from papercli.core.watch import RuleResult
    from papercli.models import Paper
    from papercli.query import Query


@contextlib.contextmanager
def delivered(what: str) -> Iterator[None]:
    """Output to stdout that must arrive whole before anything is remembered (watch run
    marks papers as reported only after this): a closed pipe (``| head -3``) or a
    failed write is an :class:`OutputError` saying ``what`` did not happen, not the
    quiet exit 0 of a listing."""
    from papercli.errors import OutputError

    try:
        yield
        sys.stdout.flush()
        failed = _reader_gone()
        problem = "the reader closed the pipe"
    except BrokenPipeError:
        failed, problem = True, "the reader closed the pipe"
    except OSError as exc:
        failed, problem = True, exc.strerror or str(exc)
    if failed:
        _silence_stdout()
        raise OutputError(f"Could not write everything to stdout ({problem}); {what}.")


def _reader_gone() -> bool:
    """True when stdout is a pipe whose reader has already gone away (POSIX)."""
    import os
    import select
    import stat

    try:
        fd = sys.stdout.fileno()
        if not stat.S_ISFIFO(os.fstat(fd).st_mode) or not hasattr(select, "poll"):
            return False
    except (AttributeError, ValueError, OSError):
        return False
    poller = select.poll()
    poller.register(fd, 0)  # POLLERR and POLLHUP are always reported
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def _silence_stdout() -> None:
    """Point stdout at the null device, so that the exit's flush fails no more."""
    import os

    try:
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except (AttributeError, ValueError, OSError):
        pass


def print_json(data: Any) -> None:
    from papercli.text import json_terminal_safe
    from papercli.ui.console import encodable

    document = json_terminal_safe(json.dumps(data, ensure_ascii=False, indent=2))
    sys.stdout.write(encodable(document, "json") + "\n")
    sys.stdout.flush()


def write_output(text: str | bytes, out: Output, what: str, *, silent: bool = False) -> None:
    from papercli.ui import output

    output.write(text, out, what, quiet if silent else say)


def listing(result: Listing, out: Output) -> str | None:
    """Print (or write) a listing in the chosen format, then say why it is empty if it is.

    Returns the caption when a numbered table went to stdout (its ranks are what
    ``papers show N`` takes), else None.
    """
    numbered = None
    what = plural(len(result.papers), "paper")
    if out.format == "table":
        from rich.text import Text

        from papercli.ui.caption import listing_caption
        from papercli.ui.table import papers_table

        caption = listing_caption(result)
        # Several days (a week, a month, a search, or a day's listing with Hugging Face
        # papers of the days after it, --include-hf): each paper's day in a column.
        days = result.period is None or result.period.kind != "day"
        from papercli.models import paper_day

        days = days or len({paper_day(p) for p in result.papers}) > 1
        if out.path is not None:
            table = papers_table(result.papers, None, width=120, days=days)
            write_output(caption + "\n" + plain_text(table if result.papers else ""), out, what)
        elif result.papers:
            from rich.console import Group

            screen = console()
            table = papers_table(result.papers, result.query, width=screen.width, days=days)
            # One line in a pipe; on a terminal, broken between words (not by the terminal).
            shown = broken(caption, screen.width) if screen.is_terminal else caption
            head = Text(shown, style="bold", no_wrap=True, overflow="ignore")
            show(screen, Group(head, table), paged=out.pager)
            numbered = caption
    elif out.format == "json" and out.path is None:
        from papercli.export.common import extras
        from papercli.export.jsonfmt import records

        print_json(records(result.papers, extras(result)))
    else:
        from papercli.export import Meta, render

        meta = _chosen(Meta.of(result), out)
        write_output(render(out.format, result.papers, meta, abstracts=out.abstracts), out, what)
    for note in result.notes:
        say(note)
    if not result.papers:
        say(empty_message(result))
    return numbered


def empty_message(result: Listing) -> str:
    """Why a listing shows nothing: nothing new, nothing matches, or nothing listed."""
    if result.fresh == 0 and result.total:
        return (
            f"Nothing new in {result.heading} ({plural(result.total, 'paper')}, all shown before)."
        )
    if result.fresh:
        return f"No new papers match (of {result.fresh} new in {result.heading})."
    if result.total:
        return f"No papers match (of {result.total} in {result.heading})."
    return f"No papers in {result.heading}."


def paper(found: Paper, out: Output, query: Query | None = None) -> None:
    """One paper in full, as a view on the terminal or in any format."""
    if out.format == "table":
        from papercli.ui.table import paper_detail

        if out.path is None:
            show(console(), paper_detail(found, query), paged=out.pager)
        else:
            write_output(plain_text(paper_detail(found, query)), out, f"paper {found.id}")
        return
    text: str | bytes
    if out.format == "json":
        from papercli.text import json_terminal_safe

        text = json_terminal_safe(json.dumps(found.to_json(), ensure_ascii=False, indent=2))
        text += "\n"
    else:
        from papercli.export import Meta, render

        meta = _chosen(Meta(heading=f"Paper {found.id}", source=",".join(found.sources)), out)
        text = render(out.format, [found], meta, abstracts=out.abstracts)
    write_output(text, out, f"paper {found.id}")


def watch_results(
    results: list[RuleResult], out: Output, *, silent: bool = False
) -> list[Paper] | None:
    """``papers watch run``'s results: a table per rule, or one export document.

    Returns the papers in the order of their ranks when numbered tables went to
    stdout (ranks run on from one rule's table to the next), else None.
    """
    if out.format == "json" and out.path is None:
        print_json(results_json(results))
        return None
    shown = {p.id for r in results for p in r.papers}
    new = {p.id for r in results for p in r.new}
    what = f"{plural(len(shown), 'paper')} ({len(new)} new)"
    if out.format != "table":
        text = export_text(
            results,
            out.format,
            abstracts=out.abstracts,
            bib_encoding=out.bib_encoding,
            feed_url=out.feed_url,
        )
        write_output(text, out, what, silent=silent)
        return None
    from rich.console import Group
    from rich.text import Text

    from papercli.query import Query
    from papercli.ui.caption import rule_caption
    from papercli.ui.table import papers_table

    screen = console()
    width = 120 if out.path is not None else screen.width
    blocks: list[Any] = []
    ranked: list[Paper] = []
    for r in results:
        if r.papers:
            caption = rule_caption(r)  # (as a listing's caption)
            shown = broken(caption, width) if out.path is None and screen.is_terminal else caption
            blocks.append(Text(shown, style="bold", no_wrap=True, overflow="ignore"))
            marked = Query.parse(r.rule.query) if out.path is None else None
            first = len(ranked) + 1
            blocks.append(papers_table(r.papers, marked, width=width, first=first, days=True))
            ranked += r.papers
    if out.path is not None:
        write_output(plain_text(Group(*blocks)) if blocks else "", out, what, silent=silent)
        return None
    if blocks:
        show(screen, Group(*blocks), paged=out.pager)
    return ranked or None


def results_json(results: list[RuleResult]) -> list[dict[str, object]]:
    """``papers watch run --json``: one object per rule (a paper may be in several)."""
    return [
        {
            "rule": r.rule.name,
            "query": r.rule.query,
            "new": [p.id for p in r.new],
            "papers": [p.to_json() for p in r.papers],
        }
        for r in results
    ]


def _chosen(meta: Any, out: Output) -> Any:
    """``meta`` with the reader's choices for the document (BibTeX's encoding, the feed's URL)."""
    import dataclasses

    return dataclasses.replace(meta, bib_encoding=out.bib_encoding, feed_url=out.feed_url)


def export_text(
    results: list[RuleResult],
    fmt: str,
    *,
    abstracts: bool = False,
    bib_encoding: str = "latex",
    feed_url: str | None = None,
) -> str | bytes:
    """The rules' papers as one document of ``fmt`` (an export format, not ``table``).

    ``json`` is :func:`results_json` and ``jsonl`` its objects one per line; the
    other formats hold every paper once (``export.render_groups``): Markdown with a
    section per rule when there are several, Atom with a category per matching rule.
    The feed id depends on the rule names (and, for one rule, its query) only.
    """
    import json

    from papercli import export
    from papercli.text import json_terminal_safe

    if fmt == "json":
        text = json.dumps(results_json(results), ensure_ascii=False, indent=2)
        return json_terminal_safe(text) + "\n"
    if fmt == "jsonl":
        return "".join(
            json_terminal_safe(json.dumps(item, ensure_ascii=False)) + "\n"
            for item in results_json(results)
        )
    names = [r.rule.name for r in results]
    heading = ("Watch rule " if len(names) == 1 else "Watch rules ") + ", ".join(names)
    query = results[0].rule.query if len(results) == 1 else ""
    meta = export.Meta(
        heading=heading, source="watch", query=query, bib_encoding=bib_encoding, feed_url=feed_url
    )
    groups = [export.Group(r.rule.name, r.rule.query, tuple(r.papers)) for r in results]
    return export.render_groups(fmt, groups, meta, abstracts=abstracts)
