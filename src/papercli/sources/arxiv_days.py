"""arXiv's export API as listings of days: the papers submitted on each day of a range
(``submittedDate:[A TO B]``), one query paged to its total, split into days.

One request at a time through :func:`papercli.sources.arxiv.api_get` (the ``arxiv``
politeness key, ``delay_seconds`` apart). :func:`split_days` is the one rule that puts
a paper on a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from papercli.errors import FetchError
from papercli.models import Paper
from papercli.sources.arxiv import api_get

if TYPE_CHECKING:
    from papercli.sources.http import Http

API_LISTING_PAGE = 2000  # papers per request of a listing of days: the most the API gives
API_QUERY_CAP = 30_000  # the most papers one query can page through (start + max_results)
EMPTY_PAGE_RETRIES = 1  # an empty page before the total is asked once more, then fails


class TooManyResults(FetchError):
    """A range of days holds more papers than one query can page through."""

    def __init__(self, message: str, total: int) -> None:
        super().__init__(message)
        self.total = total


class UnsplittableRange(FetchError):
    """A range's answer holds a paper whose submission day is not one of the range's
    days (or is not stated): the answer cannot be split into days."""


def range_query(categories: tuple[str, ...], first: dt.date, last: dt.date) -> str:
    """``(cat:cs.LG OR cat:cs.CL) AND submittedDate:[202507140000 TO 202507202359]``
    (the API reads the times as GMT)."""
    cats = " OR ".join(f"cat:{c}" for c in categories)
    return f"({cats}) AND submittedDate:[{first:%Y%m%d}0000 TO {last:%Y%m%d}2359]"


def submission_day(paper: Paper) -> dt.date | None:
    """The day ``submittedDate`` puts a paper on: the GMT date of its ``published``
    (the time version 1 was submitted). None when it is missing or not a time."""
    try:
        when = dt.datetime.fromisoformat(paper.published or "")
    except ValueError:
        return None
    return (when.astimezone(dt.UTC) if when.tzinfo else when).date()


def split_days(papers: list[Paper], first: dt.date, last: dt.date) -> dict[dt.date, list[Paper]]:
    """The one rule that puts a paper of the export API on a day: the papers of a
    one-day query are that day's (the query decided); those of a longer range go to
    their :func:`submission_day`. Every day of the range is a key, empty days too, and
    each paper's ``listed`` is its day. Raises :class:`UnsplittableRange`."""
    span = range((last - first).days + 1)
    out: dict[dt.date, list[Paper]] = {first + dt.timedelta(days=i): [] for i in span}
    for p in papers:
        day = first if first == last else submission_day(p)
        if day not in out:
            raise UnsplittableRange(
                f"arXiv listed {p.id} (submitted {p.published or 'when not stated'}) "
                f"among the submissions of {first} to {last}."
            )
        out[day].append(replace(p, listed=day.isoformat()))
    return out


def fetch_days(
    http: Http,
    base_url: str,
    categories: tuple[str, ...],
    first: dt.date,
    last: dt.date,
    *,
    delay: float = 3.0,
    page_size: int | None = None,
) -> dict[dt.date, list[Paper]]:
    """The papers submitted on each day from ``first`` to ``last`` in ``categories``:
    one export-API query, paged politely (oldest first) up to its total, then split
    into days (:func:`split_days`). The announce type is unknown to the API: None.

    Nothing partial is ever returned: an empty page before the total is asked again
    (:data:`EMPTY_PAGE_RETRIES`) and then fails the whole range (:class:`FetchError`);
    a total over :data:`API_QUERY_CAP` raises :class:`TooManyResults` at once. An
    answer without a total is paged until a page comes back short."""
    size = page_size or API_LISTING_PAGE
    params = {
        "search_query": range_query(categories, first, last),
        "sortBy": "submittedDate",
        "sortOrder": "ascending",
    }
    papers: list[Paper] = []
    seen: set[str] = set()
    start = retries = 0
    while True:
        page = str(max(1, min(size, API_QUERY_CAP - start)))
        result = api_get(
            http, base_url, {**params, "start": str(start), "max_results": page}, delay
        )
        total = result.total
        if total is not None and total > API_QUERY_CAP:
            raise TooManyResults(
                f"arXiv lists {total} papers for {first} to {last}, more than one query "
                f"gives ({API_QUERY_CAP}).",
                total,
            )
        if total is not None and not result.papers and start < total:
            # The API sometimes answers an empty page mid-way: once more, then the range
            # fails; part of a range must never be cached as whole days.
            if retries < EMPTY_PAGE_RETRIES:
                retries += 1
                continue
            raise FetchError(
                f"arXiv returned {start} of {total} papers and then an empty page; try again later."
            )
        retries = 0
        for p in result.papers:
            if p.id not in seen:
                seen.add(p.id)
                papers.append(p)
        start += len(result.papers)
        if total is None and len(result.papers) >= int(page):  # no total: to a short page
            if start >= API_QUERY_CAP:
                raise TooManyResults(
                    f"arXiv lists more than {start} papers for {first} to {last}.", start
                )
            continue
        if not result.papers or total is None or start >= total:
            return split_days(papers, first, last)


def fetch_day(
    http: Http,
    base_url: str,
    categories: tuple[str, ...],
    day: dt.date,
    *,
    delay: float = 3.0,
    page_size: int | None = None,
) -> list[Paper]:
    """The papers submitted on ``day`` in ``categories`` (:func:`fetch_days` of one day):
    each paper's ``listed`` is ``day``."""
    return fetch_days(http, base_url, categories, day, day, delay=delay, page_size=page_size)[day]
