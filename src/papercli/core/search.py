"""Search: the remote services' own search, and local search over every cached listing
of every source (``papers search --offline``).

The derived index (:mod:`papercli.storage.index`) narrows the cache down to candidates;
:class:`~papercli.query.Query` is the exact matcher; papers are deduplicated by
id (the Hugging Face record, with its signals, merged into another source's).
"""

from __future__ import annotations

import contextlib
import math
import re
import struct
from typing import TYPE_CHECKING, Any, TypeVar

from papercli.core.listing import (
    Filters,
    Listing,
    date_key,
    listing_of,
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
    from papercli.query import Node
    from papercli.storage.cache import Cache
    from papercli.storage.index import SearchIndex

_Ranked = TypeVar("_Ranked")

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

    fields = query_fields(query)
    if source == "arxiv":
        written = {m.lower() for m in _FIELD_WORD.findall(text)}
        fields = [f for f in written if f not in FIELD_PREFIXES and f in _PAPERCLI_FIELDS]
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

    Newest-first and upvotes orders come from the index in order, so that only
    the first ``limit`` matches are read; other orders read every match.
    """
    from papercli.core.listing import seen_ids
    from papercli.storage.index import IndexFault

    seen = seen_ids(ctx) if filters.new_only else None
    sources = source_set(source)
    try:
        papers, more = _local_matches(ctx.cache, filters, seen, sources)
    except IndexFault:
        # The index failed part-way (it was removed, or cannot be used): once more, from
        # a rebuilt index or from the JSON files.
        papers, more = _local_matches(ctx.cache, filters, seen, sources)
    heading = f"the local cache matching {filters.query.text!r}"
    which = f"{SOURCE_NAMES[sources[0]]} papers" if sources else "papers"
    label = f"Cached {which} matching {filters.query.text}"
    if filters.since or filters.until:
        label += f", listed {_range_text(filters.since, filters.until)}"
    listing = Listing(papers, heading, "cache", None, len(papers), filters.query, label=label)
    listing.more = more
    if filters.sort == "for-you":
        from papercli.core.foryou import order as for_you

        ranked = for_you(ctx, papers, offline=True)  # a local search asks nothing
        cut = ranked.papers if filters.limit is None else ranked.papers[: filters.limit]
        listing.papers, listing.more = cut, len(cut) < len(ranked.papers)
        listing.scores, listing.notes = ranked.scores or {}, ranked.notes
    return listing


def _local_matches(
    cache: Cache, filters: Filters, seen: set[str] | None, sources: tuple[str, ...] | None
) -> tuple[list[Paper], bool]:
    """The matches, in the filters' order, up to the limit (``for-you``: all of them,
    the caller orders them), and whether more matched."""
    order = filters.sort if filters.sort in ("date", "upvotes", "title") else None
    limit = None if filters.sort == "for-you" else filters.limit

    def accept(p: Paper) -> bool:
        if filters.min_upvotes is not None and (p.upvotes or 0) < filters.min_upvotes:
            return False
        return not ((filters.has_code and not p.has_code) or (seen is not None and p.id in seen))

    if filters.sort == "relevance" and limit is not None and limit > 0:
        return _relevance_page(cache, filters, accept, sources, limit)
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
    if order is None:
        if filters.sort == "relevance":
            papers = sort_by_relevance(filters.query, sort_papers(papers, "date"))
        if limit is not None:
            more = len(papers) > limit
            papers = papers[:limit]
    return papers, more


def _relevance_page(
    cache: Cache,
    filters: Filters,
    accept: Callable[[Paper], bool],
    sources: tuple[str, ...] | None,
    limit: int,
) -> tuple[list[Paper], bool]:
    """The ``limit`` most relevant matches (ties: newest first) and whether more matched,
    reading candidates best score bound first (:func:`ranked_matches`) and stopping once
    no unread one can enter the page (or, from the files, reading them all)."""
    page: list[tuple[float, str, int, Paper]] = []  # the best ``limit``: a min-heap
    count = 0
    found = ranked_matches(cache, filters.query, filters.since, filters.until, sources=sources)
    with contextlib.closing(found):  # stopped early: its open record files close now
        return _fill_page(filters, accept, limit, found, page, count)


def _fill_page(
    filters: Filters,
    accept: Callable[[Paper], bool],
    limit: int,
    found: Iterator[tuple[Paper, Any]],
    page: list[tuple[float, str, int, Paper]],
    count: int,
) -> tuple[list[Paper], bool]:
    import heapq

    for paper, bound in found:
        if bound is not None and len(page) == limit and page[0][:2] >= bound:
            # Neither this candidate nor any after it can enter the page: all that is
            # left to know is whether one more matched.
            if count > limit or accept(paper):
                return _best(page), True
            continue
        if not accept(paper):
            continue
        count += 1
        entry = (relevance(filters.query, paper), date_key(paper), -count, paper)
        (heapq.heappush if len(page) < limit else heapq.heappushpop)(page, entry)
    return _best(page), count > limit


def _best(page: list[tuple[float, str, int, Paper]]) -> list[Paper]:
    """By relevance, then newest first (``sort_by_relevance``)."""
    return [entry[3] for entry in sorted(page, reverse=True)]


def _range_text(since: dt.date | None, until: dt.date | None) -> str:
    if since and until:
        return f"{since} to {until}"
    return f"from {since}" if since else f"up to {until}"


def iter_matches(
    cache: Cache,
    query: Query,
    since: dt.date | None = None,
    until: dt.date | None = None,
    order: str | None = None,
    *,
    sources: tuple[str, ...] | None = None,
) -> Iterator[Paper]:
    """Every cached paper (one per id) that matches ``query`` and was listed in range
    (and, with ``sources``, by one of them); newest first (``order="date"``), most
    upvoted first (``"upvotes"``), by title (``"title"``) or unordered.

    The answer comes from the search index; where the index cannot be used (a full or
    read-only disk), from the JSON files, with one note. A failure of the index after
    the first paper raises :class:`~papercli.storage.index.IndexFault`: the caller
    starts again (:func:`matching_papers` does).
    """
    wanted = _wanted(query, since, until, sources)
    lo, hi = _day_range(since, until)
    for paper, _ in _from_index(
        cache,
        lambda index: ((p, None) for p in index.candidates(query.tree, lo, hi, order)),
        wanted,
        order,
    ):
        yield paper


def ranked_matches(
    cache: Cache,
    query: Query,
    since: dt.date | None = None,
    until: dt.date | None = None,
    *,
    sources: tuple[str, ...] | None = None,
) -> Iterator[tuple[Paper, tuple[float, str] | None]]:
    """The matches of :func:`iter_matches`, each with a bound of its key for the
    relevance order: (an upper bound of its :func:`relevance`, its date key), the
    bounds never increasing, so that a caller wanting the best N can stop early. The
    bound comes from the index (the title and upvotes it keeps; the abstract counted
    as its most, 5 a term); read from the files instead, the matches come unordered
    and without a bound (None)."""
    wanted = _wanted(query, since, until, sources)
    lo, hi = _day_range(since, until)

    def ask(index: SearchIndex) -> Iterator[tuple[Paper, tuple[float, str] | None]]:
        from itertools import tee

        rows = index.relevance_rows(query.tree, lo, hi, _title_node(query))
        keys, wanted_keys = tee(_bounded(query, *rows))
        papers = index.papers_of(rowid for _, _, rowid in wanted_keys)
        for (bound, day, _), paper in zip(keys, papers, strict=True):
            yield paper, (bound, day)

    yield from _from_index(cache, ask, wanted, None)


def _title_node(query: Query) -> Node | None:
    """The query's relevance terms that count in the title, as ``title:`` terms."""
    from papercli.query import Or, Term

    terms = [Term("title", t.text, t.phrase) for t in query.terms(None, "title")]
    return Or(tuple(terms)) if len(terms) > 1 else (terms[0] if terms else None)


_LAST_DAY = "\uffff"  # above every date key: "any date"
_ROWID_BITS = 40


def _packed(bound: float, rowid: int) -> int:
    """One int ordered as (bound, rowid): a non-negative double's bits, as an integer,
    are in the double's order (a list of a million of them, not of tuples)."""
    return (int.from_bytes(struct.pack(">d", bound), "big") << _ROWID_BITS) | rowid


def _unpacked(key: int) -> tuple[float, str, int]:
    bound = struct.unpack(">d", (key >> _ROWID_BITS).to_bytes(8, "big"))[0]
    return bound, _LAST_DAY, key & ((1 << _ROWID_BITS) - 1)


def _bounded(
    query: Query,
    titled: Iterator[tuple[int, str, int, str]],
    rest: Iterator[tuple[int, int, str]],
    top: int,
) -> Iterator[tuple[float, str, int]]:
    """(bound of the score, date key, row id) of every candidate, best first: those
    whose title may count, bounded from the title and upvotes the index keeps, and,
    merged in as their turn comes, the others (whose bound is the upvotes', read from
    the index in that order only once one may come next). The first come in order of
    bound only, so their date key is given as the latest possible."""
    first = sorted(
        (_packed(_relevance(query, title, None, up), rowid) for rowid, title, up, _ in titled),
        reverse=True,
    )
    untitled = ((_relevance(query, "", None, up), day, rowid) for rowid, up, day in rest)
    ceiling = (_relevance(query, "", None, top), _LAST_DAY, 0)  # above any of the others
    waiting: tuple[float, str, int] | None = None
    for packed in first:
        key = _unpacked(packed)
        while waiting is not None or key < ceiling:
            if waiting is None:
                waiting = next(untitled, None)
                if waiting is None:
                    ceiling = (-1.0, "", 0)  # none left
                    break
            if waiting <= key:
                break
            yield waiting
            waiting = None
        yield key
    if waiting is not None:
        yield waiting
    yield from untitled


def _day_range(since: dt.date | None, until: dt.date | None) -> tuple[str | None, str | None]:
    return (since.isoformat() if since else None), (until.isoformat() if until else None)


def _wanted(
    query: Query,
    since: dt.date | None,
    until: dt.date | None,
    sources: tuple[str, ...] | None,
) -> Callable[[Paper], bool]:
    lo, hi = _day_range(since, until)

    def wanted(paper: Paper) -> bool:
        if sources is not None and not set(paper.sources) & set(sources):
            return False
        if not query.matches(paper):
            return False
        day = paper_day(paper)
        return (lo is None or day >= lo) and (hi is None or day <= hi)

    return wanted


def _from_index(
    cache: Cache,
    ask: Callable[[SearchIndex], Iterator[tuple[Paper, _Ranked]]],
    wanted: Callable[[Paper], bool],
    order: str | None,
) -> Iterator[tuple[Paper, _Ranked | None]]:
    """The candidates ``ask`` gets from an up-to-date index that are ``wanted``; from the
    JSON files (in ``order``) when the index cannot be used."""
    from papercli.storage.index import IndexDamaged, IndexStale, IndexUnavailable, SearchIndex

    yielded = False
    for attempt in (1, 2):
        try:
            with SearchIndex(cache) as index:
                index.update()
                for paper, rank in ask(index):
                    if wanted(paper):
                        yielded = True
                        yield paper, rank
            return
        except (IndexDamaged, IndexStale) as exc:
            if yielded or (attempt == 2 and not isinstance(exc, IndexStale)):
                raise
            if attempt == 2:  # files still changing under it (a sync writing): read them
                break
            # Removed, or a file changed under it: the next attempt updates it first.
        except IndexUnavailable as exc:
            if yielded:
                raise
            cache.warn_once(
                f"The search index cannot be used ({exc.reason}); "
                "reading the cached files instead (slower)."
            )
            break
    for paper in _scan_matches(cache, wanted, order):
        yield paper, None


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
    cache: Cache,
    query: Query,
    since: dt.date | None = None,
    until: dt.date | None = None,
    *,
    sources: tuple[str, ...] | None = None,
) -> list[Paper]:
    """Every cached paper (one per id) that matches ``query`` and was listed in range
    (by one of ``sources``, when given), by id (the same order however the answer was
    found)."""
    from papercli.storage.index import IndexFault

    try:
        found = list(iter_matches(cache, query, since, until, sources=sources))
    except IndexFault:
        found = list(iter_matches(cache, query, since, until, sources=sources))
    return sorted(found, key=lambda p: p.id)


def relevance(query: Query, paper: Paper) -> float:
    """A simple score: matches of the query's positive terms, in the title thrice as
    much as in the abstract (at most 5 a term), plus a little for upvotes."""
    return _relevance(query, normalize(paper.title), normalize(paper.abstract), paper.upvotes)


def _relevance(query: Query, title: str, abstract: str | None, upvotes: int | None) -> float:
    """:func:`relevance` of the normalised title and abstract; without the abstract
    (None), an upper bound: each term counts its most there."""
    score = 0.0
    for term in query.terms(None, "title", "abstract"):
        pattern = term_pattern(term.text)
        if pattern is None:
            continue
        if term.field in (None, "title"):
            score += 3 * len(pattern.findall(title))
        if term.field in (None, "abstract"):
            score += 5 if abstract is None else min(5, len(pattern.findall(abstract)))
    return score + math.log1p(max(0, upvotes or 0)) / 10


def sort_by_relevance(query: Query, papers: list[Paper]) -> list[Paper]:
    return sorted(papers, key=lambda p: -relevance(query, p))
