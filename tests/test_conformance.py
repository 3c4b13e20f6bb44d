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
