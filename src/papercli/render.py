"""Rich renderables for papers. Remote text enters only as ``rich.text.Text``, cleaned first.

Nothing here chooses where output goes or touches the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from papercli.models import Paper
from papercli.text import clean

if TYPE_CHECKING:
    from rich.console import RenderableType

    from papercli.query import Query

HIGHLIGHT = "bold yellow"
BADGES = {"cross": "cross", "replace": "repl", "replace-cross": "repl"}


def _safe(text: str | None) -> Text:
    return Text(clean(text or ""))


def highlighted(text: str, query: Query | None, field: str = "title") -> Text:
    """``text`` cleaned, with the query's matches styled."""
    value = clean(text)
    out = Text(value)
    if query is not None and not query.is_empty:
        for start, end in query.highlight_spans(value, field):
            out.stylize(HIGHLIGHT, start, end)
    return out


def authors_short(authors: tuple[str, ...]) -> str:
    if not authors:
        return ""
    first = clean(authors[0])
    return f"{first} +{len(authors) - 1}" if len(authors) > 1 else first


def stars(n: int | None) -> str:
    if n is None:
        return ""
    if n >= 1000:
        return f"{n / 1000:.1f}k"
    return str(n)


def code_cell(p: Paper) -> Text:
    if not p.github_url:
        return Text("")
    count = stars(p.github_stars)
    return Text(f"★ {count}" if count else "code", style="green")


def papers_table(
    papers: list[Paper], query: Query | None = None, *, width: int = 80
) -> RenderableType:
    """The listing table: rank, upvotes, title, authors, organization, id, code.

    Narrow terminals drop the organization and id columns before the title
    shrinks; the title column always keeps at least a third of the width.
    """
    from rich import box
    from rich.table import Table

    wide = width >= 110
    # A listing from arXiv alone has no upvotes, organizations or code: show the
    # primary category instead of three empty columns.
    signals = not papers or any("hf" in p.sources for p in papers)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=False, show_edge=False)
    table.add_column("#", justify="right", no_wrap=True, style="dim")
    if signals:
        table.add_column("▲", justify="right", no_wrap=True)
    table.add_column("Title", ratio=1, min_width=max(24, width // 3), overflow="fold")
    table.add_column("Authors", no_wrap=True, overflow="ellipsis", max_width=22)
    if wide:
        if signals:
            table.add_column("Org", no_wrap=True, overflow="ellipsis", max_width=18)
        else:
            table.add_column("Category", no_wrap=True, overflow="ellipsis", max_width=18)
        table.add_column("arXiv", no_wrap=True)
    if signals:
        table.add_column("Code", no_wrap=True, justify="right")
    for rank, p in enumerate(papers, 1):
        title = highlighted(p.title, query)
        badge = BADGES.get(p.announce_type or "")
        if badge:
            title = Text.assemble((f"[{badge}] ", "cyan"), title)
        if p.extra_marks:
            title = Text.assemble(*((f"[{m}] ", "magenta") for m in p.extra_marks), title)
        cells: list[Text | str] = [str(rank)]
        if signals:
            cells.append("" if p.upvotes is None else str(p.upvotes))
        cells += [title, Text(authors_short(p.authors))]
        if wide:
            third = (
                p.organization if signals else (p.primary_category or next(iter(p.categories), ""))
            )
            cells += [_safe(third), Text(p.id)]
        if signals:
            cells.append(code_cell(p))
        table.add_row(*cells)
    return table


def _field(label: str, value: Text | str) -> Text:
    return Text.assemble((f"{label}: ", "bold"), value if isinstance(value, Text) else Text(value))


def paper_detail(p: Paper, query: Query | None = None) -> RenderableType:
    """``papers show``: everything papercli knows of one paper."""
    from rich.console import Group

    parts: list[RenderableType] = [highlighted(p.title, query)]
    parts[0].stylize("bold")  # type: ignore[union-attr]
    parts.append(Text(", ".join(clean(a) for a in p.authors) or "(no authors listed)"))
    parts.append(Text(""))
    rows: list[tuple[str, str | None]] = [
        ("arXiv", p.id + (f"v{p.version}" if p.version else "")),
        ("Organization", p.organization),
        ("Published", p.published),
        ("Listed", p.listed),
        ("Upvotes", None if p.upvotes is None else str(p.upvotes)),
        ("Comments", None if p.comments is None else str(p.comments)),
        ("Submitted by", p.submitter),
        ("Categories", ", ".join(p.categories) or None),
        ("Announce type", p.announce_type),
        ("DOI", p.doi),
        ("Journal ref", p.journal_ref),
        ("Hugging Face", p.url),
        ("Abstract page", p.arxiv_url),
        ("PDF", p.pdf_url),
        (
            "Code",
            p.github_url + (f" (★ {stars(p.github_stars)})" if p.github_stars is not None else "")
            if p.github_url
            else None,
        ),
        ("Project page", p.project_page),
    ]
    for label, value in rows:
        if value:
            parts.append(_field(label, clean(value)))
    parts.append(Text(""))
    parts.append(Text("Abstract", style="bold underline"))
    parts.append(highlighted(p.abstract, query, "abstract") if p.abstract else Text("(none)"))
    if p.ai_summary:
        parts += [Text(""), Text("AI summary", style="bold underline"), _safe(p.ai_summary)]
    if p.ai_keywords:
        parts += [Text(""), _field("Keywords", ", ".join(clean(k) for k in p.ai_keywords))]
    return Group(*parts)
