"""Papers -> text: Markdown, JSON, JSON Lines, CSV, BibTeX and Atom. Pure functions.

Nothing here does I/O: the CLI decides where the text goes. Remote text is
untrusted, so every format escapes it for its own syntax:

- Markdown: every character Markdown, GitHub or Obsidian could interpret is
  backslash-escaped, so a title can never make a link, an image, emphasis, a tag,
  math or raw HTML; links are built from URLs papercli trusts (http(s) only,
  percent-encoded). Abstracts (``abstracts=True``) sit HTML-escaped inside one
  ``<details>`` HTML block.
- BibTeX: LaTeX that is valid and harmless (math, accents, a few text commands) is
  kept; every other LaTeX special is escaped; the braces of a field always balance;
  capitals are protected word by word; non-ASCII text stays UTF-8 (see
  :func:`latex_escape`).
- Atom: built with ElementTree (XML-escaped), characters XML 1.0 forbids removed.
- CSV: RFC 4180 (csv module, CRLF); cells a spreadsheet would run as a formula
  are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from papercli.models import JSON_KEYS, Paper, split_version
from papercli.text import clean, json_terminal_safe, strip_controls

if TYPE_CHECKING:
    from papercli.core.app import Listing

FORMATS: tuple[str, ...] = ("md", "json", "jsonl", "csv", "bib", "atom")
# File name endings that choose a format when ``-o FILE`` is given without ``--format``.
SUFFIXES: dict[str, str] = {
    ".md": "md",
    ".markdown": "md",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".bib": "bib",
    ".atom": "atom",
    ".xml": "atom",
}
LIST_SEPARATOR = "; "


@dataclass(frozen=True, slots=True)
class Meta:
    """What was listed: the heading (source and period), the query, the feed identity."""

    heading: str
    source: str = ""
    period: str | None = None
    query: str = ""

    @classmethod
    def of(cls, listing: Listing) -> Meta:
        return cls(
            heading=_sentence_case(listing.heading),  # "the local cache..."
            source=listing.source,
            period=listing.period.key if listing.period is not None else None,
            query=listing.query.text,
        )

    @property
    def feed_id(self) -> str:
        """Stable across runs: the same source and query give the same feed id."""
        parts = ["papercli", self.source, " ".join(self.query.split())]
        if self.period is None:  # a search or a watch: its heading names it
            parts.append(self.heading)
        return uuid.uuid5(uuid.NAMESPACE_URL, ":".join(parts)).urn


def render(
    fmt: str,
    papers: Sequence[Paper],
    meta: Meta,
    *,
    abstracts: bool = False,
    now: dt.datetime | None = None,
) -> str:
    """The papers in one of :data:`FORMATS`."""
    if fmt == "md":
        return to_markdown(papers, meta, abstracts=abstracts)
    if fmt == "json":
        return to_json(papers)
    if fmt == "jsonl":
        return to_jsonl(papers)
    if fmt == "csv":
        return to_csv(papers)
    if fmt == "bib":
        return to_bibtex(papers)
    if fmt == "atom":
        return to_atom(papers, meta, now=now)
    raise ValueError(f"unknown export format {fmt!r}")


def best_link(p: Paper) -> str | None:
    """The page a title links to: Hugging Face when known, else arXiv, else the project."""
    return p.url or p.arxiv_url or safe_url(p.project_page)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit to put in a link (percent-encoded), or None."""
    if not url:
        return None
    url = clean(url)
    if not re.match(r"^https?://[^\s/?#]+", url, re.IGNORECASE):
        return None
    return quote(url, safe="/:?#@!$&'*+,;=%-._~")


# --- JSON, JSON Lines, CSV ---------------------------------------------------------


def to_json(papers: Sequence[Paper]) -> str:
    # C1 controls, bidi and zero-width characters as \u escapes: the same JSON value,
    # but nothing a terminal acts on when the file is printed.
    text = json.dumps([p.to_json() for p in papers], ensure_ascii=False, indent=2)
    return json_terminal_safe(text) + "\n"


def to_jsonl(papers: Sequence[Paper]) -> str:
    return "".join(
        json_terminal_safe(json.dumps(p.to_json(), ensure_ascii=False)) + "\n" for p in papers
    )


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


# --- Markdown ------------------------------------------------------------------------

# Every ASCII punctuation character that Markdown (CommonMark, GFM) or Obsidian can
# give a meaning to anywhere in a line: emphasis, code, links, images, HTML,
# entities, tables, tags, math, highlights, comments, footnotes, emoji shortcodes,
# autolinks (``https:``, ``user@host``).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#|!&$~=%^:@])")
# A dot between word characters (``www.example.com``, ``e.g``) could start a bare link.
_MD_DOT = re.compile(r"(?<=\w)\.(?=\w)")
# Block syntax that only counts at the start of a line: lists, quotes, breaks.
_MD_LINE_START = re.compile(r"^(\d+)([.)])|^([-+>])")


def md_escape(text: object) -> str:
    """One line of remote text that Markdown renders literally (and never as a link)."""
    value = clean(text)
    value = _MD_SPECIAL.sub(r"\\\1", value)
    value = _MD_DOT.sub(r"\\.", value)
    value = _MD_LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", value)
    return value


def _md_link(label: str, url: str | None) -> str | None:
    target = safe_url(url)
    return f"[{label}](<{target}>)" if target else None


def _paragraphs(text: str) -> list[str]:
    parts = re.split(r"\n\s*\n", strip_controls(text))
    return [c for c in (clean(part) for part in parts) if c]


def _details_html(summary: str, text: str) -> str:
    """A ``<details>`` HTML block; every line non-blank so the block stays one block."""
    lines = ["<details>", f"<summary>{html.escape(summary)}</summary>"]
    lines += [f"<p>{html.escape(part)}</p>" for part in _paragraphs(text)]
    lines.append("</details>")
    return "\n".join(lines)


def _stars(n: int | None) -> str:
    if n is None:
        return ""
    return f" (★ {n / 1000:.1f}k)" if n >= 1000 else f" (★ {n})"


def markdown_entry(
    p: Paper, *, abstracts: bool = False, level: int = 2, rules: Sequence[str] = ()
) -> str:
    title = md_escape(p.title) or "(untitled)"
    link = safe_url(best_link(p))
    mark = "#" * level
    lines = [f"{mark} [{title}](<{link}>)" if link else f"{mark} {title}", ""]
    if p.authors:
        lines.append("- Authors: " + ", ".join(md_escape(a) for a in p.authors))
    if p.organization:
        lines.append(f"- Organization: {md_escape(p.organization)}")
    if p.upvotes is not None:
        lines.append(f"- Upvotes: {p.upvotes}")
    day = p.listed or (p.published or "")[:10]
    if day:
        lines.append(f"- Date: {md_escape(day)}")
    links = [
        _md_link(f"arXiv {md_escape(p.id)}", p.arxiv_url),
        _md_link("PDF", p.pdf_url),
        (lambda c: c + _stars(p.github_stars) if c else None)(_md_link("Code", p.github_url)),
        _md_link("Project page", p.project_page),
    ]
    if p.url and p.url != link:
        links.insert(0, _md_link("Hugging Face", p.url))
    present = [x for x in links if x]
    if not p.is_arxiv:
        present.insert(0, f"id {md_escape(p.id)}")
    if present:
        lines.append("- Links: " + " · ".join(present))
    if len(rules) > 1:
        lines.append("- Watch rules: " + ", ".join(md_escape(r) for r in rules))
    if abstracts and p.abstract:
        lines += ["", _details_html("Abstract", p.abstract)]
    return "\n".join(lines) + "\n"


def to_markdown(papers: Sequence[Paper], meta: Meta, *, abstracts: bool = False) -> str:
    """A heading saying what was listed, then one section per paper."""
    parts = [f"# {md_escape(meta.heading) or 'Papers'}", ""]
    about = []
    if meta.query.strip():
        about.append(f"Query: {md_escape(meta.query)}")
    count = len(papers)
    about.append(f"{count} paper{'s' if count != 1 else ''}")
    parts += [" · ".join(about), ""]
    parts += [markdown_entry(p, abstracts=abstracts) for p in papers]
    return "\n".join(parts).rstrip("\n") + "\n"


# --- BibTeX ---------------------------------------------------------------------------

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
_MATH_SYMBOLS = frozenset(",;:! {}|&%#_$")  # \, \; \{ \} \% ... inside math
_DOLLAR_MATH = re.compile(r"\$((?:\\.|[^\\$])+)\$")
_PAREN_MATH = re.compile(r"\\\(((?:\\[^)]|[^\\])+)\\\)")
_COMMAND = re.compile(r"\\([A-Za-z]+|.?)")
_MATH_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|.")
_DOI = re.compile(r"^10\.\d{4,9}/[^\s{}\\%\"#]+$")
_CATEGORY = re.compile(r"^[A-Za-z][A-Za-z.\-]*$")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "for",
        "to",
        "and",
        "or",
        "with",
        "without",
        "towards",
        "toward",
        "via",
        "from",
        "is",
        "are",
        "do",
        "does",
        "can",
        "by",
        "at",
        "as",
        "be",
        "how",
        "what",
        "when",
        "why",
        "which",
        "your",
        "our",
        "we",
        "its",
        "it",
        "into",
        "using",
    ]
)


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
    """Where the math segment starting at ``text[i]`` ends, if one does: ``$...$``
    (as in Pandoc, not ``$ x$``, ``$x $`` or ``$5 and $10``) or ``\\(...\\)``."""
    if text[i] == "$":
        m = _DOLLAR_MATH.match(text, i)
        if m is None or m[1][0] == " " or m[1][-1] == " " or text[m.end() : m.end() + 1].isdigit():
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
        tokens.append((kind, c))
        i += 1
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


def _latex_pieces(text: object) -> list[tuple[str, str]]:
    """One line of remote text as (kind, LaTeX) pieces; kind is ``math``, ``break`` (a
    space outside any group, between two words) or ``text``. See :func:`latex_escape`."""
    tokens = _lex(clean(text))
    matched = _matched(tokens)
    pieces: list[tuple[str, str]] = []
    depth = 0
    ahead = [*tokens[1:], ("end", "")][: len(tokens)]
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
            if name in _TEXT_ARG_COMMANDS and group_after:
                latex = value
            elif name in _TEXT_SYMBOLS:
                latex = value + "{}"
            elif name in _TEXT_DECLARATIONS and depth > 0:
                latex = value if after[0] == "space" else value + " "
            else:
                latex = _LATEX["\\"] + name
            pieces.append(("text", latex))
        elif kind == "sym":
            c = value[1]
            letter_after = after[0] == "char" and after[1].isalpha()
            if c in _ESCAPED or (c in _ACCENTS and (group_after or letter_after)):
                latex = value
            elif c in "{}":
                latex = _LATEX[c]
            else:
                latex = _LATEX["\\"] + _LATEX.get(c, c)
            pieces.append(("text", latex))
        else:
            pieces.append(("text", _LATEX.get(value, value)))
    return pieces


def latex_escape(text: object) -> str:
    """One line of remote text for a BibTeX field, keeping the LaTeX that is valid.

    Rules (titles and names from arXiv are TeX source; plain text goes through the same
    rules, and a literal backslash in it is escaped unless it starts one of them):

    - Math is kept verbatim: ``$...$`` (as in Pandoc: no space just inside a ``$``, no
      digit just after the closing one, so ``$5 and $10`` is not math) and ``\\(...\\)``,
      when every command in it is a listed math command, it has no ``%``, ``#``, ``&``
      or ``$``, and its braces balance. Otherwise its characters are escaped as text.
    - Kept outside math: ``\\&`` ``\\%`` ``\\$`` ``\\#`` ``\\_``; an accent
      (``\\"o``, ``\\'{e}``) on a letter or a group; a listed text command on a group
      (``\\textsuperscript{4}``, ``\\emph{x}``, ``\\c{c}``); a listed symbol
      (``\\o``, ``\\ss``, ``\\LaTeX``, written ``\\o{}``); a listed declaration inside a
      group (``{\\em x}``). Any other backslash becomes ``\\textbackslash{}``, and
      ``\\{`` ``\\}`` become ``\\textbraceleft{}`` ``\\textbraceright{}``.
    - Braces outside math are kept as groups when they pair up; a brace without a
      partner is escaped (``\\textbraceleft{}``), so the field's braces always balance
      and remote text can never close the field or start another one.
    - Other specials outside math: ``& % # _`` and a lone ``$`` get a backslash,
      ``\\ ~ ^ < >`` become ``\\textbackslash{}``, ``\\textasciitilde{}``,
      ``\\textasciicircum{}``, ``\\textless{}``, ``\\textgreater{}``.
    - :func:`~papercli.text.clean` first: one line, no control characters, NFC;
      non-ASCII text stays UTF-8.
    """
    return "".join(latex for _, latex in _latex_pieces(text))


def _words(text: object) -> list[list[tuple[str, str]]]:
    """The pieces of :func:`_latex_pieces`, split at the spaces outside groups and math."""
    words: list[list[tuple[str, str]]] = [[]]
    for kind, latex in _latex_pieces(text):
        if kind == "break":
            words.append([])
        else:
            words[-1].append((kind, latex))
    return [w for w in words if w]


def _protect(word: str) -> str:
    if not any(c.isupper() for c in word):
        return word
    # A group starting with a backslash is a BibTeX "special character" whose
    # letters styles may still recase; an empty group first prevents that.
    return "{{}" + word + "}" if word.startswith("\\") else "{" + word + "}"


def bib_title(title: str) -> str:
    """:func:`latex_escape`, with every word that has a capital (math included) in
    braces so styles keep its case: ``{BERT}``, ``{$K_8$}``, ``{{}\\"Over}``. Braces go
    around a word, never inside math."""
    return " ".join(_protect("".join(latex for _, latex in w)) for w in _words(title))


def _bib_name(name: str) -> str:
    """:func:`latex_escape`, with math in braces and a lone word ``and`` in braces, so
    BibTeX never splits the name there (at ``and``, a comma or a space)."""
    out = []
    for word in _words(name):
        value = "".join("{" + latex + "}" if kind == "math" else latex for kind, latex in word)
        out.append("{" + value + "}" if value.lower() == "and" else value)
    return " ".join(out)


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits only (``Émile`` -> ``emile``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", decomposed.encode("ascii", "ignore").decode().lower())


_AFFILIATION = re.compile(r"\s*\([^()]*\)\s*$")


def without_affiliation(name: str) -> str:
    """``Ada Lovelace (Example Lab)`` -> ``Ada Lovelace``: arXiv puts affiliations in
    parentheses after a name; BibTeX would take them for the last name."""
    stripped = _AFFILIATION.sub("", name)
    return stripped if stripped.strip() else name


def _last_name(name: str) -> str:
    name = without_affiliation(clean(name))
    if "," in name:
        return name.split(",", 1)[0]
    parts = name.split(" ")
    return parts[-1] if parts else ""


def paper_year(p: Paper) -> str | None:
    for value in (p.published, p.listed):
        if value and re.match(r"^\d{4}", value):
            return value[:4]
    match = re.match(r"^(\d{2})(\d{2})\.\d{4,5}$", p.id)
    if match:
        return f"20{match.group(1)}"
    return None


def base_key(p: Paper) -> str:
    """``dettmers2023qlora``: first author's last name, year, first significant title word."""
    author = ascii_fold(_last_name(p.authors[0])) if p.authors else ""
    words = [ascii_fold(w) for w in re.split(r"[\s:/]+", clean(p.title))]
    word = next((w for w in words if w and w not in _STOPWORDS), "")
    return f"{author or 'anon'}{paper_year(p) or ''}{word}" or "paper"


def bib_keys(papers: Sequence[Paper]) -> list[str]:
    """Unique keys, in the papers' order. On a clash the paper with the smallest id
    keeps the plain key and the others get their arXiv id appended, so a key does not
    depend on the order of the listing."""
    bases = [base_key(p) for p in papers]
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(bases):
        groups.setdefault(key, []).append(i)
    keys = list(bases)
    for key, members in groups.items():
        if len(members) < 2:
            continue
        ordered = sorted(members, key=lambda i: (papers[i].id, i))
        for i in ordered[1:]:
            keys[i] = f"{key}-{re.sub(r'[^A-Za-z0-9.]', '-', papers[i].id)}"
    seen: set[str] = set()
    for i, key in enumerate(keys):  # same id twice: letters
        candidate, n = key, 0
        while candidate in seen:
            n += 1
            candidate = f"{key}{chr(ord('a') + (n - 1) % 26)}{(n - 1) // 26 or ''}"
        keys[i] = candidate
        seen.add(candidate)
    return keys


def bibtex_entry(p: Paper, key: str) -> str:
    fields: list[tuple[str, str]] = [("title", bib_title(p.title) or "{(untitled)}")]
    if p.authors:
        fields.append(
            ("author", " and ".join(_bib_name(without_affiliation(a)) for a in p.authors))
        )
    year = paper_year(p)
    if year:
        fields.append(("year", year))
    if p.is_arxiv:
        fields += [("eprint", latex_escape(p.id)), ("archivePrefix", "arXiv")]
        primary = p.primary_category or (p.categories[0] if p.categories else None)
        if primary and _CATEGORY.match(primary):
            fields.append(("primaryClass", primary))
    url = safe_url(p.arxiv_url or p.url or p.project_page)
    if url:  # percent-encoded: no braces, backslashes or spaces; kept verbatim
        fields.append(("url", url))
    doi = clean(p.doi)
    if _DOI.match(doi):
        fields.append(("doi", doi))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def to_bibtex(papers: Sequence[Paper]) -> str:
    keys = bib_keys(papers)
    return "\n".join(bibtex_entry(p, k) for p, k in zip(papers, keys, strict=True))


# --- Atom -------------------------------------------------------------------------------

ATOM_NS = "http://www.w3.org/2005/Atom"
WATCH_SCHEME = "urn:papercli:watch"  # the scheme of the categories naming watch rules
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: object, *, one_line: bool = True) -> str:
    value = clean(text) if one_line else "\n\n".join(_paragraphs(str(text or "")))
    return _XML_INVALID.sub("", value)


def _rfc3339(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_times(p: Paper) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(published, updated): updated is the later of the arXiv date and the listing day."""
    published = _rfc3339(p.published)
    listed = _rfc3339(p.listed[:10] + "T00:00:00+00:00") if p.listed else None
    candidates = [t for t in (published, listed) if t is not None]
    return published, max(candidates) if candidates else None


def entry_id(p: Paper) -> str:
    """Stable: the arXiv abstract URL, or a UUID derived from the id."""
    return p.arxiv_url or uuid.uuid5(uuid.NAMESPACE_URL, f"papercli:paper:{p.id}").urn


def to_atom(
    papers: Sequence[Paper],
    meta: Meta,
    *,
    now: dt.datetime | None = None,
    rules: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """An Atom 1.0 feed; ``updated`` of the feed is the newest entry's (else ``now``).

    ``rules`` (paper id -> watch rule names) adds a category per rule to the entries.
    """
    import xml.etree.ElementTree as ET

    now = now or dt.datetime.now(dt.UTC)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    title = _xml_text(meta.heading) or "Papers"
    if meta.query.strip():
        title += f" ({_xml_text(meta.query)})"
    sub(feed, "title", title)
    sub(feed, "id", meta.feed_id)
    entries: list[tuple[Paper, dt.datetime]] = []
    seen: set[str] = set()
    for p in papers:  # an entry id appears once per feed
        if entry_id(p) in seen:
            continue
        seen.add(entry_id(p))
        _published, updated = entry_times(p)
        entries.append((p, updated or now))
    newest = max((u for _, u in entries), default=now)
    sub(feed, "updated", _stamp(newest))
    author = sub(feed, "author")
    sub(author, "name", "papercli")
    sub(feed, "generator", "papercli")
    for p, updated in entries:
        published, _ = entry_times(p)
        entry = sub(feed, "entry")
        sub(entry, "id", entry_id(p))
        sub(entry, "title", _xml_text(p.title) or "(untitled)", type="text")
        sub(entry, "updated", _stamp(updated))
        if published is not None:
            sub(entry, "published", _stamp(published))
        for name in p.authors:
            if _xml_text(name):
                sub(sub(entry, "author"), "name", _xml_text(name))
        main = safe_url(best_link(p))
        if main:
            sub(entry, "link", rel="alternate", type="text/html", href=main)
        related = [
            (safe_url(p.arxiv_url) if p.arxiv_url != best_link(p) else None, "text/html", "arXiv"),
            (safe_url(p.pdf_url), "application/pdf", "PDF"),
            (safe_url(p.github_url), "text/html", "Code"),
            (safe_url(p.project_page) if p.project_page != best_link(p) else None, "", "Project"),
        ]
        for href, kind, label in related:
            if href:
                attrs = {"rel": "related", "href": href, "title": label}
                if kind:
                    attrs["type"] = kind
                sub(entry, "link", **attrs)
        for category in p.categories:
            if _xml_text(category):
                sub(entry, "category", term=_xml_text(category))
        for rule in (rules or {}).get(p.id, ()):
            sub(entry, "category", term=_xml_text(rule), scheme=WATCH_SCHEME, label=f"watch {rule}")
        summary = _xml_text(p.abstract, one_line=False)
        if summary:
            sub(entry, "summary", summary, type="text")
    ET.indent(feed)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


# --- several groups (watch rules) in one document ---------------------------------------


@dataclass(frozen=True, slots=True)
class Group:
    """One part of a combined export: a watch rule, its query and the papers it matched."""

    name: str
    query: str
    papers: tuple[Paper, ...]


def _base_id(paper_id: str) -> str:
    return split_version(paper_id.strip())[0]


def combine(groups: Sequence[Group]) -> tuple[list[Paper], dict[str, list[str]]]:
    """Every paper once (by id without version), in the order of the groups and then of
    each group's papers, and for each kept paper's id the names of the groups it is in."""
    papers: list[Paper] = []
    names: dict[str, list[str]] = {}
    first: dict[str, str] = {}  # base id -> the id of the paper kept
    for group in groups:
        for p in group.papers:
            key = _base_id(p.id)
            if key not in first:
                first[key] = p.id
                papers.append(p)
            kept = names.setdefault(first[key], [])
            if group.name not in kept:
                kept.append(group.name)
    return papers, names


def to_markdown_groups(groups: Sequence[Group], meta: Meta, *, abstracts: bool = False) -> str:
    """A heading, then a section per group; each paper in full once, under its first
    group, with a line naming every group that matched it."""
    papers, names = combine(groups)
    count = len(papers)
    parts = [f"# {md_escape(meta.heading) or 'Papers'}", ""]
    parts += [f"{len(groups)} watch rules · {count} paper{'s' if count != 1 else ''}", ""]
    shown: set[str] = set()
    for group in groups:
        parts += [f"## {md_escape(group.name)}", ""]
        here = [p for p in group.papers if _base_id(p.id) not in shown]
        earlier = len(group.papers) - len(here)
        about = [f"Query: {md_escape(group.query)}"] if group.query.strip() else []
        n = len(group.papers)
        about.append(f"{n} paper{'s' if n != 1 else ''}")
        if earlier:
            about.append(f"{earlier} listed under an earlier rule")
        parts += [" · ".join(about), ""]
        for p in here:
            if _base_id(p.id) in shown:  # the same paper twice in one group
                continue
            shown.add(_base_id(p.id))
            rules = names.get(p.id, [])
            parts.append(markdown_entry(p, abstracts=abstracts, level=3, rules=rules))
    return "\n".join(parts).rstrip("\n") + "\n"


def render_groups(
    fmt: str,
    groups: Sequence[Group],
    meta: Meta,
    *,
    abstracts: bool = False,
    now: dt.datetime | None = None,
) -> str:
    """Several groups as one document of :data:`FORMATS`: every paper once (see
    :func:`combine`). Markdown with more than one group has a section per group; an
    Atom entry has a category per group that matched it; the other formats are the
    combined list of papers."""
    papers, names = combine(groups)
    if fmt == "md" and len(groups) > 1:
        return to_markdown_groups(groups, meta, abstracts=abstracts)
    if fmt == "atom":
        return to_atom(papers, meta, now=now, rules=names)
    return render(fmt, papers, meta, abstracts=abstracts, now=now)


def _sentence_case(heading: str) -> str:
    """The heading with a capital first letter, except names spelled in lower case
    ("arXiv cs.LG, 2025-07-15" stays as it is)."""
    if heading.startswith("arXiv"):
        return heading
    return heading[:1].upper() + heading[1:]
