"""Cleaning remote text: control sequences out, whitespace collapsed, Unicode composed.

Everything that comes from the network passes through :func:`clean` (single-line
fields) before it becomes part of a model object. Rendering calls it again as a
second line of defence, since cache files can be edited by hand.
"""

from __future__ import annotations

import re
import unicodedata

# ANSI CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other ESC sequences,
# and the 8-bit C1 introducers (CSI 0x9b, OSC 0x9d, DCS 0x90, ...).
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]               # CSI
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])        # OSC, DCS, SOS, PM, APC ...
      .*?(?:\x07|\x1b\\|\x9c|$)                    # ... up to BEL or ST
  | \x1b[ -/]*[0-~]?                               # two-byte ESC sequences
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 and C1 controls, DEL, bidirectional embeddings/overrides/isolates, and
# zero-width / line-separator characters that can reorder or hide text.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
_WHITESPACE = re.compile(r"[\s\u00a0]+")


def strip_controls(text: str) -> str:
    """Remove terminal escape sequences and control characters, keep line breaks."""
    text = _ESCAPES.sub("", text)
    return _CONTROLS.sub("", text.replace("\t", " "))


def clean(text: object) -> str:
    """One line of safe text: no escapes or controls, whitespace collapsed, NFC."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = unicodedata.normalize("NFC", strip_controls(text))
    return _WHITESPACE.sub(" ", text).strip()


def clean_optional(text: object) -> str | None:
    """Like :func:`clean`, but ``None`` for missing or blank values."""
    result = clean(text)
    return result or None


# Characters a terminal may act on or that reorder text, for JSON output.
_JSON_INVISIBLE = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def json_terminal_safe(document: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with DEL, C1 controls,
    bidi and zero-width characters written as ``\\uXXXX`` escapes: the same JSON
    value, but nothing a terminal would interpret. (C0 controls are already escaped.)"""
    return _JSON_INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", document)
