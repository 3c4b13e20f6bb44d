"""``papers open``: a paper's https URL, built from a validated id, opened in a browser.

Only URLs papercli builds itself are opened: ``https://huggingface.co/papers/ID``,
``https://arxiv.org/abs/ID`` or ``https://arxiv.org/pdf/ID``, where ID has passed
:func:`~papercli.ids.parse_paper_id`. Nothing from the network or the cache ever
becomes the URL. The browser is started through the standard :mod:`webbrowser`
module (which honours ``BROWSER``) in :mod:`papercli.ui.browser`; nothing here does I/O.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from papercli.errors import PapersError
from papercli.ids import parse_paper_id

ALLOWED_HOSTS = frozenset({"huggingface.co", "arxiv.org"})
_SAFE_URL = re.compile(
    r"https://(?:huggingface\.co/papers/\d{4}\.\d{4,5}"
    r"|arxiv\.org/(?:abs|pdf)/(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)",
    re.ASCII,
)


def paper_url(text: str, *, pdf: bool = False, arxiv: bool = False) -> str:
    """The page (default: Hugging Face; old-style ids: arXiv) or PDF of the paper ``text``.

    Raises :class:`~papercli.errors.UsageError` for anything that is not a paper id.
    """
    paper_id, version = parse_paper_id(text)
    suffix = f"v{version}" if version is not None else ""
    if pdf:
        url = f"https://arxiv.org/pdf/{paper_id}{suffix}"
    elif arxiv or "/" in paper_id:  # Hugging Face lists only new-style ids
        url = f"https://arxiv.org/abs/{paper_id}{suffix}"
    else:
        url = f"https://huggingface.co/papers/{paper_id}"
    check_url(url)
    return url


def check_url(url: str) -> None:
    """A last guard before a URL leaves papercli: https, a known host, a paper path."""
    parts = urlsplit(url)
    if (
        parts.scheme != "https"
        or parts.hostname not in ALLOWED_HOSTS
        or parts.port is not None
        or parts.username is not None
        or not _SAFE_URL.fullmatch(url)
    ):
        raise PapersError(f"Refusing to open {url!r}: not a paper URL papercli built.")
