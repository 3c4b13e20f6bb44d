"""The ``/`` filter at typing speed: a listing's text normalised once, and a cheap test
that rules most papers out before the query's own matching runs.

Every character typed re-filters the whole listing (2,000 papers for a month). The
query language matches each term as a regular expression over normalised text
(``mini-batch`` finds "mini batch" and "minibatch"), which is slow to scan a long
abstract with. But a term can only match text whose separator-free form (see
:func:`papercli.query.squash`) contains the term's characters (see
:func:`papercli.query.term_chars`): a plain substring test, done first. The query's
own predicate then decides, so the result is exactly ``Query.filter``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from papercli.query import (
    And,
    Node,
    Or,
    Query,
    QueryDocument,
    Term,
    prepare,
    squash,
    term_chars,
)

if TYPE_CHECKING:
    from papercli.models import Paper

Test = Callable[[str], bool]


def _necessary(node: Node | None) -> Test | None:
    """A test on a paper's squashed title and abstract that every match passes, or None
    when there is none to make cheaply (negations, fields other than the text)."""
    if isinstance(node, Term):
        if node.field not in (None, "title", "abstract"):
            return None
        chars = term_chars(node.text)
        return (lambda text: chars in text) if chars else None
    if isinstance(node, And):
        tests = [t for t in (_necessary(c) for c in node.children) if t is not None]
        if not tests:
            return None
        return tests[0] if len(tests) == 1 else (lambda text: all(t(text) for t in tests))
    if isinstance(node, Or):
        tests = [_necessary(c) for c in node.children]
        if any(t is None for t in tests):
            return None
        found = [t for t in tests if t is not None]
        return lambda text: any(t(text) for t in found)
    return None


class Searchable:
    """A listing's papers in the form the query language matches, computed once (off the
    UI thread, when the listing arrives) rather than at every character typed."""

    def __init__(self, papers: Sequence[Paper]) -> None:
        self.docs: list[QueryDocument] = []
        self.squashed: list[str] = []
        for paper in papers:
            doc = prepare(paper)
            self.docs.append(doc)
            self.squashed.append(squash(doc.text("title") + "\n" + doc.text("abstract")))

    def matching(self, query: Query) -> list[int]:
        """The indexes of the papers ``query`` matches, in order."""
        if query.is_empty:
            return list(range(len(self.docs)))
        matches = query.matcher()
        test = _necessary(query.tree)
        if test is None:
            return [i for i, doc in enumerate(self.docs) if matches(doc)]
        return [
            i
            for i, (doc, text) in enumerate(zip(self.docs, self.squashed, strict=True))
            if test(text) and matches(doc)
        ]
