"""CSV: RFC 4180 (the csv module, CRLF line ends), a header row of the JSON keys.

Cells a spreadsheet would run as a formula are prefixed with ``'``; lists (authors,
categories) are joined with :data:`LIST_SEPARATOR`; a cell longer than a spreadsheet
holds (:data:`CELL_LIMIT`) is cut there, with a visible marker (:func:`fit_cell`).

Values are written as they are, for the tools that read CSV (csvkit, pandas): a
spreadsheet that guesses types turns ids such as ``2507.08800`` into numbers
(2507.088). Measured with LibreOffice Calc 7.4, csvkit 2.2 and pandas 3.1: a leading
tab keeps the id text in Calc only (csvkit and pandas strip it and still make a
number), ``="2507.08800"`` keeps it text in Calc (and in Excel, as widely
documented; not measured here) but reaches csvkit and pandas as those characters.
Neither reads well everywhere, so spreadsheets get their own format, ``xlsx``
(:mod:`.xlsxfmt`), with typed text cells.
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
CELL_LIMIT = 32_767  # characters (UTF-16 code units) in a cell of Excel or LibreOffice Calc
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _units(text: str) -> int:
    """The length of ``text`` in UTF-16 code units, as spreadsheets count it."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def fit_cell(text: str) -> str:
    """``text``, or, when a spreadsheet would cut it (over :data:`CELL_LIMIT`), its start
    and a marker saying how long it was: ``... [cut: 48,108 characters in all]``."""
    if len(text) <= CELL_LIMIT // 2 or _units(text) <= CELL_LIMIT:
        return text
    marker = f" [cut: {len(text):,} characters in all]"
    room = CELL_LIMIT - _units(marker)
    kept: list[str] = []
    for char in text:
        room -= 2 if ord(char) > 0xFFFF else 1
        if room < 0:
            break
        kept.append(char)
    return "".join(kept) + marker


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool | int | float):
        return str(value)
    text = strip_controls(str(value))
    return fit_cell("'" + text if text.startswith(_FORMULA_START) else text)


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
