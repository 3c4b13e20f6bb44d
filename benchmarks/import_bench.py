"""``papers import FILE.bib`` on a Zotero-sized library: 5,000 Better BibTeX-style
entries built from real Hugging Face papers (title, authors, abstract, keywords,
eprint or arXiv URL or DOI), plus entries without an arXiv id; the whole command is
timed in a fresh process, start-up included.

    python benchmarks/import_bench.py [--data ../shared/data] [--entries 5000]
"""

from __future__ import annotations

import argparse
import os
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
    print(
        f"`papers import` of {len(papers):,} entries with arXiv ids (+100 without), "
        f"{bib.stat().st_size / 1e6 if bib.exists() else len(text) / 1e6:.1f} MB: "
        f"{seconds:.2f} s (exit {result.returncode}; {result.stderr.strip().splitlines()[0]})"
    )
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
