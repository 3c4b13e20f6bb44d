"""Issue 14, the smaller ones: -o FILE.txt, sync -s/-c, one-line usage errors, category
case, messages naming the service, built-in help topics."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.arxivapi import FakeApi, Record
from test_cli_listing import serve_day

DAY = "2025-07-15"


# -- -o today.txt -------------------------------------------------------------------------
def test_o_txt_writes_the_table_as_plain_text(
    run, hf_url, httpserver, fixture_bytes, tmp_path: Path
) -> None:
    serve_day(httpserver, fixture_bytes, DAY)
    target = tmp_path / "today.txt"
    result = run("list", "--date", DAY, "-o", str(target))
    assert result.exit_code == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    assert text.startswith("Hugging Face Daily Papers · Tue 2025-07-15 · 3 papers\n")
    assert "Scaling Mini-Batch" in text and "\x1b" not in text
    unknown = run("list", "--date", DAY, "-o", str(tmp_path / "x.doc"))
    assert unknown.exit_code == 2 and ".txt" in unknown.stderr  # names what it knows


# -- sync -s/--source and -c/--category --------------------------------------------------------
@pytest.fixture
def api(httpserver, arxiv_url) -> FakeApi:
    fake = FakeApi([Record("2507.10001", DAY, "Parsing", ("cs.CL",))])
    httpserver.expect_request("/api/query").respond_with_handler(fake.handler)
    return fake


def test_sync_takes_short_source_and_categories(run, api: FakeApi) -> None:
    result = run("sync", "-s", "arxiv", "-c", "cs.CL", "--since", DAY, "--until", DAY)
    assert result.exit_code == 0, result.stderr
    assert [p["search_query"].split(" AND ")[0] for p in api.requests] == ["(cat:cs.CL)"]
    listed = run("list", "-s", "arxiv", "-c", "cs.CL", "--date", DAY, "--offline", "--json")
    assert [p["id"] for p in listed.json()] == ["2507.10001"]
    wrong = run("sync", "-s", "hf", "-c", "cs.CL")
    assert wrong.exit_code == 2 and "-c/--category needs --source arxiv or all" in wrong.stderr


# -- one-line usage errors ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("today", "--limit", "abc"), "--limit takes a whole number of at least 1, not 'abc'"),
        (("list", "-n", "0"), "--limit takes a whole number of at least 1, not 0"),
        (("today", "--min-upvotes", "-3"), "--min-upvotes takes a whole number of at least 0"),
        (
            ("today", "--sort", "x"),
            "--sort takes upvotes, date, title, relevance or for-you, not 'x'",
        ),
        (("search",), "papers search needs QUERY"),
        (("watch", "rm"), "papers watch rm needs NAME"),
        (("bogus",), "No such command 'bogus'"),
    ],
)
def test_usage_errors_are_papercli_own_one_line(run, args, expected) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {expected}")
    assert result.stderr.count("\n") == 1
    assert "Usage:" not in result.stderr and "int range" not in result.stderr
    assert "see 'papers" in result.stderr


def test_help_shows_n_not_int_range(run) -> None:
    text = run("today", "--help").stdout
    assert "--limit N" in text and "--min-upvotes N" in text
    assert "int range" not in text and "INTEGER RANGE" not in text


# -- arXiv category case -----------------------------------------------------------------------
def test_a_lower_case_category_is_corrected_with_a_note(run, api: FakeApi) -> None:
    result = run("list", "-s", "arxiv", "-c", "cs.cl", "--date", DAY, "--json")
    assert result.exit_code == 0, result.stderr
    assert "Note: cs.cl is read as cs.CL." in result.stderr
    assert [p["id"] for p in result.json()] == ["2507.10001"]
    assert "cat:cs.CL" in api.requests[0]["search_query"]


def test_watch_add_corrects_the_case_too(run) -> None:
    result = run("watch", "add", "p", "parsing", "-c", "cs.cl")
    assert result.exit_code == 0, result.stderr
    assert "Note: cs.cl is read as cs.CL." in result.stderr
    assert run("watch", "list", "--json").json()[0]["categories"] == ["cs.CL"]


# -- messages name the service ---------------------------------------------------------------
def test_an_arxiv_404_names_the_export_api(run, httpserver, arxiv_url) -> None:
    httpserver.expect_request("/api/query").respond_with_data("gone", status=404)
    result = run("search", "graphs", "--source", "arxiv")
    assert result.exit_code == 1
    assert result.stderr == "Error: arXiv's export API answered HTTP 404.\n"


def test_a_hugging_face_404_names_hugging_face(run, hf_url, httpserver) -> None:
    httpserver.expect_request("/api/papers/search").respond_with_data("gone", status=404)
    result = run("search", "graphs")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Hugging Face answered HTTP 404")
    assert "127.0.0.1" not in result.stderr


def test_an_unreachable_service_is_named_with_its_address(run) -> None:
    result = run("list", "--date", DAY)  # the dead loopback port of the test setup
    assert result.exit_code == 1
    assert "cannot reach 127.0.0.1:9 (Hugging Face)" in result.stderr


def test_an_empty_answer_over_a_cache_names_the_service(
    run, hf_url, httpserver, fixture_bytes, isolated_home: Path
) -> None:
    import datetime as dt

    today = dt.date.today().isoformat()
    serve_day(httpserver, fixture_bytes, today)
    assert run("list", "--date", today).exit_code == 0
    httpserver.clear()
    httpserver.expect_request("/api/daily_papers").respond_with_json([])
    result = run("list", "--date", today, "--refresh", "--json")
    assert result.exit_code == 0, result.stderr
    assert f"Hugging Face papers for {today}: Hugging Face listed no papers this time" in (
        result.stderr
    )
    assert "The service" not in result.stderr


# -- built-in help topics ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("topic", "marker"),
    [("queries", "au:hinton"), ("formats", "bib"), ("config", 'default_source = "hf"')],
)
def test_help_topics(run, topic: str, marker: str, isolated_home: Path) -> None:
    result = run("help", topic)
    assert result.exit_code == 0, result.stderr
    assert marker in result.stdout
    if topic == "config":
        assert str(isolated_home / "config.toml") in result.stdout
        assert "[display]" in result.stdout and "pager = true" in result.stdout


def test_help_lists_its_topics_and_option_help_points_to_them(run) -> None:
    listed = run("help").stdout
    assert all(f"papers help {t}" in listed for t in ("queries", "formats", "config"))
    text = " ".join(run("today", "--help").stdout.split())
    assert "papers help queries" in text and "README" not in text
    assert "papers help formats" in text
