"""An index option measured and not taken: no plain token where a stop word starts.

The cold build's longest part is FTS5 inserting about 215 tokens a paper; a plain
token starts at every word of the title and the abstract, stop words included
("the", "of"...): ``themod`` for "the model". Dropping the tokens that start only at
stop words would make fewer tokens, and a query term would then look up, besides
its own token, the rest of it after each stop word it starts with ("without":
``withou``, or "out" at a word start), and would not be prefiltered at all when it
is the start of a stop word ("the", "wit").

For each stop list, over the real papers (the Hugging Face months and up to
``--arxiv`` papers of the arXiv listings): tokens a paper, the FTS5 insert and
optimize time (interleaved rounds, medians), the table's size, and what the query
side would lose over the most common title words: the terms no longer prefiltered
and those whose candidates grow by half or more (candidates must be read and
checked, so they cost search time). Nothing here changes the index.

Usage::

    python benchmarks/stop_positions_bench.py            # data: ../shared/data
    python benchmarks/stop_positions_bench.py --rounds 5 --arxiv 40000
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakearxiv import shared_dir
from rank_bench import arxiv_day, load_hf

from papercli.models import Paper
from papercli.query import is_word_char, normalize, term_chars
from papercli.storage.fts import (
    MIN_PREFIX,
    TOKEN_CHARS,
    TOKENIZER,
    _text_expr,
    fts_safe,
    paper_document,
)

LISTS = {
    "none (today)": "",
    "conservative": "the and of that this our from which these while have their such both "
    "however into",
    "broad": "the and to of in we for that on with this our is by as from an are can which "
    "these at while or have their it be such both however more into",
}
_WORD = re.compile(r"(?<!\w)\w+")


def stopped_document(paper: Paper, stop: frozenset[str]) -> str:
    """The paper's FTS document without the plain tokens that start only at stop words."""
    doc = paper_document(paper)
    if not stop:
        return doc
    at_stop: set[str] = set()
    elsewhere: set[str] = set()
    for text in (normalize(paper.title), normalize(paper.abstract)):
        chunks = text.replace("-", " ").split()
        squashed = "".join(chunks)
        offsets = [0, *accumulate(map(len, chunks))]
        for chunk, offset in zip(chunks, offsets, strict=False):
            for word in _WORD.finditer(chunk):
                start = offset + word.start()
                token = fts_safe(squashed[start : start + TOKEN_CHARS])
                (at_stop if word.group() in stop else elsewhere).add(token)
    dropped = at_stop - elsewhere
    return " ".join(t for t in doc.split(" ") if t not in dropped)


def stopped_expression(chars: str, stop: frozenset[str]) -> str | None:
    """The plain-token prefilter of a term's characters under ``stop`` (None: none)."""
    if len(chars) < MIN_PREFIX or not is_word_char(chars[0]):
        return None
    if any(s.startswith(chars) for s in stop):
        return None  # it may match at a stop word, which gives no token
    parts = [_text_expr("", chars)]
    for s in stop:
        if chars.startswith(s):  # at "s", then the rest at the next word's start
            rest = stopped_expression(chars[len(s) :], stop)
            if rest is None:
                return None
            parts.append(rest)
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(map(str, parts)) + ")"


def build(path: Path, docs: list[str]) -> float:
    """Seconds to insert ``docs`` and optimize, as the index's bulk build sets FTS5 up."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        f'CREATE VIRTUAL TABLE fts USING fts5(doc, tokenize="{TOKENIZER}", detail=none,'
        " content='', columnsize=0)"
    )
    for name, value in (("hashsize", 32 << 20), ("automerge", 0), ("crisismerge", 64)):
        db.execute("INSERT INTO fts(fts, rank) VALUES (?, ?)", (name, value))
    t = time.perf_counter()
    db.execute("BEGIN")
    for lo in range(0, len(docs), 250):
        db.executemany(
            "INSERT INTO fts(rowid, doc) VALUES (?, ?)",
            [(lo + i + 1, d) for i, d in enumerate(docs[lo : lo + 250])],
        )
    db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    db.execute("COMMIT")
    elapsed = time.perf_counter() - t
    db.close()
    return elapsed


def count(db: sqlite3.Connection, expr: str) -> int:
    return int(db.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (expr,)).fetchone()[0])


def common_title_words(papers: Iterable[Paper], n: int) -> list[str]:
    words = Counter(
        w for p in papers for w in set(re.findall(r"\w+", normalize(p.title))) if len(w) > 1
    )
    return [w for w, _ in words.most_common(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="default: ../shared/data")
    parser.add_argument("--arxiv", type=int, default=40_000, help="arXiv papers at most")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--terms", type=int, default=3000, help="common title words checked")
    args = parser.parse_args()
    data = args.data or shared_dir() / "data"
    papers = load_hf(data / "hf_daily_papers_monthly")
    papers += arxiv_day(data / "arxiv_daily_listings", args.arxiv)
    stops = {name: frozenset(words.split()) for name, words in LISTS.items()}
    docs = {name: [stopped_document(p, stop) for p in papers] for name, stop in stops.items()}
    with tempfile.TemporaryDirectory() as scratch:
        times: dict[str, list[float]] = {name: [] for name in docs}
        for _ in range(args.rounds):
            for name in docs:  # interleaved: the machine's speed drifts
                times[name].append(build(Path(scratch) / "x.db", docs[name]))
        sizes, dbs = {}, {}
        for name in docs:
            path = Path(scratch) / f"{len(dbs)}.db"
            build(path, docs[name])
            sizes[name] = path.stat().st_size
            dbs[name] = sqlite3.connect(path)
        terms = common_title_words(papers, args.terms)
        base = stops["none (today)"]
        print(f"{len(papers):,} papers; load {os.getloadavg()[0]:.2f}; {args.rounds} rounds\n")
        print(
            "| stop list | tokens a paper | insert + optimize | size | terms not prefiltered"
            " (of those that were) | terms with 1.5x the candidates or more |"
        )
        print("|---|---:|---:|---:|---|---|")
        first = statistics.median(times["none (today)"])
        for name, stop in stops.items():
            tokens = sum(d.count(" ") + 1 for d in docs[name]) / len(papers)
            lost: list[str] = []
            grown: list[tuple[int, str, int, int]] = []
            for word in terms:
                chars = term_chars(word)
                before = stopped_expression(chars, base)
                if before is None:
                    continue
                after = stopped_expression(chars, stop)
                if after is None:
                    lost.append(word)
                    continue
                a, b = count(dbs["none (today)"], before), count(dbs[name], after)
                if b >= 1.5 * a + 20:
                    grown.append((b - a, word, a, b))
            grown.sort(reverse=True)
            median = statistics.median(times[name])
            print(
                f"| {name} | {tokens:.1f} | {median:.2f} s ({median / first:.2f}x) "
                f"| {sizes[name] / 1e6:.1f} MB | {len(lost)}: {', '.join(lost[:12])} "
                f"| {len(grown)}: {', '.join(f'{w} {a:,}→{b:,}' for _, w, a, b in grown[:6])} |"
            )
        for db in dbs.values():
            db.close()


if __name__ == "__main__":
    main()
