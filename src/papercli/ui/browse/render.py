"""What the triage screen draws, as Rich ``Text``: list rows, the column header, the detail.

Pure functions of papers, marks and the query; no Textual here (the widgets in
:mod:`papercli.ui.browse.widgets` turn these into lines). Remote text enters only
through :func:`papercli.text.clean` and only ever as ``Text`` content, never as
markup: a title such as ``[bold]x[/]`` or one with escape sequences stays literal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.text import Text

from papercli.errors import PapersError
from papercli.models import Paper, split_version
from papercli.text import clean, strip_controls

if TYPE_CHECKING:
    from papercli.query import Query
    from papercli.ui.browse.backend import Mark

MATCH = "bold underline yellow"  # underline: still visible with NO_COLOR
ERROR = "bold red"  # the status line's errors; bold: still stands out with NO_COLOR
LIKE, DISLIKE, SAVED = "+", "-", "*"


def base(paper_id: str) -> str:
    """A paper id without its version: the key of marks."""
    return split_version(paper_id.strip())[0]


def stars(n: int | None) -> str:
    if n is None:
        return ""
    return f"{n / 1000:.1f}k" if n >= 1000 else str(n)


@dataclass(frozen=True, slots=True)
class Row:
    """One paper's list cells, cleaned once when the listing arrives."""

    paper: Paper
    key: str  # base id
    rank: str
    upvotes: str
    title: str
    author: str  # first author, "+N" for the others
    org: str
    code: str


def make_rows(papers: Sequence[Paper]) -> list[Row]:
    rows = []
    for rank, p in enumerate(papers, 1):
        author = clean(p.authors[0]) if p.authors else ""
        if len(p.authors) > 1:
            author = f"{author} +{len(p.authors) - 1}"
        code = ""
        if p.github_url:
            code = f"★{stars(p.github_stars)}" if p.github_stars is not None else "code"
        rows.append(
            Row(
                paper=p,
                key=base(p.id),
                rank=str(rank),
                upvotes="" if p.upvotes is None else str(p.upvotes),
                title=clean(p.title) or "(untitled)",
                author=author,
                org=clean(p.organization),
                code=code,
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class Columns:
    """Cell widths of the list's columns (0: column left out); one space between columns."""

    width: int
    mark: int
    rank: int
    upvotes: int
    score: int
    title: int
    author: int
    org: int
    code: int


@dataclass(frozen=True, slots=True)
class Needs:
    """The cells each column's content needs (0: the column is empty)."""

    rank: int
    upvotes: int
    code: int
    author: int
    org: int


def needs(rows: Sequence[Row]) -> Needs:
    """Measured once per listing (a filter shows a subset: the columns keep their widths)."""

    def need(values: list[str], header: str) -> int:
        return max([cell_len(header), *(cell_len(v) for v in values)])

    return Needs(
        rank=need([r.rank for r in rows], "#"),
        upvotes=need([r.upvotes for r in rows], "▲") if any(r.upvotes for r in rows) else 0,
        code=need([r.code for r in rows], "Code") if any(r.code for r in rows) else 0,
        author=need([r.author for r in rows], "Author"),
        org=need([r.org for r in rows], "Org") if any(r.org for r in rows) else 0,
    )


def columns(need: Needs, width: int, *, scores: bool) -> Columns:
    """Widths for ``width`` cells: the narrow columns take what their content needs
    (authors and organizations capped), the title the rest; when the title would get
    fewer than 30 cells the organization goes first, then the author, then the code."""
    wide = width >= 110
    rank, upvotes, code = need.rank, need.upvotes, need.code
    score = 5 if scores else 0
    author = min(need.author, 24 if wide else 14)
    org = min(need.org, 20 if wide else 10)
    mark = 2

    def title_room() -> int:
        fixed = [mark, rank, upvotes, score, author, org, code]
        used = sum(w for w in fixed if w) + sum(1 for w in fixed if w)  # each and a space
        return width - used

    for drop in ("org", "author", "code"):
        if title_room() >= 30:
            break
        if drop == "org":
            org = 0
        elif drop == "author":
            author = 0
        else:
            code = 0
    return Columns(width, mark, rank, upvotes, score, max(1, title_room()), author, org, code)


def _cell(text: str, width: int, justify: str = "left") -> str:
    """``text`` in exactly ``width`` cells, cut with an ellipsis when too long."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    pad = " " * (width - cell_len(text))
    return pad + text if justify == "right" else text + pad


def _author_cell(author: str, width: int) -> str:
    """The first author in ``width`` cells, keeping the "+N" of the others when cut."""
    name, plus, more = author.rpartition(" +")
    if cell_len(author) <= width or not plus or not more.isdigit():
        return _cell(author, width)
    suffix = f" +{more}"
    room = width - cell_len(suffix)
    if room < 4:
        return _cell(author, width)
    return _cell(name, room) + suffix


def header_text(cols: Columns) -> Text:
    parts: list[str] = [" " * cols.mark, _cell("#", cols.rank, "right")]
    if cols.upvotes:
        parts.append(_cell("▲", cols.upvotes, "right"))
    if cols.score:
        parts.append(_cell("Score", cols.score, "right"))
    parts.append(_cell("Title", cols.title))
    if cols.author:
        parts.append(_cell("Author", cols.author))
    if cols.org:
        parts.append(_cell("Org", cols.org))
    if cols.code:
        parts.append(_cell("Code", cols.code))
    return Text(_cell(" ".join(parts), cols.width))


def mark_cell(mark: Mark | None) -> Text:
    if mark is None:
        return Text("  ")
    rating = {"like": (LIKE, "green"), "dislike": (DISLIKE, "red")}.get(mark.rating or "")
    return Text.assemble(
        rating or (" ", ""),
        (SAVED, "bold magenta") if mark.saved else (" ", ""),
    )


def highlighted(text: str, query: Query | None, field: str) -> Text:
    """``text`` (already clean) with the query's matches styled."""
    out = Text(text)
    if query is not None and not query.is_empty:
        for start, end in query.highlight_spans(text, field):
            out.stylize(MATCH, start, end)
    return out


def row_text(
    row: Row, cols: Columns, mark: Mark | None, score: float | None, query: Query | None
) -> Text:
    """One list line, exactly ``cols.width`` cells."""
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append_text(mark_cell(mark))
    out.append(" " + _cell(row.rank, cols.rank, "right"), style="dim")
    if cols.upvotes:
        out.append(" " + _cell(row.upvotes, cols.upvotes, "right"), style="bold")
    if cols.score:
        out.append(" " + _cell("" if score is None else f"{score:.2f}", cols.score, "right"))
    out.append(" ")
    title = highlighted(row.title, query, "title")
    title.truncate(cols.title, overflow="ellipsis", pad=True)
    out.append_text(title)
    if cols.author:
        out.append(" " + _author_cell(row.author, cols.author))
    if cols.org:
        out.append(" " + _cell(row.org, cols.org), style="cyan")
    if cols.code:
        out.append(" " + _cell(row.code, cols.code), style="green")
    out.truncate(cols.width, overflow="ellipsis", pad=True)
    return out


# --- the detail ---


def _label(label: str, value: Text | str) -> Text:
    value = value if isinstance(value, Text) else Text(value)
    return Text.assemble((f"{label}: ", "bold"), value)


def paragraphs(text: str) -> list[str]:
    """Remote text as cleaned paragraphs (blank lines in the source separate them)."""
    import re

    chunks = re.split(r"\n\s*\n", strip_controls(text))
    return [p for p in (clean(c) for c in chunks) if p]


def detail_text(
    p: Paper, query: Query | None, mark: Mark | None = None, score: float | None = None
) -> Text:
    """Everything shown of one paper: title, the user's mark, authors, organization,
    dates, upvotes, links, AI summary and keywords, abstract; the query's matches
    highlighted. Links are plain text (never clickable markup): the ``o``/``p`` keys
    open only the URLs papercli builds itself."""
    lines: list[Text] = []
    title = highlighted(clean(p.title) or "(untitled)", query, "title")
    title.stylize("bold")
    lines.append(title)
    # The reader's own mark next: a long author list must not push it off the pane.
    if mark is not None and (mark.rating or mark.saved):
        said = []
        if mark.rating:
            said.append("liked" if mark.rating == "like" else "disliked")
        if mark.saved:
            tags = ", ".join(clean(t) for t in mark.tags)
            said.append(f"saved ({tags})" if tags else "saved")
        lines.append(_label("You", ", ".join(said)))
    authors = Text(", ").join(highlighted(clean(a), query, "author") for a in p.authors)
    lines.append(authors if p.authors else Text("(no authors listed)", style="dim"))
    if p.organization:
        lines.append(_label("Organization", highlighted(clean(p.organization), query, "org")))
    lines.append(Text(""))
    facts = [("arXiv", clean(p.id) + (f"v{p.version}" if p.version else ""))]
    if p.published:
        facts.append(("Published", clean(p.published)[:10]))
    if p.listed:
        facts.append(("Listed", clean(p.listed)))
    lines.append(Text("  ").join(_label(k, v) for k, v in facts))
    signals = []
    if p.upvotes is not None:
        signals.append(("Upvotes", str(p.upvotes)))
    if p.comments is not None:
        signals.append(("Comments", str(p.comments)))
    if score is not None:
        signals.append(("Score", f"{score:.3f}"))
    if p.categories:
        signals.append(("Categories", ", ".join(clean(c) for c in p.categories)))
    if signals:
        lines.append(Text("  ").join(_label(k, v) for k, v in signals))
    links = [
        ("Hugging Face", p.url),
        ("Abstract", p.arxiv_url),
        ("PDF", p.pdf_url),
        ("Code", p.github_url),
        ("Project", p.project_page),
    ]
    for label, url in links:
        if url:
            suffix = ""
            if label == "Code" and p.github_stars is not None:
                suffix = f" (★ {stars(p.github_stars)})"
            lines.append(_label(label, Text(clean(url) + suffix, style="dim")))
    if p.ai_summary:
        lines += [Text(""), Text("AI summary", style="bold underline")]
        lines.append(highlighted(clean(p.ai_summary), query, "abstract"))
    if p.ai_keywords:
        keywords = Text(", ").join(highlighted(clean(k), query, "keyword") for k in p.ai_keywords)
        lines.append(_label("Keywords", keywords))
    lines += [Text(""), Text("Abstract", style="bold underline")]
    body = paragraphs(p.abstract)
    if not body:
        lines.append(Text("(no abstract)", style="dim"))
    for i, para in enumerate(body):
        if i:
            lines.append(Text(""))
        lines.append(highlighted(para, query, "abstract"))
    return Text("\n").join(lines)


def error_message(exc: BaseException) -> str:
    """One line for the status line: a PapersError's own words, else the kind and text."""
    if isinstance(exc, PapersError):
        return clean(exc.message)
    return clean(f"{type(exc).__name__}: {exc}")


def short_title(title: str, width: int = 40) -> str:
    """A title cut to ``width`` characters, for the status line."""
    text = clean(title)
    return text if len(text) <= width else text[: width - 1] + "…"
