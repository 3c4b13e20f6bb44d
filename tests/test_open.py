"""``papers open``: only https URLs built from a validated id reach ``webbrowser.open``."""

from __future__ import annotations

import re
import webbrowser
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from papercli import links as browse
from papercli.errors import PapersError, UsageError
from papercli.ui import browser


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    urls: list[str] = []

    def fake_open(url: str, new: int = 0, autoraise: bool = True) -> bool:
        urls.append(url)
        return True

    monkeypatch.setattr(webbrowser, "open", fake_open)
    return urls


@pytest.mark.parametrize(
    ("args", "url"),
    [
        (["2308.04079"], "https://huggingface.co/papers/2308.04079"),
        (["2308.04079v2"], "https://huggingface.co/papers/2308.04079"),
        (["arXiv:2308.04079"], "https://huggingface.co/papers/2308.04079"),
        (["https://arxiv.org/abs/2308.04079v3"], "https://huggingface.co/papers/2308.04079"),
        (["https://huggingface.co/papers/2308.04079"], "https://huggingface.co/papers/2308.04079"),
        (["2308.04079", "--pdf"], "https://arxiv.org/pdf/2308.04079"),
        (["2308.04079v2", "--pdf"], "https://arxiv.org/pdf/2308.04079v2"),
        (["2308.04079", "--arxiv"], "https://arxiv.org/abs/2308.04079"),
        (["hep-th/9901001"], "https://arxiv.org/abs/hep-th/9901001"),
        (["hep-th/9901001v1", "--pdf"], "https://arxiv.org/pdf/hep-th/9901001v1"),
    ],
)
def test_open_builds_the_url_from_the_id(run, opened: list[str], args: list[str], url: str):
    result = run("open", *args)
    assert result.exit_code == 0, result.stderr
    assert opened == [url]
    assert result.stdout == url + "\n" and result.stderr == ""


@pytest.mark.parametrize(
    "text",
    [
        "../../x",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "https://evil.example/abs/2308.04079",
        "http://arxiv.org.evil.example/abs/2308.04079",
        "2308.04079/../../x",
        "2308.04079?redirect=https://evil.example",
        "２３０８.０４０７９",
        "\x1b]8;;https://evil\x07",
        "",
    ],
)
def test_open_refuses_anything_but_an_id(run, opened: list[str], text: str) -> None:
    result = run("open", text)
    assert result.exit_code == 2
    assert opened == [] and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "\x1b" not in result.stderr


def test_without_a_browser_the_url_is_printed_and_exit_is_0(
    run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webbrowser, "open", lambda *a, **k: False)
    result = run("open", "2308.04079", "--pdf")
    assert result.exit_code == 0
    assert result.stdout == "https://arxiv.org/pdf/2308.04079\n"
    assert "No web browser" in result.stderr


def test_a_browser_error_is_handled_like_no_browser(run, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> bool:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "open", broken)
    result = run("open", "2308.04079")
    assert result.exit_code == 0 and "No web browser" in result.stderr


def test_open_makes_no_request(run, opened: list[str], httpserver, hf_url) -> None:
    assert run("open", "2308.04079").exit_code == 0
    assert httpserver.log == []


@pytest.mark.parametrize(
    "url",
    [
        "http://arxiv.org/abs/2308.04079",
        "https://arxiv.org:8443/abs/2308.04079",
        "https://user@arxiv.org/abs/2308.04079",
        "https://evil.example/papers/2308.04079",
        "https://arxiv.org/abs/2308.04079/../../x",
        "https://arxiv.org/abs/2308.04079?q=1",
        "javascript:alert(1)",
    ],
)
def test_the_last_guard_refuses_other_urls(url: str, opened: list[str]) -> None:
    with pytest.raises(PapersError):
        browser.open_in_browser(url)
    assert opened == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
@example("https://arxiv.org/pdf/2308.04079v2.pdf")
def test_every_url_papers_open_builds_is_a_safe_https_paper_url(text: str) -> None:
    for flags in ({}, {"pdf": True}, {"arxiv": True}):
        try:
            url = browse.paper_url(text, **flags)
        except UsageError:
            return
        assert re.fullmatch(r"https://(huggingface\.co|arxiv\.org)/[a-z]+/[A-Za-z0-9./-]+", url)
        assert ".." not in url


def test_a_paper_known_only_from_arxiv_opens_on_arxiv(
    run, opened: list[str], isolated_home
) -> None:
    from papercli.models import Paper
    from papercli.storage.cache import Cache

    only_arxiv = Paper(id="2605.00847", title="From the feed", sources=("arxiv",))
    Cache(isolated_home / "cache").save("arxiv", "rss", "cs.LG/2026-05-05", [only_arxiv])
    assert run("open", "2605.00847").exit_code == 0
    assert opened[-1] == "https://arxiv.org/abs/2605.00847"
    assert run("open", "2605.00847", "--pdf", "--arxiv").exit_code == 2
