"""papers sync: what it fetches, what it keeps, and when it asks again."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from support.hub import FakeHub, empty_past_day, ids, item


def test_sync_fetches_what_is_missing_then_nothing(run, hub: FakeHub) -> None:
    hub.add(
        item("2506.00001", "2025-06-03", "Mini-batch methods", upvotes=5),
        item("2506.00002", "2025-06-30", "Minibatching at scale", upvotes=50),
        item("2507.00001", "2025-07-02", "Diffusion without batches", upvotes=7),
        item("2505.00001", "2025-05-31", "Before the range"),
    )
    result = run("sync", "--since", "2025-06-01", "--until", "2025-07-02")
    assert result.exit_code == 0, result.stderr
    # June whole (one month request), then July 1 and 2 as days (each listing is asked for
    # while the one before it is fetched: in any order).
    assert sorted(hub.listings()) == [
        "2025-06",
        "2025-07-01",
        "2025-07-02",
    ]
    assert "3 listings fetched" in result.stderr
    again = run("sync", "--since", "2025-06-01", "--until", "2025-07-02")
    assert again.exit_code == 0 and "0 listings fetched, 3 already cached" in again.stderr
    assert len(hub.listings()) == 3

    # Local search: every cached listing, newest first by default.
    assert ids(run("search", "--offline", "--json", "mini-batch")) == ["2506.00002", "2506.00001"]
    assert ids(run("search", "--offline", "--json", "batch")) == ["2507.00001", "2506.00001"]
    assert ids(run("search", "--offline", "--json", "batches OR mini", "--sort", "upvotes")) == [
        "2506.00002",
        "2507.00001",
        "2506.00001",
    ]
    assert ids(
        run(
            "search",
            "--offline",
            "--json",
            "mini",
            "--since",
            "2025-06-10",
            "--until",
            "2025-06-30",
        )
    ) == ["2506.00002"]
    assert ids(run("search", "--offline", "--json", "--", "mini -title:scale")) == ["2506.00001"]
    table = run("search", "--offline", "minibatch")
    assert "Minibatching at scale" in table.stdout and "Mini-batch methods" in table.stdout
    assert len(hub.listings()) == 3  # --offline never fetches
    bad = run("search", "--offline", "(mini")
    assert bad.exit_code == 2 and "column 1" in bad.stderr
    none = run("search", "--offline", "zebra")
    assert none.exit_code == 0 and none.stdout == "" and "No papers" in none.stderr


def test_sync_reports_failures_and_keeps_the_rest(run, httpserver, hf_url) -> None:
    httpserver.expect_request(
        "/api/daily_papers", query_string={"date": "2025-07-01", "limit": "100", "p": "0"}
    ).respond_with_json([])
    httpserver.expect_request("/api/daily_papers").respond_with_data("no", status=404)
    result = run("sync", "--since", "2025-07-01", "--until", "2025-07-02")
    assert result.exit_code == 1
    assert "1 failed" in result.stderr and "run papers sync again" in result.stderr
    assert "Traceback" not in result.stderr


def test_sync_usage_errors(run) -> None:
    assert run("sync", "--since", "2025-13-01").exit_code == 2
    assert run("sync", "--since", "2025-07-02", "--until", "2025-07-01").exit_code == 2


def test_sync_refetches_a_listing_fetched_before_its_day_ended(
    run, hub: FakeHub, isolated_home: Path
) -> None:
    hub.add(item("2507.00001", "2025-07-01", "Early"))
    assert run("sync", "--since", "2025-07-01", "--until", "2025-07-01").exit_code == 0
    path = isolated_home / "cache" / "hf" / "day" / "2025-07-01.json"
    doc = json.loads(path.read_text())
    doc["fetched_at"] = dt.datetime(2025, 7, 1, 8, tzinfo=dt.UTC).timestamp()
    path.write_text(json.dumps(doc))
    hub.add(item("2507.00002", "2025-07-01", "Late"))
    result = run("sync", "--since", "2025-07-01", "--until", "2025-07-01")
    assert "1 listing fetched" in result.stderr
    assert ids(run("search", "--offline", "--json", "late")) == ["2507.00002"]
    again = run("sync", "--since", "2025-07-01", "--until", "2025-07-01")
    assert "0 listings fetched, 1 already cached" in again.stderr


def test_sync_stops_asking_a_service_that_is_down(run, isolated_home: Path) -> None:
    # Every base URL points at a dead port (conftest): each listing fails to connect.
    result = run("sync", "--source", "hf", "--since", "2025-01-01", "--until", "2025-06-30")
    assert result.exit_code == 1
    assert result.stderr.count("cannot reach") == 3  # then it stops trying
    assert "3 more not tried" in result.stderr


def test_sync_fetches_days_of_a_month_cached_before_it_ended(
    run, hub: FakeHub, isolated_home: Path
) -> None:
    hub.add(item("2507.00001", "2025-07-10", "Early"))
    assert run("list", "--month", "2025-07").exit_code == 0
    path = isolated_home / "cache" / "hf" / "month" / "2025-07.json"
    doc = json.loads(path.read_text())
    doc["fetched_at"] = dt.datetime(2025, 7, 20, tzinfo=dt.UTC).timestamp()  # mid-month
    path.write_text(json.dumps(doc))
    hub.add(item("2507.00002", "2025-07-28", "Late"))
    result = run("sync", "--source", "hf", "--since", "2025-07-25", "--until", "2025-07-31")
    assert result.exit_code == 0, result.stderr
    assert ids(run("list", "--date", "2025-07-28", "--offline", "--json")) == ["2507.00002"]


def test_sync_asks_again_for_an_empty_past_day_after_the_ttl(
    run, hub: FakeHub, isolated_home: Path, today: dt.date
) -> None:
    day = (today - dt.timedelta(days=4)).isoformat()
    empty_past_day(isolated_home, day, hours_ago=0.5)
    hub.add(item("2507.00001", day, "Late arrival"))
    within = run("sync", "--source", "hf", "--since", day, "--until", day)
    assert "0 listings fetched, 1 already cached" in within.stderr  # within the TTL
    empty_past_day(isolated_home, day, hours_ago=2)  # the TTL (60 minutes) is over
    after = run("sync", "--source", "hf", "--since", day, "--until", day)
    assert after.exit_code == 0 and "1 listing fetched" in after.stderr, after.stderr
    assert ids(run("search", "--offline", "--json", "arrival")) == ["2507.00001"]


def test_sync_says_once_that_the_time_limit_is_used_up(
    run, hub: FakeHub, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papercli.sources.http import Http

    monkeypatch.setattr(Http, "remaining", lambda self: 0.0)  # the budget is spent
    result = run("sync", "--source", "hf", "--since", "2025-07-01", "--until", "2025-07-10")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 4, result.stderr
    assert lines[0].startswith("Hugging Face 2025-07-01: ") and "time limit" in lines[0]
    assert "time limit" in lines[1] and "9 more listings not tried" in lines[1]
    assert "0 listings fetched" in lines[2] and "9 not tried" in lines[2]
    assert lines[3].startswith("Error: 10 listings could not be fetched")
    assert hub.requests == []
