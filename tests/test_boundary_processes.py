"""The error boundary of every command (``cli/boundary.py``), through real processes.

Each test runs ``python -m papercli ...`` (or, to inject a fault, ``python -c`` that
patches one function and then runs papercli the same way) with its own
``PAPERS_HOME`` and base URLs pointing at a loopback server or a dead port, and
checks what a user sees: the exit status, and one line on stderr, never a traceback
(except with ``PAPERS_DEBUG=1``).

- Ctrl-C (SIGINT while waiting on a slow server): exit 130, "Error: interrupted.";
- the reader of stdout going away (``papers list | head -1``): exit 0, nothing said;
- a full disk, read-only files and permission errors: exit 1, "cannot write ...";
- an unexpected exception: exit 1, "internal error ... PAPERS_DEBUG=1"; with
  ``PAPERS_DEBUG=1`` the traceback.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from papercli.models import Paper
from papercli.storage.cache import Cache
from support import faultmatrix as fm
from support.faultserver import FaultServer

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals and pipes")

DAY = "2025-07-15"
RUN_PAPERS = "import runpy; runpy.run_module('papercli', run_name='__main__', alter_sys=True)\n"
# The first line of a fault injected into one function before papercli runs.
RAISE = "def fault(*args, **kwargs):\n    raise {exc}\n"


def papers(*args: str, patch: str = "") -> list[str]:
    """``python -m papercli ARGS``, or with ``patch`` (Python code) run first."""
    if not patch:
        return [sys.executable, "-m", "papercli", *args]
    return [sys.executable, "-c", patch + RUN_PAPERS, *args]


def run(*args: str, patch: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        papers(*args, patch=patch),
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_error_line(stderr: str) -> str:
    """The one line a failed command says: no traceback, nothing else."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and stderr.endswith("\n"), stderr
    assert lines[0].startswith("Error: "), stderr
    return lines[0]


def injected(target: str, exc: str) -> str:
    """Code that makes ``module.attribute`` raise ``exc`` (a Python expression)."""
    module, _, name = target.rpartition(".")
    return f"import {module}\n" + RAISE.format(exc=exc) + f"{module}.{name} = fault\n"


def seed(home: Path, count: int = 3, title: str = "Mini-batch training") -> None:
    papers = [
        Paper(
            id=f"2507.{i:05d}",
            title=f"{title} {i}",
            abstract="An abstract. " * 20,
            listed=DAY,
            sources=("hf",),
        )
        for i in range(count)
    ]
    Cache(home / "cache").save("hf", "day", DAY, papers)


@pytest.fixture
def stalling(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultServer]:
    """A loopback server that sends the head of each answer and then nothing."""
    (isolated_home / "config.toml").write_text(
        "[network]\nbackoff_seconds = 0.01\nread_timeout = 600\ntotal_timeout = 3600\n"
    )
    with FaultServer("stall", fm.good) as server:
        for var in ("PAPERS_HF_URL", "PAPERS_ARXIV_RSS_URL", "PAPERS_ARXIV_URL"):
            monkeypatch.setenv(var, server.url)
        yield server


def start_and_wait_for_requests(
    server: FaultServer, args: tuple[str, ...], requests: int = 1
) -> subprocess.Popen[str]:
    """``papers ARGS``, once the server has seen ``requests`` of its requests (it is then
    blocked reading an answer that does not come)."""
    process = subprocess.Popen(
        papers(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while len(server.log) < requests:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            _, err = process.communicate()
            pytest.fail(f"papers {args} never blocked on the server: {process.returncode} {err}")
        time.sleep(0.02)
    return process


# --- Ctrl-C -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--source", "hf", "--date", DAY),
        ("sync", "--source", "hf", "--since", "2025-07-01", "--until", "2025-07-03"),
        ("list", "--source", "arxiv", "--date", "2025-07-14", "-c", "cs.LG"),
    ],
    ids=["list", "sync", "arxiv"],
)
def test_ctrl_c_while_waiting_on_a_server_exits_130_with_one_line(
    stalling: FaultServer, isolated_home: Path, args: tuple[str, ...]
) -> None:
    process = start_and_wait_for_requests(stalling, args)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert one_error_line(err) == "Error: interrupted."
    assert out == ""
    assert not list((isolated_home / "cache").rglob("*.json"))  # nothing half-fetched kept


def test_a_second_ctrl_c_ends_a_listing_waiting_for_pages_in_flight(
    stalling: FaultServer,
) -> None:
    """A week is fetched several pages at once. The first Ctrl-C cancels the pages not
    yet asked for and waits for those on the wire (up to ``read_timeout``, here 10
    minutes); a second one ends the wait."""
    process = start_and_wait_for_requests(stalling, ("list", "--week", "2025-W29"), requests=2)
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=1)  # usually still waiting for the pages on the wire
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)  # the second Ctrl-C ends the wait
    # (When no page was on the wire any more, the first Ctrl-C already ended it.)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert one_error_line(err) == "Error: interrupted."


# --- a closed pipe ------------------------------------------------------------------------

PIPE_PAPERS = 3000


def buffered_env() -> dict[str, str]:
    """The environment without PYTHONUNBUFFERED. With it, stdout's binary layer is the
    raw file, whose short write (all a closed pipe takes) Python's text layer ignores:
    the rest of the output is dropped without an error, and the boundary never sees
    the pipe close. Without it (how ``papers`` normally runs) the next write fails
    with EPIPE, which is what these tests are about."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


@pytest.mark.parametrize(
    "fmt", [(), ("--json",), ("--format", "csv"), ("--format", "md")], ids=lambda f: "-".join(f)
)
def test_a_reader_that_goes_away_ends_the_command_quietly(
    isolated_home: Path, fmt: tuple[str, ...]
) -> None:
    """``papers list ... | head -1``: far more output than a pipe holds, the reader
    reads one line and closes its end. Exit 0, nothing on stderr."""
    seed(isolated_home, count=PIPE_PAPERS)
    process = subprocess.Popen(
        papers("list", "--date", DAY, "--offline", "--limit", str(PIPE_PAPERS), *fmt),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=buffered_env(),
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=60) == 0, err
    assert first.strip()
    assert err == b""


def test_the_output_really_is_larger_than_a_pipe(isolated_home: Path) -> None:
    """The test above means something only when papercli is still writing when the reader
    goes away: its output is many times a pipe's buffer (64 KiB on Linux)."""
    seed(isolated_home, count=PIPE_PAPERS)
    for fmt in ((), ("--json",), ("--format", "csv"), ("--format", "md")):
        result = subprocess.run(
            papers("list", "--date", DAY, "--offline", "--limit", str(PIPE_PAPERS), *fmt),
            capture_output=True,
            timeout=120,
        )
        assert result.returncode == 0 and len(result.stdout) > 2 * 65536, fmt


# --- a full disk, read-only files, permissions ------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_stdout_on_a_full_disk_is_one_line(isolated_home: Path) -> None:
    """``papers list --json > file`` on a full disk: /dev/full answers every write ENOSPC."""
    seed(isolated_home, count=200)
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            papers("list", "--date", DAY, "--offline", "--json"),
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert one_error_line(result.stderr) == "Error: cannot write: No space left on device."


ERRORS = {
    "full": (
        "OSError(errno.ENOSPC, 'No space left on device', args[0])",
        "No space left on device",
    ),
    "read-only": (
        "OSError(errno.EROFS, 'Read-only file system', args[0])",
        "Read-only file system",
    ),
    "denied": ("PermissionError(errno.EACCES, 'Permission denied', args[0])", "Permission denied"),
}


@pytest.mark.parametrize("kind", list(ERRORS))
@pytest.mark.parametrize(
    "args, written",
    [
        (("list", "--date", DAY, "--offline", "-o", "{home}/out.md"), "out.md"),
        (("watch", "add", "minis", "mini-batch"), "config.toml"),
        (("config", "init", "--force"), "config.toml"),
    ],
    ids=["output", "watch-add", "config-init"],
)
def test_a_file_that_cannot_be_written_is_one_line(
    isolated_home: Path, kind: str, args: tuple[str, ...], written: str
) -> None:
    """Every write goes through ``atomic_write_text``; make it fail as a full disk, a
    read-only file system or a permission error would."""
    exc, reason = ERRORS[kind]
    seed(isolated_home)
    config_before = (isolated_home / "config.toml").read_bytes()
    patch = "import errno\n" + injected("papercli.storage.files.atomic_write_text", exc)
    argv = [a.format(home=isolated_home) for a in args]
    result = run(*argv, patch=patch)
    assert result.returncode == 1, result.stderr
    line = one_error_line(result.stderr)
    assert reason in line and str(isolated_home / written) in line, line
    assert "cannot write" in line.lower() or "cannot be written" in line, line
    assert "internal error" not in line
    assert (isolated_home / "config.toml").read_bytes() == config_before
    assert not (isolated_home / "out.md").exists()


@pytest.mark.parametrize("kind", list(ERRORS))
def test_seen_papers_that_cannot_be_remembered_are_a_warning(
    isolated_home: Path, kind: str
) -> None:
    """The listing was shown; only remembering it as seen failed: one warning, exit 0."""
    exc, reason = ERRORS[kind]
    seed(isolated_home)
    patch = "import errno\n" + injected("papercli.storage.files.atomic_write_text", exc)
    result = run("list", "--date", DAY, "--offline", "--json", patch=patch)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 3
    seen = isolated_home / "state" / "seen.json"
    assert result.stderr == (
        f"Could not remember the papers as seen: Cannot write {seen}: {reason}.\n"
    )
    assert not seen.exists()


@pytest.mark.parametrize(
    "number, strerror",
    [
        ("ENOSPC", "No space left on device"),
        ("EROFS", "Read-only file system"),
        ("EACCES", "Permission denied"),
    ],
)
def test_an_os_error_of_the_machine_reaching_the_boundary_is_one_line(
    isolated_home: Path, number: str, strerror: str
) -> None:
    """An OSError no layer below turned into a message (a folder that cannot be made,
    say) is still the machine saying no, not a bug: "cannot write (PATH): REASON"."""
    seed(isolated_home)
    where = isolated_home / "cache" / "somewhere"
    exc = f"OSError(errno.{number}, {strerror!r}, {str(where)!r})"
    patch = "import errno\n" + injected("papercli.core.listings.source_listing", exc)
    result = run("list", "--date", DAY, "--offline", patch=patch)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == f"Error: cannot write ({where}): {strerror}."


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere"
)
def test_a_read_only_state_folder_is_one_line(isolated_home: Path) -> None:
    seed(isolated_home)
    state = isolated_home / "state"
    state.mkdir()
    state.chmod(0o500)
    try:
        result = run("list", "--date", DAY, "--offline")
    finally:
        state.chmod(0o700)
    assert result.returncode == 1
    assert "Permission denied" in one_error_line(result.stderr)


# --- an unexpected exception ----------------------------------------------------------


def test_an_unexpected_exception_is_one_line_asking_for_a_report(isolated_home: Path) -> None:
    seed(isolated_home)
    patch = injected("papercli.core.listings.source_listing", "RuntimeError('boom')")
    result = run("list", "--date", DAY, "--offline", patch=patch)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        "Error: internal error: RuntimeError: boom "
        "(run with PAPERS_DEBUG=1 for details, and please report it)."
    )
    assert result.stdout == ""


def test_an_os_error_that_is_not_the_machine_saying_no_is_an_internal_error(
    isolated_home: Path,
) -> None:
    seed(isolated_home)
    exc = "FileNotFoundError(errno.ENOENT, 'No such file or directory', 'gone.json')"
    patch = "import errno\n" + injected("papercli.core.listings.source_listing", exc)
    result = run("list", "--date", DAY, "--offline", patch=patch)
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert line.startswith("Error: internal error: FileNotFoundError:"), line


def test_papers_debug_shows_the_traceback(isolated_home: Path) -> None:
    seed(isolated_home)
    patch = injected("papercli.core.listings.source_listing", "RuntimeError('boom')")
    result = run("list", "--date", DAY, "--offline", patch=patch, PAPERS_DEBUG="1")
    assert result.returncode == 1
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert result.stderr.rstrip().endswith("RuntimeError: boom")
    assert "internal error" not in result.stderr
    assert "boundary.py" in result.stderr  # raised again from the boundary, unchanged
