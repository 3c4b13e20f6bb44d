"""Benchmark the arXiv source: parsing real feeds, and ``papers today --source arxiv`` end to end.

1. ``parse_rss`` on the real all-archives feed of 2024-11-28 (1504 items, 2.8 MB).
2. ``parse_rss`` at scale: each of the 69 real days of ``../shared/data/arxiv_daily_listings``
   written as an RSS feed of the real shape (all 27,524 records), parsed day by day.
3. The CLI in a fresh process against ``fakearxiv.py`` on loopback: ``papers today
   --source arxiv -c cs.LG`` cold (fetch, parse, cache) and warm (from the cache).

Usage: python benchmarks/bench_arxiv.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def rss_from_jsonl(path: Path) -> tuple[bytes, int]:
    day = path.stem
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        cats = "".join(f"<category>{escape(c)}</category>" for c in r["categories"])
        items.append(
            f"<item><title>{escape(r['title'])}</title>"
            f"<link>https://arxiv.org/abs/{r['id']}</link>"
            f"<description>arXiv:{r['id']}v1 Announce Type: new \nAbstract: "
            f"{escape(r['summary'] or '')}</description>"
            f'<guid isPermaLink="false">oai:arXiv.org:{r["id"]}v1</guid>{cats}'
            f"<pubDate>{day}</pubDate><arxiv:announce_type>new</arxiv:announce_type>"
            f"<dc:creator>{escape(', '.join(r['authors']))}</dc:creator></item>"
        )
    body = (
        "<?xml version='1.0' encoding='UTF-8'?>"
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel>'
        f"<title>bench</title>{''.join(items)}</channel></rss>"
    )
    return body.encode(), len(items)


def timed(func, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    args = parser.parse_args()
    from papercli.sources import arxiv

    feed = args.shared / "fixtures/arxiv/rss/rss_all_archives_2024-11-28.xml"
    body = feed.read_bytes()
    seconds = timed(lambda: arxiv.parse_rss(body))
    print(
        f"parse_rss, real all-archives feed: 1504 items in {seconds * 1000:.0f} ms "
        f"({1504 / seconds:,.0f} items/s)"
    )

    days = sorted((args.shared / "data/arxiv_daily_listings").glob("*.jsonl"))
    feeds = [rss_from_jsonl(p) for p in days]
    total = sum(n for _, n in feeds)
    start = time.perf_counter()
    parsed = sum(len(arxiv.parse_rss(b).papers) for b, _ in feeds)
    seconds = time.perf_counter() - start
    print(
        f"parse_rss, {len(days)} real days as RSS: {total} records, {parsed} distinct papers, "
        f"in {seconds:.2f} s "
        f"({total / seconds:,.0f} items/s; largest day {max(n for _, n in feeds)} items)"
    )

    import fakearxiv

    server = fakearxiv.serve(feed)
    url = f"http://127.0.0.1:{server.server_port}"
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PAPERS_HOME": home, "PAPERS_ARXIV_RSS_URL": url}
        command = [sys.executable, "-m", "papercli", "today", "-s", "arxiv", "-c", "cs.LG"]
        for label in ("cold (fetch + parse + cache)", "warm (cache)", "warm (cache)"):
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            print(
                f"papers today -s arxiv -c cs.LG, {label}: "
                f"{(time.perf_counter() - start) * 1000:.0f} ms"
            )
    server.shutdown()


if __name__ == "__main__":
    main()
