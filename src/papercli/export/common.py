"""What every export format shares: :class:`Meta`, :class:`Group`, trusted links, paragraphs.

Light on purpose (no csv, html, xml, unicodedata; ``uuid`` only when a feed id is
asked for): the mail digest imports :func:`safe_url` from here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from papercli.models import Paper, split_version
from papercli.text import clean, strip_controls

if TYPE_CHECKING:
    from papercli.core.listing import Listing


@dataclass(frozen=True, slots=True)
class Meta:
    """What was listed: the heading (source and period), the query, the feed identity;
    and the reader's choices for a document: BibTeX's encoding (``latex`` for pdflatex,
    ``utf8``) and the feed's public URL (Atom's ``rel="self"`` link)."""

    heading: str
    source: str = ""
    period: str | None = None
    query: str = ""
    bib_encoding: str = "latex"
    feed_url: str | None = None

    @classmethod
    def of(cls, listing: Listing) -> Meta:
        return cls(
            heading=_sentence_case(listing.heading),  # "the local cache..."
            source=listing.source,
            period=listing.period.key if listing.period is not None else None,
            query=listing.query.text,
        )

    @property
    def feed_id(self) -> str:
        """Stable across runs: the same source and query give the same feed id."""
        import uuid

        parts = ["papercli", self.source, " ".join(self.query.split())]
        if self.period is None:  # a search or a watch: its heading names it
            parts.append(self.heading)
        return uuid.uuid5(uuid.NAMESPACE_URL, ":".join(parts)).urn


@dataclass(frozen=True, slots=True)
class Group:
    """One part of a combined export: a watch rule, its query and the papers it matched."""

    name: str
    query: str
    papers: tuple[Paper, ...]


def best_link(p: Paper) -> str | None:
    """The page a title links to: Hugging Face when known, else arXiv, else the project."""
    return p.url or p.arxiv_url or safe_url(p.project_page)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit to put in a link (percent-encoded), or None."""
    if not url:
        return None
    url = clean(url)
    if not re.match(r"^https?://[^\s/?#]+", url, re.IGNORECASE):
        return None
    return quote(url, safe="/:?#@!$&'*+,;=%-._~")


def paragraphs(text: str) -> list[str]:
    """The non-empty paragraphs of ``text`` (split at blank lines), each cleaned to one line."""
    parts = re.split(r"\n\s*\n", strip_controls(text))
    return [c for c in (clean(part) for part in parts) if c]


def base_id(paper_id: str) -> str:
    """The id without its version: the same paper in two groups counts once."""
    return split_version(paper_id.strip())[0]


def combine(groups: Sequence[Group]) -> tuple[list[Paper], dict[str, list[str]]]:
    """Every paper once (by id without version), in the order of the groups and then of
    each group's papers, and for each kept paper's id the names of the groups it is in."""
    papers: list[Paper] = []
    names: dict[str, list[str]] = {}
    first: dict[str, str] = {}  # base id -> the id of the paper kept
    for group in groups:
        for p in group.papers:
            key = base_id(p.id)
            if key not in first:
                first[key] = p.id
                papers.append(p)
            kept = names.setdefault(first[key], [])
            if group.name not in kept:
                kept.append(group.name)
    return papers, names


def _sentence_case(heading: str) -> str:
    """The heading with a capital first letter, except names spelled in lower case
    ("arXiv cs.LG, 2025-07-15" stays as it is)."""
    if heading.startswith("arXiv"):
        return heading
    return heading[:1].upper() + heading[1:]
