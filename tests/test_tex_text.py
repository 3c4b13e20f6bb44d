"""arXiv's TeX accents become Unicode (outside math), so names read and match."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papercli.models import Paper
from papercli.query import Query
from papercli.sources import arxiv
from papercli.text import tex_to_unicode


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"\v{S}imon Sedl\'a\v{c}ek", "Šimon Sedláček"),
        (r"Schr\"odinger", "Schrödinger"),
        (r"Lundstr{\"o}m", "Lundström"),
        (r"G\"{o}del", "Gödel"),
        (r"Mar\'{\i}a", "María"),
        (r"Fran\c cois, Bo\c{t}", "François, Boţ"),
        (r"Erd\H{o}s", "Erdős"),
        (r"Ca\~nada", "Cañada"),
        (
            r"\L ukasz, \l{}ukasz, Bj\o rn, Stra\ss e, {\aa}ngstr\"om",
            "Łukasz, łukasz, Bjørn, Straße, ångström",
        ),
        # Not accents: control words that only start like one, and math.
        (
            r"\varepsilon, \beta, \rm, \ldots, \textsuperscript{4}",
            r"\varepsilon, \beta, \rm, \ldots, \textsuperscript{4}",
        ),
        (r"$\"o$ and \(\'e\) stay; \'e goes", r"$\"o$ and \(\'e\) stay; é goes"),
        ("plain text, no backslash", "plain text, no backslash"),
    ],
)
def test_tex_to_unicode(tex: str, text: str) -> None:
    assert tex_to_unicode(tex) == text


@given(st.text(alphabet=st.sampled_from(list("\\\"'`^~=.{}$()uvHcaoOilLsx ")), max_size=40))
def test_anything_converts_without_error_and_is_idempotent(text: str) -> None:
    once = tex_to_unicode(text)
    assert tex_to_unicode(once) == tex_to_unicode(once)


def test_names_from_the_feed_match_in_both_spellings(fixture_bytes) -> None:  # type: ignore[no-untyped-def]
    feed = arxiv.parse_rss(fixture_bytes("arxiv/rss_cs.LG+cs.CL_2025-07-15.xml"))
    borel = next(p for p in feed.papers if any("Borel" in a for a in p.authors))
    assert "Émile Borel" in borel.authors
    for query in ("au:emile", "au:émile", 'au:"émile borel"'):
        assert Query.parse(query).matches(borel), query
    sedlacek = Paper(id="2411.18294", title="t", authors=(tex_to_unicode(r"Sedl\'a\v{c}ek"),))
    assert Query.parse("au:sedlacek").matches(sedlacek)
    assert Query.parse("au:sedláček").matches(sedlacek)


def test_matching_folds_latin_accents_but_not_other_marks() -> None:
    p = Paper(
        id="2507.11001", title="Schrödinger bridges in Bjørn's がくしゅう", authors=("Łukasz Ö",)
    )
    for query in ("schrodinger", "SCHRÖDINGER", "bjorn", "au:lukasz", "au:o", "がくしゅう"):
        assert Query.parse(query).matches(p), query
    assert not Query.parse("かくしゅう").matches(p)  # a voicing mark is not an accent


def test_local_search_finds_both_spellings_through_the_index(run, isolated_home) -> None:  # type: ignore[no-untyped-def]
    from papercli import config
    from papercli.storage.cache import Cache

    p = Paper(id="2507.11001", title=tex_to_unicode(r"Schr\"odinger Bridges"), sources=("hf",))
    Cache(config.load().cache_dir).save("hf", "day", "2025-07-15", [p])
    for query in ("schrodinger", "schrödinger", "title:schrod"):
        result = run("search", "--offline", "--json", "--", query)
        assert result.exit_code == 0, result.stderr
        assert [x["id"] for x in result.json()] == ["2507.11001"], query
