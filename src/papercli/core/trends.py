"""``papers trends``: how many cached papers match a query per day, week or month."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from papercli.text import clean

if TYPE_CHECKING:
    from papercli.models import Paper
    from papercli.query import Query
    from papercli.storage.cache import Cache

By = Literal["day", "week", "month"]
TOP = 10


@dataclass
class Trends:
    query: str
    by: By
    periods: list[tuple[str, int]]  # every period from the first to the last, gaps as 0
    total: int
    organizations: list[tuple[str, int]]
    keywords: list[tuple[str, int]]
    source: str = "all"  # hf, arxiv, or all (every cached source)
    # Per period, how many of its days (within --since/--until) a cached listing covers,
    # and how many days that is: a period with none is not counted (its 0 is no count),
    # one with some is counted in part.
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)

    def cached_days(self, key: str) -> tuple[int, int]:
        """(days covered, days) of a period; (1, 1) when not known."""
        return self.coverage.get(key, (1, 1))

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "by": self.by,
            "source": self.source,
            "total": self.total,
            "periods": [
                {
                    "period": k,
                    "count": n,
                    "cached": self.cached_days(k)[0] > 0,
                    "days_cached": self.cached_days(k)[0],
                    "days": self.cached_days(k)[1],
                }
                for k, n in self.periods
            ],
            "organizations": [{"name": k, "count": n} for k, n in self.organizations],
            "keywords": [{"keyword": k, "count": n} for k, n in self.keywords],
        }


def period_key(day: dt.date, by: By) -> str:
    if by == "day":
        return day.isoformat()
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return f"{day.year:04d}-{day.month:02d}"


# The most periods one chart (or JSON document) may hold: a range beyond it is refused
# (exit 2). 10,000 days are over 27 years; by week or month, far more than arXiv's history.
MAX_PERIODS = 10_000


def period_count(first: dt.date, last: dt.date, by: By) -> int:
    """How many periods [first, last] touches (0 when last is before first)."""
    if last < first:
        return 0
    if by == "day":
        return (last - first).days + 1
    if by == "week":
        monday = first - dt.timedelta(days=first.weekday())
        return (last - monday).days // 7 + 1
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _next_start(day: dt.date, by: By) -> dt.date | None:
    """The first day of the period after ``day``'s (None past the last date there is)."""
    try:
        if by == "day":
            return day + dt.timedelta(days=1)
        if by == "week":
            return day + dt.timedelta(days=7 - day.weekday())
        return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    except OverflowError:
        return None


def _all_keys(first: dt.date, last: dt.date, by: By) -> list[str]:
    keys: list[str] = []
    day: dt.date | None = first
    while day is not None and day <= last:
        keys.append(period_key(day, by))
        day = _next_start(day, by)
    return keys


def _day(p: Paper) -> dt.date | None:
    text = (p.listed or (p.published or "")[:10])[:10]
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def compute(
    papers: list[Paper],
    query: str,
    by: By,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Trends:
    """Matches per period, from ``since`` (else the first match) to ``until`` (else the
    last match); periods without matches count 0."""
    counts: Counter[str] = Counter()
    days = []
    orgs: Counter[str] = Counter()
    keywords: Counter[str] = Counter()
    for p in papers:
        day = _day(p)
        if day is None:
            continue
        days.append(day)
        counts[period_key(day, by)] += 1
        if p.organization:
            orgs[clean(p.organization)] += 1
        for k in {clean(k).casefold() for k in p.ai_keywords}:
            if k:
                keywords[k] += 1
    periods = []
    if days or (since and until):
        first = since or min(days)
        last = until or max(days)
        if period_count(first, last, by) > MAX_PERIODS:
            from papercli.errors import UsageError

            raise UsageError(
                f"{first} to {last} holds more than {MAX_PERIODS:,} {by}s; "
                "narrow it with --since/--until (or use a longer --by)."
            )
        periods = [(k, counts.get(k, 0)) for k in _all_keys(first, last, by)]
    return Trends(query, by, periods, len(days), orgs.most_common(TOP), keywords.most_common(TOP))


def trends(
    cache: Cache,
    query: Query,
    by: By = "month",
    since: dt.date | None = None,
    until: dt.date | None = None,
    source: str | None = None,
) -> Trends:
    """Matches per period among the cached papers of ``source`` (hf, arxiv; None or
    ``all``: every source)."""
    from dataclasses import replace

    from papercli.core.matches import matching_papers
    from papercli.core.search import source_set

    sources = source_set(source)
    found = matching_papers(cache, query, since, until, sources=sources)
    result = compute(found, query.text, by, since, until)
    covered = cached_days(cache, sources or ("hf", "arxiv"))
    coverage = {}
    for key, _ in result.periods:
        days = [d for d in _days_of(key, by) if (since or d) <= d <= (until or d)]
        coverage[key] = (sum(1 for d in days if d in covered), len(days))
    return replace(result, source=sources[0] if sources else "all", coverage=coverage)


def _days_of(key: str, by: By) -> list[dt.date]:
    """Every day of the period ``key`` (of ``by``)."""
    from papercli.dates import parse_month, parse_week

    if by == "day":
        return [dt.date.fromisoformat(key)]
    period = parse_week(key) if by == "week" else parse_month(key)
    return [
        period.start + dt.timedelta(days=n) for n in range((period.end - period.start).days + 1)
    ]


def cached_days(cache: Cache, sources: tuple[str, ...]) -> set[dt.date]:
    """The days that a cached listing of ``sources`` covers: Hugging Face's days, weeks
    and months, and arXiv's days."""
    from papercli.dates import parse_month, parse_week

    days: set[dt.date] = set()
    for source in sources:
        for kind in ("day", "week", "month") if source == "hf" else ("rss", "api"):
            for key in cache.keys(source, kind):
                text = key.rsplit("/", 1)[-1]  # arXiv: CATEGORIES/DAY
                try:
                    if kind == "week":
                        period = parse_week(text)
                    elif kind == "month":
                        period = parse_month(text)
                    else:
                        day = dt.date.fromisoformat(text)
                        days.add(day)
                        continue
                except ValueError:
                    continue
                day = period.start
                while day <= period.end:
                    days.add(day)
                    day += dt.timedelta(days=1)
    return days
