"""The "for you" order: a model learned from the reader's likes (and saves) and dislikes,
kept beside the ratings and retrained only when they change; why a paper scored as
it did; and how well the model does on the reader's own ratings.

The model itself (features, training, scores, explanations) is
:mod:`papercli.ranking`, a pure module; this one feeds it the reader's papers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from papercli.core.ratings import library, text_of
from papercli.errors import PapersError
from papercli.models import Paper

if TYPE_CHECKING:
    from papercli.core.context import Context
    from papercli.core.listing import Filters, Listing
    from papercli.ranking import Model
    from papercli.ranking_eval import Evaluation

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
    trained, else trained now (and stored). None without any like."""
    import json

    from papercli import ranking

    store = library(ctx)
    fingerprint = store.fingerprint()
    data = store.stored_model(fingerprint)
    if data is not None:
        try:
            return ranking.Model.from_json(json.dumps(data))
        except ValueError:
            pass  # an old or damaged model file: trained again below
    items = list(store.items().values())
    rated = [i for i in items if i.liked or i.disliked]
    if not any(i.liked for i in rated):
        return None
    texts = text_of(ctx, rated, offline=offline)
    liked = [texts[i.id] for i in rated if i.liked and i.id in texts]
    disliked = [texts[i.id] for i in rated if i.disliked and i.id in texts]
    if not liked:
        return None
    trained = ranking.train(liked, disliked, background(ctx))
    store.store_model(fingerprint, json.loads(trained.to_json()))
    return trained


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
    """Each paper's score: for many papers (a search over the whole history), those
    stored for this model and this text (:mod:`papercli.storage.scores`), the others
    scored and stored for next time."""
    if len(papers) < KEEP_SCORES_FROM:
        return trained.score(papers)
    import hashlib

    from papercli.ranking import content_key
    from papercli.storage.scores import ScoreCache

    digest = hashlib.blake2b(trained.to_json().encode(), digest_size=16).digest()
    kept = ScoreCache(library(ctx).root, digest)
    keys = [content_key(p) for p in papers]
    found = kept.lookup(keys)
    missing = [i for i, s in enumerate(found) if s is None]
    if missing:
        fresh = trained.score(papers[i] for i in missing)
        for i, value in zip(missing, fresh, strict=True):
            found[i] = value
        kept.add([keys[i] for i in missing], fresh)
    return found  # type: ignore[return-value]  # (every None was filled)


def rank_listing(
    ctx: Context, listing: Listing, filters: Filters, *, offline: bool = False
) -> Listing:
    """``--sort for-you``: the listing's papers (all that matched, in upvote order) in the
    reader's order, cut at the limit, each with its score ({} without a model)."""
    if filters.sort != "for-you":
        return listing
    ranked = order(ctx, listing.papers, offline=offline)
    limit = len(ranked.papers) if filters.limit is None else max(0, filters.limit)
    listing.papers = ranked.papers[:limit]
    listing.more = listing.more or limit < len(ranked.papers)
    listing.scores = ranked.scores or {}
    listing.notes = [*listing.notes, *ranked.notes]
    return listing


@dataclass
class Why:
    paper: Paper
    score: float
    reasons: list[tuple[str, float]]  # labelled features and their signed contributions
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
