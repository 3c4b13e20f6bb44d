"""Long output on a terminal goes through $PAGER; slow requests show a status line."""

from __future__ import annotations

import io
import os
import pty
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from papercli.models import Paper
from papercli.storage.cache import Cache
from papercli.ui import console as ui_console

DAY = "2025-07-15"


def _cache_many(home: Path, n: int = 40) -> None:
    papers = [
        Paper(id=f"2507.{11000 + i}", title=f"Paper {i}", upvotes=i, sources=("hf",))
        for i in range(n)
    ]
    Cache(home / "cache").save("hf", "day", DAY, papers)


def _on_a_terminal(home: Path, tmp_path: Path, *args: str, lines: int = 20) -> tuple[str, Path]:
    """Run papers with stdout and stderr on a pseudo-terminal; the pager records what it got."""
    record = tmp_path / "paged.txt"
    less = tmp_path / "less-env.txt"
    script = f'cat > {record}; printf %s "$LESS" > {less}'
    pager = f"sh -c {shlex.quote(script)}"
    env = {
        "PAPERS_HOME": str(home),
        "PATH": os.environ.get("PATH", ""),
        "PAGER": pager,
        "COLUMNS": "80",
        "LINES": str(lines),
        "TERM": "xterm-256color",
    }
    env.pop("LESS", None)
    main, secondary = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "papercli", *args],
            stdin=subprocess.DEVNULL,
            stdout=secondary,
            stderr=secondary,
            env=env,
        )
        os.close(secondary)
        output = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        assert process.wait(30) == 0, output.decode(errors="replace")
    finally:
        os.close(main)
    return output.decode(errors="replace"), record


def test_long_output_on_a_terminal_goes_through_the_pager(isolated_home, tmp_path) -> None:
    _cache_many(isolated_home)
    shown, record = _on_a_terminal(isolated_home, tmp_path, "list", "--date", DAY, "--offline")
    paged = record.read_text()
    assert "Paper 39" in paged and "Paper 0" in paged and "Paper 39" not in shown
    assert "\x1b[" in paged  # colours kept, for less -R
    assert (tmp_path / "less-env.txt").read_text() == "FRX"


def test_short_output_and_no_pager_print_at_once(isolated_home, tmp_path) -> None:
    _cache_many(isolated_home, 3)
    shown, record = _on_a_terminal(isolated_home, tmp_path, "list", "--date", DAY, "--offline")
    assert "Paper 2" in shown and not record.exists()
    _cache_many(isolated_home)
    shown, record = _on_a_terminal(
        isolated_home, tmp_path, "list", "--date", DAY, "--offline", "--no-pager"
    )
    assert "Paper 39" in shown and not record.exists()


def test_the_config_key_turns_paging_off(isolated_home, tmp_path) -> None:
    _cache_many(isolated_home)
    with (isolated_home / "config.toml").open("a") as fh:
        fh.write("[display]\npager = false\n")
    shown, record = _on_a_terminal(isolated_home, tmp_path, "list", "--date", DAY, "--offline")
    assert "Paper 39" in shown and not record.exists()


def test_never_paged_when_piped(run, isolated_home, tmp_path, monkeypatch) -> None:
    _cache_many(isolated_home)
    record = tmp_path / "paged.txt"
    monkeypatch.setenv("PAGER", f"sh -c 'cat > {record}'")
    result = run("list", "--date", DAY, "--offline")
    assert "Paper 39" in result.stdout and not record.exists()


def test_a_missing_pager_prints_the_output(monkeypatch) -> None:
    monkeypatch.setenv("PAGER", "no-such-pager-here -R")
    assert ui_console.pager_command() is None
    monkeypatch.setenv("PAGER", "cat")
    assert ui_console.pager_command() is None
    monkeypatch.setenv("PAPERS_PAGER", "")
    assert ui_console.pager_command() is None


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Clock:
    """A stop event whose first wait is 'the delay passed', and which stops after N ticks."""

    def __init__(self, ticks: int) -> None:
        self.ticks = ticks
        self.stopped = False

    def wait(self, seconds: float) -> bool:
        self.ticks -= 1
        if self.ticks < 0:
            self.stopped = True
        return self.stopped

    def is_set(self) -> bool:
        return self.stopped

    def set(self) -> None:
        self.stopped = True


def test_the_spinner_draws_a_status_line_after_the_delay_and_clears_it(monkeypatch) -> None:
    err = _Tty()
    monkeypatch.setattr(sys, "stderr", err)
    spinner = ui_console.Spinner()
    spinner._what = "Hugging Face"
    spinner._active = 1
    spinner._since = time.monotonic()
    spinner._run(_Clock(3))  # the delay, then ticks: deterministic, no sleeping
    assert re.search(r"\r\x1b\[2K. Waiting for Hugging Face… \d+ s", err.getvalue())
    with spinner.paused():  # a message clears the line first
        err.write("Warning\n")
    assert err.getvalue().endswith("\r\x1b[2KWarning\n")
    early = ui_console.Spinner()
    out = _Tty()
    monkeypatch.setattr(sys, "stderr", out)
    stop = _Clock(0)
    stop.set()  # the request ended within the delay: nothing drawn
    early._run(stop)
    assert out.getvalue() == ""


def test_no_spinner_when_stderr_is_not_a_terminal(monkeypatch) -> None:
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    spinner = ui_console.Spinner()
    with spinner.waiting("arXiv"):
        assert spinner._active == 0  # never started
    assert err.getvalue() == ""


def test_every_request_is_wrapped_in_the_waiting_hook(httpserver: Any) -> None:
    from contextlib import contextmanager

    from papercli.sources.http import Http

    seen: list[str] = []

    @contextmanager
    def waiting(what: str):  # type: ignore[no-untyped-def]
        seen.append(what)
        yield

    httpserver.expect_request("/x").respond_with_data("ok")
    with Http(waiting=waiting) as http:
        assert http.get(httpserver.url_for("/x")).body == b"ok"
    assert len(seen) == 1


@pytest.fixture(autouse=True)
def _no_papers_pager(monkeypatch) -> None:
    monkeypatch.delenv("PAPERS_PAGER", raising=False)
