"""Search: the remote services' own search, and local search over every cached listing
of every source (``papers search --offline``).

The derived index (:mod:`papercli.storage.index`) narrows the cache down to candidates;
:class:`~papercli.query.Query` is the exact matcher; papers are deduplicated by
id (the Hugging Face record, with its signals, merged into another source's).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from papercli.core.listing import (
    Filters,
    Listing,
    apply_filters,
    paper_day,
    remote_filters,
    sort_papers,
)
from papercli.errors import UsageError
from papercli.query import Query, normalize, term_pattern

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterator

    from papercli.core.context import Context
    from papercli.models import Paper
    from papercli.storage.cache import Cache

OFFLINE_LIMIT = 100  # papers search --offline without --limit


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


def remote(ctx: Context, text: str, filters: Filters, source: str | None = None) -> Listing:
    """``papers search``: the Hugging Face paper search, or arXiv's with ``--source arxiv``."""
    from papercli.core import arxiv
    from papercli.core.listing import unseen

    if not text.strip():
        raise UsageError("Give something to search for.")
    if ctx.resolve_source(source, search=True) == "arxiv":
        return arxiv.search(ctx, text, filters)
    papers = ctx.hf.search(text)
    if filters.new_only:
        papers = unseen(ctx, papers)
    # The remote service already matched the words; local filters still apply.
    shown = apply_filters(papers, remote_filters(filters))
    heading = f"Hugging Face paper search: {text}"
    return Listing(shown, heading, "hf", None, len(papers), filters.query)


def local(ctx: Context, filters: Filters) -> Listing:
    """``papers search --offline``: every cached listing of every source.

    Newest-first and upvotes orders come from the index in order, so that only
    the first ``limit`` matches are read; other orders read every match.
    """
    from papercli.core.listing import seen_ids
    from papercli.storage.index import IndexFault

    seen = seen_ids(ctx) if filters.new_only else None
    try:
        papers, more = _local_matches(ctx.cache, filters, seen)
    except IndexFault:
        # The index failed part-way (it was removed, or cannot be used): once more, from
        # a rebuilt index or from the JSON files.
        papers, more = _local_matches(ctx.cache, filters, seen)
    heading = f"the local cache matching {filters.query.text!r}"
    listing = Listing(papers, heading, "cache", None, len(papers), filters.query)
    listing.more = more
    return listing


def _local_matches(
    cache: Cache, filters: Filters, seen: set[str] | None
) -> tuple[list[Paper], bool]:
    order = filters.sort if filters.sort in ("date", "upvotes") else None
    limit = filters.limit
    papers: list[Paper] = []
    more = False
    for p in iter_matches(cache, filters.query, filters.since, filters.until, order):
        if filters.min_upvotes is not None and (p.upvotes or 0) < filters.min_upvotes:
            continue
        if (filters.has_code and not p.has_code) or (seen is not None and p.id in seen):
            continue
        if order is not None and limit is not None and len(papers) >= limit:
            more = True
            break
        papers.append(p)
    if order is None:
        if filters.sort == "relevance":
            papers = sort_by_relevance(filters.query, sort_papers(papers, "date"))
        else:
            papers = sort_papers(papers, filters.sort)
        if limit is not None:
            more = len(papers) > limit
            papers = papers[:limit]
    return papers, more


def iter_matches(
    cache: Cache,
    query: Query,
    since: dt.date | None = None,
    until: dt.date | None = None,
    order: str | None = None,
) -> Iterator[Paper]:
    """Every cached paper (one per id) that matches ``query`` and was listed in range;
    newest first (``order="date"``), most upvoted first (``"upvotes"``) or unordered.

    The answer comes from the search index; where the index cannot be used (a full or
    read-only disk), from the JSON files, with one note. A failure of the index after
    the first paper raises :class:`~papercli.storage.index.IndexFault`: the caller
    starts again (:func:`matching_papers` does).
    """
    from papercli.storage.index import IndexDamaged, IndexUnavailable, SearchIndex

    lo = since.isoformat() if since else None
    hi = until.isoformat() if until else None

    def wanted(paper: Paper) -> bool:
        if not query.matches(paper):
            return False
        day = paper_day(paper)
        return (lo is None or day >= lo) and (hi is None or day <= hi)

    yielded = False
    for attempt in (1, 2):
        try:
            with SearchIndex(cache) as index:
                index.update()
                for paper in index.candidates(query.tree, lo, hi, order):
                    if wanted(paper):
                        yielded = True
                        yield paper
            return
        except IndexDamaged:
            if yielded or attempt == 2:
                raise
            # Removed: the next attempt rebuilds it from the JSON files.
        except IndexUnavailable as exc:
            if yielded:
                raise
            cache.warn_once(
                f"The search index cannot be used ({exc.reason}); "
                "reading the cached files instead (slower)."
            )
            break
    yield from _scan_matches(cache, wanted, order)


def _scan_matches(
    cache: Cache, wanted: Callable[[Paper], bool], order: str | None
) -> Iterator[Paper]:
    """What the index answers, from the JSON files: per id, the newest Hugging Face
    record merged into the newest record of another source."""
    newest: dict[tuple[str, bool], tuple[float, Paper]] = {}
    for entry in cache.iter_entries():
        hf = entry.source == "hf"
        for p in entry.papers:
            old = newest.get((p.id, hf))
            if old is None or entry.fetched_at > old[0]:
                newest[(p.id, hf)] = (entry.fetched_at, p)
    papers: list[Paper] = []
    for (pid, hf), (_, p) in newest.items():
        if hf and (pid, False) in newest:
            continue  # merged into the other record below
        if not hf and (pid, True) in newest:
            p = p.merged_with_hf(newest[(pid, True)][1])
        if wanted(p):
            papers.append(p)
    if order is not None:
        papers = sort_papers(papers, order)
    yield from papers


def matching_papers(
    cache: Cache, query: Query, since: dt.date | None = None, until: dt.date | None = None
) -> list[Paper]:
    """Every cached paper (one per id) that matches ``query`` and was listed in range,
    by id (the same order however the answer was found)."""
    from papercli.storage.index import IndexFault

    try:
        found = list(iter_matches(cache, query, since, until))
    except IndexFault:
        found = list(iter_matches(cache, query, since, until))
    return sorted(found, key=lambda p: p.id)


def relevance(query: Query, paper: Paper) -> float:
    """A simple score: matches of the query's positive terms, in the title thrice as
    much as in the abstract, plus a little for upvotes."""
    title = normalize(paper.title)
    abstract = normalize(paper.abstract)
    score = 0.0
    for term in query.terms(None, "title", "abstract"):
        pattern = term_pattern(term.text)
        if pattern is None:
            continue
        if term.field in (None, "title"):
            score += 3 * len(pattern.findall(title))
        if term.field in (None, "abstract"):
            score += min(5, len(pattern.findall(abstract)))
    return score + math.log1p(max(0, paper.upvotes or 0)) / 10


def sort_by_relevance(query: Query, papers: list[Paper]) -> list[Paper]:
    return sorted(papers, key=lambda p: -relevance(query, p))
