"""xlsx: an Excel workbook (openpyxl), a header row of the JSON keys and a row per paper.

For spreadsheets, where CSV loses ids (``2507.08800`` opens as the number 2507.088):
every text cell is a typed text cell, so ids and DOIs stay exactly as written and no
cell is ever a formula (a title starting with ``=`` is text, not run, with no ``'``
added); counts (upvotes, comments, stars) are numbers. Lists are joined with ``"; "``
and a cell longer than a spreadsheet holds is cut with a marker, as in CSV
(:func:`~papercli.export.csvfmt.fit_cell`). The header row is frozen.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from papercli.export.csvfmt import LIST_SEPARATOR, fit_cell
from papercli.models import JSON_KEYS
from papercli.text import strip_controls

if TYPE_CHECKING:
    import datetime as dt

    from papercli.export.common import Meta
    from papercli.models import Paper

# What XML 1.0 (and so openpyxl) refuses in a cell, after strip_controls.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _cell_value(value: Any) -> str | int | float | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    return fit_cell(_XML_ILLEGAL.sub("", strip_controls(str(value))))


def to_xlsx(papers: Sequence[Paper], *, now: dt.datetime | None = None) -> bytes:
    """The workbook's bytes. ``now`` is its creation time (the file's own metadata)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "papers"
    bold = Font(bold=True)
    for column, key in enumerate(JSON_KEYS, start=1):
        sheet.cell(row=1, column=column, value=key).font = bold
    for row, paper in enumerate(papers, start=2):
        record = paper.to_json()
        for column, key in enumerate(JSON_KEYS, start=1):
            value = _cell_value(record[key])
            if value is None:
                continue
            cell = sheet.cell(row=row, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula (openpyxl guesses one at "=")
    sheet.freeze_panes = "A2"
    if now is not None:
        stamp = now.replace(tzinfo=None, microsecond=0)
        book.properties.created = book.properties.modified = stamp
    book.properties.creator = "papercli"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the registry's entry point (see papercli.export) -------------------------------------


def render(
    papers: Sequence[Paper], meta: Meta, *, abstracts: bool = False, now: dt.datetime | None = None
) -> bytes:
    return to_xlsx(papers, now=now)
