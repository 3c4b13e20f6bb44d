"""The search index's cold build, this checkout against another commit, interleaved.

The cache is only read: each build runs in a scratch folder of hard links to the
cache's files (symbolic links across file systems), with no index, in a fresh
process (start-up not counted: the figure is the build). Reported per side: papers
a second (median), wall and CPU time (this process, and its helper processes), and
peak memory (``ru_maxrss`` of this process, and of the largest helper).

Usage::

    python benchmarks/build_bench.py --cache /tmp/idx50k/cache --against main --runs 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURE = """
import resource, sqlite3, sys, time
from pathlib import Path
from papercli.storage.cache import Cache
from papercli.storage.index import SearchIndex, index_path

def main():
    root = Path(sys.argv[1])
    wall = time.perf_counter()
    with SearchIndex(Cache(root)) as index:
        index.update()
    wall = time.perf_counter() - wall
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    db = sqlite3.connect(index_path(root))
    ids = db.execute("SELECT count(*) FROM ids").fetchone()[0]
    db.close()
    print(ids, wall, me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime,
          me.ru_maxrss, kids.ru_maxrss)

if __name__ == "__main__":
    main()
"""


def scratch_copy(cache: Path, target: Path) -> None:
    """``target`` mirrors the cache's source folders with links to its files."""
    for source in ("hf", "arxiv"):
        folder = cache / source
        if not folder.is_dir():
            continue
        for path in folder.rglob("*.json"):
            link = target / path.relative_to(cache)
            link.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, link)
            except OSError:
                link.symlink_to(path)


def checkout(ref: str, into: Path) -> Path:
    """The ``src`` folder of ``ref``, extracted from git."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def build(src: Path, cache: Path, work: Path) -> tuple[int, float, float, float, int, int]:
    shutil.rmtree(work / "cache" / "index", ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(work / "cache")],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    ids, wall, cpu, helpers, rss, helper_rss = out
    return int(ids), float(wall), float(cpu), float(helpers), int(rss), int(helper_rss)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, required=True, help="a cache folder (read only)")
    parser.add_argument("--against", default="main", help="the git commit to compare with")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="build-bench-") as tmp:
        work = Path(tmp)
        (work / "other").mkdir()
        sides = {args.against: checkout(args.against, work / "other"), "this": ROOT / "src"}
        scratch_copy(args.cache, work / "cache")
        found: dict[str, list[tuple[int, float, float, float, int, int]]] = {s: [] for s in sides}
        for run in range(args.runs):
            for name, src in sides.items():
                load = os.getloadavg()[0]
                got = build(src, args.cache, work)
                found[name].append(got)
                ids, wall, cpu, helpers, rss, helper_rss = got
                print(
                    f"run {run + 1} {name}: {ids / wall:,.0f} papers/s, {wall:.2f} s wall,"
                    f" CPU {cpu:.1f} s + helpers {helpers:.1f} s,"
                    f" peak {rss // 1024} MB + helper {helper_rss // 1024} MB (load {load:.2f})",
                    flush=True,
                )
        print(f"\n{found['this'][0][0]:,} papers; medians of {args.runs} runs:")
        for name, rows in found.items():
            rate = statistics.median(r[0] / r[1] for r in rows)
            wall = statistics.median(r[1] for r in rows)
            cpu = statistics.median(r[2] + r[3] for r in rows)
            print(f"  {name}: {rate:,.0f} papers/s, {wall:.2f} s wall, {cpu:.1f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
