"""Keeping the index in step: documents replaced exactly, garbage collected, a file
changed under a search, the old index version replaced, a build never half-used."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from papercli.core.matches import matching_papers
from papercli.models import Paper
from papercli.query import Query
from papercli.storage import index_update
from papercli.storage.cache import Cache
from papercli.storage.index import SearchIndex, index_path


def _papers(n: int, word: str, day: str = "2025-07-15", start: int = 0) -> list[Paper]:
    return [
        Paper(
            id=f"2507.{start + i:05d}",
            title=f"{word} study {start + i}",
            abstract=f"{word} methods number {start + i}",
            listed=day,
            upvotes=i,
            sources=("hf",),
        )
        for i in range(n)
    ]


def _ids(cache: Cache, text: str) -> list[str]:
    return sorted(p.id for p in matching_papers(cache, Query.parse(text)))


def _tables(cache: Cache) -> dict[str, object]:
    """What the tests look at: garbage ids, and whether the token counts agree."""
    db = sqlite3.connect(index_path(cache.root))
    try:
        db.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, fts, 'row')")
        vocab = dict(db.execute("SELECT term, doc FROM temp.v"))
        terms = dict(db.execute("SELECT term, docs FROM terms"))
        dead = db.execute("SELECT count(*) FROM dead").fetchone()[0]
        live = db.execute("SELECT count(*) FROM ids").fetchone()[0]
    finally:
        db.close()
    return {"dead": dead, "live": live, "counts agree": vocab == terms}


def test_a_second_source_replaces_documents_exactly(tmp_path: Path) -> None:
    """An arXiv listing of papers Hugging Face listed: their documents change (merged),
    and the old ones are deleted exactly (their files are unchanged): no garbage."""
    cache = Cache(tmp_path)
    cache.save("hf", "day", "2025-07-15", _papers(20, "graph"))
    assert len(_ids(cache, "graph")) == 20
    arxiv = [
        Paper(p.id, p.title, abstract="lattice", categories=("cs.LG",), sources=("arxiv",))
        for p in _papers(10, "graph")
    ]
    cache.save("arxiv", "api", "cs.LG/2025-07-15", arxiv)
    assert _ids(cache, "lattice") == [p.id for p in arxiv]
    assert _ids(cache, "cat:cs.LG methods") == []  # the arXiv abstract is the merged one
    assert _tables(cache) == {"dead": 0, "live": 20, "counts agree": True}


def test_a_rewritten_file_leaves_garbage_and_garbage_is_collected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_update, "GARBAGE_SLACK", 10)
    cache = Cache(tmp_path)
    cache.save("hf", "day", "2025-07-15", _papers(40, "graph"))
    assert len(_ids(cache, "graph")) == 40
    # The same papers with new upvotes: the same text, nothing to replace.
    again = [Paper.from_record({**p.to_record(), "upvotes": 99}) for p in _papers(40, "graph")]
    cache.save("hf", "day", "2025-07-15", again)
    assert len(_ids(cache, "graph")) == 40
    assert _tables(cache)["dead"] == 0
    # New text for 15 of them: their old documents cannot be derived again (the file
    # changed), so they stay as garbage, which only adds candidates.
    cache.save("hf", "day", "2025-07-15", _papers(15, "tree") + _papers(25, "graph", start=15))
    assert _ids(cache, "tree") == [f"2507.{i:05d}" for i in range(15)]
    assert _ids(cache, "graph") == [f"2507.{i:05d}" for i in range(15, 40)]
    assert _tables(cache) == {"dead": 15, "live": 40, "counts agree": True}
    # More than half the live ones (and the slack): the FTS table is rebuilt.
    cache.save("hf", "day", "2025-07-15", _papers(40, "bush"))
    assert len(_ids(cache, "bush")) == 40 and _ids(cache, "graph tree") == []
    assert _tables(cache) == {"dead": 0, "live": 40, "counts agree": True}
    cache.path("hf", "day", "2025-07-15").unlink()  # nothing left: an empty table
    assert _ids(cache, "bush") == []
    assert _tables(cache) == {"dead": 0, "live": 0, "counts agree": True}


def test_a_file_changed_between_the_update_and_the_read_is_noticed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index read the file; then, before the search reads a record back, a sync
    rewrites it. The search notices (the file's stamp), updates and answers anew."""
    cache = Cache(tmp_path)
    cache.save("hf", "day", "2025-07-15", _papers(5, "graph"))
    assert len(_ids(cache, "graph")) == 5
    real = SearchIndex.update
    calls = []

    def update_then_sync(self: SearchIndex) -> object:
        stats = real(self)
        calls.append(stats)
        if len(calls) == 1:  # the sync lands just after the first freshness check
            changed = _papers(5, "graph")[:2] + _papers(1, "x", start=9)
            cache.save("hf", "day", "2025-07-15", changed)
        return stats

    monkeypatch.setattr(SearchIndex, "update", update_then_sync)
    assert _ids(cache, "graph") == ["2507.00000", "2507.00001"]
    assert len(calls) == 2  # it started again


def test_an_index_of_the_old_version_is_replaced_by_a_whole_new_one(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.save("hf", "day", "2025-07-15", _papers(30, "graph"))
    folder = tmp_path / "index"
    folder.mkdir()
    old = folder / "search-v5.sqlite3"
    db = sqlite3.connect(old)
    db.execute("CREATE TABLE papers(rowid INTEGER PRIMARY KEY, record BLOB)")
    db.commit()
    db.close()
    (folder / "search-v5.sqlite3-wal").write_bytes(b"")
    assert len(_ids(cache, "graph")) == 30
    assert sorted(p.name for p in folder.iterdir() if "v5" in p.name) == []
    assert index_path(tmp_path).is_file()


def test_a_build_that_fails_half_way_is_never_answered_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path)
    for n in range(6):
        cache.save("hf", "day", f"2025-07-1{n}", _papers(10, "graph", f"2025-07-1{n}", n * 10))
    real = index_update.Updater._add_file
    added = []

    def fails_at_the_fourth(self: index_update.Updater, rel: str) -> None:
        added.append(rel)
        if len(added) == 4:
            raise KeyboardInterrupt  # the user stops it
        real(self, rel)

    monkeypatch.setattr(index_update.Updater, "_add_file", fails_at_the_fourth)
    with pytest.raises(KeyboardInterrupt), SearchIndex(cache) as index:
        index.update()
    db = sqlite3.connect(index_path(tmp_path))
    assert db.execute("SELECT count(*) FROM files").fetchone()[0] == 0  # nothing kept
    db.close()
    monkeypatch.undo()
    assert len(_ids(cache, "graph")) == 60
