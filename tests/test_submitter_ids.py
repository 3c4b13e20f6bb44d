"""What ``hf papers ls`` offers: --submitter NAME, and --format ids (one id per line)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from papercli.models import JSON_KEYS, Paper
from papercli.sources.hf import parse_daily
from papercli.storage.cache import Cache
from test_cli_listing import serve_day

DAY = "2025-07-15"


def _cache(home: Path) -> None:
    Cache(home / "cache").save(
        "hf",
        "day",
        DAY,
        [
            Paper("2507.11001", "One", submitter="AK", submitter_user="akhaliq", sources=("hf",)),
            Paper("2507.11002", "Two", submitter="Ada L", submitter_user="ada", sources=("hf",)),
            Paper("2507.11003", "Three", submitter="AK", submitter_user="akhaliq", sources=("hf",)),
        ],
    )


def test_the_account_name_is_read_and_kept_out_of_the_json(fixture_bytes) -> None:
    papers = parse_daily(fixture_bytes("hf/daily_2025-07-15.json"))
    assert {(p.submitter, p.submitter_user) for p in papers} == {("AK", "akhaliq")}
    assert "submitter_user" not in JSON_KEYS


def test_submitter_filters_by_account_or_display_name(run, isolated_home: Path) -> None:
    _cache(isolated_home)
    for who in ("akhaliq", "AKHALIQ", "@akhaliq", "AK"):
        result = run("list", "--date", DAY, "--offline", "--submitter", who, "--json")
        assert result.exit_code == 0, result.stderr
        assert [p["id"] for p in result.json()] == ["2507.11001", "2507.11003"], who
    table = run("list", "--date", DAY, "--offline", "--submitter", "ada")
    assert table.stdout.splitlines()[0].endswith("· 1 of 3 papers")
    none = run("list", "--date", DAY, "--offline", "--submitter", "nobody")
    assert none.exit_code == 0 and "No papers match (of 3" in none.stderr


def test_submitter_online_and_with_arxiv(run, hf_url, httpserver, fixture_bytes) -> None:
    serve_day(httpserver, fixture_bytes, DAY)
    result = run("list", "--date", DAY, "--submitter", "akhaliq", "--format", "ids")
    assert result.stdout == "2507.11001\n2507.11002\n2507.11003\n"
    arxiv = run("today", "--source", "arxiv", "--submitter", "akhaliq")
    assert arxiv.exit_code == 2 and "--submitter needs Hugging Face listings" in arxiv.stderr


def test_format_ids_prints_one_id_per_line(run, isolated_home: Path, tmp_path: Path) -> None:
    _cache(isolated_home)
    result = run("list", "--date", DAY, "--offline", "--format", "ids", "--sort", "title")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "2507.11001\n2507.11003\n2507.11002\n"
    target = tmp_path / "ids.txt"
    written = run("list", "--date", DAY, "--offline", "--format", "ids", "-o", str(target))
    assert written.exit_code == 0, written.stderr
    assert target.read_text().splitlines() == ["2507.11001", "2507.11002", "2507.11003"]
    shown = run("show", "2507.11002", "--offline", "--format", "ids")
    assert shown.stdout == "2507.11002\n"


def test_watch_run_ids_lists_each_paper_once(run, isolated_home: Path) -> None:
    today = dt.date.today().isoformat()
    papers = [
        Paper("2507.11001", "Graph diffusion", listed=today, sources=("hf",)),
        Paper("2507.11002", "Graph networks", listed=today, sources=("hf",)),
    ]
    Cache(isolated_home / "cache").save("hf", "day", today, papers)
    with (isolated_home / "config.toml").open("a") as fh:
        fh.write('[watch.a]\nquery = "graph"\n[watch.b]\nquery = "diffusion"\n')
    result = run("watch", "run", "--offline", "--format", "ids")
    assert result.exit_code == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == ["2507.11001", "2507.11002"]
