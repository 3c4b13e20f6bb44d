"""``--format ids``: one arXiv id per line, each once, in order (for scripts:
``papers today --format ids | xargs -n1 papers show``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from papercli.text import clean

if TYPE_CHECKING:
    import datetime as dt

    from papercli.export.common import Meta
    from papercli.models import Paper


def render(
    papers: Sequence[Paper],
    meta: Meta,
    *,
    abstracts: bool = False,
    now: dt.datetime | None = None,
) -> str:
    return "".join(f"{clean(i)}\n" for i in dict.fromkeys(p.id for p in papers))
