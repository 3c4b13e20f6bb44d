"""Faster ways of doing what simpler code did give the same answers: ``clean`` (one scan
for escape sequences, ``str.split`` for whitespace), ``Paper.to_record`` (no
``dataclasses.asdict``), ``Paper.from_record`` (the field kinds worked out once),
``normalize`` (ASCII text lower-cased at once) and the search index's FTS documents
(many papers tokenised at once by numpy, :func:`papercli.storage.fts.paper_documents`).
The simple versions live here as the reference."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papercli.models import Paper
from papercli.text import _CONTROLS, _ESCAPES, clean, strip_controls

ROOT = Path(__file__).resolve().parent.parent
_WHITESPACE = re.compile(r"[\s\u00a0]+")


def reference_clean(text: object) -> str:
    """``clean`` as it was written first: three substitutions."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = _CONTROLS.sub("", _ESCAPES.sub("", text).replace("\t", " "))
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def reference_record(paper: Paper) -> dict[str, Any]:
    record = dataclasses.asdict(paper)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in record.items()}


# Characters around every class the cleaning treats specially: controls, escapes and their
# C1 introducers, every kind of space, bidi marks, combining accents (for NFC), singletons.
_TRICKY = (
    "ab \t\n\r\x0b\x0c\x1b[]()P\\^_0m;\x07\x00\x1c\x1f\x7f\x85\x90\x9b\x9c\x9d\x9f\xa0"
    "\u061c\u1680\u2000\u2001\u200a\u200b\u200f\u2028\u2029\u202e\u202f\u205f\u2060"
    "\u2069\u3000\ufeff\u0301\u0308e\u212b\u2126\u00c5\u1e9b\u0323"
)


@given(st.text(alphabet=_TRICKY, max_size=40))
@settings(max_examples=400)
def test_clean_is_the_reference_on_tricky_text(text: str) -> None:
    assert clean(text) == reference_clean(text)


@given(st.text(max_size=60))
@settings(max_examples=200)
def test_clean_is_the_reference_on_any_text(text: str) -> None:
    assert clean(text) == reference_clean(text)


def reference_strip_controls(text: str) -> str:
    return _CONTROLS.sub("", _ESCAPES.sub("", text).replace("\t", " "))


@given(st.text(alphabet=_TRICKY, max_size=40) | st.text(max_size=60))
@settings(max_examples=400)
def test_strip_controls_is_the_reference(text: str) -> None:
    assert strip_controls(text) == reference_strip_controls(text)


def test_what_strip_controls_removes_is_unprintable() -> None:
    """Its shortcut: printable text (line breaks aside) has nothing to remove."""
    removed = [
        chr(c)
        for c in range(sys.maxunicode + 1)
        if reference_strip_controls(f"a{chr(c)}b") != f"a{chr(c)}b"
    ]
    assert removed and not any(c.isprintable() for c in removed)


def test_whitespace_is_what_split_splits_on() -> None:
    """``" ".join(text.split())`` stands for the whitespace substitution: the same set."""
    spaces = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    matched = {chr(c) for c in range(sys.maxunicode + 1) if _WHITESPACE.match(chr(c))}
    assert spaces == matched


def _real_items() -> list[Any]:
    for shared in (ROOT.parent / "shared", ROOT.parent.parent / "shared"):
        folder = shared / "data" / "hf_daily_papers_monthly"
        if folder.is_dir():
            return [
                it
                for p in sorted(folder.glob("daily_papers_*.json"))[:6]
                for it in json.loads(p.read_bytes())
            ]
    return []


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_clean_record_and_back_on_real_data() -> None:
    from papercli.sources.hf import paper_from_item

    items = _real_items()
    if not items:
        pytest.skip("no ../shared/data here")
    strings = _strings(items)
    assert [clean(s) for s in strings] == [reference_clean(s) for s in strings]
    assert [strip_controls(s) for s in strings] == [reference_strip_controls(s) for s in strings]
    papers = [p for p in map(paper_from_item, items) if p is not None]
    for paper in papers:
        record = paper.to_record()
        assert record == reference_record(paper)
        assert list(record) == list(reference_record(paper))  # the same key order on disk
        assert Paper.from_record(json.loads(json.dumps(record))) == paper


class _Str(str):
    pass


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("authors", "Jane", "authors is not a list of strings"),
        ("authors", ["Jane", 3], "authors is not a list of strings"),
        ("upvotes", True, "upvotes is not an integer"),
        ("upvotes", 1.0, "upvotes is not an integer"),
        ("abstract", None, "abstract is not a string"),
        ("abstract", 3, "abstract is not a string"),
        ("listed", ["2025-01-01"], "listed is not a string"),
    ],
)
def test_from_record_refuses_what_it_refused(field: str, value: object, message: str) -> None:
    record = {**Paper(id="2501.00001", title="T").to_record(), field: value}
    with pytest.raises(ValueError, match=message):
        Paper.from_record(record)


def test_from_record_takes_what_it_took() -> None:
    record = {
        **Paper(id="2501.00001", title="T").to_record(),
        "abstract": _Str("sub"),
        "authors": [_Str("A")],
        "upvotes": None,
        "unknown": 1,
    }
    paper = Paper.from_record(record)
    assert paper.abstract == "sub" and paper.authors == ("A",) and paper.upvotes is None


# --- the for-you scorer ----------------------------------------------------------------


def reference_features(paper: Paper) -> Counter[str]:
    """``ranking.features`` the plain way: the word pattern over folded text, no memos."""
    from papercli import ranking as r

    def words(text: str) -> list[str]:
        out: list[str] = []
        prev = ""
        for raw in r._WORD.findall(r._fold(text)):
            word = r._term(raw)
            if word:
                out.append(word)
                if prev:
                    out.append(prev + " " + word)
            prev = word
        return out

    counts = Counter(t for t in map(r._term, r._WORD.findall(r._fold(paper.abstract))) if t)
    more = words(paper.title) * r.TITLE_WEIGHT
    for keyword in paper.ai_keywords:
        more += words(keyword)
        if key := r.keyword_key(keyword):
            more.append("kw:" + key)
    more += ["au:" + key for key in map(r.author_key, paper.authors) if key]
    more += ["cat:" + category.strip().lower() for category in paper.categories]
    counts.update(more)
    return counts


def reference_score(model: Any, paper: Paper) -> float:
    """The model's definition: bias + weights . the unit-length TF-IDF vector."""
    vector = model._vector(reference_features(paper))
    return model.bias + sum(model.weights[t] * x for t, x in vector.items() if t in model.weights)


@given(st.text(alphabet=_TRICKY + "Ab1_-.,;:'Éé ßẞİıΣσς", max_size=60))
@settings(max_examples=300)
def test_raw_words_are_the_word_pattern(text: str) -> None:
    from papercli import ranking as r

    assert r._raw_words(text) == r._WORD.findall(r._fold(text))


def test_scores_are_the_models_definition_on_real_data() -> None:
    from papercli import ranking
    from papercli.sources.hf import paper_from_item

    papers = [p for p in map(paper_from_item, _real_items()) if p is not None]
    if not papers:
        pytest.skip("no ../shared/data here")
    liked = [p for p in papers if "video" in p.title.lower()][:30]
    disliked = [p for p in papers if "video" not in p.title.lower()][::50][:30]
    model = ranking.train(liked, disliked, papers[-2000:])
    arxiv_like = [dataclasses.replace(p, categories=("cs.CV", "cs.LG ")) for p in papers[:50]]
    for paper in papers[:200] + arxiv_like:
        assert ranking.features(paper) == reference_features(paper)
    every = papers + arxiv_like
    fast = model.score(every)
    assert len(fast) == len(every)
    assert max(abs(f - reference_score(model, p)) for f, p in zip(fast, every, strict=True)) < 1e-9


def reference_normalize(text: str) -> str:
    """``papercli.query.normalize`` without its ASCII shortcut."""
    from papercli.query import _ACCENTS, _FOLDED

    folded = unicodedata.normalize("NFKC", text).casefold()
    if not folded.isascii():
        folded = unicodedata.normalize(
            "NFC", _ACCENTS.sub("", unicodedata.normalize("NFD", folded))
        )
    return folded.translate(_FOLDED)


def test_normalize_of_every_ascii_character_is_the_reference() -> None:
    from papercli.query import normalize

    every = "".join(map(chr, range(128)))
    assert normalize(every) == reference_normalize(every)
    assert all(normalize(c) == reference_normalize(c) for c in every)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60) | st.text(max_size=30))
@settings(max_examples=300)
def test_normalize_is_the_reference(text: str) -> None:
    from papercli.query import normalize

    assert normalize(text) == reference_normalize(text)


# --- the search index's FTS documents, many at a time ------------------------------------

_FTS_TRICKY = _TRICKY + "Ab1_-.,;()~'\"\x00\x01\t\n\x0b\x1c\x1f\x85\u00a0\u2003Éé日本 "


def _tokens(document: str) -> set[str]:
    """A document's tokens (FTS5 with ``detail=none`` keeps each once: "model(" and
    "model)" are both "model_", and the index is the same whether it is given once or
    twice); an empty token (two spaces, or one at an end) fails."""
    tokens = document.split(" ") if document else []
    assert "" not in tokens, repr(document)
    return set(tokens)


@given(
    st.lists(
        st.lists(st.text(alphabet=_FTS_TRICKY, max_size=30), min_size=1, max_size=3),
        max_size=8,
    )
)
@settings(max_examples=300)
def test_batch_tokens_are_group_tokens(groups: list[list[str]]) -> None:
    """Tokenised together by numpy, a group of texts has the tokens that the one-text
    rule (``_raw_tokens``) gives each text, made FTS-safe, each once."""
    from papercli.query import normalize
    from papercli.storage import fts

    batch = fts._batch_tokens([tuple(g) for g in groups])
    assert len(batch) == len(groups)
    for group, tokens in zip(groups, batch, strict=True):
        reference = {fts.fts_safe(t) for text in group for t in fts._raw_tokens(normalize(text))}
        assert _tokens(tokens) == reference, repr(group)


def test_batch_tokens_across_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Groups past one batch are tokenised in the next: none is lost, none runs into
    another, each is behind its mark."""
    from papercli.query import normalize
    from papercli.storage import fts

    monkeypatch.setattr(fts, "_BATCH", 3)
    texts = ["a", "", "mini-batch", "x y", "é", "bc\x00d", "long words here", "q", "", "z"]
    groups = [(t,) for t in texts] + [("ab", "cd"), ("é", "x"), ("", "")]
    marks = ("", "~t", "~a")  # each group behind the next of them, over and over
    batch = fts._batch_tokens(groups, marks)
    expected = [fts._group_tokens(map(normalize, g), marks[i % 3]) for i, g in enumerate(groups)]
    assert [_tokens(t) for t in batch] == [_tokens(t) for t in expected]
    assert any(t.startswith("~a") for t in batch) and any(t.startswith("~t") for t in batch)


def reference_document(paper: Paper) -> set[str]:
    """The tokens of a paper's FTS document as the module docstring of
    ``papercli.storage.fts`` defines them, spelt out field by field."""
    from papercli.storage import fts

    def field(*texts: str) -> set[str]:
        return fts.start_tokens(" ".join(texts))

    def marked(mark: str, tokens: set[str]) -> set[str]:
        return {mark + t for t in tokens}

    title = field(paper.title)
    return (
        title
        | field(paper.abstract)
        | marked("~t", title)
        | marked("~a", field(*paper.authors))
        | marked("~o", field(paper.organization or ""))
        | marked("~k", field(*paper.ai_keywords))
        | marked("~c", fts._cat_tokens(paper.categories))
        | {"~i" + fts._whole(paper.id.lower())}
    )


def test_paper_documents_are_paper_document_on_real_data() -> None:
    from papercli.sources.hf import paper_from_item
    from papercli.storage.fts import _fields, paper_document, paper_documents

    papers = [p for p in map(paper_from_item, _real_items()) if p is not None]
    if not papers:
        pytest.skip("no ../shared/data here")
    arxiv_like = [
        dataclasses.replace(p, categories=("cs.CV", "cs.LG "), organization=None)
        for p in papers[:50]
    ]
    every = papers + arxiv_like
    batch = paper_documents(every)
    assert len(batch) == len(every)
    for paper, document in zip(every, batch, strict=True):
        one = paper_document(paper)
        assert _tokens(document) == _tokens(one) == reference_document(paper), paper.id
        if all(text.isascii() for group in _fields(paper) for text in group):
            assert len(document.split(" ")) == len(_tokens(document))  # each token once
