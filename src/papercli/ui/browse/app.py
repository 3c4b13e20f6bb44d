"""``papers browse``: the triage screen, a Textual app over a :class:`BrowseBackend`.

Layout: a heading (the listing, its day or period and the count), the paper list
(a line-API widget that draws only the rows on screen, so 2,000 papers cost what
20 do), a detail pane for the selected paper, a status line and the keys.

:class:`BrowseApp` holds the screen's state, its keys and the ``/`` filter; loading
(never blocking the keyboard) is in :mod:`.loading`, the keys that rate, save and open
a paper in :mod:`.actions`, the widgets in :mod:`.widgets` and the screens over the
listing in :mod:`.screens`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll

from papercli.errors import PapersError
from papercli.query import Query
from papercli.text import clean
from papercli.ui.browse import render
from papercli.ui.browse.actions import PaperActions
from papercli.ui.browse.backend import BrowseBackend
from papercli.ui.browse.filtering import Searchable
from papercli.ui.browse.loading import Loading, Shown
from papercli.ui.browse.render import Row, error_message
from papercli.ui.browse.screens import HelpScreen, PaperScreen
from papercli.ui.browse.widgets import DetailPane, KeysLine, Line, PaperList, Prompt

if TYPE_CHECKING:
    from papercli.dates import Period

__all__ = ["BrowseApp", "DetailPane", "HelpScreen", "PaperList", "PaperScreen", "Prompt"]


class BrowseApp(Loading, PaperActions, App[None]):
    """The triage screen. ``backend`` does the work; see :mod:`.backend`."""

    TITLE = "papers browse"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    Screen { background: $surface; }
    #heading { background: $primary; color: $text; text-style: bold; padding: 0 1; }
    #paper-heading { background: $primary; color: $text; text-style: bold; padding: 0 1; }
    #detail {
        border-top: solid $primary;
        padding: 0 1;
        background: $surface;
    }
    .status { color: $text-muted; background: $boost; padding: 0 1; }
    #prompt { dock: bottom; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("q", "quit", "Quit", show=False),
        Binding("enter,space", "read", "Read", show=False),
        Binding("l", "rate('like')", "Like", show=False),
        Binding("d", "rate('dislike')", "Dislike", show=False),
        Binding("u", "rate(None)", "Unrate", show=False),
        Binding("s", "save(False)", "Save", show=False),
        Binding("S", "save(True)", "Save with a tag", show=False),
        Binding("o", "open(False)", "Open", show=False),
        Binding("p", "open(True)", "PDF", show=False),
        Binding("slash", "filter", "Filter", show=False),
        Binding("escape", "clear_filter", "Clear the filter", show=False),
        Binding("left_square_bracket", "step(-1)", "Previous day", show=False),
        Binding("right_square_bracket", "step(1)", "Next day", show=False),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("question_mark", "help", "Help", show=False),
    ]

    def __init__(
        self,
        backend: BrowseBackend,
        *,
        view: Period | None = None,
        query: str = "",
        offline: bool = False,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.view = view
        self.offline = offline
        self.shown = Shown()
        self.filter_text = ""
        self.filter: Query | None = None
        self._prompt_mode = ""  # "filter" or "tag" while the prompt is open
        self._filter_before = ""
        self._generation = 0
        self._jobs = 0  # background threads not finished yet (tests wait on it)
        self._jobs_lock = threading.Lock()
        self._initial_query = query
        self.status_text = Text("")

    # -- layout ---------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Line(id="heading")
        yield PaperList(self._moved, id="papers")
        yield DetailPane(id="detail")
        yield Line(id="status", classes="status")
        yield Prompt(id="prompt", classes="-hidden")
        yield KeysLine()

    @property
    def papers(self) -> PaperList:
        return self.query_one("#papers", PaperList)

    def on_mount(self) -> None:
        if self._initial_query:
            self._apply_filter(self._initial_query, quiet=True)
        self.papers.focus()
        self._show_heading()
        self._load(refresh=False)

    # -- showing ----------------------------------------------------------------
    def _filtered(self, rows: list[Row]) -> list[Row]:
        if self.filter is None or self.filter.is_empty:
            return rows
        search = (
            self.shown.search if rows is self.shown.rows else Searchable([r.paper for r in rows])
        )
        return [rows[i] for i in search.matching(self.filter)]

    def _show_heading(self) -> None:
        page = self.shown.page
        if page is None:
            where = self.view.key if self.view is not None else "today"
            text = Text(f"Loading {where}…")
        else:
            text = Text(clean(page.heading))
        if self.filter is not None and not self.filter.is_empty:
            text.append(f" · {len(self.papers.rows)} shown, filter: {clean(self.filter_text)}")
        self.query_one("#heading", Line).show(text)

    def _error(self, exc: BaseException) -> None:
        self._status(Text(error_message(exc), style=render.ERROR))

    def _status(self, text: Text | str) -> None:
        self.status_text = text if isinstance(text, Text) else Text(clean(text))
        self.query_one("#status", Line).show(self.status_text)
        self._refresh_paper_screen()

    def _moved(self) -> None:
        self._show_detail()

    def _detail(self, row: Row) -> Text:
        score = self.papers.scores.get(row.paper.id) if self.papers.scores is not None else None
        return render.detail_text(row.paper, self.filter, self.papers.marks.get(row.key), score)

    def _show_detail(self, *, scroll_home: bool = True) -> None:
        row = self.papers.current
        self.query_one(DetailPane).show(self._detail(row) if row is not None else Text(""))
        self._refresh_paper_screen(scroll_home=scroll_home)

    def _refresh_paper_screen(self, *, scroll_home: bool = False) -> None:
        screen = self.screen
        if not isinstance(screen, PaperScreen):
            return
        row = self.papers.current
        if row is None:
            screen.dismiss(None)
            return
        screen.show(*self._paper_screen_content(row))
        if scroll_home:
            screen.query_one("#paper-body", VerticalScroll).scroll_home(animate=False)

    # -- keys -----------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        self.papers.action_move(delta)

    def _paper_screen_content(self, row: Row) -> tuple[Text, Text, Text]:
        heading = Text(f"{row.rank}/{len(self.shown.rows)} · {clean(row.paper.id)}")
        return heading, self._detail(row), self.status_text

    def action_read(self) -> None:
        row = self.papers.current
        if row is None:
            return
        self.push_screen(PaperScreen(*self._paper_screen_content(row)))

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_step(self, delta: int) -> None:
        self._close_paper_screen()
        try:
            self.view = self.backend.step(self.view, delta)
        except Exception as exc:
            self._error(exc)
            return
        self.shown = Shown()
        self.papers.empty_text = ""
        self.papers.set_rows([], [])
        self._show_heading()
        self._show_detail()
        self._load(refresh=False)

    def action_refresh(self) -> None:
        if self.offline:
            self._status("Offline (--offline): not fetching; showing the cached copy.")
            return
        self._load(refresh=True)

    def _close_paper_screen(self) -> None:
        while isinstance(self.screen, PaperScreen | HelpScreen):
            self.pop_screen()

    # -- the prompt: / filter and S tag -------------------------------------------------
    def action_filter(self) -> None:
        self._close_paper_screen()
        self._filter_before = self.filter_text
        self._open_prompt("filter", "/", self.filter_text, "words, au:name, org:, cat:, OR, -not")

    def _open_prompt(self, mode: str, label: str, value: str, placeholder: str) -> None:
        self._prompt_mode = mode
        self.query_one(Prompt).open(label, value, placeholder)

    def _close_prompt(self) -> None:
        self._prompt_mode = ""
        self.query_one(Prompt).close()
        self.papers.focus()

    def on_prompt_changed(self, event: Prompt.Changed) -> None:
        if self._prompt_mode == "filter":
            self._apply_filter(event.value)

    def on_prompt_submitted(self, event: Prompt.Submitted) -> None:
        mode = self._prompt_mode
        self._close_prompt()
        if mode == "tag":
            row = self.papers.current
            tag = clean(event.value) or None
            if row is not None:
                self._save(row, tag)
        elif mode == "filter":
            self._apply_filter(event.value)
            if self.filter_text != clean(event.value):
                self._status(f"Kept the filter {self.filter_text!r}")

    def action_clear_filter(self) -> None:
        """Esc in the list: drop a filter kept with Enter."""
        if self.filter_text:
            self._apply_filter("")
            self._status("Filter cleared.")

    def on_prompt_cancelled(self, event: Prompt.Cancelled) -> None:
        if self._prompt_mode == "filter":
            self._apply_filter(self._filter_before)
        self._close_prompt()
        self._status("")

    def _apply_filter(self, text: str, *, quiet: bool = False) -> None:
        """Filter with ``text``; text that does not parse keeps the last good filter."""
        try:
            query = Query.parse(text, strict=True)
        except PapersError as exc:
            if not quiet:
                self._error(exc)
            return
        self.filter_text = clean(text)
        self.filter = None if query.is_empty else query
        papers = self.papers
        papers.query = self.filter
        current = papers.current
        papers.set_rows(
            self._filtered(self.shown.rows),
            self.shown.rows,
            keep=current.key if current else None,
        )
        self._show_heading()
        if not quiet:
            shown = len(papers.rows)
            self._status(f"{shown} of {len(self.shown.rows)} papers match." if self.filter else "")
