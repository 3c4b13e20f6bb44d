"""One command's context: settings, the clock, the cache, the remote clients and ``warn``.

Every use case takes a :class:`Context` as its first argument. Notes for the user
(fallbacks, stale copies, set-aside files) go through ``warn``, which the command
line gives; the use cases never print. The HTTP client and the source clients
are built on first use, so a command answered from the cache loads no httpx.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from papercli.choices import SOURCES
from papercli.config import Settings
from papercli.errors import UsageError
from papercli.storage.cache import Cache, Waiting, no_sign

if TYPE_CHECKING:
    from papercli.sources.arxiv import ArxivClient
    from papercli.sources.hf import HfClient
    from papercli.sources.http import Http

Warn = Callable[[str], None]


class Context:
    """Settings, clock, cache and clients for one command (or one screen)."""

    def __init__(
        self,
        settings: Settings,
        warn: Warn,
        *,
        today: dt.date | None = None,
        now: Callable[[], float] = time.time,
        http: Http | None = None,
        waiting: Waiting = no_sign,
    ) -> None:
        self.settings = settings
        # A sign of life (the command line's spinner) while the network is slow, or
        # while work takes long: building the search index, scoring many papers.
        self.waiting = waiting
        self.warn = warn
        self.today = today or dt.date.today()
        self.now = now
        self.cache = Cache(settings.cache_dir, warn, waiting)
        self._http = http
        self._hf: HfClient | None = None
        self._arxiv: ArxivClient | None = None
        self._noted_categories: set[str] = set()  # unknown arXiv categories warned about

    # -- clients, built on first use ----------------------------------------------
    @property
    def http(self) -> Http:
        if self._http is None:
            from papercli.sources.http import Http, Policy

            self._http = Http(Policy.from_settings(self.settings), waiting=self.waiting)
        return self._http

    @property
    def hf(self) -> HfClient:
        """The Hugging Face client: base URL and concurrency bound once."""
        if self._hf is None:
            from papercli.sources.hf import HfClient

            self._hf = HfClient(self.http, self.settings.hf_url, self.settings.hf_concurrency)
        return self._hf

    @property
    def arxiv(self) -> ArxivClient:
        """The arXiv client: RSS and export API base URLs and the politeness delay bound once."""
        if self._arxiv is None:
            from papercli.sources.arxiv import ArxivClient

            self._arxiv = ArxivClient(
                self.http,
                self.settings.arxiv_rss_url,
                self.settings.arxiv_api_url,
                self.settings.arxiv_delay,
            )
        return self._arxiv

    def close(self, *, interrupted: bool = False) -> None:
        """Close the clients. Listings asked ahead and not taken (a sync cut short) are
        stopped; when the command ends with an error or a Ctrl-C, a request of theirs
        already on the wire is not waited for (the process is ending)."""
        if self._hf is not None:
            self._hf.settle(wait=not interrupted)
        if self._http is not None:
            self._http.close()

    def __enter__(self) -> Context:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(interrupted=exc_type is not None)

    # -- choices every listing makes ----------------------------------------------
    def resolve_source(self, source: str | None, *, search: bool = False) -> str:
        """``--source`` or ``[display] default_source``: hf, arxiv or all.

        Searching has no merged variant: ``all`` searches Hugging Face.
        """
        value = (source or self.settings.default_source).lower()
        if value not in SOURCES:
            raise UsageError(f"Unknown source {value!r}: use hf, arxiv or all.")
        return "hf" if search and value == "all" else value

    def arxiv_categories(self, categories: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
        """``-c`` or ``[sources.arxiv] categories``, checked for form (a usage error) and
        against the taxonomy (a warning: see :meth:`note_unknown_categories`)."""
        from papercli.sources.arxiv import check_categories

        chosen = list(categories or self.settings.arxiv_categories)
        where = "" if categories else "[sources.arxiv] categories"
        checked = self.canonical_categories(check_categories(chosen), where)
        self.note_unknown_categories(checked, where)
        return checked

    def canonical_categories(self, names: tuple[str, ...], where: str = "") -> tuple[str, ...]:
        """Names spelled as arXiv spells them (``cs.lg`` -> ``cs.LG``, which arXiv's
        feeds need), with a note for each one corrected."""
        from papercli.arxiv_taxonomy import canonical

        out: list[str] = []
        for name in names:
            fixed = canonical(name)
            if fixed != name:
                self.warn(f"Note: {name}{f' ({where})' if where else ''} is read as {fixed}.")
            if fixed not in out:
                out.append(fixed)
        return tuple(out)

    def note_unknown_categories(self, names: Iterable[str], where: str = "") -> None:
        """One warning line per name that is not an arXiv category papercli knows (with a
        suggestion), once per command. Never an error: arXiv may have added it since."""
        from papercli.arxiv_taxonomy import problem, unknown

        for name in unknown(n for n in names if n not in self._noted_categories):
            self._noted_categories.add(name)
            phrase = problem(name, f"{name} ({where})" if where else name)
            self.warn(f"Warning: {phrase}; using it anyway.")
