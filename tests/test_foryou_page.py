"""``papers search --offline --sort for-you`` over the search index: the page read best
kept score first is the page of scoring every match (score, then newest first), says
rightly whether more matched, reads about a page of records once the scores are kept,
and is the same page from the JSON files when the index cannot be used."""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from papercli import config
from papercli.core import foryou, search
from papercli.core.context import Context
from papercli.core.listing import Filters, date_key
from papercli.core.ratings import rate
from papercli.models import Paper
from papercli.query import Query
from papercli.storage import records
from papercli.storage.cache import Cache

WORDS = ["video", "diffusion", "language", "robot", "graph", "speech", "policy"]


def _papers(day: int, n: int) -> list[Paper]:
    out = []
    for i in range(n):
        k = day * 100 + i
        out.append(
            Paper(
                id=f"2507.{k:05d}",
                title=f"{WORDS[k % 7]} {WORDS[(k * 3) % 7]} model {k % 11}",
                abstract=f"We study {WORDS[k % 7]} with {WORDS[(k + 2) % 7]} data ({k % 4}).",
                authors=(f"Author {k % 13}", f"Author {k % 5}"),
                ai_keywords=(f"{WORDS[(k * 5) % 7]} models",),
                listed=f"2025-07-{day:02d}",
                upvotes=k % 9,
            )
        )
    # The same text as another paper of the day: the same score and date (a tie).
    out.append(dataclasses.replace(out[0], id=f"2507.{day * 100 + 99:05d}"))
    return out


@pytest.fixture
def ctx(isolated_home: Path) -> Context:
    cache = Cache(config.load().cache_dir)
    for day in (10, 11, 12, 14):
        cache.save("hf", "day", f"2025-07-{day}", _papers(day, 60), fetched_at=time.time())
    context = Context(config.load(), lambda message: None)
    rate(context, ["2507.01000", "2507.01007", "2507.01107"], "like")  # video
    rate(context, ["2507.01003", "2507.01010"], "dislike")  # robot
    return context


Key = tuple[float, str, str]  # score, date key, id: the page's order, all descending


def _expected(ctx: Context, text: str) -> list[Key]:
    trained = foryou.model(ctx, offline=True)
    assert trained is not None
    query = Query.parse(text)
    matches: list[Paper] = []
    for entry in ctx.cache.iter_entries():
        matches += [p for p in entry.papers if query.matches(p)]
    scores = trained.score(matches)
    return sorted(
        ((s, date_key(p), p.id) for p, s in zip(matches, scores, strict=True)), reverse=True
    )


def _page(ctx: Context, text: str, limit: int | None) -> tuple[list[Key], bool]:
    filters = Filters(query=Query.parse(text), sort="for-you", limit=limit)
    listing = search.local(ctx, filters)
    assert listing.scores is not None and set(listing.scores) == {p.id for p in listing.papers}
    return [(listing.scores[p.id], date_key(p), p.id) for p in listing.papers], listing.more


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The records read back from the files through the index, one id a read."""
    seen: list[str] = []
    plain = records.RecordReader.read

    def read(self: records.RecordReader, fid: int, off: int, size: int, pid: str) -> Paper:
        seen.append(pid)
        return plain(self, fid, off, size, pid)

    monkeypatch.setattr(records.RecordReader, "read", read)
    return seen


@pytest.mark.parametrize("text", ["video", "model", "diffusion -robot", "au:author 3", ""])
@pytest.mark.parametrize("limit", [0, 1, 7, 40, None])
def test_the_page_is_the_best_of_every_match(
    ctx: Context, text: str, limit: int | None, reads: list[str]
) -> None:
    expected = _expected(ctx, text)
    want = expected if limit is None else expected[:limit]
    more = limit is not None and len(expected) > limit
    assert len({s for s, _, _ in expected}) < len(expected)  # ties, broken by date and id
    for _ in ("scored now", "scores kept"):
        reads.clear()
        assert _page(ctx, text, limit) == (want, more)
    if limit and len(expected) > 4 * limit and text in ("video", "model"):
        assert len(reads) <= limit + 1  # the prefilter is exact here: a page, and one more


def test_from_the_files_when_the_index_cannot_be_used(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papercli.storage.index import IndexUnavailable, SearchIndex

    expected = _expected(ctx, "model")
    _page(ctx, "model", 5)  # some scores kept; the others are scored from the files

    def unusable(self: SearchIndex) -> None:
        raise IndexUnavailable(self.path, "read-only file system")

    monkeypatch.setattr(SearchIndex, "update", unusable)
    assert _page(ctx, "model", 9) == (expected[:9], True)


def test_without_a_like_the_order_is_by_upvotes(isolated_home: Path) -> None:
    cache = Cache(config.load().cache_dir)
    cache.save("hf", "day", "2025-07-10", _papers(10, 30), fetched_at=time.time())
    context = Context(config.load(), lambda message: None)
    filters = Filters(query=Query.parse("model"), sort="for-you", limit=5)
    listing = search.local(context, filters)
    assert [p.upvotes for p in listing.papers] == [8, 8, 8, 7, 7]
    assert listing.scores == {} and listing.notes == [foryou.HOW_TO_START] and listing.more


def test_a_changed_model_scores_again(ctx: Context, reads: list[str]) -> None:
    first = _page(ctx, "video", 3)
    assert first == (_expected(ctx, "video")[:3], True)
    rate(ctx, ["2507.01101"], "like")  # another model: the kept scores are not its own
    reads.clear()
    assert _page(ctx, "video", 3) == (_expected(ctx, "video")[:3], True)
    assert len(reads) == len(_expected(ctx, "video"))  # every match scored again


@pytest.mark.parametrize("fault", ["stale", "damaged"])
def test_an_index_failing_part_way_counts_each_paper_once(
    ctx: Context, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    """A file changing under the index (or the index found damaged) after part of the
    page was given: the search starts again and gives the same page; the scores made
    before the failure are kept, not lost or made twice."""
    from papercli import ranking
    from papercli.storage.index import SearchIndex

    expected = _expected(ctx, "model")
    scored: list[str] = []
    plain_score = ranking.Model.score

    def score(self: ranking.Model, papers):  # type: ignore[no-untyped-def]
        papers = list(papers)
        scored.extend(p.id for p in papers)
        return plain_score(self, papers)

    reads = 0
    plain_read = records.RecordReader.read

    def read(self: records.RecordReader, fid: int, off: int, size: int, pid: str) -> Paper:
        nonlocal reads
        reads += 1
        if reads == 25:  # in the third batch: two were given already
            if fault == "stale":
                raise records.StaleFile(fid, "2025-07-12.json")
            raise sqlite3.DatabaseError("database disk image is malformed")
        return plain_read(self, fid, off, size, pid)

    monkeypatch.setattr(ranking.Model, "score", score)
    monkeypatch.setattr(records.RecordReader, "read", read)
    monkeypatch.setattr(foryou, "SCORE_BATCH", 10)
    updates = 0
    plain_update = SearchIndex.update

    def update(self: SearchIndex):  # type: ignore[no-untyped-def]
        nonlocal updates
        updates += 1
        return plain_update(self)

    monkeypatch.setattr(SearchIndex, "update", update)
    assert _page(ctx, "model", 6) == (expected[:6], True)
    assert updates == 2  # started again once
    assert sorted(scored) == sorted(set(scored)) and len(scored) == len(expected)
    scored.clear()
    assert _page(ctx, "model", 6) == (expected[:6], True)
    assert scored == []  # all kept


@pytest.mark.parametrize("value", ["'x'", "1.5", "x'00'"])
def test_a_damaged_digest_in_the_index_is_a_damaged_index(ctx: Context, value: str) -> None:
    """A text digest SQLite reads back as something else than a number (a damaged page):
    the index is rebuilt and the page is the healthy one, not an error."""
    from papercli.storage.index import SearchIndex

    healthy = _page(ctx, "video", 5)
    db = sqlite3.connect(SearchIndex(ctx.cache).path)
    db.execute(f"UPDATE ids SET doc_hash = {value} WHERE rowid IN (SELECT rowid FROM ids LIMIT 9)")
    db.commit()
    db.close()
    assert _page(ctx, "video", 5) == healthy


def test_a_paper_whose_text_changed_is_scored_again(ctx: Context) -> None:
    """A kept score is of a text: a paper whose record changed (a newer listing) gets
    the score of its new text, read from the index's digest of it."""
    first = _page(ctx, "model", 3)
    assert first == (_expected(ctx, "model")[:3], True)
    papers = _papers(14, 60)
    day, i = divmod(int(first[0][0][2].split(".")[1]), 100)
    best = _papers(day, 60)[i]  # the best paper's text, now under another id of a later day
    fields = ("title", "abstract", "authors", "ai_keywords")
    changed = dataclasses.replace(papers[7], **{f: getattr(best, f) for f in fields})
    papers[7] = changed
    ctx.cache.save("hf", "day", "2025-07-14", papers, fetched_at=time.time() + 5)
    page = _page(ctx, "model", 3)
    assert page == (_expected(ctx, "model")[:3], True)
    assert page[0][0][2] == changed.id  # its new text put it first (the newer day)


def test_long_work_shows_a_sign_of_life(ctx: Context) -> None:
    """Building the index, and scoring the matches a new model has never scored, run
    inside ``ctx.waiting`` (the command line's spinner, shown after half a second)."""
    from contextlib import contextmanager

    awaited: list[str] = []

    @contextmanager
    def waiting(what: str) -> Iterator[None]:
        awaited.append(what)
        yield

    ctx.waiting = ctx.cache.waiting = waiting
    n = len(_expected(ctx, "video"))
    _page(ctx, "video", 3)
    assert awaited == ["the search index", f"the for-you scores of {n:,} papers"]
    awaited.clear()
    _page(ctx, "video", 3)  # the scores are kept: nothing long to wait for
    assert awaited == ["the search index"]


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Scores shared with a helper process from 20 papers on, in batches of 16 (the
    helper is a real one); the list says whether each search used one."""
    from papercli.core import score_helper

    used: list[bool] = []
    real = score_helper.score_shared

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        used.append(real(*args, **kwargs))
        return used[-1]

    monkeypatch.setattr(score_helper, "SHARE_FROM", 20)
    monkeypatch.setattr("papercli.storage.helpers.helper_cpus", lambda: 2)
    monkeypatch.setattr(foryou, "SCORE_BATCH", 16)
    monkeypatch.setattr(score_helper, "score_shared", counted)
    return used


def test_scores_shared_with_a_helper_are_the_scores_of_this_process(
    ctx: Context, shared: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same page, and the same kept scores to the last bit, as scoring every match
    here (the helper reads from the same index, with the same model)."""
    answers: list[int] = []
    real_keep = foryou.Scores.keep

    def keep(self: foryou.Scores, keys: Any, values: Any) -> None:
        if isinstance(keys, array):  # a helper's answer (this process's: a map)
            answers.append(len(keys))
        real_keep(self, keys, values)

    monkeypatch.setattr(foryou.Scores, "keep", keep)
    want = _expected(ctx, "model")
    page, _ = _page(ctx, "model", 25)
    assert shared == [True] and page == want[:25]
    assert answers and sum(answers) < len(want)  # the helper scored some, not all
    from papercli.core.ratings import library

    kept = (library(ctx).root / "for-you-scores.bin").read_bytes()
    (library(ctx).root / "for-you-scores.bin").unlink()
    import papercli.core.score_helper as score_helper

    score_helper.SHARE_FROM = 10**9  # (restored by monkeypatch) now all here
    again, _ = _page(ctx, "model", 25)
    assert again == page and shared == [True, False]
    assert (library(ctx).root / "for-you-scores.bin").read_bytes() == kept


@pytest.mark.parametrize("broken", ["exits", "another papercli"])
def test_a_helper_that_fails_leaves_its_scores_to_this_process(
    ctx: Context, shared: list[bool], monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    from papercli.core import score_helper

    if broken == "exits":
        monkeypatch.setattr(score_helper, "HELPER_ARGS", ("-c", "import sys; sys.exit(3)"))
    else:
        monkeypatch.setattr(score_helper, "this_file", lambda: "/elsewhere/score_helper.py")
    want = _expected(ctx, "model")
    page, _ = _page(ctx, "model", 25)
    assert page == want[:25] and shared == [True]
