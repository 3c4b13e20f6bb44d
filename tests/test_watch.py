"""Watch rules: editing them in the configuration file, and what papers watch run reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from support.hub import FakeHub, empty_past_day, item
from support.locks import papers_argv


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


def test_watch_run_asks_again_for_an_empty_past_day_after_the_ttl(
    run, hub: FakeHub, isolated_home: Path, today: dt.date
) -> None:
    assert run("watch", "add", "late", "arrival", "--source", "hf").exit_code == 0
    day = (today - dt.timedelta(days=4)).isoformat()
    empty_past_day(isolated_home, day, hours_ago=2)
    hub.add(item("2507.00001", day, "Late arrival"))
    result = run("watch", "run", "--json")
    assert result.exit_code == 0, result.stderr
    assert [r["new"] for r in result.json()] == [["2507.00001"]]
    assert day in hub.listings()
