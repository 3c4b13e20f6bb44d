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
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from papercli.errors import PapersError
from papercli.models import split_version
from papercli.storage.files import (
    atomic_write_text,
    locked,
    move_aside,
    read_bytes,
    remove_stale_temps,
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
    parsed = json.loads(data)
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


class State:
    def __init__(self, root: Path, warn: Callable[[str], None] = lambda m: None) -> None:
        self.root = root
        self.warn = warn
        self._held = False  # this object holds the lock (it is not taken twice)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the state lock (exclusive; blocks until other papercli runs let go)."""
        with contextlib.ExitStack() as stack:
            try:
                stack.enter_context(locked(self.root / ".lock"))
            except OSError as exc:
                raise PapersError(
                    f"Cannot use the state folder {self.root}: {exc.strerror or exc}."
                ) from exc
            self._held = True
            try:
                yield
            finally:
                self._held = False

    def _read(self, name: str, key: str, *, copy: bool = False) -> dict[str, Any]:
        path = self.root / name
        try:
            return _table(read_bytes(path), key)
        except FileNotFoundError:
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
            if self._held:
                return self._damaged(name, key, exc, copy)
            # Under the lock, and read again: another run may have written it (or mended
            # it) since, and a good file is never set aside.
            lock = contextlib.ExitStack()
            with contextlib.suppress(PapersError):  # (a read-only folder: as it is)
                lock.enter_context(self.locked())
            with lock:
                mended = _whole_table(path, key)
                return mended if mended is not None else self._damaged(name, key, exc, copy)

    def _damaged(self, name: str, key: str, exc: Exception, copy: bool) -> dict[str, Any]:
        """A file that does not parse: its copy put back (``copy``), else set aside."""
        if copy:
            return self._put_back(name, key, exc)
        self._set_aside(self.root / name)
        self.warn(
            f"State file {self.root / name} was unreadable ({exc}); set aside, starting afresh."
        )
        return {}

    @staticmethod
    def _set_aside(path: Path) -> Path | None:
        with contextlib.suppress(OSError):  # never over an earlier one
            return move_aside(path, f"corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
        return None

    def _put_back(self, name: str, key: str, exc: Exception) -> dict[str, Any]:
        """A damaged file kept with a copy (the lock held): set aside, and its copy put
        in its place when that reads; else a fresh start. Said either way."""
        path = self.root / name
        aside = self._set_aside(path)
        where = f"set aside as {aside.name}" if aside is not None else "left where it is"
        saved = self.root / (name + COPY_SUFFIX)
        table = _whole_table(saved, key)
        if table is None:
            self.warn(
                f"State file {path} was unreadable ({exc}); {where}, and it has no copy "
                "that reads: starting afresh."
            )
            return {}
        try:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(saved.stat().st_mtime))
            self._write(name, key, table, copy=False)
        except (OSError, PapersError) as err:
            self.warn(
                f"State file {path} was unreadable ({exc}); {where}. Its copy {saved.name} "
                f"is used for now, but could not be put in its place ({err})."
            )
            return table
        self.warn(
            f"State file {path} was unreadable ({exc}); {where}, and its copy of {when} "
            f"({saved.name}, {len(table)} entries) put in its place."
        )
        return table

    def _write(self, name: str, key: str, value: dict[str, Any], *, copy: bool = False) -> None:
        text = json.dumps({"schema": SCHEMA_VERSION, key: value}, ensure_ascii=False)
        try:
            atomic_write_text(self.root / name, text)
        except OSError as exc:
            raise PapersError(f"Cannot write {self.root / name}: {exc.strerror or exc}.") from exc
        remove_stale_temps(self.root / name)  # (left by a run killed while writing)
        if copy:
            # One change behind at worst (a full disk): what a damaged file is mended from.
            with contextlib.suppress(OSError):
                atomic_write_text(self.root / (name + COPY_SUFFIX), text)

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
