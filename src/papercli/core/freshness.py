"""The one freshness rule: when a cached listing may be served without asking the service.

Every source and every command (listings, ``show``, ``sync``, watch rules, the
triage screen) decides "fresh or not" with :func:`is_fresh`, and fetches through
:func:`cached_or_fetch`, which also owns the stale-copy fallback. Tests in
``tests/test_freshness.py`` hold every source to it.

The rule, in order:

1. A fetch time in the future (a clock that jumped, an edited or foreign file)
   is not trusted: not fresh.
2. A listing fetched before it settled (its period had not ended two days
   before; an arXiv day not yet fully announced) is treated as current.
3. A listing that can no longer change and holds papers is fresh for good.
4. Anything else (current listings, empty answers that may be a hiccup of the
   service) is fresh for ``[cache] ttl_minutes`` after it was fetched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from papercli.errors import FetchError, PapersError
from papercli.models import Paper
from papercli.storage.cache import Entry, describe_age

if TYPE_CHECKING:
    from papercli.core.context import Context
    from papercli.dates import Period

# arXiv's export API knows a paper only once it is announced: up to 4 days after its
# submission (a Friday afternoon submission is announced on Monday evening or later).
ARXIV_SETTLE_DAYS = 5

Fetched = tuple[list[Paper], dict[str, Any]]


def settled_time(period: Period) -> float:
    """When a listing stops changing: two days after its last day (time zones, late additions)."""
    end = dt.datetime.combine(period.end + dt.timedelta(days=2), dt.time(), dt.UTC)
    return end.timestamp()


def arxiv_settled_time(day: dt.date) -> float:
    """When the export API's list of a day's submissions stops changing."""
    end = dt.datetime.combine(day + dt.timedelta(days=ARXIV_SETTLE_DAYS + 1), dt.time(), dt.UTC)
    return end.timestamp()


def is_fresh(
    entry: Entry, now: float, ttl: float, *, current: bool, settled_at: float | None = None
) -> bool:
    """The rule (see the module's docstring)."""
    age = now - entry.fetched_at
    if age < 0:
        return False
    if settled_at is not None and entry.fetched_at < settled_at:
        current = True
    if not current and entry.papers:
        return True
    return age < ttl


def fresh_in(ctx: Context, entry: Entry, *, current: bool, settled_at: float | None = None) -> bool:
    """:func:`is_fresh` with the context's clock and TTL."""
    return is_fresh(
        entry, ctx.now(), ctx.settings.ttl_seconds, current=current, settled_at=settled_at
    )


def stale_copy(ctx: Context, exc: FetchError, age_of: float, what: str, stale_ok: bool) -> None:
    """A fetch failed and a cached copy exists: warn that it is shown (``stale_ok``), or
    raise the failure saying the copy was kept (``papers sync``, watch rules)."""
    age = describe_age(max(0.0, ctx.now() - age_of))
    if not stale_ok:
        reason = str(exc).rstrip(".")
        raise type(exc)(f"{reason} (the cached copy from {age} ago is kept).") from None
    ctx.warn(f"{exc} Showing the cached copy of {what} from {age} ago.")


def cached_or_fetch(
    ctx: Context,
    source: str,
    kind: str,
    key: str,
    fetch: Callable[[], Fetched],
    *,
    current: bool,
    offline: bool,
    refresh: bool,
    what: str,
    settled_after: float | None = None,
    revalidate: Callable[[dict[str, Any]], Fetched | None] | None = None,
    stale_ok: bool = True,
) -> Entry:
    """The cached entry when fresh, else a fetch (saved), else the stale copy.

    ``revalidate``, when given, replaces ``fetch`` for a stale cached entry: it
    gets the entry's ``meta`` (where validators such as an ETag live) and
    returns None when the server says the copy is still good (HTTP 304); the
    entry is then kept with a new ``fetched_at``. ``refresh`` always fetches.

    ``stale_ok=False`` (``papers sync``, watch rules): a failed fetch raises even
    when a cached copy exists; the copy is left as it was (the message says so).
    An empty answer never replaces a cached listing that has papers.
    """
    entry = ctx.cache.load(source, kind, key)
    if offline:
        if entry is None:
            raise PapersError(f"No cached copy of {what} (offline).")
        return entry
    if (
        entry is not None
        and not refresh
        and fresh_in(ctx, entry, current=current, settled_at=settled_after)
    ):
        return entry
    try:
        if revalidate is not None and entry is not None and not refresh:
            got = revalidate(entry.meta)
            if got is None:  # not modified: the cached copy is good for another ttl
                return ctx.cache.save(
                    source, kind, key, entry.papers, entry.meta, fetched_at=ctx.now()
                )
            papers, meta = got
        else:
            papers, meta = fetch()
    except FetchError as exc:
        if entry is None:
            raise
        stale_copy(ctx, exc, entry.fetched_at, what, stale_ok)
        return entry
    return store(ctx, entry, source, kind, key, papers, meta, what)


def store(
    ctx: Context,
    entry: Entry | None,
    source: str,
    kind: str,
    key: str,
    papers: list[Paper],
    meta: dict[str, Any],
    what: str,
) -> Entry:
    """Save a fetched listing over the cached ``entry``, fetched now; but an empty
    answer never replaces a cached listing that has papers (that entry is kept, as it was)."""
    if not papers and entry is not None and entry.papers:
        service = {"hf": "Hugging Face", "arxiv": "arXiv"}.get(source, "The service")
        ctx.warn(f"{what}: {service} listed no papers this time; keeping the cached copy.")
        return entry
    return ctx.cache.save(source, kind, key, papers, meta, fetched_at=ctx.now())
