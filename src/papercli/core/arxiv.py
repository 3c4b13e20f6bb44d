"""arXiv listings: the latest announcement of some categories, past days (cached
announcements or the export API's submissions), search, and single papers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from papercli.core import merged
from papercli.core.freshness import arxiv_settled_time, cached_or_fetch, fresh_in, store
from papercli.core.listing import Filters, Listing, apply_filters, listing_of, remote_filters
from papercli.dates import Period, day_period
from papercli.errors import FetchError, NotFoundError, PapersError
from papercli.models import Paper
from papercli.storage.cache import Entry, describe_age

if TYPE_CHECKING:
    from papercli.core.context import Context

SEARCH_LIMIT = 50  # papers search --source arxiv without --limit


def _category_key(categories: tuple[str, ...]) -> str:
    from papercli.sources.arxiv import category_key

    return category_key(categories)


def _announcement_day(value: str | None) -> dt.date | None:
    from papercli.sources.arxiv import announcement_day

    return announcement_day(value)


# -- the latest announcement (RSS) ------------------------------------------------------
def _latest_entry(ctx: Context, cat_key: str) -> tuple[str, Entry] | None:
    """The most recent cached announcement for a category set: (day, entry)."""
    prefix = f"{cat_key}/"
    keys = ctx.cache.keys("arxiv", "rss")
    days = sorted(k[len(prefix) :] for k in keys if k.startswith(prefix))
    for day in reversed(days):
        entry = ctx.cache.load("arxiv", "rss", f"{prefix}{day}")
        if entry is not None and entry.papers:
            return day, entry
    return None


def _note_day(ctx: Context, day: str, names: str) -> None:
    """Say which announcement is shown when it is not today's (nothing is said otherwise)."""
    if day != ctx.today.isoformat():
        ctx.warn(f"Showing arXiv's latest announcement for {names}, of {day}.")


def latest_announcement(
    ctx: Context,
    categories: tuple[str, ...],
    *,
    offline: bool,
    refresh: bool,
    stale_ok: bool = True,
    say_day: bool = False,
) -> tuple[list[Paper], str | None]:
    """The latest arXiv announcement for ``categories``: (papers, announcement day).

    Cached per category set and announcement day (``arxiv/rss/cs.CL+cs.LG/DAY``).
    Whether a new announcement may exist is the one freshness rule (a current
    listing). A valid feed with no items (weekends, holidays) shows the most recent
    cached announcement and says so; a failed fetch falls back to it with a warning.
    """
    cat_key = _category_key(categories)
    names = "+".join(categories)
    what = f"the arXiv listing of {names}"
    latest = _latest_entry(ctx, cat_key)
    if offline:
        if latest is None:
            raise PapersError(f"No cached copy of {what} (offline).")
        return latest[1].papers, latest[0]
    if latest is not None and not refresh and fresh_in(ctx, latest[1], current=True):
        if say_day:
            _note_day(ctx, latest[0], names)
        return latest[1].papers, latest[0]
    try:
        result = ctx.arxiv.announcement(categories)
    except FetchError as exc:
        if latest is None:
            raise
        age = describe_age(latest[1].age_seconds(ctx.now()))
        if not stale_ok:
            reason = str(exc).rstrip(".")
            raise FetchError(
                f"{reason} (the cached announcement of {latest[0]}, fetched {age} ago, is kept)."
            ) from None
        ctx.warn(
            f"{exc} Showing the cached announcement of {latest[0]} for {names} (fetched {age} ago)."
        )
        return latest[1].papers, latest[0]
    if result.papers:
        day = result.day or ctx.today.isoformat()
        meta = {"categories": list(categories), "announced": day}
        ctx.cache.save(
            "arxiv", "rss", f"{cat_key}/{day}", result.papers, meta, fetched_at=ctx.now()
        )
        if say_day:
            _note_day(ctx, day, names)
        return result.papers, day
    if latest is None:
        ctx.warn(f"No arXiv announcement today ({ctx.today}) for {names}, and none cached.")
        return [], None
    ctx.warn(
        f"No arXiv announcement today ({ctx.today}) for {names}; "
        f"showing the most recent one, {latest[0]}."
    )
    return latest[1].papers, latest[0]


def today_listing(
    ctx: Context,
    categories: list[str] | None,
    filters: Filters,
    *,
    merged_view: bool = False,
    replacements: bool = False,
    include_hf: bool = False,
    offline: bool = False,
    refresh: bool = False,
) -> Listing:
    """``papers today --source arxiv|all``: the day's arXiv announcement for some
    categories; merged, each paper carries its Hugging Face signals."""
    cats = ctx.arxiv_categories(categories)
    papers, day = latest_announcement(ctx, cats, offline=offline, refresh=refresh, say_day=True)
    names = "+".join(cats)
    when = f"announced {day or ctx.today.isoformat()}"
    label = f"arXiv {names}"
    signals = None
    if merged_view:
        label = f"arXiv {names} with Hugging Face signals"
        announced = _announcement_day(day) or ctx.today
        signals = merged.signals_around(ctx, announced, offline=offline)
    papers = merged.arxiv_view(papers, replacements, signals, include_hf)
    shown_day = _announcement_day(day) or ctx.today
    source = "all" if merged_view else "arxiv"
    return listing_of(
        ctx,
        papers,
        filters,
        f"{label}, {when}",
        source,
        day_period(shown_day),
        offline=offline,
        label=label,
        day_word="announced" if day else "",
        asked=ctx.today if day and shown_day != ctx.today else None,
    )


# -- search and single papers -------------------------------------------------------------
def search(ctx: Context, text: str, filters: Filters) -> Listing:
    """``papers search --source arxiv``: the export API, paged politely up to the limit."""
    from papercli.sources.arxiv import query_categories, to_search_query

    limit = SEARCH_LIMIT if filters.limit is None else max(0, filters.limit)
    query = to_search_query(text)  # a usage error before any request
    ctx.note_unknown_categories(query_categories(query), "in the search")
    papers: list[Paper] = []
    total: int | None = 0
    if limit:
        sort_by = "submittedDate" if filters.sort == "date" else "relevance"
        papers, total = ctx.arxiv.search(text, limit, sort_by=sort_by)
    shown = apply_filters(papers, remote_filters(filters))
    heading = f"arXiv search: {query}"
    return Listing(
        shown, heading, "arxiv", None, total or len(papers), filters.query, label=heading
    )


def paper(ctx: Context, paper_id: str, version: int | None = None) -> Paper:
    """One paper from the arXiv export API (``id_list``), cached as ``arxiv/paper/ID``."""
    try:
        found = ctx.arxiv.paper(paper_id, version)
    except NotFoundError:
        raise NotFoundError(f"Paper {paper_id} was not found on Hugging Face or arXiv.") from None
    except FetchError as exc:
        raise FetchError(
            f"Paper {paper_id} was not found on Hugging Face, and arXiv failed: {exc}"
        ) from None
    ctx.cache.save("arxiv", "paper", paper_id, [found], fetched_at=ctx.now())
    return found


# -- past days: cached announcements or the export API ----------------------------------------
def cached_day(ctx: Context, categories: tuple[str, ...], day: dt.date) -> Entry | None:
    """A cached listing covering ``categories`` on ``day``: an RSS announcement of that
    day first, then the export API's submissions of that day; the same category set
    first, else a larger set's listing narrowed to papers in ``categories``."""
    wanted = set(categories)
    suffix = f"/{day.isoformat()}"
    exact_key = _category_key(categories) + suffix
    for kind in ("rss", "api"):
        exact = ctx.cache.load("arxiv", kind, exact_key)
        if exact is not None and _answers(exact, kind):
            return exact
        for key in ctx.cache.keys("arxiv", kind):
            if not key.endswith(suffix) or key == exact_key:
                continue
            if set(key[: -len(suffix)].split("+")) > wanted:
                entry = ctx.cache.load("arxiv", kind, key)
                if entry is not None and _answers(entry, kind):
                    papers = [p for p in entry.papers if wanted & set(p.categories)]
                    return replace(entry, papers=papers)
    return None


def _answers(entry: Entry, kind: str) -> bool:
    """Whether a cached listing answers for its day: one with papers, or the export
    API's (a day without submissions, known to be empty). An empty announcement may be
    none at all (a holiday), and is asked for again."""
    return bool(entry.papers) or kind == "api"


def day_is_fresh(ctx: Context, entry: Entry, day: dt.date) -> bool:
    """A cached listing of an arXiv day may be served: an announcement never changes once
    made; the export API's submissions follow the one freshness rule."""
    if entry.kind == "rss":
        return True
    return fresh_in(ctx, entry, current=day >= ctx.today, settled_at=arxiv_settled_time(day))


def _day_key(categories: tuple[str, ...], day: dt.date) -> str:
    return f"{_category_key(categories)}/{day.isoformat()}"


def _day_meta(categories: tuple[str, ...], day: dt.date) -> dict[str, object]:
    return {"categories": list(categories), "submitted": day.isoformat()}


def _day_what(categories: tuple[str, ...], day: dt.date) -> str:
    return f"the arXiv submissions of {day} in {'+'.join(categories)}"


def submitted_day(
    ctx: Context,
    categories: tuple[str, ...],
    day: dt.date,
    *,
    offline: bool,
    refresh: bool,
    stale_ok: bool = True,
) -> list[Paper]:
    """The papers submitted on ``day`` in ``categories`` (export API), cached as
    ``arxiv/api/<cats>/<day>``; refetched after the TTL until the day has settled."""

    def fetch() -> tuple[list[Paper], dict[str, object]]:
        return ctx.arxiv.day(categories, day), _day_meta(categories, day)

    entry = cached_or_fetch(
        ctx,
        "arxiv",
        "api",
        _day_key(categories, day),
        fetch,  # type: ignore[arg-type]
        current=day >= ctx.today,
        offline=offline,
        refresh=refresh,
        what=_day_what(categories, day),
        settled_after=arxiv_settled_time(day),
        stale_ok=stale_ok,
    )
    return entry.papers


RANGE_DAYS = 31  # the most days one export-API query asks for: about a month


def day_ranges(days: list[dt.date], longest: int | None = None) -> list[tuple[dt.date, dt.date]]:
    """``days`` (ascending) as ranges (first, last) of consecutive days, each at most
    ``longest`` (default :data:`RANGE_DAYS`) days: a longer run is cut into equal parts."""
    longest = RANGE_DAYS if longest is None else longest
    runs: list[list[dt.date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == dt.timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    out: list[tuple[dt.date, dt.date]] = []
    for run in runs:
        parts = -(-len(run) // max(1, longest))  # rounded up, as is the size
        size = -(-len(run) // parts)
        out += [(run[i], run[min(i + size, len(run)) - 1]) for i in range(0, len(run), size)]
    return out


def days_of(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def describe_days(days: list[dt.date]) -> str:
    """``2025-07-01 to 2025-07-31, 2025-08-04``: days as their ranges."""
    return ", ".join(
        str(a) if a == b else f"{a} to {b}" for a, b in day_ranges(days, longest=len(days))
    )


@dataclass
class RangeSpan:
    """How many days one query may ask for. It narrows when a range held more papers
    than one query can give, so that the later ranges of a sync are cut before asking."""

    longest: int = field(default_factory=lambda: RANGE_DAYS)


def _save_day(ctx: Context, categories: tuple[str, ...], day: dt.date, papers: list[Paper]) -> None:
    """Cache one day of the export API's submissions exactly as :func:`submitted_day` does."""
    key = _day_key(categories, day)
    entry = ctx.cache.load("arxiv", "api", key)
    meta = _day_meta(categories, day)
    store(ctx, entry, "arxiv", "api", key, papers, meta, _day_what(categories, day))


def submitted_range(
    ctx: Context,
    categories: tuple[str, ...],
    first: dt.date,
    last: dt.date,
    span: RangeSpan | None = None,
) -> list[dt.date]:
    """Fetch the submissions of every day from ``first`` to ``last`` in ``categories``
    with one export-API query (paged), and cache each day as :func:`submitted_day` would
    (``arxiv/api/<cats>/<day>``, fetched now, an empty day too); returns the days saved.

    A range over the API's cap is cut smaller (``span`` remembers it); an answer that
    cannot be split into days is fetched again one day at a time. A failure raises after
    the parts already complete were saved (the message names them); no day of an
    incomplete answer is ever written.
    """
    from papercli.sources.arxiv_days import API_QUERY_CAP, TooManyResults, UnsplittableRange

    span = span or RangeSpan()
    pending = day_ranges(days_of(first, last), span.longest)
    saved: list[dt.date] = []
    try:
        while pending:
            lo, hi = pending.pop(0)
            try:
                by_day = ctx.arxiv.days(categories, lo, hi)
            except TooManyResults as exc:
                if lo == hi:
                    raise FetchError(
                        f"arXiv lists {exc.total} papers submitted on {lo} in "
                        f"{'+'.join(categories)}, more than one query gives ({API_QUERY_CAP}); "
                        "sync fewer categories at a time."
                    ) from None
                length = (hi - lo).days + 1  # cut to hold about four fifths of the cap
                span.longest = max(
                    1, min(length // 2, length * API_QUERY_CAP * 4 // (5 * exc.total))
                )
                pending[:0] = day_ranges(days_of(lo, hi), span.longest)
                continue
            except UnsplittableRange as exc:
                ctx.warn(f"{exc} Asking for those days one at a time.")
                by_day = {}
                for day in days_of(lo, hi):
                    _save_day(ctx, categories, day, ctx.arxiv.day(categories, day))
                    saved.append(day)
            for day, papers in by_day.items():
                _save_day(ctx, categories, day, papers)
                saved.append(day)
    except PapersError as exc:
        if not saved:
            raise
        reason = exc.message.rstrip(".")
        raise type(exc)(f"{reason} ({describe_days(saved)} saved).") from None
    return saved


def fresh_day(ctx: Context, categories: tuple[str, ...], day: dt.date) -> Entry | None:
    """The cached listing of ``day`` (an announcement, or the submissions of these
    categories or more) when it needs no fetch by the one freshness rule, else None."""
    cached = cached_day(ctx, categories, day)
    return cached if cached is not None and day_is_fresh(ctx, cached, day) else None


def fetch_stale_days(
    ctx: Context, categories: tuple[str, ...], days: list[dt.date], *, refresh: bool
) -> tuple[set[dt.date], FetchError | None]:
    """Fetch the past days of ``days`` that need it (all of them with ``refresh``) as
    ranges, one query per run of consecutive days: (the days saved, the failure that
    stopped it, if one did). A lone day is left to the day path (the same query)."""
    past = [d for d in days if d < ctx.today]
    wanted = past if refresh else [d for d in past if fresh_day(ctx, categories, d) is None]
    saved: set[dt.date] = set()
    if len(wanted) < 2:
        return saved, None
    span = RangeSpan()
    for first, last in day_ranges(wanted):
        try:
            saved.update(submitted_range(ctx, categories, first, last, span))
        except FetchError as exc:  # the days saved before it are cached: keep them
            saved.update(d for d in days_of(first, last) if fresh_day(ctx, categories, d))
            return saved, exc
    return saved, None


def past_day(
    ctx: Context, categories: tuple[str, ...], day: dt.date, *, offline: bool, refresh: bool
) -> tuple[list[Paper], str]:
    """One past day of arXiv for ``categories``: (papers, "rss" or "api").

    A cached announcement of that day wins; else a fresh cached listing of the day's
    submissions (of these categories or more); else the export API.
    """
    if not refresh:
        cached = cached_day(ctx, categories, day) if offline else fresh_day(ctx, categories, day)
        if cached is not None:
            return cached.papers, cached.kind
    return submitted_day(ctx, categories, day, offline=offline, refresh=refresh), "api"


def period_listing(
    ctx: Context,
    period: Period,
    categories: list[str] | None,
    filters: Filters,
    *,
    merged_view: bool = False,
    replacements: bool = False,
    include_hf: bool = False,
    offline: bool = False,
    refresh: bool = False,
) -> Listing:
    """``papers list --source arxiv|all``: the arXiv papers of the days of ``period``
    (up to today), from cached announcements or the export API: the past days that
    need fetching as ranges (one query for a week), as ``papers sync`` does.

    When fetching fails, the days already cached are still shown, with a warning.
    """
    cats = ctx.arxiv_categories(categories)
    names = "+".join(cats)
    days = [d for d in period.days() if d <= ctx.today]
    if not days:
        ctx.warn(f"{period.key} is in the future: arXiv has nothing for it yet.")
    papers: list[Paper] = []
    seen: set[str] = set()
    origins: set[str] = set()
    missing: list[str] = []
    failure: PapersError | None = None
    fetched: set[dt.date] = set()
    if not offline:
        fetched, failure = fetch_stale_days(ctx, cats, days, refresh=refresh)
    for day in days:
        try:
            if day in fetched:  # just fetched: what the export API answered, announced or not
                got, origin = submitted_day(ctx, cats, day, offline=True, refresh=False), "api"
            else:
                offline_now = offline or failure is not None
                got, origin = past_day(ctx, cats, day, offline=offline_now, refresh=refresh)
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
    if failure is not None and not missing:  # every day had a cached copy: say they are old
        ctx.warn(f"{str(failure).rstrip('.')}; showing the cached copies of {period.key}.")
    if missing:
        if not origins:
            raise failure or PapersError(f"No cached copy of arXiv {names} for {period.key}.")
        reason = f" ({failure})" if failure else ""
        ctx.warn(
            f"arXiv {names}: {len(missing)} of {len(days)} days could not be listed"
            f"{reason}; showing the others."
        )
    when = {
        frozenset({"rss"}): f"announced {period.key}",
        frozenset({"api"}): f"submitted {period.key}",
    }.get(frozenset(origins), period.key)
    label = f"arXiv {names}"
    signals = None
    if merged_view:
        label = f"arXiv {names} with Hugging Face signals"
        signals = merged.signals_for(ctx, period, offline=offline)
    papers = merged.arxiv_view(papers, replacements, signals, include_hf)
    source = "all" if merged_view else "arxiv"
    day_word = {frozenset({"rss"}): "announced", frozenset({"api"}): "submitted"}
    return listing_of(
        ctx,
        papers,
        filters,
        f"{label}, {when}",
        source,
        period,
        offline=offline,
        label=label,
        day_word=day_word.get(frozenset(origins), ""),
    )
