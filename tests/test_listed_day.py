"""Listings of several days show each paper's day; --sort date is the listed day first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from papercli.core.listing import sort_papers
from papercli.models import Paper
from papercli.storage.cache import Cache

TODAY = dt.date.today()


def _paper(n: int, listed: str | None, published: str | None, **kw: object) -> Paper:
    return Paper(
        id=f"2507.1100{n}",
        title=f"Paper number {n}",
        listed=listed,
        published=published,
        sources=("hf",),
        **kw,  # type: ignore[arg-type]
    )


def test_sort_date_is_the_listed_day_then_the_arxiv_date() -> None:
    papers = [
        _paper(1, "2025-07-14", "2025-07-13T09:00:00"),
        _paper(2, "2025-07-15", "2025-07-01T09:00:00"),  # listed last, submitted early
        _paper(3, "2025-07-15", "2025-07-14T09:00:00"),
        _paper(4, None, "2025-07-16T08:00:00"),  # never listed: its published day
    ]
    assert [p.id[-1] for p in sort_papers(papers, "date")] == ["4", "3", "2", "1"]


def test_sort_help_says_what_date_means(run) -> None:
    for command in ("list", "today", "search"):
        text = " ".join(run(command, "--help").stdout.split())
        assert "the day the paper was listed, newest first, then its arXiv date" in text


def _cache_week(home: Path) -> None:
    cache = Cache(home / "cache")
    cache.save(
        "hf",
        "week",
        "2025-W29",
        [
            _paper(1, "2025-07-14", "2025-07-11T09:00:00", upvotes=5),
            _paper(2, "2025-07-16", "2025-07-15T09:00:00", upvotes=9),
            _paper(3, "2025-07-16", "2025-07-10T09:00:00", upvotes=1),
        ],
    )


def test_a_week_shows_each_papers_day(run, isolated_home: Path) -> None:
    _cache_week(isolated_home)
    result = run("list", "--week", "2025-W29", "--offline", "--sort", "date")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split()[:4] == ["#", "▲", "Day", "Title"]
    rows = [line.split()[:4] for line in lines[3:] if line[:1].strip()]
    assert rows == [
        ["1", "9", "07-16", "Paper"],
        ["2", "1", "07-16", "Paper"],
        ["3", "5", "07-14", "Paper"],
    ]
    Cache(isolated_home / "cache").save("hf", "day", "2025-07-16", [_paper(2, "2025-07-16", None)])
    one_day = run("list", "--date", "2025-07-16", "--offline")
    assert "Day" not in one_day.stdout.splitlines()[1]  # a single day: no column


def test_offline_search_and_watch_run_show_the_day(run, isolated_home: Path) -> None:
    cache = Cache(isolated_home / "cache")
    day = TODAY.isoformat()
    before = (TODAY - dt.timedelta(days=400)).isoformat()
    cache.save("hf", "day", day, [_paper(1, day, None)])
    cache.save("hf", "day", before, [_paper(2, before, None)])
    found = run("search", "--offline", "paper")
    assert found.exit_code == 0, found.stderr
    assert "Day" in found.stdout.splitlines()[1]
    assert day in found.stdout and before in found.stdout  # two years: the full date
    with (isolated_home / "config.toml").open("a") as fh:
        fh.write('[watch.p]\nquery = "paper"\n')
    watched = run("watch", "run", "--offline")
    assert watched.exit_code == 0, watched.stderr
    assert watched.stdout.splitlines()[1].split()[:4] == ["#", "▲", "Day", "Title"]
    assert day[5:] in watched.stdout


def test_the_day_column_draws_as_rich_draws_it() -> None:
    from dataclasses import replace

    from papercli.ui.table import _rich_table, papers_table
    from test_render_table import PAPERS, _cells

    dated = [replace(p, listed=f"2025-07-1{n}") for n, p in enumerate(PAPERS)]
    for width in (40, 80, 120):
        fast = papers_table(dated, None, width=width, days=True)
        slow = _rich_table(fast.columns, fast.rows)  # type: ignore[attr-defined]
        assert _cells(fast, width, True) == _cells(slow, width, True)
        assert fast.columns[2]["header"] == "Day"  # type: ignore[attr-defined]
