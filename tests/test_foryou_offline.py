"""``papers search --offline --sort for-you`` stays offline: a liked paper whose text is
not cached is left out of the model's training, never fetched."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from papercli import config
from papercli.sources import hf
from papercli.storage.cache import Cache

FIXTURES = Path(__file__).parent / "fixtures"
DAY = "2025-07-15"


def test_offline_search_for_you_asks_nothing(run, httpserver: Any, hf_url: str) -> None:
    papers = hf.parse_daily((FIXTURES / "hf" / "daily_2025-07-15.json").read_bytes(), DAY)
    Cache(config.load().cache_dir).save("hf", "day", DAY, papers, fetched_at=time.time())
    liked = papers[0]
    assert run("like", liked.id, "2401.00001").exit_code == 0  # the second is not cached
    asked = len(httpserver.log)
    word = liked.title.split()[0]
    result = run("search", "--offline", "--sort", "for-you", "--json", "--", word)
    assert result.exit_code == 0, result.stderr
    assert len(httpserver.log) == asked  # nothing fetched
    assert result.json()[0]["id"] == liked.id
    assert isinstance(result.json()[0]["score"], float)
