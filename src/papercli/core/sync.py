"""``papers sync``: fetch and cache every listing of the configured sources for a range.

Sources plug in through :data:`SYNC_SOURCES`: a function that turns a range of
days into :class:`SyncTask` objects (one listing each). Whether a cached listing
needs fetching again is the one freshness rule (:mod:`papercli.core.freshness`),
as for the listing commands: rerunning a sync fetches only what is missing or
stale, and an empty past listing is asked again after the TTL.

Hugging Face: a month listing for every whole past month in the range, day
listings for the rest. arXiv: past days from the export API (the papers submitted
each day, asked for in ranges of days and cached day by day), and the latest
announcement from the RSS feed (see :func:`plan_arxiv`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from papercli.dates import Period, day_period, is_current, parse_month
from papercli.errors import PapersError, TimeLimitError, UnavailableError

if TYPE_CHECKING:
    from papercli.core.context import Context
    from papercli.storage.cache import Entry


@dataclass(frozen=True)
class SyncTask:
    source: str
    kind: str
    key: str
    what: str
    run: Callable[[], object] = field(compare=False)  # fetch (through the cache rules)
    # The cached entry that covers the task (None: nothing cached), and whether it is
    # fresh by the one rule; a task without them applies the rules itself: always run.
    lookup: Callable[[], Entry | None] | None = field(default=None, compare=False)
    fresh: Callable[[Entry], bool] | None = field(default=None, compare=False)
    # The listings the task covers, when more than one (a range of arXiv days, one
    # query): the report counts them one by one, as it counts the days found cached.
    parts: tuple[str, ...] = ()

    @property
    def listings(self) -> tuple[str, ...]:
        return self.parts or (self.what,)


Planner = Callable[["Context", dt.date, dt.date], list[SyncTask]]


def _months_between(since: dt.date, until: dt.date) -> list[Period]:
    out = []
    month = parse_month(f"{since.year:04d}-{since.month:02d}")
    while month.start <= until:
        out.append(month)
        nxt = month.end + dt.timedelta(days=1)
        month = parse_month(f"{nxt.year:04d}-{nxt.month:02d}")
    return out


def hf_periods(since: dt.date, until: dt.date, today: dt.date) -> list[Period]:
    """The Hugging Face listings covering [since, until]: whole past months as month
    listings, every other day as a day listing (nothing after today)."""
    until = min(until, today)
    periods: list[Period] = []
    for month in _months_between(since, until):
        if month.start >= since and month.end <= until and not is_current(month, today):
            periods.append(month)
            continue
        lo, hi = max(month.start, since), min(month.end, until)
        periods += [day_period(lo + dt.timedelta(days=i)) for i in range((hi - lo).days + 1)]
    return periods


def plan_hf(ctx: Context, since: dt.date, until: dt.date) -> list[SyncTask]:
    from papercli.core import hf
    from papercli.core.freshness import fresh_in, settled_time

    tasks = []
    periods = [
        period
        for period in hf_periods(since, until, ctx.today)
        # A day inside a month that is already cached and fresh needs no request.
        if not (period.kind == "day" and hf.month_is_fresh(ctx, parse_month(period.key[:7])))
    ]
    last_failed = [False]
    for period, after in zip(periods, [*periods[1:], None], strict=True):

        def run(period: Period = period, after: Period | None = after) -> object:
            # The next listing is asked for while this one is fetched and written, when
            # nothing of it is cached (a plain fetch) and the service answered last time.
            if after is not None and not last_failed[0] and lookup(after) is None:
                ctx.hf.prefetch(after)
            try:
                # A failed fetch is a failure of the sync even when a copy is cached.
                got = hf.period_papers(ctx, period, offline=False, refresh=False, stale_ok=False)
            except BaseException:
                last_failed[0] = True
                raise
            last_failed[0] = False
            return got

        def lookup(period: Period = period) -> Entry | None:
            return ctx.cache.load("hf", period.kind, period.key)

        def fresh(entry: Entry, period: Period = period) -> bool:
            current = is_current(period, ctx.today)
            return fresh_in(ctx, entry, current=current, settled_at=settled_time(period))

        tasks.append(
            SyncTask(
                "hf", period.kind, period.key, f"Hugging Face {period.key}", run, lookup, fresh
            )
        )
    return tasks


def arxiv_sync_categories(ctx: Context) -> tuple[str, ...]:
    """``[sources.arxiv] categories`` and the categories of the watch rules that use arXiv
    (a rule's category that is not a valid arXiv name is left out, with a note)."""
    from papercli.sources import arxiv

    names = list(ctx.arxiv_categories(None))
    default = ctx.settings.default_source
    for rule in ctx.settings.watches.values():
        sources = rule.sources or (("hf", "arxiv") if default == "all" else (default,))
        if "arxiv" not in sources:
            continue
        for cat in rule.categories:
            try:
                checked = arxiv.check_categories([cat])
            except PapersError:
                ctx.warn(f"Watch rule {rule.name!r}: {cat!r} is not an arXiv category; skipped.")
                continue
            ctx.note_unknown_categories(checked, f"watch rule {rule.name!r}")
            names += checked
    return tuple(sorted(set(names)))


def plan_arxiv(
    ctx: Context, since: dt.date, until: dt.date, chosen: tuple[str, ...] | None = None
) -> list[SyncTask]:
    """arXiv: every past day of the range from the export API (the papers submitted that
    day), for :func:`arxiv_sync_categories` as one category set, cached as
    ``arxiv/api/<cats>/<day>``; and, when the range reaches the last few days, the latest
    announcement (RSS) of ``[sources.arxiv] categories``. ``chosen`` (``papers sync -c``)
    replaces both category sets.

    The days that need fetching (missing, or not fresh by the one rule) are grouped into
    ranges of consecutive days, one task each: one query per range (a month at most,
    paged), ``delay_seconds`` apart, split into the per-day files. A day already covered
    by a cached announcement or by a fresh listing (of these categories or more) is a
    task of its own that finds it cached.
    """
    from papercli.core import arxiv as core_arxiv
    from papercli.sources import arxiv

    categories = ctx.arxiv_categories(list(chosen)) if chosen else arxiv_sync_categories(ctx)
    names = "+".join(categories)
    cat_key = arxiv.category_key(categories)
    span = core_arxiv.RangeSpan()  # shared by the ranges of this sync

    def fetch(first: dt.date, last: dt.date) -> SyncTask:
        def run() -> object:
            return core_arxiv.submitted_range(ctx, categories, first, last, span)

        days = str(first) if first == last else f"{first} to {last}"
        parts = (
            ()
            if first == last
            else tuple(f"arXiv {names} {d}" for d in core_arxiv.days_of(first, last))
        )
        what = f"arXiv {names} {days}"
        return SyncTask("arxiv", "api", f"{cat_key}/{days}", what, run, parts=parts)

    dated: list[tuple[dt.date, SyncTask]] = []
    stale: list[dt.date] = []
    last = min(until, ctx.today - dt.timedelta(days=1))
    day = since
    while day <= last:
        cached = core_arxiv.fresh_day(ctx, categories, day)
        if cached is None:
            stale.append(day)
        else:  # decided here, by the one rule: the task finds it cached
            task = fetch(day, day)
            dated.append((day, replace(task, lookup=lambda e=cached: e, fresh=lambda e: True)))
        day += dt.timedelta(days=1)
    dated += [(first, fetch(first, end)) for first, end in core_arxiv.day_ranges(stale)]
    tasks = [task for _, task in sorted(dated, key=lambda pair: pair[0])]
    if until >= ctx.today - dt.timedelta(days=3):
        rss_categories = categories if chosen else ctx.arxiv_categories(None)

        def run_rss() -> object:
            return core_arxiv.latest_announcement(
                ctx, rss_categories, offline=False, refresh=False, stale_ok=False
            )

        rss_names = "+".join(rss_categories)
        what = f"arXiv {rss_names} (latest announcement)"
        tasks.append(SyncTask("arxiv", "rss", rss_names, what, run_rss))
    return tasks


# Sources that ``papers sync`` and ``papers watch run`` can fetch listings for.
SYNC_SOURCES: dict[str, Planner] = {"hf": plan_hf, "arxiv": plan_arxiv}


@dataclass
class SyncReport:
    fetched: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    # One entry per task that failed or was not tried (what, why): a range of arXiv
    # days is one entry. The counts below are of listings (each day of a range).
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped_sources: list[str] = field(default_factory=list)
    failed_listings: int = 0  # listings not fetched (not tried ones included)
    not_tried: int = 0  # of those: left out (the service down, or no time left)
    unsaved: int = 0  # of those: fetched, but the cache file could not be written


GIVE_UP_AFTER = 3  # consecutive listings of one source that found its service unavailable


def sync(
    ctx: Context,
    sources: list[str],
    since: dt.date,
    until: dt.date,
    progress: Callable[[int, int, str], None] | None = None,
    categories: tuple[str, ...] | None = None,
) -> SyncReport:
    """Fetch every missing listing of ``sources`` between ``since`` and ``until`` (for
    arXiv: of ``categories``, else the configured and the watch rules' categories)."""
    if since > until:
        from papercli.errors import UsageError

        raise UsageError(
            f"--since {since} is after --until {until}."
            if until != dt.date.today()
            else f"--since {since} is in the future."
        )
    report = SyncReport()
    tasks: list[SyncTask] = []
    for source in sources:
        planner = SYNC_SOURCES.get(source)
        if planner is None:
            report.skipped_sources.append(source)
            ctx.warn(f"Syncing the {source} source is not supported yet; skipped.")
            continue
        if source == "arxiv":
            tasks += plan_arxiv(ctx, since, until, categories)
        else:
            tasks += planner(ctx, since, until)
    down: dict[str, int] = {}  # source -> consecutive listings that found it unavailable

    def failed(task: SyncTask, exc: PapersError) -> None:
        report.failed.append((task.what, exc.message))
        report.failed_listings += len(task.listings)
        ctx.warn(f"{task.what}: {exc.message}")
        down[task.source] = down.get(task.source, 0) + 1 if isinstance(exc, UnavailableError) else 0

    out_of_time = False  # [network] total_timeout is used up: nothing more can be asked
    down_left = 0  # of not_tried: left out because a service was down
    for n, task in enumerate(tasks):
        if progress:
            progress(n, len(tasks), task.what)
        if out_of_time:
            report.failed.append((task.what, "not tried: the command's time limit was used up"))
            report.failed_listings += len(task.listings)
            report.not_tried += len(task.listings)
            continue
        if down.get(task.source, 0) >= GIVE_UP_AFTER:
            # The service is down: asking it for every remaining day only adds minutes
            # of retries. What is left is reported as failed; a rerun fetches it.
            report.failed.append((task.what, "not tried: the service was unavailable"))
            report.failed_listings += len(task.listings)
            report.not_tried += len(task.listings)
            down_left += len(task.listings)
            continue
        cached = task.lookup() if task.lookup is not None else None
        if cached is not None and task.fresh is not None and task.fresh(cached):
            report.cached += task.listings
            continue
        written = len(ctx.cache.unsaved)
        ctx.cache.quiet_unsaved = True  # said below, one line per listing
        try:
            task.run()
        except PapersError as exc:
            failed(task, exc)
            out_of_time = isinstance(exc, TimeLimitError)
        else:
            down[task.source] = 0
            if len(ctx.cache.unsaved) > written:
                # Fetched, but not kept: the sync did not do its job (a full disk).
                path, reason = ctx.cache.unsaved[-1]
                report.unsaved += len(task.listings)
                failed(task, PapersError(f"fetched, but could not be saved as {path}: {reason}."))
            else:
                report.fetched += task.listings
        finally:
            ctx.cache.quiet_unsaved = False
    if down_left:
        ctx.warn(
            f"Stopped after {GIVE_UP_AFTER} requests in a row found the service unavailable; "
            f"{down_left} more not tried (run papers sync again later)."
        )
    timed_out = report.not_tried - down_left
    if timed_out:
        more = f"{timed_out} more listing{'' if timed_out == 1 else 's'}"
        ctx.warn(
            f"The command's time limit ([network] total_timeout) is used up; {more} not tried "
            "(run papers sync again)."
        )

    if not report.fetched:
        return report  # nothing new for the index; a failed sync leaves the cache as it was
    if progress:
        progress(len(tasks), len(tasks), "Updating the search index")
    from papercli.storage.index import IndexUnavailable, SearchIndex

    try:
        with SearchIndex(ctx.cache) as index:  # so that the next search starts warm
            index.update()
    except IndexUnavailable as exc:
        # The listings are cached, which is what sync is for; the index is derived.
        ctx.warn(f"The search index was not updated ({exc.reason}); searches read the files.")
    return report
