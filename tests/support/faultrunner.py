"""Run ``papers`` in a fresh process forked from a pre-warmed server.

The fault matrix runs a couple of hundred commands. Starting a Python interpreter
and importing Typer, Rich, httpx and feedparser for each one costs more than the
faults themselves, so the cells run in processes forked from a
``multiprocessing`` forkserver that has imported papercli once. Each cell still
gets its own process (``maxtasksperchild=1``), environment, stdout and stderr file
descriptors and exit status; an exception that escapes papercli is printed as a
traceback on that stderr, exactly as the interpreter would.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
import traceback
from multiprocessing.pool import Pool

PRELOAD = [
    "papercli.cli",
    "papercli.core.listings",
    "papercli.sources.http",
    "papercli.ui.table",
    "papercli.sources.hf",
    "papercli.sources.arxiv",
    "httpx",
    "feedparser",
    "rich.table",
    "support.faultrunner",
    "pytest",  # children re-import the main module (pytest) before running
]


def run_papers(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """In the child: ``papers ARGS`` with exactly ``env``; (exit status, stdout, stderr)."""
    os.environ.clear()
    os.environ.update(env)
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.argv = ["papers", *args]
        code = 0
        try:
            from papercli.cli import main

            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        out.seek(0)
        err.seek(0)
        return code, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")


def pool(workers: int) -> Pool:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context.Pool(workers, maxtasksperchild=1)
