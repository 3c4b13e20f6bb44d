"""``papers library``: the reader's saved (or liked, or disliked) papers as a listing,
in any order the listings have, ``for-you`` included."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from papercli.core.foryou import order
from papercli.core.listing import Filters, Listing, apply_filters
from papercli.core.ratings import library, text_of
from papercli.models import Paper

if TYPE_CHECKING:
    from papercli.core.context import Context
    from papercli.storage.library import Item

Which = Literal["saved", "liked", "disliked"]


def library_listing(
    ctx: Context,
    filters: Filters,
    *,
    which: Which = "saved",
    tag: str | None = None,
    offline: bool = False,
) -> Listing:
    """``papers library``: the saved papers (or the liked or disliked ones), newest
    first unless another order is asked for, with every listing filter."""
    items = list(library(ctx).items().values())
    if which == "saved":
        items = [i for i in items if i.saved]
    elif which == "liked":
        items = [i for i in items if i.rating == "like"]
    else:
        items = [i for i in items if i.rating == "dislike"]
    if tag is not None:
        items = [i for i in items if tag in i.tags]
    items.sort(key=lambda i: i.saved or i.rated or "", reverse=True)
    texts = text_of(ctx, items, offline=offline)
    papers = [texts.get(i.id) or Paper(i.id, _no_text(i)) for i in items]
    marks = {
        i.id: {"rating": i.rating, "rated": i.rated, "saved": i.saved, "tags": list(i.tags)}
        for i in items
    }
    if filters.sort == "for-you":
        shown = apply_filters(papers, replace(filters, sort="date", limit=None))
        ranked = order(ctx, shown, offline=offline)
        limit = filters.limit if filters.limit is not None else len(ranked.papers)
        heading = _heading(which, tag)
        return Listing(
            ranked.papers[:limit],
            heading,
            "library",
            None,
            len(papers),
            filters.query,
            scores=ranked.scores,
            notes=ranked.notes,
            marks=marks,
        )
    if filters.sort == "date" or filters.sort == "upvotes" or filters.sort == "title":
        shown = apply_filters(papers, filters)
    else:
        shown = apply_filters(papers, replace(filters, sort="relevance"))  # keeps library order
    heading = _heading(which, tag)
    return Listing(shown, heading, "library", None, len(papers), filters.query, marks=marks)


def _heading(which: Which, tag: str | None) -> str:
    what = {
        "saved": "your library",
        "liked": "your liked papers",
        "disliked": "your disliked papers",
    }
    return what[which] + (f" tagged {tag!r}" if tag else "")


def _no_text(item: Item) -> str:
    """The title shown for a paper of the library whose text papercli does not have."""
    if item.unknown:
        return "(found on neither Hugging Face nor arXiv)"
    return f"(not fetched yet: papers show {item.id})"
