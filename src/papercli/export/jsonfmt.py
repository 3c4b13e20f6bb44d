"""JSON (an array of paper objects) and JSON Lines (one paper object per line).

The objects are :meth:`Paper.to_json <papercli.models.Paper.to_json>`, the same as
``--json``. C1 controls, bidi and zero-width characters are written as ``\\u``
escapes: the same JSON value, but nothing a terminal acts on when the file is printed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from papercli.text import json_terminal_safe

if TYPE_CHECKING:
    import datetime as dt

    from papercli.export.common import Meta
    from papercli.models import Paper


def to_json(papers: Sequence[Paper]) -> str:
    # C1 controls, bidi and zero-width characters as \u escapes: the same JSON value,
    # but nothing a terminal acts on when the file is printed.
    text = json.dumps([p.to_json() for p in papers], ensure_ascii=False, indent=2)
    return json_terminal_safe(text) + "\n"


def to_jsonl(papers: Sequence[Paper]) -> str:
    return "".join(
        json_terminal_safe(json.dumps(p.to_json(), ensure_ascii=False)) + "\n" for p in papers
    )


# --- the registry's entry points (see papercli.export) ------------------------------------


def render_json(
    papers: Sequence[Paper], meta: Meta, *, abstracts: bool = False, now: dt.datetime | None = None
) -> str:
    return to_json(papers)


def render_jsonl(
    papers: Sequence[Paper], meta: Meta, *, abstracts: bool = False, now: dt.datetime | None = None
) -> str:
    return to_jsonl(papers)
