"""Local search at scale: ``papers search QUERY --offline`` against ``grep -ril``.

1. The cache. By default: serves the real Hugging Face data
   (``<data>/hf_daily_papers_monthly``, 26 months, 7,502 papers) on loopback with
   ``fakehub.py``; ``--scale N`` serves N copies of every paper (copy k's ids start
   with 30 + k, every date ``k * 144`` weeks earlier, so each copy lands in its own
   months). The arXiv listings in ``<data>/arxiv_daily_listings`` (69 days,
   2026-04-24 to 2026-07-01) are served as arXiv's export API by ``fakearxiv.py``
   (``--no-arxiv`` leaves them out). ``papers sync`` builds the cache (the real code
   path: HTTP, parsing, cache). Or ``--home DIR``: a PAPERS_HOME whose cache one of
   these runs made (``grow_cache.py`` grows one to a million papers).
2. The cold build: the first search with no index (it builds it), in a fresh child
   process: seconds, papers a second, peak memory, and the index's size against the
   JSON it indexes.
3. Warm searches: every query of :data:`QUERIES` with ``--sort date`` and ``--sort
   upvotes`` (``papers search --offline --json --limit 20``, start-up included),
   each run interleaved with ``grep -ril`` for its nearest plain word over the cache
   folder's JSON files (``--exclude-dir=index``) and over the whole folder (as a user
   would type it: the index too), medians of ``--repeats``; the ratios are papers to
   grep. ``grep -l`` stops reading a file at its first match, so a common word costs
   it little; papercli's start-up alone (Python, Typer) is about 0.1 s.
4. ``papers show ID --offline`` for a paper of the oldest month, with the index.
5. A day's sync: a new day file of 150 papers and one month file rewritten with new
   upvotes, then the update of the index alone, in a child process (median of
   ``--repeats``, each undoing the last); and ``scan_cache`` (the check of the cache
   folder every search starts with) alone.

Peak memory is ``ru_maxrss`` of the child (and its children).

Usage::

    python benchmarks/search_bench.py          # data: $PAPERS_BENCH_DATA or ../shared/data
    python benchmarks/search_bench.py --scale 40 --repeats 5
    python benchmarks/search_bench.py --home /tmp/idx300k/home-x40 --repeats 5
    python benchmarks/search_bench.py --quick  # a smoke run (benchmarks/run.py --quick)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
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
SORTS = ("date", "upvotes")

QUERIES = [
    # (papers query, grep -ril pattern: the nearest plain-text equivalent)
    ("mini-batch", "mini-batch"),
    ("quantum", "quantum"),
    ("reinforcement learning", "reinforcement learning"),
    ('"large language model"', "large language model"),
    ("diffusion", "diffusion"),
    ("transformer -vision", "transformer"),
    ("au:zhang", "zhang"),
    ("org:nvidia", "nvidia"),
    ("cat:cs.CV", "cs.CV"),
]

MEASURE = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - t
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(elapsed, peak_kb, done.returncode, len(done.stdout))
"""

# A day's sync, then the index's update alone (in a child: python -c UPDATE root day).
UPDATE = r"""
import json, resource, sys, time
from pathlib import Path
from papercli.storage.cache import Cache
from papercli.storage.index import SearchIndex
root, day = Path(sys.argv[1]), sys.argv[2]
cache = Cache(root)
month = sorted(cache.keys("hf", "month"))[-1]
entry = cache.load("hf", "month", month)
papers = [p.__class__.from_record({**p.to_record(), "upvotes": (p.upvotes or 0) + 1})
          for p in entry.papers]
cache.save("hf", "month", month, papers)  # a re-sync of the month: new upvotes
fresh = [p.__class__.from_record({**p.to_record(), "id": f"{p.id}d{n}", "listed": day})
         for n, p in enumerate(entry.papers[:150])]
cache.save("hf", "day", day, fresh)  # the new day
t = time.perf_counter()
with SearchIndex(cache) as index:
    stats = index.update()
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, stats)
"""
# A child forked from this process would count this process's memory in its own peak
# (Linux keeps the high-water mark across exec; fakehub's data is large): it runs
# under a small launcher.
LAUNCH = r"""
import subprocess, sys
print(subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True).stdout)
"""

SCAN = r"""
import statistics, sys, time
from pathlib import Path
from papercli.storage.cache import Cache
from papercli.storage.records import scan_cache
cache = Cache(Path(sys.argv[1]))
runs = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    files = scan_cache(cache)
    runs.append(time.perf_counter() - t)
print(statistics.median(runs), len(files))
"""


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int, int]:
    """(seconds, peak MB, exit status, bytes of output) of one command in a fresh child."""
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *cmd], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024, int(out[2]), int(out[3])


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def sync_cache(args: argparse.Namespace, home: Path, papers_exe: list[str]) -> None:
    hf_data = args.data / "hf_daily_papers_monthly"
    if not hf_data.is_dir():
        sys.exit(f"no data at {hf_data} (use --data or PAPERS_BENCH_DATA)")
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        "[sources.hf]\nconcurrency = 4\n\n[sources.arxiv]\n"
        f"categories = {json.dumps(ARXIV_CATEGORIES)}\ndelay_seconds = 0\n"
    )
    t = time.perf_counter()
    server, url = serve(hf_data, 0, 0.0, args.scale)
    print(f"fakehub: {url}, scale {args.scale} ({time.perf_counter() - t:.1f} s to load)")
    env = {**os.environ, "PAPERS_HOME": str(home), "PAPERS_HF_URL": url}
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
    if args.no_arxiv or not listings.is_dir():
        print("Hugging Face only")
        return
    arxiv_server = fakearxiv.serve(None, 0, listings=listings)
    arxiv_url = f"http://127.0.0.1:{arxiv_server.server_port}"
    t = time.perf_counter()
    subprocess.run(
        [*papers_exe, "sync", "--source", "arxiv", "--since", ARXIV_SINCE, "--until", ARXIV_UNTIL],
        env={**env, "PAPERS_ARXIV_URL": arxiv_url, "PAPERS_ARXIV_RSS_URL": arxiv_url},
        check=True,
    )
    print(
        f"papers sync --source arxiv ({', '.join(ARXIV_CATEGORIES)}, "
        f"{ARXIV_SINCE} to {ARXIV_UNTIL}): {time.perf_counter() - t:.1f} s"
    )
    arxiv_server.shutdown()


def main() -> None:
    default_data = os.environ.get("PAPERS_BENCH_DATA", str(fakearxiv.shared_dir() / "data"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path(default_data))
    parser.add_argument("--scale", type=int, default=40, help="copies of every paper")
    parser.add_argument("--home", type=Path, help="a PAPERS_HOME with a cache: no sync")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / ".work" / "search")
    parser.add_argument("--limit", type=int, default=20, help="--limit of each search")
    parser.add_argument("--no-arxiv", action="store_true", help="leave the arXiv listings out")
    parser.add_argument("--keep-index", action="store_true", help="no cold build")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 2 copies, 1 repeat, no arXiv"
    )
    args = parser.parse_args()
    if args.quick:
        args.scale, args.repeats, args.no_arxiv = 2, 1, True

    papers_exe = [sys.executable, "-m", "papercli"]
    import compileall

    import papercli  # current bytecode: start-up as an installed papercli's, not compiling

    compileall.compile_dir(str(Path(papercli.__file__).parent), quiet=1)
    home = args.home or args.work / f"home-x{args.scale}"
    if args.home is None:
        sync_cache(args, home, papers_exe)
    env = {**os.environ, "PAPERS_HOME": str(home)}
    env.pop("PAPERS_DEBUG", None)
    cache = home / "cache"
    files = [p for p in cache.rglob("*.json") if p.relative_to(cache).parts[0] != "index"]
    size = sum(p.stat().st_size for p in files)
    arxiv_files = sum(1 for p in files if p.relative_to(cache).parts[0] == "arxiv")
    print(f"cache: {len(files)} files ({arxiv_files} arXiv), {size / 1e6:.0f} MB; load {load()}")

    q0 = QUERIES[0][0]
    search = [*papers_exe, "search", "--offline", "--json", "--limit", str(args.limit)]
    if not args.keep_index:
        shutil.rmtree(cache / "index", ignore_errors=True)
        cold = measure([*search, "--", q0], env)
    index_file = next((cache / "index").glob("search-v*.sqlite3"))
    with sqlite3.connect(index_file) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        papers = db.execute("SELECT count(*) FROM ids").fetchone()[0]
    index_mb = sum(p.stat().st_size for p in (cache / "index").iterdir()) / 1e6
    ratio = index_mb * 1e6 / size
    print(f"{papers} distinct papers; index {index_mb:.0f} MB = {ratio:.2f}x the JSON")
    if not args.keep_index:
        print(
            f"cold build (the first search): {cold[0]:.1f} s = {papers / cold[0]:,.0f} papers/s, "
            f"peak {cold[1]:.0f} MB; load {load()}"
        )

    rows = []
    peak = 0.0
    for query, word in QUERIES:
        greps = {
            "json": ["grep", "-ril", "--exclude-dir=index", word, str(cache)],
            "folder": ["grep", "-ril", word, str(cache)],
        }
        for sort in SORTS:
            runs: list[tuple[float, float, int, int]] = []
            timed: dict[str, list[float]] = {name: [] for name in greps}
            for _ in range(args.repeats):  # interleaved: papers, grep, grep, papers...
                runs.append(measure([*search, "--sort", sort, "--", query], env))
                for name, grep in greps.items():
                    timed[name].append(measure(grep, env)[0])
            s = statistics.median(r[0] for r in runs)
            g, f = (statistics.median(timed[name]) for name in greps)
            peak = max(peak, *(r[1] for r in runs))
            rows.append((query, sort, s, max(r[1] for r in runs), g, s / g, f, s / f))
    print(f"\nwarm searches, medians of {args.repeats} interleaved runs; load {load()}")
    print(
        f"{'query':26} {'sort':8} {'papers s':>8} {'MB':>4} {'grep json s':>11} {'ratio':>5}"
        f" {'grep folder s':>13} {'ratio':>5}"
    )
    for q, sort, s, m, g, ratio, f, fratio in rows:
        print(f"{q:26} {sort:8} {s:8.3f} {m:4.0f} {g:11.3f} {ratio:5.2f} {f:13.3f} {fratio:5.2f}")
    print(
        f"worst ratio {max(r[5] for r in rows):.2f} (JSON), {max(r[7] for r in rows):.2f} "
        f"(folder); slowest search {max(r[2] for r in rows):.3f} s"
    )

    from papercli.ids import is_paper_id  # grow_cache.py's copies have other ids

    months = sorted((cache / "hf" / "month").glob("*.json"))
    shown = next(
        r["id"]
        for m in months
        for r in json.loads(m.read_bytes())["papers"]
        if is_paper_id(r["id"])
    )
    show = [*papers_exe, "show", shown, "--offline", "--json"]
    shows = [measure(show, env) for _ in range(args.repeats)]
    assert all(r[2] == 0 for r in shows), shows
    print(
        f"\npapers show {shown} --offline (the oldest month with a real id): "
        f"{statistics.median(r[0] for r in shows):.3f} s, peak {max(r[1] for r in shows):.0f} MB"
    )

    updates = []
    for n in range(args.repeats):
        day = f"2099-01-{n + 1:02d}"
        out = subprocess.run(
            [sys.executable, "-c", LAUNCH, sys.executable, "-c", UPDATE, str(cache), day],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split(maxsplit=2)
        updates.append((float(out[0]), int(out[1]) / 1024, out[2].strip()))
        (cache / "hf" / "day" / f"{day}.json").unlink()
    subprocess.run([*search, "--", q0], env=env, capture_output=True, check=True)  # catch up
    print(
        f"a day's sync (150 new papers, the newest month re-read), the index's update: "
        f"{statistics.median(u[0] for u in updates):.3f} s, peak "
        f"{max(u[1] for u in updates):.0f} MB ({updates[-1][2]})"
    )
    scan = subprocess.run(
        [sys.executable, "-c", SCAN, str(cache), str(args.repeats)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    print(
        f"scan_cache (every search's freshness check): {float(scan[0]) * 1000:.1f} ms, "
        f"{scan[1]} files"
    )
    print(f"peak memory of any search: {peak:.0f} MB; load {load()}")


if __name__ == "__main__":
    main()
