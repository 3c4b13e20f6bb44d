"""Rich renderables for papers. Remote text enters only as ``rich.text.Text``, cleaned first.

Nothing here chooses where output goes or touches the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from papercli.models import Paper, paper_day
from papercli.text import clean

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.measure import Measurement
    from rich.segment import Segment
    from rich.style import Style
    from rich.table import Table

    from papercli.core.trends import Trends
    from papercli.query import Query

HIGHLIGHT = "bold yellow"
WIDE = 150  # from this width the comment count is shown even when titles wrap
AUTHORS_MAX = 48  # the authors column grows into spare room up to this width
TITLE_ROOM = 90  # a title column wider than this gives the authors' names what they need
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


def authors_fit(authors: tuple[str, ...], width: int) -> str:
    """``authors_short`` in ``width`` cells: a long first name is cut, the "+N" is kept."""
    from rich.cells import cell_len, set_cell_size

    full = authors_short(authors)
    suffix = f" +{len(authors) - 1}"
    room = width - cell_len(suffix) - 1  # and one cell for the ellipsis
    if len(authors) < 2 or cell_len(full) <= width or room < 3:
        return full  # fits, or no "+N" to keep, or too narrow: Rich's own ellipsis
    return set_cell_size(clean(authors[0]), room).rstrip() + "…" + suffix


def authors_fill(authors: tuple[str, ...], width: int) -> str:
    """As many authors as fit in ``width`` cells, then "+N" for the others
    (``Ada Lovelace, Alan Turing +1``); at least :func:`authors_short`."""
    from rich.cells import cell_len

    names = [clean(a) for a in authors]
    best = authors_short(authors)
    for shown in range(2, len(names) + 1):
        rest = len(names) - shown
        candidate = ", ".join(names[:shown]) + (f" +{rest}" if rest else "")
        if cell_len(candidate) > width:
            break
        best = candidate
    return best


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


def listed_days(papers: list[Paper]) -> list[str]:
    """Each paper's listed day (else published), as ``07-15`` when every one is of the
    same year, else ``2025-07-15``; empty when no paper has one."""
    days = [paper_day(p) for p in papers]
    if not any(days):
        return []
    years = {d[:4] for d in days if d}
    return [clean(d[5:] if len(years) == 1 else d) for d in days]


def papers_table(
    papers: list[Paper],
    query: Query | None = None,
    *,
    width: int = 80,
    first: int = 1,
    days: bool = False,
) -> RenderableType:
    """The listing table: rank, upvotes, (day), title, authors, organization, id, code.

    ``days``: the listing spans several days, so each paper's listed day is shown
    (a narrow column after the upvotes).

    Column widths are computed once, up front: the narrow columns get what their
    content needs (authors and organization capped), the title gets the rest and
    never less than two fifths of the width; below 100 columns the organization and
    arXiv id columns are left out before the title shrinks, and on very narrow
    terminals the authors, then the code column. Built once: the
    cells of every row are made here, and :class:`ListingTable` draws them in
    one pass (exactly what ``rich.table.Table`` would draw, several times faster).
    """
    # A listing from arXiv alone has no upvotes, organizations or code: leave those
    # columns out and show the primary category in place of the organization.
    signals = not papers or any("hf" in p.sources for p in papers)
    rows = []
    for rank, p in enumerate(papers, first):
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
        return clean(p.organization if signals else p.primary_category)

    org_header = "Org" if signals else "Category"
    rank_w = need([r[0] for r in rows], "#")
    up_w = need([r[1] for r in rows], "▲") if signals else 0
    day_cells = listed_days(papers) if days else []
    day_w = need(day_cells, "Day") if day_cells else 0
    code_need = need([r[5].plain for r in rows], "Code") if signals else 0
    authors_need = min(22, need([r[3] for r in rows], "Authors"))
    org_need = min(18, need([third(r[4]) for r in rows], org_header))
    id_need = need([clean(r[4].id) for r in rows], "arXiv")
    min_title = max(20, (2 * width) // 5)
    # Layouts from the richest down: with the org and id columns (from 100 columns),
    # the id alone (it is what show and open take), neither, then (on very narrow
    # terminals) without authors, without code. A layout with the org or id column
    # must leave the authors what they need (at most 22 cells): names are not cut
    # to make room for an id.
    layouts = [(False, True, True, signals), (False, False, True, signals)]
    layouts += [(False, False, False, signals), (False, False, False, False)]
    if width >= 100 and any(third(p) for p in papers):  # an empty org column is left out
        layouts.insert(0, (True, True, True, signals))
    for show_org, show_id, show_authors, show_code in dict.fromkeys(layouts):
        org_w = org_need if show_org else 0
        id_w = id_need if show_id else 0
        code_w = code_need if show_code else 0
        count = 2 + signals + bool(day_w) + show_authors + show_org + show_id + show_code
        gaps = 3 * (count - 1)  # padding and separator between the columns shown
        fixed = rank_w + up_w + day_w + code_w + org_w + id_w + gaps
        # The authors column gives up room first (down to 8), then the org column.
        authors_w = max(8, min(authors_need, width - fixed - min_title)) if show_authors else 0
        if show_org and width - fixed - authors_w < min_title:
            org_w = max(6, org_w - (min_title - (width - fixed - authors_w)))
            fixed = rank_w + up_w + day_w + code_w + org_w + id_w + gaps
        title_w = width - fixed - authors_w
        kept = not (show_org or show_id) or authors_w >= authors_need
        if title_w >= min_title and (kept or not show_authors):
            break
    title_w = max(10, title_w)  # the narrowest layout: whatever is left, at least 10
    # Wide terminals: past TITLE_ROOM the title column first gives the authors' names
    # what they need, more of them when there are (up to AUTHORS_MAX): a long title
    # wraps, a cut name is lost.
    names = show_authors and any(len(r[4].authors) > 1 for r in rows)
    widened = False  # for more names
    if show_authors and title_w > TITLE_ROOM:
        want = AUTHORS_MAX if names else min(AUTHORS_MAX, need([r[3] for r in rows], "Authors"))
        grow = max(0, min(want - authors_w, title_w - TITLE_ROOM))
        authors_w, title_w = authors_w + grow, title_w - grow
        widened = names and grow > 0
    # Wide terminals: when every title fits on one line with room to spare, the spare
    # room goes to what is cut (the authors, then the organization, to their full
    # length), then to the comment count; the table is no wider than it needs. From
    # WIDE columns the comment count is shown anyway, if the title keeps its minimum.
    spare = title_w - need([r[2].plain for r in rows], "Title")
    if spare > 0:
        title_w -= spare
        if show_authors:
            grow = min(spare, max(0, need([r[3] for r in rows], "Authors") - authors_w))
            authors_w, spare = authors_w + grow, spare - grow
        if show_org:
            grow = min(spare, max(0, need([third(r[4]) for r in rows], org_header) - org_w))
            org_w, spare = org_w + grow, spare - grow
    spare = max(0, spare)
    comments = ["" if r[4].comments is None else str(r[4].comments) for r in rows]
    comments_w = need(comments, "Cmts")
    show_comments = False
    if signals and any(comments):
        extra = comments_w + 3
        if spare >= extra:
            show_comments = True
        elif width >= WIDE and title_w - (extra - spare) >= min_title:
            title_w -= extra - spare
            spare = extra
            show_comments = True
        spare -= extra if show_comments else 0
    # Still room: more authors' names (up to AUTHORS_MAX cells).
    fill = names and (spare > 0 or widened)
    if fill:
        authors_w += max(0, min(spare, AUTHORS_MAX - authors_w))

    columns: list[dict[str, Any]] = [
        {"header": "#", "justify": "right", "no_wrap": True, "style": "dim", "width": rank_w}
    ]
    if signals:
        columns.append({"header": "▲", "justify": "right", "no_wrap": True, "width": up_w})
    if show_comments:
        columns.append({"header": "Cmts", "justify": "right", "no_wrap": True, "width": comments_w})
    if day_w:
        columns.append({"header": "Day", "no_wrap": True, "style": "dim", "width": day_w})
    columns.append({"header": "Title", "width": title_w, "overflow": "fold"})
    if show_authors:
        columns.append(
            {"header": "Authors", "no_wrap": True, "overflow": "ellipsis", "width": authors_w}
        )
    if show_org:
        columns.append(
            {"header": org_header, "no_wrap": True, "overflow": "ellipsis", "width": org_w}
        )
    if show_id:
        columns.append({"header": "arXiv", "no_wrap": True, "width": id_w})
    if show_code:
        columns.append({"header": "Code", "no_wrap": True, "justify": "right", "width": code_w})
    cells_of_rows: list[list[Text]] = []
    for n, (rank, upvotes, title, authors, p, code) in enumerate(rows):
        cells = [Text(rank), *([Text(upvotes)] if signals else [])]
        if show_comments:
            cells.append(Text(comments[n]))
        if day_w:
            cells.append(Text(day_cells[n]))
        cells.append(title)
        if fill:
            cells.append(Text(authors_fill(p.authors, authors_w)))
        elif show_authors:  # the short form already made, refitted only when too wide
            fits = cell_len(authors) <= authors_w
            cells.append(Text(authors if fits else authors_fit(p.authors, authors_w)))
        if show_org:
            cells.append(Text(third(p)))
        if show_id:
            cells.append(_safe(p.id))
        if show_code:
            cells.append(code)
        cells_of_rows.append(cells)
    return ListingTable(columns, cells_of_rows)


def _rich_table(columns: list[dict[str, Any]], rows: list[list[Text]]) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=False, show_edge=False)
    for column in columns:
        table.add_column(**column)
    for cells in rows:
        table.add_row(*cells)
    return table


class ListingTable:
    """A Rich renderable drawing exactly what ``rich.table.Table`` draws for the listing.

    Rich's table measures and renders every cell through its generic layout
    machinery: about half a millisecond a row, over a second for 2,000 papers.
    Here the column widths still come from Rich's own algorithm, run on a proxy
    table holding only the widest cells of each column (which fixes every
    width), and the rows are laid out directly: titles wrapped by
    ``Text.wrap``, other cells truncated and justified as Rich does. When the
    installed Rich lacks the width helper, the full table is drawn instead.
    """

    def __init__(self, columns: list[dict[str, Any]], rows: list[list[Text]]) -> None:
        self.columns = columns
        self.rows = rows

    def _proxy(self) -> Table:
        """A table with the header and the cells that decide each column's width."""
        from rich.cells import cell_len

        def widest(cell: Text) -> int:
            return max((cell_len(line) for line in cell.plain.splitlines()), default=0)

        def longest_word(cell: Text) -> int:
            return max((cell_len(word) for word in cell.plain.split()), default=widest(cell))

        if not self.rows or all(c.get("width") is not None for c in self.columns):
            return _rich_table(self.columns, [])  # fixed widths: no cell is measured
        n = len(self.columns)
        by_max = [max((r[c] for r in self.rows), key=widest) for c in range(n)]
        by_min = [max((r[c] for r in self.rows), key=longest_word) for c in range(n)]
        return _rich_table(self.columns, [by_max, by_min])

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        return Measurement.get(console, options, self._proxy())

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment

        if not self.rows:
            yield _rich_table(self.columns, self.rows)
            return
        last = len(self.columns) - 1
        pads = [(0 if c == 0 else 1, 0 if c == last else 1) for c in range(last + 1)]
        widths = self._fixed_widths(options.max_width, pads)
        if widths is None:
            proxy = self._proxy()
            calculate = getattr(proxy, "_calculate_column_widths", None)
            extra = getattr(proxy, "_extra_width", None)
            if calculate is None or not isinstance(extra, int):
                yield _rich_table(self.columns, self.rows)
                return
            widths = calculate(console, options.update_width(options.max_width - extra))
        header = [Text(str(col["header"])) for col in self.columns]
        header_styles = [console.get_style("table.header")] * len(self.columns)
        styles = [console.get_style(c["style"]) if c.get("style") else None for c in self.columns]
        yield from self._row_segments(console, header, widths, pads, header_styles)
        yield Segment("─" * (sum(widths) + last))
        yield Segment.line()
        for cells in self.rows:
            yield from self._row_segments(console, cells, widths, pads, styles)

    def _fixed_widths(self, max_width: int, pads: list[tuple[int, int]]) -> list[int] | None:
        """The column widths, when every column has a fixed width and the table fits.

        This is what Rich's width algorithm returns in that case (each column
        its width plus its padding), without importing ``rich.table`` on the
        hot path of ``papers today``. Anything else (a column sized by its
        content, a table wider than the room) goes through Rich itself.
        """
        room = max_width - (len(self.columns) - 1)  # one separator between columns
        fixed = [column.get("width") for column in self.columns]
        if room < 1 or any(w is None for w in fixed):
            return None
        widths = [(w + left + right) or 1 for w, (left, right) in zip(fixed, pads, strict=True)]
        return widths if sum(widths) <= room else None

    def _row_segments(
        self,
        console: Console,
        cells: list[Text],
        widths: list[int],
        pads: list[tuple[int, int]],
        styles: list[Style | None] | list[Style],
    ) -> Iterator[Segment]:
        """One row: each cell fitted to its column (as Rich does), side by side."""
        from rich.segment import Segment

        inner = [max(0, w - left - right) for w, (left, right) in zip(widths, pads, strict=True)]
        fitted: list[list[Text | str]] = []
        for column, cell, width in zip(self.columns, cells, inner, strict=True):
            justify = column.get("justify", "left")
            overflow = column.get("overflow", "ellipsis")
            if width < 1:  # Rich draws nothing in a cell without room
                fitted.append([])
            elif column.get("no_wrap") and not cell.spans and not cell.style:
                plain = cell.plain  # the common case, as Rich would fit it, without a Text
                if justify == "right":
                    plain = plain.rstrip()
                fits = plain.isascii() and plain.isprintable() and len(plain) <= width
                if fits:
                    fitted.append(
                        [plain.rjust(width) if justify == "right" else plain.ljust(width)]
                    )
                    continue
                fitted.append([_fit(cell, width, justify, overflow)])
            elif column.get("no_wrap"):
                fitted.append([_fit(cell, width, justify, overflow)])
            else:
                fitted.append(list(cell.wrap(console, width, justify=justify, overflow=overflow)))
        height = max((len(lines) for lines in fitted), default=0)
        separator = Segment(" ")  # the box's column separator
        new_line = Segment.line()
        for i in range(height):
            for c, (lines, full, (left, right), style) in enumerate(
                zip(fitted, widths, pads, styles, strict=True)
            ):
                if c:
                    yield separator
                if i >= len(lines):  # below the cell's last line: blank, as Rich pads it
                    yield Segment(" " * full, style)
                    continue
                if left:
                    yield Segment(" " * left, style)
                text = lines[i]
                if isinstance(text, str):
                    yield Segment(text, style)
                elif not text.spans and not text.style:
                    yield Segment(text.plain, style)
                elif not text.spans:
                    yield Segment(text.plain, _add(style, console.get_style(text.style)))
                else:  # Text.render ignores a Text's own style: make it the lowest span
                    if text.style:
                        text = text.copy()
                        text.stylize_before(text.style)
                        text.style = ""
                    yield from Segment.apply_style(text.render(console), style)
                if right:
                    yield Segment(" " * right, style)
            yield new_line


def _fit(cell: Text, width: int, justify: str, overflow: Any) -> Text:
    """A one-line cell truncated and justified to ``width``, as Rich's Text does it."""
    line = cell.copy()
    if justify == "right":
        line.rstrip()
        line.truncate(width, overflow=overflow)
        line.pad_left(width - line.cell_len)
    else:
        line.truncate(width, overflow=overflow, pad=True)
    return line


def _add(base: Style | None, style: Style) -> Style:
    return base + style if base else style


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
        (
            "Submitted by",
            f"{p.submitter} ({p.submitter_user})"
            if p.submitter and p.submitter_user and p.submitter_user != p.submitter
            else p.submitter or p.submitter_user,
        ),
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


def trends_chart(trends: Trends, *, width: int = 80) -> RenderableType:
    """``papers trends``: one bar per period, then the top organizations and keywords."""
    from rich.console import Group

    label_width = max((len(k) for k, _ in trends.periods), default=7)
    peak = max((n for _, n in trends.periods), default=0) or 1
    count_width = len(str(peak))
    bar_room = max(10, width - label_width - count_width - 3)
    which = {"hf": " Hugging Face", "arxiv": " arXiv"}.get(trends.source, "")
    lines: list[RenderableType] = [
        Text.assemble(
            (f"{trends.total} matching{which} papers by {trends.by}", "bold"),
            f": {clean(trends.query)}" if trends.query else "",
        )
    ]
    parts = {}  # a period cached in part says so after its bar
    for key, _ in trends.periods:
        covered, days = trends.cached_days(key)
        parts[key] = f" ({covered} of {days} days cached)" if 0 < covered < days else ""
    bar_room = max(10, bar_room - max(map(len, parts.values()), default=0))
    gaps = partial = 0
    for key, n in trends.periods:
        if not trends.cached_days(key)[0]:  # not a count: nothing of that period is cached
            gaps += 1
            lines.append(Text.assemble((key.ljust(label_width), "dim"), " ", ("not cached", "dim")))
            continue
        part = parts[key]
        partial += bool(part)
        bar = "█" * round(n / peak * bar_room) if n else ""
        if n and not bar:
            bar = "▏"
        lines.append(
            Text.assemble(
                (key.ljust(label_width), "dim"),
                " ",
                (str(n).rjust(count_width), ""),
                " ",
                (bar, "cyan"),
                (part, "dim"),
            )
        )
    if gaps or partial:
        what = [f"{gaps} not cached"] if gaps else []
        what += [f"{partial} cached in part"] if partial else []
        lines.append(
            Text(
                f"Of {len(trends.periods)} {trends.by}s, {' and '.join(what)} "
                "(papers sync --since DAY --until DAY fetches them).",
                style="dim",
            )
        )
    for title, items in (
        ("Top organizations", trends.organizations),
        ("Top AI keywords", trends.keywords),
    ):
        if items:
            lines += [Text(""), Text(title, style="bold underline")]
            lines += [Text.assemble((f"{n:>{count_width}} ", "dim"), clean(k)) for k, n in items]
    return Group(*lines)
