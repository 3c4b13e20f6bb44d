"""Reading a researcher's BibTeX library (a Zotero or Better BibTeX export): the entries,
and the arXiv id of each where it has one. Pure: text in, entries out.

The reader is tolerant, as exports vary: ``@type{key, field = {value}``, ``"value"``
or a bare number/macro, nested braces, ``#`` concatenation, ``@comment``,
``@string`` and ``@preamble`` (skipped). An entry it cannot read is skipped and
counted, never a reason to stop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from papercli.ids import is_paper_id
from papercli.models import split_version
from papercli.text import clean, tex_to_unicode

_AT = re.compile(r"@\s*([A-Za-z]+)\s*([{(])")
_FIELD_NAME = re.compile(r"\s*([A-Za-z][\w\-:.]*)\s*=\s*")
_ARXIV_URL = re.compile(
    r"arxiv\.org/(?:abs|pdf)/([a-z\-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})(?:v\d+)?", re.I
)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.([a-z\-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})", re.I)
_ARXIV_TEXT = re.compile(r"arxiv:\s*([a-z\-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})(?:v\d+)?", re.I)
_BRACES = re.compile(r"[{}]")


@dataclass
class BibEntry:
    kind: str
    key: str
    fields: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.fields.get(name, "")

    @property
    def title(self) -> str:
        return _plain(self.get("title"))

    @property
    def authors(self) -> tuple[str, ...]:
        names = re.split(r"\s+and\s+", self.get("author"))
        return tuple(_name(n) for n in names if n.strip())

    @property
    def abstract(self) -> str:
        return _plain(self.get("abstract"))

    @property
    def keywords(self) -> tuple[str, ...]:
        words = re.split(r"[,;]", _plain(self.get("keywords")))
        return tuple(w.strip() for w in words if w.strip())

    def arxiv_id(self) -> str | None:
        """The arXiv id this entry names: its eprint (arXiv archive prefix or an id-shaped
        eprint), an arxiv.org URL, a 10.48550/arXiv DOI, or "arXiv:ID" in its text."""
        eprint = _plain(self.get("eprint"))
        prefix = _plain(self.get("archiveprefix") or self.get("eprinttype")).lower()
        candidates = []
        if eprint and prefix in ("", "arxiv"):
            candidates.append(eprint.removeprefix("arXiv:").removeprefix("arxiv:"))
        for name in ("url", "doi", "howpublished", "journal", "note", "eprint"):
            value = self.get(name)
            for pattern in (_ARXIV_URL, _ARXIV_DOI, _ARXIV_TEXT):
                candidates += pattern.findall(value)
        for candidate in candidates:
            paper_id = split_version(candidate.strip())[0]
            if is_paper_id(paper_id):
                return paper_id
        return None


def _plain(value: str) -> str:
    """A field's text without TeX grouping braces, accents as Unicode, one line."""
    return clean(_BRACES.sub("", tex_to_unicode(value)))


def _name(value: str) -> str:
    """``Last, First`` -> ``First Last``; braces and TeX accents resolved."""
    text = _plain(value)
    if "," in text:
        last, _, first = text.partition(",")
        text = f"{first.strip()} {last.strip()}".strip()
    return text


def _value(text: str, i: int) -> tuple[str, int]:
    """One field value starting at ``text[i]`` (braces, quotes, or a bare word, joined by
    ``#``); returns the value and the index after it."""
    parts: list[str] = []
    n = len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        ch = text[i]
        if ch == "{":
            depth, start = 0, i + 1
            while i < n:
                if text[i] == "\\":
                    i += 2
                    continue
                if text[i] == "{":
                    depth += 1
                elif text[i] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            parts.append(text[start:i])
            i += 1
        elif ch == '"':
            start = i + 1
            i += 1
            depth = 0
            while i < n and not (text[i] == '"' and depth == 0):
                if text[i] == "\\":
                    i += 2
                    continue
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
            parts.append(text[start:i])
            i += 1
        else:
            start = i
            while i < n and text[i] not in ",#})\n":
                i += 1
            parts.append(text[start:i].strip())
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] == "#":
            i += 1
            continue
        break
    return "".join(parts), i


def parse(text: str) -> tuple[list[BibEntry], int]:
    """Every entry of a BibTeX file, and how many could not be read."""
    entries: list[BibEntry] = []
    broken = 0
    pos = 0
    while True:
        match = _AT.search(text, pos)
        if match is None:
            break
        kind = match.group(1).lower()
        closer = "}" if match.group(2) == "{" else ")"
        i = match.end()
        if kind in ("comment", "string", "preamble"):
            _, pos = _value(text, match.end() - 1) if closer == "}" else ("", i)
            pos = max(pos, i)
            continue
        comma = text.find(",", i)
        if comma < 0:
            broken += 1
            break
        key = text[i:comma].strip()
        entry = BibEntry(kind, key)
        i = comma + 1
        try:
            while True:
                while i < len(text) and text[i] in " \t\r\n,":
                    i += 1
                if i >= len(text) or text[i] == closer:
                    i += 1
                    break
                field_match = _FIELD_NAME.match(text, i)
                if field_match is None:
                    raise ValueError(f"unreadable field in {key!r}")
                value, i = _value(text, field_match.end())
                entry.fields[field_match.group(1).lower()] = value
        except (ValueError, IndexError):
            broken += 1
            nxt = _AT.search(text, i)
            pos = nxt.start() if nxt else len(text)
            continue
        entries.append(entry)
        pos = i
    return entries, broken
