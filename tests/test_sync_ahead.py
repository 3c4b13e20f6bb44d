"""``papers sync`` asks for the next Hugging Face listing while it fetches and writes one
(HfClient.prefetch): each page is still asked for once, the files are the ones a
listing-at-a-time sync writes, a failure is the failure of its own listing, and no
thread outlives the command."""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path

from papercli.dates import parse_month
from papercli.sources.hf import HfClient
from papercli.sources.http import Http
from support.hub import FakeHub, item


def _months(hub: FakeHub) -> None:
    for month in range(1, 7):
        for n in range(1, 4 + 120 * (month == 3)):  # March has a second page
            day = f"2025-{month:02d}-{n % 27 + 1:02d}"
            hub.add(item(f"250{month}.{n:05d}", day, f"Paper {n} of {month}", upvotes=n))


def _ahead_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("papercli-hf-ahead-")]


def test_each_page_once_and_the_same_files(run, hub: FakeHub, isolated_home: Path) -> None:
    _months(hub)
    result = run("sync", "--source", "hf", "--since", "2025-01-01", "--until", "2025-06-30")
    assert result.exit_code == 0, result.stderr
    assert "6 listings fetched" in result.stderr
    asked = Counter((r["month"], r["p"]) for r in hub.requests)
    assert set(asked.values()) == {1}  # no page twice
    assert sorted(hub.listings()) == [f"2025-{m:02d}" for m in range(1, 7)]
    for month in range(1, 7):
        path = isolated_home / "cache" / "hf" / "month" / f"2025-{month:02d}.json"
        got = json.loads(path.read_text())["papers"]
        expected = [
            i for d, its in sorted(hub.days.items()) if d[5:7] == f"{month:02d}" for i in its
        ]
        assert sorted(p["id"] for p in got) == sorted(i["paper"]["id"] for i in expected)
    assert not _ahead_threads()


def test_a_failed_listing_fails_alone(run, httpserver, hf_url, isolated_home: Path) -> None:
    hub = FakeHub()
    _months(hub)

    def handler(request):  # type: ignore[no-untyped-def]
        if request.args.get("month") == "2025-03":
            from werkzeug import Response

            hub.requests.append(dict(request.args))
            return Response("no", status=404)
        return hub(request)

    httpserver.expect_request("/api/daily_papers").respond_with_handler(handler)
    result = run("sync", "--source", "hf", "--since", "2025-01-01", "--until", "2025-06-30")
    assert result.exit_code == 1
    assert "Hugging Face 2025-03" in result.stderr and "1 failed" in result.stderr
    assert "5 listings fetched" in result.stderr
    months = sorted(p.stem for p in (isolated_home / "cache" / "hf" / "month").glob("*.json"))
    assert months == ["2025-01", "2025-02", "2025-04", "2025-05", "2025-06"]
    assert Counter(r["month"] for r in hub.requests if r.get("p") == "0")["2025-03"] == 1
    assert not _ahead_threads()


def test_a_listing_asked_ahead_is_the_answer_or_is_stopped(hub: FakeHub, hf_url: str) -> None:
    _months(hub)
    with Http() as http:
        client = HfClient(http, hf_url, concurrency=2)
        client.prefetch(parse_month("2025-02"))
        client.prefetch(parse_month("2025-02"))  # once
        got = client.listing(parse_month("2025-02"))
        assert len(got.papers) == 3 and hub.listings() == ["2025-02"]
        assert not _ahead_threads()
        client.prefetch(parse_month("2025-04"))
        client.prefetch(parse_month("2025-05"))
        client.prefetch(parse_month("2025-06"))  # two at most
        client.settle()
        assert not _ahead_threads()
        asked = {r["month"] for r in hub.requests}
        assert "2025-06" not in asked
        again = client.listing(parse_month("2025-04"))  # dropped by settle(): asked again
        assert len(again.papers) == 3


def test_an_error_asked_ahead_is_raised_by_its_listing(httpserver, hf_url: str) -> None:
    import pytest

    from papercli.errors import FetchError

    httpserver.expect_request("/api/daily_papers").respond_with_data("<html>", status=200)
    with Http() as http:
        client = HfClient(http, hf_url)
        client.prefetch(parse_month("2025-02"))
        with pytest.raises(FetchError, match="HTML"):
            client.listing(parse_month("2025-02"))
    assert not _ahead_threads()
