"""End to end: the CLI against a loopback server speaking arXiv's RSS and export API
(and the Hugging Face API, for the merged view)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from papercli.models import JSON_KEYS

FEED = "arxiv/rss_cs.LG+cs.CL_2025-07-15.xml"
EMPTY = "arxiv/rss_empty_cs.LG_2025-07-19.xml"
DAY = dt.date(2025, 7, 15)


def serve_feed(httpserver, fixture_bytes, path="/rss/cs.LG+cs.CL", name=FEED, status=200):
    httpserver.expect_request(path).respond_with_data(
        fixture_bytes(name), status=status, content_type="application/rss+xml"
    )


def serve_hf_days(httpserver, fixture_bytes, listed: dict[str, str] | None = None) -> None:
    """Hugging Face listings for the days around DAY: the fixture on 2025-07-15, else []."""
    listed = listed or {"2025-07-15": "hf/daily_2025-07-15.json"}
    for offset in range(-2, 3):
        day = (DAY + dt.timedelta(days=offset)).isoformat()
        body = fixture_bytes(listed[day]) if day in listed else b"[]"
        httpserver.expect_request(
            "/api/daily_papers", query_string={"date": day, "limit": "100", "p": "0"}
        ).respond_with_data(body, content_type="application/json")


def rss_requests(httpserver) -> list[str]:
    return [req.path for req, _ in httpserver.log if req.path.startswith("/rss/")]


# --- arXiv category listings -----------------------------------------------------------


def test_today_arxiv_shows_new_and_cross(run, arxiv_url, httpserver, fixture_bytes) -> None:
    serve_feed(httpserver, fixture_bytes)
    result = run("today", "--source", "arxiv", "-c", "cs.LG", "-c", "cs.CL", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert [p["id"] for p in data] == ["2507.11001", "2507.11010", "2507.11002"]
    assert all(list(p) == list(JSON_KEYS) for p in data)
    assert [p["announce_type"] for p in data] == ["new", "new", "cross"]
    first = data[0]
    assert first["sources"] == ["arxiv"] and first["listed"] == "2025-07-15"
    assert first["abstract"].startswith("We study mini-batch optimisation when $n<m$")
    assert first["authors"] == ["Ada Lovelace (Example Lab, London)", "Émile Borel", "Li Ming"]
    assert first["arxiv_url"] == "https://arxiv.org/abs/2507.11001" and first["url"] is None
    assert rss_requests(httpserver) == ["/rss/cs.LG+cs.CL"]


def test_replacements_and_badges_in_the_table(run, arxiv_url, httpserver, fixture_bytes) -> None:
    serve_feed(httpserver, fixture_bytes)
    result = run("today", "-s", "arxiv", "-c", "cs.LG", "-c", "cs.CL", "--replacements", "--json")
    data = result.json()
    assert [p["announce_type"] for p in data] == ["new", "new", "cross", "replace", "replace-cross"]
    assert data[3]["doi"] == "10.1000/example.2023.001"
    assert data[3]["journal_ref"] == "J. Example Learning 12, 34-56 (2024)"
    assert data[4]["id"] == "hep-th/9901001"
    table = run("today", "-s", "arxiv", "-c", "cs.LG", "-c", "cs.CL", "--replacements").stdout
    assert "[cross] Mini batches of Graphs" in table
    assert "[repl] An Old Result" in table and "[repl] Phonology" in table
    assert "[new]" not in table
    # arXiv alone: no empty upvote or code columns; the primary category instead of Org.
    caption, header = table.splitlines()[0], table.splitlines()[1].split()
    assert caption.startswith("arXiv cs.LG+cs.CL · ")  # the feed's day is not today:
    assert caption.endswith(" · 5 papers · showing the latest announcement, 2025-07-15")
    assert header == ["#", "Title", "Authors", "Category", "arXiv"]
    assert "hep-th/9901001" in table and "math.CO" in table
    assert "[bold red]without[/]" in table  # remote text is never Rich markup
    plain = run("today", "-s", "arxiv", "-c", "cs.LG", "-c", "cs.CL").stdout
    assert "[repl]" not in plain and "[cross]" in plain


def test_listing_is_cached_per_category_set_and_day(
    run, arxiv_url, httpserver, fixture_bytes, isolated_home: Path
) -> None:
    serve_feed(httpserver, fixture_bytes)
    assert run("today", "-s", "arxiv", "-c", "cs.LG", "-c", "cs.CL").exit_code == 0
    path = isolated_home / "cache" / "arxiv" / "rss" / "cs.CL+cs.LG" / "2025-07-15.json"
    doc = json.loads(path.read_text())
    assert doc["key"] == "cs.CL+cs.LG/2025-07-15" and len(doc["papers"]) == 5
    # The same set in another order, and a query over the cached copy: no new request.
    result = run("today", "-s", "arxiv", "-c", "cs.CL", "-c", "cs.LG", "--json", "graphs")
    assert [p["id"] for p in result.json()] == ["2507.11002"]
    assert rss_requests(httpserver) == ["/rss/cs.LG+cs.CL"]
    # show finds a paper of a cached arXiv listing without any request.
    shown = run("show", "2301.00001", "--json")
    assert shown.exit_code == 0 and shown.json()["announce_type"] == "replace"
    assert len(httpserver.log) == 1


def test_categories_and_source_from_config(
    run, arxiv_url, httpserver, fixture_bytes, isolated_home: Path
) -> None:
    (isolated_home / "config.toml").write_text(
        '[display]\ndefault_source = "arxiv"\n\n'
        '[sources.arxiv]\ncategories = ["cs.LG", "cs.CL"]\ndelay_seconds = 0\n'
    )
    serve_feed(httpserver, fixture_bytes)
    result = run("today", "--json")
    assert result.exit_code == 0, result.stderr
    assert len(result.json()) == 3
    assert rss_requests(httpserver) == ["/rss/cs.LG+cs.CL"]


def test_no_announcement_shows_the_most_recent_cached_one(
    run, arxiv_url, httpserver, fixture_bytes
) -> None:
    serve_feed(httpserver, fixture_bytes, path="/rss/cs.LG")
    assert run("today", "-s", "arxiv", "-c", "cs.LG").exit_code == 0
    httpserver.clear()
    serve_feed(httpserver, fixture_bytes, path="/rss/cs.LG", name=EMPTY)
    result = run("today", "-s", "arxiv", "-c", "cs.LG", "--refresh", "--json")
    assert result.exit_code == 0, result.stderr
    assert [p["id"] for p in result.json()] == ["2507.11001", "2507.11010", "2507.11002"]
    assert "No arXiv announcement today" in result.stderr
    assert "showing the most recent one, 2025-07-15" in result.stderr
    assert len(rss_requests(httpserver)) == 1


def test_no_announcement_and_nothing_cached(run, arxiv_url, httpserver, fixture_bytes) -> None:
    serve_feed(httpserver, fixture_bytes, path="/rss/cs.LG", name=EMPTY)
    result = run("today", "-s", "arxiv", "-c", "cs.LG")
    assert result.exit_code == 0 and result.stdout == ""
    assert "No arXiv announcement today" in result.stderr


def test_bad_category_is_the_services_reason_in_one_line(
    run, arxiv_url, httpserver, fixture_bytes
) -> None:
    serve_feed(
        httpserver, fixture_bytes, path="/rss/cs.XX", name="arxiv/rss_error_cs.XX.xml", status=400
    )
    result = run("today", "-s", "arxiv", "-c", "cs.XX")
    assert result.exit_code == 1
    assert result.stderr == (
        "Warning: cs.XX is not an arXiv category papercli knows "
        "(did you mean cs.SY, cs.SI or cs.SE?); using it anyway.\n"
        "Error: arXiv: Bad category 'cs.XX'. "
        "Valid categories for archive 'cs' are: cs.AI, cs.CL, cs.LG.\n"
    )


def test_malformed_category_is_exit_2_before_any_request(run, arxiv_url, httpserver) -> None:
    for bad in ("../../etc", "cs LG?", "cs/LG"):
        result = run("today", "-s", "arxiv", "-c", bad)
        assert result.exit_code == 2, bad
        assert "Invalid arXiv category" in result.stderr
    assert httpserver.log == []


def test_arxiv_options_need_an_arxiv_source(run) -> None:
    assert run("today", "-s", "hf", "-c", "cs.LG").exit_code == 2
    assert run("today", "-s", "arxiv", "--include-hf").exit_code == 2
    assert run("today", "-s", "hf", "--replacements").exit_code == 2


def test_offline_and_stale_fallback(run, arxiv_url, httpserver, fixture_bytes) -> None:
    assert run("today", "-s", "arxiv", "-c", "cs.LG", "--offline").exit_code == 1
    serve_feed(httpserver, fixture_bytes, path="/rss/cs.LG")
    assert run("today", "-s", "arxiv", "-c", "cs.LG").exit_code == 0
    offline = run("today", "-s", "arxiv", "-c", "cs.LG", "--offline", "--json")
    assert len(offline.json()) == 3
    httpserver.clear()
    httpserver.expect_request("/rss/cs.LG").respond_with_data("down", status=503)
    stale = run("today", "-s", "arxiv", "-c", "cs.LG", "--refresh", "--json")
    assert stale.exit_code == 0 and len(stale.json()) == 3
    assert "Showing the cached announcement of 2025-07-15" in stale.stderr


def test_server_down_nothing_cached_is_one_line_exit_1(run) -> None:
    result = run("today", "-s", "arxiv", "-c", "cs.LG")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


# --- the merged view -------------------------------------------------------------------------


def test_source_all_carries_hugging_face_signals(
    run, arxiv_url, hf_url, httpserver, fixture_bytes
) -> None:
    serve_feed(httpserver, fixture_bytes)
    serve_hf_days(httpserver, fixture_bytes)
    result = run("today", "-s", "all", "-c", "cs.LG", "-c", "cs.CL", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    # Upvoted papers first (most first); the others keep their arXiv order after them.
    assert [p["id"] for p in data] == ["2507.11001", "2507.11002", "2507.11010"]
    first = data[0]
    assert first["upvotes"] == 87 and first["organization"] == "Example Lab"
    assert first["github_url"] == "https://github.com/example/minibatch"
    assert first["sources"] == ["arxiv", "hf"] and first["announce_type"] == "new"
    assert first["url"] == "https://huggingface.co/papers/2507.11001"
    assert data[2]["sources"] == ["arxiv"] and data[2]["upvotes"] is None
    # --sort title still works over the merged papers; 2507.11003 is not in the categories.
    titles = run("today", "-s", "all", "-c", "cs.LG", "-c", "cs.CL", "--sort", "title", "--json")
    assert "2507.11003" not in [p["id"] for p in titles.json()]


def test_include_hf_adds_marked_papers(run, arxiv_url, hf_url, httpserver, fixture_bytes) -> None:
    serve_feed(httpserver, fixture_bytes)
    serve_hf_days(httpserver, fixture_bytes)
    args = ("today", "-s", "all", "-c", "cs.LG", "-c", "cs.CL", "--include-hf")
    data = run(*args, "--json").json()
    assert [p["id"] for p in data] == ["2507.11001", "2507.11002", "2507.11003", "2507.11010"]
    assert data[2]["sources"] == ["hf"] and data[2]["upvotes"] == 12
    table = run(*args).stdout
    assert "[hf] Diffusion" in table


def test_merged_view_survives_hugging_face_being_down(
    run, arxiv_url, httpserver, fixture_bytes, monkeypatch
) -> None:
    serve_feed(httpserver, fixture_bytes)
    monkeypatch.setenv("PAPERS_HF_URL", "http://127.0.0.1:9")
    result = run("today", "-s", "all", "-c", "cs.LG", "-c", "cs.CL", "--json")
    assert result.exit_code == 0
    assert [p["id"] for p in result.json()] == ["2507.11001", "2507.11010", "2507.11002"]
    assert "Hugging Face signals unavailable" in result.stderr


# --- search and show -------------------------------------------------------------------------


def test_search_arxiv_pages_up_to_the_limit(run, arxiv_url, httpserver, fixture_bytes) -> None:
    query = 'all:mini-batch AND all:"gradient noise"'
    for start, size, name in (("0", "3", "p1"), ("2", "1", "p2")):
        httpserver.expect_request(
            "/api/query",
            query_string={
                "search_query": query,
                "start": start,
                "max_results": size,
                "sortBy": "relevance",
                "sortOrder": "descending",
            },
        ).respond_with_data(fixture_bytes(f"arxiv/api_search_{name}.xml"))
    result = run(
        "search", "mini-batch", '"gradient noise"', "--source", "arxiv", "-n", "3", "--json"
    )
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert [p["id"] for p in data] == ["2507.12001", "2507.12002", "2507.12003"]
    assert data[1]["doi"] == "10.1000/x.1" and data[0]["sources"] == ["arxiv"]
    assert len(httpserver.log) == 2
    table = run("search", "mini-batch", '"gradient noise"', "-s", "arxiv", "-n", "3").stdout
    assert "Gradient Noise in Mini-Batch Training" in table


def test_search_arxiv_error_is_one_line(run, arxiv_url, httpserver, fixture_bytes) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv/api_error_400.xml"), status=400
    )
    result = run("search", "anything", "--source", "arxiv")
    assert result.exit_code == 1
    assert result.stderr == "Error: arXiv: incorrect id format for 2401.0\n"


def test_show_falls_back_to_arxiv(run, arxiv_url, hf_url, httpserver, fixture_bytes) -> None:
    httpserver.expect_request("/api/papers/2401.00001").respond_with_data("", status=404)
    httpserver.expect_request(
        "/api/query", query_string={"id_list": "2401.00001", "max_results": "1"}
    ).respond_with_data(fixture_bytes("arxiv/api_id_2401.00001.xml"))
    result = run("show", "https://arxiv.org/abs/2401.00001")
    assert result.exit_code == 0, result.stderr
    for text in (
        "A Paper Only arXiv Knows",
        "Kurt Gödel, John von Neumann",
        "2401.00001v3",
        "10.1000/only.arxiv",
        "J. Logic 1 (2024)",
        "Its abstract spans lines.",
    ):
        assert text in result.stdout
    again = run("show", "2401.00001", "--json")
    assert again.json()["sources"] == ["arxiv"] and again.json()["url"] is None
    assert len(httpserver.log) == 2  # the second show came from the cache


def test_show_a_version_and_an_old_style_id(run, arxiv_url, hf_url, httpserver, fixture_bytes):
    httpserver.expect_request("/api/papers/hep-th/9901001").respond_with_data("", status=404)
    httpserver.expect_request(
        "/api/query", query_string={"id_list": "hep-th/9901001v2", "max_results": "1"}
    ).respond_with_data(fixture_bytes("arxiv/api_id_not_found.xml"))
    result = run("show", "hep-th/9901001v2")
    assert result.exit_code == 1
    assert "not found on Hugging Face or arXiv" in result.stderr


def test_show_api_error_is_one_line(run, arxiv_url, hf_url, httpserver, fixture_bytes) -> None:
    httpserver.expect_request("/api/papers/2401.00002").respond_with_data("", status=404)
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv/api_error_400.xml"), status=400
    )
    result = run("show", "2401.00002")
    assert result.exit_code == 1
    assert result.stderr == "Error: arXiv: incorrect id format for 2401.0\n"


def test_show_rejects_bad_ids_before_any_request(run, arxiv_url, httpserver) -> None:
    for bad in ("2401.0", "abc", "hep-th/99", "https://example.com/abs/2401.00001"):
        assert run("show", bad).exit_code == 2, bad
    assert httpserver.log == []


def test_show_of_a_paper_cached_from_arxiv_asks_hugging_face_for_signals(
    run, arxiv_url, hf_url, httpserver, fixture_bytes
) -> None:
    from papercli.config import load
    from papercli.models import Paper
    from papercli.storage.cache import Cache

    arxiv_only = Paper(
        id="2507.11001", title="From the feed", categories=("cs.LG",), sources=("arxiv",)
    )
    Cache(load().cache_dir).save("arxiv", "rss", "cs.LG/2025-07-15", [arxiv_only])
    httpserver.expect_request("/api/papers/2507.11001").respond_with_data(
        fixture_bytes("hf/paper_2507.11001.json"), content_type="application/json"
    )
    shown = run("show", "2507.11001", "--json").json()
    assert shown["sources"] == ["arxiv", "hf"]
    assert shown["upvotes"] == 87 and shown["categories"] == ["cs.LG"]
    assert run("show", "2507.11001", "--json").json()["upvotes"] == 87
    assert len(httpserver.log) == 1  # then both records are cached
