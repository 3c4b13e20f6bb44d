"""The Hugging Face parser: a pure function of response bytes."""

from __future__ import annotations

import json

import pytest

from papercli.errors import FetchError
from papercli.sources import hf


def test_day_listing_parses_every_field(fixture_bytes) -> None:
    papers = hf.parse_daily(fixture_bytes("hf/daily_2025-07-15.json"))
    assert [p.id for p in papers] == ["2507.11001", "2507.11002", "2507.11003"]
    first = papers[0]
    assert first.title == "Scaling Mini-Batch Optimisation for Large Language Models"
    assert "\n" not in first.abstract
    assert first.authors == ("Ada Lovelace", "Émile Borel", "李明")
    assert first.listed == "2025-07-15"
    assert first.upvotes == 87
    assert first.comments == 4
    assert first.organization == "Example Lab"
    assert first.submitter == "AK"
    assert first.github_url == "https://github.com/example/minibatch"
    assert first.github_stars == 1520
    assert first.project_page == "https://example.org/minibatch"
    assert first.ai_keywords == ("mini-batch", "optimisation", "LLM")
    assert first.sources == ("hf",)
    assert first.url == "https://huggingface.co/papers/2507.11001"
    assert first.pdf_url == "https://arxiv.org/pdf/2507.11001"


def test_nulls_hidden_authors_and_control_sequences(fixture_bytes) -> None:
    papers = hf.parse_daily(fixture_bytes("hf/daily_2025-07-15.json"))
    assert papers[1].github_stars is None
    assert "\x1b" not in papers[1].abstract
    assert papers[2].authors == ("Alan Turing",)  # the hidden author is left out
    assert papers[2].abstract == "No hard line breaks here, but odd whitespace."
    assert papers[2].organization is None and papers[2].github_url is None


def test_missing_list_day_falls_back_to_requested_day(fixture_bytes) -> None:
    papers = hf.parse_daily(fixture_bytes("hf/daily_2025-07-14_no_listday.json"), "2025-07-14")
    assert {p.listed for p in papers} == {"2025-07-14"}


def test_single_paper_and_search(fixture_bytes) -> None:
    paper = hf.parse_paper(fixture_bytes("hf/paper_2507.11001.json"))
    assert paper.id == "2507.11001" and paper.comments == 4
    results = hf.parse_search(fixture_bytes("hf/search_minibatch.json"))
    assert [p.id for p in results] == ["2507.11001", "2507.11002"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<!DOCTYPE html><html><body>Rate limited</body></html>", "HTML"),
        (b'[{"paper": {"id": "2501.0', "malformed JSON"),
        (b"", "empty body"),
        (b'{"error": "nope"}', "wrong shape"),
    ],
)
def test_bodies_that_are_not_listings_fail_clearly(body: bytes, reason: str) -> None:
    with pytest.raises(FetchError, match=reason):
        hf.parse_daily(body)


def test_items_of_odd_shapes_are_skipped_not_fatal() -> None:
    body = json.dumps(
        [None, 3, {"paper": {}}, {"paper": {"id": "2501.00001", "title": None, "authors": None}}]
    ).encode()
    papers = hf.parse_daily(body, "2025-01-02")
    assert [p.id for p in papers] == ["2501.00001"]
    assert papers[0].title == "" and papers[0].authors == ()
