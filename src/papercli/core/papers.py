"""Single papers: ``papers show`` (cache first, then Hugging Face, then arXiv), the
cache lookup every feature shares, and which page ``papers open`` opens."""

from __future__ import annotations

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
    sources have it (single-paper files first, then listings, newest first).

    When there is a search index (``search --offline`` and ``sync`` make one), it
    says which listing files can hold the paper and only those are read; the
    answer is the same as reading them all.
    """
    from papercli.storage.index import SearchIndex

    holding = SearchIndex(ctx.cache).files_holding(paper_id)
    found: dict[str, Paper] = {}
    for source in ("hf", "arxiv"):
        entry = ctx.cache.load(source, "paper", paper_id)
        if entry is not None and entry.papers:
            found[source] = entry.papers[0]
    for source, kind in LISTING_KINDS:
        if source in found:
            continue
        if holding is None:
            keys = ctx.cache.keys(source, kind)
        else:  # the files the index names (no walk of a folder of thousands)
            prefix = f"{source}/{kind}/"
            keys = sorted(p[len(prefix) : -len(".json")] for p in holding if p.startswith(prefix))
        for key in reversed(keys):
            entry = ctx.cache.load(source, kind, key)
            match = next((p for p in entry.papers if p.id == paper_id), None) if entry else None
            if match is not None:
                found[source] = match
                break
    if "hf" in found and "arxiv" in found:
        return found["arxiv"].merged_with_hf(found["hf"])
    return found.get("hf") or found.get("arxiv")


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
