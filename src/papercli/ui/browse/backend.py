"""What the triage screen needs from the rest of papercli: one small protocol.

The screen (:mod:`papercli.ui.browse.app`) never touches the cache, the network or
the library itself; it talks to a :class:`BrowseBackend`. papercli's use cases
implement it; the tests use a fake. This module imports nothing heavy (no Textual):
a backend can import it without slowing any other command down.

Threads: :meth:`BrowseBackend.load` and :meth:`BrowseBackend.mark_seen` and
:meth:`BrowseBackend.marks` run in a worker thread, one call at a time;
:meth:`~BrowseBackend.rate`, :meth:`~BrowseBackend.save` and
:meth:`~BrowseBackend.step` run on the UI thread, possibly while a load is in
flight, and :meth:`~BrowseBackend.open_url` in a short-lived worker thread. So an
implementation must not share an HTTP client or a cache handle between a load and
the other calls without a lock (opening the store per call is simplest).

Errors: every method may raise :class:`papercli.errors.PapersError`; its one-line
message is shown in the status line. (The screen also catches any other exception
from a backend and shows it there: a bug is never a traceback over the screen.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from papercli.dates import Period
    from papercli.models import Paper

Rating = Literal["like", "dislike"]


@dataclass(frozen=True, slots=True)
class Mark:
    """What the user said of one paper: its rating, and whether it is in the library."""

    rating: Rating | None = None
    saved: bool = False
    tags: tuple[str, ...] = ()


@dataclass(slots=True)
class Page:
    """One listing, ready to show, in the order to show it (the backend sorts it:
    ``--sort``, or ``for-you`` when a model exists)."""

    papers: list[Paper]
    heading: str
    """Names the listing, the day or period and the count, e.g.
    ``"Hugging Face Daily Papers · Tue 2025-07-15 · 38 papers"`` (shown as plain text)."""
    period: Period | None = None
    """The period the papers are from (None when not known): ``[`` and ``]`` step from it."""
    scores: dict[str, float] | None = None
    """With a model: each paper's for-you score by paper id; the list shows a score column."""
    notes: list[str] = field(default_factory=list)
    """One-line warnings (a fallback day, a stale copy, a set-aside file) for the status line."""


class BrowseBackend(Protocol):
    """The use cases the triage screen calls. Each method is documented with when it runs."""

    def load(self, view: Period | None, *, refresh: bool, offline: bool) -> Page:
        """The listing for ``view``, as ``papers today``/``papers list`` would show it with
        the command line's filters (``--source``, ``-c``, ``--sort``); the screen's own
        ``/`` filter is applied on top by the screen. ``view`` None: today's listing, or
        the latest day listed, as ``papers today`` picks it; a
        :class:`~papercli.dates.Period`: that day, week or month.

        ``offline=True``: the cached copy only, never the network; raise
        :class:`~papercli.errors.PapersError` (e.g. ``NotFoundError``) when nothing is
        cached. The screen calls this first for a fast first screen, then (unless started
        with ``--offline``) ``offline=False`` to fetch a fresh copy in the background.
        ``refresh=True`` (the ``r`` key): ask the network even if the cache is fresh.
        A failed fetch raises :class:`~papercli.errors.FetchError`.
        Runs in a worker thread.
        """
        ...

    def step(self, period: Period | None, delta: int) -> Period:
        """The period ``delta`` steps after ``period`` (-1: the previous day, week or month;
        +1: the next). ``period`` None means today. Pure and fast: runs on the UI thread."""
        ...

    def rate(self, paper: Paper, rating: Rating | None) -> Mark:
        """Record ``rating`` for ``paper`` (None takes the rating back) in the store that
        ``papers like``/``papers dislike`` write, durably before returning (a kill right
        after loses nothing). Returns the paper's mark after the change. UI thread."""
        ...

    def save(self, paper: Paper, tag: str | None) -> Mark:
        """Add ``paper`` to the library (with ``tag``, when given) as ``papers save`` does,
        durably before returning; saving a saved paper again only adds the tag.
        Returns the paper's mark after the change. UI thread."""
        ...

    def marks(self, papers: Sequence[Paper]) -> dict[str, Mark]:
        """The current marks of ``papers``, by base paper id (no version); papers with no
        rating and not saved may be left out. Worker thread, right after each load."""
        ...

    def mark_seen(self, papers: Sequence[Paper]) -> None:
        """Remember ``papers`` as seen, as showing a listing does (``--new``); honours
        ``[display] mark_seen``. Worker thread, after each listing is shown."""
        ...

    def open_url(self, paper: Paper, *, pdf: bool) -> str | None:
        """Open the paper's page (Hugging Face, else arXiv), or its PDF, in the web browser,
        through :mod:`papercli.browse` (only URLs papercli builds). Returns the URL, or None
        when no browser could be started; raise ``PapersError`` when the paper has no such
        page. Runs in a worker thread (starting a browser can take a moment)."""
        ...
