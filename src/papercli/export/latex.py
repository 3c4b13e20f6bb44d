"""LaTeX for BibTeX fields: remote text escaped, the LaTeX that is valid and harmless kept.

arXiv titles and author names are TeX source. :func:`latex_escape` keeps math, accents
and a few text commands, escapes every other LaTeX special, and balances the braces of
a field. Non-ASCII text is written as LaTeX pdflatex typesets (:mod:`.texchars`), or
kept as UTF-8 (``utf8=True``, for biber with XeLaTeX or LuaLaTeX). :func:`latex_words`
splits the result where BibTeX may break it, for the brace protection in
:mod:`papercli.export.bibtex`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from papercli.export.texchars import ACCENTS, tex_char, undeclared
from papercli.text import clean

# Text characters special to BibTeX or LaTeX, and what they become.
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The LaTeX remote text may keep (arXiv titles and names are TeX source). These lists
# are the whole of it: any other command is escaped, so typesetting a bibliography can
# never run a macro that reads or writes files or defines things (\input, \write, \def,
# \csname, \directlua, ...).
_ESCAPED = frozenset("&%$#_")  # \& \% \$ \# \_
_ACCENTS = frozenset("'`^\"~=.")  # \"o \'{e}: on a letter or a braced group
_TEXT_ARG_COMMANDS = _names(  # kept when a braced group follows: \textsuperscript{4}
    "textsuperscript textsubscript emph textit textbf textsc texttt textrm textsf textsl "
    "textup textnormal underline mbox c v u H k r d b t"
)
_TEXT_SYMBOLS = _names(  # kept, written \o{} so the next character stays apart
    "i j o O l L ss ae AE oe OE aa AA ldots dots textendash textemdash TeX LaTeX"
)
_TEXT_DECLARATIONS = _names(  # kept inside a group: {\em x}
    "em it bf sc tt rm sf sl itshape bfseries scshape ttfamily rmfamily sffamily slshape "
    "upshape normalfont"
)
_MATH_COMMANDS = _names(
    """
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu
    nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma
    Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
    mathbb mathcal mathrm mathbf mathit mathsf mathtt mathfrak mathscr boldsymbol bm
    operatorname text textrm textit textbf texttt textsf textsc textsuperscript
    textsubscript emph mbox
    frac dfrac tfrac sqrt binom hat bar tilde vec dot ddot check breve widehat widetilde
    overline underline
    sum prod int oint coprod bigcup bigcap bigoplus bigotimes lim limsup liminf max min
    sup inf arg det dim exp ln log sin cos tan deg gcd ker Pr
    ell hbar imath jmath infty partial nabla emptyset varnothing forall exists neg lnot
    top bot angle prime dagger
    times cdot cdots ldots dots vdots ddots div pm mp ast star circ bullet oplus ominus
    otimes odot wedge vee cap cup setminus
    le leq ge geq ne neq ll gg approx sim simeq cong equiv propto in notin ni subset
    subseteq supset supseteq mid parallel perp models vdash
    to gets rightarrow leftarrow leftrightarrow Rightarrow Leftarrow Leftrightarrow
    longrightarrow mapsto uparrow downarrow iff implies
    langle rangle lceil rceil lfloor rfloor lvert rvert lVert rVert vert Vert left right
    big Big bigl bigr Bigl Bigr quad qquad
    colon rm it bf cal sf tt mathbbm mathds textnormal bmod pmod mod
    leqslant geqslant nleq ngeq lesssim gtrsim asymp doteq triangleq coloneqq subsetneq
    supsetneq hookrightarrow longmapsto Longrightarrow xrightarrow overrightarrow
    overleftarrow underbrace overbrace stackrel overset underset mathring acute grave not
    aleph Re Im wp triangle square Box diamond sharp flat bigwedge bigvee ddagger
    """
)
_MATH_SYMBOLS = frozenset(",;:! {}|&%#_$")
_ACCENT_MARKS = {name: mark for mark, name in ACCENTS.items()}  # "c" -> U+0327
_LETTER_ACCENTS = frozenset("cvuHkrdbt")  # kept on one letter only


@dataclass
class TexNotes:
    """What writing non-ASCII text as LaTeX could not do exactly, for a document's notes:
    characters written as ``?``, letters that lost an accent LaTeX has no command for,
    and the letters biber would hand pdflatex undeclared (character -> its LaTeX)."""

    unmapped: dict[str, None] = field(default_factory=dict)
    lossy: dict[str, None] = field(default_factory=dict)
    undeclared: dict[str, str] = field(default_factory=dict)

    def declare(self, char: str) -> None:
        for needed in undeclared(char):
            found = tex_char(needed) if not unicodedata.combining(needed) else None
            self.undeclared[needed] = found.latex if found is not None else ""


# \, \; \{ \} \% ... inside math
_DOLLAR_MATH = re.compile(r"\$((?:\\.|[^\\$])+)\$")
_PAREN_MATH = re.compile(r"\\\(((?:\\[^)]|[^\\])+)\\\)")
_COMMAND = re.compile(r"\\([A-Za-z]+|.?)")
_MATH_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|.")


def _math_ok(body: str) -> bool:
    """Math that LaTeX accepts and that is harmless: only listed commands, no ``%``
    (a comment), ``#``, ``&`` or ``$``, braces balanced both for TeX and for BibTeX
    (which also counts the braces of ``\\{`` and ``\\}``), and no ``^^`` (TeX reads
    ``^^5c`` as a backslash before it sees any command)."""
    if "^^" in body:
        return False
    tex = bib = 0
    for token in _MATH_TOKEN.findall(body):
        if len(token) == 2 and token[0] == "\\" and not token[1].isalpha():
            if token[1] not in _MATH_SYMBOLS:
                return False
            bib += {"{": 1, "}": -1}.get(token[1], 0)
        elif token[0] == "\\":
            if token[1:] not in _MATH_COMMANDS:
                return False
        elif token in "%#&$":
            return False
        elif token in "{}":
            step = 1 if token == "{" else -1
            tex, bib = tex + step, bib + step
        if tex < 0 or bib < 0:
            return False
    return tex == 0 and bib == 0


def _math_end(text: str, i: int) -> int | None:
    """Where the math segment starting at ``text[i]`` ends, if one does: ``$...$`` as
    TeX reads it (``$ \\sqrt{s} = 13$`` too, which Pandoc's rule rejects), except that
    a dollar after a space or before a digit closes nothing, so amounts stay text
    (``$5 and $10``, ``$100K for $x$``); or ``\\(...\\)``."""
    if text[i] == "$":
        m = _DOLLAR_MATH.match(text, i)
        if m is None or m[1][-1] == " " or text[m.end() : m.end() + 1].isdigit():
            return None
    else:
        m = _PAREN_MATH.match(text, i)
        if m is None:
            return None
    return m.end() if _math_ok(m[1]) else None


def _lex(text: str) -> list[tuple[str, str]]:
    """(kind, source) tokens: math, cmd (``\\word``), sym (``\\`` and one character),
    open, close, space, char."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        c = text[i]
        end = _math_end(text, i) if c == "$" or text.startswith("\\(", i) else None
        if end is not None:
            tokens.append(("math", text[i:end]))
            i = end
            continue
        if c == "\\":
            m = _COMMAND.match(text, i)
            assert m is not None  # the pattern matches any backslash
            name = m[1]
            kind = "char" if not name else "cmd" if name.isascii() and name.isalpha() else "sym"
            tokens.append((kind, m[0]))
            i = m.end()
            continue
        kind = {"{": "open", "}": "close", " ": "space"}.get(c, "char")
        end = i + 1
        if kind == "char":  # a letter and its combining marks are one character
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1
        tokens.append((kind, text[i:end]))
        i = end
    return tokens


def _matched(tokens: list[tuple[str, str]]) -> set[int]:
    """The indexes of the text braces that have a partner; the others are escaped."""
    stack: list[int] = []
    matched: set[int] = set()
    for k, (kind, _) in enumerate(tokens):
        if kind == "open":
            stack.append(k)
        elif kind == "close" and stack:
            matched.update((stack.pop(), k))
    return matched


def _one_letter_group(tokens: list[tuple[str, str]], k: int, matched: set[int]) -> bool:
    """Whether ``tokens[k + 1:]`` start with a group of one letter: ``{e}``, ``{\\i}``."""
    if k + 1 not in matched or k + 3 >= len(tokens) or tokens[k + 3][0] != "close":
        return False
    kind, value = tokens[k + 2]
    return (kind == "char" and value[:1].isalpha()) or (kind == "cmd" and value in ("\\i", "\\j"))


def _accent_letter(tokens: list[tuple[str, str]], k: int, matched: set[int]) -> str | None:
    """The letter an accent at ``tokens[k]`` sits on (bare or in a one-letter group)."""
    after = tokens[k + 1] if k + 1 < len(tokens) else ("end", "")
    if after[0] == "char" and after[1][:1].isalpha():
        return after[1]
    if _one_letter_group(tokens, k, matched):
        return tokens[k + 2][1]
    return None


class _Writer:
    """Writes one line's tokens as (kind, LaTeX) pieces (see :func:`latex_escape`)."""

    def __init__(self, utf8: bool, notes: TexNotes | None) -> None:
        self.utf8 = utf8
        self.notes = notes if notes is not None else TexNotes()

    def char(self, value: str, before: tuple[str, str]) -> tuple[str, str]:
        if value == "|":  # \textbar{} is an em dash to biber + OT1: math is left alone
            return "math", "$|$"
        if value in "[]":  # natbib reads a bracket in a name as the end of its label
            return "text", "{" + value + "}"
        if value == '"':  # a straight quote prints as a closing one: pair them
            opening = before[0] in ("start", "space", "open") or before[1][-1:] in "([-/"
            return "text", "``" if opening else "''"
        if value.isascii() or self.utf8:
            return "text", _LATEX.get(value, value)
        found = tex_char(value)
        if found is None:
            self.notes.unmapped[value] = None
            return "text", "?"
        if not found.exact:
            self.notes.lossy[value] = None
        self.notes.declare(value)
        return ("math", f"${found.latex}$") if found.kind == "math" else ("text", found.latex)

    def accent(self, mark: str, letter: str) -> None:
        """A kept TeX accent on ``letter``: biber turns it into Unicode, declare that."""
        if not self.utf8 and letter.isascii() and mark in _ACCENT_MARKS:
            self.notes.declare(unicodedata.normalize("NFC", letter + _ACCENT_MARKS[mark]))


def _latex_pieces(
    text: object, *, utf8: bool = False, notes: TexNotes | None = None
) -> list[tuple[str, str]]:
    """One line of remote text as (kind, LaTeX) pieces; kind is ``math``, ``break`` (a
    space outside any group, between two words) or ``text``. See :func:`latex_escape`."""
    tokens = _lex(clean(text))
    matched = _matched(tokens)
    writer = _Writer(utf8, notes)
    pieces: list[tuple[str, str]] = []
    depth = 0
    ahead = [*tokens[1:], ("end", "")][: len(tokens)]
    before: tuple[str, str] = ("start", "")
    for k, ((kind, value), after) in enumerate(zip(tokens, ahead, strict=True)):
        group_after = k + 1 in matched
        if kind == "math":
            pieces.append(("math", value))
        elif kind == "space":
            pieces.append(("break" if depth == 0 else "text", value))
        elif kind in ("open", "close") and k in matched:
            depth += 1 if kind == "open" else -1
            pieces.append(("text", value))
        elif kind == "cmd":
            name = value[1:]
            letter = _accent_letter(tokens, k, matched) if name in _LETTER_ACCENTS else None
            if name in _LETTER_ACCENTS and group_after and letter is None:
                latex = ""  # an accent over several letters (\b{eta}): the letters alone
            elif name in _TEXT_ARG_COMMANDS and group_after:
                latex = value
                if letter is not None:
                    writer.accent(name, letter)
            elif name in _TEXT_SYMBOLS:
                latex = value + "{}"
            elif name in _TEXT_DECLARATIONS and depth > 0:
                latex = value if after[0] == "space" else value + " "
            else:
                latex = _LATEX["\\"] + name
            pieces.append(("text", latex))
        elif kind == "sym":
            c = value[1]
            letter = _accent_letter(tokens, k, matched) if c in _ACCENTS else None
            if c in _ESCAPED or letter is not None:
                latex = value
                if letter is not None:
                    writer.accent(c, letter)
            elif c in _ACCENTS and group_after:
                latex = ""  # an accent over a group that is not one letter: the group
            elif c in "{}":
                latex = _LATEX[c]
            else:
                latex = _LATEX["\\"] + _LATEX.get(c, c)
            pieces.append(("text", latex))
        else:
            pieces.append(writer.char(value, before))
        before = (kind, value)
    return pieces


def latex_escape(text: object, *, utf8: bool = False, notes: TexNotes | None = None) -> str:
    """One line of remote text for a BibTeX field, keeping the LaTeX that is valid.

    Rules (titles and names from arXiv are TeX source; plain text goes through the same
    rules, and a literal backslash in it is escaped unless it starts one of them):

    - Math is kept verbatim: ``$...$`` as TeX reads it (``$ \\sqrt{s} = 13$`` too),
      except that a dollar after a space or before a digit closes nothing (``$5 and
      $10`` is not math), and ``\\(...\\)``,
      when every command in it is a listed math command, it has no ``%``, ``#``, ``&``
      or ``$``, and its braces balance. Otherwise its characters are escaped as text.
    - Kept outside math: ``\\&`` ``\\%`` ``\\$`` ``\\#`` ``\\_``; an accent
      (``\\"o``, ``\\'{e}``, ``\\c{c}``) on one letter (on a longer group, such as
      ``\\b{eta}``, the accent is left out: biber would turn it into a lone combining
      mark pdflatex stops on); a listed text command on a group
      (``\\textsuperscript{4}``, ``\\emph{x}``); a listed symbol
      (``\\o``, ``\\ss``, ``\\LaTeX``, written ``\\o{}``); a listed declaration inside a
      group (``{\\em x}``). Any other backslash becomes ``\\textbackslash{}``, and
      ``\\{`` ``\\}`` become ``\\textbraceleft{}`` ``\\textbraceright{}``.
    - Braces outside math are kept as groups when they pair up; a brace without a
      partner is escaped (``\\textbraceleft{}``), so the field's braces always balance
      and remote text can never close the field or start another one.
    - Other specials outside math: ``& % # _`` and a lone ``$`` get a backslash,
      ``\\ ~ ^ < >`` become ``\\textbackslash{}``, ``\\textasciitilde{}``,
      ``\\textasciicircum{}``, ``\\textless{}``, ``\\textgreater{}``; ``[`` ``]``
      become ``{[}`` ``{]}`` (natbib takes a bracket in a name for the end of its
      label), ``|`` becomes ``$|$`` (an em dash in the default OT1 font encoding,
      and biber turns ``\\textbar`` back into ``|``), a straight double quote
      becomes two backquotes where it opens a quotation and ``''`` elsewhere.
    - Non-ASCII text (unless ``utf8``): as LaTeX pdflatex typesets by default
      (:func:`~papercli.export.texchars.tex_char`: ``{\\c{e}}``, ``$\\pi$``); a
      character without a LaTeX form becomes ``?``, and ``notes`` records it.
    - :func:`~papercli.text.clean` first: one line, no control characters, NFC.
    """
    return "".join(latex for _, latex in _latex_pieces(text, utf8=utf8, notes=notes))


def latex_words(
    text: object, *, utf8: bool = False, notes: TexNotes | None = None
) -> list[list[tuple[str, str]]]:
    """The pieces of :func:`_latex_pieces`, split at the spaces outside groups and math."""
    words: list[list[tuple[str, str]]] = [[]]
    for kind, latex in _latex_pieces(text, utf8=utf8, notes=notes):
        if kind == "break":
            words.append([])
        else:
            words[-1].append((kind, latex))
    return [w for w in words if w]
