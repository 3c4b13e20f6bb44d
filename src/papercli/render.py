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

    Column widths are computed once, up front: the narrow columns get what their
    content needs (authors and organization capped), the title gets the rest and
    never less than a third of the width; below 100 columns the organization and
    arXiv id columns are left out before the title shrinks.
    """
    from rich import box
    from rich.table import Table

    # A listing from arXiv alone has no upvotes, organizations or code: leave those
    # columns out and show the primary category in place of the organization.
    signals = not papers or any("hf" in p.sources for p in papers)
    rows = []
    for rank, p in enumerate(papers, 1):
        title = highlighted(p.title, query)
        badge = BADGES.get(p.announce_type or "")
        if badge:
            title = Text.assemble((f"[{badge}] ", "cyan"), title)
        if p.extra_marks:
            title = Text.assemble(*((f"[{m}] ", "magenta") for m in p.extra_marks), title)
        upvotes = "" if p.upvotes is None else str(p.upvotes)
        rows.append((str(rank), upvotes, title, authors_short(p.authors), p, code_cell(p)))

    from rich.cells import cell_len

    def need(values: list[str], header: str) -> int:
        return max([cell_len(header), *(cell_len(v) for v in values)])

    def third(p: Paper) -> str:
        return clean(p.organization or "") if signals else (p.primary_category or "")

    org_header = "Org" if signals else "Category"
    rank_w = need([r[0] for r in rows], "#")
    up_w = need([r[1] for r in rows], "▲") if signals else 0
    code_w = need([r[5].plain for r in rows], "Code") if signals else 0
    authors_need = min(22, need([r[3] for r in rows], "Authors"))
    org_need = min(18, need([third(r[4]) for r in rows], org_header))
    id_need = need([r[4].id for r in rows], "arXiv")
    min_title = max(20, width // 3)
    for wide in (True, False) if width >= 100 else (False,):
        org_w, id_w = (org_need, id_need) if wide else (0, 0)
        gaps = 3 * ((6 if wide else 4) - (0 if signals else 2))
        fixed = rank_w + up_w + code_w + org_w + id_w + gaps
        # The authors column gives up room first (down to 8), then the org column.
        authors_w = max(8, min(authors_need, width - fixed - min_title))
        if wide and width - fixed - authors_w < min_title:
            org_w = max(6, org_w - (min_title - (width - fixed - authors_w)))
            fixed = rank_w + up_w + code_w + org_w + id_w + gaps
        title_w = width - fixed - authors_w
        if title_w >= min_title:
            break
    title_w = max(min_title, title_w)

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=False, show_edge=False)
    table.add_column("#", justify="right", no_wrap=True, style="dim", width=rank_w)
    if signals:
        table.add_column("▲", justify="right", no_wrap=True, width=up_w)
    table.add_column("Title", width=title_w, overflow="fold")
    table.add_column("Authors", no_wrap=True, overflow="ellipsis", width=authors_w)
    if wide:
        table.add_column(org_header, no_wrap=True, overflow="ellipsis", width=org_w)
        table.add_column("arXiv", no_wrap=True, width=id_w)
    if signals:
        table.add_column("Code", no_wrap=True, justify="right", width=code_w)
    for rank, upvotes, title, authors, p, code in rows:
        cells: list[Text | str] = [rank, *([upvotes] if signals else []), title, Text(authors)]
        if wide:
            cells += [_safe(third(p)), Text(p.id)]
        if signals:
            cells.append(code)
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
