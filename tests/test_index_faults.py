"""The search index under faults: never a wrong answer.

The index is derived from the JSON files. Whatever happens to it (a dropped table,
damaged pages, a full disk, a read-only home), every command that uses it answers
exactly what a healthy index answers, or fails with one line saying why; a good
index is never thrown away because the disk is full.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from papercli.core.search import matching_papers
from papercli.errors import PapersError
from papercli.models import Paper
from papercli.query import Query
from papercli.storage.cache import Cache
from papercli.storage.index import SearchIndex

DAYS = ("2025-07-14", "2025-07-15", "2025-07-16")


def _fill(cache: Cache, per_day: int = 40) -> None:
    for d, day in enumerate(DAYS):
        papers = [
            Paper(
                id=f"2507.{d * 1000 + i:05d}",
                title=f"{'Agent' if i % 3 else 'Diffusion'} study number {i}",
                abstract=" ".join(f"word{i * j % 97} agentic planning" for j in range(20)),
                listed=day,
                upvotes=i,
                sources=("hf",),
            )
            for i in range(per_day)
        ]
        cache.save("hf", "day", day, papers)


def _ids(cache: Cache, text: str = "agent") -> list[str]:
    return sorted(p.id for p in matching_papers(cache, Query.parse(text)))


@pytest.mark.parametrize(
    "table", ["ids", "papers", "fts", "files", "meta", "fts_data", "fts_idx", "fts_docsize"]
)
def test_a_dropped_table_is_rebuilt_and_the_answer_is_the_healthy_one(
    tmp_path: Path, table: str
) -> None:
    warnings: list[str] = []
    cache = Cache(tmp_path, warnings.append)
    _fill(cache)
    healthy = _ids(cache)
    assert len(healthy) > 50
    db = sqlite3.connect(SearchIndex(cache).path)
    db.execute(f"DROP TABLE {table}")
    db.commit()
    db.close()
    assert _ids(cache) == healthy
    assert _ids(cache) == healthy  # and the run after it


@pytest.mark.parametrize("seed", range(12))
def test_damaged_pages_give_the_healthy_answer_or_fail(tmp_path: Path, seed: int) -> None:
    """512 random bytes every 64 KB: the answer is the healthy one, or an error; never less."""
    cache = Cache(tmp_path)
    _fill(cache, per_day=400)
    healthy = _ids(cache)
    path = SearchIndex(cache).path
    SearchIndex(cache).close()
    data = bytearray(path.read_bytes())
    assert len(data) > 3 * 65536
    rng = random.Random(seed)
    for offset in range(rng.randrange(0, 65536), len(data), 65536):
        data[offset : offset + 512] = rng.randbytes(len(data[offset : offset + 512]))
    path.write_bytes(bytes(data))
    try:
        got = _ids(cache)
    except PapersError:
        got = None
    assert got in (healthy, None)
    assert _ids(cache) == healthy  # the next run is right in any case


# --- the commands that use the index --------------------------------------------------


def _cli_cache(home: Path) -> Cache:
    """Recent days (watch rules look back 7 days), with a watch rule on them."""
    import datetime as dt

    cache = Cache(home / "cache")
    today = dt.date.today()
    for n in range(3):
        day = (today - dt.timedelta(days=n + 1)).isoformat()
        papers = [
            Paper(id=f"2507.{n * 100 + i:05d}", title=f"Agent {i}", listed=day, sources=("hf",))
            for i in range(10)
        ]
        cache.save("hf", "day", day, papers)
    with (home / "config.toml").open("a") as handle:
        handle.write('\n[watch.ag]\nquery = "agent"\nsources = ["hf"]\n')
    return cache


def _answer(run, name: str) -> tuple[int, object]:  # type: ignore[no-untyped-def]
    if name == "search":
        search = run("search", "--offline", "agent", "--json", "--limit", "1000")
        return search.exit_code, sorted(p["id"] for p in search.json())
    if name == "trends":
        trends = run("trends", "agent", "--json")
        return trends.exit_code, trends.json()["total"]
    watch = run("watch", "run", "--offline", "--dry-run", "--json")
    return watch.exit_code, watch.stdout


@pytest.mark.parametrize("table", ["ids", "papers", "fts"])
@pytest.mark.parametrize("name", ["search", "trends", "watch"])
def test_every_index_user_answers_as_a_healthy_index_after_a_rebuild(
    run, isolated_home: Path, table: str, name: str
) -> None:
    cache = _cli_cache(isolated_home)
    healthy = _answer(run, name)
    assert healthy[0] == 0 and healthy[1], healthy
    db = sqlite3.connect(SearchIndex(cache).path)
    db.execute(f"DROP TABLE {table}")
    db.commit()
    db.close()
    assert _answer(run, name) == healthy
