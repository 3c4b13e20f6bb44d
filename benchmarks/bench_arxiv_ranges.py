"""Benchmark ``papers sync --source arxiv``: ranges of days against one day at a time.

Both ways run the same ``sync`` in-process against ``fakearxiv.py`` on loopback, with
``delay_seconds = 0`` and a fresh cache each run; "day by day" sets the range length to
one day (``core.arxiv.RANGE_DAYS = 1``), which is the old request pattern (one
``submittedDate`` query per day). Counted: the requests the server answered, and the
politeness floor they imply against the real service (requests x the default 3 s).
Timed: the whole sync (fetch, parse, write the per-day files, update the index),
medians of interleaved runs (ranges, days, ranges, days...).

Data: the 69 real days of ``<shared>/data/arxiv_daily_listings`` (cs.LG, and the four
categories search_bench.py syncs), and synthetic years of cs.LG (2025) at three
densities, since no year of real listings is stored here.

Usage: python benchmarks/bench_arxiv_ranges.py [--shared DIR] [--repeats N] [--quick]
Prints its section of RESULTS.md as Markdown.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import fakearxiv  # noqa: E402

DEFAULT_DELAY = 3.0
FOUR = ("cs.AI", "cs.CL", "cs.CV", "cs.LG")


@contextmanager
def environment(url: str) -> Iterator[Path]:
    """A fresh PAPERS_HOME (arXiv at ``url``, no politeness delay) for one run."""
    saved = {
        k: os.environ.get(k) for k in ("PAPERS_HOME", "PAPERS_ARXIV_URL", "PAPERS_ARXIV_RSS_URL")
    }
    with tempfile.TemporaryDirectory() as home:
        Path(home, "config.toml").write_text("[sources.arxiv]\ndelay_seconds = 0\n")
        os.environ.update(PAPERS_HOME=home, PAPERS_ARXIV_URL=url, PAPERS_ARXIV_RSS_URL=url)
        try:
            yield Path(home)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def sync_once(
    listings: Any, url: str, cats: tuple[str, ...], first: str, last: str, days_only: bool
) -> tuple[int, float, int, dict[str, list[str]]]:
    """One sync: (requests, seconds, day files, day -> paper ids)."""
    import json

    from papercli import config
    from papercli.core import arxiv as core_arxiv
    from papercli.core.context import Context
    from papercli.core.sync import sync

    with environment(url) as home:
        before = listings.requests
        saved_days = core_arxiv.RANGE_DAYS
        core_arxiv.RANGE_DAYS = 1 if days_only else saved_days
        try:
            start = time.perf_counter()
            with Context(config.load(), lambda message: None) as ctx:
                report = sync(
                    ctx,
                    ["arxiv"],
                    dt.date.fromisoformat(first),
                    dt.date.fromisoformat(last),
                    categories=cats,
                )
            seconds = time.perf_counter() - start
        finally:
            core_arxiv.RANGE_DAYS = saved_days
        assert not report.failed, report.failed
        folder = home / "cache/arxiv/api" / "+".join(sorted(cats))
        files = {
            p.stem: [r["id"] for r in json.loads(p.read_text())["papers"]]
            for p in folder.glob("*.json")
        }
        return listings.requests - before, seconds, len(files), files


def compare(
    name: str,
    listings: Any,
    cats: tuple[str, ...],
    first: str,
    last: str,
    repeats: int,
    rows: list[str],
) -> None:
    server = fakearxiv.serve(None, 0, listings=listings)
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        times: dict[bool, list[float]] = {False: [], True: []}
        counts: dict[bool, int] = {}
        files: dict[bool, dict[str, list[str]]] = {}
        for _ in range(repeats):
            for days_only in (False, True):  # interleaved: ranges, days, ranges, days
                requests, seconds, _n, got = sync_once(listings, url, cats, first, last, days_only)
                times[days_only].append(seconds)
                counts[days_only] = requests
                files[days_only] = got
        assert files[False] == files[True], f"{name}: the two ways wrote different files"
        papers = sum(len(ids) for ids in files[False].values())
        ranges, days = statistics.median(times[False]), statistics.median(times[True])
        floor = [counts[k] * DEFAULT_DELAY / 60 for k in (False, True)]
        rows.append(
            f"| {name} | {len(files[False])} | {papers:,} | **{counts[False]}** | {counts[True]} | "
            f"{floor[0]:.1f} min | {floor[1]:.1f} min | "
            f"{ranges:.2f} s | {days:.2f} s | {ranges / days:.2f}x |"
        )
    finally:
        server.shutdown()


def ranges_only(
    name: str, listings: Any, cats: tuple[str, ...], first: str, last: str, rows: list[str]
) -> None:
    server = fakearxiv.serve(None, 0, listings=listings)
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        requests, seconds, count, files = sync_once(listings, url, cats, first, last, False)
        papers = sum(len(ids) for ids in files.values())
        rows.append(
            f"| {name} | {count} | {papers:,} | **{requests}** | {count} (one a day) | "
            f"{requests * DEFAULT_DELAY / 60:.1f} min | {count * DEFAULT_DELAY / 60:.1f} min | "
            f"{seconds:.2f} s | | |"
        )
    finally:
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=fakearxiv.shared_dir())
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run each, no synthetic years")
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    real = fakearxiv.Listings(args.shared / "data" / "arxiv_daily_listings")
    first, last = min(real.by_day), max(real.by_day)
    first, last = f"{first[:4]}-{first[4:6]}-{first[6:]}", f"{last[:4]}-{last[4:6]}-{last[6:]}"
    rows = [
        "| listing | days | papers | requests, ranges | requests, day by day | "
        "floor at 3 s, ranges | floor at 3 s, days | sync, ranges | sync, day by day | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    compare("69 real days, cs.LG", real, ("cs.LG",), first, last, repeats, rows)
    compare("69 real days, cs.AI+cs.CL+cs.CV+cs.LG", real, FOUR, first, last, repeats, rows)
    years = (
        []
        if args.quick
        else [
            ("synthetic 2025, cs.LG, 30 a weekday, 8 a weekend day", 30, 8),
            ("synthetic 2025, cs.LG, 150 a weekday, 40 a weekend day", 150, 40),
            ("synthetic 2025, cs.LG, 250 a weekday, 60 a weekend day", 250, 60),
        ]
    )
    for name, weekday, weekend in years:
        year = fakearxiv.Listings.synthetic("2025-01-01", 365, weekday, weekend)
        ranges_only(name, year, ("cs.LG",), "2025-01-01", "2025-12-31", rows)
    load = os.getloadavg()
    print("\n".join(rows))
    print()
    print(
        f"Load average {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}; "
        f"{'one run each' if repeats == 1 else f'medians of {repeats} interleaved runs'} "
        "(ranges, days, ranges, days...); `delay_seconds = 0` and a fresh cache each run. "
        "The floor is what the requests alone cost against arXiv at the default "
        "`delay_seconds` (3 s between requests), before any transfer time: it, not the "
        "loopback sync time, is what a user waits. Day by day is the same sync with the "
        "range length set to one day (the old request pattern); both ways wrote the same "
        "per-day files (checked). Synthetic years: ranges only (day by day is one request "
        "a day by construction); requests = the sum over the 12 ranges of "
        "ceil(papers / 2,000)."
    )


if __name__ == "__main__":
    main()
