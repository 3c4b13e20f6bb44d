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
# What a terminal may act on, or what reorders or hides text: DEL and the C1 controls,
# bidirectional embeddings/overrides/isolates, zero-width and line-separator
# characters, and the Unicode tag characters (invisible text that some terminals and
# models still read). Removed from shown text, escaped in JSON (json_terminal_safe).
_INVISIBLE = "\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\U000e0000-\U000e007f"
# ... and the C0 controls but tab and line feed.
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f{_INVISIBLE}]")
# What can start an escape sequence: text without any needs no _ESCAPES pass (one scan
# for a character class instead of trying the alternatives at every position).
_ESCAPE_START = re.compile("[\x1b\x90-\x9f]")


def strip_controls(text: str) -> str:
    """Remove terminal escape sequences and control characters, keep line breaks."""
    if text.isprintable() or text.replace("\n", "").isprintable():
        return text  # (most text) whatever is removed below is unprintable, and "\t" too
    if _ESCAPE_START.search(text) is not None:
        text = _ESCAPES.sub("", text)
    return _CONTROLS.sub("", text.replace("\t", " "))


def clean(text: object) -> str:
    """One line of safe text: no escapes or controls, whitespace collapsed, NFC."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = unicodedata.normalize("NFC", strip_controls(text))
    # Runs of whitespace (str.isspace(), \u00a0 included) as one space, none at the ends.
    return " ".join(text.split())


def clean_optional(text: object) -> str | None:
    """Like :func:`clean`, but ``None`` for missing or blank values."""
    result = clean(text)
    return result or None


# Patterns off the listing's path stay strings until first used (compiling a regular
# expression costs start-up; ``re`` keeps the compiled ones).

# Credentials in URLs: "scheme://anything@" and a bare "user:password@" (as in a host
# name with its user information). A plain "name@example.org" is an address, kept.
_URL_USERINFO = r"(\b[A-Za-z][A-Za-z0-9+.-]*://)[^\s/@'\"]+@"
_BARE_USERINFO = r"(?<![^\s'\"(\[<=,;])[^\s/@:'\"(\[<=,;]+:[^\s/@'\"]+@"


def redact_urls(text: str) -> str:
    """``text`` with the user name and password of every URL in it replaced by ``***``."""
    if "@" not in text:
        return text
    return re.sub(_BARE_USERINFO, "***@", re.sub(_URL_USERINFO, r"\1***@", text))


def json_terminal_safe(document: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with DEL, C1 controls,
    bidi, zero-width and tag characters written as ``\\uXXXX`` escapes (a pair of
    them past U+FFFF): the same JSON value, but nothing a terminal would interpret.
    (C0 controls are already escaped.)"""
    return re.sub(f"[{_INVISIBLE}]", json_escape, document)


def json_escape(match: re.Match[str]) -> str:
    """The matched character as a JSON ``\\uXXXX`` escape (a surrogate pair past U+FFFF)."""
    code = ord(match.group())
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


# --- TeX accents ------------------------------------------------------------------
# arXiv's metadata is TeX source: "Sedl\'a\v{c}ek", "Schr\"odinger". Text accents and
# the few letter macros become Unicode, so that names read, sort and match as they
# should ("au:sedlacek", "schrödinger"); math ($...$, \(...\)) is left alone.
_TEX_ACCENT_MARKS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_TEX_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
}
# An accent: a control symbol (\" \' ...) right before its letter, or a control word
# (\v \c ...) followed by a space or a brace (\va would be \varepsilon); the letter
# bare or braced, possibly a dotless \i or \j; the whole possibly in braces.
_TEX_ACCENT = r"""
    (?P<open>\{)?
    \\(?:(?P<sym>["'`^~=.])|(?P<word>[uvHckrdb])(?=[\s{]))\s*
    (?:\{\s*(?P<braced>\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|(?P<bare>\\[ij](?![A-Za-z])|[A-Za-z]))
    (?(open)\})
    """
# A letter macro eats the space after it, as TeX does ("\\L ukasz" is "Łukasz").
_TEX_LETTER = (
    r"(\{)?\\(ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i|j)(?![A-Za-z])(?:\{\}|[ \t]+(?=[A-Za-z]))?(?(1)\})"
)
_TEX_MATH = r"\$[^$]*\$|\\\(.*?\\\)"


def _accented(match: re.Match[str]) -> str:
    base = match.group("braced") or match.group("bare")
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    mark = _TEX_ACCENT_MARKS[match.group("sym") or match.group("word")]
    return unicodedata.normalize("NFC", base + mark)


def _tex_text(text: str) -> str:
    text = re.sub(_TEX_ACCENT, _accented, text, flags=re.VERBOSE)
    return re.sub(_TEX_LETTER, lambda m: _TEX_LETTERS[m.group(2)], text)


def tex_to_unicode(text: str) -> str:
    """TeX text accents and letter macros as Unicode, outside math; the rest as is."""
    if "\\" not in text:
        return text
    out: list[str] = []
    last = 0
    for math in re.finditer(_TEX_MATH, text):
        out.append(_tex_text(text[last : math.start()]))
        out.append(math.group())
        last = math.end()
    out.append(_tex_text(text[last:]))
    return "".join(out)


def sentence_case(heading: str) -> str:
    """A heading with a capital first letter, except names spelled in lower case
    ("arXiv cs.LG, 2025-07-15" stays as it is): a caption's, an export's title."""
    if heading.startswith("arXiv"):
        return heading
    return heading[:1].upper() + heading[1:]
