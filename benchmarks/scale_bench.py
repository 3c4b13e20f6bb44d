"""History at scale: the 300k and 1M figures of issue 16, in benchmarks/RESULTS.md.

For each size, copies of the real Hugging Face history (``fakehub.py --scale N``: 40
copies are 300,080 papers, 134 are 1,005,268, back to the year 1656) and the 69 days
of arXiv listings (``fakearxiv.py``, as ``search_bench.py`` does) are synced over
loopback into ``<work>/home-<size>`` (never in the repository), and then measured, each
command in a fresh child process (peak memory: ``ru_maxrss`` of the child):

* ``papers sync`` of the whole range: wall time, CPU time, peak memory, and the share
  spent in the final search-index update (timed in the child around
  ``SearchIndex.update``); fakehub's own CPU beside it (it shares the 2 cores);
* the first search after removing the index (a cold build), with the index's size;
* each query of ``search_bench.QUERIES`` warm, with ``--sort date`` (the default) and
  ``--sort upvotes``, against ``grep -ril`` over the same cache (medians of
  ``--repeats`` interleaved rounds; ratios to grep from the same rounds);
* ``papers show ID --offline`` for a paper of the oldest month;
* ``papers search --offline QUERY --sort for-you`` over the whole history, with a model
  trained on 30 likes and 30 dislikes of real papers (liked with ``papers like``): the
  first time (every match scored, the scores kept) and then (kept scores), beside
  ``--sort relevance``, which reads every match too;
* ``Model.score`` alone over the real papers, µs a paper.

The section "History at scale" of RESULTS.md is replaced (or added); every other
section is left as it is. Usage::

    python benchmarks/run.py --scale 300k,1m          # the full run (see --help)
    python benchmarks/scale_bench.py --sizes 300k,1m --work /tmp/papers-scale
    python benchmarks/scale_bench.py --sizes 1x --months 2 --repeats 1   # a smoke run

``--keep`` reuses a size's cache (and its sync figures) when an earlier run built it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fakearxiv  # noqa: E402
import fakehub  # noqa: E402
import search_bench  # noqa: E402
from scale_report import TITLE, replace_section, report  # noqa: E402

SIZES = {"300k": 40, "1m": 134}  # copies of the 7,502 real papers
DEFAULT_WORK = Path("/tmp/papers-scale")
UNTIL = dt.date(2025, 11, 30)  # the real data's last month
FOR_YOU_QUERIES = ["mini-batch", "diffusion", '"large language model"']
LIKED_WORDS = ("video generation", "video diffusion", "text-to-video")
PAPERS = [sys.executable, "-m", "papercli"]

# The sync in a child that times the index update inside it (the same code path as
# ``papers sync``: only a timer is wrapped around SearchIndex.update).
SYNC_CHILD = r"""
import json, resource, sys, time
out, sys.argv = sys.argv[1], ["papers", *sys.argv[2:]]
spent = []
try:
    from papercli.storage import index
    plain = index.SearchIndex.update
    def update(self, *args, **kwargs):
        t = time.perf_counter()
        try:
            return plain(self, *args, **kwargs)
        finally:
            spent.append(time.perf_counter() - t)
    index.SearchIndex.update = update
except (ImportError, AttributeError):
    pass
from papercli.__main__ import main
t, code = time.perf_counter(), 0
try:
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
usage = resource.getrusage(resource.RUSAGE_SELF)
peak = usage.ru_maxrss  # Linux keeps a forking parent's through exec: VmHWM is this process's
try:
    with open("/proc/self/status") as f:
        peak = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
except (OSError, StopIteration, ValueError):
    pass
with open(out, "w") as f:
    json.dump({"seconds": time.perf_counter() - t, "index_seconds": sum(spent) if spent else None,
               "cpu": usage.ru_utime + usage.ru_stime, "peak_kb": peak, "code": code}, f)
"""


# The scoring of --sort for-you on its own: the real papers (copy 0, no copies to make the
# memos look better than a real history would), a model trained as the harness's reader,
# stored, then loaded by a fresh process that scores them all twice (memos cold, warm).
SCORE_CHILD = r"""
import glob, json, sys, time
from papercli import ranking
from papercli.sources.hf import paper_from_item
folder, model_path, words = sys.argv[1], sys.argv[2], sys.argv[3].split("|")
items = [i for p in sorted(glob.glob(folder + "/daily_papers_*.json")) for i in json.load(open(p))]
papers = [p for p in map(paper_from_item, items) if p is not None]
if sys.argv[4] == "train":
    liked = [p for p in papers if any(w in p.title.lower() for w in words)][-30:]
    others = [p for p in papers if not any(w in p.title.lower() for w in words)]
    model = ranking.train(liked, others[::100][:30], papers[-2000:])
    open(model_path, "w").write(model.to_json())
else:
    model = ranking.Model.from_json(open(model_path).read())
    times = []
    for _ in range(2):
        t = time.perf_counter()
        model.score(papers)
        times.append(time.perf_counter() - t)
    print(len(papers), *times)
"""


@dataclass
class Size:
    label: str
    copies: int
    months: int | None = None  # only the latest months of the history (smoke runs)

    @property
    def since(self) -> dt.date:
        if self.months is not None:
            first = dt.date(UNTIL.year, UNTIL.month, 1)
            for _ in range(self.months - 1):
                first = (first - dt.timedelta(days=1)).replace(day=1)
            return first
        oldest = dt.date(2023, 5, 1) - dt.timedelta(days=(self.copies - 1) * fakehub.SHIFT_DAYS)
        return oldest.replace(day=1)


@dataclass
class Options:
    work: Path = DEFAULT_WORK
    repeats: int = 5
    limit: int = 20
    keep: bool = False


@dataclass
class Result:
    size: Size
    figures: dict[str, Any] = field(default_factory=dict)
    queries: list[dict[str, Any]] = field(default_factory=list)
    for_you: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def matches(self, query: str) -> str:
        found = [q["matches"] for q in self.queries if q["query"] == query]
        return f"{found[0]:,}" if found else "?"


def parse_sizes(text: str, months: int | None = None) -> list[Size]:
    """``300k,1m`` or copies as ``40x``."""
    out = []
    for part in filter(None, (p.strip().lower() for p in text.split(","))):
        if part in SIZES:
            out.append(Size(part, SIZES[part], months))
        elif re.fullmatch(r"\d+x", part) and 0 < int(part[:-1]) <= fakehub.MAX_SCALE:
            out.append(Size(part, int(part[:-1]), months))
        else:
            raise ValueError(f"unknown size {part!r}: use 300k, 1m or copies as Nx")
    return out


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


# --- building the cache ----------------------------------------------------------------


def setup_home(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        # The benchmark's range is one long command: [network] total_timeout bounds its
        # fetching (300 s by default; a rerun would fetch the rest).
        "[network]\ntotal_timeout = 7200\n\n[sources.hf]\nconcurrency = 4\n\n"
        "[sources.arxiv]\n"
        f"categories = {json.dumps(search_bench.ARXIV_CATEGORIES)}\ndelay_seconds = 0\n"
    )


def sync(size: Size, home: Path, data: Path, env: dict[str, str], result: Result) -> None:
    """``papers sync`` of the size's range from fakehub, then the arXiv listings."""
    t = time.perf_counter()
    server, url = fakehub.serve(data / "hf_daily_papers_monthly", 0, 0.0, size.copies)
    result.figures["fakehub start s"] = time.perf_counter() - t
    report = home / "sync.json"
    before = resource.getrusage(resource.RUSAGE_SELF)
    cmd = ["sync", "--since", size.since.isoformat(), "--until", UNTIL.isoformat()]
    loads = [load()]
    try:
        subprocess.run(
            [sys.executable, "-c", SYNC_CHILD, str(report), *cmd],
            env={**env, "PAPERS_HF_URL": url},
            check=True,
            stdout=subprocess.DEVNULL,
        )
    finally:
        server.shutdown()
        server.server_close()
    after = resource.getrusage(resource.RUSAGE_SELF)
    loads.append(load())
    got = json.loads(report.read_text())
    if got["code"]:
        raise RuntimeError(f"papers sync failed (status {got['code']})")
    result.figures.update(
        {
            "sync s": got["seconds"],
            "sync index s": got["index_seconds"],
            "sync cpu s": got["cpu"],
            "sync peak MB": got["peak_kb"] / 1024,
            "fakehub cpu s": (after.ru_utime + after.ru_stime)
            - (before.ru_utime + before.ru_stime),
            "sync load": " to ".join(loads),
            "sync date": dt.date.today().isoformat(),
            "sync command": f"papers sync --since {size.since} --until {UNTIL}",
        }
    )
    listings = data / "arxiv_daily_listings"
    if size.months is not None or not listings.is_dir():
        return
    try:
        arxiv = fakearxiv.serve(None, 0, listings=listings)
    except Exception as exc:  # another engineer's server: a change there is a note here
        result.notes.append(f"arXiv listings not synced: fakearxiv.serve failed ({exc})")
        return
    arxiv_url = f"http://127.0.0.1:{arxiv.server_port}"
    days = ["--since", search_bench.ARXIV_SINCE, "--until", search_bench.ARXIV_UNTIL]
    t = time.perf_counter()
    done = subprocess.run(
        [*PAPERS, "sync", "--source", "arxiv", *days],
        env={**env, "PAPERS_ARXIV_URL": arxiv_url, "PAPERS_ARXIV_RSS_URL": arxiv_url},
        capture_output=True,
        check=False,
    )
    arxiv.shutdown()
    arxiv.server_close()
    result.figures["arxiv sync s"] = time.perf_counter() - t
    if done.returncode:
        result.notes.append(f"papers sync --source arxiv failed: {done.stderr.decode()[-200:]}")


def cache_stats(cache: Path) -> dict[str, Any]:
    ids: set[str] = set()
    size = files = 0
    oldest: tuple[str, str] | None = None
    for path in cache.rglob("*.json"):
        if "index" in path.relative_to(cache).parts:
            continue
        files += 1
        size += path.stat().st_size
        papers = json.loads(path.read_bytes()).get("papers", [])
        ids.update(p["id"] for p in papers)
        rel = path.relative_to(cache).parts
        if papers and rel[:2] == ("hf", "month") and (oldest is None or rel[2] < oldest[0]):
            oldest = (rel[2], papers[0]["id"])
    return {
        "files": files,
        "json MB": size / 1e6,
        "papers": len(ids),
        "oldest paper": oldest[1] if oldest else None,
    }


def like_some(env: dict[str, str], cache: Path) -> int:
    """Up to 30 likes of cached video-generation papers of the real data (copy 0) and as
    many dislikes of others, with ``papers like`` / ``papers dislike``: the reader of
    --sort for-you (their text comes from the cache: nothing is fetched)."""
    liked: list[str] = []
    other: list[str] = []
    for path in sorted((cache / "hf" / "month").glob("*.json"), reverse=True):
        for paper in json.loads(path.read_bytes())["papers"]:
            found = fakehub.original_id(paper["id"])
            if found is None or found[1] != 0:
                continue
            title = paper["title"].lower()
            (liked if any(w in title for w in LIKED_WORDS) else other).append(paper["id"])
        if len(liked) >= 30 and len(other) >= 30:
            break
    liked, other = liked[:30], other[: max(1, len(liked))]
    for verb, ids in (("like", liked), ("dislike", other)):
        if ids:
            subprocess.run([*PAPERS, verb, *ids], env=env, capture_output=True, check=True)
    return len(liked)


# --- measuring ---------------------------------------------------------------------------


def search_cmd(query: str, *args: str) -> list[str]:
    return [*PAPERS, "search", "--offline", "--json", *args, "--", query]


def rounds(cmds: dict[str, list[str]], env: dict[str, str], repeats: int) -> dict[str, list]:
    """search_bench.measure of each command, in ``repeats`` interleaved rounds."""
    out: dict[str, list[tuple[float, float, int, int]]] = {name: [] for name in cmds}
    for _ in range(repeats):
        for name, cmd in cmds.items():
            out[name].append(search_bench.measure(cmd, env))
    return out


def query_table(
    cache: Path, env: dict[str, str], repeats: int, limit: int
) -> Iterator[dict[str, Any]]:
    """search_bench.QUERIES warm, sorted by date and by upvotes, against ``grep -ril``
    (a thin wrapper over search_bench.measure: search_bench times its queries inside its
    main(), with ``grep -ri -c``; the issue's baseline is ``grep -ril``)."""
    for query, word in search_bench.QUERIES:
        cmds = {
            "date": search_cmd(query, "--limit", str(limit)),
            "upvotes": search_cmd(query, "--limit", str(limit), "--sort", "upvotes"),
            "grep": ["grep", "-ril", word, str(cache)],
        }
        got = rounds(cmds, env, repeats)
        count = ["--format", "ids", "--limit", "100000000", "--no-pager"]  # one id a line
        every = subprocess.run(
            [*PAPERS, "search", "--offline", *count, "--", query],
            env=env,
            capture_output=True,
            check=True,
        ).stdout
        yield {
            "query": query,
            "matches": len(every.split()),
            **{f"{k} s": median([r[0] for r in v]) for k, v in got.items()},
            **{f"{k} MB": max(r[1] for r in v) for k, v in got.items()},
            **{
                f"{k}/grep": median([a[0] / g[0] for a, g in zip(v, got["grep"], strict=True)])
                for k, v in got.items()
                if k != "grep"
            },
        }


def scoring_cost(data: Path, work: Path, repeats: int) -> dict[str, float]:
    """Microseconds per paper of ``Model.score`` over the real papers, in fresh processes
    (median of ``repeats``): the first pass (what one search pays) and a second one."""
    work.mkdir(parents=True, exist_ok=True)
    model = work / "score-model.json"
    base = [sys.executable, "-c", SCORE_CHILD, str(data / "hf_daily_papers_monthly"), str(model)]
    words = "|".join(LIKED_WORDS)
    subprocess.run([*base, words, "train"], check=True)
    runs = []
    for _ in range(repeats):
        out = subprocess.run([*base, words, "score"], capture_output=True, text=True, check=True)
        count, first, second = out.stdout.split()
        runs.append((int(count), float(first), float(second)))
    n = runs[0][0]
    return {
        "papers": n,
        "first us": median([r[1] for r in runs]) / n * 1e6,
        "second us": median([r[2] for r in runs]) / n * 1e6,
        "load": float(load().split(",")[0]),
    }


def measure_size(size: Size, args: Options, data: Path) -> Result:
    result = Result(size)
    home = args.work / (f"home-{size.label}" + ("" if size.months is None else f"-m{size.months}"))
    cache = home / "cache"
    env = {**os.environ, "PAPERS_HOME": str(home), "PAPERS_HF_URL": "http://127.0.0.1:9"}
    env.pop("PAPERS_DEBUG", None)
    kept = home / "results.json"
    if args.keep and kept.exists() and cache.is_dir():
        result.figures.update(json.loads(kept.read_text())["sync"])
        result.notes.append(
            f"cache kept from an earlier run (synced {result.figures['sync date']})"
        )
    else:
        shutil.rmtree(home, ignore_errors=True)
        setup_home(home)
        say(f"{size.label}: syncing {size.copies} copies from {size.since} (load {load()})")
        sync(size, home, data, env, result)
        sync_figures = {k: v for k, v in result.figures.items() if not k.startswith("fakehub st")}
        kept.write_text(json.dumps({"sync": sync_figures}, indent=1))
    say(f"{size.label}: sync {result.figures['sync s']:.1f} s; counting the cache")
    result.figures.update(cache_stats(cache))
    result.figures["liked"] = like_some(env, cache)

    shutil.rmtree(cache / "index", ignore_errors=True)
    cold = search_bench.measure(search_cmd(search_bench.QUERIES[0][0], "--limit", "20"), env)
    index_bytes = sum(p.stat().st_size for p in (cache / "index").rglob("*") if p.is_file())
    result.figures.update(
        {"cold s": cold[0], "cold peak MB": cold[1], "index MB": index_bytes / 1e6}
    )
    say(f"{size.label}: cold search {cold[0]:.1f} s; queries (load {load()})")
    result.queries = list(query_table(cache, env, args.repeats, args.limit))
    if result.figures["oldest paper"]:
        cmd = [*PAPERS, "show", result.figures["oldest paper"], "--offline", "--json"]
        shows = [search_bench.measure(cmd, env) for _ in range(args.repeats)]
        result.figures["show s"] = median([s[0] for s in shows])
        result.figures["show peak MB"] = max(s[1] for s in shows)
    say(f"{size.label}: --sort for-you (load {load()})")
    first = search_bench.measure(search_cmd(FOR_YOU_QUERIES[0], "--sort", "for-you"), env)
    result.figures["for-you first s"] = first[0]  # trains the model and stores it
    for query in FOR_YOU_QUERIES:
        cmds = {
            "for-you": search_cmd(query, "--sort", "for-you", "--limit", str(args.limit)),
            # Reads every match too (and orders them by a cheap rule): what is not scoring.
            "relevance": search_cmd(query, "--sort", "relevance", "--limit", str(args.limit)),
        }
        first = search_bench.measure(cmds["for-you"], env)  # scores every match, keeps them
        got = rounds(cmds, env, args.repeats)
        result.for_you.append(
            {
                "query": query,
                "first s": first[0],
                "s": median([r[0] for r in got["for-you"]]),
                "peak MB": max([first[1], *(r[1] for r in got["for-you"])]),
                "relevance s": median([r[0] for r in got["relevance"]]),
            }
        )
    result.figures["load at end"] = load()
    return result


def say(text: str) -> None:
    print(text, flush=True)


def run(sizes: list[Size], args: Options, data: Path, out: Path, command: str) -> int:
    """Measure every size and write the section; ``data``: the shared data folder (with
    hf_daily_papers_monthly and arxiv_daily_listings)."""
    started = time.perf_counter()
    results: list[Result] = []
    for size in sizes:  # the section is written after each size: a long run keeps them
        results.append(measure_size(size, args, data))
        replace_section(out, TITLE, report(results, command, args.repeats) + "\n\n(in progress)")
    body = report(results, command, args.repeats)
    cost = scoring_cost(data, args.work, args.repeats)
    body += (
        f"\n\nScoring alone (`Model.score`, the model of the harness's reader, stored and loaded "
        f"by a fresh process) over the {cost['papers']:,} real papers: "
        f"**{cost['first us']:.0f} µs a paper** on the first pass (what one search pays: "
        f"the word memos start empty), {cost['second us']:.0f} µs on a second pass; load "
        f"{cost['load']:.1f}. The copies of the history repeat every author and keyword, "
        "so at scale the memos hit more often than on a real history."
    )
    body += f"\n\nThe whole run took {time.perf_counter() - started:.0f} s."
    replace_section(out, TITLE, body)
    print(body)
    print(f"wrote the section {TITLE!r} of {out}")
    return 0


def add_options(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    """The options of a run at scale (``prefix``: how run.py names them)."""
    parser.add_argument(
        f"--{prefix}work",
        type=Path,
        default=DEFAULT_WORK,
        help=f"where the caches go, one home per size (default {DEFAULT_WORK}; never the "
        "repository)",
    )
    parser.add_argument(
        f"--{prefix}months",
        type=int,
        default=None,
        help="sync only the latest N months of the history (a smoke run)",
    )
    parser.add_argument(
        f"--{prefix}keep",
        action="store_true",
        help="reuse a size's cache and sync figures from an earlier run",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="300k,1m", help="300k, 1m or N copies as Nx")
    default_data = os.environ.get("PAPERS_BENCH_DATA", str(fakearxiv.shared_dir() / "data"))
    parser.add_argument("--data", type=Path, default=Path(default_data))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--limit", type=int, default=20, help="--limit of each search")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    add_options(parser)
    args = parser.parse_args(argv)
    sizes = parse_sizes(args.sizes, args.months)
    given = argv if argv is not None else sys.argv[1:]
    command = " ".join(["python benchmarks/scale_bench.py", *given])
    options = Options(args.work, args.repeats, args.limit, args.keep)
    return run(sizes, options, args.data, args.out, command)


if __name__ == "__main__":
    raise SystemExit(main())
