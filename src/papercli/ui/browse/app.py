"""``papers browse``: the triage screen, a Textual app over a :class:`BrowseBackend`.

Layout: a heading (the listing, its day or period and the count), the paper list
(a line-API widget that draws only the rows on screen, so 2,000 papers cost what
20 do), a detail pane for the selected paper, a status line and the keys.

Loading never blocks the keyboard: a daemon thread asks the backend for the cached
copy, shows it, then fetches a fresh one (unless offline) and shows that. Every
backend error becomes a line in the status line. Ratings and saves are written by
the backend before the key's handler returns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.events import Click, Key, Paste, Resize
from textual.geometry import Size
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from papercli.errors import PapersError
from papercli.query import Query
from papercli.text import clean
from papercli.ui.browse import render
from papercli.ui.browse.backend import BrowseBackend, Mark, Page, Rating
from papercli.ui.browse.filtering import Searchable
from papercli.ui.browse.render import Columns, Row

if TYPE_CHECKING:
    from papercli.dates import Period
    from papercli.models import Paper


ERROR = "bold red"  # bold: still stands out with NO_COLOR


def _message(exc: BaseException) -> str:
    """One line for the status line: a PapersError's own words, else the kind and text."""
    if isinstance(exc, PapersError):
        return clean(exc.message)
    return clean(f"{type(exc).__name__}: {exc}")


def _short(title: str, width: int = 40) -> str:
    text = clean(title)
    return text if len(text) <= width else text[: width - 1] + "…"


# --- the paper list ---


class PaperList(ScrollView, can_focus=True):
    """The papers, one line each, under a line of column names. Only visible lines are
    drawn (and each drawn line is kept until something it shows changes)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"paper-list--cursor", "paper-list--header"}
    DEFAULT_CSS = """
    PaperList {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    PaperList > .paper-list--header { text-style: bold; color: $text-muted; }
    PaperList > .paper-list--cursor {
        background: $block-cursor-blurred-background;
    }
    PaperList:focus > .paper-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    PaperList:nocolor > .paper-list--cursor { text-style: reverse bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "Down", show=False),
        Binding("k,up", "move(-1)", "Up", show=False),
        Binding("g,home", "first", "First", show=False),
        Binding("G,end", "last", "Last", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
    ]

    def __init__(self, on_move: Callable[[], None], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[Row] = []  # the papers shown (after the filter)
        self.all_rows: list[Row] = []  # the whole listing: column widths come from it
        self.cursor = 0
        self.marks: dict[str, Mark] = {}
        self.scores: dict[str, float] | None = None
        self.query: Query | None = None
        self.empty_text = ""
        self._on_move = on_move
        self._cols: Columns | None = None
        self._needs = render.needs([])
        self._lines: dict[tuple[int, bool], Strip] = {}

    # -- data -----------------------------------------------------------------
    def set_rows(self, rows: list[Row], all_rows: list[Row], *, keep: str | None = None) -> None:
        """Show ``rows``; the cursor goes to the paper ``keep`` (a base id) when shown."""
        if all_rows is not self.all_rows:
            self._needs = render.needs(all_rows)
        self.rows, self.all_rows = rows, all_rows
        self._cols = None
        self._lines.clear()
        index = next((i for i, r in enumerate(rows) if r.key == keep), 0) if keep else 0
        self._set_height(len(rows) + 1)
        self.cursor = -1
        self.move_to(index, force=True)

    def _set_height(self, lines: int) -> None:
        """The scrollable height. Set without a layout of the screen (``virtual_size``
        itself would lay the whole screen out and redraw it all at every character typed
        after ``/``): the list's size on screen does not change, its scrollbar is always
        there (``overflow-y: scroll``), so only the scrollbar and the scroll limits follow."""
        size = Size(self.size.width, lines)
        if size == self.virtual_size:
            return
        self.set_reactive(PaperList.virtual_size, size)
        self._scroll_update(size)
        self.refresh()

    def invalidate_row(self, key: str) -> None:
        for index, row in enumerate(self.rows):
            if row.key == key:
                self._lines.pop((index, True), None)
                self._lines.pop((index, False), None)
        self.refresh()

    @property
    def current(self) -> Row | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    # -- moving ---------------------------------------------------------------
    @property
    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def move_to(self, index: int, *, force: bool = False) -> None:
        index = max(0, min(index, len(self.rows) - 1)) if self.rows else 0
        if index == self.cursor and not force:
            return
        old = self.cursor
        self.cursor = index
        self._lines.pop((old, True), None)
        self._lines.pop((index, False), None)
        top = round(self.scroll_y)
        if index < top:
            top = index
        elif index >= top + self._page_rows:
            top = index - self._page_rows + 1
        if top != round(self.scroll_y):
            self.set_scroll(None, top)
        self.refresh()
        self._on_move()

    def action_move(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self.rows) - 1)

    def action_page(self, delta: int) -> None:
        self.move_to(self.cursor + delta * self._page_rows)

    def on_click(self, event: Click) -> None:
        if event.y >= 1:
            self.move_to(round(self.scroll_y) + event.y - 1)

    def on_resize(self, event: Resize) -> None:
        self._cols = None
        self._lines.clear()
        self._set_height(len(self.rows) + 1)
        self.move_to(self.cursor, force=True)

    # -- drawing --------------------------------------------------------------
    def _columns(self, width: int) -> Columns:
        if self._cols is None or self._cols.width != width:
            self._cols = render.columns(self._needs, width, scores=self.scores is not None)
            self._lines.clear()
        return self._cols

    def _strip(self, text: Text, width: int, style: Any = None) -> Strip:
        segments = list(text.render(self.app.console, end=""))
        strip = Strip(segments).adjust_cell_length(width)
        return strip.apply_style(style) if style is not None else strip

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if width <= 0:
            return Strip.blank(0)
        cols = self._columns(width)
        if y == 0:
            header = self.get_component_rich_style("paper-list--header")
            return self._strip(render.header_text(cols), width, base + header)
        index = round(self.scroll_y) + y - 1
        if not self.rows:
            if y == 1 and self.empty_text:
                return self._strip(Text(self.empty_text, style="italic"), width, base)
            return Strip.blank(width, base)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        selected = index == self.cursor
        cached = self._lines.get((index, selected))
        if cached is not None:
            return cached
        row = self.rows[index]
        score = self.scores.get(row.paper.id) if self.scores is not None else None
        text = render.row_text(row, cols, self.marks.get(row.key), score, self.query)
        style = base
        if selected:
            style = base + self.get_component_rich_style("paper-list--cursor")
        strip = self._strip(text, width, style)
        if selected:
            # The cursor's colours win over the cells' own (a green "code" stays readable).
            strip = Strip(
                [seg._replace(style=seg.style + style if seg.style else style) for seg in strip],
                strip.cell_length,
            )
        if len(self._lines) > 400:
            self._lines.clear()
        self._lines[(index, selected)] = strip
        return strip


# --- the other widgets ---


class Line(Widget):
    """One line of text (never markup). Its size never depends on its text, so showing
    new text repaints this line alone (no layout of the screen)."""

    DEFAULT_CSS = """
    Line { height: 1; width: 1fr; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = Text("")

    def show(self, text: Text | str) -> None:
        self.text = text if isinstance(text, Text) else Text(text)
        self.refresh()

    def render(self) -> Text:
        line = self.text.copy()
        line.truncate(max(1, self.content_region.width), overflow="ellipsis")
        return line


class DetailPane(Widget):
    """The selected paper, as much of it as fits (Enter shows it all). A fixed-size
    widget: a new paper repaints the pane alone, with no layout of the screen."""

    DEFAULT_CSS = """
    DetailPane { height: 40%; width: 1fr; }
    """
    MORE = Text("… (Enter: read it all)", style="dim italic")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text("")

    def show(self, text: Text) -> None:
        self.text = text
        self.refresh()

    def render(self) -> Text:
        width, height = self.content_region.width, self.content_region.height
        if width <= 0 or height <= 0:
            return Text("")
        lines = self.text.wrap(self.app.console, width, overflow="fold")
        if len(lines) > height:
            lines = lines[: height - 1]
            lines.append(self.MORE)
        return Text("\n").join(lines)


class Prompt(Widget, can_focus=True):
    """A one-line text prompt (the ``/`` filter, the ``S`` tag). Unlike Textual's ``Input``
    its size never follows its text, so a character typed repaints this line and what the
    character changes, with no layout of the whole screen."""

    DEFAULT_CSS = """
    Prompt { height: 1; width: 1fr; padding: 0 1; background: $boost; }
    Prompt.-hidden { display: none; }
    """

    class Changed(Message):
        def __init__(self, value: str) -> None:
            super().__init__()
            self.value = value

    class Submitted(Message):
        def __init__(self, value: str) -> None:
            super().__init__()
            self.value = value

    class Cancelled(Message):
        pass

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.label = ""
        self.placeholder = ""
        self.value = ""
        self.cursor = 0

    def open(self, label: str, value: str, placeholder: str) -> None:
        self.label, self.value, self.placeholder = label, value, placeholder
        self.cursor = len(value)
        self.remove_class("-hidden")
        self.focus()
        self.refresh()

    def close(self) -> None:
        self.add_class("-hidden")

    def _edit(self, value: str, cursor: int) -> None:
        changed = value != self.value
        self.value, self.cursor = value, max(0, min(cursor, len(value)))
        self.refresh()
        if changed:
            self.post_message(self.Changed(value))

    def on_key(self, event: Key) -> None:
        value, cursor, key = self.value, self.cursor, event.key
        if key == "enter":
            self.post_message(self.Submitted(value))
        elif key == "escape":
            self.post_message(self.Cancelled())
        elif key == "backspace":
            self._edit(value[: max(0, cursor - 1)] + value[cursor:], cursor - 1)
        elif key == "delete":
            self._edit(value[:cursor] + value[cursor + 1 :], cursor)
        elif key in ("left", "right"):
            self._edit(value, cursor + (1 if key == "right" else -1))
        elif key in ("home", "ctrl+a"):
            self._edit(value, 0)
        elif key in ("end", "ctrl+e"):
            self._edit(value, len(value))
        elif key == "ctrl+u":
            self._edit(value[cursor:], 0)
        elif key == "ctrl+w":
            start = len(value[:cursor].rstrip().rpartition(" ")[0])
            start = start + 1 if start else 0
            self._edit(value[:start] + value[cursor:], start)
        elif event.is_printable and event.character:
            self._edit(value[:cursor] + event.character + value[cursor:], cursor + 1)
        else:
            return  # not ours: Ctrl-C and the like go on to the app
        event.stop()
        event.prevent_default()

    def on_paste(self, event: Paste) -> None:
        text = clean(event.text)
        if text:
            self._edit(
                self.value[: self.cursor] + text + self.value[self.cursor :],
                self.cursor + len(text),
            )
        event.stop()

    def render(self) -> Text:
        out = Text(no_wrap=True, overflow="crop")
        out.append(self.label, style="bold")
        room = max(1, self.content_region.width - len(self.label) - 1)
        value, cursor = self.value, self.cursor
        start = max(0, cursor - room + 1)  # keep the cursor in view
        shown = value[start : start + room]
        at = cursor - start
        out.append(shown[:at])
        out.append(shown[at : at + 1] or " ", style="reverse")
        out.append(shown[at + 1 :])
        if not value and self.placeholder:
            out.append(" " + self.placeholder, style="dim italic")
        out.truncate(max(1, self.content_region.width))
        return out


KEYS_WIDE = (
    ("⏎", "read"),
    ("l", "like"),
    ("d", "dislike"),
    ("u", "unrate"),
    ("s/S", "save/tag"),
    ("o/p", "open/pdf"),
    ("/", "filter"),
    ("[/]", "day"),
    ("r", "refresh"),
    ("?", "help"),
    ("q", "quit"),
)
KEYS_NARROW = (
    ("⏎", "read"),
    ("l", "like"),
    ("d", "dislike"),
    ("s", "save"),
    ("o", "open"),
    ("/", "filter"),
    ("[ ]", "day"),
    ("?", "help"),
    ("q", "quit"),
)
KEYS_DETAIL = (
    ("esc", "back"),
    ("j/k", "next/prev"),
    ("↑↓", "scroll"),
    ("l", "like"),
    ("d", "dislike"),
    ("s", "save"),
    ("o", "open"),
    ("p", "pdf"),
    ("q", "quit"),
)


class KeysLine(Static):
    """The footer: the keys that matter here, as many as fit."""

    DEFAULT_CSS = """
    KeysLine { height: 1; width: 1fr; background: $panel; }
    """

    def __init__(self, keys: Sequence[tuple[str, str]] | None = None) -> None:
        super().__init__("", markup=False)
        self.keys = keys

    def on_resize(self, event: Resize) -> None:
        self.update(self._text(event.size.width))

    def on_mount(self) -> None:
        self.update(self._text(self.size.width or 80))

    def _text(self, width: int) -> Text:
        keys = self.keys or (KEYS_WIDE if width >= 110 else KEYS_NARROW)
        out = Text(no_wrap=True, overflow="crop")
        for key, what in keys:
            piece_len = len(key) + len(what) + 3
            if out.cell_len + piece_len > width:
                break
            out.append(f" {key}", style="bold reverse")
            out.append(f" {what} ")
        return out


class HelpScreen(ModalScreen[None]):
    """``?``: every key; any key closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    """
    HELP = (
        ("j / ↓, k / ↑", "next / previous paper"),
        ("g / Home, G / End", "first / last paper"),
        ("PgDn / PgUp", "a page down / up"),
        ("Enter, Space", "read the paper in full (Esc: back)"),
        ("l / d / u", "like / dislike / take the rating back"),
        ("s", "save to the library"),
        ("S", "save with a tag"),
        ("o / p", "open the paper's page / its PDF in a browser"),
        ("/", "filter as you type (Enter keeps, Esc undoes)"),
        ("[ / ]", "previous / next day (or week, month)"),
        ("r", "refresh from the network"),
        ("?", "this help"),
        ("q, Ctrl-C", "quit"),
    )

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("Keys\n", style="bold")
        for key, what in self.HELP:
            text.append(f"{key:<19}", style="bold")
            text.append(f"{what}\n")
        text.append("\nMarks: + liked, - disliked, * saved. Any key closes this.", style="dim")
        with VerticalScroll():
            yield Static(text, markup=False)

    def on_key(self, event: Key) -> None:
        event.stop()
        self.dismiss(None)


class PaperScreen(Screen[None]):
    """Enter: the selected paper in full. j/k go on to the next/previous paper."""

    DEFAULT_CSS = """
    PaperScreen > VerticalScroll { height: 1fr; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,backspace", "close", "Back", show=False),
        Binding("j", "app.move(1)", "Next", show=False),
        Binding("k", "app.move(-1)", "Previous", show=False),
        Binding("space", "page_down", "Page down", show=False),
        Binding("g", "top", "Top", show=False),
        Binding("G", "bottom", "Bottom", show=False),
    ]

    def __init__(self, heading: Text, body: Text, status: Text) -> None:
        super().__init__()
        self._content = (heading, body, status)

    def compose(self) -> ComposeResult:
        body = self._content[1]
        yield Line(id="paper-heading")
        with VerticalScroll(id="paper-body"):
            yield Static(body, id="paper-text", markup=False)
        yield Line(id="paper-status", classes="status")
        yield KeysLine(KEYS_DETAIL)

    def on_mount(self) -> None:
        heading, _, status = self._content
        self.query_one("#paper-heading", Line).show(heading)
        self.query_one("#paper-status", Line).show(status)
        self.query_one("#paper-body", VerticalScroll).focus()

    def show(self, heading: Text, body: Text, status: Text) -> None:
        self.query_one("#paper-heading", Line).show(heading)
        self.query_one("#paper-text", Static).update(body)
        self.query_one("#paper-status", Line).show(status)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_page_down(self) -> None:
        self.query_one("#paper-body", VerticalScroll).scroll_page_down(animate=False)

    def action_top(self) -> None:
        self.query_one("#paper-body", VerticalScroll).scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.query_one("#paper-body", VerticalScroll).scroll_end(animate=False)


class Deliver(Message):
    """A callback from a background thread, to run on the UI thread."""

    def __init__(
        self, callback: Callable[..., object], args: tuple[object, ...], done: threading.Event
    ) -> None:
        super().__init__()
        self.callback = callback
        self.args = args
        self.done = done


# --- the app ---


@dataclass
class _Shown:
    """The listing on screen."""

    page: Page | None = None
    rows: list[Row] = field(default_factory=list)
    search: Searchable = field(default_factory=lambda: Searchable([]))  # for `/`


class BrowseApp(App[None]):
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
        self.shown = _Shown()
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

    # -- background work --------------------------------------------------------
    @property
    def busy(self) -> bool:
        """True while a load or an open is running in the background."""
        return self._jobs > 0

    def _background(self, work: Callable[[], None]) -> None:
        """Run ``work`` in a daemon thread: quitting never waits for a slow network."""

        def run() -> None:
            try:
                work()
            finally:
                with self._jobs_lock:
                    self._jobs -= 1

        with self._jobs_lock:
            self._jobs += 1
        threading.Thread(target=run, name="papers-browse", daemon=True).start()

    def _from_thread(self, callback: Callable[..., object], *args: object) -> bool:
        """Run ``callback`` on the UI thread and wait for it; False when the app has gone
        away meanwhile. (Through a message: ``post_message`` is thread-safe and, unlike
        ``call_from_thread``, leaves nothing behind when the app has already stopped.)"""
        done = threading.Event()
        try:
            if not self.post_message(Deliver(callback, args, done)):
                return False
        except RuntimeError:  # the event loop is closed
            return False
        while not done.wait(0.05):
            if self._closing or self._closed:
                return False
        return True

    def on_deliver(self, message: Deliver) -> None:
        try:
            message.callback(*message.args)
        finally:
            message.done.set()

    def _load(self, *, refresh: bool) -> None:
        """Show the cached copy of the current view, then (online) fetch a fresh one."""
        self._generation += 1
        generation, view, offline = self._generation, self.view, self.offline
        fetch = not offline
        self._status("Fetching…" if fetch else "Loading the cached copy…")

        def prepare(page: Page) -> tuple[_Shown, dict[str, Mark]]:
            rows = render.make_rows(page.papers)
            try:
                marks = self.backend.marks(page.papers)
            except Exception as exc:
                page.notes.append(f"Could not read your ratings and library: {_message(exc)}")
                marks = {}
            return _Shown(page, rows, Searchable(page.papers)), marks

        def work() -> None:
            shown_cached = False
            if not refresh:
                try:
                    page = self.backend.load(view, refresh=False, offline=True)
                except Exception as exc:
                    if not fetch:
                        self._from_thread(self._failed, generation, exc, False)
                        return
                else:
                    if not self._from_thread(self._show, generation, *prepare(page), fetch):
                        return
                    shown_cached = True
                    self._seen(page)
            if not fetch:
                return
            try:
                page = self.backend.load(view, refresh=refresh, offline=False)
            except Exception as exc:
                self._from_thread(self._failed, generation, exc, shown_cached)
                return
            if self._from_thread(self._show, generation, *prepare(page), False):
                self._seen(page)

        self._background(work)

    def _seen(self, page: Page) -> None:
        try:
            self.backend.mark_seen(page.papers)
        except Exception as exc:
            self._from_thread(
                self._status, f"Could not remember the papers as seen: {_message(exc)}"
            )

    def _show(self, generation: int, shown: _Shown, marks: dict[str, Mark], fetching: bool) -> None:
        if generation != self._generation:
            return  # the user has moved on to another day meanwhile
        current = self.papers.current
        keep = current.key if current is not None else None
        self.shown = shown
        page, rows = shown.page, shown.rows
        assert page is not None
        if page.period is not None:
            self.view = page.period
        papers = self.papers
        papers.marks = dict(marks)
        papers.scores = page.scores
        papers.query = self.filter
        papers.empty_text = "No papers." if not page.papers else "No paper matches the filter."
        papers.set_rows(self._filtered(rows), rows, keep=keep)
        self._show_heading()
        notes = [clean(n) for n in page.notes if clean(n)]
        if fetching:
            notes.append("Fetching…")
        elif not notes:
            notes.append("Offline: the cached copy." if self.offline else "Up to date.")
        self._status(" ".join(notes))

    def _failed(self, generation: int, exc: BaseException, have_cached: bool) -> None:
        if generation != self._generation:
            return
        message = _message(exc)
        if have_cached:
            message += " Showing the cached copy."
        elif self.shown.page is None or self.shown.page.period != self.view:
            self.shown = _Shown()
            self.papers.empty_text = "Nothing to show."
            self.papers.set_rows([], [])
            self._show_heading()
        self._status(Text(message, style=ERROR))

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
        self._status(Text(_message(exc), style=ERROR))

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

    def _current(self, what: str) -> Row | None:
        row = self.papers.current
        if row is None:
            self._status(f"No paper to {what}.")
        return row

    def _marked(self, row: Row, mark: Mark, said: str) -> None:
        self.papers.marks[row.key] = mark
        self.papers.invalidate_row(row.key)
        self._show_detail(scroll_home=False)
        self._status(Text.assemble(said, " ", (_short(row.paper.title), "italic")))

    def action_rate(self, rating: Rating | None) -> None:
        row = self._current("rate")
        if row is None:
            return
        try:
            mark = self.backend.rate(row.paper, rating)
        except Exception as exc:
            self._error(exc)
            return
        said = {"like": "Liked:", "dislike": "Disliked:", None: "Rating taken back:"}[rating]
        self._marked(row, mark, said)

    def action_save(self, ask_tag: bool) -> None:
        row = self._current("save")
        if row is None:
            return
        if ask_tag:
            self._open_prompt("tag", "Tag: ", "", "Enter saves (Esc: cancel)")
            return
        self._save(row, None)

    def _save(self, row: Row, tag: str | None) -> None:
        try:
            mark = self.backend.save(row.paper, tag)
        except Exception as exc:
            self._error(exc)
            return
        self._marked(row, mark, f"Saved with tag {tag!r}:" if tag else "Saved:")

    def action_open(self, pdf: bool) -> None:
        row = self._current("open")
        if row is None:
            return
        paper = row.paper
        what = "the PDF" if pdf else "the page"
        self._status(f"Opening {what}…")

        def work() -> None:
            try:
                url = self.backend.open_url(paper, pdf=pdf)
            except Exception as exc:
                self._from_thread(self._error, exc)
                return
            if url is None:
                message = "No web browser could be started; open it yourself: "
            else:
                message = "Opened "
            self._from_thread(self._status, message + clean(url or self._fallback_url(paper, pdf)))

        self._background(work)

    @staticmethod
    def _fallback_url(paper: Paper, pdf: bool) -> str:
        return (paper.pdf_url if pdf else paper.url or paper.arxiv_url) or ""

    def action_step(self, delta: int) -> None:
        self._close_paper_screen()
        try:
            self.view = self.backend.step(self.view, delta)
        except Exception as exc:
            self._error(exc)
            return
        self.shown = _Shown()
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
