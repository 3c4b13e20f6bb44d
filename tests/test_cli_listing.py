"""End to end: the CLI against a loopback server speaking the Hugging Face API."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

from papercli.models import JSON_KEYS
from support.served import day_query as _day_query
from support.served import serve_day


def test_list_a_day_renders_a_table(run, hf_url, httpserver, fixture_bytes) -> None:
    serve_day(httpserver, fixture_bytes, "2025-07-15")
    result = run("list", "--date", "2025-07-15")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Scaling Mini-Batch Optimisation" in out
    assert "Ada Lovelace +2" in out
    assert "Example Lab" in out
    assert "★ 1.5k" in out
    # Rich markup in a title is shown literally, escape sequences never reach the terminal.
    assert "[bold red]without[/]" in out
    assert "\x1b" not in out


def test_json_has_exactly_the_documented_keys(run, hf_url, httpserver, fixture_bytes) -> None:
    serve_day(httpserver, fixture_bytes, "2025-07-15")
    result = run("list", "--date", "2025-07-15", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [p["id"] for p in data] == ["2507.11001", "2507.11002", "2507.11003"]
    assert all(list(p) == list(JSON_KEYS) for p in data)
    assert data[0]["sources"] == ["hf"] and data[0]["listed"] == "2025-07-15"
    assert data[0]["url"] == "https://huggingface.co/papers/2507.11001"


def test_query_is_hyphen_space_and_case_insensitive(run, hf_url, httpserver, fixture_bytes) -> None:
    serve_day(httpserver, fixture_bytes, "2025-07-15")
    for query in ("mini-batch", "minibatch", "mini batch", "MINI-BATCH"):
        result = run("list", "--date", "2025-07-15", "--json", query)
        ids = [p["id"] for p in result.json()]
        assert ids == ["2507.11001", "2507.11002"], query
    result = run("list", "--date", "2025-07-15", "--json", "mini-batches")
    assert [p["id"] for p in result.json()] == ["2507.11002"]  # "Mini batches" only
    result = run("list", "--date", "2025-07-15", "--json", "batch")
    assert [p["id"] for p in result.json()] == ["2507.11001", "2507.11002", "2507.11003"]
    result = run("list", "--date", "2025-07-15", "--json", "atch")  # not at a word start
    assert result.json() == []
    result = run("list", "--date", "2025-07-15", "zebra")
    assert result.exit_code == 0 and result.stdout == ""
    assert "No papers match" in result.stderr


def test_sort_limit_and_numeric_filters(run, hf_url, httpserver, fixture_bytes) -> None:
    serve_day(httpserver, fixture_bytes, "2025-07-15")
    ids = lambda *a: [p["id"] for p in run("list", "-d", "2025-07-15", "--json", *a).json()]  # noqa: E731
    assert ids("--sort", "title") == ["2507.11003", "2507.11002", "2507.11001"]
    assert ids("--limit", "1") == ["2507.11001"]
    assert ids("--min-upvotes", "40") == ["2507.11001", "2507.11002"]
    assert ids("--has-code") == ["2507.11001", "2507.11002"]


def test_past_day_is_served_from_cache_without_network(run, hf_url, httpserver, fixture_bytes):
    serve_day(httpserver, fixture_bytes, "2025-07-15")
    assert run("list", "--date", "2025-07-15").exit_code == 0
    assert len(httpserver.log) == 1
    again = run("list", "--date", "2025-07-15", "--json")
    assert again.exit_code == 0 and len(again.json()) == 3
    assert len(httpserver.log) == 1  # no second request
    offline = run("list", "--date", "2025-07-15", "--offline", "--json")
    assert len(offline.json()) == 3


def test_paged_month_arrives_whole(run, hf_url, httpserver) -> None:
    def page(n: int, count: int) -> list[dict]:
        return [
            {
                "paper": {
                    "id": f"2507.{n * 100 + i:05d}",
                    "title": f"Paper {n}-{i}",
                    "summary": "x",
                    "authors": [{"name": "A B", "hidden": False}],
                    "upvotes": i,
                    "submittedOnDailyAt": "2025-07-02T00:00:00.000Z",
                }
            }
            for i in range(count)
        ]

    for n, count in enumerate([100, 100, 100, 100, 100, 17]):
        httpserver.expect_request(
            "/api/daily_papers", query_string={"month": "2025-07", "limit": "100", "p": str(n)}
        ).respond_with_json(page(n, count))
    for n in range(6, 12):  # speculative pages past the end answer empty
        httpserver.expect_request(
            "/api/daily_papers", query_string={"month": "2025-07", "limit": "100", "p": str(n)}
        ).respond_with_json([])
    result = run("list", "--month", "2025-07", "--json")
    assert result.exit_code == 0, result.stderr
    assert len(result.json()) == 517


def test_today_falls_back_to_the_latest_listed_day(
    run, hf_url, httpserver, fixture_bytes, today: dt.date
):
    day = today.isoformat()
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    httpserver.expect_request("/api/daily_papers", query_string=_day_query(day)).respond_with_json(
        []
    )
    serve_day(httpserver, fixture_bytes, yesterday)
    result = run("today", "--json")
    assert result.exit_code == 0, result.stderr
    assert f"No papers listed for {day} yet; showing {yesterday}." in result.stderr
    assert {p["listed"] for p in result.json()} == {yesterday}


def test_today_shows_today(run, hf_url, httpserver, fixture_bytes, today: dt.date) -> None:
    serve_day(httpserver, fixture_bytes, today.isoformat())
    result = run("today", "mini-batch")
    assert result.exit_code == 0
    assert "Scaling Mini-Batch" in result.stdout and "Diffusion" not in result.stdout
    assert result.stderr == ""


def test_todays_cache_expires_after_ttl(
    run, hf_url, httpserver, fixture_bytes, isolated_home, today: dt.date
):
    serve_day(httpserver, fixture_bytes, today.isoformat())
    assert run("today").exit_code == 0
    assert run("today").exit_code == 0
    assert len(httpserver.log) == 1  # fresh: served from the cache
    path = isolated_home / "cache" / "hf" / "day" / f"{today.isoformat()}.json"
    doc = json.loads(path.read_text())
    doc["fetched_at"] = time.time() - 2 * 3600
    path.write_text(json.dumps(doc))
    assert run("today").exit_code == 0
    assert len(httpserver.log) == 2  # stale: fetched again


def test_network_failure_shows_the_stale_copy(
    run, hf_url, httpserver, fixture_bytes, isolated_home, today: dt.date
):
    serve_day(httpserver, fixture_bytes, today.isoformat())
    assert run("today").exit_code == 0
    path = isolated_home / "cache" / "hf" / "day" / f"{today.isoformat()}.json"
    doc = json.loads(path.read_text())
    doc["fetched_at"] = time.time() - 3 * 3600
    path.write_text(json.dumps(doc))
    os.environ["PAPERS_HF_URL"] = "http://127.0.0.1:9"
    result = run("today", "--json")
    assert result.exit_code == 0
    assert len(result.json()) == 3
    assert "cached copy" in result.stderr and "3 hours ago" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_network_down_and_nothing_cached_is_one_line_exit_1(run) -> None:
    result = run("list", "--date", "2025-07-15")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert "127.0.0.1:9" in lines[0]


def test_corrupt_cache_file_is_set_aside_and_refetched(
    run, hf_url, httpserver, fixture_bytes, isolated_home: Path
) -> None:
    serve_day(httpserver, fixture_bytes, "2025-07-15")
    path = isolated_home / "cache" / "hf" / "day" / "2025-07-15.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"schema": 1, "papers": [')
    result = run("list", "--date", "2025-07-15", "--json")
    assert result.exit_code == 0 and len(result.json()) == 3
    assert "set aside" in result.stderr
    assert len(list(path.parent.glob("2025-07-15.json.corrupt-*"))) == 1
    assert json.loads(path.read_text())["schema"] == 1


def test_offline_without_cache_is_an_error(run) -> None:
    result = run("list", "--date", "2025-07-15", "--offline")
    assert result.exit_code == 1
    assert "offline" in result.stderr


def test_usage_errors_exit_2(run) -> None:
    for args in (
        ["list", "--date", "2025-13-01"],
        ["list", "--week", "2025-W54"],
        ["list", "--month", "2025-7"],
        ["list", "--date", "2025-07-01", "--month", "2025-07"],
        ["show", "../../etc/passwd"],
        ["today", "--sort", "stars"],
        ["today", "(unbalanced"],
    ):
        result = run(*args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.stderr


def test_show_fetches_then_caches(run, hf_url, httpserver, fixture_bytes) -> None:
    httpserver.expect_request("/api/papers/2507.11001").respond_with_data(
        fixture_bytes("hf/paper_2507.11001.json"), content_type="application/json"
    )
    result = run("show", "https://arxiv.org/abs/2507.11001v2")
    assert result.exit_code == 0, result.stderr
    for text in (
        "Scaling Mini-Batch",
        "Ada Lovelace, Émile Borel, 李明",
        "Example Lab",
        "https://huggingface.co/papers/2507.11001",
        "https://arxiv.org/pdf/2507.11001",
        "https://github.com/example/minibatch",
        "AI summary",
        "mini-batch, optimisation",
    ):
        assert text in result.stdout
    assert run("show", "2507.11001", "--json").json()["id"] == "2507.11001"
    assert len(httpserver.log) == 1


def test_show_unknown_paper_is_exit_1(run, hf_url, httpserver) -> None:
    httpserver.expect_request("/api/papers/2507.99999").respond_with_data("", status=404)
    result = run("show", "2507.99999")
    assert result.exit_code == 1
    assert "not found" in result.stderr


def test_show_uses_a_cached_listing(run, hf_url, httpserver, fixture_bytes) -> None:
    serve_day(httpserver, fixture_bytes, "2025-07-15")
    run("list", "--date", "2025-07-15")
    result = run("show", "2507.11003", "--json")
    assert result.exit_code == 0 and result.json()["title"].startswith("Diffusion")
    assert len(httpserver.log) == 1


def test_search(run, hf_url, httpserver, fixture_bytes) -> None:
    httpserver.expect_request(
        "/api/papers/search", query_string={"q": "mini batch"}
    ).respond_with_data(fixture_bytes("hf/search_minibatch.json"), content_type="application/json")
    result = run("search", "mini", "batch", "--json")
    assert result.exit_code == 0, result.stderr
    assert [p["id"] for p in result.json()] == ["2507.11001", "2507.11002"]


def test_a_past_day_fetched_while_it_was_current_is_refetched_after_ttl(
    run, hf_url, httpserver, fixture_bytes, isolated_home
):
    serve_day(httpserver, fixture_bytes, "2025-07-15")
    assert run("list", "--date", "2025-07-15").exit_code == 0
    path = isolated_home / "cache" / "hf" / "day" / "2025-07-15.json"
    doc = json.loads(path.read_text())
    # Fetched at noon on the list day itself, long ago: it may have missed late additions.
    doc["fetched_at"] = dt.datetime(2025, 7, 15, 12, tzinfo=dt.UTC).timestamp()
    path.write_text(json.dumps(doc))
    assert run("list", "--date", "2025-07-15").exit_code == 0
    assert len(httpserver.log) == 2
    assert run("list", "--date", "2025-07-15").exit_code == 0
    assert len(httpserver.log) == 2  # now settled: served from the cache


def test_today_with_the_network_down_shows_the_latest_cached_day(
    run, hf_url, httpserver, fixture_bytes, today: dt.date
) -> None:
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    serve_day(httpserver, fixture_bytes, yesterday)
    assert run("list", "--date", yesterday).exit_code == 0
    os.environ["PAPERS_HF_URL"] = "http://127.0.0.1:9"
    result = run("today", "--json")
    assert result.exit_code == 0, result.stderr
    assert {p["listed"] for p in result.json()} == {yesterday}
    assert f"Showing the most recent cached listing, {yesterday}." in result.stderr


def test_stray_files_in_the_cache_are_not_entries(
    run, hf_url, httpserver, fixture_bytes, isolated_home: Path
) -> None:
    serve_day(httpserver, fixture_bytes, "2025-07-15")
    assert run("list", "--date", "2025-07-15").exit_code == 0
    folder = isolated_home / "cache" / "hf" / "day"
    (folder / "2025-07-15 (copy).json").write_bytes((folder / "2025-07-15.json").read_bytes())
    assert run("today", "--offline", "--json").exit_code == 0
    result = run("show", "2507.99999", "--offline")
    assert result.exit_code == 1 and "internal error" not in result.stderr


def test_show_offline_wins_over_refresh(run, hf_url, httpserver, fixture_bytes) -> None:
    serve_day(httpserver, fixture_bytes, "2025-07-15")
    assert run("list", "--date", "2025-07-15").exit_code == 0
    result = run("show", "2507.11001", "--offline", "--refresh", "--json")
    assert result.exit_code == 0 and result.json()["id"] == "2507.11001"


def test_blank_search_is_a_usage_error_and_remote_words_are_not_parsed(
    run, hf_url, httpserver, fixture_bytes
) -> None:
    assert run("search", "  ").exit_code == 2
    httpserver.expect_request(
        "/api/papers/search", query_string={"q": "llama (3"}
    ).respond_with_data(fixture_bytes("hf/search_minibatch.json"), content_type="application/json")
    result = run("search", "llama", "(3", "--json")
    assert result.exit_code == 0, result.stderr


def test_days_and_weeks_are_read_from_a_cached_month(run, hf_url, httpserver) -> None:
    items = [
        {
            "paper": {
                "id": f"2507.{i:05d}",
                "title": f"Paper {i}",
                "authors": [{"name": "A B", "hidden": False}],
                "upvotes": i,
                "submittedOnDailyAt": f"2025-07-{i:02d}T00:00:00.000Z",
            }
        }
        for i in range(1, 31)
    ]
    httpserver.expect_request(
        "/api/daily_papers", query_string={"month": "2025-07", "limit": "100", "p": "0"}
    ).respond_with_json(items)
    assert run("list", "--month", "2025-07").exit_code == 0
    day = run("list", "--date", "2025-07-15", "--json")
    assert [p["id"] for p in day.json()] == ["2507.00015"]
    week = run("list", "--week", "2025-W29", "--offline", "--json")  # 14..20 July
    assert sorted(p["id"] for p in week.json()) == [f"2507.{i:05d}" for i in range(14, 21)]
    asked = [req.args for req, _ in httpserver.log]
    assert all("month" in args for args in asked)  # no request for the day or the week


def test_today_offline_uses_synced_month_listings(run, isolated_home: Path) -> None:
    from papercli.models import Paper
    from papercli.storage.cache import Cache

    cache = Cache(isolated_home / "cache")
    cache.save(
        "hf",
        "month",
        "2025-07",
        [
            Paper(id="2507.00001", title="Early", listed="2025-07-01", sources=("hf",)),
            Paper(id="2507.00031", title="Last", listed="2025-07-31", sources=("hf",)),
        ],
    )
    cache.save("hf", "day", "2025-06-30", [Paper(id="2506.00001", title="June", sources=("hf",))])
    result = run("today", "--offline", "--json")
    assert result.exit_code == 0, result.stderr
    assert [p["id"] for p in result.json()] == ["2507.00031"]
    assert "showing 2025-07-31" in result.stderr


def test_today_with_a_quiet_week_online_shows_the_latest_cached_day(
    run, hf_url, httpserver, fixture_bytes, today: dt.date
) -> None:
    old = (today - dt.timedelta(days=30)).isoformat()
    serve_day(httpserver, fixture_bytes, old)
    assert run("list", "--date", old).exit_code == 0
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        "[]", content_type="application/json"
    )
    result = run("today", "--json")
    assert result.exit_code == 0, result.stderr
    assert {p["listed"] for p in result.json()} == {old}
    first = (today - dt.timedelta(days=7)).isoformat()
    assert f"Nothing listed from {first} to {today.isoformat()}; showing" in result.stderr


def test_today_with_a_quiet_week_and_nothing_cached_says_which_days(
    run, hf_url, httpserver, today: dt.date
) -> None:
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        "[]", content_type="application/json"
    )
    result = run("today")
    assert result.exit_code == 0
    first = (today - dt.timedelta(days=7)).isoformat()
    assert f"Nothing listed on Hugging Face Daily Papers from {first} to" in result.stderr
