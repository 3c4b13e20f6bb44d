"""The derived search index: a prefilter that never loses a match, kept in step with the JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papercli.core.matches import matching_papers
from papercli.models import Paper
from papercli.query import Query
from papercli.storage.cache import Cache
from papercli.storage.index import SearchIndex, fts_expression, start_tokens

WORDS = [
    "mini",
    "batch",
    "mini-batch",
    "minibatch",
    "Mini batches",
    "state-of-the-art",
    "ab",
    "a",
    "b–c",
    "x.y",
    "ﬁne",
    "Straße",
    "naïve",
    "E\u0301mile",
    "_u",
    "c++",
    "model",
    "models,",
    "(diffusion)",
    "RL",
    "2507.1",
]
QUERY_WORDS = [
    "mini",
    "batch",
    "mini-batch",
    "minibatch",
    '"mini batch"',
    "batches",
    "stateoftheart",
    "state",
    "art",
    "ab",
    "b-c",
    "bc",
    "x.y",
    "y",
    "fine",
    "strasse",
    "naive",
    "naïve",
    "émile",
    "_u",
    "c++",
    "++",
    "models",
    "diffusion",
    '"(diffusion"',
    "rl",
    "a",
    "title:mini",
    "abs:batch",
    "au:émile",
    'au:"e strasse"',
    "org:mini",
    "kw:model",
    "cat:cs",
    "cat:cs.lg",
    "id:2507.0",
    "id:2507.00001",
]

texts = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from([" ", "-", "", ", "])), max_size=6
).map(lambda parts: "".join(w + sep for w, sep in parts))


@st.composite
def papers(draw: st.DrawFn) -> list[Paper]:
    out = []
    for n in range(draw(st.integers(1, 6))):
        out.append(
            Paper(
                id=f"2507.{n:05d}",
                title=draw(texts),
                abstract=draw(texts),
                authors=tuple(draw(st.lists(texts, max_size=2))),
                organization=draw(texts) or None,
                ai_keywords=tuple(draw(st.lists(texts, max_size=2))),
                categories=tuple(draw(st.lists(st.sampled_from(["cs.LG", "cs.CL", "math.CO"]))))
                if n % 2
                else (),
                listed="2025-07-15",
                sources=("hf",) if n % 2 else ("arxiv",),
            )
        )
    return out


@st.composite
def queries(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["w", "w", "w", "not", "and", "or"] if depth < 3 else ["w"]))
    if kind == "w":
        return draw(st.sampled_from(QUERY_WORDS))
    if kind == "not":
        return "-" + draw(st.sampled_from(QUERY_WORDS))
    a, b = draw(queries(depth + 1)), draw(queries(depth + 1))
    return f"({a} {b})" if kind == "and" else f"({a} OR {b})"


@given(papers(), queries())
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_index_prefilter_never_loses_a_match(corpus: list[Paper], text: str) -> None:
    query = Query.parse(text)
    expected = sorted(p.id for p in corpus if query.matches(p))
    with tempfile.TemporaryDirectory() as folder:
        cache = Cache(Path(folder))
        cache.save("hf", "day", "2025-07-15", corpus)
        found = sorted(p.id for p in matching_papers(cache, query))
    assert found == expected, fts_expression(query.tree)


def test_start_tokens() -> None:
    assert start_tokens("Mini-batch SGD") == {"miniba", "batchs", "sgd"}
    assert start_tokens("c++ rocks") == {"c__roc", "rocks"}
    assert start_tokens("") == set()


def _paper(pid: str, title: str, **kw: object) -> Paper:
    return Paper(id=pid, title=title, listed="2025-07-15", **kw)  # type: ignore[arg-type]


def test_index_follows_the_cache_and_rebuilds_when_corrupt(tmp_path: Path) -> None:
    warnings: list[str] = []
    cache = Cache(tmp_path, warnings.append)
    q = Query.parse("graph")
    cache.save("hf", "day", "2025-07-15", [_paper("2507.00001", "Graph nets", sources=("hf",))])
    assert [p.id for p in matching_papers(cache, q)] == ["2507.00001"]
    with SearchIndex(cache) as index:
        assert index.update().added == 0  # already up to date
    # A changed file is re-read, a new one added, a removed one dropped.
    cache.save("hf", "day", "2025-07-15", [_paper("2507.00002", "Graph sampling")])
    cache.save("hf", "day", "2025-07-16", [_paper("2507.00003", "graphs again")])
    assert sorted(p.id for p in matching_papers(cache, q)) == ["2507.00002", "2507.00003"]
    cache.path("hf", "day", "2025-07-16").unlink()
    assert [p.id for p in matching_papers(cache, q)] == ["2507.00002"]
    # A corrupt index is thrown away and rebuilt from the JSON.
    index_file = SearchIndex(cache).path
    index_file.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{index_file}{suffix}").unlink(missing_ok=True)
    assert [p.id for p in matching_papers(cache, q)] == ["2507.00002"]
    assert any("Rebuilding the search index" in w for w in warnings)


def test_same_size_same_mtime_rewrite_is_still_seen_when_mtime_moves(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.save("hf", "day", "2025-07-15", [_paper("2507.00001", "Graph nets")])
    assert len(matching_papers(cache, Query.parse("graph"))) == 1
    path = cache.path("hf", "day", "2025-07-15")
    doc = json.loads(path.read_text())
    doc["papers"][0]["title"] = "Grape nets"  # same length
    path.write_text(json.dumps(doc, separators=(",", ":")))
    st_ = path.stat()
    os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns + 1_000_000))
    assert matching_papers(cache, Query.parse("graph")) == []
    assert len(matching_papers(cache, Query.parse("grape"))) == 1


def test_dedup_prefers_hf_signals_merged_into_arxiv(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    arxiv = _paper("2507.00001", "Graph nets", categories=("cs.LG",), sources=("arxiv",))
    hf_old = _paper("2507.00001", "Graph nets", upvotes=3, sources=("hf",))
    hf_new = _paper("2507.00001", "Graph nets", upvotes=9, sources=("hf",))
    cache.save("arxiv", "rss", "cs.LG/2025-07-15", [arxiv], fetched_at=100)
    cache.save("hf", "day", "2025-07-15", [hf_old], fetched_at=100)
    cache.save("hf", "month", "2025-07", [hf_new], fetched_at=200)
    (found,) = matching_papers(cache, Query.parse("cat:cs.LG graph"))
    assert found.upvotes == 9 and found.categories == ("cs.LG",)
    assert set(found.sources) == {"arxiv", "hf"}


def test_since_until(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.save(
        "hf",
        "month",
        "2025-07",
        [
            Paper(id="2507.00001", title="graph a", listed="2025-07-01"),
            Paper(id="2507.00002", title="graph b", listed="2025-07-20"),
        ],
    )
    q = Query.parse("graph")
    ids = lambda **kw: [p.id for p in matching_papers(cache, q, **kw)]  # noqa: E731
    assert ids(since=dt.date(2025, 7, 2)) == ["2507.00002"]
    assert ids(until=dt.date(2025, 7, 2)) == ["2507.00001"]
    assert ids(since=dt.date(2025, 7, 21)) == []


def _reference_best(rows: list[tuple[str, float, Paper]]) -> dict[str, Paper]:
    """Per id: the newest Hugging Face record merged into the newest other record."""
    newest: dict[tuple[str, bool], tuple[float, int, Paper]] = {}
    for n, (source, fetched, p) in enumerate(rows):
        key = (p.id, source == "hf")
        if key not in newest or fetched > newest[key][0]:
            newest[key] = (fetched, n, p)
    out = {}
    for pid in {p.id for _, _, p in rows}:
        hf, other = newest.get((pid, True)), newest.get((pid, False))
        if hf and other:
            out[pid] = other[2].merged_with_hf(hf[2])
        else:
            out[pid] = (hf or other)[2]  # type: ignore[index]
    return out


maybe_day = st.sampled_from([None, "", "2025-07-01", "2025-07-02", "2025-06-30"])


@st.composite
def cached_rows(draw: st.DrawFn) -> list[tuple[str, float, Paper]]:
    rows = []
    for n in range(draw(st.integers(1, 8))):
        source = draw(st.sampled_from(["hf", "arxiv"]))
        published = draw(maybe_day)
        rows.append(
            (
                source,
                draw(st.integers(0, 3)) + n / 100,  # no ties: which copy wins is then clear
                Paper(
                    id=f"2507.0000{draw(st.integers(0, 3))}",
                    title=f"t{n}",
                    published=published and published + "T10:00:00",
                    listed=draw(maybe_day),
                    upvotes=draw(st.one_of(st.none(), st.integers(0, 5))),
                    sources=(source,),
                ),
            )
        )
    return rows


def _where(source: str, n: int) -> tuple[str, str, str]:
    """The n-th listing file of a source, in papercli's layout."""
    day = (dt.date(2025, 1, 1) + dt.timedelta(days=n)).isoformat()
    return ("hf", "day", day) if source == "hf" else ("arxiv", "api", f"cs.LG/{day}")


@given(cached_rows())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_merge_and_order_agree_with_python(rows: list[tuple[str, float, Paper]]) -> None:
    from papercli.core.listing import date_key, sort_papers

    expected = _reference_best(rows)
    with tempfile.TemporaryDirectory() as folder:
        cache = Cache(Path(folder))
        half = len(rows) // 2
        with SearchIndex(cache) as index:
            # Two updates (the second one incremental), with one file rewritten between.
            for n, (source, fetched, p) in enumerate(rows[:half]):
                cache.save(*_where(source, n), [p], fetched_at=fetched)
            if half:
                cache.save(*_where(rows[0][0], 0), [replace(rows[0][2], id="2507.99999")])
            index.update()
            if half:
                cache.save(*_where(rows[0][0], 0), [rows[0][2]], fetched_at=rows[0][1])
            for n, (source, fetched, p) in enumerate(rows[half:], half):
                cache.save(*_where(source, n), [p], fetched_at=fetched)
            index.update()
            unordered = list(index.candidates(None))
            by_date = list(index.candidates(None, order="date"))
            by_upvotes = list(index.candidates(None, order="upvotes"))
    ties = {p.id for p in expected.values()}  # any order among equal keys
    assert {p.id: p for p in unordered} == expected and len(unordered) == len(ties)
    assert [date_key(p) for p in by_date] == [
        date_key(p) for p in sort_papers(list(expected.values()), "date")
    ]
    up_key = lambda p: p.upvotes if p.upvotes is not None else -1  # noqa: E731
    assert [up_key(p) for p in by_upvotes] == sorted((up_key(p) for p in unordered), reverse=True)


RANK_WORDS = ["graph", "graphs", "net", "deep", "mini-batch", "x"]


@st.composite
def ranked_corpus(draw: st.DrawFn) -> list[Paper]:
    out = []
    for n in range(draw(st.integers(1, 30))):
        words = st.lists(st.sampled_from(RANK_WORDS), max_size=8).map(" ".join)
        out.append(
            Paper(
                id=f"2507.{n:05d}",
                title=draw(words),
                abstract=draw(words),
                upvotes=draw(st.sampled_from([None, 0, 1, 5])),
                listed=draw(st.sampled_from(["2025-07-14", "2025-07-15"])),
                sources=("hf",),
            )
        )
    return out


@given(
    ranked_corpus(),
    st.sampled_from(["graph", "graph net", "deep -x", "title:net", "abs:graphs", "-net", "x"]),
    st.one_of(st.none(), st.integers(0, 8)),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_relevance_page_is_the_best_by_score_then_date(
    corpus: list[Paper], text: str, limit: int | None
) -> None:
    """The page read best bound first is the page of scoring every match (ties: newest,
    then the higher id, first), with or without a limit, and says rightly whether more
    matched."""
    from papercli.core.listing import Filters, date_key
    from papercli.core.pages import relevance
    from papercli.core.search import _local_matches

    query = Query.parse(text)
    key = lambda p: (relevance(query, p), date_key(p), p.id)  # noqa: E731
    expected = sorted((p for p in corpus if query.matches(p)), key=key, reverse=True)
    with tempfile.TemporaryDirectory() as folder:
        cache = Cache(Path(folder))
        cache.save("hf", "day", "2025-07-15", corpus)
        filters = Filters(query=query, sort="relevance", limit=limit)
        got, more = _local_matches(cache, filters, None, None)
    page = expected if limit is None else expected[:limit]
    assert [p.id for p in got] == [p.id for p in page]
    assert more == (limit is not None and len(expected) > limit)
