"""The report of benchmarks/scale_bench.py: its section of RESULTS.md, rendered from the
measured sizes, and the replacement of that one section in the file."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scale_bench import Result

TITLE = "History at scale (benchmarks/scale_bench.py)"


def _s(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f} s" if x >= 1 else f"{x * 1000:.0f} ms"


def _sync_rest(r: Result) -> str:
    return _s(r.figures["sync s"] - (r.figures["sync index s"] or 0))


def _index(r: Result) -> str:
    ratio = r.figures["index MB"] / r.figures["json MB"]
    return f"{r.figures['index MB']:,.0f} MB ({ratio:.2f}x)"


def _cold(r: Result) -> str:
    rate = r.figures["papers"] / r.figures["cold s"]
    return f"{_s(r.figures['cold s'])}, {rate:,.0f} papers/s, {r.figures['cold peak MB']:.0f} MB"


def _for_you(i: int) -> Callable[[Result], str]:
    def cell(r: Result) -> str:
        got = r.for_you[i]
        return (
            f"{_s(got['first s'])} first, {_s(got['s'])} next ({r.matches(got['query'])} "
            f"matches; --sort relevance {_s(got['relevance s'])}), {got['peak MB']:.0f} MB"
        )

    return cell


ROWS: list[tuple[str, Callable[[Result], str], str]] = [
    ("papers (distinct)", lambda r: f"{r.figures['papers']:,}", ""),
    ("cache: files, JSON", lambda r: f"{r.figures['files']:,}, {r.figures['json MB']:,.0f} MB", ""),
    ("index (ratio to the JSON)", _index, "0.5x at most"),
    ("`papers sync` (Hugging Face, loopback)", lambda r: _s(r.figures["sync s"]), "300k: 120 s"),
    ("... of which the final index update", lambda r: _s(r.figures["sync index s"]), ""),
    ("... the rest: HTTP, parsing, cache files", _sync_rest, ""),
    (
        "... CPU of papers / of fakehub",
        lambda r: f"{r.figures['sync cpu s']:.0f} s / {r.figures['fakehub cpu s']:.0f} s",
        "",
    ),
    ("... peak memory", lambda r: f"{r.figures['sync peak MB']:.0f} MB", "300 MB at 1M"),
    ("... load average before, after", lambda r: r.figures["sync load"], ""),
    ("first search, index removed (cold build)", _cold, ">= 10,000 papers/s"),
    (
        "`papers show ID --offline` (oldest month)",
        lambda r: f"{_s(r.figures.get('show s'))}, {r.figures.get('show peak MB', 0):.0f} MB",
        "1M: 0.2 s",
    ),
    (
        "first `--sort for-you` (trains the model)",
        lambda r: _s(r.figures["for-you first s"]),
        "",
    ),
]


def _rows(results: list[Result]) -> list[tuple[str, Callable[[Result], str], str]]:
    queries = [got["query"] for got in results[0].for_you] if results else []
    return ROWS + [
        (f"`--sort for-you` {q}", _for_you(i), "300k: 1 s") for i, q in enumerate(queries)
    ]


QUERY_HEAD = (
    "| query | matches | --sort date | upvotes | grep -ril | date / grep | upvotes / grep "
    "| peak MB |\n|---|---:|---:|---:|---:|---:|---:|---:|"
)


def report(results: list[Result], command: str, repeats: int) -> str:
    lines = [
        f"Written by `{command}` on {dt.date.today().isoformat()} (2 cores; other "
        "benchmarks may have run at the same time: the load averages are beside the "
        f"figures). Medians of {repeats} runs, each a fresh process, start-up included; "
        "peak memory is `ru_maxrss` of the command's process. Copies of the real Hugging "
        "Face history (`fakehub.py --scale N`: copy k's dates k x 144 weeks earlier, ids "
        "30+k... then, from copy 70, k-39... with 50,000 added to the number) plus 69 days "
        "of arXiv listings for four categories. `--sort for-you`: a model of "
        f"{results[0].figures['liked'] if results else 0} likes and as many dislikes.",
        "",
        "| | " + " | ".join(r.size.label for r in results) + " | target |",
        "|---|" + "---:|" * len(results) + "---|",
    ]
    for name, cell, target in _rows(results):
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in results) + f" | {target} |")
    for r in results:
        lines += [
            "",
            f"**{r.size.label}**: `{r.figures['sync command']}`; warm searches "
            "(`papers search --offline --json --limit 20`) against `grep -ril` over the same "
            f"cache; load average at the end {r.figures['load at end']}.",
            "",
            QUERY_HEAD,
        ]
        for q in r.queries:
            lines.append(
                f"| `{q['query']}` | {q['matches']:,} | {_s(q['date s'])} | "
                f"{_s(q['upvotes s'])} | {_s(q['grep s'])} | {q['date/grep']:.2f}x | "
                f"{q['upvotes/grep']:.2f}x | {max(q['date MB'], q['upvotes MB']):.0f} |"
            )
        lines += [f"- {note}" for note in r.notes]
    return "\n".join(lines)


def replace_section(path: Path, title: str, body: str) -> None:
    """``## title`` in the Markdown file at ``path`` replaced by ``body`` (added before
    "## Notes", or at the end, when absent); the rest of the file as it was."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# papercli benchmark results\n"
    lines = text.rstrip("\n").split("\n")
    section = ["", f"## {title}", "", *body.rstrip("\n").split("\n")]
    start = next((i for i, line in enumerate(lines) if line == f"## {title}"), None)
    if start is not None:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        while start > 0 and not lines[start - 1].strip():
            start -= 1
        lines[start:end] = section + ([""] if end < len(lines) else [])
    else:
        notes = next((i for i, line in enumerate(lines) if line == "## Notes"), None)
        if notes is None:
            lines += section
        else:
            lines[notes:notes] = [*section[1:], ""]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def section_of(path: Path, title: str) -> str | None:
    """The body of ``## title`` in the file at ``path`` (None when absent)."""
    if not path.exists():
        return None
    match = re.search(
        rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", path.read_text(encoding="utf-8"), re.M | re.S
    )
    return match.group(1).strip("\n") if match else None
