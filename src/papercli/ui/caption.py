"""The caption of a table: what it lists, of which day or period, and how many papers.

``Hugging Face Daily Papers · Tue 2025-02-18 · 38 papers``, with
``· showing the latest day, 2025-02-17`` when today's listing fell back to an
earlier day. Built from the fields of :class:`papercli.core.listing.Listing`, never
by reading its heading. Plain text (the caller styles it); no Rich here.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from papercli.text import clean, sentence_case

if TYPE_CHECKING:
    from papercli.core.listing import Listing
    from papercli.core.watch import RuleResult
    from papercli.dates import Period

SEPARATOR = " · "
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # never the locale's
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def day_text(day: dt.date) -> str:
    """``Tue 2025-02-18``."""
    return f"{_DAY_NAMES[day.weekday()]} {day.isoformat()}"


def period_text(period: Period) -> str:
    """A day (``Tue 2025-02-18``), an ISO week with its first and last day
    (``week 2025-W28, 2025-07-07 to 07-13``), or a month by name (``July 2025``)."""
    if period.kind == "day":
        return day_text(period.start)
    if period.kind == "week":
        end = period.end.isoformat()[5:] if period.end.year == period.start.year else period.end
        return f"week {period.key}, {period.start.isoformat()} to {end}"
    return f"{_MONTH_NAMES[period.start.month - 1]} {period.start.year}"


def count_text(result: Listing) -> str:
    """How many papers are shown, of how many listed (and, with --new, how many new)."""
    shown = len(result.papers)
    if result.fresh is not None:
        new = f"{shown} new" if shown == result.fresh else f"{shown} of {result.fresh} new"
        return f"{new} of {plural(result.total, 'paper')}"
    if result.more:
        return f"the first {plural(shown, 'paper')} (more match)"
    matched = result.matched
    if matched is not None and shown < matched < result.total:  # a query, cut at --limit
        return f"{shown} of {matched} matching, of {plural(result.total, 'paper')}"
    if result.total > shown:
        return f"{shown} of {plural(result.total, 'paper')}"
    return plural(shown, "paper")


def listing_caption(result: Listing) -> str:
    """One line naming the source, the day or period, and the count."""
    parts = [clean(sentence_case(result.label or result.heading))]
    if result.period is not None:
        if result.asked is not None:
            parts.append(day_text(result.asked))
        else:
            when = period_text(result.period)
            parts.append(f"{result.day_word} {when}" if result.day_word else when)
    parts.append(count_text(result))
    if result.asked is not None and result.period is not None:
        latest = "announcement" if result.day_word == "announced" else "day"
        parts.append(f"showing the latest {latest}, {result.period.start.isoformat()}")
    return SEPARATOR.join(parts)


def rule_caption(result: RuleResult) -> str:
    """``Watch rule gnn: graph neural · listed since Tue 2025-07-08 · 3 new papers``."""
    parts = [clean(f"Watch rule {result.rule.name}: {result.rule.query}")]
    if result.since is not None:
        parts.append(f"listed since {day_text(result.since)}")
    shown, new = len(result.papers), len(result.new)
    if shown == new:
        parts.append(f"{new} new {'paper' if new == 1 else 'papers'}")
    else:
        parts.append(f"{plural(shown, 'paper')}, {new} new")
    return SEPARATOR.join(parts)
