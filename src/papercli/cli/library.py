"""The reader's own papers: ``like``, ``dislike``, ``unrate``, ``save``, ``unsave``,
``library``, ``why``, ``rank eval`` and ``import``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from papercli.cli.boundary import handle_errors, run
from papercli.cli.options import (
    HasCodeOpt,
    LimitOpt,
    MinUpvotesOpt,
    OfflineOpt,
    QueryArg,
    Sort,
    filters,
    output_params,
)
from papercli.cli.root import QueryCommand, app, rank_app
from papercli.errors import UsageError
from papercli.ui.console import plural, say
from papercli.ui.output import Output

if TYPE_CHECKING:
    from papercli.core.context import Context
    from papercli.core.ratings import Change

IdsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="ID...",
        help="arXiv ids, paper URLs, or N: the N-th paper of the last table shown.",
        show_default=False,
    ),
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", help="A tag (repeatable), e.g. --tag to-read.", show_default=False),
]


TITLED = 1  # papers rated or saved at once at most whose titles are said too
TITLE_CHARS = 60


def _said(change: Change, did: str, unchanged: str) -> None:
    from papercli.text import clean

    def named(paper_id: str) -> str:
        title = clean(change.titles.get(paper_id, ""))
        if len(title) > TITLE_CHARS:
            title = title[: TITLE_CHARS - 1].rstrip() + "…"
        # A few at a time (papers like 3: the third paper of the last table), by title.
        return f"{paper_id} ({title})" if title and len(change.ids) <= TITLED else paper_id

    ids = ", ".join(map(named, change.ids[:5])) + (
        f" and {len(change.ids) - 5} more" if len(change.ids) > 5 else ""
    )
    if change.changed and change.changed < len(change.ids):  # some were so already
        rest = unchanged[:1].lower() + unchanged[1:]
        say(f"{did} {change.changed} of {len(change.ids)} papers (the others {rest}): {ids}.")
    elif change.changed:
        say(f"{did} {plural(change.changed, 'paper')}: {ids}.")
    else:
        say(f"{unchanged}: {ids}.")
    if change.not_cached:
        say(
            f"Not cached yet: {', '.join(change.not_cached[:5])}; its text is fetched when "
            "the 'for you' order needs it."
        )


def _rate(ids: list[str], rating: str | None) -> Change:
    from papercli.core import ratings

    return run(lambda ctx: ratings.rate(ctx, ids, rating))  # type: ignore[arg-type]


@app.command()
@handle_errors
def like(paper_ids: IdsArg) -> None:
    """Like papers: the 'for you' order learns from them.

    Examples: papers like 2507.11001 | papers like 2507.11001 https://arxiv.org/abs/2401.00001
    """
    _said(_rate(paper_ids, "like"), "Liked", "Already liked")


@app.command()
@handle_errors
def dislike(paper_ids: IdsArg) -> None:
    """Dislike papers: the 'for you' order puts papers like them lower.

    Example: papers dislike 2507.11001
    """
    _said(_rate(paper_ids, "dislike"), "Disliked", "Already disliked")


@app.command()
@handle_errors
def unrate(paper_ids: IdsArg) -> None:
    """Take back a like or dislike. Example: papers unrate 2507.11001"""
    change = _rate(paper_ids, None)
    change.not_cached = []  # nothing to fetch for a rating taken back
    _said(change, "Took back the rating of", "Not rated")


@app.command()
@handle_errors
def save(paper_ids: IdsArg, tag: TagOpt = None) -> None:
    """Save papers to your library (a reading list), optionally tagged. Saving counts as a
    like for the 'for you' order unless the paper is disliked.

    Examples: papers save 2507.11001 | papers save 2507.11001 2507.10002 --tag to-read
    """
    from papercli.core import ratings

    change = run(lambda ctx: ratings.save(ctx, paper_ids, tag or []))
    tagged = f" (tagged {', '.join(tag)})" if tag else ""
    _said(change, f"Saved{tagged}", "Already saved")


@app.command()
@handle_errors
def unsave(paper_ids: IdsArg) -> None:
    """Remove papers from your library (their rating stays). Example: papers unsave 2507.11001"""
    from papercli.core import ratings

    _said(run(lambda ctx: ratings.unsave(ctx, paper_ids)), "Removed", "Not in the library")


@app.command(cls=QueryCommand)
@handle_errors
@output_params
def library(
    query: QueryArg = None,
    tag: Annotated[
        str | None, typer.Option("--tag", "-t", help="Only papers with this tag.")
    ] = None,
    liked: Annotated[bool, typer.Option("--liked", help="The papers you liked.")] = False,
    disliked: Annotated[bool, typer.Option("--disliked", help="The papers you disliked.")] = False,
    sort: Annotated[
        Sort | None,
        typer.Option("--sort", help="Order (default: most recently saved or rated first)."),
    ] = None,
    limit: LimitOpt = None,
    min_upvotes: MinUpvotesOpt = None,
    has_code: HasCodeOpt = False,
    offline: OfflineOpt = False,
    *,
    out: Output,
) -> None:
    """Your library: the saved papers (default), or those you liked or disliked, as any
    listing: filters, --json, --format md|bib|csv|..., -o FILE.

    Examples: papers library | papers library --tag to-read | papers library --liked --format bib
    -o liked.bib | papers library diffusion --sort for-you
    """
    from papercli.ui import emit

    if liked and disliked:
        raise UsageError("Give --liked or --disliked, not both.")
    which = "liked" if liked else "disliked" if disliked else "saved"
    chosen = filters(
        query,
        sort=sort or "relevance",  # relevance without words: the library's own order
        limit=limit,
        min_upvotes=min_upvotes,
        has_code=has_code,
    )

    def go(ctx: Context) -> None:
        from papercli.core import listing as core_listing
        from papercli.core.library import library_listing

        result = library_listing(ctx, chosen, which=which, tag=tag, offline=offline)  # type: ignore[arg-type]
        numbered = emit.listing(result, out)
        if numbered is not None:  # papers show N takes the N-th paper of this table
            core_listing.remember_shown(ctx, result.papers, numbered)

    run(go)


@app.command()
@handle_errors
def why(
    paper_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="arXiv id, paper URL, or N: the N-th paper of the last table shown.",
        ),
    ],
    offline: OfflineOpt = False,
) -> None:
    """What raised or lowered a paper's 'for you' score: the words, authors, categories
    and keywords that weigh most. Example: papers why 2507.11001 (or papers why 3)
    """
    from papercli.core import foryou
    from papercli.text import clean
    from papercli.ui.console import fitted

    found = run(lambda ctx: foryou.why(ctx, paper_id, offline=offline))
    out = sys.stdout
    title = clean(found.paper.title)
    out.write(fitted(f"{found.paper.id}  {title}", out, " " * 12) + "\n")
    rated = f" (you {found.rated} it)" if found.rated in ("like", "dislike") else ""
    if found.rated == "saved":
        rated = " (in your library)"
    out.write(f"Score {found.score:+.2f}{rated}\n")
    out.write(
        f"Baseline:   {found.baseline:+.2f} (where every paper starts; its features "
        "move it from there)\n"
    )
    reasons = found.reasons
    pad = " " * len("Lowered by: ")
    for head, pairs in (("Raised by:  ", reasons.ups), ("Lowered by: ", reasons.downs)):
        if pairs:
            # Each "label (weight)" kept on one line (clean() leaves no other U+00A0).
            units = (f"{clean(lb)} ({w:+.2f})".replace(" ", "\xa0") for lb, w in pairs)
            out.write(fitted(head + ", ".join(units), out, pad).replace("\xa0", " ") + "\n")
    if reasons.others:
        out.write(
            f"And {reasons.others} more {'feature' if reasons.others == 1 else 'features'}"
            f" ({reasons.others_total:+.2f} together).\n"
        )
    if not (reasons.ups or reasons.downs):
        out.write("Nothing in it weighs for or against: it shares no feature with your ratings.\n")


@rank_app.command("eval")
@handle_errors
def rank_eval(
    offline: OfflineOpt = False,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Judge the 'for you' order on your own ratings: trained on the older ones, tested on
    the newer ones, against the upvote order and a random order.

    Example: papers rank eval
    """
    from papercli.core import foryou
    from papercli.ui.emit import print_json

    result = run(lambda ctx: foryou.evaluate(ctx, offline=offline))
    if json_:
        from dataclasses import asdict

        print_json(asdict(result))
        return
    sys.stdout.write("\n".join(result.lines()) + "\n")
    if result.enough and result.n_test < 10:
        say(
            f"Only {result.n_test} newer ratings: too few for these figures to tell the "
            "orders apart (precision@10 needs 10); rate more papers and ask again."
        )


@app.command("import")
@handle_errors
def import_(
    path: Annotated[Path, typer.Argument(metavar="FILE.bib", help="A BibTeX file.")],
) -> None:
    """Start from the library you already have: every entry of a BibTeX export (Zotero,
    Better BibTeX, JabRef...) with an arXiv id (eprint, arXiv URL or 10.48550/arXiv DOI)
    is saved and liked; the others are counted and named.

    Example: papers import ~/Zotero/My-Library.bib
    """
    from papercli.core import ratings

    done = run(lambda ctx: ratings.import_bibtex(ctx, path))
    say(
        f"Read {done.entries} entr{'y' if done.entries == 1 else 'ies'} from {path}: "
        f"{done.saved} saved and liked, {done.already} already liked or saved, "
        f"{len(done.without_id)} without an arXiv id"
        + (f", {done.unreadable} unreadable" if done.unreadable else "")
        + (f", {done.disliked} you disliked (left as they were)" if done.disliked else "")
        + "."
    )
    if done.without_id:
        names = ", ".join(done.without_id[:10])
        more = f" and {len(done.without_id) - 10} more" if len(done.without_id) > 10 else ""
        say(f"Without an arXiv id (left out): {names}{more}.")
