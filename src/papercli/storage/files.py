"""File primitives every store uses: atomic replacement, setting aside, modes, a lock.

This is the one module that knows the platform (``tests/test_portability.py``
keeps it so):

- :func:`atomic_write_text` writes a temporary file in the same folder and moves
  it over the target with :func:`os.replace`, which is atomic on POSIX and on
  Windows. On Windows a file another process has open cannot be replaced for a
  moment (a sharing violation, ``PermissionError``): the move is tried again for
  about a second, and reads (:func:`read_bytes`) likewise.
- :func:`move_aside` renames a bad file out of the way without overwriting an
  earlier one.
- :func:`locked` is an exclusive lock between processes (and threads): the
  operating system's own where there is one, ``fcntl.flock`` on POSIX and
  ``msvcrt.locking`` on Windows, both released by the system when the holder
  dies. Elsewhere (and in the test suite, which runs the storage tests a second
  time with ``fcntl`` hidden) a lock file created exclusively, holding its
  holder's process id; a holder that died is recognised and its file removed,
  so a killed papercli never blocks the next one for good.
- File modes: on Windows only the read-only flag of a mode has a meaning.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

_WINDOWS = sys.platform == "win32"
T = TypeVar("T")

# Windows: how long to keep trying a replace or read that a sharing violation refused.
_SHARING_RETRY_DELAYS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4)


def _retry_sharing(action: Callable[[], T]) -> T:
    """``action()``; on Windows a ``PermissionError`` (another process has the file
    open, or it is being deleted) is tried again for about a second."""
    if not _WINDOWS:
        return action()
    for delay in _SHARING_RETRY_DELAYS:
        try:
            return action()
        except PermissionError:
            time.sleep(delay)
    return action()


def replace(source: str | Path, target: str | Path) -> None:
    """Move ``source`` over ``target`` atomically (:func:`os.replace`)."""
    _retry_sharing(lambda: os.replace(source, target))


def read_bytes(path: Path) -> bytes:
    """The bytes of ``path`` (a Windows sharing violation is tried again)."""
    return _retry_sharing(path.read_bytes)


def read_bytes_stamped(path: Path) -> tuple[bytes, tuple[int, int]]:
    """The bytes of ``path`` and the (mtime_ns, size) of the very file read (its
    descriptor's, so a file replaced meanwhile is not mistaken for the one read)."""

    def read() -> tuple[bytes, tuple[int, int]]:
        with path.open("rb") as handle:
            st = os.fstat(handle.fileno())
            return handle.read(), (st.st_mtime_ns, st.st_size)

    return _retry_sharing(read)


def write_target(path: Path) -> Path:
    """The file that writing ``path`` replaces: ``path``, or where it links to (a link to
    a synced or a dotfiles copy stays a link, and that copy is what changes). OSError
    for a link in a loop, or into a folder that does not exist (papercli creates no
    folders outside its own)."""
    if not path.is_symlink():
        return path
    try:
        target = path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop (Python 3.11)
        raise OSError(errno.ELOOP, "a symbolic link in a loop", str(path)) from None
    if not target.parent.is_dir():
        raise OSError(errno.ENOENT, f"a link into {target.parent}, which does not exist")
    return target


def atomic_write_text(
    path: Path, text: str | bytes, mode: int | None = None, *, follow_links: bool = False
) -> None:
    """Write ``text`` (UTF-8, newlines as given; bytes as they are) to ``path`` via a
    temporary file in the same folder and :func:`replace`: a reader sees the old file or
    the new one, whole. With ``follow_links`` (the user's own files: state, config), a
    link is written through (:func:`write_target`); else a link is replaced (papercli's
    cache never writes outside its folder).

    The temporary file is private (0600 on POSIX); ``mode`` gives it other
    permissions before the move, so the file never appears with the wrong ones.
    On Windows only the read-only bit of a mode has a meaning.
    """
    if follow_links:
        path = write_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # writes only: a listing read from the cache never loads it

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            if mode is not None:
                _set_mode(handle.fileno(), tmp, mode)
        replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            if _WINDOWS:  # a read-only file cannot be deleted there
                os.chmod(tmp, stat.S_IWRITE | stat.S_IREAD)
            os.unlink(tmp)
        raise


STALE_TEMP_SECONDS = 3600  # a temporary file this old was left by a killed process


def remove_stale_temps(path: Path) -> int:
    """Remove the temporary files that :func:`atomic_write_text` left beside ``path``
    when killed before its rename (an hour old or more: none is being written); how
    many went. Never fails: they are only litter."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    gone = 0
    for temp in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if temp.stat().st_mtime < cutoff:
                temp.unlink()
                gone += 1
    return gone


def create_aside(path: Path, suffix: str, data: bytes) -> Path:
    """Write ``data`` to a new file ``NAME.SUFFIX`` beside ``path`` (or ``-2``, ``-3``...:
    never over an earlier one), leaving ``path`` as it is; the file made. OSError when
    it cannot be written."""
    n = 1
    while True:
        target = path.with_name(f"{path.name}.{suffix}" + (f"-{n}" if n > 1 else ""))
        n += 1
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return target


_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def _set_mode(fd: int, path: str, mode: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:  # Windows: no fchmod; chmod maps the mode to the read-only attribute
        os.chmod(path, mode)


def file_mode(path: Path) -> int:
    """The permissions to give ``path``: the old file's (when replacing it), else the umask's.

    (Reading the umask means setting it for a moment: there is no other portable way.)
    """
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def move_aside(path: Path, suffix: str) -> Path:
    """Rename ``path`` (a file or a folder) to ``NAME.SUFFIX``, or ``NAME.SUFFIX-2``,
    ``-3``... when that exists: an earlier file set aside is never overwritten.

    Raises OSError when it cannot be moved (gone meanwhile, read-only folder).
    """
    n = 1
    while True:
        target = path.with_name(f"{path.name}.{suffix}" + (f"-{n}" if n > 1 else ""))
        n += 1
        if target.exists() or target.is_symlink():
            continue
        try:
            # os.rename, not os.replace: on Windows it refuses an existing target, so a
            # name taken since the check above is passed over (POSIX would overwrite).
            os.rename(path, target)
        except FileExistsError:
            continue
        return target


def own_process_group() -> dict[str, Any]:
    """Arguments of :class:`subprocess.Popen` that start a child in a process group of
    its own, so that the terminal's Ctrl-C reaches only this process (which then stops
    the child): a new session on POSIX, a new process group on Windows."""
    import subprocess

    if _WINDOWS:
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


# --- the lock -----------------------------------------------------------------------------

LockKind = Literal["flock", "msvcrt", "portable"]


def lock_kind() -> LockKind:
    """The lock this platform gets: ``flock`` where :mod:`fcntl` imports, ``msvcrt`` where
    that does (Windows), else the portable lock file."""
    try:
        import fcntl  # noqa: F401
    except ImportError:
        try:
            import msvcrt  # noqa: F401
        except ImportError:
            return "portable"
        return "msvcrt"
    return "flock"


@contextlib.contextmanager
def locked(path: Path, mode: int = 0o644) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) until the block ends.

    Blocks until other processes (and other threads) let go. Raises OSError when
    the lock cannot be made (a read-only folder); callers turn that into their
    message. The portable lock uses ``PATH.held`` beside ``path`` instead.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    kind = lock_kind()
    if kind == "portable":
        with _portable_lock(path.with_name(path.name + HELD_SUFFIX), mode):
            yield
        return
    acquire, release = (
        (_flock_acquire, _flock_release) if kind == "flock" else (_msvcrt_acquire, _msvcrt_release)
    )
    fd = os.open(path, os.O_RDWR | os.O_CREAT, mode)
    try:
        acquire(fd)
        try:
            yield
        finally:
            release(fd)
    finally:
        os.close(fd)  # also releases the lock, should the release have failed


def _flock_acquire(fd: int) -> None:
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX)


def _flock_release(fd: int) -> None:
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


# msvcrt.locking locks bytes from the file position; papercli locks the first byte
# (locking past the end of a file is allowed, and the lock file stays empty).
_MSVCRT_BYTES = 1
# LK_LOCK tries for about ten seconds and then fails with EDEADLOCK; contention can also
# show as EACCES. Those mean "still held": try again. Anything else is a real error.
_MSVCRT_BUSY = frozenset({errno.EACCES, errno.EDEADLK, getattr(errno, "EDEADLOCK", errno.EDEADLK)})


def _msvcrt_acquire(fd: int) -> None:
    import msvcrt

    while True:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_LOCK, _MSVCRT_BYTES)  # type: ignore[attr-defined]
            return
        except OSError as exc:
            if exc.errno not in _MSVCRT_BUSY:
                raise


def _msvcrt_release(fd: int) -> None:
    import msvcrt

    os.lseek(fd, 0, os.SEEK_SET)
    with contextlib.suppress(OSError):  # closing the file releases it anyway
        msvcrt.locking(fd, msvcrt.LK_UNLCK, _MSVCRT_BYTES)  # type: ignore[attr-defined]


# --- the portable lock file -----------------------------------------------------------
#
# The lock is held by whoever created PATH.held; the file holds "<pid> <random token>",
# written in full before the name appears (a private file hard-linked into place; where
# hard links are not possible, created with O_EXCL and then written). Waiting processes
# poll. A holder whose pid no longer runs died holding the lock: its file is removed,
# but only by one process at a time and only while it is still that holder's file:
#
#   - removal is guarded by a claim file PATH.held.break-<holder>-<n>, created
#     exclusively: one process per holder removes, and it checks under its claim that
#     PATH.held still names that holder (tokens never repeat, so a holder's file that
#     was already replaced is never removed again);
#   - a claim whose own maker died is passed over for generation n+1.
#
# A file that names no holder (its writer died between creating and writing it, only
# possible without hard links) counts as dead once it is a few seconds old.
#
# Whoever removes a dead holder's file also removes the private files of dead processes.
#
# Limits: process ids are checked on this machine only (a folder shared over the network
# between machines needs another lock), a process that is killed but not yet reaped by its
# parent counts as running, and a claim left by a process killed while removing a dead
# holder's file stays behind (a few bytes, never in the way).

HELD_SUFFIX = ".held"
_UNREADABLE_STALE_SECONDS = 10.0
_POLL_SECONDS = (0.002, 0.005, 0.01, 0.02, 0.05)


@dataclass(frozen=True, slots=True)
class _Holder:
    """What a lock or claim file says: its text (the identity), the pid, the age."""

    text: str
    pid: int | None  # None: no readable pid in it
    age: float

    @property
    def identity(self) -> str:
        return self.text

    def dead(self) -> bool:
        if self.pid is None:
            return self.age > _UNREADABLE_STALE_SECONDS
        return not _pid_alive(self.pid)


def _read_holder(path: Path) -> _Holder | None:
    """The holder ``path`` names, or None when there is no such file."""
    try:
        with open(path, "rb") as handle:
            st = os.fstat(handle.fileno())
            raw = handle.read(256)
    except FileNotFoundError:
        return None
    text = raw.decode("ascii", "replace").strip()
    pid_text, _, token = text.partition(" ")
    age = max(0.0, time.time() - st.st_mtime)
    if pid_text.isdigit() and token:
        return _Holder(text, int(pid_text), age)
    # Nothing readable: the file's own identity stands in for a token.
    return _Holder(f"? {st.st_ino} {st.st_mtime_ns} {st.st_size} {text}", None, age)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if _WINDOWS:  # os.kill(pid, 0) would end the process there; Windows uses msvcrt
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but is not ours (EPERM)
        return True
    return True


def _create_exclusive(path: Path, text: str, mode: int) -> bool:
    """Create ``path`` holding ``text``, whole, unless the name exists (then False)."""
    link = getattr(os, "link", None)
    if link is not None:
        tmp = path.with_name(f"{path.name}.{os.getpid()}-{os.urandom(6).hex()}.new")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            try:
                os.write(fd, text.encode("ascii"))
            finally:
                os.close(fd)
            try:
                link(tmp, path)
                return True
            except FileExistsError:
                return False
            except OSError:
                if os.stat(tmp).st_nlink == 2:  # linked after all (a network file system)
                    return True
                # No hard links on this file system: O_EXCL below.
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        return False
    try:
        os.write(fd, text.encode("ascii"))
    finally:
        os.close(fd)
    return True


def _remove_if(path: Path, identity: str) -> None:
    """Remove ``path`` when it still names ``identity``."""
    now = _read_holder(path)
    if now is not None and now.identity == identity:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _break(held: Path, holder: _Holder, me: str, mode: int) -> bool:
    """Remove ``held``, whose ``holder`` died, unless it changed meanwhile; False when
    another process is at it (then wait a moment)."""
    import hashlib

    key = hashlib.sha256(holder.identity.encode()).hexdigest()[:16]
    n = 1
    while True:
        claim = held.with_name(f"{held.name}.break-{key}-{n}")
        if _create_exclusive(claim, me, mode):
            try:
                _remove_if(held, holder.identity)
                _sweep(held)
            finally:
                with contextlib.suppress(OSError):
                    claim.unlink()
            return True
        other = _read_holder(claim)
        if other is None:
            return True  # its maker just finished: look at the lock again
        if not other.dead():
            return False  # its maker is at it
        n += 1  # its maker died: the next generation


def _sweep(held: Path) -> None:
    """Remove the private files (``*.<pid>-<random>.new``) of processes killed between
    writing and linking one: nobody else ever links them."""
    import glob

    for leftover in held.parent.glob(glob.escape(held.name) + ".*.new"):
        pid = leftover.name[: -len(".new")].rpartition(".")[2].partition("-")[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                leftover.unlink()


@contextlib.contextmanager
def _portable_lock(held: Path, mode: int) -> Iterator[None]:
    me = f"{os.getpid()} {os.urandom(16).hex()}"
    polls = 0
    while not _create_exclusive(held, me, mode):
        holder = _read_holder(held)
        if holder is None:
            continue  # let go just now
        if holder.dead() and _break(held, holder, me, mode):
            continue
        time.sleep(_POLL_SECONDS[min(polls, len(_POLL_SECONDS) - 1)])
        polls += 1
    try:
        yield
    finally:
        _remove_if(held, me)
