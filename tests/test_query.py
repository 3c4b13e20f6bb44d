"""The query language: parsing, matching semantics, highlighting, and properties."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papercli.errors import UsageError
from papercli.models import Paper
from papercli.query import And, Not, Or, Query, QueryDocument, Term, normalize, prepare


def paper(**kw: object) -> Paper:
    base: dict[str, object] = {"id": "2507.11001", "title": "", "sources": ("hf",)}
    base.update(kw)
    return Paper(**base)  # type: ignore[arg-type]


# --- parsing -------------------------------------------------------------------------


def test_grammar_shapes() -> None:
    assert Query.parse("").tree is None
    assert Query.parse("  ").tree is None
    assert Query.parse("a b").tree == And(
        (Term(None, "a"), Or((Term(None, "b"), Term(None, "a b", True))))
    )
    assert Query.parse("a -b").tree == And((Term(None, "a"), Not(Term(None, "b"))))
    assert Query.parse("a OR title:b c").tree == Or(
        (Term(None, "a"), And((Term("title", "b"), Term(None, "c"))))
    )
    assert Query.parse("-a").tree == Not(Term(None, "a"))
    assert Query.parse("NOT a").tree == Not(Term(None, "a"))
    assert Query.parse("(a OR b) -c").tree == And(
        (Or((Term(None, "a"), Term(None, "b"))), Not(Term(None, "c")))
    )
    assert Query.parse('title:"mini batch"').tree == Term("title", "mini batch", True)
    assert Query.parse("au:hinton").tree == Term("author", "hinton")
    assert Query.parse("KW:rl").tree == Term("keyword", "rl")
    assert Query.parse("a AND b").tree == Query.parse("a b").tree
    # Lower-case "or" is a word; a hyphen inside a word is part of it.
    assert Query.parse("or").tree == Term(None, "or")
    assert Query.parse("mini-batch").tree == Term(None, "mini-batch")


@pytest.mark.parametrize(
    ("query", "column"),
    [
        ("(a", 1),
        ("a)", 2),
        ('"a', 1),
        ('a "b', 3),
        ("title:", 1),
        ("a title: b", 3),
        ("a OR", 3),
        ("OR a", 1),
        ("()", 1),
        ("a -", 3),
        ("NOT", 1),
        ('""', 1),
        ("(" * 100 + "a" + ")" * 100, 65),
        ("titel:foo", 1),
        ("a auth:hinton", 3),
    ],
)
def test_malformed_queries_say_where(query: str, column: int) -> None:
    with pytest.raises(UsageError) as info:
        Query.parse(query, strict=True)
    assert f"at column {column}:" in info.value.message
    assert info.value.exit_code == 2


def test_a_field_applies_to_a_parenthesised_group() -> None:
    assert Query.parse("title:(a OR b)").tree == Or((Term("title", "a"), Term("title", "b")))
    assert Query.parse("title:(mini batch)").tree == And(
        (
            Term("title", "mini"),
            Or((Term("title", "batch"), Term("title", "mini batch", True))),
        )
    )
    assert Query.parse('-au:(smith "van der")').tree == Not(
        And((Term("author", "smith"), Term("author", "van der", True)))
    )
    assert Query.parse("cat:(cs.LG OR cs.CL) x").tree == And(
        (Or((Term("cat", "cs.LG"), Term("cat", "cs.CL"))), Term(None, "x"))
    )
    # Words of one field join as plain words do; category and id values never join.
    assert Query.parse("title:mini title:batch").tree == Query.parse("title:(mini batch)").tree
    assert Query.parse("cat:cs.LG cat:cs.CL").tree == And(
        (Term("cat", "cs.LG"), Term("cat", "cs.CL"))
    )


@pytest.mark.parametrize(
    ("query", "column"),
    [("title:(au:x)", 8), ("title:(a abs:(b))", 10), ("title:()", 1), ("title:(a", 1)],
)
def test_field_groups_malformed(query: str, column: int) -> None:
    with pytest.raises(UsageError) as info:
        Query.parse(query)
    assert f"at column {column}:" in info.value.message


def test_field_groups_match() -> None:
    p = paper(title="Minibatch training", abstract="about diffusion", authors=("Ann Smith",))
    for q in ["title:(mini batch)", "title:(mini-batch)", "title:(diffusion OR minibatch)"]:
        assert Query.parse(q).matches(p), q
    for q in ["title:(diffusion)", "-au:(smith OR jones)", "title:(training zebra)"]:
        assert not Query.parse(q).matches(p), q


# --- matching ------------------------------------------------------------------------


def test_hyphen_space_nothing_are_alike_and_terms_are_prefixes() -> None:
    for title in ("Mini-batch SGD", "minibatch sgd", "MINI BATCHES", "mini‐batching"):
        for q in ("mini-batch", "minibatch", "mini batch", '"mini batch"'):
            assert Query.parse(q).matches(paper(title=title)), (q, title)
    assert Query.parse("batch").matches(paper(title="mini-batches"))
    assert not Query.parse("batch").matches(paper(title="minibatch"))  # not at a word start
    assert not Query.parse("atch").matches(paper(title="batch"))
    assert Query.parse("diffusion").matches(paper(abstract="Latent Diffusion models"))


def test_unicode_normalisation() -> None:
    assert Query.parse("ﬁne-tuning").matches(paper(title="Fine–tuning LLMs"))  # ligature, en dash
    assert Query.parse("straße").matches(paper(title="STRASSE"))
    assert Query.parse("émile").matches(paper(title="E\u0301mile"))


def test_fields() -> None:
    p = paper(
        title="A title",
        abstract="An abstract about graphs",
        authors=("Geoffrey E. Hinton", "Yann LeCun"),
        organization="Meta AI",
        categories=("cs.LG", "stat.ML"),
        ai_keywords=("reinforcement learning", "RLHF"),
        id="2507.11001",
    )
    yes = [
        "title:title",
        "abs:graph",
        "abstract:abstract",
        "author:hinton",
        'au:"g hinton"',
        "au:lecun",
        "org:meta",
        "cat:cs.LG",
        "cat:cs",
        "cat:STAT",
        "id:2507.11001",
        "id:2507.11001v3",
        "id:arxiv:2507",
        "keyword:reinforcement",
        "kw:rlhf",
        "graphs title",
        "zebra OR graph",
        "-zebra",
        "NOT (zebra OR lion)",
    ]
    no = [
        "title:graph",
        "abs:title",
        'au:"g lecun"',  # the words must match one author
        "au:inton",
        "org:google",
        "cat:cs.CV",
        "cat:c",
        "id:2507.2",
        "kw:learning2",
        "zebra",
        "-graph",
        "graph zebra",
    ]
    for q in yes:
        assert Query.parse(q).matches(p), q
    for q in no:
        assert not Query.parse(q).matches(p), q


def test_a_prepared_paper_matches_as_the_paper_does() -> None:
    """The public API for matching one listing against many queries (the ``/`` filter)."""
    papers = [
        paper(title="Mini-batch SGD", abstract="graphs", authors=("Yann LeCun",)),
        paper(title="Diffusion", organization="Meta AI", ai_keywords=("RLHF",)),
        paper(title="Zebra", categories=("cs.CV",)),
    ]
    docs = [prepare(p) for p in papers]
    assert all(
        isinstance(d, QueryDocument) and d.paper is p for d, p in zip(docs, papers, strict=True)
    )
    for text in ("", "minibatch", "au:lecun OR org:meta", "-zebra", "kw:rlhf", "cat:cs", "x"):
        q = Query.parse(text)
        matcher = q.matcher()
        assert matcher is q.matcher()  # compiled once
        assert [matcher(d) for d in docs] == [q.matches(p) for p in papers], text
        assert [p for p, d in zip(papers, docs, strict=True) if matcher(d)] == q.filter(papers), (
            text
        )


def test_highlight_spans_map_back_to_the_original_text() -> None:
    q = Query.parse("mini-batch -zebra title:scal")
    text = "Scaling Mini–Batch Optimisation"
    spans = q.highlight_spans(text)
    assert [text[a:b] for a, b in spans] == ["Scal", "Mini–Batch"]
    assert Query.parse("-scaling").highlight_spans(text) == []  # negated terms are not shown
    assert Query.parse("ﬁne").highlight_spans("Les ﬁnes") == [(4, 7)]
    e = "E\u0301mile x"
    assert [e[a:b] for a, b in Query.parse("émile").highlight_spans(e)] == ["E\u0301mile"]


# --- properties ----------------------------------------------------------------------


@given(st.text(max_size=60))
@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
def test_parser_only_ever_raises_its_usage_error(text: str) -> None:
    try:
        query = Query.parse(text)
    except UsageError as exc:
        assert "\n" not in exc.message.replace(text, "")
        return
    query.matches(paper(title=text, abstract=text, authors=(text,)))
    query.highlight_spans(text)


QUERY_ALPHABET = st.sampled_from(
    ["a", "b", "ab", "-", " ", "(", ")", '"', "OR", "NOT", "AND", "title:", "au:", "cat:", "x:"]
)


@given(st.lists(QUERY_ALPHABET, max_size=20).map("".join))
@settings(max_examples=500)
def test_parser_on_query_like_text(text: str) -> None:
    with contextlib.suppress(UsageError):
        Query.parse(text)


def _sep(ch: str) -> bool:
    return ch == "-" or ch.isspace()


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def reference_match(term: str, text: str) -> bool:
    """The definition, written plainly: at some start of a word (or anywhere, for a term
    that does not begin with a word character), the text without separators begins with
    the term without separators."""
    want = "".join(c for c in normalize(term) if not _sep(c))
    hay = normalize(text)
    if not want:
        return True
    for i, ch in enumerate(hay):
        if _sep(ch):
            continue
        if _word(want[0]) and i > 0 and _word(hay[i - 1]):
            continue
        rest = "".join(c for c in hay[i:] if not _sep(c))
        if rest.startswith(want):
            return True
    return False


TEXT_ALPHABET = st.sampled_from(
    [*"abcAB -_.1", "\u2010", "\u2013", "\u00a0", "\t", "ﬁ", "é", "e\u0301", "ß", "SS", "İ"]
)
texts = st.lists(TEXT_ALPHABET, max_size=14).map("".join)
terms = st.lists(TEXT_ALPHABET, min_size=1, max_size=5).map("".join)


@given(terms, texts)
@settings(max_examples=2000)
def test_matching_agrees_with_the_reference(term: str, text: str) -> None:
    if not "".join(c for c in normalize(term) if not _sep(c)):
        return  # a usage error, tested above
    query = Query((term), Term("title", term))
    assert query.matches(paper(title=text)) == reference_match(term, text)


@st.composite
def trees(draw: st.DrawFn, depth: int = 0) -> tuple[str, object]:
    """A query string and a reference predicate over a title."""
    kind = draw(st.sampled_from(["term", "term", "not", "and", "or"] if depth < 3 else ["term"]))
    if kind == "term":
        word = draw(st.sampled_from(["ab", "a-b", "b", "abc", "ca", "c"]))
        return word, lambda t, w=word: reference_match(w, t)
    if kind == "not":
        text, pred = draw(trees(depth + 1))
        return f"-({text})", lambda t: not pred(t)  # type: ignore[operator]
    (ta, pa), (tb, pb) = draw(trees(depth + 1)), draw(trees(depth + 1))
    if kind == "and":
        if ta.replace("-", "").isalpha() and tb.replace("-", "").isalpha():  # two plain words
            return (
                f"{ta} {tb}",
                lambda t: (
                    pa(t)
                    and (  # type: ignore[operator]
                        pb(t) or reference_match(f"{ta} {tb}", t)  # type: ignore[operator]
                    )
                ),
            )
        return f"({ta} {tb})", lambda t: pa(t) and pb(t)  # type: ignore[operator]
    return f"({ta} OR {tb})", lambda t: pa(t) or pb(t)  # type: ignore[operator]


@given(trees(), texts)
@settings(max_examples=500)
def test_boolean_structure_agrees_with_the_reference(tree: tuple[str, object], text: str) -> None:
    query_text, predicate = tree
    p = paper(title=text)
    assert Query.parse(query_text).matches(p) == predicate(text)  # type: ignore[operator]


def test_a_misspelled_field_is_named_and_text_with_a_colon_is_not() -> None:
    with pytest.raises(UsageError, match=r"unknown field 'titel:' \(did you mean 'title:'"):
        Query.parse("titel:foo", strict=True)
    words = ("ICLR:2024", "abc:def", '"titel:foo"', "Author:hinton", "did:web", "orgs:x")
    for text in (*words, "ab:initio", "cats:x", "ids:x"):
        Query.parse(text, strict=True)
    # Saved queries are read leniently: a rule that worked keeps working.
    assert Query.parse("titel:foo").tree is not None
