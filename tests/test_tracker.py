"""sync, local search, watch rules, --new and trends, end to end against a loopback server."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest
from werkzeug import Request, Response

from papercli.storage.state import State
from support.arxivapi import FakeApi
from support.locks import check_lock_files, papers_argv


def item(pid: str, day: str, title: str, **extra: Any) -> dict[str, Any]:
    paper = {
        "id": pid,
        "title": title,
        "summary": extra.pop("summary", "An abstract."),
        "authors": [{"name": extra.pop("author", "Ada Lovelace"), "hidden": False}],
        "upvotes": extra.pop("upvotes", 1),
        "publishedAt": f"{day}T10:00:00.000Z",
        "submittedOnDailyAt": f"{day}T00:00:00.000Z",
        "ai_keywords": extra.pop("keywords", []),
    }
    if "org" in extra:
        paper["organization"] = {"name": "x", "fullname": extra.pop("org")}
    paper.update(extra)
    return {"paper": paper, "title": title, "numComments": 0}


class FakeHub:
    """Serves /api/daily_papers for date= and month= from a dict of days."""

    def __init__(self) -> None:
        self.days: dict[str, list[dict[str, Any]]] = {}
        self.requests: list[dict[str, str]] = []

    def listings(self) -> list[str]:
        """The listings requested (first pages only; months fetch pages ahead)."""
        return [r.get("month") or r["date"] for r in self.requests if r.get("p") == "0"]

    def add(self, *items: dict[str, Any]) -> None:
        for it in items:
            self.days.setdefault(it["paper"]["submittedOnDailyAt"][:10], []).append(it)

    def __call__(self, request: Request) -> Response:
        args = dict(request.args)
        self.requests.append(args)
        if "date" in args:
            items = self.days.get(args["date"], [])
        else:
            items = [
                i for d, its in sorted(self.days.items()) if d[:7] == args["month"] for i in its
            ]
        limit, page = int(args.get("limit", 50)), int(args.get("p", 0))
        body = json.dumps(items[page * limit : (page + 1) * limit])
        return Response(body, content_type="application/json")


@pytest.fixture
def hub(httpserver: Any, hf_url: str) -> FakeHub:
    fake = FakeHub()
    httpserver.expect_request("/api/daily_papers").respond_with_handler(fake)
    return fake


def ids(result: Any) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [p["id"] for p in result.json()]


# --- sync and local search -------------------------------------------------------------


def test_sync_fetches_what_is_missing_then_nothing(run, hub: FakeHub) -> None:
    hub.add(
        item("2506.00001", "2025-06-03", "Mini-batch methods", upvotes=5),
        item("2506.00002", "2025-06-30", "Minibatching at scale", upvotes=50),
        item("2507.00001", "2025-07-02", "Diffusion without batches", upvotes=7),
        item("2505.00001", "2025-05-31", "Before the range"),
    )
    result = run("sync", "--since", "2025-06-01", "--until", "2025-07-02")
    assert result.exit_code == 0, result.stderr
    # June whole (one month request), then July 1 and 2 as days.
    assert hub.listings() == [
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


# --- watch rules -------------------------------------------------------------------------


def test_watch_add_list_rm_keep_the_users_file(run, isolated_home: Path) -> None:
    config = isolated_home / "config.toml"
    config.write_text("# my settings\n[network]\nbackoff_seconds = 0.01  # fast\n")
    assert run("watch", "add", "mb", "mini-batch OR minibatch", "--min-upvotes", "5").exit_code == 0
    result = run("watch", "add", "diff", '"diffusion model" -video', "--source", "hf")
    assert result.exit_code == 0
    text = config.read_text()
    assert text.startswith("# my settings\n[network]\nbackoff_seconds = 0.01  # fast\n")
    assert "[watch.mb]" in text and "min_upvotes = 5" in text
    listed = run("watch", "list")
    assert listed.stdout.splitlines() == [
        "mb: mini-batch OR minibatch  (min upvotes: 5)",
        'diff: "diffusion model" -video  (sources: hf)',
    ]
    assert run("watch", "add", "mb", "x").exit_code == 2  # exists
    assert run("watch", "add", "mb", "x", "--replace").exit_code == 0
    assert run("watch", "add", "bad name", "x").exit_code == 2
    assert run("watch", "add", "q", "(x").exit_code == 2
    assert run("watch", "add", "q", "x", "--source", "nntp").exit_code == 2
    assert run("watch", "rm", "mb").exit_code == 0
    assert run("watch", "rm", "mb").exit_code == 2
    assert run("watch", "list", "--json").json() == [
        {
            "name": "diff",
            "query": '"diffusion model" -video',
            "sources": ["hf"],
            "categories": [],
            "min_upvotes": None,
        }
    ]
    assert "# fast" in config.read_text()


def test_watch_run_reports_each_new_paper_once(
    run, hub: FakeHub, isolated_home: Path, today: dt.date
) -> None:
    day = (today - dt.timedelta(days=1)).isoformat()
    hub.add(
        item("2507.00001", day, "Mini-batch methods", upvotes=5),
        item("2507.00002", day, "Minibatch again", upvotes=1),
        item("2507.00003", day, "Unrelated"),
    )
    (isolated_home / "config.toml").write_text("[cache]\nttl_minutes = 0  # always refetch today\n")
    assert run("watch", "add", "mb", "mini-batch", "--min-upvotes", "2").exit_code == 0
    first = run("watch", "run", "--json")
    assert first.exit_code == 0, first.stderr
    assert [r["new"] for r in first.json()] == [["2507.00001"]]
    second = run("watch", "run")
    assert second.exit_code == 3 and second.stdout == ""
    assert "Watch mb: 0 new." in second.stderr
    shown = run("watch", "run", "--all", "--json", "--offline")
    assert shown.exit_code == 3
    assert [p["id"] for p in shown.json()[0]["papers"]] == ["2507.00001"]
    # A replaced version of a reported paper is not new; another paper is.
    hub.days[today.isoformat()] = [
        item("2507.00001v2", today.isoformat(), "Mini-batch methods v2", upvotes=9),
        item("2507.00004", today.isoformat(), "Mini batches for all", upvotes=9),
    ]
    third = run("watch", "run", "mb", "--json")
    assert third.exit_code == 0 and third.json()[0]["new"] == ["2507.00004"]
    assert run("watch", "run", "nosuch").exit_code == 2


def test_failed_delivery_leaves_papers_unreported(run, hub: FakeHub, today: dt.date) -> None:
    from papercli import config
    from papercli.core.context import Context
    from papercli.core.watch import mark_reported, new_matches, select_rules

    hub.add(item("2507.00001", today.isoformat(), "Mini-batch methods"))
    assert run("watch", "add", "mb", "minibatch").exit_code == 0
    app = Context(config.load(), lambda m: None)
    results = new_matches(app, select_rules(app, None))
    assert [p.id for p in results[0].new] == ["2507.00001"]
    # The "send" fails: nothing is marked, so the next run reports them again.
    again = new_matches(app, select_rules(app, ["mb"]), fetch=False)
    assert [p.id for p in again[0].new] == ["2507.00001"]
    mark_reported(app, again)
    assert new_matches(app, select_rules(app, ["mb"]), fetch=False)[0].new == []
    app.close()


def _mark_many(root: str, rule: str, start: int) -> None:
    state = State(Path(root))
    for n in range(start, start + 20):
        state.mark_reported({rule: [f"2507.{n:05d}"]})
        state.mark_seen([f"2507.{n:05d}v3"])


@pytest.mark.skipif(os.name != "posix", reason="fork is POSIX")
def test_state_survives_concurrent_runs(tmp_path: Path, lock_kind: str) -> None:
    ctx = multiprocessing.get_context("fork")  # the children inherit a hidden fcntl
    procs = [ctx.Process(target=_mark_many, args=(str(tmp_path), "r", k * 100)) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    state = State(tmp_path)
    expected = {f"2507.{k * 100 + n:05d}" for k in range(4) for n in range(20)}
    assert state.reported("r") == expected
    assert state.seen_ids() == expected
    check_lock_files(tmp_path, lock_kind)


def test_state_survives_an_interrupted_write(tmp_path: Path, monkeypatch, lock_kind) -> None:
    state = State(tmp_path)
    state.mark_reported({"r": ["2507.00001"]})

    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    real_replace = os.replace
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        state.mark_reported({"r": ["2507.00002"]})
    monkeypatch.setattr(os, "replace", real_replace)
    assert state.reported("r") == {"2507.00001"}
    check_lock_files(tmp_path, lock_kind)  # released on the way out
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    # A file that was damaged some other way is set aside, not trusted.
    (tmp_path / "watch.json").write_text('{"schema": 1, "rules": ')
    warnings: list[str] = []
    assert State(tmp_path, warnings.append).reported("r") == set()
    assert warnings and list(tmp_path.glob("watch.json.corrupt-*"))


# --- --new -------------------------------------------------------------------------------


def test_new_shows_only_papers_not_seen_before(run, hub: FakeHub, isolated_home: Path) -> None:
    hub.add(
        item("2507.00001", "2025-07-15", "One"),
        item("2507.00002", "2025-07-15", "Two"),
        item("2507.00003", "2025-07-16", "Three"),
    )
    assert ids(run("list", "--date", "2025-07-15", "--json", "--new")) == [
        "2507.00001",
        "2507.00002",
    ]
    assert ids(run("list", "--date", "2025-07-15", "--json", "--new")) == []
    again = run("list", "--date", "2025-07-15", "--new")
    assert again.exit_code == 0 and again.stdout == ""
    assert again.stderr == (
        "Nothing new in Hugging Face Daily Papers, 2025-07-15 (2 papers, all shown before).\n"
    )
    assert ids(run("list", "--month", "2025-07", "--json", "--new", "Two")) == []
    assert run("list", "--month", "2025-07", "--new", "Two").stderr == (
        "No new papers match (of 1 new in Hugging Face Daily Papers, 2025-07).\n"
    )
    assert ids(run("list", "--month", "2025-07", "--json", "--new")) == ["2507.00003"]
    # With [display] mark_seen = false, showing a listing does not mark it.
    (isolated_home / "config.toml").write_text("[display]\nmark_seen = false\n")
    # (A day of August: July's month listing was just cached, and days are read from it.)
    hub.add(item("2508.00004", "2025-08-04", "Four"))
    assert ids(run("list", "--date", "2025-08-04", "--json", "--new")) == ["2508.00004"]
    assert ids(run("list", "--date", "2025-08-04", "--json", "--new")) == ["2508.00004"]


# --- trends ------------------------------------------------------------------------------


def test_trends_counts_per_period_with_orgs_and_keywords(run, hub: FakeHub) -> None:
    hub.add(
        item("2505.00001", "2025-05-05", "Agents one", org="[bold red]Lab[/]", keywords=["RL"]),
        item(
            "2505.00002", "2025-05-06", "Agent two", org="[bold red]Lab[/]", keywords=["rl", "LLM"]
        ),
        item("2507.00001", "2025-07-01", "Agentic three", keywords=["LLM"]),
        item("2507.00002", "2025-07-01", "Nothing"),
    )
    assert run("sync", "--since", "2025-05-01", "--until", "2025-07-31").exit_code == 0
    data = run("trends", "agent", "--json").json()
    assert data["total"] == 3
    assert data["periods"] == [
        {"period": "2025-05", "count": 2},
        {"period": "2025-06", "count": 0},
        {"period": "2025-07", "count": 1},
    ]
    assert data["organizations"] == [{"name": "[bold red]Lab[/]", "count": 2}]
    assert data["keywords"][0] == {"keyword": "rl", "count": 2}
    weekly = run("trends", "agent", "--by", "week", "--since", "2025-06-01", "--json").json()
    # From --since on (zeros before the first match), up to the last match.
    assert weekly["periods"][0] == {"period": "2025-W22", "count": 0}
    assert weekly["periods"][-1] == {"period": "2025-W27", "count": 1}
    assert sum(p["count"] for p in weekly["periods"]) == 1
    chart = run("trends", "agent")
    assert chart.exit_code == 0
    lines = chart.stdout.splitlines()
    assert lines[0] == "3 matching papers by month: agent"
    assert lines[1].startswith("2025-05 2 ██") and lines[2] == "2025-06 0"
    assert "[bold red]Lab[/]" in chart.stdout  # remote text is never markup
    empty = run("trends", "zebra")
    assert empty.exit_code == 0 and "No cached papers match" in empty.stderr


def test_show_highlights_a_query(run, hub: FakeHub) -> None:
    hub.add(item("2507.00001", "2025-07-15", "Mini-batch methods"))
    run("list", "--date", "2025-07-15")
    result = run("show", "2507.00001", "--highlight", "minibatch")
    assert result.exit_code == 0 and "Mini-batch methods" in result.stdout
    from rich.console import Console

    from papercli.models import Paper
    from papercli.query import Query
    from papercli.ui.table import paper_detail

    console = Console(record=True, width=80, force_terminal=True, color_system="standard")
    console.print(
        paper_detail(Paper(id="2507.00001", title="Mini-batch methods"), Query.parse("minibatch"))
    )
    assert "\x1b[1;33mMini-batch" in console.export_text(styles=True)


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


def test_offline_search_shows_100_unless_told(run, isolated_home: Path) -> None:
    from papercli.models import Paper
    from papercli.storage.cache import Cache

    cache = Cache(isolated_home / "cache")
    papers = [
        Paper(id=f"2507.{n:05d}", title=f"Graph {n}", listed=f"2025-07-{n % 28 + 1:02d}", upvotes=n)
        for n in range(150)
    ]
    cache.save("hf", "month", "2025-07", papers)
    result = run("search", "--offline", "--json", "graph")
    assert len(result.json()) == 100 and "Showing the first 100 matches" in result.stderr
    assert [p["listed"] for p in result.json()] == sorted(
        (p["listed"] for p in result.json()), reverse=True
    )
    top = run("search", "--offline", "--json", "graph", "--sort", "upvotes", "--limit", "3")
    assert ids(top) == ["2507.00149", "2507.00148", "2507.00147"]
    every = run("search", "--offline", "--json", "graph", "--limit", "500", "--sort", "relevance")
    assert len(every.json()) == 150 and every.stderr == ""
    some = run("search", "--offline", "--json", "graph", "--min-upvotes", "140", "--has-code")
    assert some.json() == []


# --- with the arXiv source -------------------------------------------------------------


def test_arxiv_listings_are_searched_merged_and_watched(
    run, httpserver, hf_url, arxiv_url, fixture_bytes, isolated_home: Path
) -> None:
    (isolated_home / "config.toml").write_text(
        '[sources.arxiv]\ncategories = ["cs.LG", "cs.CL"]\ndelay_seconds = 0\n'
    )
    httpserver.expect_request("/rss/cs.LG+cs.CL").respond_with_data(
        fixture_bytes("arxiv/rss_cs.LG+cs.CL_2025-07-15.xml"), content_type="application/rss+xml"
    )
    httpserver.expect_request(
        "/api/daily_papers", query_string={"date": "2025-07-15", "limit": "100", "p": "0"}
    ).respond_with_data(fixture_bytes("hf/daily_2025-07-15.json"), content_type="application/json")
    httpserver.expect_request("/api/query").respond_with_handler(FakeApi().handler)
    synced = run("sync", "--source", "arxiv")
    assert synced.exit_code == 0, synced.stderr
    assert run("list", "--date", "2025-07-15").exit_code == 0  # the Hugging Face day too
    found = run("search", "--offline", "--json", "cat:cs.LG", "mini-batch").json()
    assert [p["id"] for p in found] == ["2507.11001", "2507.11002"]
    merged = found[0]
    assert set(merged["sources"]) == {"arxiv", "hf"}
    assert merged["upvotes"] == 87 and "cs.LG" in merged["categories"]
    assert (
        run("watch", "add", "graphs", "graph", "--source", "arxiv", "--category", "cs").exit_code
        == 0
    )
    result = run("watch", "run", "--since", "2025-07-01", "--offline", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()[0]["new"] == ["2507.11002"]


def test_state_folder_that_cannot_be_written(run, hub: FakeHub, isolated_home: Path) -> None:
    hub.add(item("2507.00001", "2025-07-15", "Mini-batch methods"))
    (isolated_home / "state").write_text("not a folder")
    shown = run("list", "--date", "2025-07-15", "--json")
    assert shown.exit_code == 0 and "Could not remember the papers as seen" in shown.stderr
    assert run("watch", "add", "mb", "minibatch").exit_code == 0
    failed = run("watch", "run", "--since", "2025-07-01", "--offline")
    assert failed.exit_code == 1 and "Cannot use the state folder" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_watch_add_rejects_a_malformed_category(run, isolated_home: Path) -> None:
    before = (isolated_home / "config.toml").read_bytes()
    result = run("watch", "add", "x", "graphs", "--category", "cs_LG")
    assert result.exit_code == 2 and "cs_LG" in result.stderr
    assert (isolated_home / "config.toml").read_bytes() == before


def test_replacement_announcements_are_not_new_papers() -> None:
    from papercli.config import WatchRule
    from papercli.core.watch import rule_accepts
    from papercli.models import Paper

    rule = WatchRule("r", "graphs")
    fresh = Paper(id="2411.00001", title="Graphs", sources=("arxiv",), announce_type="new")
    assert rule_accepts(rule, fresh, ["arxiv"])
    for kind in ("replace", "replace-cross"):
        replaced = Paper(id="2301.00001", title="Graphs", sources=("arxiv",), announce_type=kind)
        assert not rule_accepts(rule, replaced, ["arxiv"])


def test_sync_stops_asking_a_service_that_is_down(run, isolated_home: Path) -> None:
    # Every base URL points at a dead port (conftest): each listing fails to connect.
    result = run("sync", "--source", "hf", "--since", "2025-01-01", "--until", "2025-06-30")
    assert result.exit_code == 1
    assert result.stderr.count("cannot reach") == 3  # then it stops trying
    assert "3 more not tried" in result.stderr


def test_quoted_cat_and_id_values_do_not_break_the_index(run, isolated_home: Path) -> None:
    from papercli.models import Paper
    from papercli.storage.cache import Cache

    paper = Paper(id="2507.00001", title="Graphs", listed="2025-07-01", categories=("cs.LG",))
    Cache(isolated_home / "cache").save("hf", "month", "2025-07", [paper])
    assert run("search", "--offline", "graphs").exit_code == 0  # builds the index
    for query in ('cat:"cs lg"', 'id:"2507 1"'):
        result = run("search", "--offline", "--", query)
        assert result.exit_code == 0 and "Rebuilding" not in result.stderr, result.stderr
    assert run("search", "--offline", "--json", "cat:cs.LG").json()[0]["id"] == "2507.00001"


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


def test_watch_add_keeps_a_symlinked_config_and_its_mode(tmp_path: Path, isolated_home: Path):
    from papercli.config import WatchRule
    from papercli.core.watch import add_rule

    real = tmp_path / "dotfiles" / "papers.toml"
    real.parent.mkdir()
    real.write_text("# mine\n[cache]\nttl_minutes = 30\n")
    real.chmod(0o644)
    link = isolated_home / "config.toml"
    link.unlink()
    link.symlink_to(real)
    add_rule(link, WatchRule("g", "graphs"))
    assert link.is_symlink() and "[watch.g]" in real.read_text() and "# mine" in real.read_text()
    assert real.stat().st_mode & 0o777 == 0o644


def test_concurrent_watch_adds_all_land(isolated_home: Path, lock_kind: str) -> None:
    import subprocess

    procs = [
        subprocess.Popen([*papers_argv(lock_kind), "watch", "add", f"r{i}", f"topic{i}"])
        for i in range(6)
    ]
    assert all(p.wait(timeout=60) == 0 for p in procs)
    text = (isolated_home / "config.toml").read_text()
    assert all(f"[watch.r{i}]" in text for i in range(6))
    if lock_kind == "portable":  # the portable lock was the one used, and it is gone
        assert not list(isolated_home.glob(".config.toml.lock*"))
    else:
        assert (isolated_home / ".config.toml.lock").exists()


def test_trends_periods_span_since_and_until_with_zeros_at_the_edges() -> None:
    import datetime as dt

    from papercli.core.trends import compute
    from papercli.models import Paper

    papers = [Paper(id="2507.00001", title="t", listed="2025-07-15")]
    result = compute(papers, "t", "month", dt.date(2025, 6, 1), dt.date(2025, 9, 30))
    assert result.periods == [("2025-06", 0), ("2025-07", 1), ("2025-08", 0), ("2025-09", 0)]
    assert compute(papers, "t", "month").periods == [("2025-07", 1)]


def _empty_past_day(home: Path, day: str, hours_ago: float) -> None:
    """A past day cached as empty (a service hiccup), ``hours_ago`` (after the day settled)."""
    from papercli.storage.cache import Cache

    fetched = dt.datetime.now(dt.UTC).timestamp() - hours_ago * 3600
    Cache(home / "cache").save("hf", "day", day, [], fetched_at=fetched)


def test_sync_asks_again_for_an_empty_past_day_after_the_ttl(
    run, hub: FakeHub, isolated_home: Path, today: dt.date
) -> None:
    day = (today - dt.timedelta(days=4)).isoformat()
    _empty_past_day(isolated_home, day, hours_ago=0.5)
    hub.add(item("2507.00001", day, "Late arrival"))
    within = run("sync", "--source", "hf", "--since", day, "--until", day)
    assert "0 listings fetched, 1 already cached" in within.stderr  # within the TTL
    _empty_past_day(isolated_home, day, hours_ago=2)  # the TTL (60 minutes) is over
    after = run("sync", "--source", "hf", "--since", day, "--until", day)
    assert after.exit_code == 0 and "1 listing fetched" in after.stderr, after.stderr
    assert ids(run("search", "--offline", "--json", "arrival")) == ["2507.00001"]


def test_watch_run_asks_again_for_an_empty_past_day_after_the_ttl(
    run, hub: FakeHub, isolated_home: Path, today: dt.date
) -> None:
    assert run("watch", "add", "late", "arrival", "--source", "hf").exit_code == 0
    day = (today - dt.timedelta(days=4)).isoformat()
    _empty_past_day(isolated_home, day, hours_ago=2)
    hub.add(item("2507.00001", day, "Late arrival"))
    result = run("watch", "run", "--json")
    assert result.exit_code == 0, result.stderr
    assert [r["new"] for r in result.json()] == [["2507.00001"]]
    assert day in hub.listings()


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
