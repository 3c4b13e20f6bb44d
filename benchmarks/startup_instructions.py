"""Start-up in instructions, not seconds: callgrind counts what ``papers --help`` and
``papers today --offline`` execute, beside the stack's own floor
(``python -c "import typer, rich.console, rich.text"``). The counts do not move with
the machine's load, so two source trees can be compared on a busy machine.

    python benchmarks/startup_instructions.py [--papers PATH_TO_PAPERS] [--python PY]

Needs valgrind. ``--papers``/``--python`` pick the installation to measure (default:
the ``papers`` and Python next to this interpreter).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "tests" / "fixtures" / "hf" / "daily_2025-07-15.json"


def instructions(command: list[str], env: dict[str, str]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *command],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    match = re.search(r"Collected : (\d+)", result.stderr)
    if not match:
        raise SystemExit(f"callgrind failed for {command}: {result.stderr[-500:]}")
    return int(match.group(1))


def seed(home: Path, python: str) -> None:
    """A cached Hugging Face day, so that ``today --offline`` draws a real table."""
    code = (
        "import sys, time, pathlib\n"
        "from papercli.sources import hf\n"
        "try:\n"
        "    from papercli.storage.cache import Cache\n"
        "except ImportError:  # a tree from before the storage package\n"
        "    from papercli.cache import Cache\n"
        f"ps = hf.parse_daily(pathlib.Path({str(FIXTURE)!r}).read_bytes(), '2025-07-15')\n"
        f"Cache(pathlib.Path({str(home / 'cache')!r})).save('hf', 'day', '2025-07-15', ps,"
        " fetched_at=time.time())\n"
    )
    subprocess.run([python, "-c", code], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bindir = Path(sys.executable).parent
    parser.add_argument("--papers", default=str(bindir / "papers"))
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        env = {**os.environ, "PAPERS_HOME": str(home), "COLUMNS": "100"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        seed(home, args.python)
        for _ in range(2):  # compile the bytecode, warm the state files
            subprocess.run([args.papers, "today", "--offline"], env=env, capture_output=True)
        start = time.time()
        floor = instructions([args.python, "-c", "import typer, rich.console, rich.text"], env)
        helps = instructions([args.papers, "--help"], env)
        today = instructions([args.papers, "today", "--offline"], env)
    print("| command | instructions | × the stack's imports |")
    print("|---|---:|---:|")
    print(f"| `import typer, rich.console, rich.text` | {floor / 1e6:.1f} M | 1.00 |")
    print(f"| `papers --help` | {helps / 1e6:.1f} M | {helps / floor:.2f} |")
    print(f"| `papers today --offline` | {today / 1e6:.1f} M | {today / floor:.2f} |")
    print(f"\n(callgrind, {time.time() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
