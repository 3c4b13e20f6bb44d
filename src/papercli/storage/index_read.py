"""Reading cache files for the search index: what the index takes from a file (its
papers' ids and record spans, and for each paper its sort keys, text digest and FTS
document), in this process or, when there are many files to read, in helper
processes (:mod:`papercli.storage.index_worker`).

A big update (a cold build, or the one after a long sync) spends most of its time
here, on parsing and tokenising, and the rest in SQLite. The helpers read and
describe files while this process inserts the rows of those read before: the
files come back in the order asked, each exactly as it would be read here (a
helper tokenises a whole file's texts at once, :func:`~papercli.storage.fts.
paper_documents`: the same tokens). There is one helper fewer than CPUs: this
process needs a core of its own, since FTS5's inserts are the longest part of a
build (on 2 CPUs, one helper built 55,715 papers at 8,300 a second, two helpers
at 7,000, by ``benchmarks/build_bench.py``). It reads files too, as a helper
would, when the helpers fall behind it (:func:`read_files`).

A helper reads without side effects. A file it cannot read (gone, unreadable, not a
cache file) is read again here, where the cache sets it aside and says so; a helper
that cannot start or fails is given no more files, and its files are read here too.
Helpers are separate interpreters started with ``python -m`` (no fork: the same on
Windows, macOS and Linux), in their own process group (the terminal's Ctrl-C goes to
this process only, which stops them: they end when their input closes).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papercli.models import Paper, date_key, text_digest, title_key, upvotes_key
from papercli.query import normalize
from papercli.storage.cache import Cache, Located, split_relative
from papercli.storage.fts import paper_document, paper_documents
from papercli.storage.helpers import Helper, can_start, file_of, spare_cpus

if TYPE_CHECKING:
    from collections.abc import Callable

# Helpers read the files of an update when they hold this much JSON at least (about
# 13,000 papers: a few seconds of work, against a tenth of a second to start them).
POOL_BYTES = 32 << 20
MAX_HELPERS = 2  # the index's writer (this process) keeps up with about one and a half
# Files asked for ahead of the one being inserted: per helper, and in all (their
# documents wait in memory, about 0.6 times their JSON).
AHEAD_PER_HELPER = 16
AHEAD_BYTES = 32 << 20
# Then the cache folder and this module's file: a helper that imported another papercli
# (another copy first on its path) stops at once, and its files are read here.
HELPER_ARGS = ("-m", "papercli.storage.index_worker")


def id_row(p: Paper) -> tuple[str, int, str, str | None]:
    """The sort and ranking keys the ``ids`` table keeps for a (merged) paper: date,
    upvotes, title, and the normalised title when it is not the title key itself."""
    title = title_key(p)
    normal = normalize(p.title)
    return date_key(p), upvotes_key(p), title, (normal if normal != title else None)


Described = tuple[tuple[str, int, str, str | None], int, str]  # id_row, text_digest, document


def describe(p: Paper) -> Described:
    """What the index keeps of a paper that is an id's only record: its keys, the hash
    of its text, its FTS document."""
    return id_row(p), text_digest(p), paper_document(p)


@dataclass(slots=True)
class FileRows:
    """What the index takes from one cache file: the stamp of the file read, its fetch
    time, and per paper its id, its record's span (byte offset and length; for a file
    whose spans are not known, no offset and the record's place in the list) and its
    description: made when asked for (``papers``, read here: a paper the index knows
    already needs none), or made already (``described``, by a helper)."""

    stamp: tuple[int, int]
    fetched_at: float
    pids: list[str]
    spans: list[tuple[int | None, int]]
    papers: list[Paper] | None = None
    described: list[Described] | None = None

    def describe(self, n: int) -> Described:
        if self.described is not None:
            return self.described[n]
        assert self.papers is not None
        return describe(self.papers[n])


def file_rows(found: Located) -> FileRows:
    papers = found.entry.papers
    spans: list[tuple[int | None, int]] = (
        list(found.spans) if found.spans is not None else [(None, n) for n in range(len(papers))]
    )
    return FileRows(found.stamp, found.entry.fetched_at, [p.id for p in papers], spans, papers)


def read_here(cache: Cache, rel: str) -> FileRows | None:
    """A cache file (``rel``: its path under the cache folder) read in this process;
    None when it is gone or unreadable (set aside by the cache, which says so)."""
    try:
        found = cache.load_located(*split_relative(rel))
    except ValueError:
        found = None
    return None if found is None else file_rows(found)


def read_described(cache: Cache, rel: str) -> tuple[Any, ...] | None:
    """A helper's reading of a file: :class:`FileRows` with every paper described, as a
    tuple of plain values; None for a file it cannot read (read again by the index's
    process, which sets it aside if it must)."""
    from papercli.storage.files import read_bytes_stamped

    source, kind, key = split_relative(rel)
    try:
        raw, stamp = read_bytes_stamped(cache.path(source, kind, key))
        found = Cache.located(raw, stamp, source, kind, key)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None
    rows = file_rows(found)
    papers = rows.papers
    assert papers is not None
    described = [
        (id_row(p), text_digest(p), doc)
        for p, doc in zip(papers, paper_documents(papers), strict=True)
    ]
    return (rows.stamp, rows.fetched_at, rows.pids, rows.spans, described)


def _described_rows(got: tuple[Any, ...] | None) -> FileRows | None:
    """The :class:`FileRows` of a reading of :func:`read_described` (None: none)."""
    if got is None:
        return None
    stamp, fetched_at, pids, spans, described = got
    return FileRows(tuple(stamp), fetched_at, pids, spans, None, described)


# This process reads a file itself (as a helper would: all at once) after waiting on
# the helpers this long since it last did: they have fallen behind it.
TAKE_AFTER = 0.02  # seconds


def _read_like_a_helper(cache: Cache, rel: str) -> FileRows | None:
    """A file read here as a helper reads it; None (read it the usual way, which sets
    it aside if it must) for one it cannot read, or when that way fails."""
    try:
        return _described_rows(read_described(cache, rel))
    except Exception:  # (numpy's own faults among them: the usual way needs none)
        return None


def read_files(
    cache: Cache, paths: list[str], sizes: dict[str, tuple[int, int]]
) -> Iterator[tuple[str, FileRows | None]]:
    """Each of ``paths`` in order, with its rows as a helper read them, or None: read it
    here (:func:`read_here`). Helpers are used when the files hold :data:`POOL_BYTES`
    of JSON or more (``sizes``: path -> (mtime_ns, size)) and more than one CPU is
    there; they are stopped when the iterator is closed (use it in ``closing``).

    This process reads the first file itself while the helpers start, and then one
    file more each time it has waited :data:`TAKE_AFTER` on them (the share that keeps
    both busy: with one helper on two CPUs, about a tenth of the files)."""

    count = helper_count(sum(sizes.get(p, (0, 0))[1] for p in paths))
    helpers: list[_Helper] = []
    try:
        if count:
            _start_helpers(cache.root, count, helpers)
        if not helpers:
            for rel in paths:
                yield rel, None
            return
        asked: deque[tuple[str, int, _Helper | None]] = deque()  # (None: read here)
        ahead = 0  # bytes of JSON asked for and not taken yet
        todo = iter(paths)
        more = True
        waited = TAKE_AFTER  # (the first file is read here)
        while True:
            while more and (not asked or ahead < AHEAD_BYTES):
                live = [h for h in helpers if h.alive and h.waiting < AHEAD_PER_HELPER]
                if not live:
                    break
                rel = next(todo, None)
                if rel is None:
                    more = False
                    break
                size = sizes.get(rel, (0, 0))[1]
                if waited >= TAKE_AFTER:
                    waited = 0.0
                    asked.append((rel, size, None))
                    continue
                helper = min(live, key=lambda h: h.waiting_bytes)
                helper.ask(rel, size)
                asked.append((rel, size, helper))
                ahead += size
            if not asked:
                break
            done, size, helper = asked.popleft()
            if helper is None:
                yield done, _read_like_a_helper(cache, done)
                continue
            ahead -= size
            before = helper.waited
            answer = helper.answer(size)
            waited += helper.waited - before
            yield done, answer
        for rest in todo:  # every helper failed: the rest is read here
            yield rest, None
    finally:
        for helper in helpers:
            helper.stop()


def helper_count(json_bytes: int) -> int:
    """How many helper processes read files holding ``json_bytes`` of JSON (0: none)."""
    if json_bytes < POOL_BYTES:
        return 0
    return max(0, min(spare_cpus(), MAX_HELPERS))


def this_file() -> str:
    """This module's file, as a helper compares it with its own."""
    return file_of(__file__)


def _start_helpers(root: Path, count: int, helpers: list[_Helper]) -> None:
    """Start up to ``count`` helpers, each added to ``helpers`` as soon as it runs."""
    if not can_start():
        return  # no interpreter to run them with
    for _ in range(count):
        try:
            helpers.append(_Helper(os.path.abspath(root)))
        except (OSError, ValueError):
            return


class _Helper(Helper):
    """One helper process (:mod:`papercli.storage.helpers`): asked for files in order,
    answering in the same order."""

    def __init__(self, root: str) -> None:
        super().__init__([*HELPER_ARGS, this_file(), root])
        self.waiting = 0
        self.waiting_bytes = 0
        self.waited = 0.0  # seconds the index's process waited for its answers to begin

    def ask(self, rel: str, size: int) -> None:
        self.waiting += 1
        self.waiting_bytes += size
        self.send(rel.encode("utf-8", "surrogatepass"))

    def answer(self, size: int) -> FileRows | None:
        """The answer to the oldest question asked (None: read that file here)."""
        import marshal
        import time

        self.waiting -= 1
        self.waiting_bytes -= size
        start = time.perf_counter()
        began: list[float] = []
        data = self.receive(began)
        self.waited += began[0] - start if began else 0.0  # (until it began to answer)
        if data is None:
            return None
        try:
            return _described_rows(marshal.loads(data))
        except (EOFError, ValueError, TypeError):
            self.alive = False
            return None


def answer_with(args: list[str]) -> Callable[[bytes], bytes]:
    """A helper's answers (:func:`papercli.storage.helpers.run_helper`; ``args``: the
    cache folder): each file asked for, read by :func:`read_described`, marshalled."""
    import marshal

    cache = Cache(Path(args[0]))
    return lambda rel: marshal.dumps(read_described(cache, rel.decode("utf-8", "surrogatepass")))
