"""The HTML page (``--format html``) and the digest's HTML part, rendered by a real
browser: headless Chromium (Debian's ``chromium``), skipped where it is not installed.

At 375 pixels (a phone) and 1280 (a desktop), light and dark: nothing scrolls
sideways, every title is in the rendered text, the thumbnails load from their own URL
(the digest's, links, with alt text), and hostile remote text stays inert: no script
runs, and no element, attribute or link appears that papercli did not write. The
documents are measured inside a harness page of the test's own
(tests/support/chromium.py); papercli's HTML carries no JavaScript.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from papercli import export, mail
from papercli.export import Group, Meta, safe_url
from papercli.models import Paper
from papercli.text import clean
from support import chromium
from support.hostile import HOSTILE_TITLES, hostile_papers
from test_export_html import PAGE_ELEMENTS

BINARY = chromium.find()
pytestmark = pytest.mark.skipif(
    BINARY is None,
    reason="Chromium is not installed (Debian: apt-get install chromium; or set "
    "PAPERS_CHROMIUM to a Chromium or Chrome executable)",
)
DAY = dt.date(2025, 7, 15)
DIGEST_ELEMENTS = {
    "html",
    "head",
    "meta",
    "title",
    "body",
    "div",
    "h1",
    "h2",
    "p",
    "span",
    "br",
} | {
    "table",
    "tbody",  # the browser's own, inside every table
    "tr",
    "td",
    "a",
    "img",
}
# Remote text that would run a script, if it ever became markup: each sets a flag the
# harness reads (in the frame, or in the harness itself through parent).
SENTINELS = (
    "<script>parent.__pwned='script'</script> script title",
    "<img src=x onerror=\"parent.__pwned='img'\"> img title",
    '"><svg onload="parent.__pwned=\'svg\'"> attribute title',
    "<iframe srcdoc=\"<script>parent.parent.__pwned='frame'</script>\"></iframe> frame title",
    "<a href=\"javascript:parent.__pwned='link'\">link</a> link title",
)


@pytest.fixture(scope="module")
def thumbnails() -> Iterator[str]:
    """A loopback server of stand-in thumbnails: papercli links them, the browser loads."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/t.png").respond_with_data(
        chromium.placeholder_png(), content_type="image/png"
    )
    server.start()
    try:
        yield server.url_for("/t.png")
    finally:
        server.clear()
        server.stop()


def papers(thumb: str) -> list[Paper]:
    """The hostile papers and the sentinels, with hostile AI summaries and thumbnails."""
    base = hostile_papers()
    extra = [
        dataclasses.replace(base[3], id=f"2507.{11200 + i}", title=title)
        for i, title in enumerate(SENTINELS)
    ]
    out = []
    for i, p in enumerate([*base, *extra]):
        hostile_thumb = f"{thumb}?\" onerror=\"parent.__pwned='thumb'"
        out.append(
            dataclasses.replace(
                p,
                ai_summary=f"{SENTINELS[i % len(SENTINELS)]} {HOSTILE_TITLES[i % 19]}",
                organization=f"\"><script>parent.__pwned='org'</script> {i}",
                comments=i,
                thumbnail=hostile_thumb if i == 1 else "javascript:alert(1)" if i == 2 else thumb,
            )
        )
    return out


def trusted(items: list[Paper]) -> set[str]:
    return {
        u
        for p in items
        for raw in (p.url, p.arxiv_url, p.pdf_url, p.github_url, p.project_page)
        if (u := safe_url(raw))
    }


def documents(items: list[Paper]) -> dict[str, str]:
    meta = Meta("Hugging Face Daily Papers, 2025-07-15", "hf", query="<b>q</b>")
    groups = [
        Group("mini-batch", "mini-batch", tuple(items[:14])),
        Group("diffusion", "<i>diffusion</i>", tuple(items[10:])),
    ]
    rules = {g.name: list(g.papers) for g in groups}
    queries = {g.name: g.query for g in groups}
    return {
        "page": export.render("html", items, meta),
        "watch": export.render_groups("html", groups, Meta("Watch rules", "watch")),
        "digest": mail.render_html(rules, DAY, queries),
    }


def check_inert(found: chromium.Rendered, items: list[Paper], allowed: Any) -> None:
    """Only papercli's elements, attributes, links and images."""
    links = trusted(items)
    thumbs = {safe_url(p.thumbnail) for p in items if p.thumbnail}
    for tag, attrs in found.elements:
        if isinstance(allowed, dict):
            assert tag in allowed and set(attrs) <= allowed[tag], (found.name, tag, attrs)
        else:
            assert tag in allowed, (found.name, tag)
            assert not [a for a in attrs if a.startswith("on")], (found.name, tag, attrs)
        if tag == "a":
            assert attrs.get("href") in links, (found.name, attrs)
        if tag == "img":
            assert attrs.get("src") in thumbs, (found.name, attrs)
    assert found.pwned is None


@pytest.fixture(scope="module")
def rendered(thumbnails: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every document measured at 375 and 1280 pixels (light) and at 375 (dark), and one
    screenshot of the page and the digest at both widths: three Chromiums at once."""
    assert BINARY is not None
    folder = tmp_path_factory.mktemp("browser")
    items = papers(thumbnails)
    docs = documents(items)
    sizes = [(f"{name}@{w}", text, w) for name, text in docs.items() for w in (375, 1280)]
    overflowing = '<!DOCTYPE html><div style="width:500px">wide</div>'
    light = chromium.Measure(BINARY, [*sizes, ("wide@375", overflowing, 375)], folder)
    dark = chromium.Measure(
        BINARY, [(f"{n}@375", t, 375) for n, t in docs.items()], folder, dark=True
    )
    sheet = folder / "sheet.png"  # page and digest at 375 and 1280, for a person to look at
    shot = [(docs[n], w) for n in ("page", "digest") for w in (375, 1280)]
    screenshot = chromium.sheet(BINARY, shot, sheet)
    light_found, flag = light.result()
    dark_found, dark_flag = dark.result()
    chromium.finish(*screenshot)
    return {
        "items": items,
        "light": {r.name: r for r in light_found},
        "dark": {r.name: r for r in dark_found},
        "flags": (flag, dark_flag),
        "sheet": (sheet, sum(w + 20 for _, w in shot)),
    }


def test_the_measure_sees_a_page_that_scrolls_sideways(rendered) -> None:
    wide = rendered["light"]["wide@375"]
    assert wide.scroll_width >= 500 > wide.client_width == 375


@pytest.mark.parametrize("name", ["page", "watch", "digest"])
@pytest.mark.parametrize("width", [375, 1280])
def test_nothing_scrolls_sideways_and_every_title_shows(rendered, name: str, width: int) -> None:
    found = rendered["light"][f"{name}@{width}"]
    assert found.width == width
    assert found.scroll_width <= found.client_width == width, found.scroll_width
    assert found.right <= width + 0.5
    text = " ".join(found.text.split())
    for p in rendered["items"]:
        assert clean(p.title) in text, (name, p.title)


@pytest.mark.parametrize("name", ["page", "watch", "digest"])
def test_hostile_text_stays_inert(rendered, name: str) -> None:
    allowed = PAGE_ELEMENTS if name != "digest" else DIGEST_ELEMENTS
    for width in (375, 1280):
        check_inert(rendered["light"][f"{name}@{width}"], rendered["items"], allowed)
    check_inert(rendered["dark"][f"{name}@375"], rendered["items"], allowed)
    assert rendered["flags"] == (None, None)  # nothing set the harness's flag or title
    text = " ".join(rendered["light"][f"{name}@375"].text.split())
    assert "<script>parent.__pwned='script'</script> script title" in text  # shown, as text


@pytest.mark.parametrize("name", ["page", "digest"])
def test_thumbnails_load_from_their_url_as_decorations(rendered, name: str) -> None:
    found = rendered["light"][f"{name}@375"]
    items = rendered["items"]
    expected = sum(1 for p in items if safe_url(p.thumbnail))
    assert len(found.images) == expected
    for src, alt, width in found.images:
        # The page's stands beside its title (decorative: no alt); the digest's is the
        # link to the paper, and says what it is.
        wanted = alt.startswith("Thumbnail of ") if name == "digest" else alt == ""
        assert wanted and 40 <= width <= 170, (src, alt, width)


def test_light_and_dark(rendered) -> None:
    page_light, page_dark = rendered["light"]["page@375"], rendered["dark"]["page@375"]
    assert page_light.background == "rgb(255, 255, 255)"
    assert page_dark.background == "rgb(13, 17, 23)" and page_dark.color == "rgb(230, 237, 243)"
    # The digest sets no background: the mail client's (light or dark) shows through, and
    # with color-scheme "light dark" the browser draws light text in dark mode.
    digest_light, digest_dark = rendered["light"]["digest@375"], rendered["dark"]["digest@375"]
    assert digest_light.background == digest_dark.background == "rgba(0, 0, 0, 0)"
    assert digest_light.color == "rgb(0, 0, 0)" and digest_dark.color == "rgb(255, 255, 255)"


def test_a_screenshot_at_both_widths(rendered) -> None:
    sheet, width = rendered["sheet"]
    assert chromium.png_size(sheet) == (width, 900)
    assert sheet.stat().st_size > 50_000  # drawn, not blank
