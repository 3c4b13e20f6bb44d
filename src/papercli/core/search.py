"""Search: the remote services' own search, and local search over every cached listing
of every source (``papers search --offline``).

The derived index (:mod:`papercli.storage.index`) narrows the cache down to candidates;
:class:`~papercli.query.Query` is the exact matcher; papers are deduplicated by
id (the Hugging Face record, with its signals, merged into another source's).
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING

from papercli.core.listing import Filters, Listing, listing_of, remote_filters
from papercli.core.matches import iter_matches
from papercli.errors import UsageError
from papercli.query import Query

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from papercli.core.context import Context
    from papercli.models import Paper
    from papercli.storage.cache import Cache

OFFLINE_LIMIT = 100  # papers search --offline without --limit
_FIELD_WORD = re.compile(r"(?<![\w:])-?\(?([A-Za-z]+):(?=\S)")
_PAPERCLI_FIELDS = frozenset(
    ("title", "abstract", "abs", "author", "au", "org", "cat", "id", "keyword", "kw")
)


def parse_query(text: str, *, offline: bool) -> Query:
    """The query of ``papers search``. Offline it is papercli's query language (a
    mistake is a usage error). Online the words go to the service as they are, and
    the query only highlights matches: words the language cannot parse highlight
    nothing rather than failing the search."""
    if offline:
        return Query.parse(text, strict=True)
    try:
        return Query.parse(text, strict=True)
    except UsageError:
        return Query.parse("")


SOURCE_NAMES = {"hf": "Hugging Face", "arxiv": "arXiv"}


def query_fields(query: Query) -> list[str]:
    """The fields (``au:``, ``title:`` ...) a query uses, in order, each once."""
    from papercli.query import Not, Term

    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, Term):
            if node.field is not None and node.field not in found:
                found.append(node.field)
        elif isinstance(node, Not):
            walk(node.child)
        elif node is not None:
            for child in node.children:  # type: ignore[attr-defined]
                walk(child)

    walk(query.tree)
    return found


def _check_remote_fields(text: str, query: Query, source: str) -> None:
    """Fields the service cannot apply are a usage error naming --offline, not words sent
    as they are: the Hugging Face search takes plain words; arXiv's takes its own
    prefixes (``au:``, ``ti:``, ``abs:``, ``cat:``, ``id:``)."""
    from papercli.sources.arxiv import FIELD_PREFIXES

    written = sorted({m.lower() for m in _FIELD_WORD.findall(text)} & _PAPERCLI_FIELDS)
    # (as written, too: a query the language cannot parse, "au:(", names its field)
    fields = query_fields(query) or written
    if source == "arxiv":
        fields = [f for f in written if f not in FIELD_PREFIXES]
    if not fields:
        return
    where = (
        "Hugging Face's search takes plain words"
        if source != "arxiv"
        else ("arXiv's search takes au:, ti:, abs:, cat: and id: only")
    )
    import shlex

    raise UsageError(
        f"Fields such as {fields[0]}: need --offline ({where}): "
        f"papers search --offline -- {shlex.quote(text)}"
    )


def remote(ctx: Context, text: str, filters: Filters, source: str | None = None) -> Listing:
    """``papers search``: the Hugging Face paper search, arXiv's with ``--source arxiv``,
    or both with ``--source all`` (each paper once, arXiv's record carrying Hugging
    Face's signals); ``--sort for-you`` in the reader's order."""
    found = _remote(ctx, text, filters, source)
    if filters.sort != "for-you":
        return found
    from papercli.core.foryou import rank_listing  # the model's modules: only to rank

    return rank_listing(ctx, found, filters)


def _remote(ctx: Context, text: str, filters: Filters, source: str | None) -> Listing:
    from papercli.core import arxiv
    from papercli.core.listing import unseen

    if not text.strip():
        raise UsageError("Give something to search for.")
    chosen = ctx.resolve_source(source)
    _check_remote_fields(text, filters.query, chosen)
    if chosen == "arxiv":
        return arxiv.search(ctx, text, filters)
    if chosen == "all":
        return _search_both(ctx, text, filters)
    papers = ctx.hf.search(text)
    if filters.new_only:
        papers = unseen(ctx, papers)
    # The remote service already matched the words; local filters still apply.
    heading = f"Hugging Face paper search: {text}"
    listing = listing_of(ctx, papers, remote_filters(filters), heading, "hf", None, label=heading)
    listing.query = filters.query
    return listing


def _search_both(ctx: Context, text: str, filters: Filters) -> Listing:
    """Both services' searches: Hugging Face's results first, then arXiv's others. When
    one service fails, the other's results are shown with a warning."""
    from dataclasses import replace

    from papercli.core import arxiv
    from papercli.core.listing import unseen
    from papercli.errors import FetchError

    results: dict[str, list[Paper]] = {}
    failed: FetchError | None = None
    # arXiv's papers lack the signals the filters read until merged: filter afterwards.
    unfiltered = replace(filters, min_upvotes=None, has_code=False, new_only=False)
    for name in ("hf", "arxiv"):
        try:
            if name == "hf":
                results[name] = ctx.hf.search(text)
            else:
                results[name] = arxiv.search(ctx, text, unfiltered).papers
        except FetchError as exc:
            if failed is not None:  # both failed
                raise
            failed = exc
    if failed is not None:
        other = next(iter(results))
        ctx.warn(f"{failed} Showing the {SOURCE_NAMES[other]} results only.")
    hf_papers = {p.id: p for p in results.get("hf", [])}
    from_arxiv = {p.id: p for p in results.get("arxiv", [])}
    papers = [
        from_arxiv[pid].merged_with_hf(p) if pid in from_arxiv else p
        for pid, p in hf_papers.items()
    ]
    papers += [p for pid, p in from_arxiv.items() if pid not in hf_papers]
    if filters.new_only:
        papers = unseen(ctx, papers)
    heading = f"Hugging Face and arXiv search: {text}"
    listing = listing_of(ctx, papers, remote_filters(filters), heading, "all", None, label=heading)
    listing.query = filters.query
    return listing


def source_set(source: str | None) -> tuple[str, ...] | None:
    """``--source`` of a search of the cache: the sources a paper must have been listed
    by (hf, arxiv), or None for every source (``all``, or no --source)."""
    if source in (None, "all"):
        return None
    if source not in SOURCE_NAMES:
        raise UsageError(f"Unknown source {source!r}: use hf, arxiv or all.")
    return (source,)  # type: ignore[return-value]


def local(ctx: Context, filters: Filters, source: str | None = None) -> Listing:
    """``papers search --offline``: every cached listing of every source, or of one
    (``source`` hf or arxiv: the papers that source listed, with the other's signals).

    Newest-first, upvotes and title orders come from the index in order, so that only
    the first ``limit`` matches are read; relevance and for-you read the best first
    and stop once no other can enter the page (:mod:`papercli.core.pages`).
    """
    from papercli.core.listing import seen_ids
    from papercli.storage.index import IndexFault

    seen = seen_ids(ctx) if filters.new_only else None
    sources = source_set(source)
    try:
        papers, more, scores, notes = _local_page(ctx, filters, seen, sources)
    except IndexFault:
        # The index failed part-way (it was removed, or cannot be used): once more, from
        # a rebuilt index or from the JSON files.
        papers, more, scores, notes = _local_page(ctx, filters, seen, sources)
    heading = f"the local cache matching {filters.query.text!r}"
    which = f"{SOURCE_NAMES[sources[0]]} papers" if sources else "papers"
    label = f"Cached {which} matching {filters.query.text}"
    if filters.since or filters.until:
        label += f", listed {_range_text(filters.since, filters.until)}"
    listing = Listing(papers, heading, "cache", None, len(papers), filters.query, label=label)
    listing.more = more
    if filters.sort == "for-you":
        listing.scores, listing.notes = scores, notes
    return listing


def _local_page(
    ctx: Context, filters: Filters, seen: set[str] | None, sources: tuple[str, ...] | None
) -> tuple[list[Paper], bool, dict[str, float], list[str]]:
    """The page of matches, whether more matched, and for ``--sort for-you`` each shown
    paper's score and the order's notes."""
    if filters.sort == "for-you":
        from dataclasses import replace

        from papercli.core.foryou import HOW_TO_START, search_page

        found = search_page(ctx, filters, accepts(filters, seen), sources)
        if found is not None:
            return found
        filters = replace(filters, sort="upvotes")  # no model yet: say how to start one
        return (*_local_matches(ctx.cache, filters, seen, sources), {}, [HOW_TO_START])
    return (*_local_matches(ctx.cache, filters, seen, sources), {}, [])


def accepts(filters: Filters, seen: set[str] | None) -> Callable[[Paper], bool]:
    """The filters a match must pass besides the query and the dates: upvotes, code,
    and (``--new``) not seen before."""

    def accept(p: Paper) -> bool:
        if filters.min_upvotes is not None and (p.upvotes or 0) < filters.min_upvotes:
            return False
        return not ((filters.has_code and not p.has_code) or (seen is not None and p.id in seen))

    return accept


def _local_matches(
    cache: Cache, filters: Filters, seen: set[str] | None, sources: tuple[str, ...] | None
) -> tuple[list[Paper], bool]:
    """The matches, in the filters' order (date, upvotes, title or relevance), up to the
    limit, and whether more matched."""
    order = filters.sort if filters.sort in ("date", "upvotes", "title") else None
    limit = filters.limit
    accept = accepts(filters, seen)
    if filters.sort == "relevance":
        import sys

        from papercli.core.pages import relevance_page

        return relevance_page(
            cache, filters, accept, sources, sys.maxsize if limit is None else limit
        )
    papers: list[Paper] = []
    more = False
    found = iter_matches(cache, filters.query, filters.since, filters.until, order, sources=sources)
    with contextlib.closing(found):  # stopped early: its open record files close now
        for p in found:
            if not accept(p):
                continue
            if order is not None and limit is not None and len(papers) >= limit:
                more = True
                break
            papers.append(p)
    if order is None and limit is not None:
        more = len(papers) > limit
        papers = papers[:limit]
    return papers, more


def _range_text(since: dt.date | None, until: dt.date | None) -> str:
    if since and until:
        return f"{since} to {until}"
    return f"from {since}" if since else f"up to {until}"
