"""``papers import FILE.bib`` on a Zotero-sized library: 5,000 Better BibTeX-style
entries built from real Hugging Face papers (title, authors, abstract, keywords,
eprint or arXiv URL or DOI), plus entries without an arXiv id; the whole command is
timed in a fresh process, start-up included.

Then, with the real Hugging Face months in the cache (as ``papers sync`` leaves them,
without and then with the search index): ``papers library --limit 20`` twice (the
first looks every imported paper up in the cache, and keeps what it finds in place
of the BibTeX entry) and ``papers list --month 2025-07 --sort for-you --limit 5``
(trains the model on the imported likes).

    python benchmarks/import_bench.py [--data ../shared/data] [--entries 5000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from papercli.sources.hf import parse_daily

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data"


def entry(n: int, p: object) -> str:
    title = getattr(p, "title", "").replace("{", "").replace("}", "")
    authors = " and ".join(
        f"{a.split()[-1]}, {' '.join(a.split()[:-1])}" for a in getattr(p, "authors", ())[:8] if a
    )
    abstract = getattr(p, "abstract", "").replace("{", "").replace("}", "")
    pid = getattr(p, "id", "")
    link = (
        f"  eprint = {{{pid}}},\n  archivePrefix = {{arXiv}},\n",
        f"  url = {{https://arxiv.org/abs/{pid}v1}},\n",
        f"  doi = {{10.48550/arXiv.{pid}}},\n",
    )[n % 3]
    return (
        f"@article{{key{n},\n  title = {{{title}}},\n  author = {{{authors}}},\n"
        f"  abstract = {{{abstract}}},\n  year = {{2024}},\n{link}"
        f"  keywords = {{{', '.join(getattr(p, 'ai_keywords', ())[:5])}}},\n}}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--entries", type=int, default=5000)
    args = parser.parse_args(argv)
    papers = []
    for path in sorted((args.data / "hf_daily_papers_monthly").glob("daily_papers_*.json")):
        papers += parse_daily(path.read_bytes())
        if len(papers) >= args.entries:
            break
    papers = papers[: args.entries]
    with tempfile.TemporaryDirectory() as folder:
        bib = Path(folder) / "library.bib"
        text = "".join(entry(n, p) for n, p in enumerate(papers))
        text += "".join(f"@book{{book{n},\n  title = {{A book {n}}},\n}}\n" for n in range(100))
        bib.write_text(text, encoding="utf-8")
        env = {**os.environ, "PAPERS_HOME": str(Path(folder) / "home")}
        papers_cmd = str(Path(sys.executable).parent / "papers")
        start = time.perf_counter()
        result = subprocess.run(
            [papers_cmd, "import", str(bib)], env=env, capture_output=True, text=True
        )
        seconds = time.perf_counter() - start
        size = bib.stat().st_size / 1e6
        print(
            f"`papers import` of {len(papers):,} entries with arXiv ids (+100 without), "
            f"{size:.1f} MB: {seconds:.2f} s "
            f"(exit {result.returncode}; {result.stderr.strip().splitlines()[0]})"
        )
        if result.returncode:
            return result.returncode
        return after_import(args.data, env, papers_cmd)


def after_import(data: Path, env: dict[str, str], papers_cmd: str) -> int:
    """The commands that read the imported library, with the real months cached."""
    from papercli import config
    from papercli.storage.cache import Cache

    os.environ["PAPERS_HOME"] = env["PAPERS_HOME"]
    cache = Cache(config.load().cache_dir)
    months = sorted((data / "hf_daily_papers_monthly").glob("daily_papers_*.json"))
    for path in months:
        month = path.stem.removeprefix("daily_papers_")
        cache.save("hf", "month", month, parse_daily(path.read_bytes()), fetched_at=time.time())
    commands = {
        "papers library --limit 20": ["library", "--limit", "20", "--offline"],
        "again": ["library", "--limit", "20", "--offline"],
        "papers list --month 2025-07 --sort for-you --limit 5": [
            "list", "--month", "2025-07", "--sort", "for-you", "--limit", "5", "--offline",
        ],
    }  # fmt: skip
    for index in (False, True):
        if index:  # the search index, as papers sync leaves it
            subprocess.run([papers_cmd, "search", "--offline", "x"], env=env, capture_output=True)
        for name, argv in commands.items():
            start = time.perf_counter()
            done = subprocess.run([papers_cmd, *argv], env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            where = "with the index" if index else "no index"
            print(f"  {name} ({len(months)} months cached, {where}): {seconds:.2f} s")
            if done.returncode:
                print(done.stderr)
                return done.returncode
        if not index:  # the same again from a fresh import: the BibTeX entries only
            shutil.rmtree(config.load().state_dir)
            bib = Path(env["PAPERS_HOME"]).parent / "library.bib"
            subprocess.run([papers_cmd, "import", str(bib)], env=env, capture_output=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
