"""A derived search index over the JSON cache (SQLite FTS5, standard library).

The JSON files stay the record. The index lives beside them
(``<cache>/index/search-v5.sqlite3``), is brought up to date from the files
before every search (by path, modification time and size: new files are
added, changed ones re-read, removed ones dropped) and is thrown away and
rebuilt when it is unreadable, corrupt or of another version.

It is only a *prefilter*: it returns every row that can possibly match, and
:class:`papercli.query.Query` decides exactly. The hyphen/space-insensitive,
word-start prefix semantics make ordinary word tokens unsuitable (``minibatch``
must find "mini-batch", and ``mini-batch`` must find "minibatch"), so each
field is indexed as *word-start tokens*: for every position where a word starts,
the next :data:`TOKEN_CHARS` characters of the text with separators (white
space and hyphens) removed. A term matches at a word start exactly when the
separator-free text there begins with the separator-free term, so

* a term of at most ``TOKEN_CHARS`` characters matches only rows having a token
  that begins with it (an FTS5 prefix query), and
* a longer term matches only rows having its first ``TOKEN_CHARS`` characters
  as a token.

Both can only over-approximate (tokens map ASCII punctuation to ``_``, and long
terms are cut), never miss. Negations, terms that do not start with a word
character and one-character terms are not prefiltered (every row passes).
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papercli.errors import PapersError
from papercli.models import Paper
from papercli.query import Node
from papercli.storage.fts import (  # noqa: F401  (start_tokens, fts_safe: the index's API)
    COLUMNS,
    MIN_PREFIX,
    TOKEN_CHARS,
    fts_expression,
    fts_safe,
    paper_document,
    start_tokens,
)

if TYPE_CHECKING:
    import sqlite3

    from papercli.storage.cache import Cache

INDEX_VERSION = 5  # 4: accents folded (query.normalize); 5: date_key is listed day, then date


class IndexFault(PapersError):
    """The index could not answer; the caller answers from the JSON files instead."""


class IndexUnavailable(IndexFault):
    """The index cannot be opened or updated (a full, failing or read-only disk, or a
    second failure after a rebuild). It is kept as it is."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"The search index {path} cannot be used: {reason}.")
        self.reason = reason


class IndexDamaged(IndexFault):
    """The index failed while answering (corruption found late); it was removed, and
    the next use rebuilds it."""


# Errors of the machine, not of the index file: the disk is full or failing, the folder
# is read-only. The index is then kept (rebuilding would not help, and would lose it).
_ENVIRONMENT_ERRORS = (
    "SQLITE_FULL",
    "SQLITE_IOERR",
    "SQLITE_READONLY",
    "SQLITE_CANTOPEN",
    "SQLITE_PERM",
    "SQLITE_AUTH",
    "SQLITE_NOMEM",
    "SQLITE_NOLFS",
)


def environmental(exc: Exception) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return any(name == e or name.startswith(e + "_") for e in _ENVIRONMENT_ERRORS)


def describe_sqlite_error(exc: Exception, folder: Path | None = None) -> str:
    """What the user can act on. SQLite reports a full disk as SQLITE_FULL, or (when the
    write-ahead log or its shared memory cannot grow) as an I/O error: the file
    system's free space tells them apart."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR") and _no_space(folder)):
        return "No space left on device"
    if name.startswith("SQLITE_READONLY"):
        return f"read-only ({exc})"
    return f"{exc} ({name})" if name else str(exc)


def _no_space(folder: Path | None) -> bool:
    """Under 1 MB left where ``folder`` lives (portable: shutil.disk_usage)."""
    import shutil

    if folder is None:
        return False
    try:
        return shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        return False


def _rollback(db: sqlite3.Connection) -> None:
    """Roll back an open transaction. SQLite may have rolled it back already (a full
    disk): that is not an error, and must not hide the one that is being raised."""
    import sqlite3

    if db.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")


@dataclass
class UpdateStats:
    added: int = 0
    changed: int = 0
    removed: int = 0
    rebuilt: bool = False


_SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(
    id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL, source TEXT NOT NULL, fetched_at REAL NOT NULL);
CREATE TABLE papers(
    rowid INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, pid TEXT NOT NULL,
    day TEXT NOT NULL, hf INTEGER NOT NULL, fetched REAL NOT NULL,
    pub TEXT, lst TEXT, upvotes INTEGER, record BLOB NOT NULL);
CREATE INDEX papers_file ON papers(file_id);
CREATE INDEX papers_pid ON papers(pid);
CREATE TABLE ids(
    pid TEXT PRIMARY KEY, h_row INTEGER, o_row INTEGER, date_key TEXT, up_key INTEGER);
CREATE INDEX ids_date ON ids(date_key);
CREATE INDEX ids_up ON ids(up_key);
CREATE VIRTUAL TABLE fts USING fts5(
    {", ".join(COLUMNS)}, tokenize = "ascii tokenchars '_'", detail = column, content = '');
"""


_FTS_INSERT = f"INSERT INTO fts(rowid, {', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
_FTS_DELETE = (
    f"INSERT INTO fts(fts, rowid, {', '.join(COLUMNS)}) VALUES ('delete', ?, ?, ?, ?, ?, ?, ?, ?)"
)
_RECORD_FIELDS = tuple(f.name for f in fields(Paper))


def _compressed_record(p: Paper) -> bytes:
    """:meth:`Paper.to_record`, without ``dataclasses.asdict``'s deep copies, compressed."""
    record = {}
    for name in _RECORD_FIELDS:
        value = getattr(p, name)
        record[name] = list(value) if isinstance(value, tuple) else value
    return zlib.compress(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode(), 1)


def _decode(record: bytes) -> Paper:
    return Paper.from_record(json.loads(zlib.decompress(record)))


# The ids table holds, per paper id, its newest row of each kind (Hugging Face or
# not) and the sort keys of the merged paper: the values Paper.merged_with_hf and
# core.sort_papers use (date_key is core.listing.date_key: the listed day, else the
# published day, a space, the published date). It is recomputed for the ids a change
# touches.
_IDS_SQL = """
INSERT INTO ids(pid, h_row, o_row, date_key, up_key)
WITH ranked AS (
    SELECT rowid, pid, hf, pub, lst, upvotes, ROW_NUMBER() OVER (
        PARTITION BY pid, hf ORDER BY fetched DESC, rowid) AS rn
    FROM papers {where}),
best AS (
    SELECT pid,
        MAX(CASE WHEN hf = 1 THEN rowid END) AS h_row,
        MAX(CASE WHEN hf = 0 THEN rowid END) AS o_row,
        MAX(CASE WHEN hf = 1 THEN pub END) AS h_pub,
        MAX(CASE WHEN hf = 1 THEN lst END) AS h_lst,
        MAX(CASE WHEN hf = 1 THEN upvotes END) AS h_up,
        MAX(CASE WHEN hf = 0 THEN pub END) AS o_pub,
        MAX(CASE WHEN hf = 0 THEN lst END) AS o_lst,
        MAX(CASE WHEN hf = 0 THEN upvotes END) AS o_up
    FROM ranked WHERE rn = 1 GROUP BY pid)
SELECT pid, h_row, o_row,
    substr(COALESCE(lst, substr(COALESCE(pub, ''), 1, 10)), 1, 10) || ' ' || COALESCE(pub, ''),
    up
FROM (SELECT pid, h_row, o_row,
    CASE WHEN o_row IS NOT NULL THEN COALESCE(NULLIF(o_lst, ''), NULLIF(h_lst, ''))
        ELSE NULLIF(h_lst, '') END AS lst,
    CASE WHEN o_row IS NOT NULL THEN COALESCE(NULLIF(o_pub, ''), NULLIF(h_pub, ''))
        ELSE NULLIF(h_pub, '') END AS pub,
    COALESCE(CASE WHEN h_row IS NOT NULL THEN h_up ELSE o_up END, -1) AS up
    FROM best)
"""
_ORDERS = {"date": "ORDER BY ids.date_key DESC", "upvotes": "ORDER BY ids.up_key DESC"}


def _paper_day(p: Paper) -> str:
    return (p.listed or (p.published or "")[:10])[:10]


def scan_cache(cache: Cache) -> dict[str, tuple[int, int]]:
    """The JSON files of the cache (relative path -> mtime, size)."""
    root = cache.root
    out: dict[str, tuple[int, int]] = {}
    for path in cache.files():
        rel = path.relative_to(root)
        if len(rel.parts) < 3:
            continue
        try:
            st = path.stat()
        except OSError:
            continue
        out[rel.as_posix()] = (st.st_mtime_ns, st.st_size)
    return out


def diff_files(
    db: sqlite3.Connection, on_disk: dict[str, tuple[int, int]]
) -> tuple[dict[str, tuple[int, int, int]], list[str], list[str]]:
    """The indexed files (path -> id, mtime, size), those changed on disk, and new ones."""
    known = {
        path: (fid, mtime, size)
        for fid, path, mtime, size in db.execute("SELECT id, path, mtime_ns, size FROM files")
    }
    stale = [p for p, (_, m, s) in known.items() if on_disk.get(p) != (m, s)]
    new = [p for p in on_disk if p not in known]
    return known, stale, new


def delete_file_rows(db: sqlite3.Connection, fid: int) -> None:
    """Remove a file's papers from the index (FTS rows included)."""
    # The FTS table is contentless: a row is deleted by giving its values again,
    # which are recomputed (deterministically) from the stored record.
    rows = db.execute("SELECT rowid, record FROM papers WHERE file_id = ?", (fid,)).fetchall()
    for rowid, record in rows:
        paper = Paper.from_record(json.loads(zlib.decompress(record)))
        db.execute(_FTS_DELETE, (rowid, *paper_document(paper)))
    db.execute("DELETE FROM papers WHERE file_id = ?", (fid,))


def add_file(
    cache: Cache, db: sqlite3.Connection, rel: str, stamp: tuple[int, int], *, track: bool
) -> None:
    """Index the papers of one cache file (``rel``: its path under the cache folder)."""
    parts = rel.split("/")
    source, kind, key = parts[0], parts[1], "/".join(parts[2:])[: -len(".json")]
    try:
        entry = cache.load(source, kind, key)
    except ValueError:
        entry = None
    if entry is None:
        return  # unreadable (set aside by the cache) or gone: nothing to index
    cur = db.execute(
        "INSERT INTO files(path, mtime_ns, size, source, fetched_at) VALUES (?, ?, ?, ?, ?)",
        (rel, stamp[0], stamp[1], source, entry.fetched_at),
    )
    fid = cur.lastrowid
    hf = int(source == "hf")
    for p in entry.papers:
        cur = db.execute(
            "INSERT INTO papers(file_id, pid, day, hf, fetched, pub, lst, upvotes, record)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                fid,
                p.id,
                _paper_day(p),
                hf,
                entry.fetched_at,
                p.published,
                p.listed,
                p.upvotes,
                _compressed_record(p),
            ),
        )
        db.execute(_FTS_INSERT, (cur.lastrowid, *paper_document(p)))
    if track:
        db.execute("INSERT OR IGNORE INTO touched SELECT pid FROM papers WHERE file_id = ?", (fid,))


class SearchIndex:
    """The derived index of one cache folder. Use as a context manager."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.path = cache.root / "index" / f"search-v{INDEX_VERSION}.sqlite3"
        self._db: sqlite3.Connection | None = None

    # -- opening, trusting, rebuilding ---------------------------------------------------
    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _connect(self) -> sqlite3.Connection:
        import sqlite3

        # papercli's own places: anything else there is set aside (kept), not used.
        folder = self.path.parent
        if folder.exists() and not folder.is_dir():
            self.cache.set_aside(folder, "a file where the index folder belongs")
        if self.path.is_dir() and not self.path.is_symlink():
            self.cache.set_aside(self.path, "a folder where the index belongs")
        folder.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA cell_size_check=ON")
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            if not tables:
                self._remove_other_versions()
                db.execute("BEGIN IMMEDIATE")
                try:
                    if not {r[0] for r in db.execute("SELECT name FROM sqlite_master")}:
                        for statement in _SCHEMA.split(";"):
                            if statement.strip():
                                db.execute(statement)
                        db.execute(
                            "INSERT INTO meta VALUES ('version', ?), ('token_chars', ?)",
                            (str(INDEX_VERSION), str(TOKEN_CHARS)),
                        )
                    db.execute("COMMIT")
                except BaseException:
                    _rollback(db)
                    raise
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if meta != {"version": str(INDEX_VERSION), "token_chars": str(TOKEN_CHARS)}:
                raise sqlite3.DatabaseError(f"index of another version: {meta}")
        except BaseException:
            db.close()
            raise
        return db

    def _remove_other_versions(self) -> None:
        for path in self.path.parent.glob("search-v*.sqlite3*"):
            if not path.name.startswith(self.path.name):
                with contextlib.suppress(OSError):
                    path.unlink()

    def _discard(self) -> None:
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")

    def _with_rebuild(self, action: Any, *, fill: bool = True) -> Any:
        """Run ``action(db)``; on a corrupt or foreign index, discard it, rebuild it from
        the JSON files (``fill``) and try once more.

        A rebuilt index is filled before ``action`` runs again: it never answers from a
        half-made index. A disk that is full, failing or read-only is not corruption:
        the index is kept and :class:`IndexUnavailable` raised (callers then read the
        JSON files).
        """
        import sqlite3

        busy = 0
        rebuilt = False
        while True:
            try:
                if self._db is None:
                    self._db = self._connect()
                if rebuilt and fill:
                    self._update(self._db)
                return action(self._db)
            except OSError as exc:  # the folder: missing rights, a file in its place, ...
                self.close()
                raise IndexUnavailable(self.path, exc.strerror or str(exc)) from None
            except (sqlite3.DatabaseError, zlib.error, ValueError) as exc:
                # ValueError: text or a record SQLite read back from damaged pages
                # without complaint (UnicodeDecodeError, JSONDecodeError).
                name = getattr(exc, "sqlite_errorname", "")
                if name in ("SQLITE_BUSY", "SQLITE_LOCKED"):
                    # SQLite returns BUSY without waiting in a few cases (WAL set-up and
                    # recovery while other processes open the index): a few more tries.
                    if busy < 5:
                        import time

                        busy += 1
                        self.close()
                        time.sleep(0.05 * 2**busy)
                        continue
                    raise PapersError(
                        "The search index is busy (another papers command is updating it); "
                        "try again in a moment."
                    ) from None
                self.close()
                if environmental(exc):
                    raise IndexUnavailable(
                        self.path, describe_sqlite_error(exc, self.path.parent)
                    ) from None
                if rebuilt or str(exc).startswith("fts5:"):
                    # A second failure, or a query the index cannot run: rebuilding
                    # would not help (and must not throw a good index away).
                    raise IndexUnavailable(self.path, str(exc)) from None
                self.cache.warn(f"Rebuilding the search index ({exc}).")
                try:
                    self._discard()
                except OSError as err:
                    raise IndexUnavailable(self.path, err.strerror or str(err)) from None
                rebuilt = True

    # -- keeping up with the cache -------------------------------------------------------
    def update(self) -> UpdateStats:
        """Bring the index up to date with the JSON files."""
        return self._with_rebuild(self._update, fill=False)  # type: ignore[no-any-return]

    def _update(self, db: sqlite3.Connection) -> UpdateStats:
        stats = UpdateStats()
        on_disk = scan_cache(self.cache)
        _, stale, new = diff_files(db, on_disk)
        if not stale and not new:
            return stats
        db.execute("BEGIN IMMEDIATE")
        try:
            # Again under the write lock: another process may have done part of it.
            known, stale, new = diff_files(db, on_disk)
            stats.rebuilt = not known
            db.execute("CREATE TEMP TABLE IF NOT EXISTS touched(pid TEXT PRIMARY KEY)")
            db.execute("DELETE FROM touched")
            for path in stale:
                fid = known[path][0]
                db.execute(
                    "INSERT OR IGNORE INTO touched SELECT pid FROM papers WHERE file_id = ?",
                    (fid,),
                )
                delete_file_rows(db, fid)
                db.execute("DELETE FROM files WHERE id = ?", (fid,))
                if path in on_disk:
                    stats.changed += 1
                    new.append(path)
                else:
                    stats.removed += 1
            for path in sorted(new):
                if path not in known:
                    stats.added += 1
                add_file(self.cache, db, path, on_disk[path], track=bool(known))
            if known:
                db.execute("DELETE FROM ids WHERE pid IN (SELECT pid FROM touched)")
                db.execute(_IDS_SQL.format(where="WHERE pid IN (SELECT pid FROM touched)"))
            else:  # built from nothing: every id at once
                db.execute("DELETE FROM ids")
                db.execute(_IDS_SQL.format(where=""))
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
            raise
        return stats

    # -- searching -----------------------------------------------------------------------
    def candidates(
        self,
        node: Node | None,
        since: str | None = None,
        until: str | None = None,
        order: str | None = None,
    ) -> Iterator[Paper]:
        """One paper per id, for every id having a row that may match ``node`` and whose
        day lies in [since, until]: a superset of the answer; the caller decides.

        Per id, the newest Hugging Face record (it carries upvotes and the other
        signals) is merged into the newest record of another source, when both exist.
        ``order`` ``"date"`` or ``"upvotes"`` yields them in the order
        :func:`papercli.core.sort_papers` would put them (so a caller wanting the first
        N matches can stop early); otherwise in no particular order.
        """
        expr = fts_expression(node)
        where: list[str] = []
        args: list[Any] = []
        if expr is not None:
            where.append("rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
            args.append(expr)
        if since:
            where.append("day >= ?")
            args.append(since)
        if until:
            where.append("day <= ?")
            args.append(until)
        sql = (
            "SELECT h.record, o.record FROM ids"
            " LEFT JOIN papers h ON h.rowid = ids.h_row"
            " LEFT JOIN papers o ON o.rowid = ids.o_row"
        )
        if where:
            sql += f" WHERE ids.pid IN (SELECT pid FROM papers WHERE {' AND '.join(where)})"
        sql += " " + _ORDERS.get(order or "", "")
        cursor = self._with_rebuild(lambda db: db.execute(sql, args))
        return self._papers(cursor)

    def files_holding(self, paper_id: str) -> set[str] | None:
        """The cache files (paths relative to the cache root) that may hold this paper.

        Those the index lists for it, plus every file added or changed since the
        index last read it, so that reading just these files answers exactly what
        reading every file would. None when there is no usable index: the caller
        reads every file. Read-only and quick: it never changes, rebuilds or waits
        on the index (a sync holding the index is fine). SQLite may leave its
        shared-memory files (``-shm``, ``-wal``) beside it; where it cannot create
        them (a read-only cache folder), the index is not used.
        """
        import sqlite3

        if not self.path.is_file():
            return None
        try:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            db = sqlite3.connect(uri, uri=True, timeout=0.2)
            try:
                meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
                if meta != {"version": str(INDEX_VERSION), "token_chars": str(TOKEN_CHARS)}:
                    return None
                known = {
                    path: (mtime, size)
                    for path, mtime, size in db.execute("SELECT path, mtime_ns, size FROM files")
                }
                holding = {
                    path
                    for (path,) in db.execute(
                        "SELECT DISTINCT files.path FROM papers"
                        " JOIN files ON files.id = papers.file_id WHERE papers.pid = ?",
                        (paper_id,),
                    )
                }
            finally:
                db.close()
        except (sqlite3.Error, OSError):
            return None
        changed = {
            path for path, stamp in scan_cache(self.cache).items() if known.get(path) != stamp
        }
        return holding | changed

    def _papers(self, cursor: Any) -> Iterator[Paper]:
        import sqlite3

        try:
            for hf, other in cursor:
                if hf is not None and other is not None:
                    yield _decode(other).merged_with_hf(_decode(hf))
                else:
                    yield _decode(hf if hf is not None else other)
        except sqlite3.DatabaseError as exc:
            self.close()
            if environmental(exc):
                raise IndexUnavailable(
                    self.path, describe_sqlite_error(exc, self.path.parent)
                ) from None
            self._damaged(str(exc))
        except (zlib.error, ValueError, TypeError, KeyError, AttributeError) as exc:
            # A record SQLite read back without complaint, but not one papercli wrote.
            self.close()
            self._damaged(f"a damaged record: {exc}")

    def _damaged(self, reason: str) -> None:
        """The index failed while answering: remove it (the next use rebuilds it)."""
        self.cache.warn(f"The search index is damaged ({reason}); it is rebuilt from the cache.")
        try:
            self._discard()
        except OSError as err:
            raise IndexUnavailable(self.path, err.strerror or str(err)) from None
        raise IndexDamaged(
            f"The search index {self.path} was damaged ({reason}); run the command again."
        )


def index_path(cache_root: Path) -> Path:
    return cache_root / "index" / f"search-v{INDEX_VERSION}.sqlite3"
