"""The local JSON cache: one file per source and listing, written atomically.

Layout under the cache folder::

    hf/day/2026-11-26.json      hf/week/2026-W48.json      hf/month/2026-11.json
    hf/paper/2501.01234.json    arxiv/rss/cs.CL+cs.LG/2026-11-26.json
    arxiv/paper/2501.01234.json

Each file is ``{"schema": N, "source", "kind", "key", "fetched_at", "meta", "papers"}``.
A file that does not parse, has another schema version or the wrong shape is set
aside (renamed to ``*.corrupt-<timestamp>``, never deleted) and reported through
the ``warn`` callback; callers then refetch.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from papercli.models import Paper
from papercli.storage.files import (
    atomic_write_text,
    move_aside,
    read_bytes,
    read_bytes_stamped,
)

SCHEMA_VERSION = 1
_SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+_-]{0,199}", re.ASCII)

# papercli's own files: source -> kind -> the form of a key. Only files of this layout are
# read, indexed, set aside or deleted; anything else under the cache folder (a user's
# notes, a backup copy) is left alone.
_DAY = r"\d{4}-\d{2}-\d{2}"
_CATS = r"[A-Za-z0-9][A-Za-z0-9.+_-]{0,199}"
LAYOUT: dict[str, dict[str, re.Pattern[str] | None]] = {
    "hf": {
        "day": re.compile(_DAY, re.ASCII),
        "week": re.compile(r"\d{4}-W\d{2}", re.ASCII),
        "month": re.compile(r"\d{4}-\d{2}", re.ASCII),
        "paper": None,  # a paper id (papercli.ids)
    },
    "arxiv": {
        "rss": re.compile(f"{_CATS}/{_DAY}", re.ASCII),
        "api": re.compile(f"{_CATS}/{_DAY}", re.ASCII),
        "paper": None,
    },
}


def split_relative(rel: str) -> tuple[str, str, str]:
    """(source, kind, key) of a cache file's path relative to the cache folder
    (``hf/day/2025-07-15.json``: the inverse of :meth:`Cache.relative`)."""
    source, kind, rest = rel.split("/", 2)
    return source, kind, rest[: -len(".json")]


def is_own_file(rel: tuple[str, ...] | list[str]) -> bool:
    """Whether a path under the cache folder (its parts) is one papercli writes."""
    from papercli.ids import is_paper_id

    if len(rel) < 3 or not rel[-1].endswith(".json"):
        return False
    kinds = LAYOUT.get(rel[0])
    if kinds is None or rel[1] not in kinds:
        return False
    key = "/".join(rel[2:])[: -len(".json")]
    pattern = kinds[rel[1]]
    return is_paper_id(key) if pattern is None else bool(pattern.fullmatch(key))


Warn = Callable[[str], None]
Waiting = Callable[[str], AbstractContextManager[None]]  # a sign of life: what is awaited


def _no_warn(message: str) -> None:
    pass


def no_sign(what: str) -> AbstractContextManager[None]:
    """A :data:`Waiting` that shows nothing (tests, and commands without a terminal UI)."""
    return nullcontext()


@dataclass(frozen=True, slots=True)
class Entry:
    source: str
    kind: str
    key: str
    fetched_at: float
    papers: list[Paper]
    meta: dict[str, Any] = field(default_factory=dict)

    def age_seconds(self, now: float | None = None) -> float:
        return max(0.0, (now if now is not None else time.time()) - self.fetched_at)


@dataclass(frozen=True, slots=True)
class Located:
    """An entry as read for the search index: ``spans[i]`` is the (byte offset,
    length) of ``entry.papers[i]``'s record in the file (None: not known, the file
    is not UTF-8), ``stamp`` the (mtime_ns, size) of the file read."""

    entry: Entry
    spans: list[tuple[int, int]] | None
    stamp: tuple[int, int]


def describe_age(seconds: float) -> str:
    if seconds < 90:
        count, unit = round(seconds), "second"
    elif seconds < 90 * 60:
        count, unit = round(seconds / 60), "minute"
    elif seconds < 36 * 3600:
        count, unit = round(seconds / 3600), "hour"
    else:
        count, unit = round(seconds / 86400), "day"
    return f"{count} {unit}{'' if count == 1 else 's'}"


class Cache:
    def __init__(self, root: Path, warn: Warn = _no_warn, waiting: Waiting = no_sign) -> None:
        self.root = root
        self.warn = warn
        self.waiting = waiting  # around work that may take long (building the index)
        self._said: set[str] = set()
        # Every file save() could not write: (path, reason). Batch commands (sync) count a
        # listing they could not write as failed, and say so themselves (quiet_unsaved).
        self.unsaved: list[tuple[Path, str]] = []
        self.quiet_unsaved = False

    def warn_once(self, message: str) -> None:
        """``warn``, but a message said before (by this cache object) is not repeated."""
        if message not in self._said:
            self._said.add(message)
            self.warn(message)

    def path(self, source: str, kind: str, key: str) -> Path:
        for part in (source, kind, *key.split("/")):
            if not _SAFE_PART.fullmatch(part) or ".." in part:
                raise ValueError(f"unsafe cache path part {part!r}")
        return self.root.joinpath(source, kind, *key.split("/")).with_name(
            key.split("/")[-1] + ".json"
        )

    def relative(self, source: str, kind: str, key: str) -> str:
        """The entry's file path relative to the cache root, with "/" separators."""
        return self.path(source, kind, key).relative_to(self.root).as_posix()

    def load(self, source: str, kind: str, key: str) -> Entry | None:
        """The cached entry, or None when absent. Bad files are set aside."""
        found = self._load(source, kind, key, located=False)
        return found.entry if found is not None else None

    def load_located(self, source: str, kind: str, key: str) -> Located | None:
        """:meth:`load`, with where each paper's record lies in the file (the search
        index reads records back from there) and the stamp of the file read."""
        return self._load(source, kind, key, located=True)

    def _load(self, source: str, kind: str, key: str, *, located: bool) -> Located | None:
        path = self.path(source, kind, key)
        stamp = (0, 0)
        try:
            if located:
                raw, stamp = read_bytes_stamped(path)
            else:
                raw = read_bytes(path)
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            self.set_aside(path, "a folder where a cache file belongs")
            return None
        except OSError as exc:
            self.warn(f"Cannot read cache file {path}: {exc.strerror or exc}.")
            return None
        try:
            if not located:
                return Located(self._decode(raw, source, kind, key), None, stamp)
            return self.located(raw, stamp, source, kind, key)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            self.set_aside(path, str(exc)[:200])
            return None
        except RecursionError:
            self.set_aside(path, "JSON nested too deeply")
            return None

    @staticmethod
    def located(raw: bytes, stamp: tuple[int, int], source: str, kind: str, key: str) -> Located:
        """The :class:`Located` entry of a file's bytes (ValueError, TypeError...: not a
        cache file; :meth:`load_located` sets such a file aside)."""
        from papercli.storage.records import parse_listing

        data, spans = parse_listing(raw)
        return Located(Cache._entry(data, source, kind, key), spans, stamp)

    @staticmethod
    def _decode(raw: bytes, source: str, kind: str, key: str) -> Entry:
        return Cache._entry(json.loads(raw), source, kind, key)

    @staticmethod
    def _entry(data: Any, source: str, kind: str, key: str) -> Entry:
        """The entry of a parsed cache file (ValueError, TypeError...: not one)."""
        if not isinstance(data, dict):
            raise ValueError("not a cache file")
        if data.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"schema version {data.get('schema')!r}, expected {SCHEMA_VERSION}")
        fetched_at = data["fetched_at"]
        if not isinstance(fetched_at, int | float) or not isinstance(data["papers"], list):
            raise ValueError("wrong shape")
        papers = [Paper.from_record(r) for r in data["papers"]]
        meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
        return Entry(source, kind, key, float(fetched_at), papers, meta)

    def set_aside(self, path: Path, reason: str) -> Path | None:
        """Rename a bad file (or folder) out of the way; never delete it."""
        try:
            target = move_aside(path, f"corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
        except OSError:
            self.warn(f"Ignoring unreadable cache file {path} ({reason}).")
            return None
        self.warn(f"Cache file {path.name} was unreadable ({reason}); set aside as {target.name}.")
        return target

    def save(
        self,
        source: str,
        kind: str,
        key: str,
        papers: list[Paper],
        meta: dict[str, Any] | None = None,
        fetched_at: float | None = None,
    ) -> Entry:
        entry = Entry(
            source, kind, key, fetched_at if fetched_at is not None else time.time(), papers
        )
        entry.meta.update(meta or {})
        document = {
            "schema": SCHEMA_VERSION,
            "source": source,
            "kind": kind,
            "key": key,
            "fetched_at": entry.fetched_at,
            "meta": entry.meta,
            "papers": [p.to_record() for p in papers],
        }
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        path = self.path(source, kind, key)
        if path.is_dir():
            self.set_aside(path, "a folder where a cache file belongs")
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            # The papers are still good to show; the old file (if any) is untouched.
            reason = exc.strerror or str(exc)
            self.unsaved.append((path, reason))
            if not self.quiet_unsaved:
                self.warn(f"Could not write the cache file {path}: {reason}.")
        return entry

    def keys(self, source: str, kind: str) -> list[str]:
        """Keys of one source's entries of one kind (``day`` keys sort by date)."""
        folder = self.root / source / kind
        if not folder.is_dir():
            return []
        out = []
        for path in folder.rglob("*.json"):
            key = path.relative_to(folder).with_suffix("").as_posix()
            # Files papercli did not name (copies, stray downloads) are not entries.
            if is_own_file((source, kind, *f"{key}.json".split("/"))):
                out.append(key)
        return sorted(out)

    def _walk(self) -> Iterator[Path]:
        """Every file and folder under the cache folder. A source's or a kind's folder of
        :data:`LAYOUT` may be a link (moved to another disk: followed, as every read
        follows it); no other link to a folder is followed (no loop, and nothing outside
        papercli's own folders is walked)."""
        if not self.root.is_dir():
            return
        for folder, subfolders, names in os.walk(self.root, followlinks=True):
            here = Path(folder)
            parts = here.relative_to(self.root).parts
            linkable = LAYOUT if not parts else LAYOUT.get(parts[0], {}) if len(parts) == 1 else {}
            subfolders[:] = [d for d in subfolders if d in linkable or not (here / d).is_symlink()]
            yield from (here / name for name in (*subfolders, *names))

    def _all_json(self) -> Iterator[tuple[Path, tuple[str, ...]]]:
        """Every JSON file under the cache folder (:meth:`_walk`)."""
        for path in self._walk():
            if path.name.endswith(".json") and path.is_file():
                yield path, path.relative_to(self.root).parts

    def files(self) -> Iterator[Path]:
        """papercli's own cache files (see :data:`LAYOUT`); nothing else in the folder."""
        yield from (path for path, rel in self._all_json() if is_own_file(rel))

    def foreign_files(self) -> list[Path]:
        """JSON files in the cache folder that papercli did not write (left alone)."""
        return sorted(path for path, rel in self._all_json() if not is_own_file(rel))

    def iter_entries(self, source: str | None = None) -> Iterator[Entry]:
        """Every readable listing entry (papers of single-paper files included): what
        local search reads when the index cannot be used."""
        for path in sorted(self.files()):
            rel = path.relative_to(self.root).parts
            if len(rel) < 3 or (source and rel[0] != source):
                continue
            key = "/".join(rel[2:])[: -len(".json")]
            entry = self.load(rel[0], rel[1], key)
            if entry is not None:
                yield entry

    def stats(self) -> dict[str, Any]:
        count = size = 0
        by_source: dict[str, int] = {}
        for path in self.files():
            count += 1
            size += path.stat().st_size
            src = path.relative_to(self.root).parts[0]
            by_source[src] = by_source.get(src, 0) + 1
        set_aside = sum(1 for path in self._walk() if ".corrupt-" in path.name)
        return {"files": count, "bytes": size, "by_source": by_source, "set_aside": set_aside}

    def clear(self) -> int:
        """Remove every cache file papercli wrote (and temporary files left by killed
        processes); returns how many. Set-aside files, and files papercli did not write,
        are kept (the latter named in one warning)."""
        removed = 0
        for path in list(self.files()):
            path.unlink(missing_ok=True)
            removed += 1
        for path in list(self._walk()):  # in a kind's folder
            parts = path.relative_to(self.root).parts
            own = len(parts) > 2 and parts[1] in LAYOUT.get(parts[0], {})
            if own and fnmatch.fnmatch(path.name, ".*.json.*.tmp") and path.is_file():
                path.unlink(missing_ok=True)
        foreign = self.foreign_files()
        if foreign:
            names = ", ".join(p.relative_to(self.root).as_posix() for p in foreign[:3])
            more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
            what = "file" if len(foreign) == 1 else "files"
            self.warn(f"Kept {len(foreign)} {what} papercli did not write: {names}{more}.")
        return removed
