"""The arXiv source: pure parsers, query translation, politeness and Retry-After."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from papercli.errors import FetchError, PapersError, UsageError
from papercli.sources import arxiv
from papercli.sources.http import Http, Policy

FIXTURES = Path(__file__).parent / "fixtures" / "arxiv"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# --- RSS -------------------------------------------------------------------------------


def test_rss_items_become_papers() -> None:
    result = arxiv.parse_rss(read("rss_cs.LG+cs.CL_2025-07-15.xml"))
    assert result.error is None and not result.no_announcement
    assert result.day == "2025-07-15"
    ids = [p.id for p in result.papers]
    assert ids == ["2507.11001", "2507.11010", "2507.11002", "2301.00001", "hep-th/9901001"]
    types = [p.announce_type for p in result.papers]
    assert types == ["new", "new", "cross", "replace", "replace-cross"]
    first = result.papers[0]
    assert first.version == 1 and first.sources == ("arxiv",)
    assert first.listed == "2025-07-15"
    assert first.categories == ("cs.LG", "stat.ML") and first.primary_category == "cs.LG"
    # The prefix is gone; TeX with < and & survives (no HTML sanitizing); lines joined.
    assert first.abstract == (
        "We study mini-batch optimisation when $n<m$ and the step size is tiny & fixed. "
        "A second paragraph keeps its words."
    )
    assert first.authors == ("Ada Lovelace (Example Lab, London)", "Émile Borel", "Li Ming")
    replaced = result.papers[3]
    assert replaced.version == 3
    assert replaced.doi == "10.1000/example.2023.001"
    assert replaced.journal_ref == "J. Example Learning 12, 34-56 (2024)"
    assert result.papers[4].version == 4


def test_empty_feed_is_no_announcement() -> None:
    result = arxiv.parse_rss(read("rss_empty_cs.LG_2025-07-19.xml"))
    assert result.papers == [] and result.no_announcement and result.error is None
    assert result.day == "2025-07-19"


def test_error_feed_reports_its_reason() -> None:
    result = arxiv.parse_rss(read("rss_error_cs.XX.xml"))
    assert not result.no_announcement
    assert result.error == (
        "Bad category 'cs.XX'. Valid categories for archive 'cs' are: cs.AI, cs.CL, cs.LG."
    )


def test_a_paper_in_several_items_is_listed_once() -> None:
    body = read("rss_cs.LG+cs.CL_2025-07-15.xml")
    start = body.index(b"<item>")
    end = body.index(b"</item>") + len(b"</item>")
    doubled = body[:end] + body[start:end] + body[end:]
    assert len(arxiv.parse_rss(doubled).papers) == 5


@pytest.mark.parametrize("body", [b"<html><body>Service unavailable</body></html>", b"", b"{}"])
def test_a_body_that_is_not_a_feed_is_a_fetch_error(body: bytes) -> None:
    with pytest.raises(FetchError):
        arxiv.parse_rss(body)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Jun Cui", ("Jun Cui",)),
        ("A. One, B. Two", ("A. One", "B. Two")),
        ("A (X, Y and Z), B and C", ("A (X, Y and Z)", "B", "C")),
        ("A, B, and C", ("A", "B", "C")),
        (
            "Shuli Jiang (Richard),  Qiuyi (Richard),  Zhang",
            ("Shuli Jiang (Richard)", "Qiuyi (Richard)", "Zhang"),
        ),
        ("", ()),
        ("Andrea Andersen, Anders Anderson", ("Andrea Andersen", "Anders Anderson")),
    ],
)
def test_split_authors(text: str, names: tuple[str, ...]) -> None:
    assert arxiv.split_authors(text) == names


def test_strip_prefix() -> None:
    text = "arXiv:2411.17700v1 Announce Type: replace-cross \nAbstract: Body text."
    assert arxiv.strip_prefix(text) == "Body text."
    assert arxiv.strip_prefix("No prefix here.") == "No prefix here."


def test_category_format_check() -> None:
    assert arxiv.check_categories(["cs.LG", "cs.CL", "cs.LG"]) == ("cs.LG", "cs.CL")
    assert arxiv.check_categories(["astro-ph", "cond-mat.stat-mech", "hep-th"]) == (
        "astro-ph",
        "cond-mat.stat-mech",
        "hep-th",
    )
    assert arxiv.check_categories(["cs.LG,cs.CL"]) == ("cs.LG", "cs.CL")
    for bad in ("../etc", "cs/LG", "CS.LG", "cs.LG?x=1", "1cs", "cs..LG"):
        with pytest.raises(UsageError):
            arxiv.check_categories([bad])
    with pytest.raises(UsageError):
        arxiv.check_categories([])
    assert arxiv.category_key(("cs.LG", "cs.CL")) == "cs.CL+cs.LG"


# --- export API --------------------------------------------------------------------------


def test_api_entries_and_total() -> None:
    result = arxiv.parse_api(read("api_search_p1.xml"))
    assert result.total == 3 and result.error is None
    assert [p.id for p in result.papers] == ["2507.12001", "2507.12002"]
    first, second = result.papers
    assert first.abstract == "Noise helps <sometimes>."
    assert first.authors == ("Ada Lovelace", "Grace Hopper")
    assert first.published == "2025-07-14T16:07:14Z" and first.comment == "10 pages"
    assert second.version == 2 and second.doi == "10.1000/x.1"
    assert second.journal_ref == "Proc. Example 2025"


def test_api_error_entry_and_empty_answer() -> None:
    error = arxiv.parse_api(read("api_error_400.xml"))
    assert error.error == "incorrect id format for 2401.0" and error.papers == []
    empty = arxiv.parse_api(read("api_id_not_found.xml"))
    assert empty.error is None and empty.papers == [] and empty.total == 0


def test_api_body_that_is_not_a_feed() -> None:
    with pytest.raises(FetchError):
        arxiv.parse_api(b"<html><body>Bad gateway</body></html>")


@pytest.mark.parametrize(
    ("words", "query"),
    [
        ("mini-batch", "all:mini-batch"),
        ("graph neural networks", "all:graph AND all:neural AND all:networks"),
        ('"diffusion model" distillation', 'all:"diffusion model" AND all:distillation'),
        ('au:hinton ti:"capsule networks"', 'au:hinton AND ti:"capsule networks"'),
        ("transformers OR rnn", "all:transformers OR all:rnn"),
        ("cat:cs.LG ANDNOT quantum", "cat:cs.LG ANDNOT all:quantum"),
        ("url:foo", "all:url:foo"),
    ],
)
def test_user_words_become_arxiv_syntax(words: str, query: str) -> None:
    assert arxiv.to_search_query(words) == query


def test_empty_search_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        arxiv.to_search_query('  "" ')


# --- politeness --------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _mock_http(clock: FakeClock, handler) -> Http:  # type: ignore[no-untyped-def]
    return Http(
        Policy(retries=0),
        transport=httpx.MockTransport(handler),
        sleep=clock.sleep,
        clock=clock.clock,
    )


def test_arxiv_requests_are_spaced_by_the_delay() -> None:
    clock = FakeClock()
    pages = {"0": read("api_search_p1.xml"), "2": read("api_search_p2.xml")}
    seen: list[tuple[float, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        start = request.url.params["start"]
        seen.append((clock.now, start))
        clock.now += 0.5  # the request itself takes half a second
        return httpx.Response(200, content=pages[start])

    with _mock_http(clock, handler) as http:
        papers, total = arxiv.search(http, "http://arxiv.test", "noise", 3, delay=3.0)
    assert [p.id for p in papers] == ["2507.12001", "2507.12002", "2507.12003"] and total == 3
    assert [start for _, start in seen] == ["0", "2"]
    assert seen[1][0] - seen[0][0] >= 3.0  # never closer than delay_seconds
    # Starts are 3 s apart: the half second the request took counts (nothing really slept).
    assert clock.sleeps == [pytest.approx(2.5)]


def test_a_zero_delay_never_sleeps() -> None:
    clock = FakeClock()
    pages = {"0": read("api_search_p1.xml"), "2": read("api_search_p2.xml")}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=pages[request.url.params["start"]])

    with _mock_http(clock, handler) as http:
        arxiv.search(http, "http://arxiv.test", "noise", 3, delay=0)
    assert clock.sleeps == []


def test_the_configured_delay_reaches_every_arxiv_request(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papercli import config
    from papercli.core import arxiv as core_arxiv
    from papercli.core.context import Context
    from papercli.core.listing import Filters

    (isolated_home / "config.toml").write_text(
        '[sources.arxiv]\ndelay_seconds = 4.5\napi_url = "http://arxiv.test"\n'
        'rss_url = "http://arxiv.test"\n'
    )
    monkeypatch.delenv("PAPERS_ARXIV_URL")
    monkeypatch.delenv("PAPERS_ARXIV_RSS_URL")
    clock = FakeClock()
    pages = {"0": read("api_search_p1.xml"), "2": read("api_search_p2.xml")}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/rss/"):
            return httpx.Response(200, content=read("rss_cs.LG+cs.CL_2025-07-15.xml"))
        return httpx.Response(200, content=pages[request.url.params["start"]])

    http = _mock_http(clock, handler)
    ctx = Context(config.load(), lambda m: None, today=dt.date(2025, 7, 15), http=http)
    assert ctx.settings.arxiv_delay == 4.5
    core_arxiv.search(ctx, "noise", Filters(limit=3))
    core_arxiv.latest_announcement(ctx, ("cs.LG", "cs.CL"), offline=False, refresh=False)
    ctx.close()
    assert clock.sleeps == [pytest.approx(4.5), pytest.approx(4.5)]


def test_retry_after_on_503_and_429_is_honoured(httpserver) -> None:  # type: ignore[no-untyped-def]
    url = httpserver.url_for("").rstrip("/")
    for status in (503, 429):
        httpserver.clear()
        httpserver.expect_ordered_request("/rss/cs.LG").respond_with_data(
            "busy", status=status, headers={"Retry-After": "7"}
        )
        httpserver.expect_ordered_request("/rss/cs.LG").respond_with_data(
            read("rss_cs.LG+cs.CL_2025-07-15.xml"), content_type="application/rss+xml"
        )
        clock = FakeClock()
        with Http(Policy(retries=2), sleep=clock.sleep, clock=clock.clock) as http:
            result = arxiv.fetch_rss(http, url, ("cs.LG",), delay=0)
        assert len(result.papers) == 5
        assert clock.sleeps == [7.0], status


def test_error_channel_with_http_400_is_one_line(httpserver) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request("/rss/cs.XX").respond_with_data(
        read("rss_error_cs.XX.xml"), status=400, content_type="application/rss+xml"
    )
    with Http(Policy(retries=0)) as http, pytest.raises(PapersError) as info:
        arxiv.fetch_rss(http, httpserver.url_for("").rstrip("/"), ("cs.XX",), delay=0)
    assert not isinstance(info.value, FetchError)  # never masked by a stale cached copy
    assert str(info.value).startswith("arXiv: Bad category 'cs.XX'.")
    assert "\n" not in str(info.value)
