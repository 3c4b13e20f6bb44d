"""Judging the "for you" model on the reader's own ratings (``papers rank eval``):
trained on the older ratings, tested on the newer, against the upvote order and a
random order. Pure: papers and ratings in, an :class:`Evaluation` out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from papercli.models import Paper
from papercli.ranking import train

# --- evaluation -------------------------------------------------------------------------

MIN_RATINGS = 10
TRAIN_SHARE = 0.7
RANDOM_SHUFFLES = 20


@dataclass(frozen=True)
class Evaluation:
    """The model judged on the reader's own ratings: trained on the older ones, tested
    on the newer. The scores are None when ``enough`` is False (``reason`` says why)."""

    enough: bool
    reason: str
    n_train: int
    n_test: int
    n_test_liked: int
    model_ap: float | None = None
    model_p10: float | None = None
    upvotes_ap: float | None = None
    upvotes_p10: float | None = None
    random_ap: float | None = None
    random_p10: float | None = None

    def lines(self) -> list[str]:
        """The judgement in a few plain lines (for ``papers rank eval``)."""
        if not self.enough:
            return [self.reason[:1].upper() + self.reason[1:] + "."]
        rows = [
            ("for you", self.model_ap, self.model_p10),
            ("upvote order", self.upvotes_ap, self.upvotes_p10),
            ("random order", self.random_ap, self.random_p10),
        ]
        return [
            self.reason[:1].upper() + self.reason[1:] + ".",
            f"{'':14} {'average precision':>17}  {'precision@10':>12}",
            *(f"{name:14} {ap or 0.0:17.2f}  {p10 or 0.0:12.2f}" for name, ap, p10 in rows),
        ]


def average_precision(relevant: Sequence[bool]) -> float:
    """The mean, over the relevant items, of the precision at each one's rank.

    ``relevant`` is a ranked list (best first); 0.0 when nothing is relevant.
    """
    hits, total = 0, 0.0
    for rank, rel in enumerate(relevant, 1):
        if rel:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def precision_at(relevant: Sequence[bool], k: int = 10) -> float:
    """The share of relevant items among the first ``k`` (or all, if fewer)."""
    top = relevant[:k]
    return sum(top) / len(top) if top else 0.0


def _ranked(labels: Sequence[bool], scores: Sequence[float]) -> list[bool]:
    order = sorted(range(len(labels)), key=lambda i: -scores[i])  # stable: ties keep order
    return [labels[i] for i in order]


def evaluate(
    rated: Sequence[tuple[Paper, int, str]], background: Sequence[Paper] = ()
) -> Evaluation:
    """Train on the oldest ~70% of ``rated`` ((paper, +1 or -1, ISO timestamp)) and
    rank the newest ~30%: average precision and precision@10 of the likes, for the
    model, the upvote order and a random order (the mean of seeded shuffles)."""
    ordered = sorted(rated, key=lambda r: r[2])
    n_train = max(1, round(len(ordered) * TRAIN_SHARE))
    train_part, test_part = ordered[:n_train], ordered[n_train:]
    likes_test = sum(1 for _, v, _ in test_part if v > 0)
    base = Evaluation(False, "", len(train_part), len(test_part), likes_test)
    if len(ordered) < MIN_RATINGS:
        reason = f"too few ratings to judge: {len(ordered)}, at least {MIN_RATINGS} are needed"
        return _with(base, reason)
    liked = [p for p, v, _ in train_part if v > 0]
    if not liked:
        return _with(base, "too few ratings to judge: no like among the older ratings")
    if not likes_test or likes_test == len(test_part):
        which = "like" if not likes_test else "dislike"
        return _with(base, f"too few ratings to judge: no {which} among the newer ratings")
    disliked = [p for p, v, _ in train_part if v <= 0]
    model = train(liked, disliked, background)
    papers = [p for p, _, _ in test_part]
    labels = [v > 0 for _, v, _ in test_part]
    by_model = _ranked(labels, model.score(papers))
    by_upvotes = _ranked(labels, [float(p.upvotes or 0) for p in papers])
    import random

    shuffles = []
    for seed in range(RANDOM_SHUFFLES):
        order = labels[:]
        random.Random(seed).shuffle(order)
        shuffles.append(order)
    return Evaluation(
        True,
        f"trained on {len(train_part)} older ratings, tested on {len(test_part)} newer "
        f"({likes_test} liked)",
        len(train_part),
        len(test_part),
        likes_test,
        model_ap=average_precision(by_model),
        model_p10=precision_at(by_model),
        upvotes_ap=average_precision(by_upvotes),
        upvotes_p10=precision_at(by_upvotes),
        random_ap=sum(map(average_precision, shuffles)) / len(shuffles),
        random_p10=sum(map(precision_at, shuffles)) / len(shuffles),
    )


def _with(base: Evaluation, reason: str) -> Evaluation:
    return Evaluation(False, reason, base.n_train, base.n_test, base.n_test_liked)
