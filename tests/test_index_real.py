"""On the real data, search through the index answers exactly what the file scan does.

The cache: the 26 months of real Hugging Face Daily Papers (``hf_daily_papers_monthly``,
parsed by papercli's own parser), a few of their days again as day files (an id in
several files), the 69 days of real arXiv listings filed by category (a cross-listed
paper in several files), and Hugging Face records for some of the arXiv papers (merged
into the arXiv record). Every query of a set, in every order, with and without a
limit, is answered by ``papers search --offline``'s use case through the index and
compared with the old way: every file read (``scan_matches``), the same exact
matcher, the same sorts. Papers tied on the sort key may come in either order, so
the comparison is by key, and a page cut at its limit may hold any of the papers
tied at its last key.

The data is ``$PAPERS_REAL_FIXTURES/../data`` (CI) or ``../shared/data`` beside the
repository; the test is skipped when neither is there.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from papercli.core import matches as core_matches
from papercli.core import pages, search
from papercli.core.listing import Filters
from papercli.models import Paper, date_key, title_key, upvotes_key
from papercli.query import Query
from papercli.sources.hf import paper_from_item
from papercli.storage.cache import Cache
from papercli.storage.index import SearchIndex

ROOT = Path(__file__).resolve().parent.parent

QUERIES = [
    "diffusion",
    "mini-batch",
    "minibatch",
    '"large language model"',
    "reinforcement learning",
    "transformer -vision",
    "(rl OR reinforcement) agent",
    "au:zhang",
    'au:"yann lecun"',
    "org:meta",
    "org:google",
    "cat:cs.CV",
    "cat:cs",
    "kw:segmentation",
    "title:survey",
    "abs:benchmark",
    "id:2401",
    "quantum",
    "ﬁne-tuning",
    "naïve",
    "-model",
]
SORTS = ["date", "upvotes", "title", "relevance"]


def _data() -> Path:
    value = os.environ.get("PAPERS_REAL_FIXTURES")
    data = Path(value).parent / "data" if value else ROOT.parent / "shared" / "data"
    if not (data / "hf_daily_papers_monthly").is_dir():
        pytest.skip(f"no real data at {data} (set PAPERS_REAL_FIXTURES)")
    return data


@pytest.fixture(scope="module")
def real_cache(tmp_path_factory: pytest.TempPathFactory) -> Cache:
    data = _data()
    cache = Cache(tmp_path_factory.mktemp("real") / "cache")
    by_day: dict[str, list[Paper]] = {}
    for n, path in enumerate(sorted((data / "hf_daily_papers_monthly").glob("daily_*.json"))):
        papers = [p for item in json.loads(path.read_bytes()) if (p := paper_from_item(item))]
        month = path.stem.removeprefix("daily_papers_")
        cache.save("hf", "month", month, papers, fetched_at=1_000_000 + n)
        for p in papers:
            by_day.setdefault(p.listed or "", []).append(p)
    for n, day in enumerate(sorted(by_day)[::25]):  # some days again, fetched earlier
        cache.save("hf", "day", day, by_day[day], fetched_at=500_000 + n)
    arxiv: list[Paper] = []
    for n, path in enumerate(sorted((data / "arxiv_daily_listings").glob("*.jsonl"))):
        day = path.stem
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for cat in ("cs.AI", "cs.CL", "cs.CV", "cs.LG"):
            papers = [
                Paper(
                    id=r["id"],
                    title=r["title"],
                    authors=tuple(r["authors"]),
                    abstract=r["summary"],
                    published=f"{day}T{i % 24:02d}:00:00Z",
                    listed=day,
                    categories=tuple(r["categories"]),
                    primary_category=r["categories"][0],
                    comment=r.get("comment"),
                    sources=("arxiv",),
                )
                for i, r in enumerate(records)
                if cat in r["categories"]
            ]
            cache.save("arxiv", "api", f"{cat}/{day}", papers, fetched_at=2_000_000 + n)
            arxiv += papers[:3]
    for n, p in enumerate(arxiv[::7]):  # Hugging Face's record of some arXiv papers
        hf = Paper(
            id=p.id,
            title=p.title,
            abstract=p.abstract,
            upvotes=n % 40,
            organization="Meta" if n % 5 == 0 else None,
            ai_keywords=("segmentation",) if n % 3 == 0 else (),
            listed=p.listed,
            sources=("hf",),
        )
        cache.save("hf", "paper", p.id, [hf], fetched_at=3_000_000 + n)
    with SearchIndex(cache) as index:
        index.update()
    return cache


@pytest.fixture(scope="module")
def everything(real_cache: Cache) -> list[Paper]:
    """Every cached paper, one per id, as the file scan merges them."""
    return list(core_matches.scan_matches(real_cache, lambda p: True, None))


@pytest.fixture(scope="module")
def matches(everything: list[Paper]) -> dict[str, list[Paper]]:
    """The old way's matches of each query: the exact matcher over ``everything``."""
    out = {}
    for text in QUERIES:
        wanted = core_matches.wanted_by(Query.parse(text), None, None, None)
        out[text] = [p for p in everything if wanted(p)]
    return out


def _key(sort: str, query: Query) -> Callable[[Paper], Any]:
    if sort == "relevance":
        return lambda p: (-pages.relevance(query, p), _desc(date_key(p)))
    return {
        "date": lambda p: _desc(date_key(p)),
        "upvotes": lambda p: -upvotes_key(p),
        "title": title_key,
    }[sort]


def _desc(text: str) -> tuple[int, ...]:
    return (*(-ord(c) for c in text), 1)


def _expected(everything: list[Paper], filters: Filters) -> tuple[list[Paper], list[Paper], bool]:
    """The old way: every file read, the exact matcher, the sort: (all matches sorted,
    the page, more)."""
    wanted = core_matches.wanted_by(filters.query, filters.since, filters.until, None)
    matches = [p for p in everything if wanted(p)]
    ordered = sorted(matches, key=_key(filters.sort, filters.query))
    limit = filters.limit
    page = ordered if limit is None else ordered[:limit]
    return ordered, page, limit is not None and len(ordered) > limit


@pytest.mark.parametrize("sort", SORTS)
def test_the_index_answers_what_the_file_scan_answers(
    real_cache: Cache, everything: list[Paper], matches: dict[str, list[Paper]], sort: str
) -> None:
    assert len(everything) > 20_000
    checked = 0
    for text in QUERIES:
        query = Query.parse(text)
        # Every match once (in date order: the others walk the same candidates), and the
        # first page in each order.
        for limit in (20, None) if sort == "date" else (20,):
            filters = Filters(query=query, sort=sort, limit=limit)
            ordered, page, more = _expected(matches[text], filters)
            got, got_more = search._local_matches(real_cache, filters, None, None)
            key = _key(sort, query)
            where = f"{text!r} --sort {sort} --limit {limit}"
            assert [key(p) for p in got] == [key(p) for p in page], where
            assert got_more == more, where
            by_id = {p.id: p for p in ordered}
            assert all(by_id.get(p.id) == p for p in got), where  # the same merged records
            if page:  # the same papers, but for those tied at the page's last key
                last = key(page[-1])
                assert {p.id for p in got if key(p) != last} == {
                    p.id for p in page if key(p) != last
                }, where
            checked += len(got)
    assert checked > (1000 if sort == "date" else 300)


def test_date_ranges_on_real_data(real_cache: Cache, everything: list[Paper]) -> None:
    for text in ("diffusion", "au:wang", "-model"):
        for since, until in (
            (dt.date(2024, 3, 1), dt.date(2024, 3, 31)),
            (dt.date(2026, 5, 1), None),
            (None, dt.date(2023, 6, 30)),
        ):
            filters = Filters(query=Query.parse(text), sort="date", since=since, until=until)
            ordered, _, _ = _expected(everything, filters)
            got, _ = search._local_matches(real_cache, filters, None, None)
            assert sorted(p.id for p in got) == sorted(p.id for p in ordered), (text, since)
