"""The search index's text side: what a paper is as an FTS5 document, and a query as an
FTS5 MATCH expression (a prefilter that may over-approximate, never miss).

The hyphen/space-insensitive, word-start prefix semantics of :mod:`papercli.query`
make ordinary word tokens unsuitable (``minibatch`` must find "mini-batch", and
``mini-batch`` must find "minibatch"), so text is indexed as *word-start tokens*: for
every position where a word starts, the next :data:`TOKEN_CHARS` characters of the
text with separators (white space and hyphens) removed. A term matches at a word
start exactly when the separator-free text there begins with the separator-free
term, so

* a term of at most ``TOKEN_CHARS`` characters matches only papers having a token
  that begins with it (an FTS5 prefix query), and
* a longer term matches only papers having its first ``TOKEN_CHARS`` characters as
  a token.

Both can only over-approximate (tokens map ASCII punctuation to ``_``, and long
terms are cut), never miss. Negations, terms that do not start with a word
character and one-character terms are not prefiltered (every paper passes).

A paper is one FTS5 document of one column (the table has ``detail=none``: no
positions and no column lists, which makes it less than half the size of a
per-column table). The title and the abstract give plain tokens (a term without a
field and ``abs:`` look them up: a superset for the second); every field also gives
tokens behind a marker, ``~t`` (title: ``title:``, and the relevance order's bound),
``~a`` (authors), ``~o`` (organization), ``~k`` (keywords), ``~c`` (categories) and
``~i`` (the id). ``~``
is a token character of the table, and never one of a token otherwise (text maps
it to ``_``).

Pure functions over :mod:`papercli.query`; :mod:`papercli.storage.index` stores and
queries them.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable
from itertools import accumulate, compress, repeat

from papercli.models import Paper, split_version
from papercli.query import And, Node, Not, Or, Term, is_word_char, normalize, term_chars

TOKEN_CHARS = 6
MIN_PREFIX = 2  # shorter terms are not worth a prefix query
TOKENIZER = "ascii tokenchars '_~'"
MARKS = {"title": "~t", "author": "~a", "org": "~o", "keyword": "~k", "cat": "~c", "id": "~i"}

# ASCII characters other than letters, digits and the space become "_", the one extra
# token character of the FTS5 "ascii" tokenizer besides the marker (it treats every
# non-ASCII character as part of a token), so that a token is never split.
_FTS_SAFE = {c: "_" for c in range(128) if not chr(c).isalnum() and chr(c) != " "}
_WORD_START = re.compile(r"(?<!\w)\w")
_TRAILING = ",.;:)"  # punctuation that ends words, most often


def fts_safe(text: str) -> str:
    return text.translate(_FTS_SAFE)


def _raw_tokens(text: str) -> set[str]:
    """The word-start tokens of normalised ``text``."""
    # Chunks: the runs between separators; squashed: them joined. A chunk of letters
    # and digits only (but for trailing punctuation, as in "models," or "task.") has
    # one word start, its first character; other chunks (with punctuation or "_"
    # before or inside) are searched for word starts inside.
    chunks = text.replace("-", " ").split()
    if not chunks:
        return set()
    squashed = "".join(chunks)
    offsets = [0, *accumulate(map(len, chunks))]
    plain = list(map(str.isalnum, map(str.rstrip, chunks, repeat(_TRAILING))))
    tokens = {squashed[p : p + TOKEN_CHARS] for p in compress(offsets, plain)}
    for i in compress(range(len(chunks)), map(operator.not_, plain)):
        for match in _WORD_START.finditer(chunks[i]):
            p = offsets[i] + match.start()
            tokens.add(squashed[p : p + TOKEN_CHARS])
    return tokens


def _field_tokens(*texts: str) -> str:
    """The tokens of a field, space-separated (FTS-safe). Several texts (authors,
    keywords) are tokenised as one, joined by spaces: a token may then run on into
    the next name, which can only over-approximate."""
    return fts_safe(" ".join(_raw_tokens(normalize(" ".join(texts)))))


def start_tokens(text: str) -> set[str]:
    """The word-start tokens of one field's text (see the module docstring)."""
    found = _field_tokens(text)
    return set(found.split(" ")) if found else set()


def _marked(mark: str, tokens: Iterable[str] | str) -> str:
    if isinstance(tokens, str):
        return mark + tokens.replace(" ", " " + mark) if tokens else ""
    return " ".join(mark + t for t in tokens)


WHOLE_CHARS = 64  # a category or an id is one token, cut to this length


def _whole(text: str) -> str:
    """A category or id as one token: FTS-safe, no white space (a separator to FTS5:
    any there is a "_"), and cut (FTS5 cuts tokens too long; cut alike on both sides,
    an equal token means the same first characters)."""
    return fts_safe("_".join(text.split()))[:WHOLE_CHARS]


def _cat_tokens(categories: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for c in categories:
        low = c.lower()
        out.add(_whole(low))
        out.add(_whole(low.split(".")[0]))
    return out


def paper_document(p: Paper) -> str:
    """The FTS document of one paper (see the module docstring)."""
    title = _field_tokens(p.title)
    parts = (
        title,
        _field_tokens(p.abstract),
        _marked("~t", title),
        _marked("~a", _field_tokens(*p.authors)),
        _marked("~o", _field_tokens(p.organization or "")),
        _marked("~k", _field_tokens(*p.ai_keywords)),
        _marked("~c", _cat_tokens(p.categories)),
        "~i" + _whole(p.id.lower()),
    )
    return " ".join(part for part in parts if part)


# --- query -> FTS5 expression (an over-approximation, or None for "every paper") -------


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _text_expr(mark: str, text: str) -> str | None:
    chars = term_chars(text)
    if len(chars) < MIN_PREFIX or not is_word_char(chars[0]):
        return None
    token = mark + fts_safe(chars[:TOKEN_CHARS])
    if len(chars) >= TOKEN_CHARS:
        return _quoted(token)
    return f"{_quoted(token)}*"


_ONE_TOKEN = re.compile(r"[a-z0-9][a-z0-9.\-/]*")


def _term_expr(term: Term) -> str | None:
    if term.field == "cat":
        want = term.text.strip().lower()
        # One token only: a phrase ("cs lg") is not a prefilter FTS5 can run here.
        return _quoted("~c" + _whole(want)) if _ONE_TOKEN.fullmatch(want) else None
    if term.field == "id":
        want = split_version(term.text.strip().lower().removeprefix("arxiv:"))[0]
        return f"{_quoted('~i' + _whole(want))}*" if _ONE_TOKEN.fullmatch(want) else None
    if term.field == "author":
        parts = [e for w in term.text.split() if (e := _text_expr("~a", w))]
        return "(" + " AND ".join(parts) + ")" if parts else None
    mark = MARKS.get(term.field or "", "")  # abstract, none: the plain tokens
    return _text_expr(mark, term.text)


def document_tokens(doc: str) -> set[str]:
    """The tokens FTS5 makes of a :func:`paper_document` (each once): space is the one
    separator left in it (:func:`fts_safe`), and it is already lower case."""
    tokens = set(doc.split(" "))
    tokens.discard("")
    return tokens


_LEAF = re.compile(r'"((?:[^"]|"")*)"(\*?)')


def expression_terms(expr: str) -> list[tuple[str, bool]]:
    """The tokens an expression of :func:`fts_expression` looks up: (token, a prefix?)."""
    return [(m.group(1).replace('""', '"'), bool(m.group(2))) for m in _LEAF.finditer(expr)]


def fts_expression(node: Node | None) -> str | None:
    """An FTS5 MATCH expression every matching paper satisfies, or None (no prefilter)."""
    if node is None or isinstance(node, Not):
        return None
    if isinstance(node, Term):
        return _term_expr(node)
    parts = [fts_expression(c) for c in node.children]
    if isinstance(node, And):
        kept = [p for p in parts if p is not None]
        return "(" + " AND ".join(kept) + ")" if kept else None
    assert isinstance(node, Or)
    if any(p is None for p in parts):
        return None
    return "(" + " OR ".join(parts) + ")"  # type: ignore[arg-type]
