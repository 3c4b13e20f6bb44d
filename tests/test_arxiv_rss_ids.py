"""arXiv RSS items without the usual ``oai:arXiv.org:ID`` guid, and the other answers of
arXiv's services that the recorded fixtures do not show.

An item's id comes from its guid, else from the head of its description
(``arXiv:ID Announce Type: ...``), else from its link (``/abs/ID``); an item with
none of these (or not an arXiv id) is left out. Its announce type comes from
``<arxiv:announce_type>``, else from the description.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from papercli.errors import FetchError, PapersError
from papercli.sources import arxiv
from papercli.sources.http import Http, Policy

CHANNEL_DAY = "Tue, 15 Jul 2025 00:00:00 -0400"


def feed(*items: str, pub_date: str = CHANNEL_DAY) -> bytes:
    head = f"<pubDate>{pub_date}</pubDate>" if pub_date else ""
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel>'
        f"<title>cs.LG updates on arXiv.org</title>{head}" + "".join(items) + "</channel></rss>"
    ).encode()


def item(
    *,
    title: str = "A title",
    guid: str | None = None,
    link: str | None = None,
    description: str = "Abstract: words.",
    announce: str | None = None,
    pub_date: str | None = CHANNEL_DAY,
) -> str:
    parts = [f"<title>{title}</title>", f"<description>{description}</description>"]
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    if link is not None:
        parts.append(f"<link>{link}</link>")
    if announce is not None:
        parts.append(f"<arxiv:announce_type>{announce}</arxiv:announce_type>")
    if pub_date is not None:
        parts.append(f"<pubDate>{pub_date}</pubDate>")
    parts.append("<category>cs.LG</category><dc:creator>Ada Lovelace</dc:creator>")
    return "<item>" + "".join(parts) + "</item>"


def only(body: bytes) -> Any:
    papers = arxiv.parse_rss(body).papers
    assert len(papers) == 1, papers
    return papers[0]


def test_the_id_from_the_guid() -> None:
    p = only(feed(item(guid="oai:arXiv.org:2507.11001v1", announce="new")))
    assert (p.id, p.version, p.announce_type) == ("2507.11001", 1, "new")


def test_the_id_and_announce_type_from_the_description() -> None:
    """No guid of arXiv's form: ``arXiv:ID Announce Type: TYPE`` heads the description."""
    description = "arXiv:2507.11002v2 Announce Type: cross \nAbstract: Graphs in batches."
    p = only(feed(item(guid="urn:something-else", description=description)))
    assert (p.id, p.version, p.announce_type) == ("2507.11002", 2, "cross")
    assert p.abstract == "Graphs in batches."  # the head is not part of the abstract
    assert p.listed == "2025-07-15"


def test_the_id_from_the_link() -> None:
    for link, wanted in [
        ("https://arxiv.org/abs/2507.11003v3", ("2507.11003", 3)),
        ("https://arxiv.org/abs/2507.11004/", ("2507.11004", None)),
        ("http://arxiv.org/abs/hep-th/9901001v1", ("hep-th/9901001", 1)),
    ]:
        p = only(feed(item(link=link, description="Abstract: no id here.")))
        assert (p.id, p.version) == wanted, link
        assert p.announce_type is None  # nothing says it


def test_the_guid_wins_over_the_description_and_the_link() -> None:
    p = only(
        feed(
            item(
                guid="oai:arXiv.org:2507.11005v1",
                description="arXiv:2507.99999v1 Announce Type: new Abstract: x",
                link="https://arxiv.org/abs/2507.88888",
            )
        )
    )
    assert p.id == "2507.11005"
    p = only(
        feed(
            item(
                description="arXiv:2507.11006v4 Announce Type: replace Abstract: x",
                link="https://arxiv.org/abs/2507.88888",
            )
        )
    )
    assert (p.id, p.version, p.announce_type) == ("2507.11006", 4, "replace")


def test_items_without_an_arxiv_id_are_left_out() -> None:
    result = arxiv.parse_rss(
        feed(
            item(title="no id anywhere"),
            item(title="not an id", description="arXiv:not-an-id Announce Type: new"),
            item(title="a foreign link", link="https://example.org/papers/42"),
            item(title="kept", link="https://arxiv.org/abs/2507.11007"),
        )
    )
    assert [p.title for p in result.papers] == ["kept"]


def test_the_day_of_an_item_without_a_usable_date_is_the_channels() -> None:
    body = feed(
        item(guid="oai:arXiv.org:2507.11008v1", pub_date=None),
        item(guid="oai:arXiv.org:2507.11009v1", pub_date="not a date"),
        item(guid="oai:arXiv.org:2507.11011v1", pub_date="Wed, 16 Jul 2025 00:00:00 -0400"),
    )
    result = arxiv.parse_rss(body)
    assert [p.listed for p in result.papers] == ["2025-07-15", "2025-07-15", "2025-07-16"]
    assert result.day == "2025-07-16"  # the latest day an item states
    no_day = arxiv.parse_rss(
        feed(item(guid="oai:arXiv.org:2507.11012v1", pub_date=None), pub_date="")
    )
    assert no_day.papers[0].listed is None and no_day.day is None


def test_a_feed_cut_short_names_the_line() -> None:
    body = feed(item(guid="oai:arXiv.org:2507.11001v1"))
    cut = body[: body.index(b"<category>")]
    with pytest.raises(FetchError, match=r"truncated or malformed RSS feed \(XML error at line"):
        arxiv.parse_rss(cut)


def test_an_api_entry_without_an_arxiv_id_is_left_out() -> None:
    body = (
        b"<?xml version='1.0' encoding='UTF-8'?>"
        b'<feed xmlns="http://www.w3.org/2005/Atom" '
        b'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
        b"<opensearch:totalResults>2</opensearch:totalResults>"
        b"<entry><id>http://arxiv.org/abs/2507.11001v2</id><title>Kept</title></entry>"
        b"<entry><id>http://example.org/something</id><title>Foreign</title></entry>"
        b"</feed>"
    )
    result = arxiv.parse_api(body)
    assert [p.title for p in result.papers] == ["Kept"] and result.total == 2


def test_search_words_that_are_only_brackets_are_dropped() -> None:
    assert arxiv.to_search_query("( mini ) ()") == "all:mini"


def test_an_announcement_day_that_is_not_a_date() -> None:
    assert arxiv.announcement_day("2025-07-15") == dt.date(2025, 7, 15)
    assert arxiv.announcement_day("yesterday") is None
    assert arxiv.announcement_day(None) is None


# --- answers other than 200 ---------------------------------------------------------------


def base(httpserver: Any) -> str:
    return str(httpserver.url_for("")).rstrip("/")


def test_rss_http_errors_are_one_line(httpserver: Any) -> None:
    httpserver.expect_request("/rss/cs.LG").respond_with_data(
        "Not Found", status=404, content_type="text/plain"
    )
    httpserver.expect_request("/rss/cs.CL").respond_with_data(
        feed(item(guid="oai:arXiv.org:2507.11001v1")), status=404,
        content_type="application/rss+xml",
    )  # fmt: skip
    with Http(Policy(retries=0)) as http:
        with pytest.raises(FetchError) as not_a_feed:
            arxiv.fetch_rss(http, base(httpserver), ("cs.LG",), delay=0)
        with pytest.raises(FetchError) as a_feed:
            arxiv.fetch_rss(http, base(httpserver), ("cs.CL",), delay=0)
    assert str(not_a_feed.value) == "arXiv's RSS feed answered HTTP 404 for cs.LG."
    assert str(a_feed.value) == "arXiv's RSS feed answered HTTP 404 for cs.CL."


def test_api_http_400_is_one_line(httpserver: Any) -> None:
    empty_feed = (
        b"<?xml version='1.0' encoding='UTF-8'?><feed xmlns=\"http://www.w3.org/2005/Atom\">"
        b"<title>arXiv Query</title></feed>"
    )
    answers = iter([(b"Bad Request", "text/plain"), (empty_feed, "application/atom+xml")])

    def answer(request: Any) -> Any:
        from werkzeug import Response

        body, ctype = next(answers)
        return Response(body, status=400, content_type=ctype)

    httpserver.expect_request("/api/query").respond_with_handler(answer)
    with Http(Policy(retries=0)) as http:
        for _ in range(2):
            with pytest.raises(PapersError) as info:
                arxiv.fetch_paper(http, base(httpserver), "2507.11001", delay=0)
            assert str(info.value) == "arXiv's export API answered HTTP 400."


def test_answers_of_200_that_are_not_what_was_asked_for(httpserver: Any) -> None:
    from pathlib import Path

    from papercli.errors import NotFoundError

    fixtures = Path(__file__).parent / "fixtures" / "arxiv"
    html = b"<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>"
    httpserver.expect_request("/rss/cs.LG").respond_with_data(html, content_type="text/html")
    answers = iter(
        [
            (html, "text/html"),
            ((fixtures / "api_error_400.xml").read_bytes(), "application/atom+xml"),
            ((fixtures / "api_id_not_found.xml").read_bytes(), "application/atom+xml"),
        ]
    )

    def answer(request: Any) -> Any:
        from werkzeug import Response

        body, ctype = next(answers)
        return Response(body, status=200, content_type=ctype)

    httpserver.expect_request("/api/query").respond_with_handler(answer)
    url = base(httpserver)
    with Http(Policy(retries=0)) as http:
        with pytest.raises(FetchError, match="not an RSS feed"):
            arxiv.fetch_rss(http, url, ("cs.LG",), delay=0)
        with pytest.raises(FetchError, match="not an Atom feed"):
            arxiv.fetch_paper(http, url, "2401.00001", delay=0)
        with pytest.raises(PapersError) as error_entry:
            arxiv.fetch_paper(http, url, "2401.0", delay=0)
        assert str(error_entry.value) == "arXiv: incorrect id format for 2401.0"
        with pytest.raises(NotFoundError) as missing:
            arxiv.fetch_paper(http, url, "2401.99999", version=2, delay=0)
        assert str(missing.value) == "Paper 2401.99999v2 was not found on arXiv."
