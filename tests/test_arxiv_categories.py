"""Unknown arXiv categories: one warning line with a suggestion, the command still runs
(a category arXiv added later must keep working); ``watch add`` refuses them unless
``--force``. End to end against a loopback server speaking arXiv's RSS and export API."""

from __future__ import annotations

from pathlib import Path

import pytest

from papercli import arxiv_taxonomy as taxonomy
from support.arxivapi import FakeApi, Record

DAY = "2025-07-14"
FOO_WARNING = (
    "Warning: cs.FOO is not an arXiv category papercli knows "
    "(did you mean cs.RO, cs.PF or cs.OS?); using it anyway."
)


@pytest.fixture
def api(httpserver, arxiv_url) -> FakeApi:
    fake = FakeApi([Record("2507.10001", DAY, "Graph mini-batches", ("cs.LG", "stat.ML"))])
    httpserver.expect_request("/api/query").respond_with_handler(fake.handler)
    return fake


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Warning:")]


def write_config(home: Path, text: str) -> None:
    (home / "config.toml").write_text(f"[network]\nbackoff_seconds = 0.01\n\n{text}")


# --- the taxonomy ------------------------------------------------------------------------


def test_the_taxonomy_has_every_archive_and_its_classes() -> None:
    assert len(taxonomy.CATEGORIES) == 155
    archives = {c.split(".")[0] for c in taxonomy.CATEGORIES}
    assert archives == set(taxonomy.ARCHIVES)
    for name in ("cs.LG", "math.AP", "hep-th", "gr-qc", "quant-ph", "math-ph", "astro-ph.CO"):
        assert taxonomy.is_known(name) and taxonomy.problem(name) is None
    for name in ("cond-mat.stat-mech", "physics.flu-dyn", "q-bio.NC", "q-fin.TR", "nlin.CD"):
        assert taxonomy.problem(name) is None
    for name in ("eess.SY", "cs.SY", "econ.EM", "stat.ML", "nucl-th", "cs.GL"):
        assert taxonomy.problem(name) is None
    # A whole archive, as cat: queries and RSS use it.
    for name in ("cs", "math", "physics", "astro-ph", "cond-mat", "q-bio", "stat"):
        assert taxonomy.problem(name) is None
    assert taxonomy.CATEGORIES["cs.LG"] == "Machine Learning"


def test_suggestions() -> None:
    assert taxonomy.suggestions("cs.lg") == ["cs.LG"]  # case only: that one alone
    assert taxonomy.suggestions("cond-mat.stat")[0] == "cond-mat.stat-mech"
    assert taxonomy.suggestions("hep-tx")[0] == "hep-th"
    assert taxonomy.suggestions("physics.optic")[0] == "physics.optics"
    assert taxonomy.suggestions("astroph")[0] == "astro-ph"
    assert taxonomy.suggestions("xyzzy") == []
    assert taxonomy.problem("xyzzy") == "xyzzy is not an arXiv category papercli knows"
    assert taxonomy.problem("cs.lg") == (
        "cs.lg is not an arXiv category papercli knows (did you mean cs.LG?)"
    )
    retired = taxonomy.problem("chao-dyn")
    assert retired is not None and "retired" in retired and "nlin.CD" in retired
    assert taxonomy.unknown(["cs.LG", "cs.FOO", "cs", "cs.FOO", "x.Y"]) == ["cs.FOO", "x.Y"]


# --- papers today / list / search -------------------------------------------------------


def test_today_with_an_unknown_category_warns_then_asks_arxiv(
    run, arxiv_url, httpserver, fixture_bytes
) -> None:
    httpserver.expect_request("/rss/cs.FOO").respond_with_data(
        fixture_bytes("arxiv/rss_error_cs.XX.xml"), status=400
    )
    result = run("today", "--source", "arxiv", "-c", "cs.FOO")
    assert result.exit_code == 1  # arXiv's own answer, as before
    lines = result.stderr.splitlines()
    assert lines[0] == FOO_WARNING
    assert len(lines) == 2 and lines[1].startswith("Error: arXiv: Bad category")
    assert [r.path for r, _ in httpserver.log] == ["/rss/cs.FOO"]


def test_list_with_an_unknown_category_warns_and_still_lists(run, api: FakeApi) -> None:
    result = run("list", "--source", "arxiv", "-c", "cs.FOO", "--date", DAY)
    assert result.exit_code == 0
    assert warnings(result.stderr) == [FOO_WARNING]
    assert "No papers in arXiv cs.FOO" in result.stderr + result.stdout
    assert len(api.requests) == 1  # the request is still made: a new category must work
    # The same command with a real category: no warning, the same exit code.
    real = run("list", "--source", "arxiv", "-c", "cs.LG", "--date", DAY, "--json")
    assert real.exit_code == 0 and warnings(real.stderr) == []
    assert [p["id"] for p in real.json()] == ["2507.10001"]


def test_one_line_per_unknown_category_and_none_for_real_ones(run, api: FakeApi) -> None:
    args = ["list", "-s", "arxiv", "--date", DAY, "--json"]
    for cat in ("cs.LG", "cs.FOO", "stat.ML", "cs.FOO", "hep-tx", "cs", "math"):
        args += ["-c", cat]
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert warnings(result.stderr) == [
        FOO_WARNING,
        "Warning: hep-tx is not an arXiv category papercli knows "
        "(did you mean hep-th, hep-ex or hep-lat?); using it anyway.",
    ]
    assert [p["id"] for p in result.json()] == ["2507.10001"]


def test_real_categories_and_archives_give_no_warning(
    run, arxiv_url, httpserver, fixture_bytes
) -> None:
    httpserver.expect_request("/rss/cs.LG+cs.CL").respond_with_data(
        fixture_bytes("arxiv/rss_cs.LG+cs.CL_2025-07-15.xml")
    )
    result = run("today", "-s", "arxiv", "-c", "cs.LG", "-c", "cs.CL", "--json")
    assert result.exit_code == 0 and "Warning" not in result.stderr
    assert len(result.json()) == 3


def test_a_case_slip_is_corrected_with_a_note(run, api: FakeApi) -> None:
    result = run("list", "-s", "arxiv", "-c", "cs.lg", "--date", DAY, "--json")
    assert result.exit_code == 0
    assert warnings(result.stderr) == []
    assert "Note: cs.lg is read as cs.LG." in result.stderr
    assert result.json()  # cs.LG's papers, not an empty listing


def test_a_retired_archive_says_where_its_papers_went(run, api: FakeApi) -> None:
    result = run("list", "-s", "arxiv", "-c", "chao-dyn", "--date", DAY)
    assert result.exit_code == 0
    (line,) = warnings(result.stderr)
    assert "chao-dyn is a retired arXiv archive" in line and "nlin.CD" in line


def test_search_warns_about_unknown_cat_terms(run, arxiv_url, httpserver, fixture_bytes) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv/api_id_not_found.xml")
    )
    result = run("search", "-s", "arxiv", "cat:cs.FOO", "diffusion", "--json")
    assert result.exit_code == 0, result.stderr
    assert warnings(result.stderr) == [
        "Warning: cs.FOO (in the search) is not an arXiv category papercli knows "
        "(did you mean cs.RO, cs.PF or cs.OS?); using it anyway."
    ]
    assert len(httpserver.log) == 1
    fine = run("search", "-s", "arxiv", "cat:cs.LG", "cat:cs", "diffusion", "--json")
    assert fine.exit_code == 0 and warnings(fine.stderr) == []


# --- configuration: [sources.arxiv] categories and watch rules -----------------------------


def test_configured_categories_warn_once_and_say_where(
    run, api: FakeApi, isolated_home: Path
) -> None:
    write_config(
        isolated_home,
        '[sources.arxiv]\ncategories = ["cs.LG", "cs.FOO"]\ndelay_seconds = 0\n',
    )
    listed = run("list", "-s", "arxiv", "--date", DAY, "--json")
    assert listed.exit_code == 0
    assert warnings(listed.stderr) == [
        "Warning: cs.FOO ([sources.arxiv] categories) is not an arXiv category papercli "
        "knows (did you mean cs.RO, cs.PF or cs.OS?); using it anyway."
    ]
    # sync reads the configured categories twice (past days and today): still one line.
    synced = run("sync", "--source", "arxiv", "--since", DAY, "--until", DAY)
    assert len(warnings(synced.stderr)) == 1 and "cs.FOO ([sources" in synced.stderr


def test_sync_warns_about_a_watch_rules_unknown_category(
    run, api: FakeApi, isolated_home: Path
) -> None:
    write_config(
        isolated_home,
        '[sources.arxiv]\ncategories = ["cs.LG"]\ndelay_seconds = 0\n\n'
        '[watch.parsing]\nquery = "parsing"\nsources = ["arxiv"]\ncategories = ["cs.CLL"]\n',
    )
    result = run("sync", "--source", "arxiv", "--since", DAY, "--until", DAY)
    assert result.exit_code == 0, result.stderr
    (line,) = warnings(result.stderr)
    assert line.startswith("Warning: cs.CLL (watch rule 'parsing') is not an arXiv category")
    assert "did you mean cs.CL" in line
    # Still fetched, with the unknown name: a new arXiv category must keep working.
    assert "cat:cs.CLL" in api.requests[0]["search_query"]


def test_watch_run_warns_about_rule_categories_and_cat_terms(run, isolated_home: Path) -> None:
    write_config(
        isolated_home,
        '[watch.a]\nquery = "graphs"\ncategories = ["cs.FOO"]\n\n'
        '[watch.b]\nquery = "cat:math.XY graphs"\n\n'
        '[watch.c]\nquery = "cat:cs.LG graphs"\ncategories = ["cs"]\n',
    )
    result = run("watch", "run", "--offline", "--json")
    assert result.exit_code == 3, result.stderr  # nothing new (nothing cached), as before
    lines = warnings(result.stderr)
    assert len(lines) == 2
    assert lines[0].startswith("Warning: cs.FOO (watch rule 'a') is not an arXiv category")
    assert lines[1].startswith("Warning: math.XY (watch rule 'b') is not an arXiv category")


def test_watch_add_refuses_an_unknown_category_unless_forced(run, isolated_home: Path) -> None:
    config = isolated_home / "config.toml"
    before = config.read_text()
    result = run("watch", "add", "mb", "mini-batch", "-s", "arxiv", "-c", "cs.FOO")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: cs.FOO is not an arXiv category papercli knows (did you mean cs.RO, cs.PF "
        "or cs.OS?); check the name, or pass --force to save the rule anyway.\n"
    )
    assert config.read_text() == before  # nothing written
    in_query = run("watch", "add", "q", "cat:cs.foo mini-batch")
    assert in_query.exit_code == 2 and "cs.foo is not an arXiv category" in in_query.stderr
    any_case = run("watch", "add", "q", "cat:cs.lg mini-batch")  # cat: terms ignore case
    assert any_case.exit_code == 0, any_case.stderr
    forced = run("watch", "add", "mb", "mini-batch", "-s", "arxiv", "-c", "cs.FOO", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert 'categories = ["cs.FOO"]' in config.read_text()
    for ok in (["-c", "cs.LG", "-c", "cs"], ["-c", "hep-th"]):
        added = run("watch", "add", "ok", "graphs", *ok, "--replace")
        assert added.exit_code == 0 and added.stderr.startswith("Saved watch rule"), added.stderr
