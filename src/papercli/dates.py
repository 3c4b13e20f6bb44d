"""Periods of time that listings cover: a day, an ISO week or a month. Pure functions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from papercli.errors import UsageError

Kind = Literal["day", "week", "month"]

# ASCII digits only, matched whole (fullmatch): no other scripts' digits, no "\n".
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_WEEK = re.compile(r"(\d{4})-W(\d{2})", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


@dataclass(frozen=True, slots=True)
class Period:
    kind: Kind
    key: str  # "2026-11-26", "2026-W48" or "2026-11"
    start: dt.date
    end: dt.date  # inclusive

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def __str__(self) -> str:
        return self.key


def day_period(day: dt.date) -> Period:
    return Period("day", day.isoformat(), day, day)


def parse_day(text: str, today: dt.date) -> dt.date:
    """``YYYY-MM-DD``, ``today`` or ``yesterday``."""
    value = text.strip().lower()
    if value == "today":
        return today
    if value == "yesterday":
        return today - dt.timedelta(days=1)
    if _DAY.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise UsageError(f"Invalid date {text!r}: use YYYY-MM-DD, 'today' or 'yesterday'.")


def parse_week(text: str) -> Period:
    """An ISO week such as ``2025-W28``."""
    match = _WEEK.fullmatch(text.strip().upper())
    if match:
        year, week = int(match.group(1)), int(match.group(2))
        try:
            start = dt.date.fromisocalendar(year, week, 1)
            end = start + dt.timedelta(days=6)
        except (ValueError, OverflowError):
            pass
        else:
            return Period("week", f"{year:04d}-W{week:02d}", start, end)
    raise UsageError(f"Invalid week {text!r}: use an ISO week such as 2025-W28.")


def parse_month(text: str) -> Period:
    """A month such as ``2025-07``."""
    match = _MONTH.fullmatch(text.strip())
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and year >= 1:
            start = dt.date(year, month, 1)
            nxt = (
                dt.date(year + month // 12, month % 12 + 1, 1)
                if year < 9999 or month < 12
                else None
            )
            end = (nxt - dt.timedelta(days=1)) if nxt else dt.date(9999, 12, 31)
            return Period("month", f"{year:04d}-{month:02d}", start, end)
    raise UsageError(f"Invalid month {text!r}: use YYYY-MM, such as 2025-07.")


def period_from_options(
    date: str | None, week: str | None, month: str | None, today: dt.date
) -> Period:
    """Exactly one of ``--date``, ``--week``, ``--month`` (none means today)."""
    given = [x for x in (date, week, month) if x is not None]
    if len(given) > 1:
        raise UsageError("Give only one of --date, --week and --month.")
    if week is not None:
        return parse_week(week)
    if month is not None:
        return parse_month(month)
    return day_period(parse_day(date, today) if date is not None else today)


def is_current(period: Period, today: dt.date) -> bool:
    """Listings that can still change: today's, this week's, this month's (or later)."""
    return period.end >= today
