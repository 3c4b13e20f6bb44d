"""Sources are honoured where the user names them: search (offline and online), trends."""

from __future__ import annotations

from pathlib import Path

import pytest

from papercli.models import Paper
from papercli.storage.cache import Cache

DAY = "2025-07-15"


def _cache_both(home: Path) -> None:
    cache = Cache(home / "cache")
    cache.save(
        "hf",
        "day",
        DAY,
        [
            Paper(id="2507.11001", title="Agents on HF", listed=DAY, upvotes=3, sources=("hf",)),
            Paper(id="2507.11002", title="Agents on both", listed=DAY, upvotes=9, sources=("hf",)),
        ],
    )
    cache.save(
        "arxiv",
        "rss",
        f"cs.LG/{DAY}",
        [
            Paper(id="2507.11002", title="Agents on both", listed=DAY, sources=("arxiv",)),
            Paper(id="2507.11003", title="Agents on arXiv", listed=DAY, sources=("arxiv",)),
            Paper(id="2507.11004", title="More agents", listed=DAY, sources=("arxiv",)),
        ],
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("hf", {"2507.11001", "2507.11002"}),
        ("arxiv", {"2507.11002", "2507.11003", "2507.11004"}),
        ("all", {"2507.11001", "2507.11002", "2507.11003", "2507.11004"}),
    ],
)
def test_offline_search_honours_the_source(run, isolated_home: Path, source, expected) -> None:
    _cache_both(isolated_home)
    result = run("search", "--offline", "--source", source, "agents", "--json")
    assert result.exit_code == 0, result.stderr
    assert {p["id"] for p in result.json()} == expected
    both = next(p for p in result.json() if p["id"] == "2507.11002")
    assert both["upvotes"] == 9  # the Hugging Face signals are kept with arXiv's record
    table = run("search", "--offline", "-s", source, "agents").stdout.splitlines()[0]
    name = {"hf": "Hugging Face papers", "arxiv": "arXiv papers", "all": "papers"}[source]
    assert table.startswith(f"Cached {name} matching agents · ")


def test_offline_search_limit_counts_only_the_source(run, isolated_home: Path) -> None:
    _cache_both(isolated_home)
    result = run(
        "search", "--offline", "-s", "arxiv", "--sort", "upvotes", "-n", "2", "agents", "--json"
    )
    ids = [p["id"] for p in result.json()]
    # 2507.11001 (Hugging Face only, 3 upvotes) would be second of every source.
    assert len(ids) == 2 and ids[0] == "2507.11002" and "2507.11001" not in ids


def test_trends_takes_a_source(run, isolated_home: Path) -> None:
    _cache_both(isolated_home)
    counts = {}
    for source in ("hf", "arxiv", "all"):
        result = run("trends", "agents", "--by", "day", "--source", source, "--json")
        assert result.exit_code == 0, result.stderr
        counts[source] = result.json()["total"]
        assert result.json()["source"] == source
    assert counts == {"hf": 2, "arxiv": 3, "all": 4}
    chart = run("trends", "agents", "-s", "hf").stdout
    assert chart.startswith("2 matching Hugging Face papers by month")


def test_online_search_with_fields_says_they_need_offline(run) -> None:
    # No stub: a request would fail with exit 1; the usage error comes first.
    result = run("search", 'au:"yukang chen"')
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "Fields such as author: need --offline" in result.stderr
    assert "papers search --offline -- " in result.stderr
    arxiv = run("search", "title:agents", "--source", "arxiv")
    assert arxiv.exit_code == 2 and "need --offline" in arxiv.stderr
    # A field in a query the language cannot parse is still a field (not words sent).
    broken = run("search", "au:(")
    assert broken.exit_code == 2 and "Fields such as au: need --offline" in broken.stderr


def test_online_search_all_searches_both_services(
    run, hf_url, arxiv_url, httpserver, fixture_bytes
) -> None:
    httpserver.expect_request("/api/papers/search").respond_with_data(
        fixture_bytes("hf/search_minibatch.json"), content_type="application/json"
    )
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv/api_search_p2.xml")
    )
    result = run("search", "mini-batch", "--source", "all", "--limit", "5", "--json")
    assert result.exit_code == 0, result.stderr
    ids = [p["id"] for p in result.json()]
    assert ids[:2] == ["2507.11001", "2507.11002"]  # Hugging Face's first
    assert len(ids) > 2 and all(i.startswith("2507.") for i in ids)
    assert {"hf"} <= {s for p in result.json() for s in p["sources"]}
    assert {"arxiv"} <= {s for p in result.json() for s in p["sources"]}
    paths = {entry[0].path for entry in httpserver.log}
    assert paths == {"/api/papers/search", "/api/query"}


def test_online_search_all_with_arxiv_down_shows_hugging_face(
    run, hf_url, httpserver, fixture_bytes
) -> None:
    httpserver.expect_request("/api/papers/search").respond_with_data(
        fixture_bytes("hf/search_minibatch.json"), content_type="application/json"
    )
    result = run("search", "mini-batch", "--source", "all", "--json")  # arXiv: a dead port
    assert result.exit_code == 0, result.stderr
    assert [p["id"] for p in result.json()] == ["2507.11001", "2507.11002"]
    assert "Showing the Hugging Face results only." in result.stderr


def test_dates_in_trends_are_untouched_by_the_source(run, isolated_home: Path) -> None:
    _cache_both(isolated_home)
    periods = run("trends", "agents", "--by", "day", "-s", "arxiv", "--json").json()["periods"]
    assert [(p["period"], p["count"]) for p in periods] == [("2025-07-15", 3)]
