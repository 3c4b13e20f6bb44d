"""The "for you" ranking model (``papercli.ranking``): quality on simulated readers, and speed.

Quality. Readers are simulated from the real Hugging Face daily papers
(``<data>/hf_daily_papers_monthly``, 26 months). A topic is a regular expression over
a paper's title and AI keywords. For each topic and each cutoff month, the reader
likes 20 papers of the topic and dislikes 20 other papers, all listed before the
cutoff; the model also gets 1,000 unrated papers of those months as background.
Then, on every later day that lists papers of the topic, the day's papers are put
in the method's order and the average precision (AP) of the topic's papers is
taken. MAP is the mean over days, then over readers, then over topics.

Methods: the shipped model (``ranking.train``), alternatives that were measured
against it (the same features or learners changed one at a time; the scikit-learn
and wordllama rows appear when those are installed), the TF-IDF centroid baseline (mean
of the liked vectors minus mean of the disliked ones, over title and abstract
words), the upvote order and a random order.

Speed. Each figure is a fresh ``python -c`` child (imports included), median of
``--runs``, with the child's CPU time (user + system) beside the wall time,
since a loaded machine stretches wall time: ordering a 1,500-paper arXiv day
(the first distinct papers of the largest days in ``<data>/arxiv_daily_listings``)
with a model trained on 500 ratings, against the same listing sorted by upvotes;
training on 500 and 1,000 ratings against loading them only.

    python benchmarks/rank_bench.py [--data DIR] [--quick] [--runs N] [--no-speed]

Prints a Markdown section (for ``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from papercli import ranking, ranking_eval  # noqa: E402
from papercli.models import Paper  # noqa: E402
from papercli.query import normalize  # noqa: E402
from papercli.sources.hf import parse_daily  # noqa: E402
from papercli.text import clean  # noqa: E402

# name: pattern over the title and the AI keywords (case-insensitive)
TOPICS: dict[str, str] = {
    "video generation": r"\bvideo (generation|diffusion|synthesis|editing)|text-to-video"
    r"|image-to-video",
    "3D Gaussians / NeRF": r"gaussian splatting|\bnerf\b|radiance field",
    "preference alignment": r"\brlhf\b|preference optimization|\bdpo\b|reward model",
    "retrieval-augmented generation": r"retrieval[- ]augmented|\brag\b",
    "code": r"\bcode (generation|llm|model)|program synthesis|software engineering|\bcoding\b",
    "mixture of experts": r"mixture[- ]of[- ]experts|\bmoe\b",
    "quantization and pruning": r"quantiz|\bpruning\b|kv[- ]cache",
    "speech, audio and music": r"\bspeech\b|\baudio\b|text-to-speech|\basr\b|\bmusic\b",
    "robotics": r"\brobot|embodied|manipulation polic",
    "math reasoning": r"mathematical reasoning|math word|\bgsm8k\b|\bmath\b",
    "agents": r"\bagents?\b",
    "medical": r"medical|clinical|radiolog|biomedical",
}
CUTOFFS = ("2023-11", "2024-06", "2025-01")
QUICK_TOPICS = ("video generation", "3D Gaussians / NeRF", "code", "speech, audio and music")
QUICK_CUTOFF, QUICK_UNTIL = "2024-06", "2024-09"
N_LIKES = N_DISLIKES = 20
N_BACKGROUND = 1000

Counts = dict[str, float]
Vector = dict[str, float]
Learner = Callable[[list[Vector], list[Vector], list[Vector]], dict[str, float]]


# --- data -------------------------------------------------------------------------------


def load_hf(folder: Path, months: Sequence[str] | None = None) -> list[Paper]:
    """Every distinct paper of the month files (of ``months`` only, when given)."""
    seen: dict[str, Paper] = {}
    for path in sorted(folder.glob("daily_papers_*.json")):
        if months is not None and path.stem.removeprefix("daily_papers_") not in months:
            continue
        for paper in parse_daily(path.read_bytes()):
            if paper.listed and paper.id not in seen:
                seen[paper.id] = paper
    return sorted(seen.values(), key=lambda p: (p.listed or "", p.id))


def arxiv_day(folder: Path, size: int = 1500) -> list[Paper]:
    """``size`` distinct papers from the largest listing files, largest first."""
    files = sorted(folder.glob("*.jsonl"), key=lambda f: -f.stat().st_size)
    papers: dict[str, Paper] = {}
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record["id"] in papers:
                continue
            papers[record["id"]] = Paper(
                id=record["id"],
                title=clean(record["title"]),
                authors=tuple(clean(a) for a in record["authors"]),
                abstract=clean(record["summary"]),
                categories=tuple(record["categories"]),
                comment=record.get("comment"),
                sources=("arxiv",),
            )
            if len(papers) == size:
                return list(papers.values())
    return list(papers.values())


def topic_text(paper: Paper) -> str:
    return paper.title + "\n" + "\n".join(paper.ai_keywords)


# --- the methods ------------------------------------------------------------------------


def word_counts(text: str) -> Counter[str]:
    """How often each word (as the model folds it) occurs in ``text``."""
    return Counter(w for w in map(ranking._term, ranking._WORD.findall(normalize(text))) if w)


def words_only(paper: Paper) -> Counts:
    """The baseline's features: how often each word occurs in the title and abstract."""
    return dict(word_counts(paper.title + " " + paper.abstract))


def binary_features(paper: Paper) -> Counts:
    """The model's features, present or not (title ones count ``TITLE_WEIGHT``)."""
    title = set(ranking._words(paper.title))
    return {t: float(ranking.TITLE_WEIGHT if t in title else 1) for t in ranking.features(paper)}


def vectorizer(corpus: Sequence[Counts], tf: str = "log") -> Callable[[Counts], Vector]:
    """Unit-length TF-IDF vectors with the IDF of ``corpus`` (features seen in fewer
    than two of its papers get the IDF of an unseen one, as in the model). ``tf``:
    "raw" (the count: classic TF-IDF) or "log" (``1 + log count``, as the model)."""
    df: Counter[str] = Counter()
    for counts in corpus:
        df.update(counts.keys())
    n = len(corpus)
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items() if d >= ranking.MIN_DF}
    unseen = math.log(1 + n) + 1.0

    def vector(counts: Counts) -> Vector:
        if tf == "log":
            vec = {t: (1.0 + math.log(c)) * idf.get(t, unseen) for t, c in counts.items()}
        else:
            vec = {t: c * idf.get(t, unseen) for t, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in vec.values())) or 1.0
        return {t: x / norm for t, x in vec.items()}

    return vector


def centroid(pos: list[Vector], neg: list[Vector], _bg: list[Vector]) -> dict[str, float]:
    """Mean of the liked vectors minus mean of the disliked ones."""
    weights: defaultdict[str, float] = defaultdict(float)
    for vec in pos:
        for t, x in vec.items():
            weights[t] += x / len(pos)
    for vec in neg:
        for t, x in vec.items():
            weights[t] -= x / len(neg)
    return weights


def logistic(weak_negatives: bool) -> Learner:
    def fit(pos: list[Vector], neg: list[Vector], bg: list[Vector]) -> dict[str, float]:
        weak = [bg[i] for i in ranking.weak_sample(len(bg))] if weak_negatives else []
        rows = pos + neg + weak
        labels = [1.0] * len(pos) + [0.0] * (len(neg) + len(weak))
        sw = [1.0] * (len(pos) + len(neg)) + [ranking.BACKGROUND_WEIGHT] * len(weak)
        return ranking._logistic(rows, labels, sw, ranking.L2)[0]

    return fit


def wordllama_vectors(papers: Sequence[Paper]) -> list[Vector] | None:
    """wordllama's static embeddings (title, keywords, abstract), when it is installed.

    wordllama 0.4 ships its weights and tokenizer in the package but looks for the
    tokenizer elsewhere and then on the Hugging Face hub; pointing its cache at the
    package folder loads both offline.
    """
    try:
        import wordllama
        from wordllama import WordLlama
    except ImportError:
        return None
    model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    texts = [f"{p.title}. {', '.join(p.ai_keywords)}. {p.abstract}" for p in papers]
    embeddings = model.embed(texts, norm=True, batch_size=64)
    return [{str(j): float(x) for j, x in enumerate(row)} for row in embeddings]


def sklearn_learner(kind: str) -> Learner | None:
    """scikit-learn's LogisticRegression or LinearSVC on the same rows (a reference)."""
    try:
        import numpy as np
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression
        from sklearn.svm import LinearSVC
    except ImportError:
        return None

    def fit(pos: list[Vector], neg: list[Vector], bg: list[Vector]) -> dict[str, float]:
        weak = [bg[i] for i in ranking.weak_sample(len(bg))]
        rows = pos + neg + weak
        vocab: dict[str, int] = {}
        r, c, v = [], [], []
        for i, row in enumerate(rows):
            for t, x in row.items():
                r.append(i)
                c.append(vocab.setdefault(t, len(vocab)))
                v.append(x)
        matrix = csr_matrix((v, (r, c)), shape=(len(rows), len(vocab)))
        y = np.array([1] * len(pos) + [0] * (len(neg) + len(weak)))
        sw = np.array([1.0] * (len(pos) + len(neg)) + [ranking.BACKGROUND_WEIGHT] * len(weak))
        # the same objective as ranking._logistic: C = 1 / (l2 * sum of sample weights)
        c_value = 1.0 / (ranking.L2 * float(sw.sum()))
        clf = (
            LogisticRegression(C=c_value, max_iter=2000)
            if kind == "lr"
            else LinearSVC(C=c_value / 100)
        )
        clf.fit(matrix, y, sample_weight=sw)
        coef = clf.coef_[0]
        return {t: float(coef[j]) for t, j in vocab.items()}

    return fit


# --- the simulation ---------------------------------------------------------------------


def average_precision(scores: Sequence[float], labels: Sequence[bool]) -> float:
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    return ranking_eval.average_precision([labels[i] for i in order])


def simulate(
    papers: list[Paper],
    topics: dict[str, str],
    cutoffs: Sequence[str],
    until: str | None,
    alternatives: bool,
) -> tuple[dict[str, dict[str, list[float]]], dict[str, int], list[str]]:
    """{method: {topic: [MAP of each reader]}}, days judged per topic, notes."""
    by_day: defaultdict[str, list[int]] = defaultdict(list)
    for i, paper in enumerate(papers):
        by_day[paper.listed or ""].append(i)
    feature_sets: dict[str, tuple[str, list[Counts]]] = {
        "full": ("log", [ranking.features(p) for p in papers]),
        "words": ("raw", [words_only(p) for p in papers]),
    }
    learners: dict[str, tuple[str, Learner]] = {"TF-IDF centroid baseline": ("words", centroid)}
    embedded: list[Vector] | None = None
    if alternatives:
        feature_sets["binary"] = ("raw", [binary_features(p) for p in papers])
        feature_sets["words, log"] = ("log", feature_sets["words"][1])
        learners |= {
            "TF-IDF centroid, 1 + log tf": ("words, log", centroid),
            "centroid, model's features": ("full", centroid),
            "logistic, words only (+ background)": ("words", logistic(True)),
            "logistic, model's features, no background": ("full", logistic(False)),
            "logistic, model's features present or not (binary tf)": ("binary", logistic(True)),
        }
        for name, kind in (("scikit-learn LogisticRegression", "lr"), ("LinearSVC", "svm")):
            fit = sklearn_learner(kind)
            if fit is not None:
                learners[f"{name}, model's features (+ background)"] = ("full", fit)
        embedded = wordllama_vectors(papers)
        if embedded is not None:
            learners["wordllama embeddings, centroid"] = ("wordllama", centroid)
            learners["wordllama embeddings, logistic (+ background)"] = (
                "wordllama",
                logistic(True),
            )
    results: defaultdict[str, defaultdict[str, list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    days_judged: Counter[str] = Counter()
    notes: list[str] = []
    for cutoff in cutoffs:
        earlier = [i for i, p in enumerate(papers) if (p.listed or "")[:7] < cutoff]
        later_days = [d for d in sorted(by_day) if d[:7] >= cutoff and (not until or d < until)]
        rng = random.Random(f"background {cutoff}")
        background = rng.sample(earlier, min(N_BACKGROUND, len(earlier)))
        vectorizers = {
            name: vectorizer([feats[i] for i in background], tf)
            for name, (tf, feats) in feature_sets.items()
        }
        later = [i for d in later_days for i in by_day[d]]
        vectors = {
            name: {i: vectorizers[name](feats[i]) for i in (*later, *earlier)}
            for name, (_tf, feats) in feature_sets.items()
        }
        if alternatives and embedded is not None:
            vectors["wordllama"] = dict(enumerate(embedded))
        for topic, pattern in topics.items():
            regex = re.compile(pattern, re.IGNORECASE)
            label = [bool(regex.search(topic_text(p))) for p in papers]
            pos = [i for i in earlier if label[i]]
            neg = [i for i in earlier if not label[i]]
            if len(pos) < N_LIKES:
                notes.append(f"{topic}: {len(pos)} papers before {cutoff}, no reader there")
                continue
            days = [d for d in later_days if any(label[i] for i in by_day[d])]
            days_judged[topic] += len(days)
            pick = random.Random(f"{topic} {cutoff}")
            likes, dislikes = pick.sample(pos, N_LIKES), pick.sample(neg, N_DISLIKES)
            bg = [i for i in background if i not in set(likes) | set(dislikes)]
            scorers: dict[str, Callable[[int], float]] = {}
            model = ranking.train(
                [papers[i] for i in likes],
                [papers[i] for i in dislikes],
                [papers[i] for i in bg],
            )
            model_scores = dict(zip(later, model.score(papers[i] for i in later), strict=True))
            scorers["**for-you model (ranking.py)**"] = model_scores.__getitem__
            for name, (fset, learner) in learners.items():
                vecs = vectors[fset]
                weights = learner(
                    [vecs[i] for i in likes], [vecs[i] for i in dislikes], [vecs[i] for i in bg]
                )
                scored = {
                    i: sum(weights.get(t, 0.0) * x for t, x in vecs[i].items()) for i in later
                }
                scorers[name] = scored.__getitem__
            scorers["upvote order"] = lambda i: float(papers[i].upvotes or 0)
            shuffle = random.Random(f"random {topic} {cutoff}")
            random_scores = {i: shuffle.random() for i in later}
            scorers["random order"] = random_scores.__getitem__
            for name, score in scorers.items():
                aps = [
                    average_precision([score(i) for i in by_day[d]], [label[i] for i in by_day[d]])
                    for d in days
                ]
                results[name][topic].append(statistics.mean(aps))
    return results, dict(days_judged), notes


# --- speed ------------------------------------------------------------------------------

MEASURE = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
elapsed = time.perf_counter() - t
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(elapsed, use.ru_utime + use.ru_stime, done.returncode)
"""

LOAD = (
    "import json, sys\n"
    "import papercli.query, papercli.text  # every listing loads them (core, render)\n"
    "from papercli.models import Paper\n"
    "papers = [Paper.from_record(r) for r in json.load(open(sys.argv[1]))]\n"
)
SORT_UPVOTES = LOAD + "papers.sort(key=lambda p: -(p.upvotes or 0))\n"
SORT_FOR_YOU = (
    LOAD + "from papercli import ranking\n"
    "model = ranking.Model.from_json(open(sys.argv[2], encoding='utf-8').read())\n"
    "scores = dict(zip((p.id for p in papers), model.score(papers)))\n"
    "papers.sort(key=lambda p: -scores[p.id])\n"
)
LOAD_RATED = (
    "import json, sys\n"
    "from papercli.models import Paper\n"
    "rated = [(Paper.from_record(r['paper']), r['vote']) for r in json.load(open(sys.argv[1]))]\n"
)
TRAIN = (
    LOAD_RATED + "from papercli import ranking\n"
    "model = ranking.train([p for p, v in rated if v > 0], [p for p, v in rated if v < 0])\n"
    "open(sys.argv[2], 'w', encoding='utf-8').write(model.to_json())\n"
)
WORDLLAMA = (
    "from pathlib import Path\n"
    "import wordllama\n"
    "wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)\n"
)


def child(code: str, *args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of ``python -c code args`` in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.split()
    if out[2] != "0":
        raise RuntimeError(f"child failed: {code}")
    return float(out[0]), float(out[1])


def timed(runs: int, **commands: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """Interleaved runs of each command; (median wall, median CPU) by name."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for cmd in commands.values():  # warm the file cache and the bytecode
        child(*cmd)
    for _ in range(runs):
        for name, cmd in commands.items():
            samples[name].append(child(*cmd))
    return {
        name: (statistics.median(s[0] for s in got), statistics.median(s[1] for s in got))
        for name, got in samples.items()
    }


def rated_sample(papers: list[Paper], n: int, seed: int) -> list[dict[str, object]]:
    """``n`` papers, a fifth of them liked (one topic), the rest disliked."""
    regex = re.compile(TOPICS["video generation"], re.IGNORECASE)
    rng = random.Random(seed)
    pos = [p for p in papers if regex.search(topic_text(p))]
    neg = [p for p in papers if not regex.search(topic_text(p))]
    liked = rng.sample(pos, min(len(pos), n // 5))
    disliked = rng.sample(neg, n - len(liked))
    return [{"paper": p.to_record(), "vote": 1} for p in liked] + [
        {"paper": p.to_record(), "vote": -1} for p in disliked
    ]


def speed(papers: list[Paper], listings: Path, runs: int) -> list[str]:
    lines = [
        "| what | wall (median) | CPU (median) | target |",
        "|---|---:|---:|---|",
    ]
    day = arxiv_day(listings)
    with tempfile.TemporaryDirectory(prefix="rank-bench-") as tmp:
        folder = Path(tmp)
        listing = folder / "listing.json"
        listing.write_text(json.dumps([p.to_record() for p in day]), encoding="utf-8")
        for n in (500, 1000):
            (folder / f"rated{n}.json").write_text(
                json.dumps(rated_sample(papers, n, n)), encoding="utf-8"
            )
        got = timed(
            runs,
            load500=(LOAD_RATED, str(folder / "rated500.json")),
            train500=(TRAIN, str(folder / "rated500.json"), str(folder / "model500.json")),
            load1000=(LOAD_RATED, str(folder / "rated1000.json")),
            train1000=(TRAIN, str(folder / "rated1000.json"), str(folder / "model1000.json")),
        )
        model_bytes = (folder / "model500.json").stat().st_size
        if importlib.util.find_spec("wordllama") is not None:
            got |= timed(runs, wordllama=(WORDLLAMA,))
        got |= timed(
            runs,
            upvotes=(SORT_UPVOTES, str(listing)),
            foryou=(SORT_FOR_YOU, str(listing), str(folder / "model500.json")),
        )

    def row(what: str, name: str, base: str | None, target: str) -> str:
        wall, cpu = got[name]
        if base is None:
            return f"| {what} | {wall:.3f} s | {cpu:.3f} s | {target} |"
        bwall, bcpu = got[base]
        return (
            f"| {what} | {wall:.3f} s (+{wall - bwall:.3f} s) | {cpu:.3f} s "
            f"(+{cpu - bcpu:.3f} s) | {target} |"
        )

    lines += [
        row(f"{len(day):,} arXiv papers sorted by upvotes (the baseline)", "upvotes", None, ""),
        row(
            f"the same, sorted for you (model of 500 ratings, {model_bytes / 1e6:.1f} MB JSON)",
            "foryou",
            "upvotes",
            "+0.3 s at most",
        ),
        row("loading 500 ratings (the baseline)", "load500", None, ""),
        row("training on 500 ratings", "train500", "load500", ""),
        row("loading 1,000 ratings (the baseline)", "load1000", None, ""),
        row("training on 1,000 ratings", "train1000", "load1000", "under 1 s, imports included"),
    ]
    if "wordllama" in got:
        lines.append(
            row("(an alternative) importing wordllama and loading its model", "wordllama", None, "")
        )
    return lines


# --- the report -------------------------------------------------------------------------


def report(
    results: dict[str, dict[str, list[float]]],
    days: dict[str, int],
    topics: Sequence[str],
) -> list[str]:
    def topic_map(method: str, topic: str) -> float:
        return statistics.mean(results[method][topic])

    judged = [t for t in topics if results["random order"].get(t)]
    lines = [
        "| method | MAP | worst topic |",
        "|---|---:|---:|",
    ]
    for method in results:
        per = [topic_map(method, t) for t in judged]
        lines.append(f"| {method} | {statistics.mean(per):.3f} | {min(per):.3f} |")
    main = [
        "**for-you model (ranking.py)**",
        "TF-IDF centroid baseline",
        "upvote order",
        "random order",
    ]
    lines += [
        "",
        "| topic | readers | days | model | centroid | upvotes | random |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for topic in judged:
        cells = " | ".join(f"{topic_map(m, topic):.3f}" for m in main)
        readers = len(results["random order"][topic])
        lines.append(f"| {topic} | {readers} | {days[topic]} | {cells} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="the shared data folder (default: $PAPERS_BENCH_DATA, else ../shared/data "
        "from the repository root or ../../shared/data from a worktree)",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run (under 20 s)")
    parser.add_argument("--runs", type=int, default=None, help="timed runs of each command")
    parser.add_argument("--no-speed", action="store_true", help="quality only")
    args = parser.parse_args(argv)
    if args.data is None:
        candidates = [
            *([Path(os.environ["PAPERS_BENCH_DATA"])] if "PAPERS_BENCH_DATA" in os.environ else []),
            ROOT.parent / "shared" / "data",
            ROOT.parent.parent / "shared" / "data",
        ]
        args.data = next((c for c in candidates if c.is_dir()), candidates[-1])
    hf_folder = args.data / "hf_daily_papers_monthly"
    listings = args.data / "arxiv_daily_listings"
    if not any(hf_folder.glob("daily_papers_*.json")):
        print(f"no daily_papers_*.json under {hf_folder}; pass --data", file=sys.stderr)
        return 2
    started = time.perf_counter()
    if args.quick:
        topics = {t: TOPICS[t] for t in QUICK_TOPICS}
        months = [f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13)]
        papers = load_hf(hf_folder, [m for m in months if m < QUICK_UNTIL])
        cutoffs, until = (QUICK_CUTOFF,), QUICK_UNTIL
    else:
        topics, papers, cutoffs, until = TOPICS, load_hf(hf_folder), CUTOFFS, None
    results, days, notes = simulate(papers, topics, cutoffs, until, alternatives=not args.quick)
    quality_seconds = time.perf_counter() - started
    lines = [
        f"Simulated readers on {len(papers):,} Hugging Face daily papers"
        + (" (--quick: 4 topics, one cutoff, 3 months of days)" if args.quick else "")
        + f": {len(topics)} topics (a pattern over the title and the AI keywords), cutoffs "
        f"{', '.join(cutoffs)}. Each reader: {N_LIKES} likes of the topic and {N_DISLIKES} "
        f"dislikes of other papers listed before the cutoff, {N_BACKGROUND:,} unrated "
        "papers of those months as background; then the average precision of the topic's "
        "papers in each later day's order (every day that lists one). MAP: mean over days, "
        "readers, then topics. The alternative learners use the same IDF (the background's) "
        "and weak negatives as the model.",
        "",
        *report(results, days, list(topics)),
    ]
    if notes:
        lines += ["", *(f"- {n}" for n in notes)]
    if args.no_speed:
        pass
    elif listings.is_dir():
        runs = args.runs or (1 if args.quick else 7)
        lines += [
            "",
            f"Speed: fresh `python -c` children, imports included; median of {runs} "
            "interleaved runs; in brackets the cost above the baseline row before it.",
            "",
            *speed(papers, listings, runs),
        ]
    else:
        lines += ["", f"(no arXiv listings at {listings}: speed not measured)"]
    load = os.getloadavg()
    lines += [
        "",
        f"Quality part: {quality_seconds:.0f} s; whole run {time.perf_counter() - started:.0f} s; "
        f"load average {load[0]:.1f} at the end on {os.cpu_count()} cores.",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
