"""Local search at scale: ``papers search QUERY --offline`` against ``grep -ri``.

1. Serves the real Hugging Face data (``<data>/hf_daily_papers_monthly``, 26 months,
   7,502 papers) on loopback with ``fakehub.py``. To reach hundreds of thousands of
   papers, ``--scale N`` serves N copies of every paper (copy k's ids start with 30 + k, every date
   ``k * 144`` weeks earlier, so each copy lands in its own months and the listings
   keep their real sizes). The arXiv listings in ``<data>/arxiv_daily_listings`` (69
   days, 2026-04-24 to 2026-07-01) are served as arXiv's export API by
   ``fakearxiv.py`` (``--no-arxiv`` leaves them out).
2. Builds the cache with ``papers sync`` (the real code path: HTTP, parsing, cache):
   Hugging Face, then every day of the arXiv listings for cs.AI, cs.CL, cs.CV and
   cs.LG (``papers sync --source arxiv``, ``delay_seconds = 0`` on loopback).
3. Measures, in fresh child processes, the first search (which builds the derived
   index: "cold"), then each query warm (median of ``--repeats``), and ``grep -ri``
   over the same cache files; peak memory is ``ru_maxrss`` of the child.

Usage::

    python benchmarks/search_bench.py          # data: $PAPERS_BENCH_DATA or ../shared/data
    python benchmarks/search_bench.py --data /work/shared/data --scale 40 --repeats 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import fakearxiv  # noqa: E402
from fakehub import serve  # noqa: E402

ARXIV_CATEGORIES = ["cs.AI", "cs.CL", "cs.CV", "cs.LG"]
ARXIV_SINCE, ARXIV_UNTIL = "2026-04-24", "2026-07-01"

QUERIES = [
    # (papers query, grep pattern for the nearest plain-text equivalent)
    ("mini-batch", "mini-batch"),
    ("diffusion", "diffusion"),
    ('"large language model"', "large language model"),
    ("au:zhang", "zhang"),
    ("transformer -vision", "transformer"),
    ("(rl OR reinforcement) agent", "reinforcement"),
    ("quantum", "quantum"),
]

MEASURE = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - t
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(elapsed, peak_kb, done.returncode, len(done.stdout))
"""


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int, int]:
    """(seconds, peak MB, exit status, bytes of output) of one command in a fresh child."""
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *cmd], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024, int(out[2]), int(out[3])


def main() -> None:
    default_data = os.environ.get("PAPERS_BENCH_DATA", str(fakearxiv.shared_dir() / "data"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path(default_data))
    parser.add_argument("--scale", type=int, default=40, help="copies of every paper")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / ".work" / "search")
    parser.add_argument("--limit", type=int, default=20, help="--limit of each search")
    parser.add_argument(
        "--no-arxiv", action="store_true", help="leave the arXiv daily listings out"
    )
    args = parser.parse_args()

    hf_data = args.data / "hf_daily_papers_monthly"
    if not hf_data.is_dir():
        sys.exit(f"no data at {hf_data} (use --data or PAPERS_BENCH_DATA)")
    home = args.work / f"home-x{args.scale}"
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        "[sources.hf]\nconcurrency = 4\n\n[sources.arxiv]\n"
        f"categories = {json.dumps(ARXIV_CATEGORIES)}\ndelay_seconds = 0\n"
    )
    papers_exe = [sys.executable, "-m", "papercli"]

    t = time.perf_counter()
    server, url = serve(hf_data, 0, 0.0, args.scale)
    print(f"fakehub: {url}, scale {args.scale} ({time.perf_counter() - t:.1f} s to load)")
    env = {**os.environ, "PAPERS_HOME": str(home), "PAPERS_HF_URL": url}
    env.pop("PAPERS_DEBUG", None)
    first = 2023 - (args.scale - 1) * 1008 // 365 - 1
    t = time.perf_counter()
    subprocess.run(
        [*papers_exe, "sync", "--since", f"{first}-01-01", "--until", "2025-11-30"],
        env=env,
        check=True,
    )
    print(f"papers sync: {time.perf_counter() - t:.1f} s")
    server.shutdown()

    listings = args.data / "arxiv_daily_listings"
    if not args.no_arxiv and listings.is_dir():
        arxiv_server = fakearxiv.serve(None, 0, listings=listings)
        arxiv_url = f"http://127.0.0.1:{arxiv_server.server_port}"
        t = time.perf_counter()
        subprocess.run(
            [
                *papers_exe,
                "sync",
                "--source",
                "arxiv",
                "--since",
                ARXIV_SINCE,
                "--until",
                ARXIV_UNTIL,
            ],
            env={**env, "PAPERS_ARXIV_URL": arxiv_url, "PAPERS_ARXIV_RSS_URL": arxiv_url},
            check=True,
        )
        print(
            f"papers sync --source arxiv ({', '.join(ARXIV_CATEGORIES)}, "
            f"{ARXIV_SINCE} to {ARXIV_UNTIL}): {time.perf_counter() - t:.1f} s"
        )
        arxiv_server.shutdown()
    elif not args.no_arxiv:
        print(f"no arXiv listings at {listings}: Hugging Face only")

    cache = home / "cache"
    files = [p for p in cache.rglob("*.json")]
    size = sum(p.stat().st_size for p in files)
    ids = set()
    for p in files:
        ids.update(r["id"] for r in json.loads(p.read_bytes())["papers"])
    arxiv_files = [p for p in files if p.relative_to(cache).parts[0] == "arxiv"]
    print(
        f"cache: {len(files)} files ({len(arxiv_files)} arXiv), {size / 1e6:.0f} MB, "
        f"{len(ids)} distinct papers"
    )

    shutil.rmtree(cache / "index", ignore_errors=True)
    q0 = QUERIES[0][0]
    cold = measure(
        [*papers_exe, "search", "--offline", "--json", "--limit", str(args.limit), "--", q0], env
    )
    index_mb = sum(p.stat().st_size for p in (cache / "index").iterdir()) / 1e6
    print(
        f"cold (builds the index): {cold[0]:.2f} s, peak {cold[1]:.0f} MB, index {index_mb:.0f} MB"
    )

    rows = []
    for query, word in QUERIES:
        runs = [
            measure(
                [
                    *papers_exe,
                    "search",
                    "--offline",
                    "--json",
                    "--limit",
                    str(args.limit),
                    "--",
                    query,
                ],
                env,
            )
            for _ in range(args.repeats)
        ]
        matches = subprocess.run(
            [*papers_exe, "search", "--offline", "--json", "--limit", "10000000", "--", query],
            env=env,
            capture_output=True,
            check=True,
        ).stdout
        count = len(json.loads(matches)) if matches.strip() else 0
        greps = [measure(["grep", "-ri", "-c", word, str(cache)], env) for _ in range(args.repeats)]
        rows.append(
            (
                query,
                count,
                statistics.median(r[0] for r in runs),
                max(r[1] for r in runs),
                statistics.median(r[0] for r in greps),
                max(r[1] for r in greps),
            )
        )
    print()
    print(f"{'query':32} {'matches':>8} {'search s':>9} {'MB':>6} {'grep -ri s':>11} {'MB':>5}")
    for q, n, s, m, g, gm in rows:
        print(f"{q:32} {n:8d} {s:9.3f} {m:6.0f} {g:11.3f} {gm:5.0f}")
    print(
        f"\nmedians of {args.repeats} runs; each search is a fresh process "
        f"(`papers search --offline --json --limit {args.limit}`), start-up included;\n"
        "matches: every match (--limit 10000000); grep -ri -c: the nearest plain word"
    )
    show_bench(cache, papers_exe, env, args.repeats)


def show_bench(cache: Path, papers_exe: list[str], env: dict[str, str], repeats: int) -> None:
    """``papers show ID --offline`` for a paper of the oldest Hugging Face month with papers
    (about the last listing the file scan reaches), with the index naming its files, then
    without one."""
    months = sorted((cache / "hf" / "month").glob("*.json"))
    papers = next(ps for m in months if (ps := json.loads(m.read_bytes())["papers"]))
    paper_id = papers[0]["id"]
    cmd = [*papers_exe, "show", paper_id, "--offline", "--json"]
    with_index = statistics.median(measure(cmd, env)[0] for _ in range(repeats))
    aside = cache.parent / "index-aside"
    (cache / "index").rename(aside)
    try:
        scan = statistics.median(measure(cmd, env)[0] for _ in range(repeats))
    finally:
        aside.rename(cache / "index")
    print(
        f"\npapers show {paper_id} --offline (oldest month): {with_index:.3f} s with the index "
        f"naming its files, {scan:.3f} s reading every listing ({scan / with_index:.1f}x)"
    )


if __name__ == "__main__":
    main()
