"""Conformance: every real recorded response under $PAPERS_REAL_FIXTURES parses.

Skipped when the variable is unset; fails when it names a folder that does not exist.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from papercli.sources import hf


def real_fixtures() -> Path:
    value = os.environ.get("PAPERS_REAL_FIXTURES")
    if not value:
        pytest.skip("PAPERS_REAL_FIXTURES is not set")
    path = Path(value)
    if not path.is_dir():
        pytest.fail(f"PAPERS_REAL_FIXTURES={value} is not a folder")
    return path


def hf_files() -> list[Path]:
    value = os.environ.get("PAPERS_REAL_FIXTURES")
    if not value or not Path(value, "hf").is_dir():
        return []
    return sorted(Path(value, "hf").glob("*.json"))


def test_real_fixture_folder_exists() -> None:
    root = real_fixtures()
    assert (root / "hf").is_dir(), f"{root}/hf is missing"
    assert hf_files(), f"no JSON files under {root}/hf"


@pytest.mark.parametrize("path", hf_files(), ids=lambda p: p.name)
def test_every_real_hf_item_yields_a_complete_paper(path: Path) -> None:
    real_fixtures()
    import json

    raw = json.loads(path.read_bytes())
    papers = (
        hf.parse_search(path.read_bytes())
        if "search" in path.name
        else hf.parse_daily(path.read_bytes())
    )
    assert len(papers) == len(raw)
    for paper in papers:
        assert paper.id and paper.title and paper.authors
        assert "\n" not in paper.title and "\n" not in paper.abstract
        if "search" not in path.name:
            assert paper.listed and len(paper.listed) == 10


# --- arXiv -------------------------------------------------------------------------------


def arxiv_api_files() -> list[Path]:
    value = os.environ.get("PAPERS_REAL_FIXTURES")
    if not value or not Path(value, "arxiv", "api").is_dir():
        return []
    root = Path(value, "arxiv", "api")
    return sorted(p for p in root.rglob("*") if p.suffix in (".json", ".xml"))


def test_real_arxiv_folders_exist() -> None:
    root = real_fixtures()
    assert (root / "arxiv" / "rss").is_dir(), f"{root}/arxiv/rss is missing"
    assert arxiv_api_files(), f"no API responses under {root}/arxiv/api"


def test_real_all_archives_feed() -> None:
    from collections import Counter

    from papercli.sources import arxiv

    path = real_fixtures() / "arxiv" / "rss" / "rss_all_archives_2024-11-28.xml"
    result = arxiv.parse_rss(path.read_bytes())
    assert result.error is None and result.day == "2024-11-28"
    assert len(result.papers) == 1504
    kinds = Counter(p.announce_type for p in result.papers)
    assert kinds["new"] == 926 and kinds["cross"] == 9
    assert kinds["replace"] + kinds["replace-cross"] == 569
    assert len({p.id for p in result.papers}) == 1504
    for p in result.papers:
        assert p.id and p.title and p.abstract and p.authors, p.id
        assert p.version is not None and "v" not in p.id.split("/")[-1], p.id
        assert "Announce Type" not in p.abstract and not p.abstract.startswith("arXiv:"), p.id
        assert not p.abstract.startswith("Abstract:"), p.id
        assert p.categories and p.listed == "2024-11-28", p.id
        assert all(a.strip() and "," not in a.split("(")[0] for a in p.authors), p.id
    assert sum(1 for p in result.papers if p.doi) == 111
    assert sum(1 for p in result.papers if p.journal_ref) == 97


def test_real_empty_and_error_feeds() -> None:
    from papercli.sources import arxiv

    rss = real_fixtures() / "arxiv" / "rss"
    empty = arxiv.parse_rss((rss / "rss_empty_test_archive_2024-11-28.xml").read_bytes())
    assert empty.papers == [] and empty.no_announcement and empty.error is None
    error = arxiv.parse_rss((rss / "rss_error_bad_archive_astroph_2024-11-28.xml").read_bytes())
    assert not error.no_announcement and error.papers == []
    assert error.error is not None and error.error.startswith("Bad archive 'astroph'.")


@pytest.mark.parametrize("path", arxiv_api_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_real_arxiv_api_response_parses(path: Path) -> None:
    real_fixtures()
    import json

    from papercli.sources import arxiv

    if path.suffix == ".json":
        recorded = json.loads(path.read_bytes())
        body, status = recorded["body"].encode("utf-8"), recorded["status_code"]
    else:
        body, status = path.read_bytes(), 400 if ".status400." in path.name else 200
    result = arxiv.parse_api(body)
    if status != 200:
        assert result.error and not result.papers
        return
    assert result.error is None and result.total is not None
    assert len(result.papers) == min(result.total, len(result.papers))
    if result.total:
        assert result.papers
    for p in result.papers:
        assert p.id and p.title and p.abstract and p.authors and p.published, p.id
        assert p.version is not None and p.categories, p.id
        assert "\n" not in p.title and "\n" not in p.abstract


def test_every_category_in_the_real_data_is_known() -> None:
    """The taxonomy knows every category of the real recorded data: the all-archives RSS
    feed, every export-API answer, and, when the shared data folder sits next to the
    fixtures, the 69 days of real arXiv listings."""
    import json

    from papercli.arxiv_taxonomy import is_known
    from papercli.sources import arxiv

    root = real_fixtures()
    seen: set[str] = set()
    feed = root / "arxiv" / "rss" / "rss_all_archives_2024-11-28.xml"
    for p in arxiv.parse_rss(feed.read_bytes()).papers:
        seen.update(p.categories)
    for path in arxiv_api_files():
        body = path.read_bytes()
        if path.suffix == ".json":
            body = json.loads(body)["body"].encode("utf-8")
        result = arxiv.parse_api(body)
        for p in result.papers:
            seen.update(p.categories)
            seen.update([p.primary_category] if p.primary_category else [])
    listings = root.parent / "data" / "arxiv_daily_listings"
    for path in sorted(listings.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                seen.update(json.loads(line)["categories"])
    assert len(seen) > 140  # every archive is there
    assert sorted(c for c in seen if not is_known(c)) == []
