"""Hugging Face Daily Papers: ``/api/daily_papers``, ``/api/papers/{id}``, ``/api/papers/search``.

The ``parse_*`` functions are pure (bytes in, papers out) and tolerate missing
keys and nulls; they raise :class:`~papercli.errors.FetchError` only when the
body is not the shape the API sends (HTML, truncated JSON, a dict for a list).
"""

from __future__ import annotations

import contextlib
import json
import queue
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from papercli.dates import Period
from papercli.errors import FetchError, NotFoundError
from papercli.ids import is_paper_id
from papercli.models import Paper, split_version
from papercli.sources.http import Http, conditional_headers, sanitize_validators, validators_from
from papercli.text import clean_optional, tex_to_unicode

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
PAGE_SIZE = 100
SERVICE = "Hugging Face"  # how messages name it
MAX_PAGES = 100  # 10,000 papers: more than any month has had


def _load_json(body: bytes, what: str) -> Any:
    try:
        return json.loads(body)
    except RecursionError:
        raise FetchError(f"Hugging Face sent JSON nested too deeply for {what}.") from None
    except (ValueError, UnicodeDecodeError):
        start = body[:200].lstrip().lower()
        if start.startswith((b"<!doctype", b"<html", b"<")):
            raise FetchError(f"Hugging Face sent an HTML page instead of {what}.") from None
        if not body.strip():
            raise FetchError(f"Hugging Face sent an empty body instead of {what}.") from None
        raise FetchError(f"Hugging Face sent malformed JSON for {what}.") from None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _str(value: Any) -> str | None:
    return clean_optional(value) if isinstance(value, str) else None


def _items(value: Any) -> list[Any]:
    """A JSON list, or nothing (a string or a number where a list belongs)."""
    return value if isinstance(value, list) else []


def _url(value: Any) -> str | None:
    text = _str(value)
    return text if text and text.startswith(("https://", "http://")) else None


def _org_name(org: Any) -> str | None:
    if isinstance(org, dict):
        return _str(org.get("fullname")) or _str(org.get("name"))
    return None


def _user_handle(user: Any) -> str | None:
    """A Hugging Face user's account name (``akhaliq``), what --submitter matches."""
    if isinstance(user, dict):
        return _str(user.get("name")) or _str(user.get("user"))
    return None


def _user_name(user: Any) -> str | None:
    if isinstance(user, dict):
        return _str(user.get("fullname")) or _str(user.get("name")) or _str(user.get("user"))
    return None


def paper_from_item(item: Any, requested_day: str | None = None) -> Paper | None:
    """One paper from a daily-papers item (``{"paper": {...}, ...}``) or a bare paper object.

    Returns None for items without an id (they cannot be shown or joined).
    """
    if not isinstance(item, dict):
        return None
    paper = item.get("paper") if isinstance(item.get("paper"), dict) else item
    raw_id = _str(paper.get("id"))
    if not raw_id or not is_paper_id(raw_id):
        return None  # Hugging Face pages are arXiv ids; anything else is not a paper
    base_id, _ = split_version(raw_id)
    title = _str(paper.get("title")) or _str(item.get("title")) or ""
    abstract = _str(paper.get("summary")) or _str(item.get("summary")) or ""
    authors = tuple(
        name
        for a in _items(paper.get("authors"))
        if isinstance(a, dict)
        and not a.get("hidden")
        and (name := _str(a.get("name")) or _user_name(a.get("user")))
    )
    listed_at = _str(paper.get("submittedOnDailyAt"))
    listed = listed_at[:10] if listed_at and _DAY.fullmatch(listed_at[:10]) else requested_day
    comments = _int(item.get("numComments"))
    if comments is None:
        comments = _int(paper.get("numComments"))
    keywords = tuple(k for k in (_str(x) for x in _items(paper.get("ai_keywords"))) if k)
    submitter = _user_name(item.get("submittedBy")) or _user_name(paper.get("submittedOnDailyBy"))
    handle = _user_handle(item.get("submittedBy")) or _user_handle(paper.get("submittedOnDailyBy"))
    return Paper(
        id=base_id,
        title=tex_to_unicode(title),
        authors=tuple(tex_to_unicode(a) for a in authors),
        abstract=tex_to_unicode(abstract),
        published=_str(paper.get("publishedAt")),
        listed=listed,
        upvotes=_int(paper.get("upvotes")),
        comments=comments,
        organization=_org_name(paper.get("organization")) or _org_name(item.get("organization")),
        submitter=submitter,
        submitter_user=handle,
        github_url=_url(paper.get("githubRepo")),
        github_stars=_int(paper.get("githubStars")),
        project_page=_url(paper.get("projectPage")),
        ai_summary=_str(paper.get("ai_summary")),
        ai_keywords=keywords,
        sources=("hf",),
        thumbnail=_url(item.get("thumbnail")) or _url(paper.get("thumbnail")),
    )


def parse_daily(body: bytes, requested_day: str | None = None) -> list[Paper]:
    """A page of ``/api/daily_papers`` (a JSON list of items)."""
    data = _load_json(body, "a list of daily papers")
    if not isinstance(data, list):
        raise FetchError("Hugging Face sent JSON of the wrong shape (expected a list of papers).")
    papers = [p for p in (paper_from_item(item, requested_day) for item in data) if p is not None]
    if data and not papers:
        raise FetchError("Hugging Face sent a list with no readable papers in it.")
    return papers


def parse_paper(body: bytes) -> Paper:
    """``/api/papers/{id}``: one paper object."""
    data = _load_json(body, "a paper")
    paper = paper_from_item(data) if isinstance(data, dict) else None
    if paper is None:
        raise FetchError("Hugging Face sent JSON of the wrong shape (expected a paper).")
    return paper


def parse_search(body: bytes) -> list[Paper]:
    """``/api/papers/search``: a list of ``{"paper": {...}, ...}`` results."""
    data = _load_json(body, "search results")
    if not isinstance(data, list):
        raise FetchError("Hugging Face sent JSON of the wrong shape (expected search results).")
    papers = [p for p in (paper_from_item(item) for item in data) if p is not None]
    if data and not papers:
        raise FetchError("Hugging Face sent search results with no readable papers in them.")
    return papers


# --- fetching ----------------------------------------------------------------


def period_params(period: Period) -> dict[str, str]:
    return {{"day": "date"}.get(period.kind, period.kind): period.key}


@dataclass(frozen=True, slots=True)
class ListingFetch:
    """What :func:`fetch_listing_if_changed` got.

    ``validators`` (``etag`` / ``last_modified``) are kept only for listings that
    fit in one page: a 304 for page 0 then proves the whole listing unchanged.
    ``not_modified`` means the server answered 304 (``papers`` is then empty).
    """

    papers: list[Paper]
    validators: dict[str, str] = field(default_factory=dict)
    pages: int = 1
    not_modified: bool = False


def fetch_listing(http: Http, base_url: str, period: Period, concurrency: int = 6) -> list[Paper]:
    """Every paper of a day, ISO week or month, page by page until a short page."""
    return fetch_listing_if_changed(http, base_url, period, concurrency).papers


def fetch_listing_if_changed(
    http: Http,
    base_url: str,
    period: Period,
    concurrency: int = 6,
    validators: Mapping[str, Any] | None = None,
    cancel: threading.Event | None = None,
) -> ListingFetch:
    """A listing, or "not modified" when ``validators`` from a one-page listing still hold.

    With validators, page 0 is requested alone and conditionally
    (``If-None-Match`` / ``If-Modified-Since``); a 304 ends the fetch. Otherwise
    weeks and months request ``concurrency`` pages at a time (a sliding window;
    pages past the first short one are discarded) and days go page by page. Any
    failed page before the end fails the whole listing. Setting ``cancel`` stops it
    before its next request (:class:`~papercli.errors.CancelledError`); it is also set
    once the listing is complete (pages still in flight are no longer wanted).
    """
    url = f"{base_url}/api/daily_papers"
    day = period.key if period.kind == "day" else None
    base_params = {**period_params(period), "limit": str(PAGE_SIZE)}
    first_headers: dict[str, Mapping[str, str]] = {}
    cancel = cancel if cancel is not None else threading.Event()

    def page(n: int) -> list[Paper]:
        response = http.get(url, {**base_params, "p": str(n)}, cancel=cancel, service=SERVICE)
        if n == 0:
            first_headers["h"] = response.headers
        return parse_daily(response.body, day)

    pages: dict[int, list[Paper]] = {}
    conditional = conditional_headers(validators or {})
    if conditional:
        response = http.get(
            url, {**base_params, "p": "0"}, accept=(304,), headers=conditional, service=SERVICE
        )
        if response.status == 304:
            kept = {**sanitize_validators(validators or {}), **validators_from(response.headers)}
            return ListingFetch([], kept, 1, not_modified=True)
        first_headers["h"] = response.headers
        pages[0] = parse_daily(response.body, day)
    if not pages or len(pages[0]) >= PAGE_SIZE:
        if concurrency <= 1 or period.kind == "day":  # a day almost always fits one page
            for n in range(len(pages), MAX_PAGES):
                pages[n] = page(n)
                if len(pages[n]) < PAGE_SIZE:
                    break
        else:
            pages.update(_fetch_pages_concurrently(page, concurrency, len(pages), cancel))
    papers: list[Paper] = []
    seen: set[str] = set()
    count = 0
    for n in sorted(pages):
        count += 1
        for p in pages[n]:
            if p.id not in seen:
                seen.add(p.id)
                papers.append(p)
        if len(pages[n]) < PAGE_SIZE:
            break
    kept = validators_from(first_headers.get("h", {})) if count == 1 else {}
    return ListingFetch(papers, kept, count)


def _fetch_pages_concurrently(
    page: Callable[[int], list[Paper]],
    concurrency: int,
    start: int = 0,
    cancel: threading.Event | None = None,
) -> dict[int, list[Paper]]:
    """Pages ``start``, ``start + 1``, ..., ``concurrency`` in flight, to the first short one.

    Every thread it starts has ended when it returns or raises. Once every page up
    to the first short one is in, or a page before the end fails, or the wait is
    interrupted (Ctrl-C), it sets ``cancel`` (which ``page`` should hand to
    :meth:`Http.get <papercli.http.Http.get>`) and joins the threads still running:
    they stop before their next attempt or backoff, so at worst the wait is for
    requests already on the wire. Nothing keeps retrying after its listing is done.
    """
    cancel = cancel if cancel is not None else threading.Event()
    results: queue.Queue[tuple[int, list[Paper] | None, BaseException | None]] = queue.Queue()

    def work(n: int) -> None:
        try:
            results.put((n, page(n), None))
        except BaseException as exc:  # handed to the caller's thread
            results.put((n, None, exc))

    pages: dict[int, list[Paper]] = {}
    failures: dict[int, BaseException] = {}
    running: set[int] = set()
    next_page = start
    last_page: int | None = None  # index of the first short page seen

    threads: list[threading.Thread] = []

    def launch() -> None:
        nonlocal next_page
        while len(running) < concurrency and next_page < MAX_PAGES and not failures:
            if (last_page is not None and next_page > last_page) or cancel.is_set():
                return
            name = f"papercli-hf-page-{next_page}"
            thread = threading.Thread(target=work, args=(next_page,), name=name, daemon=True)
            threads.append(thread)
            thread.start()
            running.add(next_page)
            next_page += 1

    def settled(n: int) -> bool:
        """Every page before ``n`` is in (so whether ``n`` matters is known)."""
        return all(m in pages for m in range(start, n))

    try:
        launch()
        while running:
            n, got, error = results.get()
            running.discard(n)
            if error is not None:
                failures[n] = error
            else:
                assert got is not None
                pages[n] = got
                if len(got) < PAGE_SIZE and (last_page is None or n < last_page):
                    last_page = n
            # A failure before the end of the listing fails it; past the end, it is moot.
            for bad in sorted(failures):
                if (last_page is None or bad < last_page) and settled(bad):
                    raise failures[bad]
            if last_page is not None and settled(last_page + 1):
                break  # complete; pages past the end still in flight are cancelled
            launch()
        return pages
    finally:
        cancel.set()
        for thread in threads:
            # A second Ctrl-C interrupts this (the threads are daemons). A thread that
            # Ctrl-C caught inside start() cannot be joined, but it has not yet run:
            # it sees the cancel before its first request.
            with contextlib.suppress(RuntimeError):
                thread.join()


def fetch_paper(http: Http, base_url: str, paper_id: str) -> Paper:
    response = http.get(f"{base_url}/api/papers/{paper_id}", accept=(404,), service=SERVICE)
    if response.status == 404:
        raise NotFoundError(f"Paper {paper_id} is not on Hugging Face.")
    return parse_paper(response.body)


def search(http: Http, base_url: str, query: str, limit: int | None = None) -> list[Paper]:
    params: dict[str, str] = {"q": query}
    if limit:
        params["limit"] = str(limit)
    response = http.get(f"{base_url}/api/papers/search", params, service=SERVICE)
    return parse_search(response.body)


class HfClient:
    """The Hugging Face API with its HTTP policy, base URL and page concurrency bound once."""

    def __init__(self, http: Http, base_url: str, concurrency: int = 6) -> None:
        self.http = http
        self.base_url = base_url
        self.concurrency = concurrency
        # Listings asked ahead (prefetch): period key -> its thread and, once done, the
        # answer or the error.
        self._ahead: dict[
            str, tuple[threading.Thread, threading.Event, list[ListingFetch | Exception]]
        ] = {}

    def listing(self, period: Period, validators: Mapping[str, Any] | None = None) -> ListingFetch:
        """A day, week or month, or "not modified" (see :func:`fetch_listing_if_changed`);
        a listing asked ahead without validators is that answer (or raises its error)."""
        ahead = self._ahead.pop(period.key, None)
        if ahead is not None:
            thread, _, box = ahead
            thread.join()
            if not validators and box:
                if isinstance(box[0], Exception):
                    raise box[0]
                return box[0]
        return fetch_listing_if_changed(
            self.http, self.base_url, period, self.concurrency, validators
        )

    def prefetch(self, period: Period) -> None:
        """Start fetching ``period`` in a thread, for a later :meth:`listing` of it: while
        papercli parses and writes one listing, the service prepares the next (``papers
        sync`` of a long history). At most two at a time; :meth:`settle` waits for them."""
        if period.key in self._ahead or len(self._ahead) >= 2:
            return
        box: list[ListingFetch | Exception] = []
        cancel = threading.Event()

        def work() -> None:
            try:
                box.append(
                    fetch_listing_if_changed(
                        self.http, self.base_url, period, self.concurrency, cancel=cancel
                    )
                )
            except Exception as exc:  # handed to listing(), in the caller's thread
                box.append(exc)

        thread = threading.Thread(target=work, name=f"papercli-hf-ahead-{period.key}", daemon=True)
        self._ahead[period.key] = (thread, cancel, box)
        thread.start()

    def settle(self, *, wait: bool = True) -> None:
        """Stop the listings asked ahead and not taken: nothing more is requested for
        them, and (``wait``) no thread is left running: requests already on the wire are
        waited for. Without ``wait`` (a command ending on an error or a Ctrl-C) their
        threads, daemons, end with the process or at their next request."""
        while self._ahead:
            thread, cancel, _ = self._ahead.pop(next(iter(self._ahead)))
            cancel.set()
            if wait:
                thread.join()

    def paper(self, paper_id: str) -> Paper:
        return fetch_paper(self.http, self.base_url, paper_id)

    def search(self, query: str, limit: int | None = None) -> list[Paper]:
        return search(self.http, self.base_url, query, limit)
