"""JSON (an array of paper objects) and JSON Lines (one paper object per line).

The objects are :meth:`Paper.to_json <papercli.models.Paper.to_json>`, the same as
``--json``. C1 controls, bidi and zero-width characters are written as ``\\u``
escapes: the same JSON value, but nothing a terminal acts on when the file is printed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from papercli.text import json_terminal_safe

if TYPE_CHECKING:
    import datetime as dt

    from papercli.export.common import Meta
    from papercli.models import Paper


def records(papers: Sequence[Paper], extra: dict[str, dict[str, Any]] | None = None) -> list[Any]:
    """Each paper's JSON object, with what ``extra`` gives for it (a score, the reader's
    own: :func:`papercli.export.common.extras`)."""
    extra = extra or {}
    return [{**p.to_json(), **extra.get(p.id, {})} for p in papers]


def to_json(papers: Sequence[Paper], extra: dict[str, dict[str, Any]] | None = None) -> str:
    # C1 controls, bidi and zero-width characters as \u escapes: the same JSON value,
    # but nothing a terminal acts on when the file is printed.
    text = json.dumps(records(papers, extra), ensure_ascii=False, indent=2)
    return json_terminal_safe(text) + "\n"


def to_jsonl(papers: Sequence[Paper], extra: dict[str, dict[str, Any]] | None = None) -> str:
    return "".join(
        json_terminal_safe(json.dumps(record, ensure_ascii=False)) + "\n"
        for record in records(papers, extra)
    )


# --- the registry's entry points (see papercli.export) ------------------------------------


def render_json(
    papers: Sequence[Paper], meta: Meta, *, abstracts: bool = False, now: dt.datetime | None = None
) -> str:
    return to_json(papers, meta.extra)


def render_jsonl(
    papers: Sequence[Paper], meta: Meta, *, abstracts: bool = False, now: dt.datetime | None = None
) -> str:
    return to_jsonl(papers, meta.extra)
