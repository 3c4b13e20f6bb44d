"""HTML: one self-contained page, readable on a phone and a desktop, light and dark.

The page carries its own CSS (no JavaScript, no fonts, no remote asset but the
thumbnails Hugging Face gives, linked by their URL). A Content-Security-Policy in the
page itself forbids scripts, frames, forms and every remote resource but images, so a
mistake elsewhere still could not run anything.

Remote text is untrusted: every piece of it is cleaned (control and bidirectional
characters removed) and HTML-escaped, attributes always in double quotes with quotes
escaped; links and images only to http(s) URLs (:func:`~papercli.export.common.safe_url`).
Each abstract sits in a ``<details>`` element, always (``abstracts`` changes nothing).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from papercli.export.common import Group, Meta, base_id, best_link, combine, paragraphs, safe_url
from papercli.models import Paper
from papercli.text import clean

if TYPE_CHECKING:
    import datetime as dt

MAX_AUTHORS = 10  # more: the rest behind a "N more" disclosure

# Light colours first; dark ones when the reader's system prefers them. Sizes in rem and
# %, long words broken anywhere, so nothing scrolls sideways on a 320-pixel phone.
CSS = """\
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#57606a;--line:#d0d7de;\
--link:#0550ae;--chip:#f3f4f6;--accent:#9a3412}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;\
--line:#30363d;--link:#6cb6ff;--chip:#161b22;--accent:#f0883e}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.55 system-ui,-apple-system,\
"Segoe UI",Roboto,"Noto Sans",Helvetica,Arial,sans-serif;overflow-wrap:anywhere}
main{max-width:52rem;margin:0 auto;padding:1.5rem 1rem 3rem}
a{color:var(--link);text-decoration-thickness:1px;text-underline-offset:2px}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 .25rem}
h2.rule{font-size:1.3rem;margin:2.5rem 0 .25rem}
.about{color:var(--muted);margin:0 0 1rem}
article{display:flow-root;border-top:1px solid var(--line);padding:1rem 0}
article h2,article h3{font-size:1.1rem;line-height:1.35;margin:0 0 .3rem}
article h2 a,article h3 a{text-decoration:none}
article h2 a:hover,article h3 a:hover{text-decoration:underline}
.thumb{float:right;width:10rem;max-width:32%;height:auto;margin:.2rem 0 .5rem 1rem;\
border:1px solid var(--line);border-radius:6px;background:var(--chip)}
.authors,.facts,.rules{margin:0 0 .3rem;font-size:.93rem}
.facts,.rules{color:var(--muted)}
.facts b{color:var(--accent);font-weight:600}
.tldr{margin:.4rem 0}
.tldr b{font-size:.75rem;letter-spacing:.04em;color:var(--muted);margin-right:.35rem}
.links{margin:.3rem 0;font-size:.9rem}
.links a{display:inline-block;margin:0 .9rem .2rem 0}
details{margin:.4rem 0 0}
summary{cursor:pointer;color:var(--muted);font-size:.93rem}
details p{margin:.5rem 0}
details.more{display:inline}
details.more summary{display:inline;color:var(--link)}
footer{color:var(--muted);font-size:.85rem;border-top:1px solid var(--line);padding-top:1rem}
@media (max-width:30rem){main{padding:1rem .85rem 2rem}h1{font-size:1.35rem}\
.thumb{width:6.5rem}}
"""

# The page may load images (the thumbnails) and use its own <style>; nothing else.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: http:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _e(text: object) -> str:
    """Remote text as HTML text or a double-quoted attribute value."""
    return html.escape(clean(text), quote=True)


def _link(label: str, url: str | None) -> str | None:
    target = safe_url(url)
    return f'<a href="{html.escape(target, quote=True)}">{label}</a>' if target else None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _stars(n: int | None) -> str:
    if n is None:
        return ""
    return f" ★ {n / 1000:.1f}k" if n >= 1000 else f" ★ {n}"


def _authors(p: Paper) -> str:
    names = [_e(a) for a in p.authors if clean(a)]
    if len(names) <= MAX_AUTHORS:
        return ", ".join(names)
    rest = names[MAX_AUTHORS:]
    return (
        ", ".join(names[:MAX_AUTHORS])
        + f' <details class="more"><summary>and {len(rest)} more</summary>, '
        + ", ".join(rest)
        + "</details>"
    )


def _thumbnail(p: Paper) -> str:
    src = safe_url(p.thumbnail)
    if not src:
        return ""
    # Decorative (the title is beside it): an empty alt, so that a screen reader does
    # not read the title twice, and a blocked image shows no text in its box.
    return (
        f'<img class="thumb" src="{html.escape(src, quote=True)}" alt="" '
        'width="160" height="86" loading="lazy" referrerpolicy="no-referrer">'
    )


def entry(p: Paper, *, level: int = 2, rules: Sequence[str] = ()) -> str:
    """One paper as an ``<article>``: thumbnail, title, authors, facts, links, abstract."""
    title = _e(p.title) or "(untitled)"
    linked = _link(title, best_link(p)) or title
    out = ["<article>", _thumbnail(p), f"<h{level}>{linked}</h{level}>"]
    if p.authors:
        out.append(f'<div class="authors">{_authors(p)}</div>')
    facts = []
    if p.upvotes is not None:
        facts.append(f"<b>▲ {p.upvotes}</b> {'upvote' if p.upvotes == 1 else 'upvotes'}")
    if p.comments:
        facts.append(_plural(p.comments, "comment"))
    if p.organization and clean(p.organization):
        facts.append(_e(p.organization))
    day = p.listed or (p.published or "")[:10]
    if day:
        facts.append(_e(day))
    facts.append(f"arXiv {_e(p.id)}" if p.is_arxiv else f"id {_e(p.id)}")
    out.append(f'<p class="facts">{" · ".join(facts)}</p>')
    if p.ai_summary and clean(p.ai_summary):
        out.append(f'<p class="tldr"><b>TL;DR</b>{_e(p.ai_summary)}</p>')
    links = [
        _link("Hugging Face", p.url) if p.url and p.url != best_link(p) else None,
        _link("arXiv", p.arxiv_url),
        _link("PDF", p.pdf_url),
        _link(f"Code{_stars(p.github_stars)}", p.github_url),
        _link("Project page", p.project_page),
    ]
    present = [x for x in links if x]
    if present:
        out.append(f'<p class="links">{"".join(present)}</p>')
    if len(rules) > 1:
        out.append(f'<p class="rules">Watch rules: {", ".join(_e(r) for r in rules)}</p>')
    parts = paragraphs(p.abstract) if p.abstract else []
    if parts:
        out.append("<details><summary>Abstract</summary>")
        out += [f"<p>{html.escape(part, quote=True)}</p>" for part in parts]
        out.append("</details>")
    out.append("</article>")
    return "\n".join(x for x in out if x)


def _page(title: str, body: list[str], now: dt.datetime | None) -> str:
    when = f" on {now.strftime('%Y-%m-%d %H:%M %Z').strip()}" if now is not None else ""
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="generator" content="papercli">',
        f"<title>{title}</title>",
        f"<style>\n{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    tail = [f"<footer>Written by papercli{_e(when)}.</footer>", "</main>", "</body>", "</html>"]
    return "\n".join(head + body + tail) + "\n"


def _header(meta: Meta, about: list[str]) -> list[str]:
    heading = _e(meta.heading) or "Papers"
    return [
        "<header>",
        f"<h1>{heading}</h1>",
        f'<p class="about">{" · ".join(about)}</p>',
        "</header>",
    ]


def to_html(papers: Sequence[Paper], meta: Meta, *, now: dt.datetime | None = None) -> str:
    """A heading saying what was listed, then one article per paper."""
    about = [f"Query: {_e(meta.query)}"] if meta.query.strip() else []
    about.append(_plural(len(papers), "paper"))
    body = _header(meta, about) + [entry(p) for p in papers]
    return _page(_e(meta.heading) or "Papers", body, now)


def to_html_groups(groups: Sequence[Group], meta: Meta, *, now: dt.datetime | None = None) -> str:
    """A heading, then a section per group; each paper once, under its first group, with
    a line naming every group that matched it."""
    papers, names = combine(groups)
    body = _header(meta, [_plural(len(groups), "watch rule"), _plural(len(papers), "paper")])
    shown: set[str] = set()
    for group in groups:
        here = []
        for p in group.papers:
            if base_id(p.id) not in shown:
                shown.add(base_id(p.id))
                here.append(p)
        earlier = len(group.papers) - len(here)
        about = [f"Query: {_e(group.query)}"] if group.query.strip() else []
        about.append(_plural(len(group.papers), "paper"))
        if earlier:
            about.append(f"{earlier} listed under an earlier rule")
        body += ["<section>", f'<h2 class="rule">{_e(group.name)}</h2>']
        body.append(f'<p class="about">{" · ".join(about)}</p>')
        body += [entry(p, level=3, rules=names.get(p.id, [])) for p in here]
        body.append("</section>")
    return _page(_e(meta.heading) or "Papers", body, now)


# --- the registry's entry points (see papercli.export) ------------------------------------


def render(
    papers: Sequence[Paper], meta: Meta, *, abstracts: bool = False, now: dt.datetime | None = None
) -> str:
    return to_html(papers, meta, now=now)


def render_groups(
    groups: Sequence[Group], meta: Meta, *, abstracts: bool = False, now: dt.datetime | None = None
) -> str:
    """More than one group: a section per group; one group: its papers as a listing."""
    if len(groups) > 1:
        return to_html_groups(groups, meta, now=now)
    return to_html(combine(groups)[0], meta, now=now)
