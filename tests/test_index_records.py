"""Records found by byte offset: the spans a parse gives, and reading them back.

The index keeps no copy of a record: it keeps where each lies in its cache file
(:func:`papercli.storage.records.parse_listing`) and reads it back from there, noticing
a file that changed since (:class:`~papercli.storage.records.RecordReader`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papercli.models import Paper
from papercli.storage.cache import Cache
from papercli.storage.records import RecordReader, StaleFile, parse_listing, scan_cache

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
records = st.fixed_dictionaries(
    {"id": texts, "title": texts},
    optional={"authors": st.lists(texts, max_size=3), "upvotes": st.integers(-5, 10**6)},
)


def _dump(doc: dict[str, Any], style: int) -> bytes:
    if style == 0:
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    if style == 1:
        return json.dumps(doc, ensure_ascii=True, indent=2).encode()
    if style == 2:
        return b"\xef\xbb\xbf" + json.dumps(doc, ensure_ascii=False, indent="\t").encode()
    return (
        " \n" + json.dumps(doc, ensure_ascii=False, separators=(" , ", " : ")) + "\r\n"
    ).encode()


@given(st.lists(records, max_size=5), st.integers(0, 3), st.booleans())
@settings(max_examples=300, deadline=None)
def test_spans_are_the_records_and_the_document_is_json_loads(
    papers: list[dict[str, Any]], style: int, papers_first: bool
) -> None:
    doc: dict[str, Any] = {"schema": 1, "fetched_at": 1.5, "meta": {"k": ["v"]}}
    doc = {"papers": papers, **doc} if papers_first else {**doc, "papers": papers}
    raw = _dump(doc, style)
    data, spans = parse_listing(raw)
    assert data == json.loads(raw)
    assert spans is not None and len(spans) == len(papers)
    for (offset, length), record in zip(spans, papers, strict=True):
        assert json.loads(raw[offset : offset + length]) == record


def test_what_the_walk_does_not_expect_is_left_to_json() -> None:
    # A repeated key: the last one, as json.loads has it.
    raw = b'{"papers":[{"id":"a"}],"papers":[{"id":"b"},{"id":"c"}]}'
    data, spans = parse_listing(raw)
    assert data == json.loads(raw)
    assert [raw[o : o + n] for o, n in spans or []] == [b'{"id":"b"}', b'{"id":"c"}']
    assert parse_listing(b'{"papers": 3}') == ({"papers": 3}, None)
    assert parse_listing(b"[1, 2]") == ([1, 2], None)
    utf16 = json.dumps({"papers": [{"id": "é"}]}).encode("utf-16")
    assert parse_listing(utf16) == (json.loads(utf16), None)  # no byte spans: not UTF-8
    for bad in (b'{"papers":[{"id":"a"},]}', b'{"papers":[]} x', b"{", b""):
        with pytest.raises(ValueError):
            parse_listing(bad)


def _saved(tmp_path: Path) -> tuple[Cache, dict[int, tuple[str, int, int]], list[Any]]:
    cache = Cache(tmp_path)
    papers = [Paper(id=f"2507.0000{i}", title=f"Tïtle {i} — ok", sources=("hf",)) for i in range(3)]
    cache.save("hf", "day", "2025-07-15", papers)
    found = cache.load_located("hf", "day", "2025-07-15")
    assert found is not None and found.spans is not None
    rel = cache.relative("hf", "day", "2025-07-15")
    return cache, {1: (rel, *found.stamp)}, found.spans


def test_the_reader_reads_records_back_and_notices_a_changed_file(tmp_path: Path) -> None:
    cache, files, spans = _saved(tmp_path)
    with RecordReader(cache, files) as reader:
        got = [reader.read(1, off, n, f"2507.0000{i}") for i, (off, n) in enumerate(spans)]
    assert [p.title for p in got] == [f"Tïtle {i} — ok" for i in range(3)]
    with RecordReader(cache, files) as reader, pytest.raises(StaleFile):
        reader.read(1, *spans[0], "2507.00001")  # not the paper the index expects
    path = cache.path("hf", "day", "2025-07-15")
    st_ = path.stat()
    os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns + 1000))
    with RecordReader(cache, files) as reader, pytest.raises(StaleFile):
        reader.read(1, *spans[0], "2507.00000")  # its stamp moved
    path.unlink()
    with RecordReader(cache, files) as reader, pytest.raises(StaleFile):
        reader.read(1, *spans[0], "2507.00000")  # gone


def test_scan_cache_lists_papercli_files_only(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.save("hf", "day", "2025-07-15", [])
    cache.save("arxiv", "api", "cs.LG/2025-07-15", [])
    (tmp_path / "hf" / "day" / "notes.json").write_text("{}")  # not papercli's
    (tmp_path / "hf" / "day" / "2025-07-16.json.corrupt-1").write_text("{}")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x.json").write_text("{}")
    assert sorted(scan_cache(cache)) == [
        "arxiv/api/cs.LG/2025-07-15.json",
        "hf/day/2025-07-15.json",
    ]
    assert sorted(scan_cache(cache)) == sorted(
        p.relative_to(tmp_path).as_posix() for p in cache.files()
    )
