"""``papers browse``: the triage screen (Textual).

Importing this package loads nothing heavy: Textual is imported by :func:`run` (and
by the screen's modules: ``app``, ``widgets``, ``screens``, ``loading``, ``actions``)
only, so no other command pays for it. The screen
talks to papercli through the protocol in :mod:`papercli.ui.browse.backend`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papercli.dates import Period
    from papercli.ui.browse.backend import BrowseBackend


def run(
    backend: BrowseBackend,
    *,
    view: Period | None = None,
    query: str = "",
    offline: bool = False,
) -> None:
    """Run the triage screen until the user quits (``q`` or Ctrl-C).

    ``view``: the day, week or month to show first (None: today's listing);
    ``query``: the initial ``/`` filter (the command line's QUERY); ``offline``: never
    fetch, show the cache only. A ``query`` that does not parse raises
    :class:`~papercli.errors.UsageError` before the screen starts.
    """
    from papercli.query import Query

    Query.parse(query, strict=True)
    from papercli.ui.browse.app import BrowseApp

    BrowseApp(backend, view=view, query=query, offline=offline).run()
