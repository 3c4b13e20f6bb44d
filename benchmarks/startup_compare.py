"""Start-up of two papercli source trees, interleaved: did a change slow ``papers --help``?

    python benchmarks/startup_compare.py --before /tmp/old/src --after src -n 40
    python benchmarks/startup_compare.py --before /tmp/old/src --after src -- today --offline

Each run is a fresh ``python -m papercli ARGS`` process (default ARGS: ``--help``),
the two trees taking turns so that the machine's load falls on both alike; the
median, min and max of each are printed, and the difference of the medians, for
the wall-clock time and for the CPU time of the process (user + system, steadier
on a loaded machine).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(src: Path, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of one fresh process."""
    started, cpu = time.perf_counter(), _cpu()
    subprocess.run(
        [sys.executable, "-m", "papercli", *args],
        env={**env, "PYTHONPATH": str(src)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - started, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="the old tree's src folder")
    parser.add_argument("--after", type=Path, required=True, help="the new tree's src folder")
    parser.add_argument("-n", type=int, default=40, help="runs of each (default 40)")
    parser.add_argument("args", nargs="*", default=["--help"], help="papers' arguments")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERS_")}
        env |= {"PAPERS_HOME": home, "PAPERS_HF_URL": "http://127.0.0.1:9", "COLUMNS": "80"}
        trees = {"before": options.before.resolve(), "after": options.after.resolve()}
        for src in trees.values():  # compile both, once, outside the timing
            one_run(src, options.args, env)
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(options.n):
            for name, src in trees.items():
                wall, cpu = one_run(src, options.args, env)
                times.setdefault((name, "wall"), []).append(wall)
                times.setdefault((name, "cpu"), []).append(cpu)
    shown = " ".join(options.args)
    for kind in ("wall", "cpu"):
        medians = {}
        for name in trees:
            values = times[(name, kind)]
            medians[name] = statistics.median(values)
            print(
                f"{name:6} {kind:4}  papers {shown}: median {medians[name] * 1000:.1f} ms"
                f"  (min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f}, n={len(values)})"
            )
        delta = (medians["after"] - medians["before"]) * 1000
        print(f"after - before ({kind}): {delta:+.1f} ms")


if __name__ == "__main__":
    main()
