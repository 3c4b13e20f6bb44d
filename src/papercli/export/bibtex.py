"""BibTeX: an ``@misc`` entry per paper, with keys such as ``dettmers2023qlora``.

Field text goes through :func:`~papercli.export.latex.latex_escape` (LaTeX that is
valid and harmless is kept, every other special escaped, braces balanced); capitals are
protected word by word. By default non-ASCII text is written as LaTeX (accents, math),
so pdflatex with BibTeX or biber typesets it; ``encoding="utf8"`` keeps it as UTF-8
(biber with XeLaTeX or LuaLaTeX). Characters without a LaTeX form become ``?`` and a
comment line before the entry names them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from papercli.export.common import safe_url
from papercli.export.latex import TexNotes, latex_escape, latex_words
from papercli.models import Paper
from papercli.text import clean

if TYPE_CHECKING:
    import datetime as dt

    from papercli.export.common import Meta

ENCODINGS = ("latex", "utf8")  # BibTeX's: LaTeX for pdflatex (the default), or UTF-8
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


def _protect(word: str) -> str:
    if not any(c.isupper() for c in word):
        return word
    # A group starting with a backslash is a BibTeX "special character" whose
    # letters styles may still recase; an empty group first prevents that.
    return "{{}" + word + "}" if word.startswith("\\") else "{" + word + "}"


def bib_title(title: str, *, utf8: bool = False, notes: TexNotes | None = None) -> str:
    """:func:`latex_escape`, with every word that has a capital (math included) in
    braces so styles keep its case: ``{BERT}``, ``{$K_8$}``, ``{{}\\"Over}``. Braces go
    around a word, never inside math."""
    words = latex_words(title, utf8=utf8, notes=notes)
    return " ".join(_protect("".join(latex for _, latex in w)) for w in words)


def _bib_name(name: str, *, utf8: bool = False, notes: TexNotes | None = None) -> str:
    """:func:`latex_escape`, with math in braces and a lone word ``and`` in braces, so
    BibTeX never splits the name there (at ``and``, a comma or a space)."""
    out = []
    for word in latex_words(name, utf8=utf8, notes=notes):
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


def bibtex_entry(
    p: Paper, key: str, *, encoding: str = "latex", notes: TexNotes | None = None
) -> str:
    """One ``@misc`` entry; ``notes`` collects what the LaTeX encoding could not write,
    and a ``%`` line before the entry says so (in ASCII: the code points)."""
    utf8 = encoding == "utf8"
    mine = TexNotes()
    fields: list[tuple[str, str]] = [
        ("title", bib_title(p.title, utf8=utf8, notes=mine) or "{(untitled)}")
    ]
    if p.authors:
        names = [_bib_name(without_affiliation(a), utf8=utf8, notes=mine) for a in p.authors]
        fields.append(("author", " and ".join(names)))
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
    if notes is not None:
        notes.unmapped.update(mine.unmapped)
        notes.lossy.update(mine.lossy)
        notes.undeclared.update(mine.undeclared)
    return _note(mine) + f"@misc{{{key},\n{body}\n}}\n"


def _codes(chars: dict[str, None]) -> str:
    return " ".join(" ".join(f"U+{ord(c):04X}" for c in char) for char in chars)


def _note(notes: TexNotes) -> str:
    """``%`` lines (outside any entry: BibTeX and biber skip them) on what LaTeX lost."""
    lines = []
    if notes.unmapped:
        lines.append(
            f"% papercli: written as ? (no LaTeX form for pdflatex): {_codes(notes.unmapped)};"
            " --bib-encoding utf8 keeps them"
        )
    if notes.lossy:
        lost = _codes(notes.lossy)
        lines.append(f"% papercli: accents LaTeX has no command for left out: {lost}")
    return "".join(line + "\n" for line in lines)


def _preamble(undeclared: dict[str, str]) -> str:
    """An ``@preamble`` declaring the letters biber hands pdflatex that LaTeX does not
    declare (biber turns ``{\\c{e}}`` into U+0229). It acts only where it can: in a
    document's preamble (biblatex reads the ``.bbl`` there), and not with XeLaTeX or
    LuaLaTeX (no ``\\DeclareUnicodeCharacter``) or BibTeX (whose ``.bbl`` is read in the
    body, where the accents are still LaTeX)."""
    declarations = "".join(
        f"\\DeclareUnicodeCharacter{{{ord(c):04X}}}{{{latex}}}"
        for c, latex in sorted(undeclared.items())
    )
    return (
        "% papercli: letters LaTeX does not declare, for biber with pdflatex\n"
        '@preamble{"\\ifx\\DeclareUnicodeCharacter\\undefined\\else'
        "\\expandafter\\ifx\\csname @notprerr\\endcsname\\DeclareUnicodeCharacter\\else"
        f'{declarations}\\fi\\fi"}}\n\n'
    )


def to_bibtex(papers: Sequence[Paper], *, encoding: str = "latex") -> str:
    """The papers as BibTeX entries; ``encoding`` is one of :data:`ENCODINGS`."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown BibTeX encoding {encoding!r}")
    keys = bib_keys(papers)
    notes = TexNotes()
    entries = [
        bibtex_entry(p, k, encoding=encoding, notes=notes)
        for p, k in zip(papers, keys, strict=True)
    ]
    text = "\n".join(entries)
    return _preamble(notes.undeclared) + text if notes.undeclared else text


# --- the registry's entry point (see papercli.export) -------------------------------------


def render(
    papers: Sequence[Paper], meta: Meta, *, abstracts: bool = False, now: dt.datetime | None = None
) -> str:
    return to_bibtex(papers, encoding=meta.bib_encoding)
