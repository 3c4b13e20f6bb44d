"""File primitives every store uses: atomic replacement, file modes, and an exclusive lock.

This is the one place that knows the platform: ``fcntl.flock`` on POSIX,
``msvcrt.locking`` on Windows. Both locks are exclusive, block until the holder
lets go, and are released by the operating system when the holder dies, so a
killed papercli never leaves a lock behind. Files are replaced with
:func:`os.replace`, which is atomic on both.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

# A larger-than-any-file range for msvcrt.locking (which locks bytes, not files).
_WINDOWS_LOCK_BYTES = 1


def atomic_write_text(path: Path, text: str, mode: int | None = None) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename.

    The temporary file is private (0600 on POSIX); ``mode`` gives the file other
    permissions before the rename, so the file never appears with the wrong ones.
    On Windows only the read-only bit of a mode has a meaning (see docs).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            if mode is not None:
                _set_mode(handle.fileno(), tmp, mode)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _set_mode(fd: int, path: str, mode: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:  # Windows: no fchmod; chmod maps the mode to the read-only attribute
        os.chmod(path, mode)


def file_mode(path: Path) -> int:
    """The permissions to give ``path``: the old file's (when replacing it), else the umask's."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def _lock_posix(fd: int) -> None:
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX)


def _unlock_posix(fd: int) -> None:
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _lock_windows(fd: int) -> None:
    import msvcrt

    os.lseek(fd, 0, os.SEEK_SET)
    while True:
        try:  # LK_LOCK retries for about 10 s, then raises; keep waiting, as flock does
            msvcrt.locking(fd, msvcrt.LK_LOCK, _WINDOWS_LOCK_BYTES)  # type: ignore[attr-defined]
            return
        except OSError:
            continue


def _unlock_windows(fd: int) -> None:
    import msvcrt

    os.lseek(fd, 0, os.SEEK_SET)
    with contextlib.suppress(OSError):
        msvcrt.locking(fd, msvcrt.LK_UNLCK, _WINDOWS_LOCK_BYTES)  # type: ignore[attr-defined]


def _lock_functions() -> tuple[object, object]:
    """The lock and unlock functions of this platform: fcntl where it imports, else msvcrt."""
    try:
        import fcntl  # noqa: F401
    except ImportError:
        if sys.platform == "win32":
            return _lock_windows, _unlock_windows
        return _lock_portable, _unlock_portable
    return _lock_posix, _unlock_posix


# The fallback where neither fcntl nor msvcrt exists (and the one the suite runs with
# fcntl hidden): an O_EXCL lock file beside the lock, whose holder's pid is checked, so a
# killed holder's file is taken over instead of blocking forever.
_PORTABLE_SUFFIX = ".held"


def _held_path(fd: int) -> Path:
    return Path(_FD_PATHS[fd] + _PORTABLE_SUFFIX)


_FD_PATHS: dict[int, str] = {}


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours (EPERM), or a platform without kill(pid, 0)
        return True
    return True


def _lock_portable(fd: int) -> None:
    import time

    held = _held_path(fd)
    while True:
        try:
            handle = os.open(held, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            try:
                pid = int(held.read_text(encoding="ascii").strip() or "0")
            except (OSError, ValueError):
                pid = -1  # being written right now, or garbage: look again shortly
            if pid > 0 and not _pid_alive(pid):
                with contextlib.suppress(OSError):
                    held.unlink()  # its holder died: the lock is free
                continue
            time.sleep(0.01)
            continue
        try:
            os.write(handle, str(os.getpid()).encode("ascii"))
        finally:
            os.close(handle)
        return


def _unlock_portable(fd: int) -> None:
    with contextlib.suppress(OSError):
        _held_path(fd).unlink()


@contextlib.contextmanager
def locked(path: Path, mode: int = 0o644) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) until the block ends.

    Blocks until other papercli processes let go. Raises OSError when the file
    cannot be created (a read-only folder); callers turn that into their message.
    """
    lock, unlock = _lock_functions()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, mode)
    _FD_PATHS[fd] = str(path)
    try:
        lock(fd)  # type: ignore[operator]
        try:
            yield
        finally:
            unlock(fd)  # type: ignore[operator]
    finally:
        _FD_PATHS.pop(fd, None)
        os.close(fd)
