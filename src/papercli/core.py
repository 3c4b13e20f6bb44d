"""The use cases: listings, show, search, cache. Wires sources, cache and query; never prints.

Notes for the user (fallbacks, stale copies, set-aside files) go through the
``warn`` callback the CLI passes in; results are returned as model objects.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from papercli.cache import Cache, Entry, describe_age
from papercli.config import Settings
from papercli.dates import Period, day_period, is_current
from papercli.errors import FetchError, NotFoundError, PapersError, UsageError
from papercli.ids import parse_paper_id
from papercli.models import Paper
from papercli.query import Query

if TYPE_CHECKING:
    from papercli.http import Http
    from papercli.sources import hf

SortKey = Literal["upvotes", "date", "title", "relevance"]
FALLBACK_DAYS = 7
HF_WINDOW = 2  # merged view: Hugging Face days either side of the arXiv announcement
ARXIV_SEARCH_LIMIT = 50  # papers search --source arxiv without --limit
# arXiv's export API knows a paper only once it is announced: up to 4 days after its
# submission (a Friday afternoon submission is announced on Monday evening or later).
ARXIV_SETTLE_DAYS = 5


@dataclass
class Filters:
    query: Query = field(default_factory=lambda: Query.parse(""))
    min_upvotes: int | None = None
    has_code: bool = False
    since: dt.date | None = None
    until: dt.date | None = None
    sort: SortKey = "upvotes"
    limit: int | None = None
    new_only: bool = False  # only papers not seen in any listing before (--new)


@dataclass
class Listing:
    papers: list[Paper]
    heading: str
    source: str
    period: Period | None = None
    total: int = 0  # before filtering
    query: Query = field(default_factory=lambda: Query.parse(""))
    more: bool = False  # cut at the limit, more papers matched
    fresh: int | None = None  # with --new: how many of the total were not shown before


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


def remote_filters(filters: Filters) -> Filters:
    """The filters to apply to a remote search's results: all but the query (the
    service matched the words) and --new (applied before)."""
    return replace(filters, query=Query.parse(""), new_only=False)


def arxiv_view(
    papers: list[Paper],
    replacements: bool,
    signals: tuple[dict[str, Paper], list[Paper]] | None,
    include_hf: bool,
) -> list[Paper]:
    """An arXiv listing as shown: announce types chosen (new and cross, or all with
    ``replacements``); with ``signals`` (Hugging Face papers by id, and those listed
    recently), each paper carries its signals, and ``include_hf`` adds the recent
    Hugging Face papers the listing lacks, marked ``hf``."""
    from papercli.sources import arxiv

    allowed = set(arxiv.ANNOUNCE_TYPES) if replacements else arxiv.DEFAULT_TYPES
    papers = [p for p in papers if p.announce_type is None or p.announce_type in allowed]
    if signals is None:
        return papers
    by_id, recent = signals
    papers = [p.merged_with_hf(by_id[p.id]) if p.id in by_id else p for p in papers]
    if include_hf:
        listed = {p.id for p in papers}
        papers += [
            replace(p, extra_marks=(*p.extra_marks, "hf")) for p in recent if p.id not in listed
        ]
    return papers


def settled_time(period: Period) -> float:
    """When a listing stops changing: two days after its last day (time zones, late additions)."""
    end = dt.datetime.combine(period.end + dt.timedelta(days=2), dt.time(), dt.UTC)
    return end.timestamp()


def arxiv_settled_time(day: dt.date) -> float:
    """When the export API's list of a day's submissions stops changing (see
    :data:`ARXIV_SETTLE_DAYS`)."""
    end = dt.datetime.combine(day + dt.timedelta(days=ARXIV_SETTLE_DAYS + 1), dt.time(), dt.UTC)
    return end.timestamp()


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
        self._noted_categories: set[str] = set()  # unknown arXiv categories warned about

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
        settled_after: float | None = None,
        revalidate: Callable[[dict[str, Any]], tuple[list[Paper], dict[str, Any]] | None]
        | None = None,
        stale_ok: bool = True,
    ) -> Entry:
        """The cached entry when fresh enough, else a fetch (saved), else the stale copy.

        ``current`` listings can still change and are refetched after the TTL; so is
        a listing whose cached copy was fetched before ``settled_after`` (a day
        fetched while it was still being filled in).

        ``revalidate``, when given, replaces ``fetch`` for a stale cached entry: it
        gets the entry's ``meta`` (where validators such as an ETag live) and
        returns None when the server says the copy is still good (HTTP 304); the
        entry is then kept with a new ``fetched_at``. ``--refresh`` always fetches.

        ``stale_ok=False`` (``papers sync``, watch rules): a failed fetch raises even
        when a cached copy exists; the copy is left as it was (the message says so).
        """
        entry = self.cache.load(source, kind, key)
        if entry is not None and settled_after is not None and entry.fetched_at < settled_after:
            current = True
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
            if revalidate is not None and entry is not None and not refresh:
                got = revalidate(entry.meta)
                if got is None:  # not modified: the cached copy is good for another ttl
                    return self.cache.save(
                        source, kind, key, entry.papers, entry.meta, fetched_at=self.now()
                    )
                papers, meta = got
            else:
                papers, meta = fetch()
        except FetchError as exc:
            if entry is None:
                raise
            age = describe_age(entry.age_seconds(self.now()))
            if not stale_ok:
                reason = str(exc).rstrip(".")
                raise type(exc)(f"{reason} (the cached copy from {age} ago is kept).") from None
            self.warn(f"{exc} Showing the cached copy of {what} from {age} ago.")
            return entry
        if not papers and entry is not None and entry.papers:
            self.warn(f"The service listed no papers for {what}; keeping the cached copy.")
            return entry
        return self.cache.save(source, kind, key, papers, meta, fetched_at=self.now())

    # -- Hugging Face listings ------------------------------------------------
    def hf_period(
        self, period: Period, *, offline: bool, refresh: bool, stale_ok: bool = True
    ) -> list[Paper]:
        concurrency = int(self.settings.get("sources.hf", "concurrency"))

        def get(validators: Any) -> tuple[hf.ListingFetch, dict[str, Any]]:
            from papercli.sources import hf  # only when fetching: a cache hit needs no HTTP

            got = hf.fetch_listing_if_changed(
                self.http,
                self.settings.hf_url,
                period,
                concurrency,
                validators if isinstance(validators, dict) else None,
            )
            return got, ({"validators": got.validators} if got.validators else {})

        def fetch() -> tuple[list[Paper], dict[str, Any]]:
            got, meta = get(None)
            return got.papers, meta

        def revalidate(meta: dict[str, Any]) -> tuple[list[Paper], dict[str, Any]] | None:
            got, new_meta = get(meta.get("validators"))
            return None if got.not_modified else (got.papers, new_meta)

        if period.kind != "month" and not refresh:
            from_months = self._hf_from_months(period, offline=offline)
            if from_months is not None:
                return from_months
        entry = self.cached_or_fetch(
            "hf",
            period.kind,
            period.key,
            fetch,
            current=is_current(period, self.today),
            offline=offline,
            refresh=refresh,
            what=f"Hugging Face papers for {period.key}",
            settled_after=settled_time(period),
            revalidate=revalidate,
            stale_ok=stale_ok,
        )
        return entry.papers

    def _hf_from_months(self, period: Period, *, offline: bool) -> list[Paper] | None:
        """A day or week taken from cached month listings (what ``papers sync`` stores).

        Used only when the period has no file of its own and every month it touches
        is cached and complete (settled, fresh, or offline); otherwise None.
        """
        from papercli.dates import parse_month

        if self.cache.load("hf", period.kind, period.key) is not None:
            return None
        first, last = period.start.isoformat(), period.end.isoformat()
        papers: list[Paper] = []
        for key in sorted({first[:7], last[:7]}):
            month = parse_month(key)
            entry = self.cache.load("hf", "month", month.key)
            if entry is None:
                return None
            usable = (
                offline
                or entry.fetched_at >= settled_time(month)
                or entry.age_seconds(self.now()) < self.settings.ttl_seconds
            )
            if not usable:
                return None
            papers += [p for p in entry.papers if p.listed and first <= p.listed <= last]
        return papers

    def _latest_cached_hf_day(self, today: dt.date) -> tuple[list[Paper], str] | None:
        """The most recent cached Hugging Face day up to ``today`` that has papers, from
        day files or from month listings (what ``papers sync`` stores)."""
        best: tuple[list[Paper], str] | None = None
        for key in reversed(self.cache.keys("hf", "day")):
            if key <= today.isoformat():
                cached = self.cache.load("hf", "day", key)
                if cached is not None and cached.papers:
                    best = (cached.papers, key)
                    break
        for key in reversed(self.cache.keys("hf", "month")):
            if best is not None and key < best[1][:7]:
                break
            if key > today.isoformat()[:7]:
                continue
            entry = self.cache.load("hf", "month", key)
            days = sorted(
                {p.listed for p in entry.papers if p.listed and p.listed <= today.isoformat()}
                if entry
                else ()
            )
            if days and (best is None or days[-1] > best[1]):
                best = ([p for p in entry.papers if p.listed == days[-1]], days[-1])  # type: ignore[union-attr]
                break
        return best

    def hf_today(self, *, offline: bool, refresh: bool) -> tuple[list[Paper], dt.date]:
        """Today's listing, or the most recent one before it when today has none yet.

        Offline, or when the network fails, the most recent cached day is shown
        with a note saying which day it is.
        """
        today = self.today
        if offline:
            latest = self._latest_cached_hf_day(today)
            if latest is None:
                raise PapersError(
                    f"No cached Hugging Face listing for {today} or before (offline)."
                )
            if latest[1] != today.isoformat():
                self.warn(f"No papers cached for {today} (offline); showing {latest[1]}.")
            return latest[0], dt.date.fromisoformat(latest[1])
        try:
            papers = self.hf_period(day_period(today), offline=False, refresh=refresh)
            if papers:
                return papers, today
            for back in range(1, FALLBACK_DAYS + 1):
                day = today - dt.timedelta(days=back)
                papers = self.hf_period(day_period(day), offline=False, refresh=False)
                if papers:
                    self.warn(f"No papers listed for {today} yet; showing {day}.")
                    return papers, day
        except FetchError as exc:
            latest = self._latest_cached_hf_day(today)
            if latest is None:
                raise
            self.warn(f"{exc} Showing the most recent cached listing, {latest[1]}.")
            return latest[0], dt.date.fromisoformat(latest[1])
        first = today - dt.timedelta(days=FALLBACK_DAYS)
        latest = self._latest_cached_hf_day(first)
        if latest is not None:  # as offline: the most recent day papercli has
            self.warn(
                f"Nothing listed from {first} to {today}; "
                f"showing the most recent cached listing, {latest[1]}."
            )
            return latest[0], dt.date.fromisoformat(latest[1])
        self.warn(f"Nothing listed on Hugging Face Daily Papers from {first} to {today}.")
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
        elif period.start > self.today:
            self.warn(f"{period.key} is in the future: nothing is listed yet.")
            papers = []
        else:
            papers = self.hf_period(period, offline=offline, refresh=refresh)
        shown, fresh = self._select(papers, filters)
        heading = f"Hugging Face Daily Papers, {period.key}"
        return Listing(shown, heading, "hf", period, len(papers), filters.query, fresh=fresh)

    def _select(self, papers: list[Paper], filters: Filters) -> tuple[list[Paper], int | None]:
        """The papers a listing shows, and with --new how many had not been shown before."""
        if not filters.new_only:
            return apply_filters(papers, filters), None
        fresh = self.unseen(papers)
        return apply_filters(fresh, filters), len(fresh)

    # -- single papers ----------------------------------------------------------
    def find_cached(self, paper_id: str) -> Paper | None:
        """The cached paper, its arXiv record carrying its Hugging Face signals when both
        sources have it (single-paper files first, then listings, newest first).

        When there is a search index (``search --offline`` and ``sync`` make one), it
        says which listing files can hold the paper and only those are read; the
        answer is the same as reading them all.
        """
        from papercli.index import SearchIndex

        holding = SearchIndex(self.cache).files_holding(paper_id)
        found: dict[str, Paper] = {}
        for source in ("hf", "arxiv"):
            entry = self.cache.load(source, "paper", paper_id)
            if entry is not None and entry.papers:
                found[source] = entry.papers[0]
        for source, kind in (
            ("hf", "day"),
            ("hf", "week"),
            ("hf", "month"),
            ("arxiv", "rss"),
            ("arxiv", "api"),
        ):
            if source in found:
                continue
            for key in reversed(self.cache.keys(source, kind)):
                if holding is not None and self.cache.relative(source, kind, key) not in holding:
                    continue
                entry = self.cache.load(source, kind, key)
                match = next((p for p in entry.papers if p.id == paper_id), None) if entry else None
                if match is not None:
                    found[source] = match
                    break
        if "hf" in found and "arxiv" in found:
            return found["arxiv"].merged_with_hf(found["hf"])
        return found.get("hf") or found.get("arxiv")

    def cached_elsewhere_than_hf(self, text: str) -> bool:
        """True when the cache knows the paper, but only from arXiv (no HF page)."""
        paper_id, _version = parse_paper_id(text)
        cached = self.find_cached(paper_id)
        return cached is not None and "hf" not in cached.sources

    def _with_hf_signals(self, paper: Paper) -> Paper:
        """An arXiv-only paper, with its Hugging Face signals when Hugging Face has it."""
        from papercli.sources import hf

        fetched = self.cache.load("arxiv", "paper", paper.id)
        if fetched is not None and fetched.age_seconds(self.now()) < self.settings.ttl_seconds:
            return paper  # fetched from arXiv just now, after Hugging Face said 404
        try:
            signals = hf.fetch_paper(self.http, self.settings.hf_url, paper.id)
        except (NotFoundError, FetchError):
            return paper
        self.cache.save("hf", "paper", paper.id, [signals], fetched_at=self.now())
        return paper.merged_with_hf(signals)

    def show(self, text: str, *, offline: bool = False, refresh: bool = False) -> Paper:
        paper_id, _version = parse_paper_id(text)
        if offline or not refresh:  # --offline wins over --refresh
            cached = self.find_cached(paper_id)
            if cached is not None:
                if "hf" in cached.sources or offline:
                    return cached
                return self._with_hf_signals(cached)
        if offline:
            raise NotFoundError(f"Paper {paper_id} is not in the cache (offline).")
        from papercli.sources import hf

        try:
            try:
                paper = hf.fetch_paper(self.http, self.settings.hf_url, paper_id)
            except NotFoundError:
                return self.arxiv_paper(paper_id, _version)
        except (FetchError, NotFoundError) as exc:
            cached = self.find_cached(paper_id) if refresh else None
            if cached is None:
                raise
            self.warn(f"{exc} Showing the cached copy of paper {paper_id}.")
            return cached
        self.cache.save("hf", "paper", paper_id, [paper], fetched_at=self.now())
        return paper

    # -- search -----------------------------------------------------------------
    def search(self, text: str, filters: Filters, source: str | None = None) -> Listing:
        from papercli.sources import hf

        if not text.strip():
            raise UsageError("Give something to search for.")
        if self.resolve_source(source, search=True) == "arxiv":
            return self.arxiv_search(text, filters)
        papers = hf.search(self.http, self.settings.hf_url, text)
        if filters.new_only:
            papers = self.unseen(papers)
        # The remote service already matched the words; local filters still apply.
        local = remote_filters(filters)
        shown = apply_filters(papers, local)
        heading = f"Hugging Face paper search: {text}"
        return Listing(shown, heading, "hf", None, len(papers), filters.query)

    # -- arXiv: category listings, the merged view, search, single papers -----------
    @property
    def arxiv_delay(self) -> float:
        """Seconds between two arXiv requests (``[sources.arxiv] delay_seconds``)."""
        return max(0.0, float(self.settings.get("sources.arxiv", "delay_seconds")))

    def resolve_source(self, source: str | None, *, search: bool = False) -> str:
        """``--source`` or ``[display] default_source``: hf, arxiv or all.

        Searching has no merged variant: ``all`` searches Hugging Face.
        """
        value = (source or str(self.settings.get("display", "default_source"))).lower()
        if value not in ("hf", "arxiv", "all"):
            raise UsageError(f"Unknown source {value!r}: use hf, arxiv or all.")
        return "hf" if search and value == "all" else value

    def arxiv_categories(self, categories: list[str] | None) -> tuple[str, ...]:
        """``-c`` or ``[sources.arxiv] categories``, checked for form (a usage error) and
        against the taxonomy (a warning: see :meth:`note_unknown_categories`)."""
        from papercli.sources import arxiv

        chosen = categories or list(self.settings.get("sources.arxiv", "categories"))
        checked = arxiv.check_categories(chosen)
        self.note_unknown_categories(checked, "" if categories else "[sources.arxiv] categories")
        return checked

    def note_unknown_categories(self, names: Iterable[str], where: str = "") -> None:
        """One warning line per name that is not an arXiv category papercli knows (with a
        suggestion), once per command. Never an error: arXiv may have added it since."""
        from papercli.arxiv_taxonomy import problem, unknown

        for name in unknown(n for n in names if n not in self._noted_categories):
            self._noted_categories.add(name)
            phrase = problem(name, f"{name} ({where})" if where else name)
            self.warn(f"Warning: {phrase}; using it anyway.")

    def _latest_arxiv_entry(self, cat_key: str) -> tuple[str, Entry] | None:
        """The most recent cached announcement for a category set: (day, entry)."""
        prefix = f"{cat_key}/"
        keys = self.cache.keys("arxiv", "rss")
        days = sorted(k[len(prefix) :] for k in keys if k.startswith(prefix))
        for day in reversed(days):
            entry = self.cache.load("arxiv", "rss", f"{prefix}{day}")
            if entry is not None and entry.papers:
                return day, entry
        return None

    def _note_announcement_day(self, day: str, names: str) -> None:
        """Say which announcement is shown when it is not today's (nothing is said otherwise)."""
        if day != self.today.isoformat():
            self.warn(f"Showing arXiv's latest announcement for {names}, of {day}.")

    def arxiv_today(
        self,
        categories: tuple[str, ...],
        *,
        offline: bool,
        refresh: bool,
        stale_ok: bool = True,
        say_day: bool = False,
    ) -> tuple[list[Paper], str | None]:
        """The latest arXiv announcement for ``categories``: (papers, announcement day).

        Cached per category set and announcement day (``arxiv/rss/cs.CL+cs.LG/DAY``).
        A cached announcement fetched less than ``ttl_minutes`` ago is served as is.
        A valid feed with no items (weekends, holidays) shows the most recent cached
        announcement and says so; a failed fetch falls back to it with a warning.
        """
        from papercli.sources import arxiv

        cat_key = arxiv.category_key(categories)
        names = "+".join(categories)
        what = f"the arXiv listing of {names}"
        latest = self._latest_arxiv_entry(cat_key)
        if offline:
            if latest is None:
                raise PapersError(f"No cached copy of {what} (offline).")
            return latest[1].papers, latest[0]
        fresh = latest is not None and (
            latest[1].age_seconds(self.now()) < self.settings.ttl_seconds
        )
        if latest is not None and fresh and not refresh:
            if say_day:
                self._note_announcement_day(latest[0], names)
            return latest[1].papers, latest[0]
        try:
            result = arxiv.fetch_rss(
                self.http, self.settings.arxiv_rss_url, categories, delay=self.arxiv_delay
            )
        except FetchError as exc:
            if latest is None:
                raise
            age = describe_age(latest[1].age_seconds(self.now()))
            if not stale_ok:
                reason = str(exc).rstrip(".")
                raise FetchError(
                    f"{reason} (the cached announcement of {latest[0]}, "
                    f"fetched {age} ago, is kept)."
                ) from None
            self.warn(
                f"{exc} Showing the cached announcement of {latest[0]} "
                f"for {names} (fetched {age} ago)."
            )
            return latest[1].papers, latest[0]
        if result.papers:
            day = result.day or self.today.isoformat()
            meta = {"categories": list(categories), "announced": day}
            self.cache.save(
                "arxiv", "rss", f"{cat_key}/{day}", result.papers, meta, fetched_at=self.now()
            )
            if say_day:
                self._note_announcement_day(day, names)
            return result.papers, day
        if latest is None:
            self.warn(f"No arXiv announcement today ({self.today}) for {names}, and none cached.")
            return [], None
        self.warn(
            f"No arXiv announcement today ({self.today}) for {names}; "
            f"showing the most recent one, {latest[0]}."
        )
        return latest[1].papers, latest[0]

    def hf_signals(self, day: dt.date, *, offline: bool) -> tuple[dict[str, Paper], list[Paper]]:
        """Hugging Face papers listed around ``day`` (HF_WINDOW days either side, not past
        today): by id (most upvoted copy), and those listed on ``day`` or later, in order.

        Hugging Face being unreachable is a warning, not a failure of the arXiv listing.
        """
        end = min(day + dt.timedelta(days=HF_WINDOW), max(self.today, day))
        by_id: dict[str, Paper] = {}
        recent: list[Paper] = []
        problem: str | None = None
        found = False
        # The announcement day first, then later days, then earlier ones.
        offsets = [0, *range(1, (end - day).days + 1), *range(-1, -HF_WINDOW - 1, -1)]
        for current in (day + dt.timedelta(days=n) for n in offsets):
            try:
                papers = self.hf_period(day_period(current), offline=offline, refresh=False)
            except FetchError as exc:
                problem = str(exc)
                break  # the service is down: do not wait on every day in turn
            except PapersError as exc:  # offline, nothing cached for that day
                problem = problem or str(exc)
                papers = []
            else:
                found = True
            for p in papers:
                known = by_id.get(p.id)
                if known is None or (p.upvotes or 0) > (known.upvotes or 0):
                    by_id[p.id] = p
                if current >= day and known is None:
                    recent.append(p)
        if problem and not found:
            self.warn(f"Hugging Face signals unavailable: {problem}")
        return by_id, recent

    def arxiv_listing(
        self,
        categories: list[str] | None,
        filters: Filters,
        *,
        merged: bool = False,
        replacements: bool = False,
        include_hf: bool = False,
        offline: bool = False,
        refresh: bool = False,
    ) -> Listing:
        """``papers today --source arxiv|all``: the day's arXiv announcement for some
        categories; merged, each paper carries its Hugging Face signals."""
        from papercli.sources import arxiv

        cats = self.arxiv_categories(categories)
        papers, day = self.arxiv_today(cats, offline=offline, refresh=refresh, say_day=True)
        names = "+".join(cats)
        heading = f"arXiv {names}, announced {day or self.today.isoformat()}"
        signals = None
        if merged:
            when = f"announced {day or self.today.isoformat()}"
            heading = f"arXiv {names} with Hugging Face signals, {when}"
            announced = arxiv.announcement_day(day) or self.today
            signals = self.hf_signals(announced, offline=offline)
        papers = arxiv_view(papers, replacements, signals, include_hf)
        shown, fresh = self._select(papers, filters)
        period = day_period(arxiv.announcement_day(day) or self.today)
        source = "all" if merged else "arxiv"
        return Listing(shown, heading, source, period, len(papers), filters.query, fresh=fresh)

    def arxiv_search(self, text: str, filters: Filters) -> Listing:
        """``papers search --source arxiv``: the export API, paged politely up to the limit."""
        from papercli.sources import arxiv

        limit = ARXIV_SEARCH_LIMIT if filters.limit is None else max(0, filters.limit)
        query = arxiv.to_search_query(text)  # a usage error before any request
        self.note_unknown_categories(arxiv.query_categories(query), "in the search")
        papers: list[Paper] = []
        total: int | None = 0
        if limit:
            sort_by = "submittedDate" if filters.sort == "date" else "relevance"
            papers, total = arxiv.search(
                self.http,
                self.settings.arxiv_api_url,
                text,
                limit,
                sort_by=sort_by,
                delay=self.arxiv_delay,
            )
        local = remote_filters(filters)
        shown = apply_filters(papers, local)
        heading = f"arXiv search: {query}"
        return Listing(shown, heading, "arxiv", None, total or len(papers), filters.query)

    def arxiv_paper(self, paper_id: str, version: int | None = None) -> Paper:
        """One paper from the arXiv export API (``id_list``), cached as ``arxiv/paper/ID``."""
        from papercli.sources import arxiv

        try:
            paper = arxiv.fetch_paper(
                self.http, self.settings.arxiv_api_url, paper_id, version, delay=self.arxiv_delay
            )
        except NotFoundError:
            raise NotFoundError(
                f"Paper {paper_id} was not found on Hugging Face or arXiv."
            ) from None
        except FetchError as exc:
            raise FetchError(
                f"Paper {paper_id} was not found on Hugging Face, and arXiv failed: {exc}"
            ) from None
        self.cache.save("arxiv", "paper", paper_id, [paper], fetched_at=self.now())
        return paper

    # -- arXiv history: past days from cached announcements or the export API ---------
    def arxiv_cached_day(self, categories: tuple[str, ...], day: dt.date) -> Entry | None:
        """A cached listing covering ``categories`` on ``day``: an RSS announcement of that
        day first, then the export API's submissions of that day; the same category set
        first, else a larger set's listing narrowed to papers in ``categories``."""
        from papercli.sources import arxiv

        wanted = set(categories)
        suffix = f"/{day.isoformat()}"
        exact_key = arxiv.category_key(categories) + suffix
        for kind in ("rss", "api"):
            exact = self.cache.load("arxiv", kind, exact_key)
            if exact is not None and (exact.papers or kind == "api"):
                return exact
            for key in self.cache.keys("arxiv", kind):
                if not key.endswith(suffix) or key == exact_key:
                    continue
                if set(key[: -len(suffix)].split("+")) > wanted:
                    entry = self.cache.load("arxiv", kind, key)
                    if entry is not None and entry.papers:
                        papers = [p for p in entry.papers if wanted & set(p.categories)]
                        return replace(entry, papers=papers)
        return None

    def arxiv_api_day(
        self,
        categories: tuple[str, ...],
        day: dt.date,
        *,
        offline: bool,
        refresh: bool,
        stale_ok: bool = True,
    ) -> list[Paper]:
        """The papers submitted on ``day`` in ``categories`` (export API), cached as
        ``arxiv/api/<cats>/<day>``; refetched after the TTL until the day has settled."""
        from papercli.sources import arxiv

        def fetch() -> tuple[list[Paper], dict[str, Any]]:
            papers = arxiv.fetch_day(
                self.http, self.settings.arxiv_api_url, categories, day, delay=self.arxiv_delay
            )
            return papers, {"categories": list(categories), "submitted": day.isoformat()}

        entry = self.cached_or_fetch(
            "arxiv",
            "api",
            f"{arxiv.category_key(categories)}/{day.isoformat()}",
            fetch,
            current=day >= self.today,
            offline=offline,
            refresh=refresh,
            what=f"the arXiv submissions of {day} in {'+'.join(categories)}",
            settled_after=arxiv_settled_time(day),
            stale_ok=stale_ok,
        )
        return entry.papers

    def arxiv_day(
        self, categories: tuple[str, ...], day: dt.date, *, offline: bool, refresh: bool
    ) -> tuple[list[Paper], str]:
        """One past day of arXiv for ``categories``: (papers, "rss" or "api").

        A cached announcement of that day wins; else a cached listing of the day's
        submissions that has settled; else the export API.
        """
        from papercli.sources import arxiv

        if not refresh:
            cached = self.arxiv_cached_day(categories, day)
            exact_key = f"{arxiv.category_key(categories)}/{day.isoformat()}"
            if cached is not None and (
                cached.kind == "rss"
                or offline
                or (cached.key != exact_key and cached.fetched_at >= arxiv_settled_time(day))
            ):
                return cached.papers, cached.kind
        return self.arxiv_api_day(categories, day, offline=offline, refresh=refresh), "api"

    def _hf_signals_for(
        self, period: Period, *, offline: bool
    ) -> tuple[dict[str, Paper], list[Paper]]:
        """Hugging Face signals for an arXiv listing of ``period``: around the day for a
        day; the week's or month's own Hugging Face listing otherwise."""
        if period.kind == "day":
            return self.hf_signals(period.start, offline=offline)
        try:
            papers = self.hf_period(period, offline=offline, refresh=False)
        except PapersError as exc:
            self.warn(f"Hugging Face signals unavailable: {exc}")
            return {}, []
        by_id: dict[str, Paper] = {}
        for p in papers:
            known = by_id.get(p.id)
            if known is None or (p.upvotes or 0) > (known.upvotes or 0):
                by_id[p.id] = p
        return by_id, list(by_id.values())

    def arxiv_period_listing(
        self,
        period: Period,
        categories: list[str] | None,
        filters: Filters,
        *,
        merged: bool = False,
        replacements: bool = False,
        include_hf: bool = False,
        offline: bool = False,
        refresh: bool = False,
    ) -> Listing:
        """``papers list --source arxiv|all``: the arXiv papers of the days of ``period``
        (up to today), from cached announcements or the export API, one day at a time.

        When fetching fails, the days already cached are still shown, with a warning.
        """

        cats = self.arxiv_categories(categories)
        names = "+".join(cats)
        days = [d for d in period.days() if d <= self.today]
        if not days:
            self.warn(f"{period.key} is in the future: arXiv has nothing for it yet.")
        papers: list[Paper] = []
        seen: set[str] = set()
        origins: set[str] = set()
        missing: list[str] = []
        failure: PapersError | None = None
        for day in days:
            try:
                got, origin = self.arxiv_day(
                    cats, day, offline=offline or failure is not None, refresh=refresh
                )
            except FetchError as exc:
                if len(days) == 1:
                    raise
                failure = failure or exc
                missing.append(day.isoformat())
                continue
            except PapersError:
                if len(days) == 1 or (failure is None and not offline):
                    raise
                missing.append(day.isoformat())
                continue
            origins.add(origin)
            for p in got:
                if p.id not in seen:
                    seen.add(p.id)
                    papers.append(p)
        if missing:
            if not origins:
                raise failure or PapersError(f"No cached copy of arXiv {names} for {period.key}.")
            reason = f" ({failure})" if failure else ""
            self.warn(
                f"arXiv {names}: {len(missing)} of {len(days)} days could not be listed"
                f"{reason}; showing the others."
            )
        when = {
            frozenset({"rss"}): f"announced {period.key}",
            frozenset({"api"}): f"submitted {period.key}",
        }.get(frozenset(origins), period.key)
        heading = f"arXiv {names}, {when}"
        signals = None
        if merged:
            heading = f"arXiv {names} with Hugging Face signals, {when}"
            signals = self._hf_signals_for(period, offline=offline)
        papers = arxiv_view(papers, replacements, signals, include_hf)
        shown, fresh = self._select(papers, filters)
        source = "all" if merged else "arxiv"
        return Listing(shown, heading, source, period, len(papers), filters.query, fresh=fresh)

    def source_listing(
        self,
        period: Period | None,
        source: str | None,
        filters: Filters,
        *,
        categories: list[str] | None = None,
        replacements: bool = False,
        include_hf: bool = False,
        offline: bool = False,
        refresh: bool = False,
    ) -> Listing:
        """``papers today`` (``period`` None) and ``papers list`` for any source
        (``--source`` or the configured default)."""
        chosen = self.resolve_source(source)
        if chosen == "hf":
            if categories or replacements or include_hf:
                raise UsageError(
                    "-c/--category, --replacements and --include-hf need --source arxiv or all."
                )
            return self.listing(period, filters, offline=offline, refresh=refresh)
        if include_hf and chosen != "all":
            raise UsageError("--include-hf needs --source all.")
        options = {
            "merged": chosen == "all",
            "replacements": replacements,
            "include_hf": include_hf,
            "offline": offline,
            "refresh": refresh,
        }
        if period is None:
            return self.arxiv_listing(categories, filters, **options)
        return self.arxiv_period_listing(period, categories, filters, **options)

    # -- seen papers (--new) ----------------------------------------------------------
    def unseen(self, papers: list[Paper]) -> list[Paper]:
        """The papers not seen in any listing shown before."""
        from papercli.state import State, base_id

        seen = State(self.settings.state_dir, self.warn).seen_ids()
        return [p for p in papers if base_id(p.id) not in seen]

    def mark_seen(self, papers: list[Paper]) -> None:
        """Remember papers as seen, when ``[display] mark_seen`` is on."""
        if papers and self.settings.get("display", "mark_seen"):
            from papercli.state import State

            try:
                State(self.settings.state_dir, self.warn).mark_seen(
                    (p.id for p in papers), self.today
                )
            except (OSError, PapersError) as exc:  # shown anyway; only --new loses track
                self.warn(f"Could not remember the papers as seen: {exc}")

    # -- local search -------------------------------------------------------------------
    def local_search(self, filters: Filters) -> Listing:
        """``papers search --offline``: every cached listing of every source.

        Newest-first and upvotes orders come from the index in order, so that only
        the first ``limit`` matches are read; other orders read every match.
        """
        from papercli.local import iter_matches, sort_by_relevance

        order = filters.sort if filters.sort in ("date", "upvotes") else None
        seen = None
        if filters.new_only:
            from papercli.state import State

            seen = State(self.settings.state_dir, self.warn).seen_ids()
        limit = filters.limit
        papers: list[Paper] = []
        more = False
        for p in iter_matches(self.cache, filters.query, filters.since, filters.until, order):
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
        heading = f"the local cache matching {filters.query.text!r}"
        listing = Listing(papers, heading, "cache", None, len(papers), filters.query)
        listing.more = more
        return listing
