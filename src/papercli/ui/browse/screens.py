"""The screens over the listing: ``?`` (every key) and Enter (the paper in full)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.events import Key
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from papercli.ui.browse.widgets import KEYS_DETAIL, KeysLine, Line


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
