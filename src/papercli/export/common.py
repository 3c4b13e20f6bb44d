"""What every export format shares: :class:`Meta`, :class:`Group`, trusted links, paragraphs.

Light on purpose (no csv, html, xml, unicodedata; ``uuid`` only when a feed id is
asked for): the mail digest imports :func:`safe_url` from here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from papercli.models import Paper, split_version
from papercli.text import clean, sentence_case, strip_controls

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
    # Per paper id, what a JSON object carries besides the paper (:func:`extras`).
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, listing: Listing) -> Meta:
        return cls(
            heading=sentence_case(listing.heading),  # "the local cache..."
            source=listing.source,
            period=listing.period.key if listing.period is not None else None,
            query=listing.query.text,
            extra=extras(listing),
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


# HTML that remote text carries as markup (arXiv abstracts link with <a href>): these tags
# only. Anything else in angle brackets is text: "<think>", "<EOS>", "<picture of a man>".
_HTML_TAGS = (
    "a|abbr|b|big|blockquote|br|cite|code|del|div|em|font|h[1-6]|hr|i|img|ins|kbd|li|mark|"
    "ol|p|pre|q|s|samp|small|span|strike|strong|sub|sup|table|tbody|td|th|thead|tr|tt|u|ul|var"
)
_TAG = re.compile(rf"</?(?:{_HTML_TAGS})(?=[\s/>])(?:\s[^<>]*)?/?>", re.IGNORECASE)
_BLOCK = re.compile(r"</?(?:blockquote|br|div|h[1-6]|hr|li|ol|p|pre|table|td|th|tr|ul)\b", re.I)
_LINK = re.compile(
    r"<a\s[^<>]*?href\s*=\s*(?:\"([^\"<>]*)\"|'([^'<>]*)')[^<>]*>(.*?)</a\s*>",
    re.IGNORECASE | re.DOTALL,
)
_ARXIV_LINK_TEXT = re.compile(r"^this\s+https?\s+URL$", re.IGNORECASE)


def strip_html(text: str) -> str:
    """``text`` without HTML markup: a link becomes its text and its URL (``this https
    URL`` as arXiv writes it becomes the URL alone), other tags of HTML go, and angle
    brackets that are not HTML (``<think>``, ``<EOS>``) stay as text."""
    if "<" not in text:
        return text
    import html

    def link(match: re.Match[str]) -> str:
        url = html.unescape(match[1] if match[1] is not None else match[2]).strip()
        label = _TAG.sub("", match[3]).strip()
        trailing = label[-1] if label[-1:] in ".,;:" else ""
        label = label[: len(label) - len(trailing)].strip() if trailing else label
        if not label or _ARXIV_LINK_TEXT.match(" ".join(label.split())) or label == url:
            return url + trailing
        return f"{label} ({url}){trailing}"

    def tag(match: re.Match[str]) -> str:  # a block ends a word, an inline tag does not
        return " " if _BLOCK.match(match[0]) else ""

    return _TAG.sub(tag, _LINK.sub(link, text))


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


def extras(listing: Listing) -> dict[str, dict[str, Any]]:
    """What each paper's JSON object carries besides the paper, by id: its ``score`` in
    the reader's order (``--sort for-you``), and in the library's listings the reader's
    own (``library``: rating, rated, saved, tags). ``--json`` and the JSON exports."""
    out: dict[str, dict[str, Any]] = {}
    for p in listing.papers:
        extra: dict[str, Any] = {}
        if listing.scores is not None:
            extra["score"] = listing.scores.get(p.id)
        if listing.marks is not None and p.id in listing.marks:
            extra["library"] = listing.marks[p.id]
        if extra:
            out[p.id] = extra
    return out
