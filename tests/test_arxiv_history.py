"""End to end: arXiv listings of past days (``papers list --source arxiv|all``) and
``papers sync`` for arXiv, against a loopback server speaking the export API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from support.arxivapi import FakeApi, Record

DAY = "2025-07-14"
RECORDS = [
    Record("2507.10001", "2025-07-14", "Graph mini-batches", ("cs.LG", "stat.ML")),
    Record("2507.10002", "2025-07-14", "Parsing with graphs", ("cs.CL",)),
    Record("2507.10003", "2025-07-14", "Vision only", ("cs.CV",)),
    Record("2507.11001", "2025-07-15", "Scaling Mini-Batch Optimisation", ("cs.LG",)),
    Record("2507.11003", "2025-07-15", "Diffusion, batch-free", ("cs.CV", "cs.LG")),
    Record("2507.12001", "2025-07-16", "Wednesday graph paper", ("cs.CL", "cs.LG")),
]


@pytest.fixture
def api(httpserver, arxiv_url) -> FakeApi:
    fake = FakeApi(list(RECORDS))
    httpserver.expect_request("/api/query").respond_with_handler(fake.handler)
    return fake


def ids(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [p["id"] for p in result.json()]


def test_list_a_past_day_from_the_api_then_from_the_cache(
    run, api: FakeApi, isolated_home: Path, monkeypatch
) -> None:
    args = ("list", "--source", "arxiv", "-c", "cs.LG", "-c", "cs.CL", "--date", DAY, "--json")
    data = run(*args).json()
    assert [p["id"] for p in data] == ["2507.10001", "2507.10002"]
    first = data[0]
    assert first["listed"] == DAY and first["announce_type"] is None
    assert first["sources"] == ["arxiv"] and first["categories"] == ["cs.LG", "stat.ML"]
    (params,) = api.requests
    assert params["search_query"] == (
        "(cat:cs.LG OR cat:cs.CL) AND submittedDate:[202507140000 TO 202507142359]"
    )
    assert params["sortBy"] == "submittedDate" and params["start"] == "0"
    path = isolated_home / "cache/arxiv/api/cs.CL+cs.LG" / f"{DAY}.json"
    assert path.is_file()
    # Cached: no request, and the same answer offline with the service gone.
    assert ids(run(*args)) == ["2507.10001", "2507.10002"]
    monkeypatch.setenv("PAPERS_ARXIV_URL", "http://127.0.0.1:9")
    assert ids(run(*args, "--offline")) == ["2507.10001", "2507.10002"]
    assert ids(run(*args)) == ["2507.10001", "2507.10002"]
    # One category of the cached set: narrowed from it, no request.
    one = ("list", "-s", "arxiv", "-c", "cs.CL", "--date", DAY, "--json")
    assert ids(run(*one)) == ["2507.10002"]
    assert len(api.requests) == 1


def test_a_day_is_paged(run, api: FakeApi, monkeypatch) -> None:
    from papercli.sources import arxiv_days

    monkeypatch.setattr(arxiv_days, "API_LISTING_PAGE", 1)
    result = run("list", "-s", "arxiv", "-c", "cs.LG", "-c", "cs.CL", "--date", DAY, "--json")
    assert ids(result) == ["2507.10001", "2507.10002"]
    assert [p["start"] for p in api.requests] == ["0", "1"]
    assert {p["max_results"] for p in api.requests} == {"1"}


def test_week_fetches_each_day_once(run, api: FakeApi) -> None:
    args = ("list", "-s", "arxiv", "-c", "cs.LG", "--week", "2025-W29", "--json", "--sort", "date")
    got = ids(run(*args))
    assert set(got) == {"2507.10001", "2507.11001", "2507.11003", "2507.12001"}
    assert api.spans() == [("2025-07-14", "2025-07-20")]  # the seven days in one query
    assert ids(run(*args)) == got and len(api.requests) == 1


def test_current_week_does_not_ask_for_future_days(run, api: FakeApi) -> None:
    today = dt.date.today()
    week = f"{today.isocalendar().year}-W{today.isocalendar().week:02d}"
    assert run("list", "-s", "arxiv", "--week", week, "--json").exit_code == 0
    assert max(last for _, last in api.spans()) <= today.isoformat()
    # The past days of the week in one query (one day alone: its own), today in its own.
    assert len(api.requests) == min(today.isoweekday(), 2)
    future = run("list", "-s", "arxiv", "--date", (today + dt.timedelta(days=3)).isoformat())
    assert future.exit_code == 0 and "in the future" in future.stderr


def test_a_cached_announcement_is_used_for_its_day(
    run, api: FakeApi, httpserver, fixture_bytes
) -> None:
    httpserver.expect_request("/rss/cs.LG+cs.CL").respond_with_data(
        fixture_bytes("arxiv/rss_cs.LG+cs.CL_2025-07-15.xml"), content_type="application/rss+xml"
    )
    assert run("today", "-s", "arxiv", "-c", "cs.LG", "-c", "cs.CL").exit_code == 0
    data = run(
        "list", "-s", "arxiv", "-c", "cs.CL", "-c", "cs.LG", "--date", "2025-07-15", "--json"
    ).json()
    assert [p["announce_type"] for p in data] == ["new", "new", "cross"]
    narrowed = run("list", "-s", "arxiv", "-c", "cs.CL", "--date", "2025-07-15", "--json")
    assert ids(narrowed) == ["2507.11010"]
    assert api.requests == []


def test_source_all_merges_hugging_face_signals(
    run, api: FakeApi, hf_url, httpserver, fixture_bytes
) -> None:
    for offset in range(-2, 3):
        day = (dt.date(2025, 7, 15) + dt.timedelta(days=offset)).isoformat()
        body = fixture_bytes("hf/daily_2025-07-15.json") if offset == 0 else b"[]"
        httpserver.expect_request(
            "/api/daily_papers", query_string={"date": day, "limit": "100", "p": "0"}
        ).respond_with_data(body, content_type="application/json")
    result = run("list", "-s", "all", "-c", "cs.LG", "--date", "2025-07-15", "--json")
    data = result.json()
    assert [p["id"] for p in data] == ["2507.11001", "2507.11003"]
    assert data[0]["upvotes"] == 87 and set(data[0]["sources"]) == {"arxiv", "hf"}
    assert data[1]["upvotes"] == 12
    table = run("list", "-s", "all", "-c", "cs.LG", "--date", "2025-07-15", "--include-hf").stdout
    assert "[hf] Minibatching" in table
    assert len(api.requests) == 1


def test_sync_fetches_the_missing_days_as_one_range(run, api: FakeApi, isolated_home: Path) -> None:
    (isolated_home / "config.toml").write_text(
        '[sources.arxiv]\ncategories = ["cs.LG"]\ndelay_seconds = 0\n\n'
        '[watch.parsing]\nquery = "parsing"\nsources = ["arxiv"]\ncategories = ["cs.CL"]\n'
    )
    args = ("sync", "--source", "arxiv", "--since", "2025-07-12", "--until", "2025-07-16")
    first = run(*args)
    assert first.exit_code == 0, first.stderr
    assert "5 listings fetched" in first.stderr  # one query, five days
    assert api.spans() == [("2025-07-12", "2025-07-16")]
    assert all(p["search_query"].startswith("(cat:cs.CL OR cat:cs.LG) AND") for p in api.requests)
    folder = isolated_home / "cache/arxiv/api/cs.CL+cs.LG"
    # Every day of the range has its file, the empty weekend days too.
    assert sorted(p.stem for p in folder.glob("*.json")) == [f"2025-07-{d}" for d in range(12, 17)]
    again = run(*args)
    assert "0 listings fetched, 5 already cached" in again.stderr
    assert len(api.requests) == 1
    # A longer range fetches only the new days; lists and searches use what sync cached.
    assert (
        run("sync", "--source", "arxiv", "--since", "2025-07-10", "--until", "2025-07-17").exit_code
        == 0
    )
    assert api.spans()[1:] == [("2025-07-10", "2025-07-11"), ("2025-07-17", "2025-07-17")]
    assert ids(run("list", "-s", "arxiv", "-c", "cs.LG", "--date", DAY, "--json")) == ["2507.10001"]
    found = run("search", "--offline", "--json", "graph", "--since", "2025-07-14")
    assert ids(found) == ["2507.12001", "2507.10001", "2507.10002"]
    watched = run("watch", "run", "--offline", "--since", "2025-07-12", "--json")
    assert watched.exit_code == 0, watched.stderr
    assert watched.json()[0]["new"] == ["2507.10002"]
    assert len(api.requests) == 3


def test_bad_category_is_a_usage_error_before_any_request(run, api: FakeApi) -> None:
    result = run("list", "-s", "arxiv", "-c", "cs LG!", "--date", DAY)
    assert result.exit_code == 2 and "Invalid arXiv category" in result.stderr
    assert api.requests == []


def test_api_error_answer_is_one_line(run, httpserver, arxiv_url, fixture_bytes) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv/api_error_400.xml"), status=400, content_type="application/atom+xml"
    )
    result = run("list", "-s", "arxiv", "-c", "cs.LG", "--date", DAY)
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: arXiv: incorrect id format for 2401.0"


def test_service_down_is_exit_1_and_a_week_keeps_cached_days(run, api: FakeApi) -> None:
    assert run("list", "-s", "arxiv", "-c", "cs.LG", "--date", DAY).exit_code == 0
    api.status = 503
    down = run("list", "-s", "arxiv", "-c", "cs.LG", "--date", "2025-07-15")
    assert down.exit_code == 1 and len(down.stderr.strip().splitlines()) == 1
    week = run("list", "-s", "arxiv", "-c", "cs.LG", "--week", "2025-W29", "--json")
    assert ids(week) == ["2507.10001"]
    assert "6 of 7 days could not be listed" in week.stderr


def test_hf_options_need_arxiv(run) -> None:
    result = run("list", "--date", DAY, "-c", "cs.LG")
    assert result.exit_code == 2 and "--source arxiv or all" in result.stderr


def test_refresh_of_a_week_shows_what_the_api_just_answered(
    run, api: FakeApi, httpserver, fixture_bytes
) -> None:
    """A cached announcement wins for its day, but --refresh asks the export API for
    the whole week, and what it answered is what the week shows."""
    httpserver.expect_request("/rss/cs.LG").respond_with_data(
        fixture_bytes("arxiv/rss_cs.LG+cs.CL_2025-07-15.xml"), content_type="application/rss+xml"
    )
    assert run("today", "-s", "arxiv", "-c", "cs.LG").exit_code == 0  # announced 2025-07-15
    args = ("list", "-s", "arxiv", "-c", "cs.LG", "--week", "2025-W29", "--json", "--limit", "200")
    announced = run(*args)
    assert any(p["announce_type"] for p in announced.json())  # the announcement's day
    asked = len(api.requests)
    refreshed = run(*args, "--refresh")
    assert refreshed.exit_code == 0, refreshed.stderr
    assert len(api.requests) == asked + 1  # the week in one query, not asked again per day
    assert set(ids(refreshed)) == {"2507.10001", "2507.11001", "2507.11003", "2507.12001"}
    assert all(p["announce_type"] is None for p in refreshed.json())


def test_an_empty_day_of_a_larger_set_answers_for_one_category(
    run, api: FakeApi, isolated_home: Path
) -> None:
    """Synced for cs.CL and cs.LG, a weekend day is cached empty: a listing of cs.CL
    alone takes it from there (offline too), without asking arXiv again."""
    (isolated_home / "config.toml").write_text("[sources.arxiv]\ndelay_seconds = 0\n")
    sync = ("sync", "-s", "arxiv", "-c", "cs.CL", "-c", "cs.LG")
    assert run(*sync, "--since", "2025-07-12", "--until", "2025-07-14").exit_code == 0
    asked = len(api.requests)
    for day, want in (("2025-07-13", []), ("2025-07-12", []), (DAY, ["2507.10002"])):
        for extra in ((), ("--offline",)):
            got = run("list", "-s", "arxiv", "-c", "cs.CL", "--date", day, "--json", *extra)
            assert ids(got) == want, (day, extra)  # the weekend: known to be empty
    assert len(api.requests) == asked
