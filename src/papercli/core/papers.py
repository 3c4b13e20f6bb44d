"""Single papers: ``papers show`` (cache first, then Hugging Face, then arXiv), the
cache lookup every feature shares, and which page ``papers open`` opens."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from papercli.errors import FetchError, NotFoundError
from papercli.ids import parse_paper_id
from papercli.models import Paper

if TYPE_CHECKING:
    from papercli.core.context import Context

# Where a paper can be cached, in the order a lookup reads them (newest key first).
LISTING_KINDS = (("hf", "day"), ("hf", "week"), ("hf", "month"), ("arxiv", "rss"), ("arxiv", "api"))


def find_cached(ctx: Context, paper_id: str) -> Paper | None:
    """The cached paper, its arXiv record carrying its Hugging Face signals when both
    sources have it (single-paper files first, then listings, newest first)."""
    return find_cached_many(ctx, [paper_id]).get(paper_id)


def find_cached_many(ctx: Context, paper_ids: Iterable[str]) -> dict[str, Paper]:
    """:func:`find_cached` of each id that the cache holds, every file read once at most
    (a library of thousands of imported papers is one pass over the cache, not one per
    paper).

    When there is a search index (``search --offline`` and ``sync`` make one), it
    says which listing files can hold the papers and only those are read; the
    answer is the same as reading them all.
    """
    from papercli.storage.index import files_holding

    wanted = set(paper_ids)
    if not wanted:
        return {}
    holding = files_holding(ctx.cache, wanted)
    found: dict[str, dict[str, Paper]] = {pid: {} for pid in wanted}
    for source in ("hf", "arxiv"):
        for paper_id in wanted:
            entry = ctx.cache.load(source, "paper", paper_id)
            if entry is not None and entry.papers:
                found[paper_id][source] = entry.papers[0]
    for source, kind in LISTING_KINDS:
        need = {pid for pid in wanted if source not in found[pid]}
        if not need:
            continue
        if holding is None:
            keys = ctx.cache.keys(source, kind)
        else:  # the files the index names (no walk of a folder of thousands)
            prefix = f"{source}/{kind}/"
            keys = sorted(p[len(prefix) : -len(".json")] for p in holding if p.startswith(prefix))
        for key in reversed(keys):  # newest first: the first match of an id is kept
            entry = ctx.cache.load(source, kind, key)
            for paper in entry.papers if entry else ():
                if paper.id in need:
                    found[paper.id][source] = paper
                    need.discard(paper.id)
            if not need:
                break
    out = {}
    for paper_id, sources in found.items():
        if "hf" in sources and "arxiv" in sources:
            out[paper_id] = sources["arxiv"].merged_with_hf(sources["hf"])
        elif sources:
            out[paper_id] = sources.get("hf") or sources["arxiv"]
    return out


def known_only_from_arxiv(ctx: Context, text: str) -> bool:
    """True when the cache knows the paper, but only from arXiv (no Hugging Face page)."""
    paper_id, _version = parse_paper_id(text)
    cached = find_cached(ctx, paper_id)
    return cached is not None and "hf" not in cached.sources


def _with_hf_signals(ctx: Context, paper: Paper) -> Paper:
    """An arXiv-only paper, with its Hugging Face signals when Hugging Face has it."""
    fetched = ctx.cache.load("arxiv", "paper", paper.id)
    if fetched is not None and fetched.age_seconds(ctx.now()) < ctx.settings.ttl_seconds:
        return paper  # fetched from arXiv just now, after Hugging Face said 404
    try:
        signals = ctx.hf.paper(paper.id)
    except (NotFoundError, FetchError):
        return paper
    ctx.cache.save("hf", "paper", paper.id, [signals], fetched_at=ctx.now())
    return paper.merged_with_hf(signals)


def show(ctx: Context, text: str, *, offline: bool = False, refresh: bool = False) -> Paper:
    """One paper in full, by id or URL."""
    paper_id, version = parse_paper_id(text)
    if offline or not refresh:  # --offline wins over --refresh
        cached = find_cached(ctx, paper_id)
        if cached is not None:
            if "hf" in cached.sources or offline:
                return cached
            return _with_hf_signals(ctx, cached)
    if offline:
        raise NotFoundError(f"Paper {paper_id} is not in the cache (offline).")
    try:
        try:
            paper = ctx.hf.paper(paper_id)
        except NotFoundError:
            from papercli.core import arxiv  # the arXiv use cases: only to fetch

            return arxiv.paper(ctx, paper_id, version)
    except (FetchError, NotFoundError) as exc:
        cached = find_cached(ctx, paper_id) if refresh else None
        if cached is None:
            raise
        ctx.warn(f"{exc} Showing the cached copy of paper {paper_id}.")
        return cached
    ctx.cache.save("hf", "paper", paper_id, [paper], fetched_at=ctx.now())
    return paper
