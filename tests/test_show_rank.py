"""``papers show N`` and ``papers open N``: the N-th paper of the last listing shown."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

from papercli.models import Paper
from papercli.storage.cache import Cache
from papercli.ui.table import papers_table
from test_cli_listing import serve_day
from test_render import render


def test_show_n_takes_the_nth_paper_of_the_last_listing(
    run, hf_url, httpserver, fixture_bytes, isolated_home: Path
) -> None:
    serve_day(httpserver, fixture_bytes, "2025-07-15")
    listed = run("list", "--date", "2025-07-15", "--sort", "title")
    assert listed.exit_code == 0, listed.stderr
    ids = [p["id"] for p in run("list", "--date", "2025-07-15", "--sort", "title", "--json").json()]
    state = json.loads((isolated_home / "state" / "last.json").read_text())
    assert state["listing"]["ids"] == ids  # the table's order; --json changed nothing
    for rank, paper_id in enumerate(ids, 1):
        shown = run("show", str(rank), "--offline", "--json")
        assert shown.exit_code == 0, shown.stderr
        assert shown.json()["id"] == paper_id
    too_far = run("show", "4", "--offline")
    assert too_far.exit_code == 2
    assert too_far.stderr.count("\n") == 1 and "has 3 papers, not 4" in too_far.stderr


def test_open_n_opens_the_nth_paper(run, isolated_home: Path) -> None:
    Cache(isolated_home / "cache").save(
        "hf",
        "day",
        "2025-07-15",
        [Paper(id=f"2507.1100{i}", title=f"T{i}", sources=("hf",)) for i in (1, 2)],
    )
    assert run("list", "--date", "2025-07-15", "--offline", "--sort", "title").exit_code == 0
    with mock.patch("papercli.ui.browser.open_in_browser", return_value=True):
        opened = run("open", "2", "--pdf")
    assert opened.exit_code == 0, opened.stderr
    assert opened.stdout == "https://arxiv.org/pdf/2507.11002\n"


def test_without_a_listing_show_n_says_so_in_one_line(run) -> None:
    for command in ("show", "open"):
        result = run(command, "3")
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1
        assert "No listing shown yet" in result.stderr and "papers today" in result.stderr


def test_watch_run_ranks_run_on_across_rules(run, isolated_home: Path) -> None:
    import datetime as dt

    today = dt.date.today().isoformat()
    papers = [
        Paper(id="2507.11001", title="Graph networks", listed=today, sources=("hf",)),
        Paper(id="2507.11002", title="Diffusion models", listed=today, sources=("hf",)),
    ]
    Cache(isolated_home / "cache").save("hf", "day", today, papers)
    with (isolated_home / "config.toml").open("a") as fh:
        fh.write('[watch.a]\nquery = "graph"\n[watch.b]\nquery = "diffusion"\n')
    result = run("watch", "run", "--offline")
    assert result.exit_code == 0, result.stderr
    assert run("show", "2", "--offline", "--json").json()["id"] == "2507.11002"


def test_ids_show_on_narrow_terminals_when_the_authors_keep_their_room() -> None:
    paper = Paper(
        id="2507.11001",
        title="Reasoning or Memorization? Unreliable Results of Reinforcement Learning",
        authors=("Mingqi Wu", *("X",) * 11),
        upvotes=90,
        github_url="https://github.com/x/y",
        github_stars=21,
        sources=("hf",),
    )
    out = render(papers_table([paper], width=90), 90)
    assert "2507.11001" in out and "Mingqi Wu +11" in out
    narrow = render(papers_table([paper], width=70), 70)
    assert "2507.11001" not in narrow and "Mingqi Wu +11" in narrow  # the authors first
