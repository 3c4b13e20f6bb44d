"""Markdown (CommonMark, GitHub, Obsidian): a heading, then a section per paper.

Every character Markdown, GitHub or Obsidian could interpret is backslash-escaped,
so a title can never make a link, an image, emphasis, a tag, math or raw HTML;
links are built from URLs papercli trusts (http(s) only, percent-encoded).
Abstracts (``abstracts=True``) sit HTML-escaped inside one ``<details>`` HTML block.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from papercli.export.common import Group, Meta, base_id, best_link, combine, paragraphs, safe_url
from papercli.models import Paper
from papercli.text import clean

if TYPE_CHECKING:
    import datetime as dt

# Every ASCII punctuation character that Markdown (CommonMark, GFM) or Obsidian can
# give a meaning to anywhere in a line: emphasis, code, links, images, HTML,
# entities, tables, tags, math, highlights, comments, footnotes, emoji shortcodes,
# autolinks (``https:``, ``user@host``).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#|!&$~=%^:@])")
# A dot between word characters (``www.example.com``, ``e.g``) could start a bare link.
_MD_DOT = re.compile(r"(?<=\w)\.(?=\w)")
# Block syntax that only counts at the start of a line: lists, quotes, breaks.
_MD_LINE_START = re.compile(r"^(\d+)([.)])|^([-+>])")


def md_escape(text: object) -> str:
    """One line of remote text that Markdown renders literally (and never as a link)."""
    value = clean(text)
    value = _MD_SPECIAL.sub(r"\\\1", value)
    value = _MD_DOT.sub(r"\\.", value)
    value = _MD_LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", value)
    return value


def _md_link(label: str, url: str | None) -> str | None:
    target = safe_url(url)
    return f"[{label}](<{target}>)" if target else None


def _details_html(summary: str, text: str) -> str:
    """A ``<details>`` HTML block; every line non-blank so the block stays one block."""
    lines = ["<details>", f"<summary>{html.escape(summary)}</summary>"]
    lines += [f"<p>{html.escape(part)}</p>" for part in paragraphs(text)]
    lines.append("</details>")
    return "\n".join(lines)


def _stars(n: int | None) -> str:
    if n is None:
        return ""
    return f" (★ {n / 1000:.1f}k)" if n >= 1000 else f" (★ {n})"


def markdown_entry(
    p: Paper, *, abstracts: bool = False, level: int = 2, rules: Sequence[str] = ()
) -> str:
    title = md_escape(p.title) or "(untitled)"
    link = safe_url(best_link(p))
    mark = "#" * level
    lines = [f"{mark} [{title}](<{link}>)" if link else f"{mark} {title}", ""]
    if p.authors:
        lines.append("- Authors: " + ", ".join(md_escape(a) for a in p.authors))
    if p.organization:
        lines.append(f"- Organization: {md_escape(p.organization)}")
    if p.upvotes is not None:
        lines.append(f"- Upvotes: {p.upvotes}")
    day = p.listed or (p.published or "")[:10]
    if day:
        lines.append(f"- Date: {md_escape(day)}")
    links = [
        _md_link(f"arXiv {md_escape(p.id)}", p.arxiv_url),
        _md_link("PDF", p.pdf_url),
        (lambda c: c + _stars(p.github_stars) if c else None)(_md_link("Code", p.github_url)),
        _md_link("Project page", p.project_page),
    ]
    if p.url and p.url != link:
        links.insert(0, _md_link("Hugging Face", p.url))
    present = [x for x in links if x]
    if not p.is_arxiv:
        present.insert(0, f"id {md_escape(p.id)}")
    if present:
        lines.append("- Links: " + " · ".join(present))
    if len(rules) > 1:
        lines.append("- Watch rules: " + ", ".join(md_escape(r) for r in rules))
    if abstracts and p.abstract:
        lines += ["", _details_html("Abstract", p.abstract)]
    return "\n".join(lines) + "\n"


def to_markdown(papers: Sequence[Paper], meta: Meta, *, abstracts: bool = False) -> str:
    """A heading saying what was listed, then one section per paper."""
    parts = [f"# {md_escape(meta.heading) or 'Papers'}", ""]
    about = []
    if meta.query.strip():
        about.append(f"Query: {md_escape(meta.query)}")
    count = len(papers)
    about.append(f"{count} paper{'s' if count != 1 else ''}")
    parts += [" · ".join(about), ""]
    parts += [markdown_entry(p, abstracts=abstracts) for p in papers]
    return "\n".join(parts).rstrip("\n") + "\n"


def to_markdown_groups(groups: Sequence[Group], meta: Meta, *, abstracts: bool = False) -> str:
    """A heading, then a section per group; each paper in full once, under its first
    group, with a line naming every group that matched it."""
    papers, names = combine(groups)
    count = len(papers)
    parts = [f"# {md_escape(meta.heading) or 'Papers'}", ""]
    parts += [f"{len(groups)} watch rules · {count} paper{'s' if count != 1 else ''}", ""]
    shown: set[str] = set()
    for group in groups:
        parts += [f"## {md_escape(group.name)}", ""]
        here = [p for p in group.papers if base_id(p.id) not in shown]
        earlier = len(group.papers) - len(here)
        about = [f"Query: {md_escape(group.query)}"] if group.query.strip() else []
        n = len(group.papers)
        about.append(f"{n} paper{'s' if n != 1 else ''}")
        if earlier:
            about.append(f"{earlier} listed under an earlier rule")
        parts += [" · ".join(about), ""]
        for p in here:
            if base_id(p.id) in shown:  # the same paper twice in one group
                continue
            shown.add(base_id(p.id))
            rules = names.get(p.id, [])
            parts.append(markdown_entry(p, abstracts=abstracts, level=3, rules=rules))
    return "\n".join(parts).rstrip("\n") + "\n"


# --- the registry's entry points (see papercli.export) ------------------------------------


def render(
    papers: Sequence[Paper], meta: Meta, *, abstracts: bool = False, now: dt.datetime | None = None
) -> str:
    return to_markdown(papers, meta, abstracts=abstracts)


def render_groups(
    groups: Sequence[Group], meta: Meta, *, abstracts: bool = False, now: dt.datetime | None = None
) -> str:
    """More than one group: a section per group; one group: its papers as a listing."""
    if len(groups) > 1:
        return to_markdown_groups(groups, meta, abstracts=abstracts)
    return to_markdown(combine(groups)[0], meta, abstracts=abstracts)
