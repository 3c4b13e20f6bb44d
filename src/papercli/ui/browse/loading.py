"""Loading the listing without ever blocking the keyboard.

A daemon thread asks the backend for the cached copy, shows it, then fetches a fresh
one (unless offline) and shows that; quitting never waits for a slow network. Every
backend error becomes a line in the status line. Results reach the UI thread as a
:class:`Deliver` message, and a result for a day the user has already left is dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message

from papercli.text import clean
from papercli.ui.browse import render
from papercli.ui.browse.backend import Mark, Page
from papercli.ui.browse.filtering import Searchable
from papercli.ui.browse.render import Row, error_message

if TYPE_CHECKING:
    from papercli.dates import Period
    from papercli.query import Query
    from papercli.ui.browse.backend import BrowseBackend
    from papercli.ui.browse.widgets import PaperList


class Deliver(Message):
    """A callback from a background thread, to run on the UI thread."""

    def __init__(
        self, callback: Callable[..., object], args: tuple[object, ...], done: threading.Event
    ) -> None:
        super().__init__()
        self.callback = callback
        self.args = args
        self.done = done


@dataclass
class Shown:
    """The listing on screen."""

    page: Page | None = None
    rows: list[Row] = field(default_factory=list)
    search: Searchable = field(default_factory=lambda: Searchable([]))  # for `/`


class Loading:
    """The background work of :class:`~papercli.ui.browse.app.BrowseApp` (a mixin):
    threads, their results on the UI thread, and loading a view."""

    if TYPE_CHECKING:  # provided by BrowseApp and Textual's App
        backend: BrowseBackend
        view: Period | None
        offline: bool
        shown: Shown
        filter: Query | None
        _generation: int
        _jobs: int  # background threads not finished yet (tests wait on it)
        _jobs_lock: threading.Lock
        _closing: bool
        _closed: bool

        @property
        def papers(self) -> PaperList: ...
        def post_message(self, message: Message) -> bool: ...
        def _status(self, text: Text | str) -> None: ...
        def _filtered(self, rows: list[Row]) -> list[Row]: ...
        def _show_heading(self) -> None: ...

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

        def prepare(page: Page) -> tuple[Shown, dict[str, Mark]]:
            rows = render.make_rows(page.papers)
            try:
                marks = self.backend.marks(page.papers)
            except Exception as exc:
                page.notes.append(f"Could not read your ratings and library: {error_message(exc)}")
                marks = {}
            return Shown(page, rows, Searchable(page.papers)), marks

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
                self._status, f"Could not remember the papers as seen: {error_message(exc)}"
            )

    def _show(self, generation: int, shown: Shown, marks: dict[str, Mark], fetching: bool) -> None:
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
        message = error_message(exc)
        if have_cached:
            message += " Showing the cached copy."
        elif self.shown.page is None or self.shown.page.period != self.view:
            self.shown = Shown()
            self.papers.empty_text = "Nothing to show."
            self.papers.set_rows([], [])
            self._show_heading()
        self._status(Text(message, style=render.ERROR))
