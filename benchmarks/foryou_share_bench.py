"""The first ``--sort for-you`` search after the ratings change, with its scoring
shared with a helper process and without (interleaved, each in a fresh process, start-up
included), on a PAPERS_HOME that has ratings and a big cache (the scale harness's).
Checks that both give the same page and keep the same scores, to the byte.

Usage::

    python benchmarks/foryou_share_bench.py --home /tmp/ps-main/home-300k --runs 2
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUN = """
import sys
import papercli.core.score_helper as helper
if sys.argv[1] == "alone":
    helper.SHARE_FROM = 10**12
from papercli.__main__ import main
sys.argv = ["papers", "search", "--offline", sys.argv[2], "--sort", "for-you", "--json",
            "--limit", "20"]
main()
"""


def one(home: Path, mode: str, query: str) -> tuple[float, bytes, bytes]:
    """Seconds, the page, and the scores kept, of one first search."""
    kept = home / "state" / "for-you-scores.bin"
    kept.unlink(missing_ok=True)
    env = {**os.environ, "PAPERS_HOME": str(home)}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUN, mode, query], env=env, capture_output=True, check=True
    )
    return time.perf_counter() - start, done.stdout, kept.read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--query", action="append", default=None)
    args = parser.parse_args()
    queries = args.query or ["diffusion", '"large language model"']
    print(f"load {os.getloadavg()[0]:.2f}; {args.runs} runs each, interleaved\n")
    print("| query | scored | alone | shared with a helper | ratio | same page and scores |")
    print("|---|---:|---:|---:|---:|---|")
    for query in queries:
        times: dict[str, list[float]] = {"alone": [], "shared": []}
        results: dict[str, tuple[bytes, bytes]] = {}
        for _ in range(args.runs):
            for mode in ("alone", "shared"):
                seconds, page, kept = one(args.home, mode, query)
                times[mode].append(seconds)
                results[mode] = (page, kept)
        alone, shared = (statistics.median(times[m]) for m in ("alone", "shared"))
        same = results["alone"] == results["shared"]
        scored = (len(results["shared"][1]) - 56) // 16  # (a 56-byte header, 16 bytes a score)
        print(
            f"| `{query}` | ~{scored:,} | {alone:.2f} s | {shared:.2f} s "
            f"| {shared / alone:.2f}x | {'yes' if same else 'NO'} |"
        )


if __name__ == "__main__":
    main()
