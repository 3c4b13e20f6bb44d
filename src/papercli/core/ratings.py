"""The reader's ratings and library: like, dislike, save (with tags), the library as a
listing, and a cold start from a BibTeX export of the library they already have."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papercli.errors import FetchError, NotFoundError, PapersError, UsageError
from papercli.ids import parse_paper_id
from papercli.models import Paper
from papercli.storage.library import Item, Library, Rating

if TYPE_CHECKING:
    from papercli.core.context import Context

MAX_BIB_BYTES = 200 * 1024 * 1024


def library(ctx: Context) -> Library:
    return Library(ctx.settings.state_dir, ctx.warn)


def stamp(ctx: Context) -> str:
    return dt.datetime.fromtimestamp(ctx.now(), dt.UTC).isoformat(timespec="seconds")


def paper_ids(texts: list[str], ctx: Context | None = None) -> list[str]:
    """Ids (or URLs) as ``papers show`` takes them, without versions, and with a context
    a bare number N for the N-th paper of the last table shown (as ``papers show N``);
    a bad one is a usage error before anything is written."""
    from papercli.core.listing import is_rank, paper_at_rank

    if not texts:
        raise UsageError("Give at least one paper id.")
    ids = []
    for text in texts:
        if ctx is not None and is_rank(text):
            text = paper_at_rank(ctx, int(text))
        ids.append(parse_paper_id(text)[0])
    return list(dict.fromkeys(ids))


def _cached(ctx: Context, ids: list[str]) -> dict[str, Paper]:
    from papercli.core.papers import find_cached

    found = {}
    for paper_id in ids:
        paper = find_cached(ctx, paper_id)
        if paper is not None:
            found[paper_id] = paper
    return found


@dataclass
class Change:
    """What a rating or library command did."""

    ids: list[str]
    changed: int
    not_cached: list[str] = field(default_factory=list)  # text fetched when the model needs it
    titles: dict[str, str] = field(default_factory=dict)  # of the papers known here


def rate(ctx: Context, texts: list[str], rating: Rating | None) -> Change:
    """Like or dislike papers (None: take the rating back). A paper that is not cached
    may be rated; its text is taken from the cache or fetched when the model needs it."""
    ids = paper_ids(texts, ctx)
    known = _cached(ctx, ids)
    if rating is not None:
        known.update(_confirmed(ctx, [i for i in ids if i not in known], "rated"))
    changed = library(ctx).rate(ids, rating, stamp(ctx), known)
    return Change(ids, changed, [i for i in ids if i not in known], _titles(known))


def _confirmed(ctx: Context, ids: list[str], done: str) -> dict[str, Paper]:
    """Papers not cached, looked up (a typo is not a rating, nor a paper to keep): found,
    their text is kept; not found anywhere, an error before anything is written
    (``done``: what was not done, "rated" or "saved"); the services unreachable
    (offline), rated or saved all the same, the text fetched when needed."""
    from papercli.core.papers import show

    found: dict[str, Paper] = {}
    for paper_id in ids:
        try:
            found[paper_id] = show(ctx, paper_id)
        except NotFoundError:
            raise NotFoundError(
                f"Paper {paper_id} was not found on Hugging Face or arXiv; nothing was {done}."
            ) from None
        except FetchError:
            continue
    return found


_TAG = re.compile(r"\w[\w-]*")  # (not "-x": that reads as an option)


def checked_tags(tags: Iterable[str]) -> list[str]:
    """Tags as they are kept (white space around them dropped): each one word of
    letters, digits, "-" and "_", else a usage error. The command line and the
    triage screen both save through this."""
    kept = []
    for tag in tags:
        if not _TAG.fullmatch(tag.strip()):
            raise UsageError(f"Invalid tag {tag!r}: a tag is one word (letters, digits, - and _).")
        kept.append(tag.strip())
    return kept


def save(ctx: Context, texts: list[str], tags: list[str]) -> Change:
    """Save papers to the library (with tags). Saving counts as a like for the model
    unless the paper is disliked."""
    kept = checked_tags(tags)
    ids = paper_ids(texts, ctx)
    known = _cached(ctx, ids)
    known.update(_confirmed(ctx, [i for i in ids if i not in known], "saved"))
    changed = library(ctx).save(ids, kept, stamp(ctx), known)
    return Change(ids, changed, [i for i in ids if i not in known], _titles(known))


def _titles(papers: dict[str, Paper]) -> dict[str, str]:
    return {paper_id: paper.title for paper_id, paper in papers.items()}


def unsave(ctx: Context, texts: list[str]) -> Change:
    ids = paper_ids(texts, ctx)
    return Change(ids, library(ctx).unsave(ids))


def text_of(
    ctx: Context, items: list[Item], *, offline: bool, unknown: set[str] | None = None
) -> dict[str, Paper]:
    """The text of each item: as stored with it, else from the cache, else (online)
    fetched; what had to be looked up is remembered with the item for next time. The
    ids that neither service knows go in ``unknown`` (asking again will not help)."""
    from papercli.core.papers import find_cached_many, show

    out: dict[str, Paper] = {}
    learned: list[Paper] = []
    failed: list[str] = []
    nowhere: list[str] = []
    unfetched: list[str] = []  # offline: not cached, not asked for
    # Looked up in the cache all at once: a BibTeX entry too (the cache's record is
    # richer: upvotes, day...; once found, it is kept in its place).
    cached = find_cached_many(ctx, (i.id for i in items if i.paper is None or i.imported))
    for item in items:
        imported = item.imported
        if item.paper is not None and not imported:
            out[item.id] = item.paper
            continue
        paper = cached.get(item.id)
        if paper is None and imported:
            out[item.id] = item.paper  # type: ignore[assignment]
            continue
        if paper is None and item.unknown:
            continue  # found on neither service before: not asked again
        if paper is None and offline:
            unfetched.append(item.id)
        elif paper is None:
            try:
                paper = show(ctx, item.id)
            except FetchError:
                failed.append(item.id)
            except NotFoundError:
                nowhere.append(item.id)
        if paper is not None:
            out[item.id] = paper
            learned.append(paper)
    try:
        if learned:
            library(ctx).remember(learned)
        library(ctx).found_nowhere(nowhere, stamp(ctx))
    except PapersError as exc:
        ctx.warn(f"Could not remember the papers' text: {exc}")
    if unknown is not None:
        unknown.update(nowhere, (i.id for i in items if i.unknown and i.id not in out))
    for ids, why in (
        (failed, "could not be fetched; left out for now"),
        (unfetched, "not cached (offline); left out for now"),
        (nowhere, "not found on Hugging Face or arXiv; left out (papers unrate ID drops it)"),
    ):
        if ids:
            what = "1 rated paper" if len(ids) == 1 else f"{len(ids)} rated papers"
            head, _, tail = why.partition(";")
            ctx.warn(f"{what} {head} ({', '.join(ids[:3])});{tail}.")
    return out


# -- cold start: a BibTeX export -----------------------------------------------------------
@dataclass
class Imported:
    entries: int
    saved: int  # newly saved or liked
    already: int  # in the library before, liked
    without_id: list[str]  # entry keys (or titles) without an arXiv id
    unreadable: int
    disliked: int = 0  # entries of papers the reader disliked: left as they were


def import_bibtex(ctx: Context, path: Path) -> Imported:
    """Save and like every entry of a BibTeX file that names an arXiv id (eprint, an
    arXiv URL, or a 10.48550/arXiv DOI); the others are counted and named."""
    from papercli.bibfile import parse

    try:
        if not path.is_file():
            raise PapersError(f"{path} is not a file.")
        if path.stat().st_size > MAX_BIB_BYTES:
            raise PapersError(f"{path} is larger than {MAX_BIB_BYTES // 2**20} MB.")
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        raise PapersError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    entries, unreadable = parse(text)
    papers: dict[str, Paper] = {}
    without: list[str] = []
    for entry in entries:
        paper_id = entry.arxiv_id()
        if paper_id is None:
            without.append(entry.key or entry.title)
            continue
        papers[paper_id] = Paper(
            id=paper_id,
            title=entry.title or paper_id,
            authors=entry.authors,
            abstract=entry.abstract,
            ai_keywords=entry.keywords,
            published=(entry.get("year")[:4] or None) if entry.get("year") else None,
            sources=("bibtex",),
        )
    # A paper the reader disliked stays disliked and off the reading list.
    fresh, already, disliked = library(ctx).adopt(papers, stamp(ctx))
    return Imported(len(entries), fresh, already, without, unreadable, disliked)
