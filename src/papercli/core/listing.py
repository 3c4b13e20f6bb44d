"""What every listing shares: the filters a command asks for, the result it gets back,
the sort orders, and the ``--new`` (seen papers) state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from papercli.choices import SortKey
from papercli.dates import Period
from papercli.errors import PapersError
from papercli.models import Paper, date_key, paper_day, title_key, upvotes_key
from papercli.query import Query

if TYPE_CHECKING:
    from papercli.core.context import Context


@dataclass
class Filters:
    query: Query = field(default_factory=lambda: Query.parse(""))
    min_upvotes: int | None = None
    has_code: bool = False
    since: dt.date | None = None
    until: dt.date | None = None
    sort: SortKey = "upvotes"
    limit: int | None = None
    new_only: bool = False  # only papers not seen in any listing before (--new)
    submitter: str | None = None  # Hugging Face: submitted by this account (or name)


@dataclass
class Listing:
    papers: list[Paper]
    heading: str
    source: str
    period: Period | None = None
    total: int = 0  # before filtering
    query: Query = field(default_factory=lambda: Query.parse(""))
    more: bool = False  # cut at the limit, more papers matched
    matched: int | None = None  # how many the filters kept, before the limit (None: unknown)
    fresh: int | None = None  # with --new: how many of the total were not shown before
    scores: dict[str, float] | None = None  # --sort for-you: each shown paper's score
    # The library's listings: the reader's own of each paper (rating, rated, saved, tags).
    marks: dict[str, dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)  # said once about the order (for-you)
    # What the caption of a table names (papercli.ui.caption): what is listed, without
    # the period ("Hugging Face Daily Papers", "arXiv cs.LG"); the word before the
    # period ("announced", "submitted"); and, when today's listing fell back to an
    # earlier day, the day asked for (``period`` is then the day shown).
    label: str = ""
    day_word: str = ""
    asked: dt.date | None = None


def sort_papers(papers: list[Paper], key: str) -> list[Paper]:
    """Stable sorts: papers without the key keep their order after the others.

    ``date`` is the day the paper was listed (else published), newest first, then its
    arXiv date (:func:`date_key`). ``relevance`` and ``for-you`` need more than the
    papers: see :func:`papercli.core.pages.relevance_page` and
    :mod:`papercli.core.foryou`.
    """
    if key == "upvotes":
        return sorted(papers, key=upvotes_key, reverse=True)
    if key == "date":
        return sorted(papers, key=date_key, reverse=True)
    if key == "title":
        return sorted(papers, key=title_key)
    return list(papers)


def submitted_by(p: Paper, who: str) -> bool:
    """The paper was submitted to Hugging Face Daily Papers by ``who``: the account name
    (``akhaliq``) or the display name, ignoring case."""
    wanted = who.strip().lstrip("@").casefold()
    return wanted in {(p.submitter_user or "").casefold(), (p.submitter or "").casefold()}


def apply_filters(papers: list[Paper], filters: Filters) -> list[Paper]:
    out = filters.query.filter(papers)
    if filters.min_upvotes is not None:
        out = [p for p in out if (p.upvotes or 0) >= filters.min_upvotes]
    if filters.has_code:
        out = [p for p in out if p.has_code]
    if filters.submitter:
        out = [p for p in out if submitted_by(p, filters.submitter)]
    if filters.since or filters.until:
        lo = filters.since.isoformat() if filters.since else ""
        hi = filters.until.isoformat() if filters.until else "9999"
        out = [p for p in out if lo <= paper_day(p) <= hi]
    out = sort_papers(out, filters.sort)
    if filters.limit is not None:
        out = out[: max(0, filters.limit)]
    return out


def remote_filters(filters: Filters) -> Filters:
    """The filters to apply to a remote search's results: all but the query (the
    service matched the words) and --new (applied before)."""
    return replace(filters, query=Query.parse(""), new_only=False)


# -- seen papers (--new) ----------------------------------------------------------------
def unseen(ctx: Context, papers: list[Paper]) -> list[Paper]:
    """The papers not seen in any listing shown before."""
    from papercli.storage.state import State, base_id

    seen = State(ctx.settings.state_dir, ctx.warn).seen_ids()
    return [p for p in papers if base_id(p.id) not in seen]


def seen_ids(ctx: Context) -> set[str]:
    from papercli.storage.state import State

    return State(ctx.settings.state_dir, ctx.warn).seen_ids()


def mark_seen(ctx: Context, papers: list[Paper]) -> None:
    """Remember papers as seen, when ``[display] mark_seen`` is on."""
    if papers and ctx.settings.mark_seen:
        from papercli.storage.state import State

        try:
            State(ctx.settings.state_dir, ctx.warn).mark_seen((p.id for p in papers), ctx.today)
        except (OSError, PapersError) as exc:  # shown anyway; only --new loses track
            ctx.warn(f"Could not remember the papers as seen: {exc}")


@dataclass
class Selection:
    """What a listing shows of the papers it got."""

    papers: list[Paper]
    fresh: int | None = None  # with --new: how many had not been shown before
    scores: dict[str, float] | None = None  # --sort for-you: the reader's scores ({}: no model)
    notes: list[str] = field(default_factory=list)
    matched: int | None = None  # how many the filters kept, before the limit


def select(
    ctx: Context, papers: list[Paper], filters: Filters, *, offline: bool = False
) -> Selection:
    """The papers a listing shows: --new, the filters, the order, the limit. The
    ``for-you`` order is the reader's model's: the use cases that list apply it on top
    (:func:`papercli.core.foryou.rank_listing`), given the papers in upvote order here."""
    fresh = None
    if filters.new_only:
        papers = unseen(ctx, papers)
        fresh = len(papers)
    if filters.sort == "for-you":
        filters = replace(filters, sort="upvotes", limit=None)
    found = apply_filters(papers, replace(filters, limit=None))
    shown = found if filters.limit is None else found[: max(0, filters.limit)]
    return Selection(shown, fresh, matched=len(found))


def listing_of(
    ctx: Context,
    papers: list[Paper],
    filters: Filters,
    heading: str,
    source: str,
    period: Period | None,
    *,
    offline: bool = False,
    **caption: Any,
) -> Listing:
    """A :class:`Listing` of ``papers`` as the filters select them (``caption``: the
    Listing's caption fields: label, day_word, asked)."""
    chosen = select(ctx, papers, filters, offline=offline)
    return Listing(
        chosen.papers,
        heading,
        source,
        period,
        len(papers),
        filters.query,
        fresh=chosen.fresh,
        scores=chosen.scores,
        notes=chosen.notes,
        matched=chosen.matched,
        **caption,
    )


# -- the last listing shown (papers show N, papers open N) ---------------------------------
def remember_shown(ctx: Context, papers: list[Paper], caption: str) -> None:
    """Remember the papers of a numbered table just shown, rank by rank."""
    from papercli.storage.state import State

    try:
        State(ctx.settings.state_dir, ctx.warn).remember_listing((p.id for p in papers), caption)
    except (OSError, PapersError) as exc:  # shown anyway; only show N loses track
        ctx.warn(f"Could not remember the listing for 'papers show N': {exc}")


def is_rank(text: str) -> bool:
    """A bare number from 1 to 999: a rank in the last listing, never an arXiv id."""
    return text.isascii() and text.isdigit() and len(text) <= 3 and int(text) >= 1


def paper_at_rank(ctx: Context, rank: int) -> str:
    """The id of the paper ranked ``rank`` in the last listing shown (a usage error
    when no listing was shown, or it had fewer papers)."""
    from papercli.errors import UsageError
    from papercli.storage.state import State

    last = State(ctx.settings.state_dir, ctx.warn).last_listing()
    if not last or not last[0]:
        raise UsageError(
            f"No listing shown yet to take paper {rank} from: run papers today (or list, "
            "search, watch run) first, or give an arXiv id."
        )
    ids, caption = last
    if rank > len(ids):
        what = f" ({caption})" if caption else ""
        count = f"{len(ids)} paper{'' if len(ids) == 1 else 's'}"
        raise UsageError(f"The last listing shown{what} has {count}, not {rank}.")
    return ids[rank - 1]
