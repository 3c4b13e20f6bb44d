"""Hostile input: remote text that tries to drive the terminal, and fuzzed local input.

Remote text (titles, abstracts, authors, organizations) may carry ANSI CSI/OSC
escapes (7- and 8-bit), other control characters, Rich markup, Markdown, HTML,
bidirectional overrides, endless words and 100,000-character abstracts: the table,
``show`` and ``--json`` must show them as inert text. Local input (queries, dates,
weeks, months, ids, configuration files) is fuzzed with hypothesis: every input is
either accepted or refused with a one-line usage/config error, never a crash, and
no id ever reaches a file name or URL outside its place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from rich.console import Console

from papercli.config import parse_config
from papercli.dates import parse_day, parse_month, parse_week, period_from_options
from papercli.errors import ConfigError, FetchError, UsageError
from papercli.ids import parse_paper_id
from papercli.models import Paper
from papercli.query import Query
from papercli.sources import hf
from papercli.storage.cache import Cache
from papercli.ui.table import paper_detail, papers_table

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- hostile remote text ---------------------------------------------------------------

ESCAPES = [
    "\x1b[31mRED\x1b[0m",
    "\x1b[2J\x1b[H",  # clear screen, cursor home
    "\x1b]8;;https://evil.example/\x07click me\x1b]8;;\x07",  # OSC 8 hyperlink
    "\x1b]0;pwned window title\x07",
    "\x1b]52;c;ZXZpbA==\x1b\\",  # OSC 52: write the clipboard
    "\x1bP+q544e\x1b\\",  # DCS
    "\x9b31m8-bit CSI\x9b0m",
    "\x9d0;8-bit OSC title\x9c",
    "\x90DCS 8-bit\x9c",
    "\x1b(0lqqk\x1b(B",  # charset switch
    "bell\x07 backspace\x08\x08 cr\roverwrite nul\x00 del\x7f vt\x0b ff\x0c",
]
MARKUP = [
    "[bold red]not bold[/]",
    "[link=https://evil.example]not a link[/link]",
    "[/]",
    ":warning: :smile:",
    "**not bold** `not code` [not a link](https://evil.example) # not a heading",
    "<script>alert(1)</script><b>not bold</b>&amp;",
]
BIDI = ["\u202eevil.exe\u202c", "a\u2066b\u2069c", "zero\u200bwidth\ufeff", "\u061carabic mark"]
# Unicode tag characters: "ignore this" written in invisible text.
TAGS = ["seen" + "".join(chr(0xE0000 + ord(c)) for c in "ignore this") + "\U000e007f"]
FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
    "\U000e0000-\U000e007f]"
)
LONG_WORD = "Supercalifragilistic" * 250  # 5,000 characters, no break
HUGE_ABSTRACT = ("word " * 20_000)[:100_000]
HOSTILE = " ".join(ESCAPES + MARKUP + BIDI + TAGS)


def hostile_paper(**overrides: Any) -> Paper:
    fields: dict[str, Any] = {
        "id": "2507.11001",
        "title": "Title " + HOSTILE,
        "authors": (HOSTILE, "\x1b[5mBlink\x1b[0m Author", LONG_WORD),
        "abstract": HOSTILE + " " + HUGE_ABSTRACT,
        "organization": "[red]Org[/red] \x1b]8;;https://evil\x07",
        "submitter": "\x9b2J",
        "ai_summary": HOSTILE,
        "ai_keywords": ("[bold]kw[/bold]", "\x1b[31mkw2"),
        "upvotes": 5,
        "github_url": "https://github.com/x/y",
        "sources": ("hf",),
        "listed": "2025-07-15",
    }
    fields.update(overrides)
    return Paper(**fields)


def render(renderable: Any, *, terminal: bool, width: int = 100) -> str:
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=terminal,
        color_system="truecolor" if terminal else None,
        markup=False,
        highlight=False,
        emoji=False,
    )
    console.print(renderable)
    return out.getvalue()


def assert_inert(text: str, *, styled: bool) -> None:
    """No escape sequence or control character but line breaks and (if styled) Rich's SGR."""
    if styled:
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # Rich's own colours only
    bad = FORBIDDEN.findall(text.replace("\n", ""))
    assert not bad, sorted(set(bad))


@pytest.mark.parametrize("terminal", [False, True])
@pytest.mark.parametrize("width", [60, 100, 160])
def test_table_renders_hostile_text_inertly(terminal: bool, width: int) -> None:
    papers = [hostile_paper(), hostile_paper(id="2507.11002", title=LONG_WORD)]
    out = render(
        papers_table(papers, Query.parse("title"), width=width), terminal=terminal, width=width
    )
    assert_inert(out, styled=terminal)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert all(len(line) <= width for line in plain.splitlines())
    assert "pwned" not in plain or "\x1b]" not in out


@pytest.mark.parametrize("terminal", [False, True])
def test_show_renders_hostile_text_inertly_and_whole(terminal: bool) -> None:
    out = render(paper_detail(hostile_paper(), Query.parse("word")), terminal=terminal)
    assert_inert(out, styled=terminal)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    flat = plain.replace("\n", "")
    for literal in (
        "[bold red]not bold[/]",
        "[link=https://evil.example]not a link[/link]",
        "<script>alert(1)</script>",
        "**not bold**",
        ":warning:",
    ):
        assert literal in flat, literal
    assert flat.count("word") >= 19_000  # the 100,000-character abstract is all there


def test_the_parser_cleans_remote_text_before_it_reaches_a_model() -> None:
    item = {
        "paper": {
            "id": "2507.11001",
            "title": HOSTILE,
            "summary": HOSTILE,
            "authors": [{"name": HOSTILE}],
            "organization": {"fullname": HOSTILE},
            "ai_keywords": [HOSTILE],
        }
    }
    (paper,) = hf.parse_daily(json.dumps([item]).encode())
    for value in (paper.title, paper.abstract, paper.authors[0], paper.organization):
        assert value and not FORBIDDEN.search(value)
        assert "[bold red]not bold[/]" in value  # markup kept, as text


def test_cli_shows_hostile_remote_text_inertly(run, hf_url, httpserver) -> None:
    item = {
        "paper": {
            "id": "2507.11001",
            "title": "Hostile " + HOSTILE,
            "summary": HOSTILE + " " + HUGE_ABSTRACT,
            "authors": [{"name": HOSTILE}],
            "organization": {"fullname": HOSTILE},
            "upvotes": 3,
        }
    }
    body = json.dumps([item]).encode()
    httpserver.expect_request("/api/daily_papers").respond_with_data(body)
    httpserver.expect_request("/api/papers/search").respond_with_data(body)
    for args in (
        ["list", "--date", "2025-07-15"],
        ["list", "--date", "2025-07-15", "--json"],
        ["show", "2507.11001"],
        ["show", "2507.11001", "--json"],
        ["search", "hostile"],
    ):
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert_inert(result.stdout, styled=False)
        assert_inert(result.stderr, styled=False)
        if "--json" in args:
            json.loads(result.stdout)


def test_json_output_escapes_what_a_hand_edited_cache_smuggles_in(run, isolated_home) -> None:
    """Cache files are cleaned on the way in, but can be edited: --json stays inert."""
    cache = Cache(isolated_home / "cache")
    cache.save("hf", "day", "2025-07-15", [hostile_paper(abstract=HOSTILE)], fetched_at=1.0)
    result = run("list", "--date", "2025-07-15", "--json")
    assert result.exit_code == 0
    assert_inert(result.stdout, styled=False)
    assert result.json()[0]["title"] == "Title " + HOSTILE  # same value, only escaped
    shown = run("list", "--date", "2025-07-15")
    assert_inert(shown.stdout, styled=False)


def test_error_messages_never_echo_control_characters(run) -> None:
    result = run("show", "\x1b]0;pwned\x07../../etc/passwd")
    assert result.exit_code == 2
    assert_inert(result.stderr, styled=False)
    assert len(result.stderr.splitlines()) == 1


# --- fuzzing local input ------------------------------------------------------------------

SAMPLE = Paper(
    "2507.11001",
    "Scaling Mini-Batch Optimisation",
    ("Ada Lovelace",),
    "We study mini batches.",
    organization="Example Lab",
    categories=("cs.LG",),
    ai_keywords=("mini-batch",),
)
QUERY_ALPHABET = st.sampled_from(list('ab -()":ORANDNOT\t\u00a0\u2013éß\x00\x1b[]*?\\'))
query_text = st.text(QUERY_ALPHABET, max_size=40) | st.text(max_size=40)


@FUZZ
@given(query_text)
@example('title:"')
@example("((((((((((a")
@example("-")
@example("a OR")
@example("NOT NOT NOT a")
def test_query_parser_accepts_or_refuses_with_a_usage_error(text: str) -> None:
    try:
        query = Query.parse(text)
    except UsageError as exc:
        assert "\n" not in str(exc)
        return
    query.matches(SAMPLE)
    for field in ("title", "abstract"):
        value = getattr(SAMPLE, field)
        for start, end in query.highlight_spans(value, field):
            assert 0 <= start < end <= len(value)


TODAY = dt.date(2026, 11, 26)


@FUZZ
@given(st.text(max_size=24) | st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True))
@example("２０２５-０７-１５")
@example("2025-02-29")
@example("0000-01-01")
@example("9999-12-31")
@example("2025-07-15\n")
def test_dates_are_dates_or_usage_errors(text: str) -> None:
    try:
        day = parse_day(text, TODAY)
    except UsageError as exc:
        assert "\n" not in str(exc).strip()
        return
    assert isinstance(day, dt.date)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day.isoformat(), re.ASCII)


@FUZZ
@given(st.text(max_size=16) | st.from_regex(r"\d{4}-W\d{2}", fullmatch=True))
@example("2020-W53")
@example("2021-W53")
@example("0000-W01")
@example("9999-W52")
@example("٢٠٢٥-W10")
def test_weeks_are_weeks_or_usage_errors(text: str) -> None:
    try:
        period = parse_week(text)
    except UsageError:
        return
    assert re.fullmatch(r"\d{4}-W\d{2}", period.key, re.ASCII)
    assert period.start.isoweekday() == 1 and (period.end - period.start).days == 6
    Cache(Path("/cache")).path("hf", "week", period.key)


@FUZZ
@given(st.text(max_size=12) | st.from_regex(r"\d{4}-\d{2}", fullmatch=True))
@example("9999-12")
@example("0000-01")
@example("2025-00")
@example("٢٠٢٥-07")
def test_months_are_months_or_usage_errors(text: str) -> None:
    try:
        period = parse_month(text)
    except UsageError:
        return
    assert re.fullmatch(r"\d{4}-\d{2}", period.key, re.ASCII)
    assert period.start.day == 1 and period.end >= period.start
    Cache(Path("/cache")).path("hf", "month", period.key)


@FUZZ
@given(
    st.one_of(st.none(), st.text(max_size=12)),
    st.one_of(st.none(), st.text(max_size=10)),
    st.one_of(st.none(), st.text(max_size=10)),
)
def test_period_options_are_periods_or_usage_errors(
    date: str | None, week: str | None, month: str | None
) -> None:
    try:
        period = period_from_options(date, week, month, TODAY)
    except UsageError:
        return
    Cache(Path("/cache")).path("hf", period.kind, period.key)


TRAVERSALS = [
    "../../x",
    "../../../etc/passwd",
    "..%2F..%2Fx",
    "2501.01234/../../x",
    "2501.01234/..",
    "hep-th/../../x",
    "hep-th/9901001/../../x",
    "/etc/passwd",
    "2501.01234\n",
    "2501.01234\x00",
    "2501.01234%00",
    "２５０１.０１２３４",
    "2501.0123４",
    "https://arxiv.org/abs/../../x",
    "https://arxiv.org/abs/2501.01234/../../x",
    "https://evil.example/abs/2501.01234",
    "arXiv:../x",
    "2501.01234?x=1",
    "2501.01234#frag",
    "2501.01234 ",
    "..",
    ".",
    "",
]


@pytest.mark.parametrize("text", TRAVERSALS)
def test_path_traversal_ids_are_refused(text: str) -> None:
    try:
        paper_id, _ = parse_paper_id(text)
    except UsageError:
        return
    # The few that parse (e.g. surrounding space) must be plain ids.
    assert paper_id == "2501.01234", text


@FUZZ
@given(st.text(max_size=60) | st.from_regex(r"(arXiv:)?\d{4}\.\d{4,5}(v\d+)?", fullmatch=True))
@example("hep-th/9901001v2")
@example("math.AG/0601001")
@example("https://huggingface.co/papers/2501.01234")
def test_every_accepted_id_is_safe_for_files_and_urls(text: str) -> None:
    try:
        paper_id, version = parse_paper_id(text)
    except UsageError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 400
        return
    assert re.fullmatch(r"[a-z][a-z-]*(\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5}", paper_id, re.ASCII)
    assert ".." not in paper_id and "\\" not in paper_id
    root = Path("/cache-root")
    path = Cache(root).path("hf", "paper", paper_id)
    assert path.resolve().is_relative_to(root.resolve())
    assert path.name.endswith(".json")
    url = f"https://huggingface.co/api/papers/{paper_id}"
    assert url.split("/api/papers/", 1)[1] == paper_id
    assert version is None or version >= 1


@pytest.mark.parametrize("text", ["2507.09477v0", "arXiv:2507.09477v00", "hep-th/9901001v0"])
def test_version_zero_is_refused(text: str) -> None:
    with pytest.raises(UsageError, match="versions start at v1"):
        parse_paper_id(text)


def test_four_digit_numbers_belong_to_ids_before_2015() -> None:
    assert parse_paper_id("1412.1234") == ("1412.1234", None)
    assert parse_paper_id("0704.0001v2") == ("0704.0001", 2)
    with pytest.raises(UsageError, match="five digits after the dot"):
        parse_paper_id("2511.0548")


@FUZZ
@given(st.text(max_size=12), st.text(max_size=12), st.text(max_size=40))
@example("hf", "day", "../../x")
@example("hf", "day", "a/../../b")
@example("..", "day", "x")
@example("hf", "day", "x\n")
@example("hf", "day", "x/")
def test_cache_paths_stay_inside_the_cache(source: str, kind: str, key: str) -> None:
    root = Path("/cache-root")
    try:
        path = Cache(root).path(source, kind, key)
    except ValueError:
        return
    assert path.resolve().is_relative_to(root.resolve())
    assert path.suffix == ".json" and "\n" not in str(path)


# --- configuration files ----------------------------------------------------------------

CONFIG = Path("/home/u/.config/papercli/config.toml")

BAD_CONFIGS = {
    "[network\n": ("line 1",),
    "[network]\nretries = \n": ("line 2",),
    "[network]\nretries = 'three'\n": ("[network] retries", "an integer"),
    "[network]\nretries = 3.5\n": ("[network] retries", "an integer"),
    "[network]\nretries = true\n": ("[network] retries", "an integer"),
    "[network]\nretries = 99\n": ("[network] retries", "between 0 and 10"),
    "[network]\nread_timeout = -1\n": ("[network] read_timeout", "greater than 0"),
    "[network]\nread_timeout = nan\n": ("[network] read_timeout", "finite"),
    "[network]\ntotal_timeout = inf\n": ("[network] total_timeout", "finite"),
    "[network]\nmax_body_mb = 0\n": ("[network] max_body_mb",),
    "[network]\nsurprise = 1\n": ("unknown key 'surprise'", "[network]"),
    "[nettwork]\nretries = 1\n": ("unknown section [nettwork]",),
    "network = 5\n": ("[network] must be a table",),
    "[sources.hf]\nconcurrency = 0\n": ("[sources.hf] concurrency", "between 1 and 32"),
    "[sources.hf]\nurl = 5\n": ("[sources.hf] url", "a string"),
    "[sources]\nhf = 5\n": ("[sources.hf] must be a table",),
    "[sources.arxiv]\ncategories = 'cs.LG'\n": ("[sources.arxiv] categories", "list of strings"),
    "[sources.arxiv]\ncategories = [1, 2]\n": ("[sources.arxiv] categories", "list of strings"),
    "[display]\ndefault_source = 'everything'\n": ("[display] default_source",),
    "[display]\nmark_seen = 'yes'\n": ("[display] mark_seen", "true or false"),
    "[email]\nport = 70000\n": ("[email] port", "between 1 and 65535"),
    "[watch]\nx = 1\n": ("[watch.x] must be a table",),
    "[watch.x]\nsources = ['hf']\n": ("[watch.x] needs a query",),
    "[watch.x]\nquery = 'a'\nmin_upvotes = 'many'\n": ("[watch.x] min_upvotes",),
    "[watch.x]\nquery = 'a'\nextra = 1\n": ("unknown key 'extra'", "[watch.x]"),
    "\x00": ("not valid TOML",),
    "a = 1\na = 2\n": ("not valid TOML", "line 2"),
}


@pytest.mark.parametrize("text", list(BAD_CONFIGS))
def test_bad_configs_are_one_line_naming_the_file_and_key(text: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, CONFIG)
    message = str(info.value)
    assert message.startswith(f"{CONFIG}: ") and "\n" not in message
    for fragment in BAD_CONFIGS[text]:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize("text", ["[network]\nretries = 'x'\n", "[network\n", "[bogus]\n"])
def test_cli_reports_a_bad_config_in_one_line(run, isolated_home: Path, text: str) -> None:
    (isolated_home / "config.toml").write_text(text)
    result = run("list", "--date", "2025-07-15")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and "config.toml" in result.stderr


def test_cli_reports_an_unreadable_config_in_one_line(run, isolated_home: Path) -> None:
    (isolated_home / "config.toml").write_bytes(b"[network]\nretries = '\xff\xfe'\n")
    result = run("today")
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    (isolated_home / "config.toml").unlink()
    (isolated_home / "config.toml").mkdir()
    result = run("today")
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1


@FUZZ
@given(st.text(max_size=200))
@example("[network]\nretries = 1e400\n")
@example("[network]\nretries = 99999999999999999999999\n")
def test_config_text_is_accepted_or_one_line_error(text: str) -> None:
    try:
        parse_config(text, CONFIG)
    except ConfigError as exc:
        assert str(exc).startswith(f"{CONFIG}: ") and "\n" not in str(exc)


toml_scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=10),
    st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=3),
    st.datetimes(),
)
SECTIONS = ["network", "cache", "display", "email", "bogus"]
KEYS = [
    "retries",
    "read_timeout",
    "connect_timeout",
    "total_timeout",
    "max_body_mb",
    "ttl_minutes",
    "default_source",
    "port",
    "unknown",
]


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(SECTIONS),
        st.dictionaries(st.sampled_from(KEYS), toml_scalars, max_size=4),
        max_size=3,
    ),
    st.dictionaries(
        st.sampled_from(["hf", "arxiv", "other"]),
        st.dictionaries(
            st.sampled_from(["url", "concurrency", "categories", "delay_seconds", "x"]),
            toml_scalars,
            max_size=3,
        ),
        max_size=2,
    ),
)
def test_structured_configs_are_accepted_or_one_line_error(
    sections: dict[str, dict[str, Any]], sources: dict[str, dict[str, Any]]
) -> None:
    import tomli_w

    document: dict[str, Any] = dict(sections)
    if sources:
        document["sources"] = sources
    try:
        text = tomli_w.dumps(document)
    except (TypeError, ValueError):
        assume(False)
        return
    try:
        values, _ = parse_config(text, CONFIG)
    except ConfigError as exc:
        message = str(exc)
        assert message.startswith(f"{CONFIG}: ") and "\n" not in message
        return
    from papercli.sources.http import Policy

    class S:  # just enough of Settings for Policy.from_settings
        pass

    s = S()
    s.values = values  # type: ignore[attr-defined]
    Policy.from_settings(s)  # type: ignore[arg-type]


# --- fuzzing remote bodies --------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "paper",
                    "id",
                    "title",
                    "summary",
                    "authors",
                    "name",
                    "hidden",
                    "user",
                    "upvotes",
                    "organization",
                    "fullname",
                    "ai_keywords",
                    "githubRepo",
                    "submittedOnDailyAt",
                    "numComments",
                    "publishedAt",
                    "projectPage",
                    "x",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)


@FUZZ
@given(json_values)
@example([{"paper": {"id": "2507.11001", "authors": 5, "ai_keywords": "abc", "title": 3}}])
@example([{"paper": {"id": "../../x", "title": "t"}}])
@example([{"paper": {"id": "2507.11001", "submittedOnDailyAt": "../../etc/passwd"}}])
def test_any_json_is_papers_or_a_fetch_error(data: Any) -> None:
    body = json.dumps(data).encode()
    for parse in (hf.parse_daily, hf.parse_search):
        try:
            papers = parse(body)
        except FetchError as exc:
            assert "\n" not in str(exc)
            continue
        for p in papers:
            parse_paper_id(p.id)  # every id is a valid one
            assert p.listed is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.listed)
            Paper.from_record(p.to_record())
    with contextlib.suppress(FetchError):
        hf.parse_paper(body)


@FUZZ
@given(st.binary(max_size=200))
@example(b"[" * 50_000)
@example(b"\xef\xbb\xbf[]")
def test_any_bytes_are_papers_or_a_fetch_error(body: bytes) -> None:
    for parse in (hf.parse_daily, hf.parse_search, hf.parse_paper):
        with contextlib.suppress(FetchError):
            parse(body)


# --- exports (papercli.export) ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "json", "jsonl", "csv", "bib", "atom"])
def test_every_export_is_inert_for_hostile_text(fmt: str) -> None:
    """Exports go to files and to stdout: no escape, control or bidi character survives,
    even from a hand-edited cache (papers not cleaned on the way in)."""
    export = pytest.importorskip("papercli.export")
    papers = [hostile_paper(), hostile_paper(id="2507.11002", title=LONG_WORD)]
    text = export.render(fmt, papers, export.Meta(heading="Hostile " + HOSTILE, query="q"))
    assert_inert(text.replace("\r\n", "\n"), styled=False)
    if fmt in ("json", "jsonl"):
        first = json.loads(text.splitlines()[0] if fmt == "jsonl" else text)
        first = first if fmt == "jsonl" else first[0]
        assert first["title"] == papers[0].title  # escaped, not changed


@pytest.mark.parametrize("fmt", ["md", "json", "csv", "bib", "atom"])
def test_cli_exports_to_stdout_are_inert(run, isolated_home, fmt: str) -> None:
    pytest.importorskip("papercli.export")
    cache = Cache(isolated_home / "cache")
    cache.save("hf", "day", "2025-07-15", [hostile_paper(abstract=HOSTILE)], fetched_at=1.0)
    result = run("list", "--date", "2025-07-15", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert_inert(result.stdout.replace("\r\n", "\n"), styled=False)
