"""--since is the first day shown and --until the last, never the other way round.

``core.apply_filters`` bounds a listing's papers (and an online search's results) by
day, both ends inclusive; a paper's day is the day it was listed, else the day it
was published.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from papercli.core.listing import Filters, apply_filters
from papercli.models import Paper

DAYS = ["2025-07-13", "2025-07-14", "2025-07-15", "2025-07-16", "2025-07-17"]


def _d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


PAPERS = [Paper(id=f"2507.0001{i}", title=f"Paper {i}", listed=day) for i, day in enumerate(DAYS)]
# No listing day: the day it was published counts.
PUBLISHED_ONLY = Paper(id="2507.00020", title="Published", published="2025-07-16T09:00:00Z")


def _days(since: str | None, until: str | None) -> list[str]:
    filters = Filters(
        since=_d(since) if since else None, until=_d(until) if until else None, sort="date"
    )
    return sorted(p.listed or (p.published or "")[:10] for p in apply_filters(PAPERS, filters))


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        ("2025-07-14", "2025-07-16", DAYS[1:4]),
        ("2025-07-16", None, DAYS[3:]),
        (None, "2025-07-14", DAYS[:2]),
        ("2025-07-15", "2025-07-15", ["2025-07-15"]),
        ("2025-07-18", None, []),
        (None, "2025-07-12", []),
    ],
)
def test_since_is_the_first_day_and_until_the_last(
    since: str | None, until: str | None, expected: list[str]
) -> None:
    assert _days(since, until) == expected


def test_a_paper_without_a_listing_day_is_bounded_by_its_publication_day() -> None:
    papers = [*PAPERS, PUBLISHED_ONLY]
    inside = apply_filters(papers, Filters(since=_d("2025-07-16"), until=_d("2025-07-16")))
    assert {p.id for p in inside} == {"2507.00013", "2507.00020"}
    outside = apply_filters(papers, Filters(until=_d("2025-07-15")))
    assert PUBLISHED_ONLY not in outside


# --- end to end: an online search's results, bounded by day ---------------------------


def _result(i: int, day: str) -> dict[str, Any]:
    return {
        "paper": {
            "id": f"2507.1000{i}",
            "title": f"Graph paper {i}",
            "summary": "Graphs.",
            "authors": [{"name": "Ada Lovelace", "hidden": False}],
            "publishedAt": f"{day}T10:00:00.000Z",
            "submittedOnDailyAt": f"{day}T00:00:00.000Z",
        },
        "title": f"Graph paper {i}",
    }


@pytest.fixture
def search_server(httpserver: Any, hf_url: str) -> None:
    body = json.dumps([_result(i, day) for i, day in enumerate(DAYS)])
    httpserver.expect_request("/api/papers/search").respond_with_data(
        body, content_type="application/json"
    )


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        (("--since", "2025-07-14", "--until", "2025-07-16"), DAYS[1:4]),
        (("--since", "2025-07-16"), DAYS[3:]),
        (("--until", "2025-07-14"), DAYS[:2]),
    ],
)
def test_search_since_and_until(
    run: Any, search_server: None, bounds: tuple[str, ...], expected: list[str]
) -> None:
    result = run("search", "graph", *bounds, "--json")
    assert result.exit_code == 0, result.stderr
    assert sorted(p["listed"] for p in result.json()) == expected
