"""The search index's text side: what a paper is as FTS5 columns, and a query as an
FTS5 MATCH expression (a prefilter that may over-approximate, never miss).

Pure functions over :mod:`papercli.query`; :mod:`papercli.storage.index` stores and
queries them.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable
from itertools import accumulate, compress

from papercli.models import Paper, split_version
from papercli.query import And, Node, Not, Or, Term, is_word_char, normalize, term_chars

TOKEN_CHARS = 6
MIN_PREFIX = 2  # shorter terms are not worth a prefix query
COLUMNS = ("title", "abstract", "authors", "org", "keywords", "cats", "pid")

_WORD_START = re.compile(r"(?<!\w)\w")
# ASCII characters other than letters, digits and the space become "_", the one extra
# token character of the FTS5 "ascii" tokenizer (it treats every non-ASCII character
# as part of a token), so that a token is never split.
_FTS_SAFE = {c: "_" for c in range(128) if not chr(c).isalnum() and chr(c) != " "}


def fts_safe(text: str) -> str:
    return text.translate(_FTS_SAFE)


def _raw_tokens(text: str) -> set[str]:
    # Chunks: the runs between separators; squashed: them joined. A chunk of letters
    # and digits only has one word start, its first character; other chunks (with
    # punctuation or "_") are searched for word starts inside.
    chunks = normalize(text).replace("-", " ").split()
    if not chunks:
        return set()
    squashed = "".join(chunks)
    offsets = [0, *accumulate(map(len, chunks))]
    plain = list(map(str.isalnum, chunks))
    tokens = {squashed[p : p + TOKEN_CHARS] for p in compress(offsets, plain)}
    for i in compress(range(len(chunks)), map(operator.not_, plain)):
        for match in _WORD_START.finditer(chunks[i]):
            p = offsets[i] + match.start()
            tokens.add(squashed[p : p + TOKEN_CHARS])
    return tokens


def start_tokens(text: str) -> set[str]:
    """The word-start tokens of one field's text (see the module docstring)."""
    if not text:
        return set()
    return {fts_safe(t) for t in _raw_tokens(text)}


def _field_doc(*texts: str) -> str:
    # Several texts (authors, keywords) are tokenised as one, joined by spaces: a token
    # may then run on into the next name, which can only over-approximate.
    return fts_safe(" ".join(_raw_tokens(" ".join(texts))))


def _cat_tokens(categories: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for c in categories:
        low = c.lower()
        out.add(fts_safe(low))
        out.add(fts_safe(low.split(".")[0]))
    return out


def paper_document(p: Paper) -> tuple[str, ...]:
    """The FTS row of one paper, in :data:`COLUMNS` order."""
    return (
        _field_doc(p.title),
        _field_doc(p.abstract),
        _field_doc(*p.authors),
        _field_doc(p.organization or ""),
        _field_doc(*p.ai_keywords),
        " ".join(_cat_tokens(p.categories)),
        fts_safe(p.id.lower()),
    )


# --- query -> FTS5 expression (an over-approximation, or None for "every row") ----------


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _text_expr(columns: str, text: str) -> str | None:
    chars = term_chars(text)
    if len(chars) < MIN_PREFIX or not is_word_char(chars[0]):
        return None
    token = fts_safe(chars[:TOKEN_CHARS])
    if len(chars) >= TOKEN_CHARS:
        return f"{columns} : {_quoted(token)}"
    return f"{columns} : {_quoted(token)}*"


_ONE_TOKEN = re.compile(r"[a-z0-9][a-z0-9.\-/]*")


def _term_expr(term: Term) -> str | None:
    if term.field == "cat":
        want = term.text.strip().lower()
        # One token only: a phrase ("cs lg") is not a prefilter FTS5 can run here.
        return f"cats : {_quoted(fts_safe(want))}" if _ONE_TOKEN.fullmatch(want) else None
    if term.field == "id":
        want = split_version(term.text.strip().lower().removeprefix("arxiv:"))[0]
        return f"pid : {_quoted(fts_safe(want))}*" if _ONE_TOKEN.fullmatch(want) else None
    if term.field == "author":
        parts = [e for w in term.text.split() if (e := _text_expr("authors", w))]
        return "(" + " AND ".join(parts) + ")" if parts else None
    column = {
        None: "{title abstract}",
        "title": "title",
        "abstract": "abstract",
        "org": "org",
        "keyword": "keywords",
    }[term.field]
    return _text_expr(column, term.text)


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


# --- the index file ---------------------------------------------------------------------
