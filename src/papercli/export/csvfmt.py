"""CSV: RFC 4180 (the csv module, CRLF line ends), a header row of the JSON keys.

Cells a spreadsheet would run as a formula are prefixed with ``'``; lists (authors,
categories) are joined with :data:`LIST_SEPARATOR`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from papercli.models import JSON_KEYS
from papercli.text import strip_controls

if TYPE_CHECKING:
    import datetime as dt

    from papercli.export.common import Meta
    from papercli.models import Paper

LIST_SEPARATOR = "; "
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool | int | float):
        return str(value)
    text = strip_controls(str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(papers: Sequence[Paper]) -> str:
    """RFC 4180: a header row of :data:`JSON_KEYS`, CRLF line ends, quoting as needed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(JSON_KEYS)
    for p in papers:
        record = p.to_json()
        writer.writerow([_csv_cell(record[key]) for key in JSON_KEYS])
    return out.getvalue()


# --- the registry's entry point (see papercli.export) -------------------------------------


def render(
    papers: Sequence[Paper], meta: Meta, *, abstracts: bool = False, now: dt.datetime | None = None
) -> str:
    return to_csv(papers)
