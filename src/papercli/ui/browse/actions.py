"""The keys that act on the selected paper: rate it, save it, open it in a browser.

The backend writes a rating or a save before the key's handler returns; opening a
browser runs in the background (a browser can take a while to start).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text

from papercli.text import clean
from papercli.ui.browse.render import Row, short_title

if TYPE_CHECKING:
    from papercli.models import Paper
    from papercli.ui.browse.backend import BrowseBackend, Mark, Rating
    from papercli.ui.browse.widgets import PaperList


class PaperActions:
    """The paper keys of :class:`~papercli.ui.browse.app.BrowseApp` (a mixin)."""

    if TYPE_CHECKING:  # provided by BrowseApp and Loading
        backend: BrowseBackend

        @property
        def papers(self) -> PaperList: ...
        def _status(self, text: Text | str) -> None: ...
        def _error(self, exc: BaseException) -> None: ...
        def _show_detail(self, *, scroll_home: bool = True) -> None: ...
        def _open_prompt(self, mode: str, label: str, value: str, placeholder: str) -> None: ...
        def _background(self, work: Callable[[], None]) -> None: ...
        def _from_thread(self, callback: Callable[..., object], *args: object) -> bool: ...

    def _current(self, what: str) -> Row | None:
        row = self.papers.current
        if row is None:
            self._status(f"No paper to {what}.")
        return row

    def _marked(self, row: Row, mark: Mark, said: str) -> None:
        self.papers.marks[row.key] = mark
        self.papers.invalidate_row(row.key)
        self._show_detail(scroll_home=False)
        self._status(Text.assemble(said, " ", (short_title(row.paper.title), "italic")))

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
