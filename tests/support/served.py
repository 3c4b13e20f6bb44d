"""Recorded responses served on loopback (pytest-httpserver), written once for every
test file that needs them."""

from __future__ import annotations

from typing import Any

FIXTURE_DAY = "2025-07-15"


def day_query(day: str, page: int = 0) -> dict[str, str]:
    """The query string of one page of a Hugging Face day listing."""
    return {"date": day, "limit": "100", "p": str(page)}


def serve_day(
    httpserver: Any,
    fixture_bytes: Any,
    day: str = FIXTURE_DAY,
    name: str = "hf/daily_2025-07-15.json",
) -> None:
    """Serve the recorded Hugging Face day ``name`` as the listing of ``day``."""
    body = fixture_bytes(name).replace(FIXTURE_DAY.encode(), day.encode())
    httpserver.expect_request("/api/daily_papers", query_string=day_query(day)).respond_with_data(
        body, content_type="application/json"
    )
