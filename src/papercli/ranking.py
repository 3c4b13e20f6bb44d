"""The "for you" model: a reader's taste learned from the papers they liked and disliked.

What it is
    A linear model over TF-IDF features, trained as an L2-regularised logistic
    regression (likes against dislikes, plus a sample of unrated papers as weak
    negatives). Features, each with a readable prefix:

    * ``diffusion`` / ``video generation``: words of the title, the abstract and
      Hugging Face's AI keywords, and two-word phrases of the title and the keywords;
      accents folded, stop words out, a plural ``s`` dropped;
    * ``au:jane doe``: an author; ``cat:cs.cv``: an arXiv category;
      ``kw:video generation``: a whole AI keyword.

    Each paper's vector is ``(1 + log count) * idf`` (a title's word or phrase
    counts twice), scaled to unit length. IDF comes from the unrated ``background``
    when there is enough of it (the likes would otherwise make their own topic's
    words look common), else from the rated papers as well.

Why
    Measured by ``benchmarks/rank_bench.py`` (simulated readers over 26 months of
    Hugging Face daily papers, 12 topics; see benchmarks/RESULTS.md): a MAP of
    about 0.93 against 0.84 for the TF-IDF centroid (mean of liked vectors minus
    mean of disliked ones) and 0.90 for a centroid over these same features. The
    weak negatives, ``1 + log`` counts, the phrases and keywords and the IDF taken
    from unrated papers each added a point or more. wordllama's static embeddings
    scored 0.80 under the same protocol, and importing and loading them takes about
    0.4 s, more than the 0.3 s that ordering a whole listing may cost; scikit-learn's
    linear models fit no better and take over a second to import. The fit needs
    only numpy (imported inside :func:`train`); scoring is pure Python with C-level
    maps over a sparse weight dictionary, so ordering a listing loads no numpy.

With likes only and no background, the model is the centroid of the likes (cosine
similarity to it). It serialises to versioned JSON (:meth:`Model.to_json`);
:meth:`Model.from_json` raises ValueError on anything else (the caller trains again).
Only the standard library and papercli's light modules are imported at top level, and
only commands that rank import this module.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import mul
from typing import Any

from papercli.models import Paper
from papercli.query import normalize
from papercli.text import clean

FORMAT = "papercli-rank-model"
FORMAT_VERSION = 1

TITLE_WEIGHT = 2  # a word or phrase of the title counts as two occurrences
BACKGROUND_SAMPLE = 200  # unrated papers used as weak negatives
BACKGROUND_WEIGHT = 0.2  # each one's weight against a rating's 1
MIN_BACKGROUND_IDF = 100  # unrated papers enough for IDF on their own
MAX_BACKGROUND = 2000  # unrated papers used at most (for IDF; a sample beyond)
L2 = 1e-3  # regularisation, against the mean loss over the (weighted) examples
MIN_DF = 2  # document frequencies below this are not stored (treated as unseen)
MAX_WEIGHTS = 10_000  # the largest weights kept (the rest barely move a score)

# A word: letters and digits (hyphens and apostrophes split words).
_WORD = re.compile(r"[^\W_]+")
_PAREN = re.compile(r"\s*\([^)]*\)")
_SPACES = re.compile(r"[\s\-_]+")
_STOP_WORDS = """
    a about above across after again against all almost also although always am among an
    and another any are as at be because been before being below between both but by can
    could did do does doing done down during each either enough especially etc even ever every
    few for from further had has have having here how however i if in into is it its itself
    just least less many may more most much must my neither no nor not now of off often on once
    one only or other our ours out over own per perhaps rather same several shall should show
    shows shown since so some such than that the their them themselves then there thereby
    therefore these they this those though through thus to too toward towards under until up
    upon us use used uses using various very via was we well were what when where whether which
    while who whom whose why will with within without would yet you your paper propose proposed
    present presents introduce introduces approach method methods novel new based result results
    achieve achieves demonstrate demonstrates significant significantly existing work framework
    furthermore moreover"""
_STOP = frozenset(_STOP_WORDS.split())


# --- features ---------------------------------------------------------------------------


def _stem(word: str) -> str:
    """``models`` -> ``model``, ``studies`` -> ``study``; ``loss``, ``corpus`` stay."""
    if len(word) > 3 and word[-1] == "s" and word[-2] not in "su" and not word.endswith("is"):
        if word.endswith("ies") and len(word) > 4:
            return word[:-3] + "y"
        return word[:-1]
    return word


_TERMS: dict[str, str] = {}  # a folded word -> its feature ("" for a stop word), memoised
_MAX_TERMS = 500_000


def _term(word: str) -> str:
    """A folded word's feature: stemmed, or "" for a stop word, a number or a letter."""
    term = _TERMS.get(word)
    if term is None:
        term = "" if len(word) < 2 or word in _STOP or word.isdigit() else _stem(word)
        if len(_TERMS) < _MAX_TERMS:
            _TERMS[word] = term
    return term


def _words(text: str) -> list[str]:
    """Words and two-word phrases (of neighbouring words that are not stop words)."""
    out: list[str] = []
    prev = ""
    known = _TERMS.get
    for raw in _raw_words(text):
        word = known(raw) or _term(raw)  # ("" for a stop word, known or not)
        if word:
            out.append(word)
            if prev:
                out.append(prev + " " + word)
        prev = word
    return out


def _raw_words(text: str) -> list[str]:
    """``_WORD.findall(_fold(text))``; for ASCII text by C string methods (the same)."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_FOLD).decode("ascii").split()
    return _WORD.findall(normalize(text))


# ASCII bytes: capitals made small, what is not a letter or a digit a space.
_ASCII_FOLD = bytes(
    c + 32 if 65 <= c <= 90 else c if chr(c).isalnum() or c > 127 else 32 for c in range(256)
)
_TOKENS: dict[str, str] = {}  # a token of a long text -> its feature ("" for none)


def _fold(text: str) -> str:
    """:func:`papercli.query.normalize`, faster for ASCII text (the same result)."""
    return text.lower() if text.isascii() else normalize(text)


def _text_counts(text: str) -> Counter[str]:
    """How often each word of a long text occurs (no phrases: they cost more than they
    earned): the words :func:`_words` finds, counted by C code.

    An ASCII text (most abstracts) is folded in one step, as bytes, and each of its
    distinct tokens is folded once per process.
    """
    if not text.isascii():
        return Counter(t for t in map(_term, _WORD.findall(normalize(text))) if t)
    tokens = text.encode("ascii").translate(_ASCII_FOLD).decode("ascii").split()
    memo = _TOKENS
    new = set(tokens).difference(memo)  # (not set - dict.keys(): that walks the memo)
    if len(memo) + len(new) > _MAX_TERMS:
        memo.clear()
        new = set(tokens)
    for token in new:
        term = _term(token)
        memo[token] = term
    return Counter(filter(None, map(memo.__getitem__, tokens)))


def keyword_key(keyword: str) -> str:
    """The feature name of an AI keyword: folded, no parenthesis, last word singular.

    ``"Large Language Models (LLMs)"`` and ``"large language model"`` are one feature.
    """
    parts = _SPACES.sub(" ", _PAREN.sub("", _fold(keyword))).split()
    if parts:
        parts[-1] = _stem(parts[-1])
    return " ".join(parts)


def author_key(name: str) -> str:
    return " ".join(_fold(name).replace(".", " ").split())


def features(paper: Paper) -> Counter[str]:
    """The paper's features, counted (before IDF), keyed by readable names.

    Plain keys are words or two-word phrases; ``au:``, ``cat:`` and ``kw:`` mark an
    author, an arXiv category and an AI keyword. A word or phrase of the title
    counts ``TITLE_WEIGHT`` times.
    """
    counts = _text_counts(paper.abstract)
    more = _words(paper.title) * TITLE_WEIGHT
    more += chain.from_iterable(map(_keyword_features, paper.ai_keywords))
    more += chain.from_iterable(map(_author_features, paper.authors))
    more += ["cat:" + category.strip().lower() for category in paper.categories]
    counts.update(more)  # counted in C, no __missing__ call for each new key
    return counts


# A keyword's or an author's features, memoised: both recur from paper to paper.
_KEYWORDS: dict[str, tuple[str, ...]] = {}
_AUTHORS: dict[str, tuple[str, ...]] = {}


def _keyword_features(keyword: str) -> tuple[str, ...]:
    """The words and phrases of an AI keyword, then ``kw:`` and its :func:`keyword_key`."""
    found = _KEYWORDS.get(keyword)
    if found is None:
        key = keyword_key(keyword)
        found = (*_words(keyword), "kw:" + key) if key else tuple(_words(keyword))
        if len(_KEYWORDS) >= _MAX_TERMS:
            _KEYWORDS.clear()
        _KEYWORDS[keyword] = found
    return found


def _author_features(name: str) -> tuple[str, ...]:
    """``au:`` and the author's :func:`author_key` (nothing for a name without one)."""
    found = _AUTHORS.get(name)
    if found is None:
        key = author_key(name)
        found = ("au:" + key,) if key else ()
        if len(_AUTHORS) >= _MAX_TERMS:
            _AUTHORS.clear()
        _AUTHORS[name] = found
    return found


def label(feature: str, paper: Paper | None = None) -> str:
    """A feature as a person reads it: ``word "diffusion"``, ``author Jane Doe``.

    With ``paper``, authors and keywords are spelt as that paper spells them.
    """
    kind, _, rest = feature.partition(":")
    if not _:
        return f'phrase "{feature}"' if " " in feature else f'word "{feature}"'
    if kind == "au":
        spelt = next((a for a in paper.authors if author_key(a) == rest), rest) if paper else rest
        return f"author {clean(spelt)}"
    if kind == "kw":
        spelt = (
            next((k for k in paper.ai_keywords if keyword_key(k) == rest), rest) if paper else rest
        )
        return f'keyword "{clean(spelt)}"'
    if kind == "cat":
        spelt = next((c for c in paper.categories if c.lower() == rest), rest) if paper else rest
        return f"category {clean(spelt)}"
    return clean(feature)


# --- the model --------------------------------------------------------------------------


# 1 + log(count) for the counts a paper's features have (index 0 is unused).
_TF_TABLE = [0.0] + [1.0 + math.log(c) for c in range(1, 1024)]
_TF2_TABLE = [x * x for x in _TF_TABLE]


def _idf(df: int, n_docs: int) -> float:
    return math.log((1 + n_docs) / (1 + df)) + 1.0


@dataclass(frozen=True)
class Explanation:
    """:meth:`Model.explain`: what raised and lowered a score most, and all the rest."""

    ups: list[tuple[str, float]]
    downs: list[tuple[str, float]]
    others: int  # features not among those
    others_total: float  # what they add together


@dataclass
class Model:
    """A trained linear model: ``score = bias + sum(weight[f] * x[f])`` over the paper's
    unit-length TF-IDF vector ``x``."""

    weights: dict[str, float]
    bias: float
    df: dict[str, int]  # document frequencies of the training corpus (>= MIN_DF)
    n_docs: int
    n_liked: int
    n_disliked: int
    method: str = "logistic"  # or "centroid" (likes only, nothing to contrast them with)
    # Derived from the fields above, made on first use. Not parameters (init=False), so
    # that dataclasses.replace() gives the new model tables of its own, not this one's.
    _idf_cache: dict[str, float] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _score_tables: list[Any] = field(default_factory=list, init=False, repr=False, compare=False)

    def vector(self, paper: Paper) -> dict[str, float]:
        """The paper's unit-length TF-IDF vector."""
        return self._vector(features(paper))

    def _idf(self) -> dict[str, float]:
        """IDF by feature; the key "" holds the IDF of features never seen."""
        idf = self._idf_cache
        if not idf:
            n = self.n_docs
            idf.update((t, _idf(d, n)) for t, d in self.df.items())
            idf[""] = _idf(0, n)
        return idf

    def _vector(self, counts: Mapping[str, float]) -> dict[str, float]:
        idf = self._idf()
        unseen = idf[""]
        log = math.log
        vec = {t: (1.0 + log(c) if c >= 1 else c) * idf.get(t, unseen) for t, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in vec.values()))
        if norm:
            for t in vec:
                vec[t] /= norm
        return vec

    def score(self, papers: Iterable[Paper]) -> list[float]:
        """One score per paper (higher: more to the reader's taste).

        The same as ``bias + weights . vector(paper)``, computed with C-level maps
        and sums instead of a Python loop over each paper's features.
        """
        tables = self._score_tables  # once per model: a paper at a time costs no more
        if not tables or tables[0] is not self.weights:  # (or weights given since)
            idf = self._idf()
            weighted = {t: w * idf.get(t, idf[""]) for t, w in self.weights.items()}
            idf2 = {t: x * x for t, x in idf.items() if t}
            tables[:] = (self.weights, idf[""] ** 2, idf2, weighted, frozenset(weighted))
        _, unseen2, idf2, weighted, has_weight = tables
        get_tf, get_tf2 = _TF_TABLE.__getitem__, _TF2_TABLE.__getitem__
        get_idf2, get_weighted = idf2.get, weighted.__getitem__
        out = []
        for paper in papers:
            counts = features(paper)
            try:
                norm2 = sum(
                    map(mul, map(get_tf2, counts.values()), map(get_idf2, counts, repeat(unseen2)))
                )
            except IndexError:  # a count past the table
                vec = self._vector(counts)
                dot = sum(self.weights[t] * x for t, x in vec.items() if t in self.weights)
                out.append(self.bias + dot)
                continue
            # In the paper's feature order, not a set's: the sum is the same in every
            # process (a set's order follows the per-process string hash, and a kept
            # score must equal a fresh one to the last bit: ties are broken after it).
            seen = list(filter(has_weight.__contains__, counts))
            dot = sum(map(mul, map(get_weighted, seen), map(get_tf, map(counts.__getitem__, seen))))
            out.append(self.bias + dot / math.sqrt(norm2) if norm2 else self.bias)
        return out

    def contributions(self, paper: Paper) -> list[tuple[str, float]]:
        """Every feature of ``paper`` with a weight, as (feature, signed contribution),
        largest effect first."""
        vec = self.vector(paper)
        pairs = [(t, self.weights[t] * x) for t, x in vec.items() if t in self.weights]
        pairs.sort(key=lambda p: (-abs(p[1]), p[0]))
        return pairs

    def explain(self, paper: Paper, n: int = 5, least: float = 0.005) -> Explanation:
        """What raised and lowered ``paper``'s score most (up to ``n`` (label, signed
        contribution) of each, largest first: ``('word "diffusion"', 0.21)``; under
        ``least``, "0.00", with the rest), and the rest: all add up to the score."""
        pairs = [(label(t, paper), c) for t, c in self.contributions(paper) if c]
        ups, downs = (
            [x for x in pairs if x[1] >= least][:n],
            [x for x in pairs if x[1] <= -least][:n],
        )
        rest = len(pairs) - len(ups) - len(downs)
        total = self.score([paper])[0] - self.bias - sum(c for _, c in ups + downs)
        return Explanation(ups, downs, rest, total if rest else 0.0)

    # --- storage ---------------------------------------------------------------------
    def to_json(self) -> str:
        """The model as JSON text, with its format name and version."""
        return json.dumps(
            {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "method": self.method,
                "n_liked": self.n_liked,
                "n_disliked": self.n_disliked,
                "bias": round(self.bias, 6),
                "n_docs": self.n_docs,
                "weights": {t: float(f"{w:.5g}") for t, w in sorted(self.weights.items())},
                "df": dict(sorted(self.df.items())),
            },
            separators=(",", ":"),  # ASCII: remote text may hold lone surrogates
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Model:
        """The model stored by :meth:`to_json`; ValueError for anything else (a corrupt
        file, another format, an older or newer version)."""
        try:
            data = json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise ValueError(f"ranking model: not JSON ({exc})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("ranking model: not a papercli ranking model")
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(
                f"ranking model: format version {data.get('version')!r}, "
                f"this papercli reads {FORMAT_VERSION}"
            )
        weights, df = data.get("weights"), data.get("df")
        ints = ("n_liked", "n_disliked", "n_docs")
        if (
            not isinstance(weights, dict)
            or not isinstance(df, dict)
            or data.get("method") not in ("logistic", "centroid")
            or not all(_is_int(data.get(k)) and data[k] >= 0 for k in ints)
            or not _is_number(data.get("bias"))
            or not set(map(type, weights.values())) <= {int, float}
            or not all(map(math.isfinite, weights.values()))
            or not set(map(type, df.values())) <= {int}
            or (df and not 0 <= min(df.values()) <= max(df.values()) <= data["n_docs"])
        ):
            raise ValueError("ranking model: a field is missing or of the wrong type")
        return cls(
            weights={str(t): float(w) for t, w in weights.items()},
            bias=float(data["bias"]),
            df={str(t): int(d) for t, d in df.items()},
            n_docs=data["n_docs"],
            n_liked=data["n_liked"],
            n_disliked=data["n_disliked"],
            method=data["method"],
        )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return _is_int(value) or (isinstance(value, float) and math.isfinite(value))


# --- training ---------------------------------------------------------------------------


def train(
    liked: Sequence[Paper], disliked: Sequence[Paper] = (), background: Sequence[Paper] = ()
) -> Model:
    """A model of the reader's taste from their likes and dislikes.

    ``background`` is optional unrated corpus (the listing being ranked, cached
    papers). Its papers that are not rated give the IDF statistics when there are
    ``MIN_BACKGROUND_IDF`` or more (up to ``MAX_BACKGROUND``, a fixed sample beyond),
    and ``BACKGROUND_SAMPLE`` of them serve as weak negatives, so that likes alone are
    enough. Raises ValueError without any like.
    """
    if not liked:
        raise ValueError("the ranking model needs at least one liked paper")
    rated = {p.id for p in liked} | {p.id for p in disliked}
    unrated = list({p.id: p for p in background if p.id not in rated}.values())
    if len(unrated) > MAX_BACKGROUND:  # featurising costs about 0.1 ms a paper
        unrated = [unrated[i] for i in weak_sample(len(unrated), MAX_BACKGROUND)]
    counts_liked = [features(p) for p in liked]
    counts_disliked = [features(p) for p in disliked]
    counts_bg = [features(p) for p in unrated]
    corpus = (
        counts_bg
        if len(counts_bg) >= MIN_BACKGROUND_IDF
        else [*counts_liked, *counts_disliked, *counts_bg]
    )
    df_all: Counter[str] = Counter()
    for counts in corpus:
        df_all.update(counts.keys())
    n_docs = len(corpus)
    df = {t: d for t, d in df_all.items() if d >= MIN_DF}
    model = Model({}, 0.0, df, n_docs, len(liked), len(disliked))
    pos = [model._vector(c) for c in counts_liked]
    neg = [model._vector(c) for c in counts_disliked]
    weak = [model._vector(counts_bg[i]) for i in weak_sample(len(counts_bg))]
    if not neg and not weak:
        model.method = "centroid"
        model.weights = _largest(_mean(pos))
        return model
    rows = pos + neg + weak
    labels = [1.0] * len(pos) + [0.0] * (len(neg) + len(weak))
    sample_weights = [1.0] * (len(pos) + len(neg)) + [BACKGROUND_WEIGHT] * len(weak)
    weights, model.bias = _logistic(rows, labels, sample_weights, L2)
    model.weights = _largest(weights)
    return model


def _largest(weights: dict[str, float], n: int = MAX_WEIGHTS) -> dict[str, float]:
    """The ``n`` weights of largest size (all of them if there are no more)."""
    if len(weights) <= n:
        return weights
    return dict(sorted(weights.items(), key=lambda kv: -abs(kv[1]))[:n])


def weak_sample(n: int, k: int = BACKGROUND_SAMPLE) -> list[int]:
    """``k`` of the indices ``0 .. n-1`` (all when ``n <= k``), drawn with a fixed seed
    so that the same ratings and background always give the same model: which
    unrated papers serve as weak negatives, or count for IDF."""
    if n <= k:
        return list(range(n))
    import random

    return sorted(random.Random(n).sample(range(n), k))


def _mean(vectors: Sequence[dict[str, float]]) -> dict[str, float]:
    total: Counter[str] = Counter()
    for vec in vectors:
        total.update(vec)
    return {t: x / len(vectors) for t, x in total.items()}


def _logistic(
    rows: Sequence[dict[str, float]],
    labels: Sequence[float],
    sample_weights: Sequence[float],
    l2: float,
    max_iter: int = 200,
) -> tuple[dict[str, float], float]:
    """Weighted L2 logistic regression on sparse rows (L-BFGS on numpy arrays).

    Minimises ``sum(sw_i * log(1 + exp(-y_i * (w.x_i + b)))) / sum(sw) + l2/2 * |w|^2``
    (the bias is not penalised). Returns (weights by feature, bias).
    """
    import numpy as np

    vocab: dict[str, int] = {}
    indices: list[int] = []
    values: list[float] = []
    lengths: list[int] = []
    for row in rows:
        for t, x in row.items():
            indices.append(vocab.setdefault(t, len(vocab)))
            values.append(x)
        lengths.append(len(row))
    n, dim = len(rows), len(vocab)
    col = np.array(indices, dtype=np.intp)
    val = np.array(values, dtype=float)
    row_of = np.repeat(np.arange(n), lengths)
    sign = np.array(labels, dtype=float) * 2.0 - 1.0
    sw = np.array(sample_weights, dtype=float)
    sw /= sw.sum()

    def loss_and_gradient(theta: Any) -> tuple[float, Any]:
        w, b = theta[:dim], theta[dim]
        margin = sign * (np.bincount(row_of, weights=val * w[col], minlength=n) + b)
        loss = _dot(sw, np.logaddexp(0.0, -margin)) + 0.5 * l2 * _dot(w, w)
        slope = -sign * sw * np.exp(-np.logaddexp(0.0, margin))  # d loss / d (w.x + b)
        grad = np.empty(dim + 1)
        grad[:dim] = np.bincount(col, weights=val * slope[row_of], minlength=dim) + l2 * w
        grad[dim] = slope.sum()
        return loss, grad

    theta = _lbfgs(loss_and_gradient, np.zeros(dim + 1), max_iter)
    weights = theta[:dim]
    return {t: float(weights[j]) for t, j in vocab.items() if weights[j]}, float(theta[dim])


def _dot(a: Any, b: Any) -> float:
    """``a @ b`` without BLAS: OpenBLAS's threads make a dot product of a few thousand
    numbers take a millisecond on a loaded machine, a hundred times the plain loop."""
    return float((a * b).sum())


def _lbfgs(fg: Any, theta: Any, max_iter: int, memory: int = 10) -> Any:
    """Minimise a smooth convex function given ``fg(theta) -> (value, gradient)``."""
    loss, grad = fg(theta)
    steps: list[tuple[Any, Any, float]] = []  # (s, y, 1 / y.s)
    for _ in range(max_iter):
        direction = -grad
        alphas = []
        for s, y, rho in reversed(steps):
            a = rho * _dot(s, direction)
            alphas.append(a)
            direction = direction - a * y
        if steps:
            s, y, _rho = steps[-1]
            direction = direction * (_dot(s, y) / _dot(y, y))
        for (s, y, rho), a in zip(steps, reversed(alphas), strict=True):
            direction = direction + s * (a - rho * _dot(y, direction))
        slope = _dot(grad, direction)
        if slope >= 0:  # not a descent direction: start again from the gradient
            steps.clear()
            direction, slope = -grad, -_dot(grad, grad)
        step = 1.0
        while True:
            new = theta + step * direction
            new_loss, new_grad = fg(new)
            if new_loss <= loss + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s, y = new - theta, new_grad - grad
        done = loss - new_loss <= 1e-10 * max(1.0, abs(loss))
        theta, loss, grad = new, new_loss, new_grad
        if _dot(s, y) > 1e-12:
            steps.append((s, y, 1.0 / _dot(s, y)))
            if len(steps) > memory:
                steps.pop(0)
        if done or _dot(grad, grad) < 1e-14:
            break
    return theta
