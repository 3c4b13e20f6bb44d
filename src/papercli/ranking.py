"""The "for you" model: TF-IDF features of a paper and a linear model learned from the
reader's likes and dislikes. Pure Python: no numpy, no scikit-learn, nothing to load.

Features (each a readable name, so an explanation can say what weighed):
``w:word`` and ``w:word word`` (title words count thrice, abstract words half,
title bigrams once; the words of the AI keywords count too),
``au:name`` (authors), ``cat:cs.LG`` (arXiv categories), ``kw:keyword``
(Hugging Face's AI keywords). A paper's vector is TF-IDF (log counts), unit
length.

Training: a logistic regression with L2 regularisation and balanced classes,
warm-started at the centroid difference (mean of liked vectors minus mean of
disliked ones) and refined by a few epochs of AdaGrad. With likes only, the
model is the centroid of the likes. Why this and not scikit-learn: the
benchmark (``benchmarks/rank_bench.py``) measures it; with a few hundred
ratings of sparse text the model trains in well under a second without any
import cost, which a CLI pays on every run.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from papercli.models import Paper
from papercli.query import normalize

FORMAT = 1  # the stored model's format; another number is an old model, retrained
EPOCHS = 10
# How much a word counts by where it stands: the title and Hugging Face's AI keywords
# say what a paper is about; the abstract adds detail and noise (benchmarks/rank_bench.py).
TITLE_WEIGHT = 3
KEYWORD_WEIGHT = 3
ABSTRACT_WEIGHT = 0.5
LEARNING_RATE = 0.5
L2 = 1e-4
MAX_AUTHORS = 8  # the first authors of a paper are features; a 300-author list is not
_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*[a-z0-9]|[a-z]")
_STOP = frozenset(
    {
        "a",
        "across",
        "also",
        "an",
        "and",
        "approach",
        "are",
        "as",
        "at",
        "based",
        "be",
        "between",
        "both",
        "by",
        "can",
        "each",
        "first",
        "for",
        "from",
        "has",
        "have",
        "how",
        "however",
        "in",
        "into",
        "is",
        "it",
        "its",
        "large",
        "may",
        "method",
        "methods",
        "model",
        "models",
        "more",
        "most",
        "new",
        "not",
        "of",
        "on",
        "one",
        "only",
        "or",
        "other",
        "our",
        "over",
        "paper",
        "propose",
        "proposed",
        "results",
        "show",
        "shows",
        "such",
        "than",
        "that",
        "the",
        "their",
        "then",
        "these",
        "they",
        "this",
        "those",
        "to",
        "toward",
        "towards",
        "two",
        "use",
        "used",
        "using",
        "via",
        "we",
        "well",
        "what",
        "when",
        "where",
        "which",
        "while",
        "with",
    }
)


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(normalize(text)) if w not in _STOP and len(w) > 2]


def features(paper: Paper) -> Counter[str]:
    """The named features of a paper and their counts."""
    counts: Counter[str] = Counter()
    title = _words(paper.title)
    for word in title:
        counts[f"w:{word}"] += TITLE_WEIGHT
    for first, second in pairwise(title):
        counts[f"w:{first} {second}"] += 1
    for word in _words(paper.abstract or paper.ai_summary or ""):
        counts[f"w:{word}"] += ABSTRACT_WEIGHT
    for author in paper.authors[:MAX_AUTHORS]:
        name = " ".join(normalize(author).split())
        if name:
            counts[f"au:{name}"] += 1
    for category in paper.categories:
        counts[f"cat:{category}"] += 1
    for keyword in paper.ai_keywords:
        name = " ".join(normalize(keyword).split())
        if name:
            counts[f"kw:{name}"] += KEYWORD_WEIGHT
        for word in _words(keyword):
            counts[f"w:{word}"] += 1
    return counts


def _idf(docs: Iterable[Counter[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    n = 0
    for doc in docs:
        n += 1
        df.update(doc.keys())
    return {f: math.log((1 + n) / (1 + d)) + 1.0 for f, d in df.items()}


def _vector(counts: Counter[str], idf: dict[str, float], default_idf: float) -> dict[str, float]:
    vec = {f: (1.0 + math.log(c)) * idf.get(f, default_idf) for f, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {f: v / norm for f, v in vec.items()}


def _centroid(vectors: Sequence[dict[str, float]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for vec in vectors:
        for f, v in vec.items():
            total[f] = total.get(f, 0.0) + v
    n = max(1, len(vectors))
    return {f: v / n for f, v in total.items()}


def label(feature: str) -> str:
    """A feature's name for a reader: ``word "diffusion"``, ``author Jane Doe``..."""
    kind, _, name = feature.partition(":")
    return {
        "w": f'word "{name}"' if " " not in name else f'words "{name}"',
        "au": f"author {name.title()}",
        "cat": f"category {name}",
        "kw": f'keyword "{name}"',
    }.get(kind, feature)


@dataclass
class Model:
    weights: dict[str, float]
    bias: float
    idf: dict[str, float]
    default_idf: float
    n_liked: int
    n_disliked: int

    def vector(self, paper: Paper) -> dict[str, float]:
        return _vector(features(paper), self.idf, self.default_idf)

    def score(self, papers: Iterable[Paper]) -> list[float]:
        """A score per paper: higher is more like what the reader likes."""
        weights, bias = self.weights, self.bias
        out = []
        for paper in papers:
            vec = self.vector(paper)
            out.append(bias + sum(v * weights.get(f, 0.0) for f, v in vec.items()))
        return out

    def explain(self, paper: Paper, n: int = 6) -> list[tuple[str, float]]:
        """The features of ``paper`` that weigh most, for and against, with their signed
        contributions to its score (at most ``n``; strongest first)."""
        vec = self.vector(paper)
        parts = [(f, v * self.weights[f]) for f, v in vec.items() if f in self.weights]
        parts = [(f, c) for f, c in parts if abs(c) >= 1e-3]
        ups = sorted((p for p in parts if p[1] > 0), key=lambda p: -p[1])[: max(1, n // 2)]
        downs = sorted((p for p in parts if p[1] < 0), key=lambda p: p[1])[: max(1, n // 2)]
        chosen = sorted([*ups, *downs], key=lambda p: -abs(p[1]))[:n]
        return [(label(f), c) for f, c in chosen]

    def to_json(self) -> dict[str, Any]:
        kept = {f: round(w, 6) for f, w in self.weights.items() if abs(w) >= 1e-5}
        return {
            "format": FORMAT,
            "weights": kept,
            "bias": self.bias,
            "idf": {f: round(self.idf[f], 6) for f in kept if f in self.idf},
            "default_idf": self.default_idf,
            "n_liked": self.n_liked,
            "n_disliked": self.n_disliked,
        }

    @classmethod
    def from_json(cls, data: Any) -> Model:
        """The model stored by :meth:`to_json`; ValueError for anything else (an old or
        damaged file), which the caller answers by training again."""
        try:
            if data["format"] != FORMAT:
                raise ValueError(f"model format {data['format']!r}, expected {FORMAT}")
            weights = {str(f): float(w) for f, w in data["weights"].items()}
            idf = {str(f): float(v) for f, v in data["idf"].items()}
            model = cls(
                weights,
                float(data["bias"]),
                idf,
                float(data["default_idf"]),
                int(data["n_liked"]),
                int(data["n_disliked"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a papercli model: {exc!r}") from None
        if not all(map(math.isfinite, [model.bias, *weights.values(), *idf.values()])):
            raise ValueError("not a papercli model: a weight is not a finite number")
        return model


def train(
    liked: Sequence[Paper], disliked: Sequence[Paper], background: Sequence[Paper] = ()
) -> Model:
    """Learn from ``liked`` and ``disliked`` papers (``background``: unrated papers that
    only inform which features are common)."""
    if not liked:
        raise ValueError("training needs at least one liked paper")
    counts_pos = [features(p) for p in liked]
    counts_neg = [features(p) for p in disliked]
    idf = _idf([*counts_pos, *counts_neg, *(features(p) for p in background)])
    default_idf = max(idf.values(), default=1.0)
    pos = [_vector(c, idf, default_idf) for c in counts_pos]
    neg = [_vector(c, idf, default_idf) for c in counts_neg]
    centre_pos = _centroid(pos)
    if not neg:
        return Model(centre_pos, 0.0, idf, default_idf, len(pos), 0)
    centre_neg = _centroid(neg)
    weights = dict(centre_pos)
    for f, v in centre_neg.items():
        weights[f] = weights.get(f, 0.0) - v
    bias = 0.0
    data = [(v, 1.0) for v in pos] + [(v, 0.0) for v in neg]
    class_weight = {1.0: len(data) / (2 * len(pos)), 0.0: len(data) / (2 * len(neg))}
    squares: dict[str, float] = {}
    bias_square = 0.0
    order = list(range(len(data)))
    rng = random.Random(0)
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for i in order:
            vec, target = data[i]
            margin = bias + sum(v * weights.get(f, 0.0) for f, v in vec.items())
            margin = max(-30.0, min(30.0, margin))
            error = (1.0 / (1.0 + math.exp(-margin)) - target) * class_weight[target]
            for f, v in vec.items():
                w = weights.get(f, 0.0)
                grad = error * v + L2 * w
                squares[f] = squares.get(f, 0.0) + grad * grad
                weights[f] = w - LEARNING_RATE * grad / math.sqrt(squares[f] + 1e-8)
            bias_square += error * error
            bias -= LEARNING_RATE * error / math.sqrt(bias_square + 1e-8)
    return Model(weights, bias, idf, default_idf, len(pos), len(neg))


# -- judging the model on the reader's own ratings -------------------------------------------
MIN_RATINGS = 10
TEST_SHARE = 0.3
RANDOM_ROUNDS = 50


def average_precision(relevant: Sequence[bool]) -> float:
    """Average precision of a ranked list of relevance flags (0 when nothing is relevant)."""
    hits = 0
    total = 0.0
    for rank, good in enumerate(relevant, 1):
        if good:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def precision_at(relevant: Sequence[bool], k: int) -> float:
    top = list(relevant)[:k]
    return sum(top) / len(top) if top else 0.0


@dataclass
class Evaluation:
    enough: bool
    reason: str
    train_size: int = 0
    test_size: int = 0
    test_liked: int = 0
    model_ap: float = 0.0
    upvotes_ap: float = 0.0
    random_ap: float = 0.0
    model_p10: float = 0.0
    upvotes_p10: float = 0.0
    random_p10: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def describe(self) -> str:
        if not self.enough:
            return f"Too few ratings to judge the 'for you' order: {self.reason}"
        k = min(10, self.test_size)
        lines = [
            f"Trained on your {self.train_size} older ratings, tested on the "
            f"{self.test_size} newer ones ({self.test_liked} liked).",
            f"{'order':<10} {'avg precision':>14} {'precision@' + str(k):>14}",
            f"{'for you':<10} {self.model_ap:>14.2f} {self.model_p10:>14.2f}",
            f"{'upvotes':<10} {self.upvotes_ap:>14.2f} {self.upvotes_p10:>14.2f}",
            f"{'random':<10} {self.random_ap:>14.2f} {self.random_p10:>14.2f}",
        ]
        return "\n".join(lines)


def evaluate(rated: Sequence[tuple[Paper, int, str]]) -> Evaluation:
    """Train on the older ratings (``+1`` like, ``-1`` dislike, with an ISO time), test
    on the newer ones: average precision and precision@10 of the liked papers in the
    model's order, the upvote order and a random order (averaged over seeded shuffles)."""
    if len(rated) < MIN_RATINGS:
        return Evaluation(False, f"{len(rated)} rated, at least {MIN_RATINGS} are needed.")
    ordered = sorted(rated, key=lambda r: r[2])
    cut = max(1, min(len(ordered) - 1, round(len(ordered) * (1 - TEST_SHARE))))
    train_part, test_part = ordered[:cut], ordered[cut:]
    liked = [p for p, v, _ in train_part if v > 0]
    disliked = [p for p, v, _ in train_part if v < 0]
    test_liked = sum(1 for _, v, _ in test_part if v > 0)
    if not liked:
        return Evaluation(False, "none of the older ratings is a like.")
    if test_liked == 0 or test_liked == len(test_part):
        return Evaluation(
            False, "the newer ratings need both likes and dislikes to tell the orders apart."
        )
    model = train(liked, disliked)
    papers = [p for p, _, _ in test_part]
    good = {id(p): v > 0 for p, v, _ in test_part}
    k = min(10, len(papers))

    def judged(order: list[Paper]) -> tuple[float, float]:
        flags = [good[id(p)] for p in order]
        return average_precision(flags), precision_at(flags, k)

    scores = dict(zip(map(id, papers), model.score(papers), strict=True))
    by_model = sorted(papers, key=lambda p: -scores[id(p)])
    by_upvotes = sorted(papers, key=lambda p: -(p.upvotes if p.upvotes is not None else -1))
    rng = random.Random(0)
    random_ap = random_p = 0.0
    for _ in range(RANDOM_ROUNDS):
        shuffled = list(papers)
        rng.shuffle(shuffled)
        ap, prec = judged(shuffled)
        random_ap += ap / RANDOM_ROUNDS
        random_p += prec / RANDOM_ROUNDS
    model_ap, model_p = judged(by_model)
    up_ap, up_p = judged(by_upvotes)
    return Evaluation(
        True,
        "",
        len(train_part),
        len(test_part),
        test_liked,
        model_ap,
        up_ap,
        random_ap,
        model_p,
        up_p,
        random_p,
    )
