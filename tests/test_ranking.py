"""The "for you" model (papercli.ranking): learning, explaining, storing, judging."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from papercli import ranking, ranking_eval
from papercli.models import Paper

ROOT = Path(__file__).resolve().parent.parent

VIDEO = [
    "Long video generation with diffusion transformers",
    "Temporal consistency for text-to-video diffusion",
    "Camera control in video diffusion models",
    "Video generation from a single image with motion priors",
    "Scaling video diffusion models to minute-long clips",
    "Efficient sampling for video generation models",
]
OTHER = [
    "Retrieval augmented generation for open-domain question answering",
    "Quantization of large language models to four bits",
    "Protein structure prediction with graph networks",
    "Speech recognition for low-resource languages",
    "A benchmark for mathematical reasoning of language models",
    "Robot manipulation policies from human demonstrations",
]


def paper(
    n: int,
    title: str,
    abstract: str = "",
    authors: tuple[str, ...] = ("A. Writer",),
    keywords: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    upvotes: int | None = None,
) -> Paper:
    return Paper(
        id=f"2501.{n:05d}",
        title=title,
        abstract=abstract or f"We study {title.lower()}. Experiments show gains.",
        authors=authors,
        ai_keywords=keywords,
        categories=categories,
        upvotes=upvotes,
    )


def video(n: int, i: int, **kw: object) -> Paper:
    return paper(n, VIDEO[i % len(VIDEO)], keywords=("video generation",), **kw)  # type: ignore[arg-type]


def other(n: int, i: int, **kw: object) -> Paper:
    return paper(n, OTHER[i % len(OTHER)], **kw)  # type: ignore[arg-type]


# --- features -------------------------------------------------------------------------


def test_features_have_readable_prefixes_and_fold_text() -> None:
    p = paper(
        1,
        "Diffusion Models for Vídeo",
        abstract="Schrödinger bridges.",
        authors=("José García",),
        keywords=("Large Language Models (LLMs)",),
        categories=("cs.CV",),
    )
    f = ranking.features(p)
    assert f["diffusion"] == ranking.TITLE_WEIGHT
    assert f["diffusion model"] == ranking.TITLE_WEIGHT  # a title phrase, plural folded
    assert "video" in f  # accent folded
    assert "schrodinger" in f and "bridge" in f
    assert "au:jose garcia" in f
    assert "kw:large language model" in f
    assert "cat:cs.cv" in f
    assert "for" not in f  # a stop word
    assert ranking.keyword_key("large-language model") == "large language model"


# --- learning -------------------------------------------------------------------------


def test_likes_of_a_topic_rank_above_dislikes() -> None:
    liked = [video(i, i) for i in range(5)]
    disliked = [other(10 + i, i) for i in range(5)]
    model = ranking.train(liked, disliked)
    assert (model.n_liked, model.n_disliked, model.method) == (5, 5, "logistic")
    fresh = [video(100, 5), other(101, 5), video(102, 0), other(103, 0)]
    scores = model.score(fresh)
    assert min(scores[0], scores[2]) > max(scores[1], scores[3])


def test_likes_only_works_with_and_without_background() -> None:
    alone = ranking.train([video(1, 0)])
    assert alone.method == "centroid" and alone.n_disliked == 0
    scores = alone.score([other(2, 1), video(3, 1)])
    assert scores[1] > scores[0]
    background = [other(10 + i, i) for i in range(6)] + [video(1, 0)]  # a rated one is skipped
    with_bg = ranking.train([video(1, 0)], background=background)
    assert with_bg.method == "logistic"
    scores = with_bg.score([other(2, 1), video(3, 1)])
    assert scores[1] > scores[0]


def test_training_needs_a_like() -> None:
    with pytest.raises(ValueError, match="liked"):
        ranking.train([], [other(1, 0)])


def test_fast_score_is_the_dot_product_of_the_vector() -> None:
    model = ranking.train([video(i, i) for i in range(4)], [other(10 + i, i) for i in range(4)])
    papers = [
        video(50, 4),
        other(51, 4),
        paper(52, "Something else entirely"),
        paper(53, "Video video", abstract="video " * 1500),  # a count past the tf table
    ]
    for p, fast in zip(papers, model.score(papers), strict=True):
        vec = model.vector(p)
        slow = model.bias + sum(model.weights.get(t, 0.0) * x for t, x in vec.items())
        assert fast == pytest.approx(slow, abs=1e-12)
        assert math.isclose(sum(x * x for x in vec.values()), 1.0)


def test_a_model_made_from_another_scores_with_its_own_weights() -> None:
    """The scoring tables a model keeps are its own: a model made with
    dataclasses.replace (other weights, other document counts), or given new weights,
    scores with those, even after the first one has scored."""
    import dataclasses

    model = ranking.train([video(i, i) for i in range(4)], [other(10 + i, i) for i in range(4)])
    papers = [video(50, 4), other(51, 4), paper(52, "Video diffusion for robots")]

    def slow(m: ranking.Model) -> list[float]:
        return [
            m.bias + sum(m.weights.get(t, 0.0) * x for t, x in m.vector(p).items()) for p in papers
        ]

    first = model.score(papers)
    flipped = dataclasses.replace(model, weights={t: -w for t, w in model.weights.items()})
    fewer_docs = dataclasses.replace(model, n_docs=model.n_docs * 10)
    for m in (flipped, fewer_docs):
        assert m.score(papers) == pytest.approx(slow(m), abs=1e-12)
    assert flipped.score(papers) != pytest.approx(first)
    assert model.score(papers) == first  # the first one's tables untouched
    model.weights = dict(flipped.weights)  # given new weights after scoring
    assert model.score(papers) == pytest.approx(slow(flipped), abs=1e-12)


def test_a_score_is_the_same_to_the_last_bit_in_every_process(tmp_path: Path) -> None:
    """Kept scores (papers search --sort for-you) meet fresh ones, and ties are broken
    after the score: a paper's score must not depend on the process's string hash."""
    papers = [video(i, i) for i in range(6)] + [other(10 + i, i) for i in range(6)]
    many = paper(
        60,
        "Video diffusion transformers for temporal camera control and motion priors",
        authors=("A. Writer", "B. Writer", "C. Writer"),
        keywords=("video generation", "diffusion models", "camera control"),
    )
    model = ranking.train(papers[:6], papers[6:], papers)
    found = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        found.add(_with_model(tmp_path, model, f"print(m.score([{many!r}])[0].hex())\n", env))
    assert len(found) == 1, found


def _with_model(
    tmp_path: Path, model: ranking.Model, code: str, env: dict[str, str] | None = None
) -> str:
    """What ``code`` prints, run in a fresh interpreter with ``m``: ``model`` as stored and
    loaded again (and ``sys``, ``ranking`` and ``Paper`` imported); it must succeed."""
    stored = tmp_path / "model.json"
    stored.write_text(model.to_json(), encoding="utf-8")
    head = (
        "import sys\n"
        "from papercli import ranking\n"
        "from papercli.models import Paper\n"
        "m = ranking.Model.from_json(open(sys.argv[1]).read())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", head + code, str(stored)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


# --- explaining -----------------------------------------------------------------------


def test_explain_names_the_features_that_matter() -> None:
    fan = ("Zoë Kowalski",)
    liked = [video(i, i, authors=fan, categories=("cs.CV",)) for i in range(4)]
    disliked = [other(10 + i, i, categories=("cs.CL",)) for i in range(4)]
    model = ranking.train(liked, disliked)
    target = video(20, 1, authors=("Zoë Kowalski",), categories=("cs.CV",))
    reasons = model.explain(target, n=40)
    labels = [label for label, _ in reasons.ups]
    assert labels[0] in {'word "video"', 'keyword "video generation"', 'phrase "video diffusion"'}
    assert all(c > 0 for _, c in reasons.ups) and all(c < 0 for _, c in reasons.downs)
    assert "author Zoë Kowalski" in labels  # spelt as the paper spells it
    assert 'keyword "video generation"' in labels
    assert "category cs.CV" in labels
    assert reasons.others == 0
    contributions = dict(reasons.ups)
    assert contributions["category cs.CV"] > 0
    low = model.explain(other(21, 0, categories=("cs.CL",)), n=40)
    assert dict(low.downs)["category cs.CL"] < 0  # what lowered it, with its sign


def test_an_explanation_adds_up_to_the_score() -> None:
    """The baseline, the strongest raisers and lowerers, and the rest together: the
    score (none of the features left out of the sum)."""
    liked = [video(i, i, categories=("cs.CV",)) for i in range(4)]
    disliked = [other(10 + i, i, categories=("cs.CL",)) for i in range(4)]
    model = ranking.train(liked, disliked)
    for target in (video(20, 1), other(21, 0), paper(22, "video text", keywords=("nlp",))):
        short = model.explain(target, n=2)
        assert len(short.ups) <= 2 and len(short.downs) <= 2
        everything = model.explain(target, n=1000)
        assert short.others == len(everything.ups) + len(everything.downs) - len(
            short.ups + short.downs
        )
        shown = sum(c for _, c in short.ups + short.downs)
        assert model.bias + shown + short.others_total == pytest.approx(
            model.score([target])[0], abs=1e-9
        )


def test_labels_are_sanitised() -> None:
    hostile = paper(1, "x", authors=("Eve\x1b[31m Red",), keywords=("bad\u202ekw",))
    author = next(k for k in ranking.features(hostile) if k.startswith("au:"))
    assert ranking.label(author, hostile) == "author Eve Red"
    assert ranking.label(author) == "author eve red"
    keyword = next(k for k in ranking.features(hostile) if k.startswith("kw:"))
    assert ranking.label(keyword, hostile) == 'keyword "badkw"'
    assert ranking.label("kw:video generation") == 'keyword "video generation"'
    assert ranking.label("diffusion") == 'word "diffusion"'
    assert ranking.label("video generation") == 'phrase "video generation"'


# --- storing --------------------------------------------------------------------------


def test_json_round_trip_keeps_the_scores() -> None:
    model = ranking.train([video(i, i) for i in range(3)], [other(10 + i, i) for i in range(2)])
    text = model.to_json()
    data = json.loads(text)
    assert data["format"] == ranking.FORMAT and data["version"] == ranking.FORMAT_VERSION
    again = ranking.Model.from_json(text)
    assert (again.n_liked, again.n_disliked, again.method) == (3, 2, "logistic")
    papers = [video(40, 2), other(41, 3)]
    for a, b in zip(model.score(papers), again.score(papers), strict=True):
        assert a == pytest.approx(b, abs=1e-4)
    assert ranking.Model.from_json(text.encode()).to_json() == again.to_json()


def test_stored_model_is_ascii_json_whatever_the_text() -> None:
    odd = paper(1, "Vid\ud800eo généré", authors=("Łukasz Ż",))  # a lone surrogate too
    model = ranking.train([odd], [other(2, 0)])
    text = model.to_json()
    assert text.isascii()
    text.encode("utf-8")  # writable as UTF-8
    assert ranking.Model.from_json(text).weights.keys() == model.weights.keys()


def _stored() -> dict[str, object]:
    return json.loads(ranking.train([video(1, 0)], [other(2, 0)]).to_json())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{not json",
        b"\xff\xfe\x00",
        "[]",
        json.dumps({**_stored(), "format": "something else"}),
        json.dumps({**_stored(), "version": 0}),  # an older model
        json.dumps({**_stored(), "version": ranking.FORMAT_VERSION + 1}),
        json.dumps({k: v for k, v in _stored().items() if k != "weights"}),
        json.dumps({**_stored(), "weights": ["diffusion", 1.0]}),
        json.dumps({**_stored(), "weights": {"video": "high"}}),
        json.dumps({**_stored(), "weights": {"video": True}}),
        json.dumps({**_stored(), "df": {"video": -1}}),
        json.dumps({**_stored(), "df": {"video": 10**6}}),  # more papers than it counted
        json.dumps({**_stored(), "n_liked": "3"}),
        json.dumps({**_stored(), "bias": None}),
        json.dumps({**_stored(), "method": "pickle"}),
        '{"format": "papercli-rank-model", "version": 1, "bias": NaN}',
        "[" * 100_000,
    ],
)
def test_corrupt_or_old_models_raise_value_error(text: str | bytes) -> None:
    with pytest.raises(ValueError, match="ranking model"):
        ranking.Model.from_json(text)


# --- judging --------------------------------------------------------------------------


def test_average_precision_and_precision_at_k_by_hand() -> None:
    assert ranking_eval.average_precision([True, False, True, False]) == pytest.approx(
        (1 + 2 / 3) / 2
    )
    assert ranking_eval.average_precision([False, False]) == 0.0
    assert ranking_eval.precision_at([True, False, True], 10) == pytest.approx(2 / 3)
    assert ranking_eval.precision_at([True] * 3 + [False] * 17, 10) == pytest.approx(0.3)


def _rated(p: Paper, vote: int, day: int) -> tuple[Paper, int, str]:
    return p, vote, f"2025-01-{day:02d}T12:00:00+00:00"


def test_evaluate_says_when_there_are_too_few_ratings() -> None:
    few = [_rated(video(i, i), 1, i + 1) for i in range(5)]
    few += [_rated(other(10 + i, i), -1, i + 1) for i in range(4)]
    ev = ranking_eval.evaluate(few)
    assert not ev.enough and "too few" in ev.reason and "9" in ev.reason
    assert ev.model_ap is None
    # enough ratings, but the newer ones are all likes: nothing to tell apart
    likes_last = [_rated(other(10 + i, i), -1, i + 1) for i in range(6)]
    likes_last += [_rated(video(i, i), 1, 10 + i) for i in range(6)]
    ev = ranking_eval.evaluate(likes_last)
    assert not ev.enough and "no dislike" in ev.reason


def test_evaluate_splits_by_time_and_scores_by_hand() -> None:
    # 14 older ratings (70% of 20) to train on, 6 newer ones to test on.
    older = [_rated(video(i, i), 1, 1 + i) for i in range(7)]
    older += [_rated(other(20 + i, i), -1, 1 + i) for i in range(7)]
    newer = [
        _rated(other(40, 0, upvotes=50), -1, 20),
        _rated(video(41, 1, upvotes=40), 1, 21),
        _rated(other(42, 2, upvotes=30), -1, 22),
        _rated(other(43, 3, upvotes=20), -1, 23),
        _rated(video(44, 2, upvotes=10), 1, 24),
        _rated(other(45, 4, upvotes=None), -1, 25),
    ]
    ev = ranking_eval.evaluate(list(reversed(newer)) + older)  # any input order
    assert ev.enough, ev.reason
    assert (ev.n_train, ev.n_test, ev.n_test_liked) == (14, 6, 2)
    assert ev.model_ap == 1.0 and ev.model_p10 == pytest.approx(2 / 6)
    # upvote order: dislike, LIKE, dislike, dislike, LIKE, dislike
    assert ev.upvotes_ap == pytest.approx((1 / 2 + 2 / 5) / 2)
    assert ev.upvotes_p10 == pytest.approx(2 / 6)
    assert ev.random_ap is not None and 0.2 < ev.random_ap < 0.8
    assert ranking_eval.evaluate(older + newer) == ev  # seeded: the same answer every time
    text = "\n".join(ev.lines())
    assert text.startswith("Trained on 14 older ratings, tested on 6 newer (2 liked).")
    assert "for you" in text and "1.00" in text and "upvote order" in text


def test_evaluation_lines_say_plainly_when_there_are_too_few() -> None:
    ev = ranking_eval.evaluate([_rated(video(1, 0), 1, 1), _rated(other(2, 0), -1, 2)])
    assert ev.lines() == ["Too few ratings to judge: 2, at least 10 are needed."]


# --- weight -----------------------------------------------------------------------------


def test_ranking_loads_no_numpy_until_it_trains(tmp_path: Path) -> None:
    model = ranking.train([video(1, 0)], [other(2, 0)])
    code = (
        "m.score([Paper(id='1', title='video diffusion')])\n"
        "m.explain(Paper(id='1', title='video diffusion'))\n"
        "assert 'numpy' not in sys.modules, 'numpy loaded'\n"
        "ranking.train([Paper(id='1', title='video')], [Paper(id='2', title='text')])\n"
        "assert 'numpy' in sys.modules\n"
    )
    _with_model(tmp_path, model, code)


def _shared_data() -> Path | None:
    for candidate in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"):
        if (candidate / "hf_daily_papers_monthly").is_dir():
            return candidate
    return None


@pytest.mark.skipif(_shared_data() is None, reason="no ../shared/data here")
def test_the_benchmark_runs_quick() -> None:
    data = _shared_data()
    done = subprocess.run(
        [
            *(sys.executable, str(ROOT / "benchmarks" / "rank_bench.py")),
            *("--quick", "--no-speed", "--data", str(data)),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "| **for-you model (ranking.py)** |" in done.stdout
    assert "| TF-IDF centroid baseline |" in done.stdout
