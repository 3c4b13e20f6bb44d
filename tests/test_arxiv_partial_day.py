"""The export API sometimes answers an empty page part-way through a day: that fails
the day (one line, exit 1) instead of caching part of it as the whole day."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from werkzeug import Request, Response

from papercli.errors import FetchError
from papercli.sources import arxiv_days
from papercli.sources.http import Http, Policy
from support.arxivapi import Record, atom

DAY = "2025-07-14"
RECORDS = [
    Record("2507.10001", DAY, "First of the day"),
    Record("2507.10002", DAY, "Second of the day"),
    Record("2507.10003", DAY, "Third of the day"),
]


class GlitchyApi:
    """One day of three papers, paged by ``start``; while ``glitch`` holds a start,
    the page there comes back empty though ``totalResults`` still says three
    (``times`` times, then whole again; None: every time)."""

    def __init__(self, glitch: int | None, times: int | None = None) -> None:
        self.glitch = glitch
        self.times = times
        self.starts: list[int] = []

    def __call__(self, request: Request) -> Response:
        params = {k: v[0] for k, v in parse_qs(request.query_string.decode()).items()}
        start, size = int(params.get("start", "0")), int(params.get("max_results", "10"))
        self.starts.append(start)
        glitch = start == self.glitch and (self.times is None or self.times > 0)
        if glitch and self.times is not None:
            self.times -= 1
        page = [] if glitch else RECORDS[start : start + size]
        body = atom(page, len(RECORDS), start, size)
        return Response(body, content_type="application/atom+xml")


def _serve(httpserver: Any, api: GlitchyApi) -> str:
    httpserver.expect_request("/api/query").respond_with_handler(api)
    return str(httpserver.url_for("").rstrip("/"))


def _fetch(base: str, page_size: int = 1) -> list[str]:
    with Http(Policy(retries=0)) as http:
        papers = arxiv_days.fetch_day(
            http, base, ("cs.LG",), dt.date.fromisoformat(DAY), delay=0, page_size=page_size
        )
    return [p.id for p in papers]


def test_a_whole_day_is_paged_to_its_total(httpserver: Any) -> None:
    api = GlitchyApi(glitch=None)
    assert _fetch(_serve(httpserver, api)) == [r.id for r in RECORDS]
    assert api.starts == [0, 1, 2]


@pytest.mark.parametrize("glitch", [1, 2, 0])
def test_an_empty_page_before_the_total_fails_the_day(httpserver: Any, glitch: int) -> None:
    api = GlitchyApi(glitch=glitch)
    with pytest.raises(FetchError, match=rf"{glitch} of 3 papers and then an empty page"):
        _fetch(_serve(httpserver, api))
    assert api.starts == [*range(glitch + 1), glitch]  # asked once more, then given up


@pytest.mark.parametrize("glitch", [1, 2, 0])
def test_an_empty_page_once_is_asked_again(httpserver: Any, glitch: int) -> None:
    api = GlitchyApi(glitch=glitch, times=1)
    assert _fetch(_serve(httpserver, api)) == [r.id for r in RECORDS]
    assert api.starts == [*range(glitch + 1), glitch, *range(glitch + 1, 3)]


def test_a_partial_day_is_not_cached_and_the_next_run_gets_it_whole(
    run: Any, httpserver: Any, arxiv_url: str, isolated_home: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(arxiv_days, "API_LISTING_PAGE", 1)
    api = GlitchyApi(glitch=2)
    httpserver.expect_request("/api/query").respond_with_handler(api)
    args = ("list", "-s", "arxiv", "-c", "cs.LG", "--date", DAY, "--json")

    failed = run(*args)
    assert failed.exit_code == 1
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and "2 of 3 papers and then an empty page" in lines[0]
    assert failed.stdout == ""
    assert not list((isolated_home / "cache").rglob(f"{DAY}.json"))

    api.glitch = None
    whole = run(*args)
    assert whole.exit_code == 0, whole.stderr
    assert sorted(p["id"] for p in whole.json()) == [r.id for r in RECORDS]
    assert list((isolated_home / "cache").rglob(f"{DAY}.json"))


def test_without_a_total_a_day_is_paged_to_a_short_page(httpserver: Any) -> None:
    """An answer that does not say its total is not taken whole from one full page."""
    starts: list[int] = []

    def handler(request: Request) -> Response:
        params = {k: v[0] for k, v in parse_qs(request.query_string.decode()).items()}
        start, size = int(params["start"]), int(params["max_results"])
        starts.append(start)
        body = atom(RECORDS[start : start + size], len(RECORDS), start, size)
        return Response(
            re.sub(rb"<opensearch:totalResults>\d+</opensearch:totalResults>", b"", body),
            content_type="application/atom+xml",
        )

    httpserver.expect_request("/api/query").respond_with_handler(handler)
    base = str(httpserver.url_for("").rstrip("/"))
    assert _fetch(base, page_size=2) == [r.id for r in RECORDS]
    assert starts == [0, 2]
