"""The fast listing table draws exactly what rich.table.Table draws (characters and styles)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from papercli.models import Paper
from papercli.query import Query
from papercli.ui.table import ListingTable, _rich_table, papers_table

PAPERS = [
    Paper(
        id="2507.11001",
        title="Scaling Mini-Batch Optimisation for Transformers [bold red]without[/] tricks",
        authors=("Ada Lovelace", "Alan Turing", "Grace Hopper"),
        upvotes=120,
        organization="Example Lab",
        github_url="https://github.com/x/y",
        github_stars=1500,
        sources=("hf",),
    ),
    Paper(
        id="2507.11002",
        title="短い題名：大規模言語モデルの評価と改善に関する研究",
        upvotes=7,
        primary_category="cs.CL",
        sources=("arxiv",),
    ),
    Paper(
        id="2507.11003",
        title="Supercalifragilisticexpialidocious" * 3 + " then short words 🚀 here",
        authors=("A" * 40,),
        organization="An Organization With A Very Long Name Indeed",
        github_url="https://github.com/a/b",
        announce_type="cross",
        extra_marks=("new",),
    ),
    Paper(id="2507.11004", title="", upvotes=None, authors=("Zoë Ünïcödé", "X")),
    Paper(id="2507.11005", title="mini batch and minibatches, Mini-Batching", upvotes=99999),
]


def _cells(renderable: object, width: int, color: bool) -> list[tuple[str, str]]:
    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        color_system="truecolor" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
    )
    segments = console.render(renderable, console.options)
    return [(ch, str(seg.style or "")) for seg in segments for ch in seg.text]


@pytest.mark.parametrize("width", [30, 45, 60, 80, 109, 110, 140, 220])
@pytest.mark.parametrize("query", ["", "mini-batch", "研究 OR tricks"])
@pytest.mark.parametrize("papers", [PAPERS[:1], PAPERS[:2], PAPERS, PAPERS[1:]])
def test_fast_table_matches_rich_table(width: int, query: str, papers: list[Paper]) -> None:
    """With and without Hugging Face papers (an arXiv-only listing has other columns)."""
    fast = papers_table(papers, Query.parse(query), width=width)
    assert isinstance(fast, ListingTable)
    slow = _rich_table(fast.columns, fast.rows)
    for color in (False, True):
        got, want = _cells(fast, width, color), _cells(slow, width, color)
        assert "".join(c for c, _ in got) == "".join(c for c, _ in want), (width, color)
        assert got == want, (width, color)


def test_empty_listing_draws_like_rich() -> None:
    fast = papers_table([], None, width=80)
    assert isinstance(fast, ListingTable)
    assert _cells(fast, 80, False) == _cells(_rich_table(fast.columns, []), 80, False)


@pytest.mark.parametrize("console_width", [40, 79, 100])
def test_table_too_wide_for_its_console_falls_back_to_rich_widths(console_width: int) -> None:
    """Built for 140 columns but drawn in fewer: Rich's own width algorithm decides."""
    fast = papers_table(PAPERS, Query.parse("mini-batch"), width=140)
    assert isinstance(fast, ListingTable)
    slow = _rich_table(fast.columns, fast.rows)
    for color in (False, True):
        assert _cells(fast, console_width, color) == _cells(slow, console_width, color)
