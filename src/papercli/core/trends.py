"""``papers trends``: how many cached papers match a query per day, week or month."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
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

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "by": self.by,
            "source": self.source,
            "total": self.total,
            "periods": [{"period": k, "count": n} for k, n in self.periods],
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


def _all_keys(first: dt.date, last: dt.date, by: By) -> list[str]:
    keys: list[str] = []
    step = dt.timedelta(days=1)
    day = first
    while day <= last:
        key = period_key(day, by)
        if not keys or keys[-1] != key:
            keys.append(key)
        day += step
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

    from papercli.core.search import matching_papers, source_set

    sources = source_set(source)
    found = matching_papers(cache, query, since, until, sources=sources)
    result = compute(found, query.text, by, since, until)
    return replace(result, source=sources[0] if sources else "all")
