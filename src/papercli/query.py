"""The query language: parsed once into a tree, then matched against papers.

Grammar (``OR`` binds looser than the implicit ``AND``)::

    query   := or_expr?
    or_expr := and_expr ("OR" and_expr)*
    and_expr:= unary ("AND"? unary)*
    unary   := ("-" | "NOT") unary | "(" or_expr ")" | [field ":"] (word | "phrase")

Fields: ``title``, ``abstract``/``abs``, ``author``/``au``, ``org``, ``cat``, ``id``,
``keyword``/``kw``. A term without a field matches the title or the abstract.

Matching is case-insensitive and Unicode-normalised (NFKC, dash variants become
``-``); a term matches at the start of a word, and a hyphen, white space or
nothing between its parts are alike: ``mini-batch`` = ``minibatch`` = ``mini batch``.
A term is a prefix, so ``batch`` finds ``batches``.

``Query.matches(paper)`` and ``Query.filter(papers)`` normalise each paper as they go.
A caller that matches the same papers again and again prepares them once with
:func:`prepare` and tests the :class:`QueryDocument` s with :meth:`Query.matcher`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from papercli.errors import UsageError
from papercli.models import Paper, Value, split_version

FIELDS = {
    "title": "title",
    "abstract": "abstract",
    "abs": "abstract",
    "author": "author",
    "au": "author",
    "org": "org",
    "cat": "cat",
    "id": "id",
    "keyword": "keyword",
    "kw": "keyword",
}
_DASHES = dict.fromkeys(
    map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"
)
MAX_DEPTH = 64  # nesting of parentheses and negations; deeper queries are usage errors
_SEPARATOR_RUN = re.compile(r"[\s\-]+")


def is_separator(ch: str) -> bool:
    """White space or a hyphen: what may stand, or not, between the parts of a term.

    The same set as the regex class ``[\\s\\-]`` (``\\s`` is ``str.isspace``).
    """
    return ch == "-" or ch.isspace()


def is_word_char(ch: str) -> bool:
    """The regex ``\\w`` (``str.isalnum`` or underscore): what words are made of."""
    return ch.isalnum() or ch == "_"


# Letters that carry their accent in the letter itself (no combining mark to drop).
_FOLDED = {**_DASHES, **{ord(k): v for k, v in {"ø": "o", "ł": "l", "đ": "d", "ı": "i"}.items()}}
_ACCENTS = re.compile("[\u0300-\u036f]")  # the combining diacritical marks block


def normalize(text: str) -> str:
    """The form text is matched in: NFKC, case-folded, every dash a hyphen, and
    Latin, Greek and Cyrillic accents dropped ("Schrödinger" and "Sedláček" match
    "schrodinger" and "sedlacek"). Only the combining diacritical marks are dropped:
    Japanese voicing marks, Indic vowel signs and the like stay."""
    if text.isascii():
        # ASCII is its own NFKC form, its case folding is lower(), and every character
        # _FOLDED maps is not ASCII: the same result, three times faster.
        return text.lower()
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not folded.isascii():
        folded = unicodedata.normalize(
            "NFC", _ACCENTS.sub("", unicodedata.normalize("NFD", folded))
        )
    return folded.translate(_FOLDED)


def squash(normalized: str) -> str:
    """``normalized`` without separators: the form in which ``mini-batch`` = ``minibatch``."""
    return _SEPARATOR_RUN.sub("", normalized)


def _normalize_mapped(text: str) -> tuple[str, list[int]]:
    """:func:`normalize`, plus for each output character the index it came from.

    A base character and the combining marks after it are normalised together.
    """
    out: list[str] = []
    index: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        chunk = text[i:j]
        norm = chunk.lower() if chunk.isascii() else normalize(chunk)
        out.append(norm)
        index.extend([i] * len(norm))
        i = j
    return "".join(out), index


def term_chars(text: str) -> str:
    """A term's text as it is matched: normalised and squashed."""
    return squash(normalize(text))


@lru_cache(maxsize=1024)
def term_pattern(text: str) -> re.Pattern[str] | None:
    """The regex for one term, or None when the term has nothing to match.

    It matches the term's characters with any separators between them, starting at
    the start of a word (when the term starts with a word character).
    """
    chars = term_chars(text)
    if not chars:
        return None
    body = r"[\s\-]*".join(re.escape(c) for c in chars)
    start = r"(?<!\w)" if is_word_char(chars[0]) else ""
    return re.compile(start + body)


# --- the tree ---------------------------------------------------------------


class Term(Value):
    """A word or "phrase", of one field (``au:``, ``title:`` ...) or of the default ones."""

    __slots__ = ("field", "text", "phrase")  # noqa: RUF023  (the order of the fields)
    __match_args__ = __slots__
    field: str | None
    text: str
    phrase: bool

    def __init__(self, field: str | None, text: str, phrase: bool = False) -> None:
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "phrase", phrase)


class Not(Value):
    __slots__ = ("child",)
    __match_args__ = __slots__
    child: Node

    def __init__(self, child: Node) -> None:
        object.__setattr__(self, "child", child)


class And(Value):
    __slots__ = ("children",)
    __match_args__ = __slots__
    children: tuple[Node, ...]

    def __init__(self, children: tuple[Node, ...]) -> None:
        object.__setattr__(self, "children", children)


class Or(Value):
    __slots__ = ("children",)
    __match_args__ = __slots__
    children: tuple[Node, ...]

    def __init__(self, children: tuple[Node, ...]) -> None:
        object.__setattr__(self, "children", children)


Node = Term | Not | And | Or


# --- tokens and parsing -------------------------------------------------------


class _Tok(Value):
    __slots__ = ("kind", "pos", "field", "text", "phrase")  # noqa: RUF023
    __match_args__ = __slots__
    kind: str  # "(", ")", "OR", "AND", "NOT", "-", "TERM"
    pos: int
    field: str | None
    text: str
    phrase: bool

    def __init__(
        self, kind: str, pos: int, field: str | None = None, text: str = "", phrase: bool = False
    ) -> None:
        for name, value in zip(self.__slots__, (kind, pos, field, text, phrase), strict=True):
            object.__setattr__(self, name, value)


def _error(query: str, pos: int, what: str) -> UsageError:
    # One line, nothing a terminal acts on; each odd character becomes one space,
    # so the column still points at the right place.
    shown = "".join(" " if c.isspace() or unicodedata.category(c)[0] == "C" else c for c in query)
    return UsageError(f"Invalid query: {what} at column {pos + 1}: {shown}")


def _check_not_a_misspelled_field(query: str, pos: int, name: str) -> None:
    """``titel:foo`` is a slip for ``title:foo``, not text to search for: say so.

    Only names of four letters or more, against the long field names: ``did:web``,
    ``orgs:`` or ``ab:initio`` are too close to ``id``, ``org`` or ``abs`` to guess."""
    import difflib

    if len(name) < 4:
        return
    long_fields = [f for f in FIELDS if len(f) >= 4]
    close = difflib.get_close_matches(name.lower(), long_fields, n=1, cutoff=0.75)
    if close:
        raise _error(
            query,
            pos,
            f"unknown field '{name}:' (did you mean '{close[0]}:'? "
            f'quote it, "{name}:...", to search for the text)',
        )


def _tokenize(query: str, strict: bool = False) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            toks.append(_Tok(ch, i))
            i += 1
            continue
        start = i
        if ch == "-" and i + 1 < n and not query[i + 1].isspace():
            toks.append(_Tok("-", i))
            i += 1
            continue
        field = None
        match = re.match(r"([A-Za-z]+):", query[i:])
        if strict and match and match.group(1).lower() not in FIELDS:
            _check_not_a_misspelled_field(query, start, match.group(1))
        if match and match.group(1).lower() in FIELDS:
            field = FIELDS[match.group(1).lower()]
            i += match.end()
            if i >= n or query[i].isspace() or query[i] == ")":
                raise _error(query, start, f"empty field '{match.group(0)}'")
            if query[i] == "(":  # title:(a OR b): the field applies to the group
                toks.append(_Tok("(", start, field))
                i += 1
                continue
        if query[i] == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise _error(query, i, "unbalanced quote")
            text = query[i + 1 : end]
            if not text.strip():
                raise _error(query, i, "empty phrase")
            toks.append(_Tok("TERM", start, field, text, True))
            i = end + 1
            continue
        j = i
        while j < n and not query[j].isspace() and query[j] not in '()"':
            j += 1
        word = query[i:j]
        if j < n and query[j] == '"' and not word:
            raise _error(query, j, "unbalanced quote")
        if field is None and word in ("OR", "AND", "NOT"):
            toks.append(_Tok(word, start))
        elif word:
            toks.append(_Tok("TERM", start, field, word))
        i = j
    return toks


def _joinable(prev: Node | None, node: Node) -> bool:
    """Two words (not phrases) of the same field, or of none, side by side."""
    return (
        isinstance(prev, Term)
        and isinstance(node, Term)
        and not prev.phrase
        and not node.phrase
        and prev.field == node.field
        and prev.field not in ("cat", "id")
    )


def _join_neighbours(children: list[Node]) -> tuple[Node, ...]:
    """``mini batch`` also finds "minibatch": a plain word is found on its own, or
    joined to the plain word before it (as the phrase of the two). (Joined to the
    word after it, it is also found on its own, so that case needs no term.) The
    same holds for two words of one field (``title:(mini batch)``)."""
    out: list[Node] = []
    for i, node in enumerate(children):
        prev = children[i - 1] if i > 0 else None
        if _joinable(prev, node):
            joined = Term(node.field, f"{prev.text} {node.text}", True)  # type: ignore[union-attr]
            out.append(Or((node, joined)))
        else:
            out.append(node)
    return tuple(out)


class _Parser:
    def __init__(self, query: str, strict: bool = False) -> None:
        self.query = query
        self.toks = _tokenize(query, strict)
        self.i = 0
        self.depth = 0
        self.field: str | None = None  # inside field:( ... ), that field

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def end_pos(self) -> int:
        return len(self.query)

    def parse(self) -> Node | None:
        if not self.toks:
            return None
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:
            raise _error(self.query, tok.pos, "unbalanced ')'")
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            if self.peek() is None or self.peek().kind in (")", "OR"):  # type: ignore[union-attr]
                raise _error(self.query, tok.pos, "nothing after OR")
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.unary()]
        while (tok := self.peek()) is not None and tok.kind not in (")", "OR"):
            if tok.kind == "AND":
                self.take()
                if self.peek() is None or self.peek().kind in (")", "OR"):  # type: ignore[union-attr]
                    raise _error(self.query, tok.pos, "nothing after AND")
                continue
            children.append(self.unary())
        if len(children) == 1:
            return children[0]
        return And(_join_neighbours(children))

    def unary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise _error(self.query, self.end_pos(), "missing term")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _error(self.query, tok.pos, f"nested more than {MAX_DEPTH} deep")
            return self._unary(tok)
        finally:
            self.depth -= 1

    def _unary(self, tok: _Tok) -> Node:
        if tok.kind in ("-", "NOT"):
            self.take()
            if self.peek() is None or self.peek().kind in (")", "OR", "AND"):  # type: ignore[union-attr]
                raise _error(self.query, tok.pos, f"nothing after {tok.kind}")
            return Not(self.unary())
        if tok.kind == "(":
            self.take()
            if self.peek() is not None and self.peek().kind == ")":  # type: ignore[union-attr]
                raise _error(self.query, tok.pos, "empty parentheses")
            if tok.field is not None and self.field is not None:
                raise _error(self.query, tok.pos, f"a field inside {self.field}:( )")
            outer, self.field = self.field, tok.field or self.field
            try:
                node = self.or_expr()
            finally:
                self.field = outer
            close = self.peek()
            if close is None or close.kind != ")":
                raise _error(self.query, tok.pos, "unbalanced '('")
            self.take()
            return node
        if tok.kind == "TERM":
            self.take()
            if tok.field is not None and self.field is not None:
                raise _error(self.query, tok.pos, f"a field inside {self.field}:( )")
            field = tok.field or self.field
            if field not in ("cat", "id") and not term_chars(tok.text):
                raise _error(self.query, tok.pos, f"nothing to match in {tok.text!r}")
            return Term(field, tok.text, tok.phrase)
        if tok.kind == ")":
            raise _error(self.query, tok.pos, "unbalanced ')'")
        raise _error(self.query, tok.pos, f"{tok.kind} without a term before it")


# --- matching -----------------------------------------------------------------


class QueryDocument:
    """One paper as the query language sees it: its fields normalised (see
    :func:`normalize`), each computed on first use and then kept.

    Build one per paper with :func:`prepare` and test it with the predicate from
    :meth:`Query.matcher`: a caller that matches the same papers against many queries
    (a filter re-run at every key typed) normalises each paper once. ``text(name)``
    gives ``"title"``, ``"abstract"`` or ``"org"``; ``many(name)`` gives ``"author"``
    or ``"keyword"``.
    """

    __slots__ = ("_cache", "paper")

    def __init__(self, paper: Paper) -> None:
        self.paper = paper
        self._cache: dict[str, object] = {}

    def text(self, name: str) -> str:
        value = self._cache.get(name)
        if value is None:
            p = self.paper
            raw = {"title": p.title, "abstract": p.abstract, "org": p.organization or ""}[name]
            value = self._cache[name] = normalize(raw)
        return value  # type: ignore[return-value]

    def many(self, name: str) -> list[str]:
        value = self._cache.get(name)
        if value is None:
            items = self.paper.authors if name == "author" else self.paper.ai_keywords
            value = self._cache[name] = [normalize(x) for x in items]
        return value  # type: ignore[return-value]


_Doc = QueryDocument  # the former private name, kept for existing callers

Matcher = Callable[[QueryDocument], bool]


def prepare(paper: Paper) -> QueryDocument:
    """``paper`` ready for :meth:`Query.matcher`'s predicate (normalised lazily, once)."""
    return QueryDocument(paper)


def _term_matcher(term: Term) -> Matcher:
    if term.field == "cat":
        want = term.text.strip().lower()
        return lambda d: any(
            c.lower() == want or c.lower().split(".")[0] == want for c in d.paper.categories
        )
    if term.field == "id":
        want = split_version(term.text.strip().lower().removeprefix("arxiv:"))[0]
        return lambda d: d.paper.id.lower().startswith(want)
    if term.field == "author":
        words = [p for w in term.text.split() if (p := term_pattern(w)) is not None]
        if not words:
            return lambda d: True
        return lambda d: any(all(w.search(a) for w in words) for a in d.many("author"))
    pattern = term_pattern(term.text)
    if pattern is None:
        return lambda d: True
    search = pattern.search
    if term.field == "keyword":
        return lambda d: any(search(k) for k in d.many("keyword"))
    if term.field in ("title", "abstract", "org"):
        name = term.field
        return lambda d: search(d.text(name)) is not None
    return lambda d: search(d.text("title")) is not None or search(d.text("abstract")) is not None


def _compile(node: Node) -> Matcher:
    if isinstance(node, Term):
        return _term_matcher(node)
    if isinstance(node, Not):
        inner = _compile(node.child)
        return lambda d: not inner(d)
    parts = [_compile(c) for c in node.children]
    if isinstance(node, And):
        return lambda d: all(p(d) for p in parts)
    return lambda d: any(p(d) for p in parts)


def _positive_terms(node: Node | None, negated: bool = False) -> Iterable[Term]:
    if node is None:
        return
    if isinstance(node, Term):
        if not negated:
            yield node
    elif isinstance(node, Not):
        yield from _positive_terms(node.child, not negated)
    else:
        for child in node.children:
            yield from _positive_terms(child, negated)


@dataclass(frozen=True)
class Query:
    """A parsed query. ``Query.parse("")`` matches everything."""

    text: str
    tree: Node | None

    @classmethod
    def parse(cls, text: str | None, *, strict: bool = False) -> Query:
        """Parse a query. ``strict`` (queries the user is typing now): a word that looks
        like a misspelled field (``titel:x``) is a usage error. Saved queries (watch
        rules) are read without it, so that a rule that worked keeps working."""
        text = text or ""
        return cls(text, _Parser(text, strict).parse())

    @property
    def is_empty(self) -> bool:
        return self.tree is None

    def matches(self, paper: Paper) -> bool:
        return self.matcher()(QueryDocument(paper))

    def filter(self, papers: Iterable[Paper]) -> list[Paper]:
        if self.tree is None:
            return list(papers)
        predicate = self.matcher()
        return [p for p in papers if predicate(QueryDocument(p))]

    def matcher(self) -> Matcher:
        """The query as a predicate over prepared papers (see :func:`prepare`):
        ``query.matcher()(prepare(paper)) == query.matches(paper)``. Compiled on the
        first call and kept, so calling it again costs nothing. An empty query's
        predicate is always True."""
        cached = self.__dict__.get("_compiled")
        if cached is None:
            cached = _compile(self.tree) if self.tree is not None else (lambda d: True)
            object.__setattr__(self, "_compiled", cached)
        return cached

    @property
    def _predicate(self) -> Matcher:
        """The former private name of :meth:`matcher`."""
        return self.matcher()

    def terms(self, *fields: str | None) -> list[Term]:
        """Terms that are not negated, of the given fields (None: unfielded)."""
        return [t for t in _positive_terms(self.tree) if t.field in fields]

    def highlight_spans(self, text: str, field: str = "title") -> list[tuple[int, int]]:
        """(start, end) spans of ``text`` matched by the query's positive terms."""
        terms = self.terms(None, field)
        if not terms or not text:
            return []
        if text.isascii():  # normalising ASCII only lowers it: offsets are unchanged
            normed, index = text.lower(), None
        else:
            normed, index = _normalize_mapped(text)
        spans: list[tuple[int, int]] = []
        for term in terms:
            pattern = term_pattern(term.text)
            if pattern is None:
                continue
            for m in pattern.finditer(normed):
                if m.end() > m.start():
                    if index is None:
                        spans.append((m.start(), m.end()))
                    else:
                        spans.append((index[m.start()], index[m.end() - 1] + 1))
        return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
