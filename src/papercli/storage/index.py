"""A derived search index over the JSON cache (SQLite FTS5, standard library).

The JSON files stay the record, and the index keeps no copy of it. It lives beside
them (``<cache>/index/search-v6.sqlite3``), is brought up to date from the files
before every search (by path, modification time and size: new files are added,
changed ones re-read, removed ones dropped; :mod:`papercli.storage.index_update`)
and is thrown away and rebuilt when it is unreadable, corrupt or of another
version (a new version is built completely before it answers).

Tables:

* ``files``: each cache file read (path, mtime, size, source, fetch time) and the
  range of its rows in ``papers``.
* ``papers``: one row per paper per file: the paper id and where its record lies in
  the file (byte offset and length, :mod:`papercli.storage.records`).
* ``ids``: one row per paper id: its newest Hugging Face row and newest other row
  (the record shown is the second carrying the first's signals), the sort keys of
  that merged paper (date, upvotes, title; the normalised title for relevance),
  and a hash of its text. The row id is the paper's FTS document id.
* ``fts``: a contentless FTS5 table of one word-start token document per paper id
  (:mod:`papercli.storage.fts`), used as a *prefilter*: it returns every paper that
  can possibly match, and :class:`papercli.query.Query` decides exactly on the
  records, read back from the files. ``terms`` (its documents per token) and
  ``dead`` (garbage documents) check it (:mod:`papercli.storage.index_query`).

What was chosen, and why (measured at 314,494 papers, 782 MB of JSON; details in
benchmarks/RESULTS.md, "History at scale"):

* No record copy. Version 5 kept a zlib copy of every record, 1,560 bytes a paper
  of its 0.99x the JSON. A page of results needs about as many records as it
  shows, and each is a seek and a read of a few kilobytes at its byte offset (no
  month file is parsed for it); the orders that read every match (for-you,
  trends) pay a JSON parse per record, about what decompressing the copy cost. A
  zlib copy with a preset dictionary (32 KB of other records) still costs 800-930
  bytes of a real record's 2,550 (level 9 to 1): the index would be about 0.55x
  the JSON, over the half it must stay under; the shown fields are nearly all of
  a record (``--json`` prints the abstract), so a side table of them is no smaller.
* One FTS column with ``detail=none`` and field markers: 315 bytes a paper, against
  711 for seven columns with column lists (``title:`` and ``abs:`` need no column
  filter: the markers, and the exact match, do it).
* The index is 0.29x the JSON (225 MB); 0.28x at a million papers.
* Contentless deletes without ``contentless_delete`` (SQLite 3.43; 3.40 here, and
  older on many Pythons): see :mod:`papercli.storage.index_update`.
* Relevance and title orders read only the top of the candidates: title from its
  key column; relevance by an upper bound of the score (the stored title and
  upvotes; the abstract counts its most, 5 a term), reading records best bound
  first and stopping when no unread one can enter the page
  (:func:`papercli.core.pages.ranked_matches`).

A file that changes under the index between the freshness check and the read is
noticed when its record is read (the open file's stamp, and the record's id); the
search then starts again from an updated index.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papercli.errors import PapersError
from papercli.models import Paper
from papercli.query import Node
from papercli.storage.fts import TOKEN_CHARS, TOKENIZER, fts_expression, start_tokens
from papercli.storage.index_query import (
    ORDERS,
    READ,
    int_columns,
    keyed_rows,
    relevance_rows,
    select,
)
from papercli.storage.index_update import UpdateStats, read_record
from papercli.storage.records import RecordReader, StaleFile, scan_cache

if TYPE_CHECKING:
    import sqlite3
    from array import array

    from papercli.storage.cache import Cache

__all__ = ["SearchIndex", "UpdateStats", "fts_expression", "index_path", "start_tokens"]

INDEX_VERSION = 6  # 4: accents folded; 5: date_key is listed day; 6: no record copies


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


class IndexStale(IndexFault):
    """A cache file changed under the index while it answered (it was noticed when a
    record was read back); the caller starts again, from an updated index."""


_SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(
    id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL, hf INTEGER NOT NULL, fetched_at REAL NOT NULL,
    first_row INTEGER NOT NULL, last_row INTEGER NOT NULL);
CREATE TABLE papers(
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, file_id INTEGER NOT NULL, pid TEXT NOT NULL,
    off INTEGER, len INTEGER NOT NULL);
CREATE INDEX papers_pid ON papers(pid);
CREATE TABLE ids(
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, pid TEXT UNIQUE NOT NULL, h_row INTEGER,
    o_row INTEGER, date_key TEXT NOT NULL, up_key INTEGER NOT NULL,
    title_key TEXT NOT NULL, ntitle TEXT, doc_hash INTEGER NOT NULL);
CREATE INDEX ids_date ON ids(date_key);
CREATE INDEX ids_up ON ids(up_key);
CREATE INDEX ids_title ON ids(title_key);
CREATE TABLE dead(rowid INTEGER PRIMARY KEY);
CREATE TABLE terms(term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE fts USING fts5(
    doc, tokenize = "{TOKENIZER}", detail = none, content = '', columnsize = 0);
"""
# papers.off is NULL for a file whose spans are not known (not UTF-8): len is then the
# record's place in the file's list (index_update.read_record). dead: the FTS document
# ids no paper has any more (garbage, index_update). terms: how many FTS documents have
# each token, kept beside the FTS table's own counts to check them (_fill_hits).

_META = {"version": str(INDEX_VERSION), "token_chars": str(TOKEN_CHARS)}


class SearchIndex:
    """The derived index of one cache folder. Use as a context manager."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.path = index_path(cache.root)
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
            db.execute(f"PRAGMA temp_store = {_TEMP_STORE}")
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            if not tables:
                self._remove_other_versions()
                db.execute("BEGIN IMMEDIATE")
                try:
                    if not {r[0] for r in db.execute("SELECT name FROM sqlite_master")}:
                        for statement in _SCHEMA.split(";"):
                            if statement.strip():
                                db.execute(statement)
                        db.executemany("INSERT INTO meta VALUES (?, ?)", _META.items())
                        # FTS5 gathers new documents in memory up to this size before it
                        # writes them as a segment (1 MB by default): fewer, larger
                        # segments, less merging (a cold build inserts 1.8x faster).
                        db.execute("INSERT INTO fts(fts, rank) VALUES ('hashsize', ?)", (32 << 20,))
                    db.execute("COMMIT")
                except BaseException:
                    _rollback(db)
                    raise
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if {k: meta.get(k) for k in _META} != _META:
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
            except StaleFile as exc:  # files that keep changing while they are read
                self.close()
                raise IndexUnavailable(self.path, str(exc)) from None
            except (sqlite3.DatabaseError, ValueError, TypeError) as exc:
                # ValueError, TypeError: values SQLite read back from damaged pages
                # without complaint (UnicodeDecodeError, a text where a number was).
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
        from papercli.storage.index_update import Updater, diff_files

        on_disk = scan_cache(self.cache)
        _, stale, new = diff_files(db, on_disk)
        if not stale and not new:
            return UpdateStats()
        with _writing(db):
            db.execute("BEGIN IMMEDIATE")
            try:
                # Again under the write lock: another process may have done part of it.
                stats = Updater(self.cache, db).run(on_disk)
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
        """One paper per id, for every id that may match ``node`` and whose day may lie
        in [since, until]: a superset of the answer; the caller decides.

        Per id, the newest Hugging Face record (it carries upvotes and the other
        signals) is merged into the newest record of another source, when both exist.
        ``order`` ``"date"``, ``"upvotes"`` or ``"title"`` yields them in the order
        :func:`papercli.core.sort_papers` would put them (so a caller wanting the first
        N matches can stop early); otherwise in the files' order.
        """
        cursor = self._with_rebuild(
            lambda db: select(db, node, since, until, READ, order if order in ORDERS else None)
        )
        return self._papers(cursor)

    def relevance_rows(
        self, node: Node | None, since: str | None, until: str | None, title_node: Node | None
    ) -> tuple[Iterator[tuple[int, str, int, str]], Iterator[tuple[int, int, str]], int]:
        """The candidates (as :meth:`candidates`) as :func:`relevance_rows` gives them,
        without their records: what a bound of the relevance score needs."""
        titled, rest, top = self._with_rebuild(
            lambda db: relevance_rows(db, node, since, until, title_node)
        )
        return self._rows(titled), self._rows(rest), top

    def keyed_rows(
        self, node: Node | None, since: str | None, until: str | None
    ) -> tuple[array[int], array[int]]:
        """Each candidate's row id and text digest (:func:`keyed_rows`): two arrays."""
        return self._with_rebuild(lambda db: int_columns(keyed_rows(db, node, since, until)))  # type: ignore[no-any-return]

    def _rows(self, cursor: Any) -> Iterator[Any]:
        """The rows of a cursor, a failure while reading them handled as in :meth:`_papers`."""
        import sqlite3

        if cursor is None:
            return
        try:
            yield from cursor
        except sqlite3.DatabaseError as exc:
            self._failed_reading(exc)

    def papers_of(self, rowids: Iterable[int]) -> Iterator[Paper]:
        """The papers of these ids (from :meth:`relevance_rows`), in this order (read as
        they are asked for)."""
        return self._papers(self._with_rebuild(lambda db: _rows_of(db, rowids)))

    def _papers(self, rows: Iterator[tuple[Any, ...]]) -> Iterator[Paper]:
        import sqlite3

        db = self._db
        assert db is not None
        try:
            yield from _records(self.cache, db, rows)
        except StaleFile as exc:
            self._stale(exc)
        except sqlite3.DatabaseError as exc:
            self._failed_reading(exc)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # Values SQLite read back without complaint, but not ones papercli wrote.
            self.close()
            self._damaged(f"a damaged row: {exc}")

    def _failed_reading(self, exc: Exception) -> None:
        """SQLite failed while answering: the machine (kept, IndexUnavailable) or the
        index (removed, IndexDamaged)."""
        self.close()
        if environmental(exc):
            reason = describe_sqlite_error(exc, self.path.parent)
            raise IndexUnavailable(self.path, reason) from None
        self._damaged(str(exc))

    def _stale(self, exc: StaleFile) -> None:
        """A file is not what the index read: make the next update read it again (its
        stamp may be the same: rewritten within the clock's tick, same size)."""
        import sqlite3

        db = self._db
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                db.execute("UPDATE files SET size = -1 WHERE id = ?", (exc.file_id,))
        self.close()
        raise IndexStale(f"The cache changed during the search ({exc}); run it again.")

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


def _rows_of(db: sqlite3.Connection, rowids: Iterable[int]) -> Iterator[tuple[Any, ...]]:
    """The record rows (:data:`READ`) of these ids, in this order."""
    import sqlite3

    sql = f"SELECT 0, {READ.format(source='ids')} WHERE ids.rowid = ?"
    for rowid in rowids:
        row = db.execute(sql, (rowid,)).fetchone()
        if row is None:
            raise sqlite3.DatabaseError("database disk image is malformed (lost id)")
        yield row


def _records(
    cache: Cache, db: sqlite3.Connection, rows: Iterator[tuple[Any, ...]]
) -> Iterator[Paper]:
    """The paper of each record row (its Hugging Face record merged into the other);
    StaleFile, ValueError...: a file or a row is not what the index says."""
    files = {
        fid: (path, mtime, size)
        for fid, path, mtime, size in db.execute("SELECT id, path, mtime_ns, size FROM files")
    }
    with RecordReader(cache, files) as reader:
        for lost, pid, h_row, h_fid, h_off, h_len, o_row, o_fid, o_off, o_len in rows:
            if lost or (h_row is None) != (h_fid is None) or (o_row is None) != (o_fid is None):
                raise ValueError("a row it names is missing")
            hf = None
            if h_fid is not None:
                hf = read_record(cache, reader, h_fid, h_off, h_len, pid)
            if o_fid is None:
                if hf is None:
                    raise ValueError(f"no record for {pid}")
                yield hf
                continue
            other = read_record(cache, reader, o_fid, o_off, o_len, pid)
            yield other if hf is None else other.merged_with_hf(hf)


def read_papers(root: Path) -> Callable[[Iterable[int]], list[Paper]]:
    """For a helper process: the papers of row ids, from an index opened read-only and
    a cache whose files are never set aside; any fault raised (the command, which deals
    with it, then reads them itself). One connection for every call."""
    from papercli.storage.cache import Cache

    class Untouched(Cache):
        """A cache that sets nothing aside: a file that does not read is an error."""

        def set_aside(self, path: Path, reason: str) -> Path | None:
            raise ValueError(f"{path}: {reason}")

    cache = Untouched(root)
    db = _read_only(index_path(root))

    def papers(rowids: Iterable[int]) -> list[Paper]:
        return list(_records(cache, db, _rows_of(db, rowids)))

    return papers


def _read_only(path: Path) -> sqlite3.Connection:
    """The index at ``path`` opened read-only: nothing this process does changes it."""
    import sqlite3

    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)


_TEMP_STORE = "MEMORY"  # temporary tables (a query's candidates) while reading


@contextlib.contextmanager
def _writing(db: sqlite3.Connection) -> Iterator[None]:
    """The connection's settings while it writes an update: a 32 MB page cache, and
    sorts (a build's indexes) that spill to a temporary file past the cache instead of
    staying all in memory (at a million papers the title index took 206 MB). Setting
    temp_store drops the temporary tables: each is made again when it is needed."""
    db.execute("PRAGMA cache_size = -32768")
    db.execute("PRAGMA temp_store = FILE")
    try:
        yield
    finally:
        db.execute("PRAGMA cache_size = -2000")
        db.execute(f"PRAGMA temp_store = {_TEMP_STORE}")


def files_holding(cache: Cache, paper_ids: Iterable[str]) -> set[str] | None:
    """The cache files (paths relative to the cache root) that may hold these papers.

    Those the index lists for it, plus every file added or changed since the
    index last read it, so that reading just these files answers exactly what
    reading every file would. None when there is no usable index: the caller
    reads every file. Read-only and quick: it never changes, rebuilds or waits
    on the index (a sync holding the index is fine). SQLite may leave its
    shared-memory files (``-shm``, ``-wal``) beside it; where it cannot create
    them (a read-only cache folder), the index is not used.
    """
    import sqlite3

    index_file = index_path(cache.root)
    if not index_file.is_file():
        return None
    try:
        db = _read_only(index_file)
        db.execute("PRAGMA busy_timeout = 200")  # (quick: it never waits on the index)
        try:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if {k: meta.get(k) for k in _META} != _META:
                return None
            known = {
                path: (mtime, size)
                for path, mtime, size in db.execute("SELECT path, mtime_ns, size FROM files")
            }
            holding: set[str] = set()
            ids = list(paper_ids)
            for lo in range(0, len(ids), 500):  # (SQLite takes so many parameters at least)
                chunk = ids[lo : lo + 500]
                holding.update(
                    path
                    for (path,) in db.execute(
                        "SELECT DISTINCT files.path FROM papers JOIN files"
                        " ON files.id = papers.file_id WHERE papers.pid IN"
                        f" ({', '.join('?' * len(chunk))})",
                        chunk,
                    )
                )
        finally:
            db.close()
    except (sqlite3.Error, OSError):
        return None
    changed = {path for path, stamp in scan_cache(cache).items() if known.get(path) != stamp}
    return holding | changed


def index_path(cache_root: Path) -> Path:
    return cache_root / "index" / f"search-v{INDEX_VERSION}.sqlite3"
