"""``papers sync --source arxiv`` asks the export API for ranges of days, not one day at a
time, and writes the same per-day files as the day-by-day path (``papers list --date``).

Against loopback stand-ins: tests/support/arxivapi.py, and benchmarks/fakearxiv.py
serving the 69 real recorded days when the shared data is there.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import re
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs

import pytest
from werkzeug import Request, Response

from papercli.core import arxiv as core_arxiv
from papercli.sources import arxiv_days
from support.arxivapi import FakeApi, Record, atom

ROOT = Path(__file__).resolve().parent.parent
CONFIG = '[sources.arxiv]\ncategories = ["cs.LG"]\ndelay_seconds = 0\n'


def _days(first: str, count: int) -> list[str]:
    start = dt.date.fromisoformat(first)
    return [(start + dt.timedelta(days=i)).isoformat() for i in range(count)]


def _records(days: list[str], weekday: int, weekend: int) -> list[Record]:
    out = []
    for day in days:
        weekend_day = dt.date.fromisoformat(day).weekday() >= 5
        for n in range(weekend if weekend_day else weekday):
            out.append(Record(f"{day[2:4]}{day[5:7]}.{day[8:10]}{n:03d}", day, f"Paper {n}"))
    return out


@pytest.fixture
def api(httpserver: Any, arxiv_url: str, isolated_home: Path) -> FakeApi:
    (isolated_home / "config.toml").write_text(CONFIG)
    fake = FakeApi()
    httpserver.expect_request("/api/query").respond_with_handler(fake.handler)
    return fake


def _files(home: Path, cats: str = "cs.LG") -> dict[str, dict[str, Any]]:
    """The per-day cache files of a category set: day -> the document, ``fetched_at`` left out."""
    out = {}
    for path in sorted((home / "cache/arxiv/api" / cats).glob("*.json")):
        doc = json.loads(path.read_text())
        doc.pop("fetched_at")
        out[path.stem] = doc
    return out


def _sync(run: Any, first: str, last: str, *more: str) -> Any:
    return run("sync", "-s", "arxiv", "-c", "cs.LG", "--since", first, "--until", last, *more)


# -- the one rule that puts a paper on a day ------------------------------------------------------
def test_a_paper_is_on_the_gmt_day_of_its_first_submission() -> None:
    from papercli.models import Paper

    def paper(published: str | None) -> Paper:
        return Paper("2507.00001", "T", published=published)

    day = dt.date(2025, 7, 8)
    assert arxiv_days.submission_day(paper("2025-07-08T23:59:59Z")) == day
    assert arxiv_days.submission_day(paper("2025-07-08T20:30:00-05:00")) == dt.date(2025, 7, 9)
    assert arxiv_days.submission_day(paper("2025-07-08T10:00:00")) == day  # no zone: GMT
    assert arxiv_days.submission_day(paper(None)) is None
    assert arxiv_days.submission_day(paper("July 8th")) is None
    # One day: the query decided, whatever the paper says; a range: the paper's day.
    (got,) = arxiv_days.split_days([paper(None)], day, day)[day]
    assert got.listed == "2025-07-08"
    split = arxiv_days.split_days([paper("2025-07-09T01:00:00Z")], day, dt.date(2025, 7, 10))
    assert [len(v) for v in split.values()] == [0, 1, 0]
    with pytest.raises(arxiv_days.UnsplittableRange):
        arxiv_days.split_days([paper(None)], day, dt.date(2025, 7, 10))
    assert arxiv_days.range_query(("cs.LG", "cs.CL"), day, dt.date(2025, 7, 10)) == (
        "(cat:cs.LG OR cat:cs.CL) AND submittedDate:[202507080000 TO 202507102359]"
    )


# -- a year in few requests ------------------------------------------------------------------------
def test_a_year_of_one_category_in_at_most_40_requests(
    run: Any, api: FakeApi, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A year at one twentieth of the scale, so that the suite stays fast: pages of 100,
    at most 1,500 a query, 8 papers a weekday and 2 a weekend day (2,296 papers; at full
    scale, 160 and 40). benchmarks/bench_arxiv_ranges.py runs years at full scale."""
    monkeypatch.setattr(arxiv_days, "API_LISTING_PAGE", 100)
    monkeypatch.setattr(arxiv_days, "API_QUERY_CAP", 1500)
    year = _days("2025-01-01", 365)
    api.records = _records(year, weekday=8, weekend=2)
    result = _sync(run, year[0], year[-1])
    assert result.exit_code == 0, result.stderr
    # 12 ranges of about a month, each ~190 papers: two pages each.
    assert len(api.spans()) == 24 <= 40
    assert len(set(api.spans())) == 12
    files = _files(isolated_home)
    assert sorted(files) == year
    assert sum(len(doc["papers"]) for doc in files.values()) == len(api.records)
    again = _sync(run, year[0], year[-1])
    assert "0 listings fetched, 365 already cached" in again.stderr
    assert len(api.requests) == 24


def test_a_range_over_the_cap_is_cut_and_later_ranges_start_smaller(
    run: Any, api: FakeApi, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arxiv_days, "API_LISTING_PAGE", 50)
    monkeypatch.setattr(arxiv_days, "API_QUERY_CAP", 100)
    days = _days("2025-03-01", 62)  # two ranges of 31 days, 10 papers a day: 310 each
    api.records = _records(days, weekday=10, weekend=10)
    result = _sync(run, days[0], days[-1])
    assert result.exit_code == 0, result.stderr
    spans = api.spans()
    # The first range answers 310 > 100: it is cut into parts of 8 days (80 papers, two
    # pages each), and the second range is cut the same way before asking.
    assert spans[0] == ("2025-03-01", "2025-03-31") and spans.count(spans[0]) == 1
    parts = sorted(set(spans[1:]))
    assert len(parts) == 8 and all(spans.count(part) == 2 for part in parts)
    assert all((dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days < 8 for a, b in parts)
    assert len(spans) == 17
    files = _files(isolated_home)
    assert sorted(files) == days and sum(len(d["papers"]) for d in files.values()) == 620


def test_one_day_over_the_cap_fails_that_day_only(
    run: Any, api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arxiv_days, "API_QUERY_CAP", 5)
    api.records = _records(["2025-03-03"], weekday=6, weekend=0)
    result = _sync(run, "2025-03-03", "2025-03-03")
    assert result.exit_code == 1
    assert "arXiv lists 6 papers submitted on 2025-03-03 in cs.LG" in result.stderr


# -- an incomplete answer never writes a day ----------------------------------------------
class GlitchyRanges(FakeApi):
    """A FakeApi whose page at ``start`` of the range beginning on ``first`` comes back
    empty (``totalResults`` still counting it), ``times`` times (None: every time)."""

    glitch: tuple[str, int] | None = None  # (first day as YYYYMMDD, start)
    times: int | None = None

    def handler(self, request: Request) -> Response:
        response = super().handler(request)
        params = self.requests[-1]
        first = params["search_query"].split("submittedDate:[")[1][:8]
        start = int(params.get("start", "0"))
        if self.glitch != (first, start) or self.times == 0:
            return response
        if self.times is not None:
            self.times -= 1
        found = re.search(rb"<opensearch:totalResults>(\d+)<", response.get_data())
        assert found is not None
        body = atom([], int(found.group(1)), start, 1)
        return Response(body, content_type="application/atom+xml")


@pytest.fixture
def glitchy(httpserver: Any, arxiv_url: str, isolated_home: Path) -> GlitchyRanges:
    (isolated_home / "config.toml").write_text(CONFIG)
    fake = GlitchyRanges()
    httpserver.expect_request("/api/query").respond_with_handler(fake.handler)
    return fake


def test_an_empty_page_fails_its_range_only_and_a_rerun_fetches_it(
    run: Any, glitchy: GlitchyRanges, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core_arxiv, "RANGE_DAYS", 7)
    monkeypatch.setattr(arxiv_days, "API_LISTING_PAGE", 10)
    days = _days("2025-07-07", 21)  # three weeks: three ranges of 7 days
    glitchy.records = _records(days, weekday=4, weekend=1)  # 22 papers a week
    glitchy.glitch = ("20250714", 10)  # the second week's second page, every time
    result = _sync(run, days[0], days[-1])
    assert result.exit_code == 1
    assert "arXiv cs.LG 2025-07-14 to 2025-07-20: arXiv returned 10 of 22 papers and then an" in (
        result.stderr
    )
    # Counted in days, named by range.
    assert "7 listings could not be fetched (arXiv cs.LG 2025-07-14 to 2025-07-20)" in result.stderr
    assert "14 listings fetched, 0 already cached, 7 failed" in result.stderr
    # Nothing of the failed week was written (not even its first page's days).
    assert sorted(_files(isolated_home)) == days[:7] + days[14:]
    # The empty page was asked once more, then the range given up.
    assert [s for s in glitchy.spans() if s[0] == "2025-07-14"] == [
        ("2025-07-14", "2025-07-20")
    ] * 3

    glitchy.glitch = None
    again = _sync(run, days[0], days[-1])
    assert again.exit_code == 0, again.stderr
    assert "7 listings fetched, 14 already cached" in again.stderr
    assert glitchy.spans()[-3:] == [("2025-07-14", "2025-07-20")] * 3
    assert sorted(_files(isolated_home)) == days


def test_an_empty_page_once_is_asked_again_and_the_range_completes(
    run: Any, glitchy: GlitchyRanges, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arxiv_days, "API_LISTING_PAGE", 10)
    days = _days("2025-07-07", 7)
    glitchy.records = _records(days, weekday=4, weekend=1)
    glitchy.glitch, glitchy.times = ("20250707", 10), 1
    result = _sync(run, days[0], days[-1])
    assert result.exit_code == 0, result.stderr
    assert [int(p["start"]) for p in glitchy.requests] == [0, 10, 10, 20]
    assert sum(len(d["papers"]) for d in _files(isolated_home).values()) == 22


def test_a_failure_after_part_of_a_cut_range_names_the_days_saved(
    run: Any, glitchy: GlitchyRanges, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arxiv_days, "API_LISTING_PAGE", 10)
    monkeypatch.setattr(arxiv_days, "API_QUERY_CAP", 30)
    days = _days("2025-07-07", 14)  # 44 papers: the range is cut into its two weeks
    glitchy.records = _records(days, weekday=4, weekend=1)
    glitchy.glitch = ("20250714", 10)
    result = _sync(run, days[0], days[-1])
    assert result.exit_code == 1
    assert "(2025-07-07 to 2025-07-13 saved)" in result.stderr
    assert sorted(_files(isolated_home)) == days[:7]


# -- the same files as day by day ----------------------------------------------------------------
def test_ranges_write_the_files_of_the_day_by_day_path(
    run: Any, api: FakeApi, isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = _days("2025-07-03", 12)
    api.records = [
        *_records(days, weekday=3, weekend=0),  # weekends: no paper, an empty file
        Record("2507.99001", days[1], "Two categories", ("cs.CL", "cs.LG")),
        Record("2507.99002", days[1], "Not cs.LG", ("cs.CL",)),
    ]
    by_range = _sync(run, days[0], days[-1])
    assert by_range.exit_code == 0, by_range.stderr
    assert len(api.requests) == 1
    ranged = _files(isolated_home)
    listed = {
        d: run("list", "--date", d, "--offline", "--json", "-s", "arxiv").stdout for d in days
    }

    other = tmp_path / "day-by-day"
    other.mkdir()
    (other / "config.toml").write_text(CONFIG)
    monkeypatch.setenv("PAPERS_HOME", str(other))
    for day in days:
        assert run("list", "-s", "arxiv", "--date", day, "--json").exit_code == 0
    assert len(api.requests) == 1 + len(days)
    assert _files(other) == ranged
    weekend = ["2025-07-05", "2025-07-06", "2025-07-12", "2025-07-13"]
    assert [d for d, doc in ranged.items() if not doc["papers"]] == weekend
    for day in days:
        assert (
            run("list", "--date", day, "--offline", "--json", "-s", "arxiv").stdout == listed[day]
        )


def test_an_empty_answer_keeps_a_cached_day_that_has_papers(
    run: Any, api: FakeApi, isolated_home: Path
) -> None:
    days = _days("2025-07-07", 3)
    api.records = _records(days, weekday=2, weekend=0)
    assert _sync(run, days[0], days[-1]).exit_code == 0
    path = isolated_home / "cache/arxiv/api/cs.LG" / f"{days[1]}.json"
    doc = json.loads(path.read_text())
    # Fetched before the day settled: it is to be fetched again.
    doc["fetched_at"] = dt.datetime(2025, 7, 9, tzinfo=dt.UTC).timestamp()
    path.write_text(json.dumps(doc))
    api.records = [r for r in api.records if r.day != days[1]]
    result = _sync(run, days[0], days[-1])
    assert result.exit_code == 0, result.stderr
    assert "listed no papers this time; keeping the cached copy" in result.stderr
    assert json.loads(path.read_text()) == doc


def test_recent_days_keep_settling(
    run: Any, api: FakeApi, isolated_home: Path, today: dt.date
) -> None:
    """Days fetched by a range settle one by one as before: after the TTL, only the
    days that had not settled when fetched are asked again, as one range."""
    from papercli.core.freshness import arxiv_settled_time

    days = _days((today - dt.timedelta(days=20)).isoformat(), 17)  # up to 4 days ago
    api.records = _records(days, weekday=1, weekend=1)
    assert _sync(run, days[0], days[-1]).exit_code == 0
    unsettled = []
    for day in days:
        path = isolated_home / "cache/arxiv/api/cs.LG" / f"{day}.json"
        doc = json.loads(path.read_text())
        doc["fetched_at"] -= 2 * 3600  # the TTL (60 minutes) is over
        path.write_text(json.dumps(doc))
        if doc["fetched_at"] < arxiv_settled_time(dt.date.fromisoformat(day)):
            unsettled.append(day)
    assert 2 <= len(unsettled) <= 4
    again = _sync(run, days[0], days[-1])
    assert again.exit_code == 0, again.stderr
    assert api.spans()[1:] == [(unsettled[0], unsettled[-1])]
    fetched, cached = len(unsettled), len(days) - len(unsettled)
    assert f"{fetched} listings fetched, {cached} already cached" in again.stderr


def test_an_answer_that_cannot_be_split_is_fetched_day_by_day(
    run: Any, api: FakeApi, isolated_home: Path, httpserver: Any
) -> None:
    days = _days("2025-07-07", 3)
    api.records = _records(days, weekday=2, weekend=0)
    httpserver.clear()

    def handler(request: Request) -> Response:
        response = api.handler(request)
        body = response.get_data().replace(b"2025-07-08T12", b"2025-06-30T12")
        return Response(body, content_type="application/atom+xml")

    httpserver.expect_request("/api/query").respond_with_handler(handler)
    result = _sync(run, days[0], days[-1])
    assert result.exit_code == 0, result.stderr
    assert "arXiv listed 2507.08000 (submitted 2025-06-30T12:00:00Z) among the submissions" in (
        result.stderr
    )
    assert api.spans() == [(days[0], days[-1]), *((d, d) for d in days)]
    files = _files(isolated_home)
    assert [len(files[d]["papers"]) for d in days] == [2, 2, 2]
    assert {p["listed"] for p in files[days[1]]["papers"]} == {days[1]}


def test_progress_names_each_range(
    api: FakeApi, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papercli import config
    from papercli.core.context import Context
    from papercli.core.sync import sync

    monkeypatch.setattr(core_arxiv, "RANGE_DAYS", 7)
    days = _days("2025-07-01", 10)
    api.records = _records(days, weekday=1, weekend=0)
    seen: list[str] = []
    with Context(config.load(), lambda message: None) as ctx:
        ctx.cache.save("arxiv", "api", "cs.LG/2025-07-04", [], fetched_at=ctx.now())
        sync(
            ctx,
            ["arxiv"],
            dt.date(2025, 7, 1),
            dt.date(2025, 7, 10),
            lambda n, t, w: seen.append(w),
        )
    assert seen[:-1] == [
        "arXiv cs.LG 2025-07-01 to 2025-07-03",
        "arXiv cs.LG 2025-07-04",  # cached: within the TTL
        "arXiv cs.LG 2025-07-05 to 2025-07-10",
    ]


# -- the 69 real days ------------------------------------------------------------------------------
def _shared_data() -> Path:
    value = os.environ.get("PAPERS_REAL_FIXTURES")
    candidates = [Path(value).parent / "data"] if value else []
    candidates += [ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"]
    for candidate in candidates:
        if (candidate / "arxiv_daily_listings").is_dir():
            return candidate / "arxiv_daily_listings"
    pytest.skip("no shared arxiv_daily_listings here (PAPERS_REAL_FIXTURES/../data)")


def _fakearxiv() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fakearxiv", ROOT / "benchmarks/fakearxiv.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_real_days_give_the_same_files_and_answers_both_ways(
    run: Any,
    httpserver: Any,
    arxiv_url: str,
    isolated_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listings = _fakearxiv().Listings(_shared_data())

    def handler(request: Request) -> Response:
        params = {k: v[0] for k, v in parse_qs(request.query_string.decode()).items()}
        status, body = listings.query(params)
        return Response(body, status=status, content_type="application/atom+xml")

    httpserver.expect_request("/api/query").respond_with_handler(handler)
    stems = sorted(listings.by_day)
    days = [f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in stems]
    assert len(days) == 69

    (isolated_home / "config.toml").write_text(CONFIG)
    synced = _sync(run, days[0], days[-1])
    assert synced.exit_code == 0, synced.stderr
    assert listings.requests == 3  # 69 days: three ranges of 23, one page each
    ranged = _files(isolated_home)
    ranged_lists = {
        d: run("list", "-s", "arxiv", "--date", d, "--offline", "--json").stdout for d in days
    }

    other = tmp_path / "day-by-day"
    other.mkdir()
    (other / "config.toml").write_text(CONFIG)
    monkeypatch.setenv("PAPERS_HOME", str(other))
    for day in days:
        assert run("list", "-s", "arxiv", "--date", day, "--json").exit_code == 0
    assert listings.requests == 3 + 69
    by_day = _files(other)

    assert sorted(ranged) == days == sorted(by_day)
    for day in days:
        assert ranged[day] == by_day[day], day  # ids, every field, the day, in order
        offline = run("list", "-s", "arxiv", "--date", day, "--offline", "--json").stdout
        assert offline == ranged_lists[day], day
    papers = [p for doc in ranged.values() for p in doc["papers"]]
    assert len(papers) == 2053 == len({p["id"] for p in papers})
    assert sum(1 for doc in ranged.values() if not doc["papers"]) == 20  # empty days


# -- papers list --week / --month -s arxiv ------------------------------------------------
def test_a_week_listing_is_one_query_and_the_same_answer_as_day_by_day(
    run: Any, api: FakeApi, isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = _days("2025-07-07", 7)  # ISO week 2025-W28, Monday to Sunday
    api.records = _records(days, weekday=3, weekend=1)
    week = run("list", "-s", "arxiv", "--week", "2025-W28", "--json", "--limit", "100")
    assert week.exit_code == 0, week.stderr
    assert api.spans() == [(days[0], days[-1])]  # one query for the seven days
    assert sorted(_files(isolated_home)) == days
    again = run("list", "-s", "arxiv", "--week", "2025-W28", "--json", "--limit", "100")
    assert again.stdout == week.stdout and len(api.requests) == 1  # all cached and settled

    other = tmp_path / "day-by-day"
    other.mkdir()
    (other / "config.toml").write_text(CONFIG)
    monkeypatch.setenv("PAPERS_HOME", str(other))
    for day in days:
        assert run("list", "-s", "arxiv", "--date", day, "--json").exit_code == 0
    assert _files(other) == _files(isolated_home)
    offline = run(
        "list", "-s", "arxiv", "--week", "2025-W28", "--offline", "--json", "--limit", "100"
    )
    assert offline.stdout == week.stdout


def test_a_week_listing_whose_query_fails_shows_the_days_cached(
    run: Any, api: FakeApi, isolated_home: Path
) -> None:
    (isolated_home / "config.toml").write_text(CONFIG + "[network]\nretries = 0\n")
    days = _days("2025-07-07", 7)
    api.records = _records(days, weekday=3, weekend=1)
    assert run("list", "-s", "arxiv", "--date", days[0], "--json").exit_code == 0
    api.status = 503
    week = run("list", "-s", "arxiv", "--week", "2025-W28", "--json", "--limit", "100")
    assert week.exit_code == 0, week.stderr
    assert {p["id"][:7] for p in week.json()} == {"2507.07"}  # the cached Monday only
    assert "6 of 7 days could not be listed" in week.stderr


def test_a_week_listing_says_when_it_shows_old_copies(
    run: Any, api: FakeApi, isolated_home: Path, today: dt.date
) -> None:
    """Every day cached but due again, and the service down: the cached days are shown,
    with one line saying so (not silently)."""
    (isolated_home / "config.toml").write_text(
        CONFIG + "[cache]\nttl_minutes = 0\n[network]\nretries = 0\n"
    )
    monday = today - dt.timedelta(days=today.weekday() + 7)  # last week: days still settling
    week = f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}"
    days = _days(monday.isoformat(), 7)
    api.records = _records(days, weekday=2, weekend=0)
    first = run("list", "-s", "arxiv", "--week", week, "--json", "--limit", "100")
    assert first.exit_code == 0, first.stderr
    api.status = 503
    again = run("list", "-s", "arxiv", "--week", week, "--json", "--limit", "100")
    assert again.exit_code == 0, again.stderr
    assert again.json() == first.json()
    assert f"showing the cached copies of {week}" in again.stderr
