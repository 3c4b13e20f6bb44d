"""Unicode as LaTeX that pdflatex typesets with its defaults (T1 fonts), for BibTeX.

:func:`tex_char` writes one character (a letter with its combining marks) as LaTeX:
accented Latin letters as TeX accents in the form BibTeX counts as one letter
(``{\\c{e}}``, ``{\\'{i}}``, ``{\\~{\\^{e}}}``), Greek letters and mathematical symbols as
math (``$\\pi$``), typographic punctuation as its ASCII ligature (``--``, ``\\`\\```),
a few text symbols as kernel commands (``\\textbullet{}``), compatibility characters
as their ASCII form (``ﬁ`` -> ``fi``). Anything else has no LaTeX form pdflatex knows
without extra packages: :func:`tex_char` returns None and the caller writes ``?``.

Why not pylatexenc's ``unicode_to_latex`` (checked, version 2.11): it writes ``ű`` as
``\\'{u}`` (the wrong accent), ``ℝ`` as ``\\mathbb{R}`` (amssymb), nothing at all for
Vietnamese letters such as ``ạ`` or ``ễ``, and Greek as ``\\ensuremath{\\pi}``, which
biber rewrites to a Unicode ``π`` pdflatex cannot typeset. The table here is small,
every entry is compiled by pdflatex in ``tests/test_export_realtools.py``, and what it
writes survives biber (which rewrites accents and ``\\textbar`` to Unicode, but leaves
math and ASCII ligatures alone).

biber and pdflatex: biber turns ``{\\c{e}}`` back into ``ȩ`` (U+0229) in the ``.bbl``,
and pdflatex only knows the Unicode letters LaTeX declares (``utf8enc.dfu``: Latin-1,
Latin Extended-A and a few more). :func:`undeclared` names the characters a document
needs declared for that set-up; :mod:`papercli.export.bibtex` declares them in an
``@preamble`` that only acts where it can (in the preamble of a document, so with
biblatex; with BibTeX the ``.bbl`` is read in the body, where the accents already work).
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

# Combining marks -> TeX accent command (symbol accents are written \'e, letter ones \c{e}).
ACCENTS: dict[str, str] = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0306": "u",
    "\u0307": ".",
    "\u0308": '"',
    "\u030a": "r",
    "\u030b": "H",
    "\u030c": "v",
    "\u0323": "d",
    "\u0326": "textcommabelow",
    "\u0327": "c",
    "\u0328": "k",
    "\u0331": "b",
}

# Letters with no decomposition, written as BibTeX "special characters" ({\ss}).
LETTERS: dict[str, str] = {
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "ı": "i",
    "ȷ": "j",
    "đ": "dj",
    "Đ": "DJ",
    "ð": "dh",
    "Ð": "DH",
    "þ": "th",
    "Þ": "TH",
    "ŋ": "ng",
    "Ŋ": "NG",
}

# Text: ASCII ligatures (which no tool rewrites) and kernel text commands.
TEXT: dict[str, str] = {
    "\u00a0": "~",
    "\u2002": " ",
    "\u2003": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "--",
    "\u2013": "--",
    "\u2014": "---",
    "\u2015": "---",
    "\u2018": "`",
    "\u2019": "'",
    "\u201a": ",",
    "\u201c": "``",
    "\u201d": "''",
    "\u201e": ",,",
    "\u2026": "\\ldots{}",
    "\u2022": "\\textbullet{}",
    "\u00a7": "\\S{}",
    "\u00b6": "\\P{}",
    "\u2020": "\\dag{}",
    "\u2021": "\\ddag{}",
    "\u00a9": "\\textcopyright{}",
    "\u00ae": "\\textregistered{}",
    "\u2122": "\\texttrademark{}",
    "\u00a3": "\\pounds{}",
    "\u00ab": "\\guillemotleft{}",
    "\u00bb": "\\guillemotright{}",
    "\u00bf": "?`",
    "\u00a1": "!`",
    "\u00b2": "\\textsuperscript{2}",
    "\u00b3": "\\textsuperscript{3}",
    "\u00b9": "\\textsuperscript{1}",
    "\u2070": "\\textsuperscript{0}",
    **{chr(0x2070 + d): f"\\textsuperscript{{{d}}}" for d in range(4, 10)},
    **{chr(0x2080 + d): f"\\textsubscript{{{d}}}" for d in range(10)},
}

_GREEK = [  # α (U+03B1) to ω (U+03C9); ο is a Latin o
    *("alpha", "beta", "gamma", "delta", "varepsilon", "zeta", "eta", "theta", "iota"),
    *("kappa", "lambda", "mu", "nu", "xi", "o", "pi", "rho", "varsigma", "sigma", "tau"),
    *("upsilon", "varphi", "chi", "psi", "omega"),
]
_GREEK_LATIN = tuple(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧ", "ABEZHIKMNOPTX", strict=True))
_GREEK_CAPITALS = {
    "Γ": "Gamma",
    "Δ": "Delta",
    "Θ": "Theta",
    "Λ": "Lambda",
    "Ξ": "Xi",
    "Π": "Pi",
    "Σ": "Sigma",
    "Υ": "Upsilon",
    "Φ": "Phi",
    "Ψ": "Psi",
    "Ω": "Omega",
}
# Math: the body of $...$ (only commands of the LaTeX kernel, no package).
MATH: dict[str, str] = {
    **{chr(0x03B1 + i): ("o" if name == "o" else "\\" + name) for i, name in enumerate(_GREEK)},
    **{ch: "\\" + name for ch, name in _GREEK_CAPITALS.items()},
    # Capitals with a Latin twin: upright Latin letters
    **{ch: f"\\mathrm{{{latin}}}" for ch, latin in _GREEK_LATIN},
    "ϵ": "\\epsilon",
    "ϑ": "\\vartheta",
    "ϕ": "\\phi",
    "ϖ": "\\varpi",
    "ϱ": "\\varrho",
    "µ": "\\mu",  # the micro sign
    "×": "\\times",
    "÷": "\\div",
    "±": "\\pm",
    "∓": "\\mp",
    "·": "\\cdot",
    "∙": "\\cdot",
    "⋅": "\\cdot",
    "∘": "\\circ",
    "°": "^{\\circ}",
    "′": "\\prime",
    "″": "\\prime\\prime",
    "∗": "\\ast",
    "⋆": "\\star",
    "−": "-",
    "≤": "\\leq",
    "≥": "\\geq",
    "≠": "\\neq",
    "≈": "\\approx",
    "∼": "\\sim",
    "≃": "\\simeq",
    "≅": "\\cong",
    "≡": "\\equiv",
    "∝": "\\propto",
    "≪": "\\ll",
    "≫": "\\gg",
    "∞": "\\infty",
    "∂": "\\partial",
    "∇": "\\nabla",
    "∑": "\\sum",
    "∏": "\\prod",
    "∫": "\\int",
    "√": "\\surd",
    "∈": "\\in",
    "∉": "\\notin",
    "∋": "\\ni",
    "⊂": "\\subset",
    "⊆": "\\subseteq",
    "⊃": "\\supset",
    "⊇": "\\supseteq",
    "∪": "\\cup",
    "∩": "\\cap",
    "∅": "\\emptyset",
    "∀": "\\forall",
    "∃": "\\exists",
    "¬": "\\neg",
    "∧": "\\wedge",
    "∨": "\\vee",
    "⊕": "\\oplus",
    "⊗": "\\otimes",
    "⊙": "\\odot",
    "⊥": "\\perp",
    "∥": "\\parallel",
    "∣": "\\mid",
    "→": "\\rightarrow",
    "←": "\\leftarrow",
    "↔": "\\leftrightarrow",
    "⇒": "\\Rightarrow",
    "⇐": "\\Leftarrow",
    "⇔": "\\Leftrightarrow",
    "↦": "\\mapsto",
    "↑": "\\uparrow",
    "↓": "\\downarrow",
    "⟨": "\\langle",
    "⟩": "\\rangle",
    "ℓ": "\\ell",
    "ℏ": "\\hbar",
    "ℵ": "\\aleph",
    "ℜ": "\\Re",
    "ℑ": "\\Im",
    "∠": "\\angle",
    "△": "\\triangle",
}

# Unicode letters LaTeX declares for pdflatex (utf8enc.dfu, LaTeX 2022): biber may
# write them into the .bbl as they are. Letters outside these need declaring.
_DECLARED_RANGES = (
    (0x00A0, 0x017F),
    (0x01CD, 0x01D4),
    (0x01E6, 0x01EB),
    (0x01F0, 0x01F0),
    (0x01F4, 0x01F5),
    (0x0218, 0x021B),
    (0x0232, 0x0233),
)


def _declared(char: str) -> bool:
    return any(low <= ord(char) <= high for low, high in _DECLARED_RANGES)


def _accented(base: str, marks: str) -> str:
    """``{\\'{e}}``, ``{\\c{e}}``, ``{\\'{i}}``, ``{\\~{{\\^{e}}}}`` (marks in :data:`ACCENTS`)."""
    # i and j as they are, not \i: LaTeX's encodings take the dot off (\'{i} is í), and
    # biber turns \'{\i} into U+0131 U+0301, which pdflatex stops on.
    body = base
    for i, mark in enumerate(marks):
        # An inner accent in a group of its own: biber decodes it to a letter and leaves
        # \~{ê}, which pdflatex reads (from \~{\^{e}} it leaves \~ê, which it does not).
        body = f"\\{ACCENTS[mark]}{{{body}}}" if i == 0 else f"\\{ACCENTS[mark]}{{{{{body}}}}}"
    return "{" + body + "}"


class TexChar(NamedTuple):
    """A character as LaTeX: ``kind`` is ``text`` or ``math`` (``latex`` is then the body
    of ``$...$``); ``exact`` is False when accents without a LaTeX form were left out."""

    kind: str
    latex: str
    exact: bool = True


def tex_char(char: str) -> TexChar | None:
    """One character (a base and its combining marks) as LaTeX, or None when it has no
    LaTeX form (the caller writes ``?``). A Latin letter keeps the accents LaTeX has and
    loses the others (``ả`` is ``a``, not exact). ASCII characters are the caller's."""
    if char in TEXT:
        return TexChar("text", TEXT[char])
    if char in MATH:
        return TexChar("math", MATH[char])
    if char in LETTERS:
        return TexChar("text", "{\\" + LETTERS[char] + "}")
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[:1], decomposed[1:]
    known = "".join(m for m in marks if m in ACCENTS)
    if marks and base.isascii() and base.isalpha():
        return TexChar("text", _accented(base, known) if known else base, known == marks)
    if marks and base in LETTERS and known == marks:  # ǿ: {\'{\o{}}}
        letter = "\\" + LETTERS[base] + "{}"
        return TexChar("text", _accented("x", known).replace("x", letter, 1))
    compatible = unicodedata.normalize("NFKC", char)
    if compatible != char and compatible.isascii() and compatible.isprintable():
        return TexChar("text", compatible)  # ﬁ is fi, full-width letters are ASCII
    return None


def undeclared(char: str) -> tuple[str, ...]:
    """What biber turns :func:`tex_char`'s accents back into and pdflatex does not know:
    a letter LaTeX does not declare (``ȩ``), or the combining mark left over where
    Unicode has no such letter (``e̱``: U+0331). Empty for everything else."""
    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[:1]
    known = "".join(m for m in decomposed[1:] if m in ACCENTS)
    if not ((base.isascii() and base.isalpha()) or base in LETTERS) or not known:
        return ()
    composed = unicodedata.normalize("NFC", base + known)  # marks without a letter stay apart
    return tuple(c for c in composed if not c.isascii() and not _declared(c))
