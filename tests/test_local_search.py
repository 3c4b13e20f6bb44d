"""Local search, trends and highlighting over synced history, arXiv included."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from support.arxivapi import FakeApi
from support.hub import FakeHub, ids, item


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
        {"period": "2025-05", "count": 2, "cached": True, "days_cached": 31, "days": 31},
        {"period": "2025-06", "count": 0, "cached": True, "days_cached": 30, "days": 30},
        {"period": "2025-07", "count": 1, "cached": True, "days_cached": 31, "days": 31},
    ]
    assert data["organizations"] == [{"name": "[bold red]Lab[/]", "count": 2}]
    assert data["keywords"][0] == {"keyword": "rl", "count": 2}
    weekly = run("trends", "agent", "--by", "week", "--since", "2025-06-01", "--json").json()
    # From --since on (zeros before the first match), up to the last match.
    assert weekly["periods"][0]["period"] == "2025-W22" and weekly["periods"][0]["count"] == 0
    assert weekly["periods"][-1]["period"] == "2025-W27" and weekly["periods"][-1]["count"] == 1
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


def test_trends_tell_a_period_never_cached_from_one_without_matches(run, hub: FakeHub) -> None:
    """A month no listing was cached for is "not cached", not a count of 0."""
    hub.add(
        item("2505.00001", "2025-05-05", "Agents one"),
        item("2507.00001", "2025-07-01", "Agentic three"),
        item("2508.00001", "2025-08-04", "Nothing"),
    )
    for since, until in (("2025-05-01", "2025-05-31"), ("2025-07-01", "2025-08-31")):
        assert run("sync", "--since", since, "--until", until).exit_code == 0
    data = run("trends", "agent", "--since", "2025-04-01", "--until", "2025-08-31", "--json")
    assert [(p["period"], p["count"], p["cached"]) for p in data.json()["periods"]] == [
        ("2025-04", 0, False),
        ("2025-05", 1, True),
        ("2025-06", 0, False),
        ("2025-07", 1, True),
        ("2025-08", 0, True),  # cached, with no match
    ]
    lines = run("trends", "agent", "--since", "2025-04-01", "--until", "2025-08-31").stdout
    assert "2025-06 not cached" in lines and "2025-08 0" in lines
    assert "Of 5 months, 2 not cached (papers sync" in lines


def test_trends_say_how_much_of_a_month_is_cached(run, hub: FakeHub) -> None:
    """One day of July cached: its count is of that day, and the chart says so."""
    hub.add(item("2507.00001", "2025-07-15", "Agents one"))
    assert run("sync", "--since", "2025-07-15", "--until", "2025-07-15").exit_code == 0
    data = run("trends", "agent", "--since", "2025-07-01", "--until", "2025-07-31", "--json")
    (july,) = data.json()["periods"]
    assert (july["count"], july["days_cached"], july["days"]) == (1, 1, 31)
    chart = run("trends", "agent", "--since", "2025-07-01", "--until", "2025-07-31").stdout
    assert "(1 of 31 days cached)" in chart and "1 cached in part" in chart


def test_trends_periods_span_since_and_until_with_zeros_at_the_edges() -> None:

    from papercli.core.trends import compute
    from papercli.models import Paper

    papers = [Paper(id="2507.00001", title="t", listed="2025-07-15")]
    result = compute(papers, "t", "month", dt.date(2025, 6, 1), dt.date(2025, 9, 30))
    assert result.periods == [("2025-06", 0), ("2025-07", 1), ("2025-08", 0), ("2025-09", 0)]
    assert compute(papers, "t", "month").periods == [("2025-07", 1)]
