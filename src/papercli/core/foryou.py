"""The "for you" order: a model learned from the reader's likes (and saves) and dislikes,
kept beside the ratings and retrained only when they change; why a paper scored as
it did; and how well the model does on the reader's own ratings.

The model itself (features, training, scores, explanations) is
:mod:`papercli.ranking`, a pure module; this one feeds it the reader's papers.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from papercli.core.ratings import library, text_of
from papercli.errors import PapersError
from papercli.models import Paper

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from papercli.core.context import Context
    from papercli.core.listing import Filters, Listing
    from papercli.ranking import Explanation, Model
    from papercli.ranking_eval import Evaluation
    from papercli.storage.index import SearchIndex

HOW_TO_START = (
    "No ratings yet, so the order is by upvotes. Teach the 'for you' order with "
    "papers like ID, papers dislike ID or papers save ID (or papers import LIBRARY.bib)."
)


@dataclass
class Ranked:
    papers: list[Paper]
    scores: dict[str, float] | None  # None: no model (the upvote order)
    notes: list[str] = field(default_factory=list)


def model(ctx: Context, *, offline: bool = False) -> Model | None:
    """The reader's model: the stored one when the ratings have not changed since it was
    trained, else trained now (and stored). None without any like.

    A model trained without some rated papers (their text could not be fetched then) is
    trained again by the next command that may fetch (not ``offline``), which tries to
    fetch them again. The fingerprint is of the very ratings trained on: one given
    meanwhile by another command changes the library's, and so trains again."""
    import json

    from papercli import ranking

    store = library(ctx)
    items = store.items()
    fingerprint = store.fingerprint(items)
    found = store.stored_model(fingerprint)
    if found is not None and (offline or not found[1]):
        try:
            return ranking.Model.from_json(json.dumps(found[0]))
        except ValueError:
            pass  # an old or damaged model file: trained again below
    rated = [i for i in items.values() if i.liked or i.disliked]
    if not any(i.liked for i in rated):
        return None
    unknown: set[str] = set()  # found nowhere: not asked for again
    texts = text_of(ctx, rated, offline=offline, unknown=unknown)
    liked = [texts[i.id] for i in rated if i.liked and i.id in texts]
    disliked = [texts[i.id] for i in rated if i.disliked and i.id in texts]
    if not liked:
        return None
    stored = ranking.train(liked, disliked, background(ctx)).to_json()
    left_out = [i.id for i in rated if i.id not in texts and i.id not in unknown]
    store.store_model(fingerprint, json.loads(stored), left_out)
    return ranking.Model.from_json(stored)  # as stored: the same scores now as next time


BACKGROUND_PAPERS = 2000  # unrated papers the model is trained beside (ranking.train)


def background(ctx: Context) -> list[Paper]:
    """Unrated papers for the model to learn what is common (IDF) and what the reader
    passes over (weak negatives): the most recent cached Hugging Face listings, newest
    first, up to :data:`BACKGROUND_PAPERS`. Read from the cache only."""
    papers: dict[str, Paper] = {}
    for kind in ("month", "week", "day"):
        for key in reversed(ctx.cache.keys("hf", kind)):
            entry = ctx.cache.load("hf", kind, key)
            for p in entry.papers if entry else ():
                papers.setdefault(p.id, p)
            if len(papers) >= BACKGROUND_PAPERS:
                return list(papers.values())[:BACKGROUND_PAPERS]
    return list(papers.values())


def order(ctx: Context, papers: list[Paper], *, offline: bool = False) -> Ranked:
    """``papers`` in the reader's order, with each one's score; without a model, the
    upvote order with a note saying how to start."""
    from papercli.core.listing import sort_papers

    trained = model(ctx, offline=offline)
    if trained is None:
        return Ranked(sort_papers(papers, "upvotes"), None, [HOW_TO_START])
    scores = score(ctx, trained, papers)
    by_id = {p.id: s for p, s in zip(papers, scores, strict=True)}
    ranked = sorted(papers, key=lambda p: -by_id[p.id])  # stable: ties keep their order
    return Ranked(ranked, by_id)


KEEP_SCORES_FROM = 1000  # papers: orders of more keep their scores for the next search


def score(ctx: Context, trained: Model, papers: list[Paper]) -> list[float]:
    """Each paper's score: for many papers, those kept for this model and this text
    (:class:`Scores`), the others scored and kept for next time."""
    if len(papers) < KEEP_SCORES_FROM:
        return trained.score(papers)
    from papercli.models import text_digest

    scores = Scores(ctx, trained)
    keys = [text_digest(p) for p in papers]
    found = scores.known(keys)
    missing = [i for i, s in enumerate(found) if s is None]
    fresh = scores.score([papers[i] for i in missing], [keys[i] for i in missing])
    for i, value in zip(missing, fresh, strict=True):
        found[i] = value
    scores.save()
    return found  # type: ignore[return-value]  # (every None was filled)


class Scores:
    """A model's scores of papers, kept between commands (:mod:`papercli.storage.scores`,
    by :func:`papercli.models.text_digest`): a search over the whole history scores
    each paper once per model, not once per search."""

    def __init__(self, ctx: Context, trained: Model) -> None:
        import hashlib
        from array import array

        from papercli.storage.scores import ScoreCache

        self.model = trained
        digest = hashlib.blake2b(trained.to_json().encode(), digest_size=16).digest()
        self._kept = ScoreCache(library(ctx).root, digest)
        self._new = (array("q"), array("d"))  # scored since the last save: 16 bytes each

    def known(self, keys: list[int]) -> list[float | None]:
        """The kept score of each text digest, or None."""
        return self._kept.lookup(keys)

    def split(self, rowids: Any, keys: Any) -> tuple[Any, Any, Any]:
        """The row ids whose digest has no kept score (in their order), and the others
        best kept score first, with their scores: :meth:`ScoreCache.split`."""
        return self._kept.split(keys, rowids)

    def score(self, papers: list[Paper], keys: list[int] | None = None) -> list[float]:
        """Score papers now (their digests, when known), to be kept by :meth:`save`."""
        from papercli.models import text_digest

        if not papers:
            return []
        found = self.model.score(papers)
        self.keep(keys if keys is not None else map(text_digest, papers), found)
        return found

    def of(self, paper: Paper) -> float:
        """One paper's score: kept, or scored now."""
        from papercli.models import text_digest

        key = text_digest(paper)
        found = self.known([key])[0]
        return found if found is not None else self.score([paper], [key])[0]

    def keep(self, keys: Any, values: Any) -> None:
        """Scores given elsewhere (a helper), by text digest, to be kept by :meth:`save`."""
        self._new[0].extend(keys)
        self._new[1].extend(values)

    def save(self) -> None:
        """Keep the scores given since the last save."""
        if self._new[0]:
            self._kept.add(*self._new)
            del self._new[0][:], self._new[1][:]


SCORE_BATCH = 1000  # candidates never scored: read and scored so many at a time


def search_page(
    ctx: Context,
    filters: Filters,
    accept: Callable[[Paper], bool],
    sources: tuple[str, ...] | None,
) -> tuple[list[Paper], bool, dict[str, float], list[str]] | None:
    """``papers search --offline --sort for-you``: the matches in the reader's order (ties:
    :func:`papercli.core.pages.fill_page`) up to the limit, whether more matched, the
    page's scores and notes; None without a model.

    The index gives each candidate's text digest, and so its kept score, without
    reading it: the candidates never scored are read and scored (and kept), the others
    read best score first, stopping once the page is full and no unread one can enter
    it. A search of the same words under the same model reads about a page of records.
    """
    from papercli.core.listing import date_key
    from papercli.core.matches import day_range, from_index, wanted_by
    from papercli.core.pages import ANY_DAY, fill_page

    trained = model(ctx, offline=True)  # a local search asks nothing
    if trained is None:
        return None
    scores = Scores(ctx, trained)
    lo, hi = day_range(filters.since, filters.until)
    given: list[Any] = [None, 0.0]  # the paper ``ask`` gave last, and its score

    def ask(index: SearchIndex) -> Iterator[tuple[Paper, tuple[float, str] | None]]:
        keyed = index.keyed_rows(filters.query.tree, lo, hi)
        unscored, best, best_scores = scores.split(*keyed)
        if len(unscored):  # a new model scores every match once: 0.15 ms a paper
            with ctx.waiting(f"the for-you scores of {len(unscored):,} papers"):
                try:
                    shared = _shared(index, scores, unscored)  # all scored: read best first
                finally:
                    scores.save()  # (kept even when the index fails part-way: not redone)
                if shared:
                    unscored, best, best_scores = scores.split(*keyed)
                for start in range(0, len(unscored), SCORE_BATCH):  # in the files' order
                    papers = list(index.papers_of(map(int, unscored[start : start + SCORE_BATCH])))
                    for paper, value in zip(papers, scores.score(papers), strict=True):
                        given[:] = paper, value
                        yield paper, None
            scores.save()
        papers = index.papers_of(map(int, best))
        for paper, value in zip(papers, map(float, best_scores), strict=True):
            given[:] = paper, value
            yield paper, (value, ANY_DAY)  # ties come in any order: any date

    def key(paper: Paper) -> tuple[float, str]:
        value = given[1] if given[0] is paper else scores.of(paper)  # else: from the files
        return value, date_key(paper)

    wanted = wanted_by(filters.query, filters.since, filters.until, sources)
    found = from_index(ctx.cache, ask, wanted, None)
    limit = filters.limit if filters.limit is not None else sys.maxsize
    try:
        with contextlib.closing(found):  # stopped early: its open record files close now
            page, more = fill_page(found, key, accept, limit)
    finally:
        scores.save()  # those scored so far, even when the index failed part-way
    return [p for p, _ in page], more, {p.id: k[0] for p, k in page}, []


def _shared(index: SearchIndex, scores: Scores, rowids: Any) -> bool:
    """Score these rows with a helper process too (:mod:`papercli.core.score_helper`),
    keeping every score; False, having done nothing, when no helper is used."""
    from papercli.core.score_helper import score_shared

    def here(chunk: Any) -> None:
        scores.score(list(index.papers_of(map(int, chunk))))

    return score_shared(
        index.cache.root, scores.model.to_json(), rowids, SCORE_BATCH, here, scores.keep
    )


def rank_listing(
    ctx: Context, listing: Listing, filters: Filters, *, offline: bool = False
) -> Listing:
    """``--sort for-you``: the listing's papers (all that matched, in upvote order) in the
    reader's order, cut at the limit, each with its score ({} without a model)."""
    if filters.sort != "for-you":
        return listing
    ranked = order(ctx, listing.papers, offline=offline)
    limit = len(ranked.papers) if filters.limit is None else max(0, filters.limit)
    # (Cut at the limit as the other orders are: the caption says "3 of 113 papers".)
    listing.papers, listing.matched = ranked.papers[:limit], len(ranked.papers)
    listing.scores = ranked.scores or {}
    listing.notes = [*listing.notes, *ranked.notes]
    return listing


@dataclass
class Why:
    paper: Paper
    score: float
    reasons: Explanation  # labelled features and their signed contributions
    rated: str | None  # the reader's own rating of this paper, if any
    baseline: float = 0.0  # the model's intercept: where every paper's score starts


def why(ctx: Context, text: str, *, offline: bool = False) -> Why:
    """What raised or lowered a paper's score."""
    from papercli.core.papers import show
    from papercli.core.ratings import paper_ids

    (paper_id,) = paper_ids([text], ctx)  # an id, a URL, or N: the N-th row last shown
    trained = model(ctx, offline=offline)
    if trained is None:
        raise PapersError(HOW_TO_START)
    item = library(ctx).items().get(paper_id)
    paper = item.paper if item is not None and item.paper is not None else None
    if paper is None:
        paper = show(ctx, paper_id, offline=offline)
    score = trained.score([paper])[0]
    rated = None
    if item is not None:
        rated = item.rating or ("saved" if item.saved else None)
    return Why(paper, score, trained.explain(paper), rated, trained.bias)


def evaluate(ctx: Context, *, offline: bool = False) -> Evaluation:
    """The model judged on the reader's own ratings, split by time."""

    items = [i for i in library(ctx).items().values() if i.liked or i.disliked]
    texts = text_of(ctx, items, offline=offline)
    rated: list[tuple[Paper, int, str]] = [
        (texts[i.id], 1 if i.liked else -1, i.rated or i.saved or "")
        for i in items
        if i.id in texts
    ]
    from papercli.ranking_eval import evaluate as judge

    return judge(rated, background(ctx))
