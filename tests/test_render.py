"""Rendering with a pinned console: the title survives narrow terminals; remote text is inert."""

from __future__ import annotations

import pytest
from rich.console import Console

from papercli.models import Paper
from papercli.query import Query
from papercli.ui.table import paper_detail, papers_table


def render(renderable, width: int) -> str:  # type: ignore[no-untyped-def]
    console = Console(width=width, force_terminal=False, color_system=None, record=True)
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()


HOSTILE = Paper(
    id="2507.00001",
    title="[link=https://evil.example]Click[/link] \x1b]8;;https://x\x07me\x1b]8;;\x07 [bold]now",
    authors=("Ann \x1b[2JClear", *(f"Author {i}" for i in range(30))),
    abstract="A" * 100_000,
    organization="[red]Org[/red]\u202eevil",
    upvotes=3,
    github_url="https://github.com/x/y",
    github_stars=12345,
    sources=("hf",),
)


@pytest.mark.parametrize("width", [60, 80, 100, 160])
def test_title_never_disappears(width: int) -> None:
    paper = Paper(
        id="2507.00002",
        title="An Extremely Long Title About Mini-Batch Optimisation " * 3,
        authors=("Someone With A Very Long Name Indeed",) * 5,
        organization="An Organisation With A Long Name",
        upvotes=1234,
        github_url="https://github.com/a/b",
        github_stars=999999,
        sources=("hf",),
    )
    out = render(papers_table([paper], width=width), width)
    assert "An Extremely Long" in out
    assert "1000.0k" in out  # the stars are never cut
    assert max(len(line) for line in out.splitlines()) <= width


def test_markup_and_escapes_in_remote_text_are_inert() -> None:
    out = render(papers_table([HOSTILE], width=120), 120)
    assert "[link=https://evil.example]Click[/link]" in out
    assert "\x1b" not in out and "\u202e" not in out
    assert "[red]Org[/red]" in out
    detail = render(paper_detail(HOSTILE), 100)
    assert "\x1b" not in detail and "[bold]now" in detail
    assert detail.count("A" * 90) >= 1  # the long abstract is shown, wrapped


def test_query_matches_are_highlighted() -> None:
    paper = Paper(id="2507.00003", title="Mini batches for all", sources=("hf",))
    table = papers_table([paper], Query.parse("minibatch"), width=100)
    console = Console(width=100, force_terminal=True, color_system="standard")
    with console.capture() as capture:
        console.print(table)
    assert "\x1b[1;33mMini batch\x1b[0mes" in capture.get()


@pytest.mark.parametrize("width", [60, 80, 120])
def test_a_long_first_author_keeps_the_count_of_the_others(width: int) -> None:
    p = Paper(
        id="2507.11001",
        title="A title",
        authors=("Maximilian Alexander von Longname-Hyphenated", *("X",) * 12),
        upvotes=3,
        sources=("hf",),
    )
    out = render(papers_table([p], None, width=width), width)
    assert "… +12" in out or "Longname-Hyphenated +12" in out  # cut, or room to spare
    assert "Maximilian" in out
    assert max(len(line) for line in out.splitlines()) <= width


@pytest.mark.parametrize("width", [24, 30, 40, 50, 60, 79])
def test_narrow_terminals_keep_rank_and_upvotes(width: int) -> None:
    p = Paper(
        id="2507.11001",
        title="Agentic Any Image to 4K Super-Resolution",
        authors=("Yushen Zuo", *("X",) * 12),
        upvotes=107,
        github_url="https://github.com/x/y",
        github_stars=810,
        sources=("hf",),
    )
    lines = render(papers_table([p], None, width=width), width).splitlines()
    assert lines[0].split()[:3] == ["#", "▲", "Title"]
    assert lines[2].split()[:3] == ["1", "107", "Agentic"]
    assert all(len(line) <= width for line in lines)


@pytest.mark.parametrize("columns", ["0", "-5", "1", "abc", "100000"])
def test_absurd_terminal_widths_fall_back_to_a_sane_one(
    run, isolated_home, monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    from papercli.models import Paper
    from papercli.storage.cache import Cache
    from papercli.ui.console import MAX_WIDTH

    paper = Paper("2507.00001", "Sane widths", abstract="Text.", listed="2025-07-15")
    Cache(isolated_home / "cache").save("hf", "day", "2025-07-15", [paper])
    monkeypatch.setenv("COLUMNS", columns)
    for args in (
        ("list", "--date", "2025-07-15", "--offline"),
        ("show", "2507.00001", "--offline"),
        ("trends", "sane", "--since", "2025-07-01", "--until", "2025-07-31"),
    ):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
        assert "Sane" in result.stdout or "2025-07" in result.stdout, (args, result.stdout)
        assert max(map(len, result.stdout.splitlines())) <= MAX_WIDTH
