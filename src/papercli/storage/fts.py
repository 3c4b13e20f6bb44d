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
queries them. :func:`paper_documents` makes many papers' documents at once with
numpy (imported there only), for the index's helper processes: the same tokens as
:func:`paper_document`, which ``tests/test_fast_equivalents.py`` checks.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Iterable
from itertools import accumulate, chain, compress, repeat
from typing import Any

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


def start_tokens(text: str) -> set[str]:
    """The word-start tokens of one field's text (see the module docstring)."""
    found = _group_tokens([normalize(text)])
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


def _fields(p: Paper) -> tuple[tuple[str, ...], ...]:
    """The texts whose word-start tokens make the parts of a paper's document, in
    groups: each text is tokenised alone (no token runs on from one into the next), and
    a group's tokens are kept once. The words (title and abstract), the title, the
    authors, the organization, the AI keywords. The authors are one text, and so are
    the keywords: a token may run on into the next name."""
    return (
        (p.title, p.abstract),
        (p.title,),
        (" ".join(p.authors),),
        (p.organization or "",),
        (" ".join(p.ai_keywords),),
    )


FIELD_MARKS = ("", MARKS["title"], MARKS["author"], MARKS["org"], MARKS["keyword"])


def _group_tokens(texts: Iterable[str], mark: str = "") -> str:
    """The tokens of a group of :func:`_fields` (normalised texts), space-separated,
    FTS-safe and each behind ``mark``."""
    return _marked(mark, fts_safe(" ".join(set().union(*map(_raw_tokens, texts)))))


def _document(p: Paper, parts: Iterable[str]) -> str:
    """The FTS document of ``p`` from the marked tokens of the groups of :func:`_fields`."""
    cats = _marked("~c", _cat_tokens(p.categories))
    return " ".join(filter(None, (*parts, cats, "~i" + _whole(p.id.lower()))))


def paper_document(p: Paper) -> str:
    """The FTS document of one paper (see the module docstring)."""
    groups = zip(_fields(p), FIELD_MARKS, strict=True)
    return _document(p, (_group_tokens(map(normalize, texts), mark) for texts, mark in groups))


def paper_documents(papers: list[Paper]) -> list[str]:
    """:func:`paper_document` of each paper (the same tokens, in another order), for many
    papers at once: their ASCII texts are tokenised together by numpy (about twice as
    fast; a big update's helper processes use it), the others one by one.

    Only the set of tokens counts: the FTS table keeps no positions and no column
    sizes (``detail=none, columnsize=0``), so a document inserted from this and
    deleted with :func:`paper_document`'s (index_update) leaves nothing behind."""
    tokens = _batch_tokens([texts for p in papers for texts in _fields(p)], FIELD_MARKS)
    k = len(FIELD_MARKS)  # groups a paper
    return [_document(p, tokens[k * n : k * n + k]) for n, p in enumerate(papers)]


_BATCH = 60_000  # groups tokenised together at most (a token's group number takes 2 bytes)


def _batch_tokens(groups: list[tuple[str, ...]], marks: tuple[str, ...] = ("",)) -> list[str]:
    """:func:`_group_tokens` of each group of texts (the same tokens, sorted), group ``i``
    behind ``marks[i % len(marks)]`` (each mark empty or two characters).

    The rule of :func:`_raw_tokens`, on bytes: a word start is a word character (a
    letter, a digit, "_") after anything else (or first), and its token is the next
    ``TOKEN_CHARS`` characters once separators (white space, "-") are removed. The
    texts are joined by NUL (neither: so a token never runs into the next text), which
    is why a group with a text holding one is tokenised by :func:`_group_tokens`, as
    is a group with a text that is not ASCII once normalised. A group's tokens are
    made unique by one sort of (group, token) keys.
    """
    out = [""] * len(groups)
    folded = list(map(normalize, chain.from_iterable(groups)))
    owners = list(chain.from_iterable(map(repeat, range(len(groups)), map(len, groups))))
    alone = {owners[i] for i, plain in enumerate(map(str.isascii, folded)) if not plain}
    if "\0" in "".join(folded):
        alone.update(owners[i] for i, text in enumerate(folded) if "\0" in text)
    if alone:
        texts: dict[int, list[str]] = {i: [] for i in alone}
        for text, owner in zip(folded, owners, strict=True):
            if owner in texts:
                texts[owner].append(text)
        for i, group in texts.items():
            out[i] = _group_tokens(group, marks[i % len(marks)])
        kept = [owner not in alone for owner in owners]
        folded, owners = list(compress(folded, kept)), list(compress(owners, kept))
    lo = 0
    while lo < len(folded):  # in batches of whole groups
        first = owners[lo]
        hi = bisect.bisect_left(owners, first + _BATCH, lo)
        count = owners[hi - 1] - first + 1
        marked = [marks[(first + i) % len(marks)] for i in range(count)]
        for i, tokens in enumerate(_ascii_tokens(folded[lo:hi], owners[lo:hi], first, marked)):
            if tokens:  # (else no tokens, or a group tokenised alone)
                out[first + i] = tokens
        lo = hi
    return out


def _ascii_tokens(texts: list[str], owners: list[int], first: int, marks: list[str]) -> list[str]:
    """The FTS-safe tokens of each group of ASCII texts without NUL (at most ``_BATCH``),
    behind its mark: ``owners`` gives each text's group, ``first`` and up."""
    import numpy as np

    word, separator, safe = _byte_tables()
    raw = np.frombuffer("\0".join(texts).encode("ascii"), np.uint8)
    starts = word[raw]
    starts[1:] &= ~starts[:-1]  # (starts was word[raw]: a word character after another)
    kept = ~separator[raw]
    at = np.flatnonzero(starts[kept])  # each word start, in the squashed text
    squashed = np.zeros(kept.sum() + 8, np.uint8)
    squashed[: len(squashed) - 8] = safe[raw[kept]]
    ends = np.flatnonzero(squashed == 0)  # each text's end (then the padding)
    # Each token as a number: its 6 bytes, first byte highest (read as 8 bytes from
    # where it starts, the last 2 dropped), below the number of its group.
    eights = np.ndarray((len(squashed) - 7,), ">u8", squashed, 0, (1,))
    keys = eights[at].astype(np.uint64) >> np.uint64(16)
    number = np.searchsorted(ends, at)  # the text each token is in
    room = ends[number] - at  # bytes to the text's end: under 6, the token is cut there
    short = np.flatnonzero(room < TOKEN_CHARS)
    cut = (TOKEN_CHARS - room[short]).astype(np.uint64) * np.uint64(8)  # bits to clear
    keys[short] &= ~((np.uint64(1) << cut) - np.uint64(1))
    group = np.array(owners, np.int64) - first
    keys |= group.astype(np.uint64)[number] << np.uint64(48)
    keys.sort()
    new = np.ones(len(keys), bool)
    new[1:] = keys[1:] != keys[:-1]  # (np.unique: the same, by hashing, slower)
    unique = keys[new].astype(">u8").view(np.uint8).reshape(-1, 8)
    owner = unique[:, 0].astype(np.intp) * 256 + unique[:, 1]
    counts = np.bincount(owner, minlength=len(marks))
    cells = np.zeros((len(unique), 3 + TOKEN_CHARS), np.uint8)  # a space, the mark, the token
    cells[:, 0] = 32
    mark_bytes = "".join(m.ljust(2, "\0") for m in marks).encode("ascii")
    cells[:, 1:3] = np.frombuffer(mark_bytes, np.uint8).reshape(-1, 2)[owner]
    cells[:, 3:] = unique[:, 2:]
    kept = cells != 0  # (NUL: no mark, or after a short token's end)
    text = cells[kept].tobytes().decode("ascii")
    row_ends = np.concatenate(([0], np.cumsum(kept.sum(axis=1))))  # characters to a row's end
    bounds = row_ends[np.cumsum(counts)].tolist()  # to a group's end
    return [text[a + 1 : b] for a, b in zip([0, *bounds[:-1]], bounds, strict=True)]


_TABLES: list[Any] = []


def _byte_tables() -> tuple[Any, Any, Any]:
    """By byte: a word character? a separator? and the byte in a token (:func:`fts_safe`,
    NUL kept: it ends a token)."""
    if not _TABLES:
        import numpy as np

        word = np.array([chr(c).isalnum() or c == 95 for c in range(256)])
        separator = np.array([chr(c).isspace() or c == 45 for c in range(256)])
        safe = np.array([ord(fts_safe(chr(c))) if c < 128 else c for c in range(256)], np.uint8)
        safe[0] = 0
        _TABLES[:] = word & (np.arange(256) < 128), separator & (np.arange(256) < 128), safe
    return _TABLES[0], _TABLES[1], _TABLES[2]


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
