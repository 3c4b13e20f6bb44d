"""The storage tests run twice: with the platform's lock (``flock`` here) and with the
portable lock file papercli falls back to where neither ``fcntl`` nor ``msvcrt`` imports.

``fcntl`` is hidden by ``sys.modules["fcntl"] = None`` (an import of it then raises
ImportError): in this process by the ``lock_kind`` fixture (conftest.py), and in the
``papers`` processes a test starts by :func:`papers_argv` / :func:`python_argv`.
"""

from __future__ import annotations

import sys
from pathlib import Path

KINDS = ["native", "portable"]
HIDE = "import sys; sys.modules['fcntl'] = None; sys.modules['msvcrt'] = None\n"
_RUN_PAPERS = "import runpy; runpy.run_module('papercli', run_name='__main__', alter_sys=True)\n"


def python_argv(kind: str, code: str) -> list[str]:
    """``python -c CODE`` with, for the portable kind, fcntl hidden before CODE runs."""
    return [sys.executable, "-c", (HIDE if kind == "portable" else "") + code]


def papers_argv(kind: str) -> list[str]:
    """``python -m papercli``, or its equivalent with fcntl hidden."""
    if kind == "portable":
        return python_argv(kind, _RUN_PAPERS)
    return [sys.executable, "-m", "papercli"]


def check_lock_files(folder: Path, kind: str) -> None:
    """The lock that was used is the one asked for, and no holder is left behind."""
    if not folder.exists():
        return
    names = {p.name for p in folder.iterdir()}
    if kind == "portable":
        assert ".lock" not in names, "the flock file appeared: fcntl was not hidden"
        assert not [n for n in names if n.endswith(".held")], names
    else:
        assert not [n for n in names if ".held" in n], names
