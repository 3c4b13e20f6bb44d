"""``watch run | head`` marks nothing: a closed stdout or a failed -o write is an error,
and no paper counts as reported (watch run and digest alike)."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from papercli.models import Paper
from papercli.storage.cache import Cache

TODAY = dt.date.today().isoformat()


def _setup(home: Path, n: int = 400) -> None:
    papers = [
        Paper(id=f"2507.{10000 + i}", title=f"Graph paper {i}", listed=TODAY, sources=("hf",))
        for i in range(n)
    ]
    Cache(home / "cache").save("hf", "day", TODAY, papers)
    with (home / "config.toml").open("a") as fh:
        fh.write(
            '[watch.graphs]\nquery = "graph"\n'
            '[email]\nhost = "127.0.0.1"\nport = 9\nsecurity = "none"\n'
            'from = "papers@example.org"\nto = "reader@example.org"\n'
        )


def _reported(home: Path) -> dict[str, Any]:
    path = home / "state" / "watch.json"
    return json.loads(path.read_text())["rules"] if path.exists() else {}


def _into_a_closed_pipe(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written
    try:
        return subprocess.run(
            [sys.executable, "-m", "papercli", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PAPERS_HOME": str(home)},
            check=False,
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize("fmt", [(), ("--json",), ("--format", "md")])
def test_watch_run_into_a_closed_pipe_marks_nothing(isolated_home: Path, fmt) -> None:
    _setup(isolated_home)
    result = _into_a_closed_pipe(isolated_home, "watch", "run", "--offline", *fmt)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: Could not write everything to stdout (the reader closed the pipe); "
        "nothing was marked as reported."
    )
    assert "Exception ignored" not in result.stderr and "Traceback" not in result.stderr
    assert _reported(isolated_home) == {}


def test_after_a_closed_pipe_the_next_run_reports_everything(run, isolated_home: Path) -> None:
    _setup(isolated_home, 5)
    assert _into_a_closed_pipe(isolated_home, "watch", "run", "--offline").returncode == 1
    again = run("watch", "run", "--offline", "--json")
    assert again.exit_code == 0, again.stderr
    assert len(again.json()[0]["new"]) == 5
    assert len(_reported(isolated_home)["graphs"]) == 5


def test_a_failed_o_write_marks_nothing(run, isolated_home: Path, tmp_path, monkeypatch) -> None:
    _setup(isolated_home, 5)
    from papercli.storage import files

    def full_disk(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "atomic_write_text", full_disk)
    result = run("watch", "run", "--offline", "-o", str(tmp_path / "new.md"))
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert _reported(isolated_home) == {}


def test_digest_dry_run_into_a_closed_pipe_says_so(isolated_home: Path) -> None:
    _setup(isolated_home)
    cache = Cache(isolated_home / "cache")
    for back in range(1, 9):  # the week digest fetches, all cached: no network
        day = dt.date.today() - dt.timedelta(days=back)
        cache.save("hf", "day", day.isoformat(), [Paper(id="2507.09999", title="x")])
    result = _into_a_closed_pipe(isolated_home, "digest", "--dry-run")
    assert result.returncode == 1, result.stderr
    assert "nothing was sent or marked as reported" in result.stderr
    assert _reported(isolated_home) == {}


def test_a_listing_into_a_closed_pipe_stays_quiet(isolated_home: Path) -> None:
    _setup(isolated_home)  # papers today | head: nothing to protect, exit 0 as before
    result = _into_a_closed_pipe(isolated_home, "list", "--date", TODAY, "--offline")
    assert result.returncode == 0 and result.stderr == ""
