"""Wide terminals: spare room goes to what is cut, and the comment count shows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from papercli.models import Paper
from papercli.ui.table import _rich_table, papers_table
from test_render import render
from test_render_table import PAPERS, _cells

ORG = "University of Maryland, College Park"
PAPER = Paper(
    id="2507.11001",
    title="A Short Title",
    authors=("Xiaoyang Wangsomething", *(f"Author {i}" for i in range(11))),
    upvotes=42,
    comments=7,
    organization=ORG,
    github_url="https://github.com/x/y",
    github_stars=12,
    sources=("hf",),
)


def test_at_200_columns_nothing_is_cut_and_no_title_room_is_wasted() -> None:
    out = render(papers_table([PAPER], width=200), 200)
    assert ORG in out and "…" not in out
    assert "Xiaoyang Wangsomething, Author 0" in out  # more names, then +N
    header = out.splitlines()[0]
    # The title column is as wide as its longest title, not 70 blank cells more.
    assert header.index("Authors") - header.index("Title") <= len("A Short Title") + 3
    assert max(len(line) for line in out.splitlines()) <= 200


def test_at_100_columns_names_are_not_cut_for_the_org_column() -> None:
    long_title = replace(PAPER, title="A Much Longer Title About Something " * 3)

    def authors_cell(width: int) -> str:
        line = render(papers_table([long_title], width=width), width).splitlines()[2]
        return line[line.index("Xiaoyang") :].split("+11")[0]

    # At 100 columns the names keep at least the room they have at 80 (the org
    # column is left out rather than squeezing them to "Xiaoy… +11").
    assert len(authors_cell(100)) >= len(authors_cell(80)) >= len("Xiaoyang Wangsom…")


def test_the_comment_count_shows_where_there_is_room() -> None:
    wide = render(papers_table([PAPER], width=200), 200)
    assert wide.splitlines()[0].split()[:4] == ["#", "▲", "Cmts", "Title"]
    assert wide.splitlines()[2].split()[:3] == ["1", "42", "7"]
    long_title = replace(PAPER, title="A Much Longer Title About Something " * 6)
    assert "Cmts" in render(papers_table([long_title], width=160), 160)  # from 150 anyway
    assert "Cmts" not in render(papers_table([long_title], width=80), 80)
    arxiv_only = replace(PAPER, sources=("arxiv",), comments=None)
    assert "Cmts" not in render(papers_table([arxiv_only], width=200), 200)


@pytest.mark.parametrize("width", [80, 100, 150, 200, 260])
def test_wide_layouts_draw_as_rich_draws_them(width: int) -> None:
    papers = [replace(p, comments=n) for n, p in enumerate(PAPERS)] + [PAPER]
    fast = papers_table(papers, None, width=width, days=True)
    slow = _rich_table(fast.columns, fast.rows)  # type: ignore[attr-defined]
    assert _cells(fast, width, True) == _cells(slow, width, True)


def test_at_200_columns_a_long_title_wraps_before_a_long_name_is_cut() -> None:
    """A title of 170 characters would take the whole row: the title column keeps 90
    cells at least, and the names get room first (more of them, up to 48 cells)."""
    long = replace(
        PAPER,
        title="A Very Long Title About Many Things " * 5,
        authors=("Shaheim Ogbomo-Harmitt", "Second Author", "Third Author", "Fourth"),
        organization=None,
    )
    out = render(papers_table([long], width=200), 200)
    assert "Shaheim Ogbomo-Harmitt, Second Author" in out and "…" not in out
    header = out.splitlines()[0]
    assert header.index("Authors") - header.index("Title") >= 93
