"""storage/files.py, the one module that knows the platform: the lock on each of its
paths (flock, msvcrt with a stand-in module, the portable lock file), atomic
replacement with Windows' sharing violations, setting files aside, file modes.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import pytest

from papercli.errors import PapersError
from papercli.storage import files
from papercli.storage.files import (
    HELD_SUFFIX,
    atomic_write_text,
    lock_kind,
    locked,
    move_aside,
)
from papercli.storage.state import State
from support.locks import python_argv


@pytest.fixture
def portable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The portable lock file, whatever this platform has."""
    monkeypatch.setitem(sys.modules, "fcntl", None)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "msvcrt", None)  # type: ignore[arg-type]


# Windows uses msvcrt, never the lock file, whose dead-holder check needs os.kill(pid, 0).
takeover = pytest.mark.skipif(os.name == "nt", reason="the portable lock's takeover is POSIX")


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(timeout=30)
    return proc.pid


def test_lock_kind_follows_what_imports(lock_kind: str) -> None:
    expected = {"portable": "portable", "native": "msvcrt" if os.name == "nt" else "flock"}
    assert files.lock_kind() == expected[lock_kind]


def test_lock_admits_one_thread_at_a_time(tmp_path: Path, lock_kind: str) -> None:
    """Read-increment-write of a counter under the lock from many threads: nothing lost,
    and never two holders at once (each holder creates a marker file exclusively)."""
    lock, counter, inside = tmp_path / ".lock", tmp_path / "n", tmp_path / "inside"
    counter.write_text("0")
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(25):
                with locked(lock):
                    os.close(os.open(inside, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                    value = int(counter.read_text())
                    time.sleep(0)
                    counter.write_text(str(value + 1))
                    inside.unlink()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors and counter.read_text() == "150"
    assert not list(tmp_path.glob(f"*{HELD_SUFFIX}"))


# --- the portable lock file -----------------------------------------------------------------

TAKEOVER = """
import os, sys, time
from pathlib import Path
from papercli.storage.files import locked
folder = Path(sys.argv[1])
while not (folder / "go").exists():
    time.sleep(0.001)
with locked(folder / ".lock"):
    os.close(os.open(folder / "inside", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    value = int((folder / "n").read_text())
    time.sleep(0.02)
    (folder / "n").write_text(str(value + 1))
    os.unlink(folder / "inside")
"""


@takeover
def test_a_dead_holder_is_taken_over_by_one_process_at_a_time(tmp_path: Path) -> None:
    """A lock file left by a killed process, and eight processes that all find it at
    once: each gets the lock in turn (a second remover must not delete the lock file
    of the process that took over first)."""
    (tmp_path / "n").write_text("0")
    held = tmp_path / f".lock{HELD_SUFFIX}"
    for _round in range(3):
        held.write_text(f"{dead_pid()} {os.urandom(8).hex()}")
        procs = [
            subprocess.Popen(
                [*python_argv("portable", TAKEOVER), str(tmp_path)], stderr=subprocess.PIPE
            )
            for _ in range(8)
        ]
        (tmp_path / "go").touch()
        for p in procs:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err.decode()
        (tmp_path / "go").unlink()
    assert (tmp_path / "n").read_text() == "24"
    assert not held.exists()


@takeover
@pytest.mark.usefixtures("portable")
def test_a_late_remover_leaves_the_new_holders_file_alone(tmp_path: Path) -> None:
    """The interleaving that broke the first fallback: B reads a dead holder; A removes
    its file and takes the lock; only then does B act on what it read."""
    held = tmp_path / f".lock{HELD_SUFFIX}"
    held.write_text(f"{dead_pid()} {os.urandom(8).hex()}")
    seen_by_b = files._read_holder(held)
    assert seen_by_b is not None and seen_by_b.dead()
    with locked(tmp_path / ".lock"):  # A: takes over and holds the lock
        mine = held.read_text()
        assert files._break(held, seen_by_b, f"{os.getpid()} b", 0o644)  # B, late
        assert held.read_text() == mine  # A still holds it
    assert not held.exists()


@takeover
@pytest.mark.usefixtures("portable")
def test_a_claim_whose_maker_died_is_passed_over(tmp_path: Path) -> None:
    held = tmp_path / f".lock{HELD_SUFFIX}"
    held.write_text(f"{dead_pid()} {os.urandom(8).hex()}")
    holder = files._read_holder(held)
    assert holder is not None
    import hashlib

    key = hashlib.sha256(holder.identity.encode()).hexdigest()[:16]
    stale_claim = tmp_path / f"{held.name}.break-{key}-1"
    stale_claim.write_text(f"{dead_pid()} {os.urandom(8).hex()}")  # died while removing
    # Private files of a process killed before linking one, and of one still at it.
    dead_leftover = tmp_path / f"{held.name}.break-{key}-1.{dead_pid()}-0a1b.new"
    live_leftover = tmp_path / f"{held.name}.{os.getpid()}-2c3d.new"
    dead_leftover.touch()
    live_leftover.touch()
    with locked(tmp_path / ".lock"):
        assert held.read_text().startswith(f"{os.getpid()} ")
    assert not held.exists()
    assert not dead_leftover.exists() and live_leftover.exists()


def test_a_lock_file_without_a_holder_counts_as_dead_only_when_old(tmp_path: Path) -> None:
    """A file whose writer died between creating and writing it (possible where hard
    links are not) is not taken for dead while its writer may still be at it."""
    held = tmp_path / f".lock{HELD_SUFFIX}"
    held.write_text("")
    holder = files._read_holder(held)
    assert holder is not None and holder.pid is None and not holder.dead()
    old = held.stat().st_mtime - 60
    os.utime(held, (old, old))
    holder = files._read_holder(held)
    assert holder is not None and holder.dead()


@pytest.mark.usefixtures("portable")
def test_the_portable_lock_without_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file system without hard links: the lock file is created with O_EXCL instead."""

    def no_links(*args: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    test_lock_admits_one_thread_at_a_time(tmp_path, "portable")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".new")] == []


def test_a_live_pid_is_never_signalled_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """os.kill(pid, 0) ends the process on Windows: never call it there."""
    monkeypatch.setattr(files, "_WINDOWS", True)
    monkeypatch.setattr(os, "kill", lambda *a: pytest.fail("os.kill called"))
    assert files._pid_alive(12345)
    assert not files._pid_alive(0)


# --- msvcrt.locking, with a stand-in module -------------------------------------------------


def fake_msvcrt(monkeypatch: pytest.MonkeyPatch, failures: list[int]) -> list[tuple[int, int]]:
    """Hide fcntl, install an msvcrt whose LK_LOCK fails with the given errnos first;
    returns the (mode, file position) of each call."""
    calls: list[tuple[int, int]] = []
    module = types.ModuleType("msvcrt")

    def locking(fd: int, mode: int, nbytes: int) -> None:
        assert nbytes == 1
        calls.append((mode, os.lseek(fd, 0, os.SEEK_CUR)))
        if mode == module.LK_LOCK and failures:  # type: ignore[attr-defined]
            code = failures.pop(0)
            raise OSError(code, os.strerror(code))

    module.LK_LOCK, module.LK_UNLCK = 1, 0  # type: ignore[attr-defined]
    module.locking = locking  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fcntl", None)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "msvcrt", module)
    assert lock_kind() == "msvcrt"
    return calls


def test_msvcrt_keeps_waiting_while_the_lock_is_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LK_LOCK gives up after ~10 s with EDEADLOCK (or EACCES): try again, like flock."""
    deadlock = getattr(errno, "EDEADLOCK", errno.EDEADLK)
    calls = fake_msvcrt(monkeypatch, [deadlock, errno.EACCES, deadlock])
    with locked(tmp_path / ".lock"):
        pass
    assert calls == [(1, 0), (1, 0), (1, 0), (1, 0), (0, 0)]  # always the first byte


def test_msvcrt_raises_other_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_msvcrt(monkeypatch, [errno.EBADF])
    with pytest.raises(OSError, match="Bad file descriptor"), locked(tmp_path / ".lock"):
        pytest.fail("not locked")
    assert calls == [(1, 0)]


# --- a folder that cannot be written ---------------------------------------------------------


def test_a_read_only_folder_is_an_error_not_a_wait(
    tmp_path: Path, lock_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    real_open = os.open

    def read_only(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        if Path(path).parent == folder and flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(OSError, match="Read-only"), locked(folder / ".lock"):
        pytest.fail("locked a read-only folder")
    with pytest.raises(PapersError, match=r"Cannot use the state folder .*Read-only"):
        State(folder).mark_seen(["2507.00001"])


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions and a non-root user"
)
def test_a_folder_without_write_permission(tmp_path: Path, lock_kind: str) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PapersError, match="Cannot use the state folder"):
            State(folder).mark_seen(["2507.00001"])
    finally:
        folder.chmod(0o700)


# --- replacing, reading, setting aside, modes ---------------------------------------------------


def test_windows_sharing_violations_are_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows a file another process has open cannot be replaced for a moment."""
    monkeypatch.setattr(files, "_WINDOWS", True)
    monkeypatch.setattr(files, "_SHARING_RETRY_DELAYS", (0, 0, 0))
    target = tmp_path / "d" / "f.json"
    real_replace = os.replace
    refusals = [PermissionError(13, "Access is denied")] * 2

    def busy(src: str, dst: str) -> None:
        if refusals:
            raise refusals.pop()
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", busy)
    atomic_write_text(target, "new")
    assert target.read_text() == "new" and not refusals
    # Still refused after the last try: the error, and no temporary file left.
    refusals.extend([PermissionError(13, "Access is denied")] * 4)
    with pytest.raises(PermissionError):
        atomic_write_text(target, "newer")
    assert target.read_text() == "new" and [p.name for p in target.parent.iterdir()] == ["f.json"]


def test_elsewhere_a_permission_error_is_not_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "_WINDOWS", False)
    calls = []

    def refuse(src: str, dst: str) -> None:
        calls.append(dst)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        atomic_write_text(tmp_path / "f", "x")
    assert len(calls) == 1


def test_a_mode_without_fchmod(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no os.fchmod: the mode is set by name (there, only read-only counts)."""
    monkeypatch.delattr(os, "fchmod", raising=False)
    target = tmp_path / "f"
    atomic_write_text(target, "x", mode=0o640)
    expected = 0o640 if os.name == "posix" else target.stat().st_mode & 0o777
    assert target.stat().st_mode & 0o777 == expected and target.read_text() == "x"


def test_move_aside_never_overwrites_an_earlier_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "d").mkdir()
    bad = tmp_path / "d" / "seen.json"
    bad.write_text("first")
    assert move_aside(bad, "corrupt-1").name == "seen.json.corrupt-1"
    bad.write_text("second")
    assert move_aside(bad, "corrupt-1").name == "seen.json.corrupt-1-2"
    # A name taken between the check and the rename (Windows refuses it): the next one.
    bad.write_text("third")
    real_rename = os.rename
    taken = [FileExistsError(17, "File exists")]

    def rename(src: str, dst: str) -> None:
        if taken:
            raise taken.pop()
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    assert move_aside(bad, "corrupt-1").name == "seen.json.corrupt-1-4"
    assert sorted(p.read_text() for p in bad.parent.iterdir()) == ["first", "second", "third"]
    with pytest.raises(FileNotFoundError):
        move_aside(bad, "corrupt-1")
