"""Grow a papercli cache to a million papers by copying its Hugging Face month files.

``search_bench.py`` builds its cache with ``papers sync`` from ``fakehub.py`` (the real
code path), which takes minutes per hundred thousand papers. For runs at a million
papers this copies an existing cache (one ``search_bench.py --scale 40`` made) and
adds renamed copies of its Hugging Face month files until the cache holds
``--papers`` papers: copy g of a month file moves every date 111 * g years back (the
scaled cache spans 1915-2025, so each copy has its own months) and gives every paper
a new id (``AABB.NNNNN`` becomes ``AABB.gNNNNN``). The text is the same; only the
ids and dates differ. arXiv files are copied as they are.

Usage::

    python benchmarks/grow_cache.py --source /tmp/idx300k/home-x40 --target /tmp/idx1m \\
        --papers 1000000
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

YEARS = 111
_ID = re.compile(rb'"id":"(\d{4})\.(\d{4,5})"')
_DATE = re.compile(rb'"(listed|published|key)":"(\d{4})-')


def grown(raw: bytes, g: int) -> bytes:
    """Copy ``g`` of a month file's text: new ids, every date ``YEARS * g`` years back."""
    raw = _ID.sub(lambda m: b'"id":"%s.%d%s"' % (m.group(1), g, m.group(2)), raw)
    return _DATE.sub(lambda m: b'"%s":"%04d-' % (m.group(1), int(m.group(2)) - YEARS * g), raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="a PAPERS_HOME with a cache")
    parser.add_argument("--target", type=Path, required=True, help="the new PAPERS_HOME")
    parser.add_argument("--papers", type=int, default=1_000_000)
    args = parser.parse_args()
    source, target = args.source / "cache", args.target / "cache"
    if target.exists():
        sys.exit(f"{target} exists")
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("index"))
    for name in ("config.toml",):
        if (args.source / name).is_file():
            shutil.copy(args.source / name, args.target / name)
    months = sorted((source / "hf" / "month").glob("*.json"))
    total = sum(len(json.loads(p.read_bytes())["papers"]) for p in target.rglob("*.json"))
    g = 0
    while total < args.papers:
        g += 1
        for path in months:
            raw = grown(path.read_bytes(), g)
            year = int(path.stem[:4]) - YEARS * g
            if year < 1000:
                sys.exit("too many copies for four-digit years")
            (target / "hf" / "month" / f"{year:04d}{path.stem[4:]}.json").write_bytes(raw)
            total += raw.count(b'"id":"')
            if total >= args.papers:
                break
    files = sum(1 for _ in target.rglob("*.json"))
    size = sum(p.stat().st_size for p in target.rglob("*.json"))
    print(f"{target}: {files} files, {size / 1e6:.0f} MB, about {total} papers ({g} copies)")


if __name__ == "__main__":
    main()
