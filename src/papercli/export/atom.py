"""Atom 1.0: a feed with an entry per paper, built with ElementTree (XML-escaped).

Characters XML 1.0 forbids are removed, and so is HTML markup in the text fields
(:func:`~papercli.export.common.strip_html`: a link becomes its text and URL), so a
reader shows the same plain text for every title, name and summary. Ids are stable:
the feed's comes from the source and query (:attr:`Meta.feed_id
<papercli.export.common.Meta.feed_id>`), an entry's is the arXiv abstract URL or a UUID
derived from the paper id. With :attr:`Meta.feed_url` the feed links to itself
(``rel="self"``). Times are the papers' own (:func:`entry_times`), never later than
the time the feed is written.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence

from papercli.export.common import (
    Group,
    Meta,
    best_link,
    combine,
    paragraphs,
    safe_url,
    strip_html,
)
from papercli.models import Paper
from papercli.text import clean

ATOM_NS = "http://www.w3.org/2005/Atom"
WATCH_SCHEME = "urn:papercli:watch"  # the scheme of the categories naming watch rules
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: object, *, one_line: bool = True, markup: bool = False) -> str:
    """Text for an Atom text construct: no character XML forbids; remote text
    (``markup``) also without its HTML markup."""
    plain = strip_html(str(text or "")) if markup else str(text or "")
    value = clean(plain) if one_line else "\n\n".join(paragraphs(plain))
    return _XML_INVALID.sub("", value)


def _rfc3339(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_times(
    p: Paper, now: dt.datetime | None = None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(published, updated): the paper's own time (its arXiv date and time, or Hugging
    Face's), so a reader orders the entries of a day as the papers came; without one,
    the day it was listed (midnight UTC). A time after ``now`` (the records have such
    dates) is not the paper's: then the listing day, and never later than ``now``."""
    published = _rfc3339(p.published)
    if published is not None and now is not None and published > now:
        published = None
    listed = _rfc3339(p.listed[:10] + "T00:00:00+00:00") if p.listed else None
    updated = published or listed
    if updated is not None and now is not None:
        updated = min(updated, now)
    return published, updated


def entry_id(p: Paper) -> str:
    """Stable: the arXiv abstract URL, or a UUID derived from the id."""
    return p.arxiv_url or uuid.uuid5(uuid.NAMESPACE_URL, f"papercli:paper:{p.id}").urn


def to_atom(
    papers: Sequence[Paper],
    meta: Meta,
    *,
    now: dt.datetime | None = None,
    rules: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """An Atom 1.0 feed; ``updated`` of the feed is the newest entry's (else ``now``),
    never later than ``now`` (the time it is written).

    ``rules`` (paper id -> watch rule names) adds a category per rule to the entries.
    """
    import xml.etree.ElementTree as ET

    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    title = _xml_text(meta.heading) or "Papers"
    if meta.query.strip():
        title += f" ({_xml_text(meta.query)})"
    sub(feed, "title", title)
    sub(feed, "id", meta.feed_id)
    self_url = safe_url(meta.feed_url)
    if self_url:
        sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    entries: list[tuple[Paper, dt.datetime]] = []
    seen: set[str] = set()
    for p in papers:  # an entry id appears once per feed
        if entry_id(p) in seen:
            continue
        seen.add(entry_id(p))
        _published, updated = entry_times(p, now)
        entries.append((p, updated or now))
    newest = max((u for _, u in entries), default=now)
    sub(feed, "updated", _stamp(newest))
    author = sub(feed, "author")
    sub(author, "name", "papercli")
    sub(feed, "generator", "papercli")
    for p, updated in entries:
        published, _ = entry_times(p, now)
        entry = sub(feed, "entry")
        sub(entry, "id", entry_id(p))
        sub(entry, "title", _xml_text(p.title, markup=True) or "(untitled)", type="text")
        sub(entry, "updated", _stamp(updated))
        if published is not None:
            sub(entry, "published", _stamp(published))
        for name in p.authors:
            if _xml_text(name, markup=True):
                sub(sub(entry, "author"), "name", _xml_text(name, markup=True))
        main = safe_url(best_link(p))
        if main:
            sub(entry, "link", rel="alternate", type="text/html", href=main)
        related = [
            (safe_url(p.arxiv_url) if p.arxiv_url != best_link(p) else None, "text/html", "arXiv"),
            (safe_url(p.pdf_url), "application/pdf", "PDF"),
            (safe_url(p.github_url), "text/html", "Code"),
            (safe_url(p.project_page) if p.project_page != best_link(p) else None, "", "Project"),
        ]
        for href, kind, label in related:
            if href:
                attrs = {"rel": "related", "href": href, "title": label}
                if kind:
                    attrs["type"] = kind
                sub(entry, "link", **attrs)
        for category in p.categories:
            if _xml_text(category):
                sub(entry, "category", term=_xml_text(category))
        for rule in (rules or {}).get(p.id, ()):
            sub(entry, "category", term=_xml_text(rule), scheme=WATCH_SCHEME, label=f"watch {rule}")
        summary = _xml_text(p.abstract, one_line=False, markup=True)
        if summary:
            sub(entry, "summary", summary, type="text")
    ET.indent(feed)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


# --- the registry's entry points (see papercli.export) ------------------------------------


def render(
    papers: Sequence[Paper], meta: Meta, *, abstracts: bool = False, now: dt.datetime | None = None
) -> str:
    return to_atom(papers, meta, now=now)


def render_groups(
    groups: Sequence[Group], meta: Meta, *, abstracts: bool = False, now: dt.datetime | None = None
) -> str:
    """Every paper once, with a category per group that matched it."""
    papers, names = combine(groups)
    return to_atom(papers, meta, now=now, rules=names)
