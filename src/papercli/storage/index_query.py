"""How the search index is asked: the candidates of a query, in an order, as SQL over
the tables of :mod:`papercli.storage.index`, and the checks that the FTS table is sound
before its answer is trusted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from papercli.query import Node
from papercli.storage.fts import expression_terms, fts_expression

if TYPE_CHECKING:
    import sqlite3
    from array import array
    from collections.abc import Iterable, Iterator

# What reading a paper takes: its id, and per kind its row and where the record lies.
READ = (
    "ids.pid, ids.h_row, h.file_id, h.off, h.len, ids.o_row, o.file_id, o.off, o.len"
    " FROM {source} LEFT JOIN papers h ON h.rowid = ids.h_row"
    " LEFT JOIN papers o ON o.rowid = ids.o_row"
)
ORDERS: dict[str | None, tuple[str, str]] = {  # ORDER BY, and the index that gives it
    "date": ("ids.date_key DESC", "ids_date"),
    "upvotes": ("ids.up_key DESC", "ids_up"),
    "title": ("ids.title_key", "ids_title"),
    None: ("coalesce(ids.o_row, ids.h_row)", ""),  # file by file: reads in file order
}
# More candidates than this (and than one paper in DENSE) are ordered by walking the
# order's index and taking the candidates met; fewer by looking each up and sorting
# them. The walk is quick when candidates are many and spread along the order (the
# first page is met early), and slow when they gather at its far end (cat:cs.CV in
# upvote order: arXiv papers have none); a sort costs a few microseconds a candidate.
SPARSE = 5000
DENSE = 20


def _day_clauses(since: str | None, until: str | None) -> tuple[list[str], list[str]]:
    """The ids whose day (the start of ``date_key``) may lie in [since, until]."""
    clauses, args = [], []
    if since:
        clauses.append("ids.date_key >= ?")
        args.append(since)
    if until:
        clauses.append("ids.date_key < ?")  # "DAY " sorts before "DAY!"
        args.append(until + "!")
    return clauses, args


def select(
    db: sqlite3.Connection,
    node: Node | None,
    since: str | None,
    until: str | None,
    columns: str,
    order: str | None,
) -> Any:
    """A cursor over ``columns`` of the ids that may match ``node`` and whose day may
    lie in [since, until] (a superset: the caller decides), in ``order``. The first
    column is true for a candidate the FTS table gave that no id has (nor garbage): a
    damaged index (they come first, see :func:`_fill_hits`)."""
    days, args = _day_clauses(since, until)
    by, index = ORDERS[order]
    expr = fts_expression(node)
    if expr is None:
        where = f" WHERE {' AND '.join(days)}" if days else ""
        return db.execute(f"SELECT 0, {columns.format(source='ids')}{where} ORDER BY {by}", args)
    count, highest = _fill_hits(db, expr)
    if count > max(SPARSE, highest // DENSE) and index:
        where = " AND ".join(["ids.rowid IN hits", *days])
        source = f"ids INDEXED BY {index}"
        return db.execute(
            f"SELECT 0, {columns.format(source=source)} WHERE {where} ORDER BY {by}", args
        )
    lost = "ids.rowid IS NULL AND dead.rowid IS NULL"
    source = "hits LEFT JOIN ids ON ids.rowid = hits.r LEFT JOIN dead ON dead.rowid = hits.r"
    where = " AND ".join(["ids.rowid IS NOT NULL", *days])
    return db.execute(
        f"SELECT {lost}, {columns.format(source=source)} WHERE ({where}) OR ({lost})"
        f" ORDER BY {lost} DESC, {by}",
        args,
    )


def _fill_hits(db: sqlite3.Connection, expr: str, table: str = "hits") -> tuple[int, int]:
    """The temporary ``table``: the FTS document ids matching ``expr``; their number, and
    the highest id ever given (about the number of papers).

    The FTS table is checked first, as far as it cheaply can be (a damaged page of it
    may otherwise lose candidates without an error): for each token looked up, it must
    count as many documents as the index put in (``terms``), and no id may be above the
    highest ever given. The candidates the FTS table gives are then checked against
    ``ids`` as they are read (:func:`select`).
    """
    import sqlite3

    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table}(r INTEGER PRIMARY KEY)")
    db.execute(f"DELETE FROM {table}")
    insert = f"INSERT INTO {table} SELECT rowid FROM fts WHERE fts MATCH ?"
    count = db.execute(insert, (expr,)).rowcount
    top = db.execute(f"SELECT max(r) FROM {table}").fetchone()[0]
    seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'ids'").fetchone()
    sound = top is None or (seq is not None and top <= seq[0])
    vocab_table(db)
    for token, prefix in expression_terms(expr):
        if not sound:
            break
        args = (token, token + "\U0010ffff") if prefix else (token, token + "\x00")
        found = db.execute(
            "SELECT coalesce(sum(doc), 0) FROM temp.vocab WHERE term >= ? AND term < ?", args
        ).fetchone()[0]
        kept = db.execute(
            "SELECT coalesce(sum(docs), 0) FROM terms WHERE term >= ? AND term < ?", args
        ).fetchone()[0]
        sound = found == kept
    if not sound:
        raise sqlite3.DatabaseError("database disk image is malformed (full-text index)")
    return count, seq[0] if seq else 0


def relevance_rows(
    db: sqlite3.Connection,
    node: Node | None,
    since: str | None,
    until: str | None,
    title_node: Node | None,
) -> tuple[Any, Any, int]:
    """The candidates of :func:`select`, in two parts, for the relevance order's bound:

    * those whose title may match ``title_node`` (all of them when the FTS table cannot
      tell; none when ``title_node`` is None): (row id, normalised title, upvotes key,
      date key), unordered;
    * the others, whose title cannot count: (row id, upvotes key, date key), most
      upvoted (none and 0 alike) then newest first, or None when there are none;

    and the highest upvotes key of all.
    """
    days, args = _day_clauses(since, until)
    source = _checked_hits(db, node)
    top = db.execute("SELECT coalesce(max(up_key), -1) FROM ids").fetchone()[0]
    if not isinstance(top, int):
        raise _damaged_value()
    where = f" WHERE {' AND '.join(days)}" if days else ""
    titled = "SELECT ids.rowid, coalesce(ntitle, title_key), up_key, date_key FROM " + source
    rest = f"SELECT ids.rowid, up_key, date_key FROM {source}"
    order = " ORDER BY max(up_key, 0) DESC, date_key DESC"
    titled_kinds, rest_kinds = (int, str, int, str), (int, int, str)
    if title_node is None:  # no term counts in a title: none is titled
        return iter(()), typed(db.execute(f"{rest}{where}{order}", args), rest_kinds), top
    title_expr = fts_expression(title_node)
    if title_expr is None:  # the FTS table cannot tell: all may be
        return typed(db.execute(f"{titled}{where}", args), titled_kinds), None, top
    _fill_hits(db, title_expr, "titled")
    inside = " AND ".join(["ids.rowid IN titled", *days])
    outside = " AND ".join(["ids.rowid NOT IN titled", *days])
    return (
        typed(db.execute(f"{titled} WHERE {inside}", args), titled_kinds),
        typed(db.execute(f"{rest} WHERE {outside}{order}", args), rest_kinds),
        top,
    )


def typed(rows: Iterable[tuple[Any, ...]], kinds: tuple[type, ...]) -> Iterator[tuple[Any, ...]]:
    """The rows, each checked to hold values of these types: a damaged page may give
    back a text, a real or a blob for any value, which is a damaged index (an error
    SQLite would raise), not a TypeError in the caller."""
    for row in rows:
        if not all(map(isinstance, row, kinds)):
            raise _damaged_value()
        yield row


def _damaged_value() -> Exception:
    import sqlite3

    return sqlite3.DatabaseError("database disk image is malformed (a value of another type)")


def keyed_rows(
    db: sqlite3.Connection, node: Node | None, since: str | None, until: str | None
) -> Any:
    """The candidates of :func:`select` without their records: (row id, text digest), in
    file order (what an order by stored scores needs)."""
    days, args = _day_clauses(since, until)
    where = f" WHERE {' AND '.join(days)}" if days else ""
    return db.execute(
        f"SELECT ids.rowid, ids.doc_hash FROM {_checked_hits(db, node)}{where}"
        f" ORDER BY {ORDERS[None][0]}",
        args,
    )


def int_columns(rows: Iterable[tuple[int, int]]) -> tuple[array[int], array[int]]:
    """The two integer columns of ``rows`` as two arrays (16 bytes a row, not two
    Python objects and a tuple: a search may have a million candidates). A value that
    is not an integer (a damaged page) raises TypeError: a damaged index."""
    from array import array

    first, second = array("q"), array("q")
    add_first, add_second = first.append, second.append
    for a, b in rows:
        add_first(a)
        add_second(b)
    return first, second


def _checked_hits(db: sqlite3.Connection, node: Node | None) -> str:
    """The source of the candidates of ``node``: every id, or the FTS table's hits,
    checked first to name only ids there are (or garbage)."""
    import sqlite3

    expr = fts_expression(node)
    if expr is None:
        return "ids"
    _fill_hits(db, expr)
    lost = db.execute(
        "SELECT count(*) FROM hits LEFT JOIN ids ON ids.rowid = hits.r"
        " LEFT JOIN dead ON dead.rowid = hits.r"
        " WHERE ids.rowid IS NULL AND dead.rowid IS NULL"
    ).fetchone()[0]
    if lost:
        raise sqlite3.DatabaseError("database disk image is malformed (lost ids)")
    return "hits JOIN ids ON ids.rowid = hits.r"


def vocab_table(db: sqlite3.Connection) -> None:
    """``temp.vocab``: the FTS table's own count of documents per token."""
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, fts, 'row')")
