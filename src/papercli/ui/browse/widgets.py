"""The triage screen's widgets: the paper list, one-line labels, the detail pane, the
one-line prompt and the keys line.

Each keeps its size whatever it shows, so new text (a key pressed, a character typed)
repaints that widget alone, with no layout of the whole screen. What they draw comes
from :mod:`papercli.ui.browse.render`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Click, Key, Paste, Resize
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from papercli.query import Query
from papercli.text import clean
from papercli.ui.browse import render
from papercli.ui.browse.backend import Mark
from papercli.ui.browse.render import Columns, Row

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
