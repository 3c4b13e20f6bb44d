"""Local search over every cached listing of every source (``papers search --offline``).

The derived index (:mod:`papercli.index`) narrows the cache down to candidates;
:class:`~papercli.query.Query` is the exact matcher; papers are deduplicated by
id (the Hugging Face record, with its signals, merged into another source's).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from papercli.query import normalize, term_pattern

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator

    from papercli.cache import Cache
    from papercli.models import Paper
    from papercli.query import Query


def iter_matches(
    cache: Cache,
    query: Query,
    since: dt.date | None = None,
    until: dt.date | None = None,
    order: str | None = None,
) -> Iterator[Paper]:
    """Every cached paper (one per id) that matches ``query`` and was listed in range;
    newest first (``order="date"``), most upvoted first (``"upvotes"``) or unordered."""
    from papercli.index import SearchIndex

    lo = since.isoformat() if since else None
    hi = until.isoformat() if until else None
    with SearchIndex(cache) as index:
        index.update()
        for paper in index.candidates(query.tree, lo, hi, order):
            if query.matches(paper):
                day = (paper.listed or (paper.published or "")[:10])[:10]
                if (lo is None or day >= lo) and (hi is None or day <= hi):
                    yield paper


def matching_papers(
    cache: Cache, query: Query, since: dt.date | None = None, until: dt.date | None = None
) -> list[Paper]:
    """Every cached paper (one per id) that matches ``query`` and was listed in range."""
    return list(iter_matches(cache, query, since, until))


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
