"""Bringing the search index up to date with the JSON files (:mod:`papercli.storage.index`
describes the tables).

One update, in one write transaction:

1. Files removed or changed since they were read lose their rows; their papers are
   *touched*.
2. New and changed files are read (each parsed once; when they hold much JSON, by
   helper processes, :mod:`papercli.storage.index_read`): a row per paper (where its
   record lies). A paper id the index does not know yet gets its ``ids`` row and
   FTS document at once, from the record in hand; a known one is touched. When the
   new files hold more JSON than the index already keeps (a build), the secondary
   indexes are made, and the FTS segments merged, once at the end (a *bulk*).
3. Each touched id is worked out again from its rows: its newest Hugging Face row
   and newest other row (by the file's fetch time, then row order), the merged
   paper read back from the files, its sort keys and document. The FTS document
   is replaced only when it changed (a hash of it is kept). The FTS table is
   contentless: deleting a document takes its exact text, which is derived again
   from the records it was made from, when their files are unchanged (and the hash
   agrees). When they are not (a sync rewrote the file), the old document stays as
   *garbage* under a row id no paper has any more (ids are never reused), which
   can only add candidates the exact matcher then drops; when garbage reaches half
   the live documents, the FTS table is rebuilt.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from papercli.models import Paper, text_digest
from papercli.storage.cache import split_relative
from papercli.storage.fts import document_tokens, paper_document
from papercli.storage.index_query import vocab_table
from papercli.storage.index_read import (
    Described,
    FileRows,
    describe,
    id_row,
    read_files,
    read_here,
)
from papercli.storage.records import RecordReader, StaleFile

if TYPE_CHECKING:
    import sqlite3

    from papercli.storage.cache import Cache

GARBAGE_SLACK = 20_000  # garbage documents allowed beyond half the live ones
_REREADS = 5  # files found changed while being indexed, read again at most this often


@dataclass
class UpdateStats:
    added: int = 0
    changed: int = 0
    removed: int = 0
    rebuilt: bool = False


def diff_files(
    db: sqlite3.Connection, on_disk: dict[str, tuple[int, int]]
) -> tuple[dict[str, int], list[str], list[str]]:
    """The indexed files (path -> id), those changed or gone on disk, and new ones."""
    known: dict[str, int] = {}
    stale: list[str] = []
    for fid, path, mtime, size in db.execute("SELECT id, path, mtime_ns, size FROM files"):
        known[path] = fid
        if on_disk.get(path) != (mtime, size):
            stale.append(path)
    return known, stale, [p for p in on_disk if p not in known]


class _Files:
    """An update's reading of files: their rows, and the ids they bring (the first part
    of :class:`Updater`)."""

    def __init__(self, cache: Cache, db: sqlite3.Connection) -> None:
        self.cache = cache
        self.db = db
        self.stats = UpdateStats()
        self._next = {"papers": 0, "ids": 0}
        # Per token, FTS documents added less those deleted (None: the whole table is
        # counted again at the end, from the FTS table itself).
        self._terms: Counter[str] | None = Counter()

    # -- files ---------------------------------------------------------------------------
    def _drop_file(self, fid: int) -> None:
        db = self.db
        first, last = db.execute(
            "SELECT first_row, last_row FROM files WHERE id = ?", (fid,)
        ).fetchone()
        db.execute(
            "INSERT OR IGNORE INTO touched SELECT pid FROM papers WHERE rowid BETWEEN ? AND ?",
            (first, last),
        )
        db.execute("DELETE FROM papers WHERE rowid BETWEEN ? AND ?", (first, last))
        db.execute("DELETE FROM files WHERE id = ?", (fid,))

    def _reread(self, fid: int, on_disk: dict[str, tuple[int, int]]) -> None:
        row = self.db.execute("SELECT path FROM files WHERE id = ?", (fid,)).fetchone()
        if row is None:
            raise StaleFile(fid, "?")
        self._drop_file(fid)
        self._add_file(row[0])

    def _add_file(self, rel: str) -> None:
        """Index the papers of one cache file (``rel``: its path under the cache folder)."""
        rows = read_here(self.cache, rel)
        if rows is not None:  # else unreadable (set aside by the cache) or gone
            self._index_file(rel, rows)

    def _index_file(self, rel: str, rows: FileRows) -> None:
        db = self.db
        hf = rel.startswith("hf/")
        pids = rows.pids
        first = self._next["papers"]
        self._next["papers"] = first + len(pids)
        cur = db.execute(
            "INSERT INTO files(path, mtime_ns, size, hf, fetched_at, first_row, last_row)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (rel, *rows.stamp, int(hf), rows.fetched_at, first, first - 1),
        )
        fid = cur.lastrowid
        if not pids:
            return
        numbers = range(first, first + len(pids))
        db.executemany(
            "INSERT INTO papers(rowid, file_id, pid, off, len) VALUES (?, ?, ?, ?, ?)",
            [
                (row, fid, pid, off, size)
                for row, pid, (off, size) in zip(numbers, pids, rows.spans, strict=True)
            ],
        )
        db.execute("UPDATE files SET last_row = ? WHERE id = ?", (numbers[-1], fid))
        # Ids known already (or twice in this file) are worked out again at the end;
        # the others are done now, from the records in hand.
        known = _known_ids(db, pids)
        fresh: list[tuple[str, int | None, int | None, Described]] = []
        seen: set[str] = set()
        again: list[tuple[str]] = []
        for n, (row, pid) in enumerate(zip(numbers, pids, strict=True)):
            if pid in known or pid in seen:
                again.append((pid,))
            else:
                seen.add(pid)
                fresh.append((pid, row if hf else None, None if hf else row, rows.describe(n)))
        if again:
            db.executemany("INSERT OR IGNORE INTO touched VALUES (?)", again)
        self._insert_ids(fresh)

    def _insert_ids(self, items: Iterable[tuple[str, int | None, int | None, Described]]) -> None:
        id_rows = []
        fts_rows = []
        for pid, h_row, o_row, (keys, hashed, doc) in items:
            iid = self._next["ids"]
            self._next["ids"] = iid + 1
            id_rows.append((iid, pid, h_row, o_row, *keys, hashed))
            fts_rows.append((iid, doc))
        self.db.executemany(_INSERT_ID, id_rows)
        self._fts_insert(fts_rows)

    def _fts_insert(self, rows: list[tuple[int, str]]) -> None:
        self.db.executemany("INSERT INTO fts(rowid, doc) VALUES (?, ?)", rows)
        if self._terms is not None:
            for _, doc in rows:
                self._terms.update(document_tokens(doc))


class Updater(_Files):
    """One update of the index (see the module docstring)."""

    def run(self, on_disk: dict[str, tuple[int, int]]) -> UpdateStats:
        db = self.db
        known, stale, new = diff_files(db, on_disk)
        self.stats.rebuilt = not known
        for name in self._next:
            seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (name,)).fetchone()
            self._next[name] = (seq[0] if seq else 0) + 1
        db.execute("CREATE TEMP TABLE IF NOT EXISTS touched(pid TEXT PRIMARY KEY)")
        db.execute("DELETE FROM touched")
        for path in stale:
            self._drop_file(known[path])
            if path in on_disk:
                self.stats.changed += 1
                new.append(path)
            else:
                self.stats.removed += 1
        self.stats.added = sum(1 for p in new if p not in known)
        bulk = _is_bulk(db, new, on_disk)
        if bulk:
            self._start_bulk()
        with contextlib.closing(read_files(self.cache, sorted(new), on_disk)) as files:
            for path, rows in files:
                if rows is None:
                    self._add_file(path)  # read here
                else:
                    self._index_file(path, rows)
        if bulk:
            _create_indexes(db)
        for _ in range(_REREADS):
            try:
                self._rework_touched()
                break
            except StaleFile as exc:  # changed while being read: read it again
                self._reread(exc.file_id, on_disk)
        else:
            raise StaleFile(-1, "the cache (files keep changing)")
        self._collect_garbage()
        if self._terms is None:
            # One segment per token instead of many: smaller, and faster to query.
            db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        if bulk:
            for name, value in _FTS_MERGING.items():
                db.execute("INSERT INTO fts(fts, rank) VALUES (?, ?)", (name, value))
        self._count_terms()
        return self.stats

    def _start_bulk(self) -> None:
        """Ready for many new files (a build from nothing, or an update that more than
        doubles the index): the secondary indexes are made after the inserts, the token
        counts taken from the FTS table at the end, and FTS5 merges no segments while
        documents come in (its 'optimize' merges them all at the end: 12% less work
        at 300,000 papers); its usual merging comes back at the end."""
        db = self.db
        self._terms = None
        for name in ("papers_pid", "ids_date", "ids_up", "ids_title"):
            db.execute(f"DROP INDEX IF EXISTS {name}")
        for name, value in _FTS_BULK.items():
            db.execute("INSERT INTO fts(fts, rank) VALUES (?, ?)", (name, value))

    def _count_terms(self) -> None:
        db = self.db
        if self._terms is None:
            vocab_table(db)
            db.execute("DELETE FROM terms")
            db.execute("INSERT INTO terms SELECT term, doc FROM temp.vocab")
            return
        db.executemany(
            "INSERT INTO terms VALUES (?, ?)"
            " ON CONFLICT(term) DO UPDATE SET docs = docs + excluded.docs",
            [item for item in self._terms.items() if item[1]],
        )
        db.execute("DELETE FROM terms WHERE docs = 0")

    # -- ids -----------------------------------------------------------------------------
    def _rework_touched(self) -> None:
        """Work out each touched id again (see the module docstring)."""
        db = self.db
        files = {
            fid: (path, mtime, size)
            for fid, path, mtime, size in db.execute("SELECT id, path, mtime_ns, size FROM files")
        }
        with RecordReader(self.cache, files) as reader:
            for chunk in _chunks(db.execute(_BEST_ROWS).fetchall(), 2000):
                self._rework(reader, chunk)
            gone = db.execute(
                "SELECT ids.rowid, ids.pid, ids.h_row, ids.o_row, ids.doc_hash FROM ids"
                " WHERE ids.pid IN (SELECT pid FROM touched)"
                " AND NOT EXISTS (SELECT 1 FROM papers WHERE papers.pid = ids.pid)"
            ).fetchall()
            for iid, pid, h_old, o_old, old_hash in gone:
                self._forget(reader, iid, pid, h_old, o_old, old_hash)
        db.execute("DELETE FROM touched")

    def _rework(self, reader: RecordReader, best: list[tuple[Any, ...]]) -> None:
        db = self.db
        for pid, h_row, o_row in best:
            old = db.execute(
                "SELECT rowid, h_row, o_row, doc_hash FROM ids WHERE pid = ?", (pid,)
            ).fetchone()
            if old is not None and (old[1], old[2]) == (h_row, o_row):
                continue  # the same records as before (their files unchanged)
            paper = self._merged(reader, pid, h_row, o_row)
            if old is None:
                self._insert_ids([(pid, h_row, o_row, describe(paper))])
                continue
            iid, h_old, o_old, old_hash = old
            keys = id_row(paper)
            new_hash = text_digest(paper)
            if new_hash == old_hash:  # the same text: the same document
                db.execute(
                    "UPDATE ids SET h_row = ?, o_row = ?, date_key = ?, up_key = ?,"
                    " title_key = ?, ntitle = ? WHERE rowid = ?",
                    (h_row, o_row, *keys, iid),
                )
                continue
            db.execute("DELETE FROM ids WHERE rowid = ?", (iid,))
            if not self._delete_doc(reader, iid, pid, h_old, o_old, old_hash):
                self._add_garbage(iid)
                iid = self._next["ids"]
                self._next["ids"] = iid + 1
            db.execute(_INSERT_ID, (iid, pid, h_row, o_row, *keys, new_hash))
            self._fts_insert([(iid, paper_document(paper))])

    def _forget(
        self,
        reader: RecordReader,
        iid: int,
        pid: str,
        h_old: int | None,
        o_old: int | None,
        old_hash: int,
    ) -> None:
        """An id no file holds any more."""
        if not self._delete_doc(reader, iid, pid, h_old, o_old, old_hash):
            self._add_garbage(iid)
        self.db.execute("DELETE FROM ids WHERE rowid = ?", (iid,))

    def _delete_doc(
        self,
        reader: RecordReader,
        iid: int,
        pid: str,
        h_old: int | None,
        o_old: int | None,
        old_hash: int,
    ) -> bool:
        """Delete an FTS document, derived again from the rows it was made from, when
        they are still there, unchanged, and give the document whose hash is kept."""
        have = self.db.execute(
            "SELECT count(*) FROM papers WHERE rowid IN (?, ?)", (h_old, o_old)
        ).fetchone()[0]
        if have != (h_old is not None) + (o_old is not None):
            return False
        try:
            paper = self._merged(reader, pid, h_old, o_old)
        except StaleFile:
            return False
        if text_digest(paper) != old_hash:
            return False
        doc = paper_document(paper)
        self.db.execute("INSERT INTO fts(fts, rowid, doc) VALUES ('delete', ?, ?)", (iid, doc))
        if self._terms is not None:
            self._terms.subtract(document_tokens(doc))
        return True

    def _merged(
        self, reader: RecordReader, pid: str, h_row: int | None, o_row: int | None
    ) -> Paper:
        """The paper of an id: its Hugging Face record merged into the other, or the one."""
        records = [self._record(reader, pid, row) for row in (h_row, o_row)]
        hf, other = records
        if hf is not None and other is not None:
            return other.merged_with_hf(hf)
        paper = hf or other
        assert paper is not None
        return paper

    def _record(self, reader: RecordReader, pid: str, row: int | None) -> Paper | None:
        if row is None:
            return None
        fid, off, size = self.db.execute(
            "SELECT file_id, off, len FROM papers WHERE rowid = ?", (row,)
        ).fetchone()
        return read_record(self.cache, reader, fid, off, size, pid)

    # -- garbage -------------------------------------------------------------------------
    def _add_garbage(self, iid: int) -> None:
        """The document of ``iid`` stays in the FTS table, under an id no paper has."""
        self.db.execute("INSERT INTO dead VALUES (?)", (iid,))

    def _collect_garbage(self) -> None:
        db = self.db
        garbage = db.execute("SELECT count(*) FROM dead").fetchone()[0]
        live = db.execute("SELECT count(*) FROM ids").fetchone()[0]
        if garbage == 0 or (live and garbage <= live // 2 + GARBAGE_SLACK):
            return
        db.execute("INSERT INTO fts(fts) VALUES ('delete-all')")
        db.execute("DELETE FROM dead")
        self._terms = None
        files = {
            fid: (path, mtime, size)
            for fid, path, mtime, size in db.execute("SELECT id, path, mtime_ns, size FROM files")
        }
        rows = db.execute(
            "SELECT rowid, pid, h_row, o_row FROM ids"
            " ORDER BY coalesce(o_row, h_row)"  # file by file, in file order
        ).fetchall()
        with RecordReader(self.cache, files) as reader:
            for chunk in _chunks(rows, 2000):
                self._fts_insert(
                    [
                        (iid, paper_document(self._merged(reader, pid, h, o)))
                        for iid, pid, h, o in chunk
                    ]
                )


def read_record(
    cache: Cache, reader: RecordReader, fid: int, off: int | None, size: int, pid: str
) -> Paper:
    """One record of an indexed file. A file without known spans (not UTF-8: never
    one papercli wrote) is loaded whole, and ``size`` is the record's place in it."""
    if off is not None:
        return reader.read(fid, off, size, pid)
    path, mtime, length = reader.files[fid]
    found = cache.load_located(*split_relative(path))
    if found is None or found.stamp != (mtime, length) or size >= len(found.entry.papers):
        raise StaleFile(fid, path)
    paper = found.entry.papers[size]
    if paper.id != pid:
        raise StaleFile(fid, path)
    return paper


def _known_ids(db: sqlite3.Connection, pids: list[str]) -> set[str]:
    """Those of ``pids`` the index has an ``ids`` row for."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS incoming(pid TEXT)")
    db.execute("DELETE FROM incoming")
    db.executemany("INSERT INTO incoming VALUES (?)", ((p,) for p in pids))
    found = db.execute("SELECT incoming.pid FROM incoming JOIN ids USING (pid)")
    return {pid for (pid,) in found}


def _is_bulk(db: sqlite3.Connection, new: list[str], on_disk: dict[str, tuple[int, int]]) -> bool:
    """Whether the new files hold more JSON than those the index keeps (none: a build)."""
    (kept,) = db.execute("SELECT coalesce(sum(size), 0) FROM files").fetchone()
    return sum(on_disk[p][1] for p in new) > kept


# FTS5's merging (its defaults), and while a bulk of documents comes in: no automatic
# merges, and the merge forced when a level holds this many segments put far off.
_FTS_MERGING = {"automerge": 4, "crisismerge": 16}
_FTS_BULK = {"automerge": 0, "crisismerge": 64}


def _create_indexes(db: sqlite3.Connection) -> None:
    # SQLite sorts in memory up to the page cache's size before it spills to a file:
    # a small cache for these sorts (a build's peak memory, 40 MB less).
    (cache,) = db.execute("PRAGMA cache_size").fetchone()
    db.execute(f"PRAGMA cache_size = {SORT_CACHE}")
    try:
        db.execute("CREATE INDEX IF NOT EXISTS papers_pid ON papers(pid)")
        db.execute("CREATE INDEX IF NOT EXISTS ids_date ON ids(date_key)")
        db.execute("CREATE INDEX IF NOT EXISTS ids_up ON ids(up_key)")
        db.execute("CREATE INDEX IF NOT EXISTS ids_title ON ids(title_key)")
    finally:
        db.execute(f"PRAGMA cache_size = {int(cache)}")


SORT_CACHE = -4096  # KB


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_INSERT_ID = (
    "INSERT INTO ids(rowid, pid, h_row, o_row, date_key, up_key, title_key, ntitle, doc_hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

# Per touched id, its newest row of each kind (Hugging Face or not): the file fetched
# last, then the first row. In file order, so that records are read file by file.
_BEST_ROWS = """
WITH ranked AS (
    SELECT papers.rowid AS row, papers.pid AS pid, files.hf AS hf, ROW_NUMBER() OVER (
        PARTITION BY papers.pid, files.hf ORDER BY files.fetched_at DESC, papers.rowid
    ) AS rn
    FROM papers JOIN files ON files.id = papers.file_id
    WHERE papers.pid IN (SELECT pid FROM touched))
SELECT pid, MAX(CASE WHEN hf = 1 THEN row END) AS h_row,
    MAX(CASE WHEN hf = 0 THEN row END) AS o_row
FROM ranked WHERE rn = 1 GROUP BY pid ORDER BY coalesce(o_row, h_row)
"""
