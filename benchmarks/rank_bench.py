"""The "for you" model measured: simulated readers on real Hugging Face data, and speed.

Quality: a reader likes one topic (a pattern over the title and the AI keywords).
They rate 20 papers of the topic and 20 other papers from the months before a
cut-off; then, on every later day that lists papers of the topic, the day's
papers are ordered and the average precision of the topic's papers is taken.
Reported: the mean over days and topics for the model, a TF-IDF centroid baseline
(mean of liked vectors minus mean of disliked vectors), the upvote order and a
random order.

Speed: training on 1,000 ratings, and ordering a 1,500-paper day with a model
trained on 500 ratings, in process (the model is pure Python: no import to pay).

    python benchmarks/rank_bench.py [--data ../shared/data] [--quick]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from papercli import ranking
from papercli.models import Paper
from papercli.sources.hf import parse_daily

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data"
TOPICS = {
    "diffusion image generation": r"diffusion|text-to-image|image generation",
    "code generation": r"\bcode\b|program synthesis|coding",
    "robotics": r"robot|embodied|manipulation",
    "speech and audio": r"speech|audio|\btts\b|voice",
    "3D and NeRF": r"\b3d\b|nerf|gaussian splatting|point cloud",
    "mathematical reasoning": r"\bmath|theorem|mathematical",
    "agents and tools": r"\bagents?\b|tool use|tool-use|web navigation",
    "video": r"\bvideo",
    "retrieval": r"retrieval|\brag\b",
    "reinforcement learning from feedback": r"rlhf|preference optimization|\bdpo\b|reward model",
}
LIKES = DISLIKES = 20


def load(data: Path) -> list[Paper]:
    papers: dict[str, Paper] = {}
    for path in sorted((data / "hf_daily_papers_monthly").glob("daily_papers_*.json")):
        for p in parse_daily(path.read_bytes()):
            if p.listed:
                papers.setdefault(p.id, p)
    return sorted(papers.values(), key=lambda p: p.listed or "")


def on_topic(pattern: re.Pattern[str], p: Paper) -> bool:
    return bool(pattern.search(f"{p.title} {' '.join(p.ai_keywords)}".lower()))


def centroid_scores(liked: list[Paper], disliked: list[Paper], day: list[Paper]) -> list[float]:
    """The baseline: TF-IDF vectors, mean of liked minus mean of disliked."""
    model = ranking.train(liked, [])  # the centroid of the likes, same features and IDF
    negative = ranking.train(disliked, []) if disliked else None
    pos = model.score(day)
    if negative is None:
        return pos
    # Score the day against the disliked centroid with the likes' IDF for comparability.
    neg_model = ranking.Model(negative.weights, 0.0, model.idf, model.default_idf, 0, 0)
    return [a - b for a, b in zip(pos, neg_model.score(day), strict=True)]


def quality(papers: list[Paper], cut: str, rounds: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    before = [p for p in papers if (p.listed or "") < cut]
    after = [p for p in papers if (p.listed or "") >= cut]
    by_day: dict[str, list[Paper]] = defaultdict(list)
    for p in after:
        by_day[p.listed or ""].append(p)
    results: dict[str, list[float]] = defaultdict(list)
    for name, regex in TOPICS.items():
        pattern = re.compile(regex)
        pool = [p for p in before if on_topic(pattern, p)]
        others = [p for p in before if not on_topic(pattern, p)]
        if len(pool) < LIKES:
            continue
        for _ in range(rounds):
            liked = rng.sample(pool, LIKES)
            disliked = rng.sample(others, DISLIKES)
            model = ranking.train(liked, disliked)
            per: dict[str, list[float]] = defaultdict(list)
            for day in sorted(by_day):
                listing = by_day[day]
                flags = {p.id: on_topic(pattern, p) for p in listing}
                if not any(flags.values()) or all(flags.values()):
                    continue
                orders = {
                    "for-you (model)": _by(listing, model.score(listing)),
                    "TF-IDF centroid": _by(listing, centroid_scores(liked, disliked, listing)),
                    "upvotes": sorted(listing, key=lambda p: -(p.upvotes or 0)),
                    "random": rng.sample(listing, len(listing)),
                }
                for label, order in orders.items():
                    per[label].append(ranking.average_precision([flags[p.id] for p in order]))
            for label, values in per.items():
                results[label].append(statistics.mean(values))
            results[f"topic:{name}"].append(statistics.mean(per["for-you (model)"]))
    return {k: statistics.mean(v) for k, v in results.items()}


def _by(listing: list[Paper], scores: list[float]) -> list[Paper]:
    ranked = sorted(zip(scores, range(len(listing)), listing, strict=True), key=lambda t: -t[0])
    return [p for _, _, p in ranked]


def speed(papers: list[Paper]) -> dict[str, float]:
    rng = random.Random(1)
    sample = rng.sample(papers, min(len(papers), 2500))
    half = len(sample) // 2
    liked1000, disliked1000 = sample[:500], sample[500:1000]
    start = time.perf_counter()
    ranking.train(liked1000, disliked1000)
    train_1000 = time.perf_counter() - start
    model = ranking.train(sample[:250], sample[250:500])
    day = sample[half : half + 1500] if len(sample) >= half + 1500 else sample[:1500]
    start = time.perf_counter()
    model.score(day)
    order_1500 = time.perf_counter() - start
    blob = model.to_json()
    start = time.perf_counter()
    ranking.Model.from_json(blob)
    load = time.perf_counter() - start
    return {"train_1000": train_1000, "order_1500": order_1500, "load_model": load}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--quick", action="store_true", help="one round, for a smoke test")
    parser.add_argument("--cut", default="2024-10-01", help="ratings before, tests from")
    args = parser.parse_args(argv)
    if not (args.data / "hf_daily_papers_monthly").is_dir():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    papers = load(args.data)
    if args.quick:
        papers = [p for p in papers if (p.listed or "") < "2024-12-01"]
    scores = quality(papers, args.cut, 1 if args.quick else 3, seed=7)
    times = speed(papers)
    print("## Ranking (the 'for you' order)\n")
    print(
        f"Simulated readers on {len(papers):,} real Hugging Face papers: {LIKES} likes of a "
        f"topic and {DISLIKES} dislikes of other papers before {args.cut}, then the mean "
        "average precision of the topic's papers on every later day that lists some "
        f"({'1 round' if args.quick else '3 rounds'} per topic; "
        "`python benchmarks/rank_bench.py`).\n"
    )
    print("| order | mean average precision |\n|---|---:|")
    for label in ("for-you (model)", "TF-IDF centroid", "upvotes", "random"):
        print(f"| {label} | {scores[label]:.3f} |")
    print("\nPer topic (model):\n\n| topic | MAP |\n|---|---:|")
    for key, value in scores.items():
        if key.startswith("topic:"):
            print(f"| {key[6:]} | {value:.3f} |")
    print(
        f"\nSpeed (in process, pure Python): training on 1,000 ratings "
        f"{times['train_1000']:.2f} s; ordering a 1,500-paper day with a model of 500 "
        f"ratings {times['order_1500'] * 1000:.0f} ms; loading the stored model "
        f"{times['load_model'] * 1000:.1f} ms."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
