"""Pages of the orders no index column gives: the most relevant matches (and, in
:func:`papercli.core.foryou.search_page`, the reader's own order), read best first and
stopped once no unread match can enter the page."""

from __future__ import annotations

import contextlib
import math
import struct
from typing import TYPE_CHECKING

from papercli.core.listing import date_key
from papercli.core.matches import day_range, from_index, wanted_by
from papercli.query import Query, normalize, term_pattern

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterator

    from papercli.core.listing import Filters
    from papercli.models import Paper
    from papercli.query import Node
    from papercli.storage.cache import Cache
    from papercli.storage.index import SearchIndex


def relevance_page(
    cache: Cache,
    filters: Filters,
    accept: Callable[[Paper], bool],
    sources: tuple[str, ...] | None,
    limit: int,
) -> tuple[list[Paper], bool]:
    """The ``limit`` most relevant matches (ties: :func:`fill_page`) and whether more
    matched, reading candidates best score bound first (:func:`ranked_matches`) and
    stopping once no unread one can enter the page (or, from the files, reading them
    all)."""
    found = ranked_matches(cache, filters.query, filters.since, filters.until, sources=sources)

    def key(paper: Paper) -> tuple[float, str]:
        return relevance(filters.query, paper), date_key(paper)

    with contextlib.closing(found):  # stopped early: its open record files close now
        page, more = fill_page(found, key, accept, limit)
    return [paper for paper, _ in page], more


Key = tuple[float, str]  # a page's order: a score, then the date key (both descending)


def fill_page(
    found: Iterator[tuple[Paper, Key | None]],
    key: Callable[[Paper], Key],
    accept: Callable[[Paper], bool],
    limit: int,
) -> tuple[list[tuple[Paper, Key]], bool]:
    """The ``limit`` accepted papers of ``found`` with the highest ``key``, best first,
    each with its key, and whether more were accepted. Ties: the higher paper id first
    (so the page is the same however the papers were found: in another order, from the
    index or from the files, scored now or kept).

    Each paper comes with an upper bound of its key or None; from the first bound on,
    bounds never increase, so that once the page is full and its last key above a
    bound, no paper after it can enter the page."""
    import heapq

    if limit <= 0:
        return [], any(accept(paper) for paper, _ in found)
    page: list[tuple[float, str, str, int, Paper]] = []  # the best ``limit``: a min-heap
    count = 0
    for paper, bound in found:
        if bound is not None and len(page) == limit and page[0][:2] > bound:
            # Neither this candidate nor any after it can enter the page (a key equal
            # to the bound might, by its id): all that is left to know is whether one
            # more matched.
            if count > limit or accept(paper):
                return _best(page), True
            continue
        if not accept(paper):
            continue
        count += 1
        entry = (*key(paper), paper.id, -count, paper)
        (heapq.heappush if len(page) < limit else heapq.heappushpop)(page, entry)
    return _best(page), count > limit


def _best(page: list[tuple[float, str, str, int, Paper]]) -> list[tuple[Paper, Key]]:
    """By key, then id: the score, then newest first."""
    return [(entry[4], entry[:2]) for entry in sorted(page, reverse=True)]


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
    wanted = wanted_by(query, since, until, sources)
    lo, hi = day_range(since, until)

    def ask(index: SearchIndex) -> Iterator[tuple[Paper, tuple[float, str] | None]]:
        from itertools import tee

        rows = index.relevance_rows(query.tree, lo, hi, _title_node(query))
        keys, wanted_keys = tee(_bounded(query, *rows))
        papers = index.papers_of(rowid for _, _, rowid in wanted_keys)
        for (bound, day, _), paper in zip(keys, papers, strict=True):
            yield paper, (bound, day)

    yield from from_index(cache, ask, wanted, None)


def _title_node(query: Query) -> Node | None:
    """The query's relevance terms that count in the title, as ``title:`` terms."""
    from papercli.query import Or, Term

    terms = [Term("title", t.text, t.phrase) for t in query.terms(None, "title")]
    return Or(tuple(terms)) if len(terms) > 1 else (terms[0] if terms else None)


ANY_DAY = "\uffff"  # above every date key: "any date"
_ROWID_BITS = 40


def _packed(bound: float, rowid: int) -> int:
    """One int ordered as (bound, rowid): a non-negative double's bits, as an integer,
    are in the double's order (a list of a million of them, not of tuples)."""
    return (int.from_bytes(struct.pack(">d", bound), "big") << _ROWID_BITS) | rowid


def _unpacked(key: int) -> tuple[float, str, int]:
    bound = struct.unpack(">d", (key >> _ROWID_BITS).to_bytes(8, "big"))[0]
    return bound, ANY_DAY, key & ((1 << _ROWID_BITS) - 1)


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
    ceiling = (_relevance(query, "", None, top), ANY_DAY, 0)  # above any of the others
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
