"""Paper records where they live: in the cache's JSON files, found by byte offset.

The search index keeps no copy of a record. It keeps, for every paper of every
cache file, where the record's JSON text starts in the file and how long it is;
:func:`parse_listing` finds those spans while parsing a file once, and
:class:`RecordReader` reads a record back with one seek and one read.

A file may change under the index (a sync rewrites a day): the reader checks that
the file it opened has the modification time and size the index recorded for it,
and that the record it read is the paper the index expects; anything else raises
:class:`StaleFile`, and the caller brings the index up to date before answering.
"""

from __future__ import annotations

import json
import os
import re
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from papercli.models import Paper
from papercli.storage.cache import LAYOUT, Cache

Span = tuple[int, int]  # (byte offset, byte length) of one record in its file

_WS = re.compile(r"[ \t\n\r]*")  # json's own white space
_DECODER = json.JSONDecoder()


class StaleFile(Exception):
    """A cache file is not what the index recorded (changed or replaced since)."""

    def __init__(self, file_id: int, path: str) -> None:
        super().__init__(f"{path} changed since it was indexed")
        self.file_id = file_id
        self.path = path


def parse_listing(raw: bytes) -> tuple[Any, list[Span] | None]:
    """``json.loads(raw)``, and the byte span of each element of the top-level
    ``"papers"`` array (None when the spans cannot be given: not UTF-8, no such array).

    The two top levels are walked here, each value parsed by json's own scanner, so
    the document is exactly what ``json.loads`` makes of it (a repeated key: the last
    one). Whatever this walk does not expect is left to ``json.loads``.
    """
    encoding = json.detect_encoding(raw)
    if encoding not in ("utf-8", "utf-8-sig"):
        return json.loads(raw), None
    base = 3 if encoding == "utf-8-sig" else 0
    text = raw[base:].decode("utf-8", "surrogatepass")
    try:
        data, chars = _walk(text)
    except (StopIteration, IndexError, ValueError):
        return json.loads(raw), None  # raises json's own error, or parses what we did not
    if chars is None:
        return data, None
    if text.isascii():
        return data, [(base + start, end - start) for start, end in chars]
    spans: list[Span] = []
    done_chars, done_bytes = 0, base
    for start, end in chars:
        done_bytes += len(text[done_chars:start].encode("utf-8", "surrogatepass"))
        size = len(text[start:end].encode("utf-8", "surrogatepass"))
        spans.append((done_bytes, size))
        done_bytes += size
        done_chars = end
    return data, spans


def _walk(text: str) -> tuple[Any, list[Span] | None]:
    """The document, and the character spans of the ``"papers"`` elements."""
    scan = _DECODER.scan_once
    ws = _WS.match
    i = ws(text, 0).end()  # type: ignore[union-attr]
    if text[i] != "{":
        raise ValueError("not an object")
    data: dict[str, Any] = {}
    chars: list[Span] | None = None
    i = ws(text, i + 1).end()  # type: ignore[union-attr]
    if text[i] == "}":
        i += 1
    else:
        while True:
            if text[i] != '"':
                raise ValueError("a key expected")
            key, i = scan(text, i)
            i = ws(text, i).end()  # type: ignore[union-attr]
            if text[i] != ":":
                raise ValueError("':' expected")
            i = ws(text, i + 1).end()  # type: ignore[union-attr]
            if key == "papers" and text[i] == "[":
                data[key], chars, i = _array(text, i)
            else:
                data[key], i = scan(text, i)
                if key == "papers":
                    chars = None
            i = ws(text, i).end()  # type: ignore[union-attr]
            if text[i] == ",":
                i = ws(text, i + 1).end()  # type: ignore[union-attr]
                continue
            if text[i] != "}":
                raise ValueError("',' or '}' expected")
            i += 1
            break
    if ws(text, i).end() != len(text):  # type: ignore[union-attr]
        raise ValueError("extra data")
    return data, chars


def _array(text: str, i: int) -> tuple[list[Any], list[Span], int]:
    scan = _DECODER.scan_once
    ws = _WS.match
    items: list[Any] = []
    spans: list[Span] = []
    i = ws(text, i + 1).end()  # type: ignore[union-attr]
    if text[i] == "]":
        return items, spans, i + 1
    while True:
        value, end = scan(text, i)
        items.append(value)
        spans.append((i, end))
        c = text[end]
        if c not in ",]":
            end = ws(text, end).end()  # type: ignore[union-attr]
            c = text[end]
        if c == "]":
            return items, spans, end + 1
        if c != ",":
            raise ValueError("',' or ']' expected")
        i = end + 1
        if text[i] in " \t\n\r":
            i = ws(text, i).end()  # type: ignore[union-attr]


class RecordReader:
    """Reads records back from cache files by span, checking each file against the
    stamp the index recorded for it. A few files stay open (least recently used out);
    close it when done (a context manager)."""

    OPEN_FILES = 16

    def __init__(self, cache: Cache, files: dict[int, tuple[str, int, int]]) -> None:
        self.cache = cache
        self.files = files  # file id -> (path under the cache root, mtime_ns, size)
        self._open: OrderedDict[int, IO[bytes]] = OrderedDict()

    def __enter__(self) -> RecordReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        while self._open:
            self._open.popitem()[1].close()

    def _handle(self, file_id: int) -> IO[bytes]:
        handle = self._open.get(file_id)
        if handle is not None:
            self._open.move_to_end(file_id)
            return handle
        path, mtime_ns, size = self.files[file_id]
        try:
            handle = (self.cache.root / path).open("rb")
        except OSError:
            raise StaleFile(file_id, path) from None
        st = os.fstat(handle.fileno())
        if (st.st_mtime_ns, st.st_size) != (mtime_ns, size):
            handle.close()
            raise StaleFile(file_id, path)
        self._open[file_id] = handle
        if len(self._open) > self.OPEN_FILES:
            self._open.popitem(last=False)[1].close()
        return handle

    def read(self, file_id: int, offset: int, length: int, paper_id: str) -> Paper:
        """The record at ``offset`` (``length`` bytes) of a file, which must be the paper
        ``paper_id``."""
        handle = self._handle(file_id)
        try:
            handle.seek(offset)
            paper = Paper.from_record(json.loads(handle.read(length)))
        except (OSError, ValueError, RecursionError):
            paper = None
        if paper is None or paper.id != paper_id:
            raise StaleFile(file_id, self.files[file_id][0])
        return paper


def scan_cache(cache: Cache) -> dict[str, tuple[int, int]]:
    """The cache's own JSON files (relative path -> (mtime_ns, size)): what the index
    compares with what it read, before every use (a walk of the source and kind
    folders, one stat per file). The files :meth:`Cache.files` lists, under the same
    rule for links, and besides them the entries named as one that are a folder or a
    link in a loop (:func:`_walk_files`: for the index's reader to set aside or name)."""
    from papercli.ids import is_paper_id

    out: dict[str, tuple[int, int]] = {}
    root = cache.root
    for source, kinds in LAYOUT.items():
        if not _plain_folder(root / source):
            continue
        for kind, pattern in kinds.items():
            folder = root / source / kind
            if not _plain_folder(folder):
                continue
            own = is_paper_id if pattern is None else pattern.fullmatch
            start = len(source) + len(kind) + 2
            for rel, st in _walk_files(folder, f"{source}/{kind}"):
                if own(rel[start : -len(".json")]):
                    out[rel] = (st.st_mtime_ns, st.st_size)
    return out


def _plain_folder(path: Path) -> bool:
    """A folder, or a link to one: a source's or a kind's folder moved to another disk
    is read where the link points, as the cache's own reads do (links further down
    are not followed: no loop)."""
    return path.is_dir()


def _walk_files(folder: Path, prefix: str) -> Iterator[tuple[str, os.stat_result]]:
    """The ``.json`` files under ``folder``, and the ``.json`` entries that are a folder
    or a link in a loop (with their own stat): their reader sets them aside or says why
    they cannot be read, rather than leaving them out in silence. A link to nothing is
    no file (as for the listings: not cached)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:  # gone meanwhile
        return
    for entry in entries:
        rel = f"{prefix}/{entry.name}"
        try:
            if entry.name.endswith(".json"):
                try:
                    file = entry.is_file(follow_symlinks=True)
                    odd = not file and entry.is_dir(follow_symlinks=True)
                except OSError:  # a link in a loop
                    file, odd = False, True
                if file or odd:
                    yield rel, entry.stat(follow_symlinks=file)
            elif entry.is_dir(follow_symlinks=False):
                yield from _walk_files(Path(entry.path), rel)
        except OSError:  # gone meanwhile
            continue
