"""``papers sync``: fetch and cache every listing of the configured sources for a range.

Sources plug in through :data:`SYNC_SOURCES`: a function that turns a range of
days into :class:`SyncTask` objects (one listing each). Running a task goes
through :meth:`papercli.core.App.cached_or_fetch`, so a listing already cached
(and not current) is not fetched again: rerunning a sync fetches only what is
missing, and today's listings are refreshed when older than the cache TTL.

Hugging Face: a month listing for every whole past month in the range, day
listings for the rest. arXiv: past days from the export API (the papers submitted
each day), and the latest announcement from the RSS feed (see :func:`plan_arxiv`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from papercli.dates import Period, day_period, is_current, parse_month
from papercli.errors import PapersError, UnavailableError

if TYPE_CHECKING:
    from papercli.cache import Entry
    from papercli.core import App


@dataclass(frozen=True)
class SyncTask:
    source: str
    kind: str
    key: str
    what: str
    current: bool
    run: Callable[[bool], object] = field(compare=False)  # run(refresh)
    closes_at: float = 0.0  # when the listing stops changing (the end of its period, UTC)
    self_caching: bool = False  # run() applies the cache rules itself: always call it
    # The cached entry that covers the task, when not simply (source, kind, key).
    lookup: Callable[[], Entry | None] | None = field(default=None, compare=False)


Planner = Callable[["App", dt.date, dt.date], list[SyncTask]]


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


def closes_at(period: Period) -> float:
    """The moment (UTC) after which ``period``'s listing no longer changes (one rule with
    the listing commands: :func:`papercli.core.settled_time`)."""
    from papercli.core import settled_time

    return settled_time(period)


def plan_hf(app: App, since: dt.date, until: dt.date) -> list[SyncTask]:
    tasks = []
    for period in hf_periods(since, until, app.today):
        # A day inside a month that is already cached whole (fetched after the month
        # settled) needs no request of its own.
        if period.kind == "day":
            month = parse_month(period.key[:7])
            if not is_current(month, app.today):
                entry = app.cache.load("hf", "month", month.key)
                if entry is not None and entry.fetched_at >= closes_at(month):
                    continue

        def run(refresh: bool, period: Period = period) -> object:
            # A failed fetch is a failure of the sync even when a copy is cached.
            return app.hf_period(period, offline=False, refresh=refresh, stale_ok=False)

        tasks.append(
            SyncTask(
                "hf",
                period.kind,
                period.key,
                f"Hugging Face {period.key}",
                is_current(period, app.today),
                run,
                closes_at(period),
            )
        )
    return tasks


def arxiv_sync_categories(app: App) -> tuple[str, ...]:
    """``[sources.arxiv] categories`` and the categories of the watch rules that use arXiv
    (a rule's category that is not a valid arXiv name is left out, with a note)."""
    from papercli.sources import arxiv

    names = list(app.arxiv_categories(None))
    default = str(app.settings.get("display", "default_source"))
    for rule in app.settings.watches.values():
        sources = rule.sources or (("hf", "arxiv") if default == "all" else (default,))
        if "arxiv" not in sources:
            continue
        for cat in rule.categories:
            try:
                checked = arxiv.check_categories([cat])
            except PapersError:
                app.warn(f"Watch rule {rule.name!r}: {cat!r} is not an arXiv category; skipped.")
                continue
            app.note_unknown_categories(checked, f"watch rule {rule.name!r}")
            names += checked
    return tuple(sorted(set(names)))


def plan_arxiv(app: App, since: dt.date, until: dt.date) -> list[SyncTask]:
    """arXiv: every past day of the range from the export API (the papers submitted that
    day, ``delay_seconds`` apart), for :func:`arxiv_sync_categories` as one category set,
    cached as ``arxiv/api/<cats>/<day>``; and, when the range reaches the last few
    days, the latest announcement (RSS) of ``[sources.arxiv] categories``.

    A day already covered by a cached announcement or by a settled listing of a larger
    category set is not fetched again.
    """
    from papercli.core import arxiv_settled_time
    from papercli.sources import arxiv

    categories = arxiv_sync_categories(app)
    names = "+".join(categories)
    cat_key = arxiv.category_key(categories)
    tasks: list[SyncTask] = []
    last = min(until, app.today - dt.timedelta(days=1))
    day = since
    while day <= last:
        settled = arxiv_settled_time(day)

        def run(refresh: bool, day: dt.date = day) -> object:
            return app.arxiv_api_day(
                categories, day, offline=False, refresh=refresh, stale_ok=False
            )

        def lookup(day: dt.date = day) -> Entry | None:
            entry = app.arxiv_cached_day(categories, day)
            if entry is not None and entry.kind == "rss":
                # An announcement does not change once made: never fetched again.
                return replace(entry, fetched_at=float("inf"))
            return entry

        tasks.append(
            SyncTask(
                "arxiv",
                "api",
                f"{cat_key}/{day.isoformat()}",
                f"arXiv {names} {day.isoformat()}",
                app.now() < settled,
                run,
                settled,
                lookup=lookup,
            )
        )
        day += dt.timedelta(days=1)
    if until >= app.today - dt.timedelta(days=3):
        rss_categories = app.arxiv_categories(None)

        def run_rss(refresh: bool) -> object:
            return app.arxiv_today(rss_categories, offline=False, refresh=False, stale_ok=False)

        rss_names = "+".join(rss_categories)
        tasks.append(
            SyncTask(
                "arxiv",
                "rss",
                rss_names,
                f"arXiv {rss_names} (latest announcement)",
                True,
                run_rss,
                self_caching=True,
            )
        )
    return tasks


# Sources that ``papers sync`` and ``papers watch run`` can fetch listings for.
SYNC_SOURCES: dict[str, Planner] = {"hf": plan_hf, "arxiv": plan_arxiv}


@dataclass
class SyncReport:
    fetched: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # not tried ones included
    skipped_sources: list[str] = field(default_factory=list)
    not_tried: int = 0  # of ``failed``: left out once the service was found down


GIVE_UP_AFTER = 3  # consecutive listings of one source that found its service unavailable


def sync(
    app: App,
    sources: list[str],
    since: dt.date,
    until: dt.date,
    progress: Callable[[int, int, str], None] | None = None,
) -> SyncReport:
    """Fetch every missing listing of ``sources`` between ``since`` and ``until``."""
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
            app.warn(f"Syncing the {source} source is not supported yet; skipped.")
            continue
        tasks += planner(app, since, until)
    down: dict[str, int] = {}  # source -> consecutive listings that found it unavailable

    def failed(task: SyncTask, exc: PapersError) -> None:
        report.failed.append((task.what, exc.message))
        app.warn(f"{task.what}: {exc.message}")
        down[task.source] = down.get(task.source, 0) + 1 if isinstance(exc, UnavailableError) else 0

    for n, task in enumerate(tasks):
        if progress:
            progress(n, len(tasks), task.what)
        if down.get(task.source, 0) >= GIVE_UP_AFTER:
            # The service is down: asking it for every remaining day only adds minutes
            # of retries. What is left is reported as failed; a rerun fetches it.
            report.failed.append((task.what, "not tried: the service was unavailable"))
            report.not_tried += 1
            continue
        if task.self_caching:
            try:
                task.run(False)
            except PapersError as exc:
                failed(task, exc)
            else:
                report.fetched.append(task.what)
                down[task.source] = 0
            continue
        cached = task.lookup() if task.lookup else app.cache.load(task.source, task.kind, task.key)
        # A past listing fetched before its period ended (say yesterday's, fetched
        # yesterday morning) may have grown since: it is fetched once more.
        if cached is None:
            fresh = refresh = False
        elif task.current:
            fresh = cached.age_seconds(app.now()) < app.settings.ttl_seconds
            refresh = False
        else:
            # Not settled yet when fetched: fetched again once the TTL has passed, as the
            # listing commands do (App.cached_or_fetch's settled_after).
            fresh = (
                cached.fetched_at >= task.closes_at
                or cached.age_seconds(app.now()) < app.settings.ttl_seconds
            )
            refresh = True
        if fresh:
            report.cached.append(task.what)
            continue
        try:
            task.run(refresh)
        except PapersError as exc:
            failed(task, exc)
        else:
            report.fetched.append(task.what)
            down[task.source] = 0
    if report.not_tried:
        app.warn(
            f"Stopped after {GIVE_UP_AFTER} listings in a row found the service unavailable; "
            f"{report.not_tried} more not tried (run papers sync again later)."
        )
    if not report.fetched:
        return report  # nothing new for the index; a failed sync leaves the cache as it was
    if progress:
        progress(len(tasks), len(tasks), "Updating the search index")
    from papercli.index import SearchIndex

    with SearchIndex(app.cache) as index:  # so that the next search starts warm
        index.update()
    return report
