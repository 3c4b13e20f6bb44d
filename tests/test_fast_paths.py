"""Conditional requests, the page window and lazy imports (behaviour, never timing)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from werkzeug import Request, Response

from papercli import export
from papercli.errors import FetchError
from papercli.models import Paper
from papercli.sources import hf


@pytest.fixture
def day(today: dt.date) -> str:
    """Today as YYYY-MM-DD, taken when the test starts (not when the module is imported)."""
    return today.isoformat()


def _stale_always(home: Path) -> None:
    """Every cached current listing is stale at once (ttl 0), so each run revalidates."""
    with (home / "config.toml").open("a") as fh:
        fh.write("[cache]\nttl_minutes = 0\n")


def _day_body(fixture_bytes: Any, day: str) -> bytes:
    return fixture_bytes("hf/daily_2025-07-15.json").replace(b"2025-07-15", day.encode())


def _cache_file(home: Path, day: str) -> dict[str, Any]:
    return json.loads((home / "cache" / "hf" / "day" / f"{day}.json").read_text())


def test_etag_is_sent_back_and_304_keeps_the_cache(
    run, hf_url, httpserver, fixture_bytes, isolated_home, day: str
) -> None:
    _stale_always(isolated_home)
    body = _day_body(fixture_bytes, day)
    seen: list[dict[str, str]] = []

    def handler(request: Request) -> Response:
        seen.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(body, content_type="application/json", headers={"ETag": '"v1"'})

    httpserver.expect_request("/api/daily_papers").respond_with_handler(handler)
    first = run("list", "--date", day, "--json")
    assert first.exit_code == 0, first.stderr
    cached = _cache_file(isolated_home, day)
    assert cached["meta"] == {"validators": {"etag": '"v1"'}}
    assert "If-None-Match" not in seen[0]

    second = run("list", "--date", day, "--json")
    assert second.exit_code == 0, second.stderr
    assert seen[1].get("If-None-Match") == '"v1"'
    assert second.json() == first.json()  # the cached papers, unchanged
    again = _cache_file(isolated_home, day)
    assert again["fetched_at"] > cached["fetched_at"]  # good for another ttl
    assert again["papers"] == cached["papers"]
    assert again["meta"] == cached["meta"]


def test_last_modified_becomes_if_modified_since(
    run, hf_url, httpserver, fixture_bytes, isolated_home, day: str
) -> None:
    _stale_always(isolated_home)
    stamp = "Wed, 15 Jul 2025 08:00:00 GMT"
    body = _day_body(fixture_bytes, day)
    seen: list[str | None] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("If-Modified-Since"))
        if request.headers.get("If-Modified-Since") == stamp:
            return Response(status=304)
        return Response(body, content_type="application/json", headers={"Last-Modified": stamp})

    httpserver.expect_request("/api/daily_papers").respond_with_handler(handler)
    assert run("list", "--date", day).exit_code == 0
    result = run("list", "--date", day)
    assert result.exit_code == 0 and "Scaling Mini-Batch" in result.stdout
    assert seen == [None, stamp]
    assert _cache_file(isolated_home, day)["meta"]["validators"] == {"last_modified": stamp}


def test_changed_listing_replaces_the_cache_and_its_etag(
    run, hf_url, httpserver, fixture_bytes, isolated_home, day: str
) -> None:
    _stale_always(isolated_home)
    full = json.loads(_day_body(fixture_bytes, day))
    versions = {"1": full[:1], "2": full}

    def handler(request: Request) -> Response:
        sent = request.headers.get("If-None-Match")
        version = "2" if sent else "1"
        return Response(
            json.dumps(versions[version]),
            content_type="application/json",
            headers={"ETag": f'"v{version}"'},
        )

    httpserver.expect_request("/api/daily_papers").respond_with_handler(handler)
    assert len(run("list", "--date", day, "--json").json()) == 1
    assert len(run("list", "--date", day, "--json").json()) == len(full)
    assert _cache_file(isolated_home, day)["meta"]["validators"] == {"etag": '"v2"'}


def test_refresh_and_past_days_send_no_validators(
    run, hf_url, httpserver, fixture_bytes, isolated_home, day: str
) -> None:
    body = _day_body(fixture_bytes, day)
    seen: list[str | None] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("If-None-Match"))
        return Response(body, content_type="application/json", headers={"ETag": '"v1"'})

    httpserver.expect_request("/api/daily_papers").respond_with_handler(handler)
    assert run("list", "--date", day).exit_code == 0
    assert run("list", "--date", day, "--refresh").exit_code == 0
    assert seen == [None, None]


def test_hand_edited_validators_are_not_sent(
    run, hf_url, httpserver, fixture_bytes, isolated_home, day: str
) -> None:
    _stale_always(isolated_home)
    body = _day_body(fixture_bytes, day)
    seen: list[dict[str, str]] = []

    def handler(request: Request) -> Response:
        seen.append(dict(request.headers))
        return Response(body, content_type="application/json")

    httpserver.expect_request("/api/daily_papers").respond_with_handler(handler)
    assert run("list", "--date", day).exit_code == 0
    path = isolated_home / "cache" / "hf" / "day" / f"{day}.json"
    data = json.loads(path.read_text())
    data["meta"] = {"validators": {"etag": "x\r\nInjected: 1", "last_modified": 5}}
    path.write_text(json.dumps(data))
    assert run("list", "--date", day).exit_code == 0
    assert "If-None-Match" not in seen[1] and "Injected" not in seen[1]
    assert "If-Modified-Since" not in seen[1]


def test_multi_page_listings_keep_no_validators(run, hf_url, httpserver, isolated_home) -> None:
    """A 304 for page 0 says nothing of the other pages: such listings refetch in full."""
    items = [
        {"paper": {"id": f"2507.{10000 + i}", "title": f"Paper {i}", "upvotes": 500 - i}}
        for i in range(130)
    ]

    def handler(request: Request) -> Response:
        assert "If-None-Match" not in request.headers
        page = int(request.args["p"])
        chunk = items[page * 100 : (page + 1) * 100]
        return Response(json.dumps(chunk), content_type="application/json", headers={"ETag": "e"})

    httpserver.expect_request("/api/daily_papers").respond_with_handler(handler)
    month = dt.date.today().strftime("%Y-%m")
    _stale_always(isolated_home)
    for _ in range(2):
        result = run("list", "--month", month, "--json")
        assert result.exit_code == 0, result.stderr
        assert len(result.json()) == 130
    cached = json.loads((isolated_home / "cache" / "hf" / "month" / f"{month}.json").read_text())
    assert cached["meta"] == {}


# --- the page window -------------------------------------------------------------


def _papers(n: int, count: int) -> list[Paper]:
    return [Paper(id=f"{n}.{i}", title="t") for i in range(count)]


def test_window_cancels_pages_past_the_end() -> None:
    cancel = threading.Event()
    six_started = threading.Event()
    stopped: list[int] = []

    def page(n: int) -> list[Paper]:
        if n == 5:  # the last page comes in once a speculative one is in flight
            six_started.wait(10)
        if n > 5:  # speculative requests past the end: stuck until cancelled
            six_started.set()
            assert cancel.wait(10), "pages past the end were not cancelled"
            stopped.append(n)
            return []
        return _papers(n, 100 if n < 5 else 3)

    try:
        pages = hf._fetch_pages_concurrently(page, 6, cancel=cancel)
    finally:
        cancel.set()
    assert sorted(pages) == [0, 1, 2, 3, 4, 5]
    assert stopped, "the speculative pages had not ended when the listing returned"


def test_window_failure_past_the_end_is_moot() -> None:
    six_failed = threading.Event()

    def page(n: int) -> list[Paper]:
        if n == 5:
            six_failed.wait(10)
            return _papers(n, 1)
        if n >= 6:
            six_failed.set()
            raise FetchError("boom")
        return _papers(n, 100)

    pages = hf._fetch_pages_concurrently(page, 6)
    assert sorted(pages)[:6] == [0, 1, 2, 3, 4, 5]


def test_window_failure_before_the_end_fails_the_listing() -> None:
    def page(n: int) -> list[Paper]:
        if n == 2:
            raise FetchError("page 2 failed")
        return _papers(n, 100 if n < 4 else 0)

    with pytest.raises(FetchError, match="page 2"):
        hf._fetch_pages_concurrently(page, 3)


def test_default_concurrency_is_six() -> None:
    from papercli.config import defaults

    assert defaults()["sources.hf"]["concurrency"] == 6


# --- lazy imports --------------------------------------------------------------------


def _imported(args: list[str], home: Path) -> set[str]:
    env = {"PAPERS_HOME": str(home), "PAPERS_HF_URL": "http://127.0.0.1:9", "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "papercli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


# papercli.export itself is the format registry, which the CLI loads for --format's
# choices; what a listing must not load is the exporters: every module of the package
# (writers, Meta) and the standard modules only they need.
EXPORTERS = {
    "papercli.export.common",
    "papercli.export.latex",
    *(f"papercli.export.{f.module}" for f in export.REGISTRY),
    "csv",
    "html",
    "xml.etree.ElementTree",
}
HEAVY = {
    "httpx",
    "feedparser",
    "pydantic",
    "rich.markdown",
    "sqlite3",
    "textual",  # papers browse alone
    "papercli.ranking",  # --sort for-you alone
    "papercli.core.foryou",  # the reader's model and ratings: --sort for-you and
    "papercli.storage.library",  # the library commands alone
    "numpy",  # training the for-you model, and the scores it keeps (storage.scores)
    "papercli.storage.scores",  # --sort for-you over many papers alone
    *EXPORTERS,
}


def test_help_loads_no_heavy_module(tmp_path: Path) -> None:
    loaded = _imported(["--help"], tmp_path)
    assert "typer" in loaded
    assert not (HEAVY | {"rich", "rich.console", "rich.table"}) & loaded


def test_offline_listing_loads_only_what_it_draws(tmp_path: Path, day: str) -> None:
    from papercli.storage.cache import Cache

    Cache(tmp_path / "cache").save("hf", "day", day, [Paper(id="2507.11001", title="A title")])
    loaded = _imported(["today", "--offline"], tmp_path)
    assert "rich.console" in loaded
    assert not (HEAVY | {"rich.table"}) & loaded  # the listing's widths are fixed up front
    # The command line's other modules: each command imports the module it is in.
    other_commands = {
        f"papercli.cli.{m}" for m in ("search", "library", "browse", "watch", "admin")
    }
    assert "papercli.cli.listings" in loaded and not other_commands & loaded
