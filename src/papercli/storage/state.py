"""Remembered papers: seen in a listing (``--new``) and reported by a watch rule.

Files under the state folder, keyed by paper id without version (a replaced
version is not new)::

    state/seen.json       {"schema": 1, "ids": {"2501.01234": "2026-11-26", ...}}
    state/watch.json      {"schema": 1, "rules": {"NAME": {"2501.01234": "2026-11-26"}}}
    state/last.json       {"schema": 1, "listing": {"ids": ["2501.01234", ...], "caption": "..."}}

``last.json`` is the last numbered table shown (``papers show 3`` is its third paper);
it is replaced whole each time, under the same lock.

Every change is a read-merge-write under an exclusive lock on ``state/.lock``
(:func:`papercli.storage.files.locked`), written atomically (temporary file and
rename), so concurrent
runs never lose each other's updates and an interrupted run leaves either the
old or the new file. A file that does not parse is set aside (renamed
``*.corrupt-<time>``) with a warning, and papercli starts afresh; but for a file
kept with a copy (the library: ``copy=True``), which is then put back in its
place, under the lock, and said so.

The copy (``NAME.bak``) is written after the file itself at each change, as a file
of its own (a hard link would share the damage of a file edited in place): it holds
the same text, unless the second write failed (a full disk), when it is one change
older. A copy that does not parse either is not used.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from papercli.errors import PapersError
from papercli.models import split_version
from papercli.storage.files import (
    atomic_write_text,
    create_aside,
    locked,
    move_aside,
    read_bytes,
    remove_stale_temps,
    write_target,
)

SCHEMA_VERSION = 1
SEEN_FILE = "seen.json"
WATCH_FILE = "watch.json"
LAST_FILE = "last.json"
COPY_SUFFIX = ".bak"  # the copy of a file kept with one


def base_id(paper_id: str) -> str:
    return split_version(paper_id.strip())[0]


_DAMAGE = (ValueError, KeyError, UnicodeDecodeError, RecursionError)  # a file that does not parse


def _table(data: bytes, key: str) -> dict[str, Any]:
    """The table ``key`` of a state file's bytes; one of :data:`_DAMAGE` if it is not one."""
    try:
        parsed = json.loads(data.decode("utf-8-sig"))  # (a BOM an editor added: fine)
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    if not isinstance(parsed, dict) or parsed.get("schema") != SCHEMA_VERSION:
        raise ValueError("not a papercli state file of this version")
    value = parsed[key]
    if not isinstance(value, dict):
        raise ValueError("wrong shape")
    return value


def _whole_table(path: Path, key: str) -> dict[str, Any] | None:
    """The table of the file at ``path``, or None when it is missing or does not parse."""
    try:
        return _table(read_bytes(path), key)
    except (OSError, *_DAMAGE):
        return None


_HELD = threading.local()  # the state folders whose lock this thread holds


def _held_roots() -> set[str]:
    roots: set[str] | None = getattr(_HELD, "roots", None)
    if roots is None:
        roots = _HELD.roots = set()
    return roots


class State:
    def __init__(self, root: Path, warn: Callable[[str], None] = lambda m: None) -> None:
        self.root = root
        self.warn = warn

    @property
    def _held(self) -> bool:
        return os.path.abspath(self.root) in _held_roots()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the state lock (exclusive; blocks until other papercli runs let go). In a
        thread that holds it already (through any :class:`State` of the same folder),
        it is held, not taken twice: the lock is not re-entrant."""
        key = os.path.abspath(self.root)
        roots = _held_roots()
        if key in roots:
            yield
            return
        with contextlib.ExitStack() as stack:
            try:
                stack.enter_context(locked(self.root / ".lock"))
            except OSError as exc:
                raise PapersError(
                    f"Cannot use the state folder {self.root}: {exc.strerror or exc}."
                ) from exc
            roots.add(key)
            try:
                yield
            finally:
                roots.discard(key)

    def _read(self, name: str, key: str, *, copy: bool = False) -> dict[str, Any]:
        path = self.root / name
        try:
            return _table(read_bytes(path), key)
        except FileNotFoundError:
            if copy and (self.root / (name + COPY_SUFFIX)).exists():
                # Gone, its copy still there (a synced copy renamed away): mended from it.
                return self._mend(name, key, "is missing", copy)
            if path.is_symlink():  # (a synced copy's link, its target gone: said, not trusted)
                self.warn(f"State file {path} is a link to a file that does not exist.")
            return {}
        except OSError as exc:
            raise PapersError(
                f"Cannot use the state folder {self.root}: {exc.strerror or exc}."
            ) from exc
        except _DAMAGE as exc:
            if isinstance(exc, RecursionError):
                exc = ValueError("JSON nested too deeply")
            return self._mend(name, key, f"was unreadable ({exc})", copy)

    def _mend(self, name: str, key: str, what: str, copy: bool) -> dict[str, Any]:
        """A file missing or damaged (``what``), under the lock and read again there:
        another run may have written (or mended) it since, and a good file is never set
        aside. Then :meth:`_put_back` (``copy``), else :meth:`_start_afresh`."""
        lock = contextlib.ExitStack()
        if not self._held:
            with contextlib.suppress(PapersError):  # (a read-only folder: as it is)
                lock.enter_context(self.locked())
        with lock:
            mended = _whole_table(self.root / name, key)
            if mended is not None:
                return mended
            if copy:
                return self._put_back(name, key, what)
            return self._start_afresh(name, what)

    def _start_afresh(self, name: str, what: str) -> dict[str, Any]:
        path = self.root / name
        try:
            aside = move_aside(path, f"corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
        except OSError:
            self.warn(f"State file {path} {what}; it could not be set aside: ignored for now.")
        else:
            self.warn(f"State file {path} {what}; set aside as {aside.name}, starting afresh.")
        return {}

    def _put_back(self, name: str, key: str, what: str) -> dict[str, Any]:
        """A file kept with a copy, damaged or missing (the lock held): its bytes kept
        aside (a copy: a link in its place stays a link), and its copy written in its
        place when that reads, else an empty table. Said either way; when the write
        fails, the damaged file stays where it is (and is mended next time)."""
        path = self.root / name
        said = f"State file {path} {what}"
        with contextlib.suppress(OSError):  # (a missing file: nothing to keep)
            data = path.read_bytes()
            stamp = time.strftime("%Y%m%dT%H%M%S")
            said += f"; kept as {create_aside(path, f'corrupt-{stamp}', data).name}"
        saved = self.root / (name + COPY_SUFFIX)
        table = _whole_table(saved, key)
        if table is None:
            said += ", and it has no copy that reads"
            if self._written(name, key, {}, f"{said}; an empty one"):
                self.warn(f"{said}: starting afresh.")
            return {}
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(saved.stat().st_mtime))
        if self._written(name, key, table, f"{said}; its copy {saved.name}, used for now,"):
            self.warn(f"{said}; its copy of {when} ({len(table)} entries) put in its place.")
        return table

    def _written(self, name: str, key: str, table: dict[str, Any], said: str) -> bool:
        """Whether ``table`` was written as ``name``; if not, ``said`` and why."""
        try:
            self._write(name, key, table)
        except PapersError as err:
            self.warn(f"{said} could not be written in its place ({err})")
            return False
        return True

    def _write(self, name: str, key: str, value: dict[str, Any], *, copy: bool = False) -> None:
        """Write a state file (through a link: a synced or dotfiles copy stays one), and
        with ``copy`` its copy after it (``NAME.bak``)."""
        path = self.root / name
        text = json.dumps({"schema": SCHEMA_VERSION, key: value}, ensure_ascii=False)
        try:
            atomic_write_text(path, text, follow_links=True)
        except OSError as exc:
            raise PapersError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
        with contextlib.suppress(OSError):  # (left by a run killed while writing)
            remove_stale_temps(write_target(path))
        if copy:
            saved = self.root / (name + COPY_SUFFIX)
            try:
                atomic_write_text(saved, text, follow_links=True)
            except OSError as exc:
                with contextlib.suppress(OSError):  # never an old copy to mend from
                    saved.unlink()
                self.warn(
                    f"Could not write the copy {saved} ({exc.strerror or exc}): a damaged "
                    f"{name} could not be mended from it."
                )

    # -- any table: what other stores (the library) build on --------------------------
    def read_table(self, name: str, key: str, *, copy: bool = False) -> dict[str, Any]:
        """The table ``key`` of the state file ``name`` (empty when there is none).
        ``copy``: the file is kept with a copy, put back in its place if it is damaged."""
        return self._read(name, key, copy=copy)

    def update_table(
        self,
        name: str,
        key: str,
        change: Callable[[dict[str, Any]], bool],
        *,
        copy: bool = False,
    ) -> dict[str, Any]:
        """Read-merge-write under the lock: ``change`` edits the table in place and says
        whether it changed (only then is the file written, and with ``copy`` its copy
        after it). Returns the table."""
        with self.locked():
            table = self._read(name, key, copy=copy)
            if change(table):
                self._write(name, key, table, copy=copy)
            return table

    # -- seen in listings ------------------------------------------------------------
    def seen_ids(self) -> set[str]:
        return set(self._read(SEEN_FILE, "ids"))

    def mark_seen(self, ids: Iterable[str], today: dt.date | None = None) -> int:
        """Remember ``ids`` as seen; returns how many were new."""
        stamp = (today or dt.date.today()).isoformat()
        wanted = {base_id(i) for i in ids}
        if not wanted:
            return 0
        with self.locked():
            seen = self._read(SEEN_FILE, "ids")
            fresh = wanted - seen.keys()
            if fresh:
                seen.update(dict.fromkeys(fresh, stamp))
                self._write(SEEN_FILE, "ids", seen)
        return len(fresh)

    # -- reported by watch rules -----------------------------------------------------
    def reported(self, rule: str) -> set[str]:
        rules = self._read(WATCH_FILE, "rules")
        value = rules.get(rule)
        return set(value) if isinstance(value, dict) else set()

    def mark_reported(
        self, by_rule: dict[str, Iterable[str]], today: dt.date | None = None
    ) -> None:
        """Remember, per rule name, the ids reported (read-merge-write under the lock)."""
        stamp = (today or dt.date.today()).isoformat()
        with self.locked():
            rules = self._read(WATCH_FILE, "rules")
            changed = False
            for rule, ids in by_rule.items():
                known = rules.get(rule)
                if not isinstance(known, dict):
                    known = rules[rule] = {}
                for i in ids:
                    key = base_id(i)
                    if key not in known:
                        known[key] = stamp
                        changed = True
            if changed:
                self._write(WATCH_FILE, "rules", rules)

    def forget_rule(self, rule: str) -> None:
        with self.locked():
            rules = self._read(WATCH_FILE, "rules")
            if rules.pop(rule, None) is not None:
                self._write(WATCH_FILE, "rules", rules)

    # -- the last listing shown (papers show N) -----------------------------------------
    def remember_listing(self, ids: Iterable[str], caption: str) -> None:
        """Remember the ids of the listing just shown, in the order of its ranks."""
        value = {"ids": list(ids), "caption": caption}
        with self.locked():
            if self._read(LAST_FILE, "listing") != value:  # the same listing again: no write
                self._write(LAST_FILE, "listing", value)

    def last_listing(self) -> tuple[list[str], str] | None:
        """The ids and caption of the last listing shown, or None."""
        value = self._read(LAST_FILE, "listing")
        ids, caption = value.get("ids"), value.get("caption", "")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return None
        return ids, caption if isinstance(caption, str) else ""
