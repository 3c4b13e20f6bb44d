"""How long each export format takes for a large listing (pure functions, no I/O).

    python benchmarks/export_formats.py [--papers 10000]

Papers are synthetic but shaped like real ones (12 authors, a 1,500-character
abstract, links, categories), with some Markdown/LaTeX specials in the titles.
"""

from __future__ import annotations

import argparse
import time

from papercli import export
from papercli.models import Paper


def papers(n: int) -> list[Paper]:
    abstract = ("We study mini-batch training of large models & report {results} at 100%. " * 20)[
        :1500
    ]
    return [
        Paper(
            id=f"25{i % 12 + 1:02d}.{i:05d}",
            title=f"Scaling *Mini-Batch* [Optimisation] for LLMs_{i}: $O(n)$ & more",
            authors=tuple(f"Author{j} Lastname{i % 97}" for j in range(12)),
            abstract=abstract,
            published="2025-07-15T17:59:46.000Z",
            listed="2025-07-15",
            upvotes=i % 300,
            organization="Example Lab",
            github_url=f"https://github.com/example/repo{i}",
            github_stars=i,
            categories=("cs.LG", "cs.CL"),
            sources=("hf",),
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=10_000)
    args = parser.parse_args()
    listing = papers(args.papers)
    meta = export.Meta("Hugging Face Daily Papers, 2025-07", "hf", "2025-07", "mini-batch")
    for fmt in export.names():
        for abstracts in (False, True) if fmt == "md" else (False,):
            start = time.perf_counter()
            text = export.render(fmt, listing, meta, abstracts=abstracts)
            took = time.perf_counter() - start
            label = fmt + (" --abstracts" if abstracts else "")
            size = len(text) / 1e6
            print(f"{label:16} {took * 1000:8.0f} ms  {size:6.1f} MB  {len(listing)} papers")


if __name__ == "__main__":
    main()
