"""The use cases: listings, show, search, cache. Wires sources, cache and query; never prints.

Notes for the user (fallbacks, stale copies, set-aside files) go through the
``warn`` callback the CLI passes in; results are returned as model objects.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from papercli.cache import Cache, Entry, describe_age
from papercli.config import Settings
from papercli.dates import Period, day_period, is_current
from papercli.errors import FetchError, NotFoundError, PapersError
from papercli.ids import parse_paper_id
from papercli.models import Paper
from papercli.query import Query

if TYPE_CHECKING:
    from papercli.http import Http

SortKey = Literal["upvotes", "date", "title", "relevance"]
FALLBACK_DAYS = 7


@dataclass
class Filters:
    query: Query = field(default_factory=lambda: Query.parse(""))
    min_upvotes: int | None = None
    has_code: bool = False
    since: dt.date | None = None
    until: dt.date | None = None
    sort: SortKey = "upvotes"
    limit: int | None = None


@dataclass
class Listing:
    papers: list[Paper]
    heading: str
    source: str
    period: Period | None = None
    total: int = 0  # before filtering
    query: Query = field(default_factory=lambda: Query.parse(""))


def _paper_day(p: Paper) -> str:
    return p.listed or (p.published or "")[:10]


def sort_papers(papers: list[Paper], key: SortKey) -> list[Paper]:
    """Stable sorts: papers without the key keep their order after the others."""
    if key == "upvotes":
        return sorted(papers, key=lambda p: -(p.upvotes if p.upvotes is not None else -1))
    if key == "date":
        return sorted(papers, key=lambda p: p.published or _paper_day(p), reverse=True)
    if key == "title":
        return sorted(papers, key=lambda p: p.title.casefold())
    return list(papers)


def apply_filters(papers: list[Paper], filters: Filters) -> list[Paper]:
    out = filters.query.filter(papers)
    if filters.min_upvotes is not None:
        out = [p for p in out if (p.upvotes or 0) >= filters.min_upvotes]
    if filters.has_code:
        out = [p for p in out if p.has_code]
    if filters.since or filters.until:
        lo = filters.since.isoformat() if filters.since else ""
        hi = filters.until.isoformat() if filters.until else "9999"
        out = [p for p in out if lo <= _paper_day(p)[:10] <= hi]
    out = sort_papers(out, filters.sort)
    if filters.limit is not None:
        out = out[: max(0, filters.limit)]
    return out


class App:
    """One command's context: settings, cache, a lazily built HTTP client, the clock."""

    def __init__(
        self,
        settings: Settings,
        warn: Callable[[str], None],
        *,
        today: dt.date | None = None,
        now: Callable[[], float] = time.time,
        http: Http | None = None,
    ) -> None:
        self.settings = settings
        self.warn = warn
        self.today = today or dt.date.today()
        self.now = now
        self.cache = Cache(settings.cache_dir, warn)
        self._http = http

    @property
    def http(self) -> Http:
        if self._http is None:
            from papercli.http import Http, Policy

            self._http = Http(Policy.from_settings(self.settings))
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    # -- the cache-or-fetch rule --------------------------------------------
    def cached_or_fetch(
        self,
        source: str,
        kind: str,
        key: str,
        fetch: Callable[[], tuple[list[Paper], dict[str, Any]]],
        *,
        current: bool,
        offline: bool,
        refresh: bool,
        what: str,
    ) -> Entry:
        """The cached entry when fresh enough, else a fetch (saved), else the stale copy."""
        entry = self.cache.load(source, kind, key)
        if offline:
            if entry is None:
                raise PapersError(f"No cached copy of {what} (offline).")
            return entry
        # Listings that can still change (and empty ones, which may be a hiccup of
        # the service) are refetched after the TTL; a fetch time in the future
        # (a clock that jumped, an edited file) is not trusted as fresh.
        fresh = entry is not None and (
            (not current and bool(entry.papers))
            or 0 <= self.now() - entry.fetched_at < self.settings.ttl_seconds
        )
        if fresh and not refresh:
            return entry  # type: ignore[return-value]
        try:
            papers, meta = fetch()
        except FetchError as exc:
            if entry is None:
                raise
            age = describe_age(entry.age_seconds(self.now()))
            self.warn(f"{exc} Showing the cached copy of {what} from {age} ago.")
            return entry
        if not papers and entry is not None and entry.papers:
            self.warn(f"The service listed no papers for {what}; keeping the cached copy.")
            return entry
        return self.cache.save(source, kind, key, papers, meta, fetched_at=self.now())

    # -- Hugging Face listings ------------------------------------------------
    def hf_period(self, period: Period, *, offline: bool, refresh: bool) -> list[Paper]:
        from papercli.sources import hf

        def fetch() -> tuple[list[Paper], dict[str, Any]]:
            concurrency = int(self.settings.get("sources.hf", "concurrency"))
            return hf.fetch_listing(self.http, self.settings.hf_url, period, concurrency), {}

        entry = self.cached_or_fetch(
            "hf",
            period.kind,
            period.key,
            fetch,
            current=is_current(period, self.today),
            offline=offline,
            refresh=refresh,
            what=f"Hugging Face papers for {period.key}",
        )
        return entry.papers

    def hf_today(self, *, offline: bool, refresh: bool) -> tuple[list[Paper], dt.date]:
        """Today's listing, or the most recent one before it when today has none yet."""
        today = self.today
        if offline:
            entry = self.cache.load("hf", "day", today.isoformat())
            if entry is not None and entry.papers:
                return entry.papers, today
            for key in reversed(self.cache.keys("hf", "day")):
                if key < today.isoformat():
                    cached = self.cache.load("hf", "day", key)
                    if cached is not None and cached.papers:
                        self.warn(f"No papers cached for {today} (offline); showing {key}.")
                        return cached.papers, dt.date.fromisoformat(key)
            raise PapersError(f"No cached Hugging Face listing for {today} or before (offline).")
        papers = self.hf_period(day_period(today), offline=False, refresh=refresh)
        if papers:
            return papers, today
        for back in range(1, FALLBACK_DAYS + 1):
            day = today - dt.timedelta(days=back)
            papers = self.hf_period(day_period(day), offline=False, refresh=False)
            if papers:
                self.warn(f"No papers listed for {today} yet; showing {day}.")
                return papers, day
        self.warn(f"No papers listed for {today} or the {FALLBACK_DAYS} days before it.")
        return [], today

    def listing(
        self,
        period: Period | None,
        filters: Filters,
        *,
        offline: bool = False,
        refresh: bool = False,
    ) -> Listing:
        """``papers today`` (period None) and ``papers list``: Hugging Face listings."""
        if period is None:
            papers, day = self.hf_today(offline=offline, refresh=refresh)
            period = day_period(day)
        else:
            papers = self.hf_period(period, offline=offline, refresh=refresh)
        shown = apply_filters(papers, filters)
        heading = f"Hugging Face Daily Papers, {period.key}"
        return Listing(shown, heading, "hf", period, len(papers), filters.query)

    # -- single papers ----------------------------------------------------------
    def find_cached(self, paper_id: str) -> Paper | None:
        for source in ("hf", "arxiv"):
            entry = self.cache.load(source, "paper", paper_id)
            if entry is not None and entry.papers:
                return entry.papers[0]
        found: Paper | None = None
        for source, kind in (("hf", "day"), ("hf", "week"), ("hf", "month"), ("arxiv", "rss")):
            for key in reversed(self.cache.keys(source, kind)):
                entry = self.cache.load(source, kind, key)
                for p in entry.papers if entry else ():
                    if p.id == paper_id:
                        if source == "hf":
                            return p
                        found = found or p
        return found

    def show(self, text: str, *, offline: bool = False, refresh: bool = False) -> Paper:
        paper_id, _version = parse_paper_id(text)
        if not refresh:
            cached = self.find_cached(paper_id)
            if cached is not None:
                return cached
        if offline:
            raise NotFoundError(f"Paper {paper_id} is not in the cache (offline).")
        from papercli.sources import hf

        try:
            try:
                paper = hf.fetch_paper(self.http, self.settings.hf_url, paper_id)
            except NotFoundError:
                raise NotFoundError(f"Paper {paper_id} was not found on Hugging Face.") from None
        except (FetchError, NotFoundError) as exc:
            cached = self.find_cached(paper_id) if refresh else None
            if cached is None:
                raise
            self.warn(f"{exc} Showing the cached copy of paper {paper_id}.")
            return cached
        self.cache.save("hf", "paper", paper_id, [paper], fetched_at=self.now())
        return paper

    # -- search -----------------------------------------------------------------
    def search(self, text: str, filters: Filters) -> Listing:
        from papercli.sources import hf

        if not text.strip():
            raise PapersError("Give something to search for.")
        papers = hf.search(self.http, self.settings.hf_url, text)
        # The remote service already matched the words; local filters still apply.
        local = Filters(
            min_upvotes=filters.min_upvotes,
            has_code=filters.has_code,
            since=filters.since,
            until=filters.until,
            sort=filters.sort,
            limit=filters.limit,
        )
        shown = apply_filters(papers, local)
        heading = f"Hugging Face paper search: {text}"
        return Listing(shown, heading, "hf", None, len(papers), filters.query)
