"""Matches in the local cache: from the search index when it can answer, from the JSON
files when it cannot (a full or read-only disk), the same either way.

The derived index (:mod:`papercli.storage.index`) narrows the cache down to candidates;
:class:`~papercli.query.Query` is the exact matcher; papers are deduplicated by
id (the Hugging Face record, with its signals, merged into another source's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from papercli.core.listing import paper_day, sort_papers

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterator

    from papercli.models import Paper
    from papercli.query import Query
    from papercli.storage.cache import Cache
    from papercli.storage.index import SearchIndex

_Ranked = TypeVar("_Ranked")


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
    wanted = wanted_by(query, since, until, sources)
    lo, hi = day_range(since, until)
    for paper, _ in from_index(
        cache,
        lambda index: ((p, None) for p in index.candidates(query.tree, lo, hi, order)),
        wanted,
        order,
    ):
        yield paper


def day_range(since: dt.date | None, until: dt.date | None) -> tuple[str | None, str | None]:
    return (since.isoformat() if since else None), (until.isoformat() if until else None)


def wanted_by(
    query: Query,
    since: dt.date | None,
    until: dt.date | None,
    sources: tuple[str, ...] | None,
) -> Callable[[Paper], bool]:
    lo, hi = day_range(since, until)

    def wanted(paper: Paper) -> bool:
        if sources is not None and not set(paper.sources) & set(sources):
            return False
        if not query.matches(paper):
            return False
        day = paper_day(paper)
        return (lo is None or day >= lo) and (hi is None or day <= hi)

    return wanted


def from_index(
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
                # (built from nothing, 300,000 papers take half a minute)
                with cache.waiting("the search index"):
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
    for paper in scan_matches(cache, wanted, order):
        yield paper, None


def scan_matches(
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
