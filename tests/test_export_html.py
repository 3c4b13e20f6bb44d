"""``--format html``: one self-contained page, every field escaped, on every command that
prints papers. (Rendered in a real browser: tests/test_browser.py.)"""

from __future__ import annotations

import dataclasses
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from papercli import export
from papercli.export import Group, Meta, safe_url
from papercli.models import JSON_KEYS, Paper
from papercli.storage.cache import Cache
from papercli.text import clean
from support.hostile import HOSTILE_TITLES, hostile_papers

FIXTURES = Path(__file__).parent / "fixtures"
# Every element papercli writes into a page, and every attribute each may carry.
PAGE_ELEMENTS: dict[str, set[str]] = {
    "html": {"lang"},
    "head": set(),
    "meta": {"charset", "http-equiv", "content", "name"},
    "title": set(),
    "style": set(),
    "body": set(),
    "main": set(),
    "header": set(),
    "footer": set(),
    "section": set(),
    "article": set(),
    "h1": set(),
    "h2": {"class"},
    "h3": set(),
    "p": {"class"},
    "div": {"class"},
    "b": set(),
    "a": {"href"},
    "img": {"class", "src", "alt", "width", "height", "loading", "referrerpolicy"},
    "details": {"class"},
    "summary": set(),
}


class Parsed(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.in_style = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self.in_style = tag in ("style", "title")  # not text of the page

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if not self.in_style:
            self.text.append(data)

    def values(self, tag: str, attribute: str) -> list[str]:
        return [a[attribute] for t, a in self.elements if t == tag and attribute in a]

    def count(self, tag: str) -> int:
        return sum(1 for t, _ in self.elements if t == tag)

    def flat(self) -> str:
        return " ".join(" ".join(self.text).split())


def dressed() -> list[Paper]:
    """The hostile papers with hostile AI summaries, comments and thumbnails."""
    out = []
    for i, p in enumerate(hostile_papers()):
        thumb = f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{p.id}.png"
        if i == 1:
            thumb = 'https://x.example/t.png" onerror="alert(1)'
        elif i == 2:
            thumb = "javascript:alert(1)"
        summary = f"TLDR <script>alert({i})</script> {HOSTILE_TITLES[(i + 3) % 19]}"
        out.append(dataclasses.replace(p, ai_summary=summary, comments=i, thumbnail=thumb))
    return out


def trusted_links(papers: list[Paper]) -> set[str]:
    return {
        u
        for p in papers
        for raw in (p.url, p.arxiv_url, p.pdf_url, p.github_url, p.project_page)
        if (u := safe_url(raw))
    }


def assert_only_papercli_markup(page: Parsed, papers: list[Paper]) -> None:
    for tag, attrs in page.elements:
        assert tag in PAGE_ELEMENTS, tag
        assert set(attrs) <= PAGE_ELEMENTS[tag], (tag, attrs)
    assert page.count("style") == 1 and page.count("title") == 1
    assert set(page.values("a", "href")) <= trusted_links(papers)
    thumbs = {safe_url(p.thumbnail) for p in papers if p.thumbnail}
    assert set(page.values("img", "src")) <= thumbs
    for value in page.values("a", "href") + page.values("img", "src"):
        assert value.startswith("https://") and '"' not in value and " " not in value


def test_a_listing_page_escapes_every_field() -> None:
    papers = dressed()
    meta = Meta("Hugging Face <b>Daily</b> Papers", "hf", query='<i>x</i> "q" [a](b)')
    text = export.render("html", papers, meta)
    assert text.startswith("<!DOCTYPE html>\n")
    assert "<script" not in text.lower().replace("&lt;script", "")
    page = Parsed(text)
    assert_only_papercli_markup(page, papers)
    flat = page.flat()
    assert flat.startswith(
        'Hugging Face <b>Daily</b> Papers Query: <i>x</i> "q" [a](b) · 20 papers'
    )
    for p in papers:
        assert clean(p.title) in flat
        assert clean(p.ai_summary) in flat
        for author in p.authors:
            assert clean(author) in flat
    assert "<b>Org</b> [link](http://evil.example) | x" in flat
    assert "Abstract of [x](javascript:alert(1)) click me" not in flat  # a 100,000-char one
    assert "Second <p>paragraph</p> & more ![i](j)." in flat
    assert "id not-an-arxiv-id" in flat
    assert page.count("article") == len(papers) and page.count("h2") == len(papers)
    # Every abstract in a <details>, one per paper that has one.
    assert page.count("details") == sum(1 for p in papers if p.abstract)
    # The thumbnails: decorative beside their title (an empty alt), referrer withheld;
    # javascript: dropped, quotes encoded.
    alts = page.values("img", "alt")
    assert alts == [""] * (len(papers) - 1)
    assert "https://x.example/t.png%22%20onerror=%22alert%281%29" in page.values("img", "src")
    assert set(page.values("img", "referrerpolicy")) == {"no-referrer"}


def test_the_page_is_self_contained_and_forbids_scripts() -> None:
    text = export.render("html", hostile_papers()[:2], Meta("Papers"))
    page = Parsed(text)
    csp = next(a["content"] for t, a in page.elements if t == "meta" and "http-equiv" in a)
    assert "default-src 'none'" in csp and "script-src" not in csp  # so no script at all
    assert "<link" not in text and "@import" not in text and "url(" not in text
    assert "prefers-color-scheme:dark" in text and "max-width:30rem" in text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert '<meta name="color-scheme" content="light dark">' in text


def test_an_empty_listing_is_still_a_page() -> None:
    page = Parsed(export.render("html", [], Meta("Papers")))
    assert "0 papers" in page.flat() and page.count("article") == 0


def test_watch_rules_make_a_section_each_and_each_paper_once() -> None:
    papers = dressed()
    groups = [
        Group("mini-batch", "mini-batch OR <b>x</b>", tuple(papers[:12])),
        Group("<i>diffusion</i>", "diffusion", tuple([*papers[10:], papers[0]])),
    ]
    meta = Meta("Watch rules mini-batch, diffusion", "watch")
    page = Parsed(export.render_groups("html", groups, meta))
    assert_only_papercli_markup(page, papers)
    flat = page.flat()
    assert "2 watch rules · 20 papers" in flat
    assert "Query: mini-batch OR <b>x</b> · 12 papers" in flat
    assert "<i>diffusion</i> Query: diffusion · 11 papers · 3 listed under an earlier rule" in flat
    assert page.count("section") == 2 and page.count("article") == 20 and page.count("h3") == 20
    assert flat.count("Watch rules: mini-batch, <i>diffusion</i>") == 3
    one = Parsed(export.render_groups("html", groups[:1], meta))
    assert one.count("section") == 0 and one.count("article") == 12


def test_the_thumbnail_is_parsed_but_not_in_the_json_form() -> None:
    from papercli.sources import hf

    papers = hf.parse_daily((FIXTURES / "hf" / "daily_2025-07-15.json").read_bytes())
    assert papers[0].thumbnail == (
        "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2507.11001.png"
    )
    assert list(papers[0].to_json()) == list(JSON_KEYS) and "thumbnail" not in JSON_KEYS
    assert Paper.from_record(papers[0].to_record()) == papers[0]  # kept in the cache
    searched = hf.parse_search((FIXTURES / "hf" / "search_minibatch.json").read_bytes())
    assert all(p.thumbnail and p.thumbnail.endswith(f"{p.id}.png") for p in searched)
    # Only an http(s) URL is kept.
    item = json.loads((FIXTURES / "hf" / "daily_2025-07-15.json").read_bytes())[0]
    item["thumbnail"] = "javascript:alert(1)"
    assert hf.parse_daily(json.dumps([item]).encode())[0].thumbnail is None
    merged = Paper(id=papers[0].id, title="t", sources=("arxiv",)).merged_with_hf(papers[0])
    assert merged.thumbnail == papers[0].thumbnail


# --- the commands ---------------------------------------------------------------------------


@pytest.fixture
def hostile_day(isolated_home: Path) -> list[Paper]:
    papers = dressed()
    Cache(isolated_home / "cache").save("hf", "day", "2025-07-15", papers)
    return papers


def test_list_and_show_write_pages(run, hostile_day, tmp_path: Path) -> None:
    listed = run("list", "--date", "2025-07-15", "--offline", "--format", "html")
    assert listed.exit_code == 0, listed.stderr
    page = Parsed(listed.stdout)
    assert_only_papercli_markup(page, hostile_day)
    assert page.flat().startswith("Hugging Face Daily Papers, 2025-07-15 20 papers")
    for ending in ("html", "htm", "HTML"):
        target = tmp_path / f"day.{ending}"
        written = run("list", "--date", "2025-07-15", "--offline", "-o", str(target))
        assert written.exit_code == 0 and f"Wrote 20 papers to {target}." in written.stderr
        assert target.read_text(encoding="utf-8") == listed.stdout
    shown = run("show", "2507.11103", "--offline", "--format", "html")
    assert shown.exit_code == 0, shown.stderr
    one = Parsed(shown.stdout)
    assert one.count("article") == 1 and one.flat().startswith("Paper 2507.11103 1 paper")
    searched = run("search", "--offline", "heading", "--format", "html")
    assert searched.exit_code == 0, searched.stderr
    assert "# heading at the start" in Parsed(searched.stdout).flat()


def test_watch_run_and_library_write_pages(run, hostile_day, tmp_path: Path) -> None:
    assert run("watch", "add", "alpha", "abstract").exit_code == 0
    assert run("watch", "add", "beta", "mini-batch OR title:heading").exit_code == 0
    target = tmp_path / "watch.html"
    watched = run("watch", "run", "--since", "2025-07-01", "--offline", "-o", str(target))
    assert watched.exit_code == 0, watched.stderr
    page = Parsed(target.read_text(encoding="utf-8"))
    assert_only_papercli_markup(page, hostile_day)
    assert page.count("section") == 2
    assert page.flat().startswith("Watch rules alpha, beta 2 watch rules · 19 papers")
    assert run("save", "2507.11104").exit_code == 0
    library = run("library", "--format", "html")
    assert library.exit_code == 0, library.stderr
    saved = Parsed(library.stdout)
    assert saved.count("article") == 1 and "# heading at the start" in saved.flat()


def test_abstracts_flag_stays_for_markdown(run, hostile_day) -> None:
    result = run("list", "--date", "2025-07-15", "--offline", "--format", "html", "--abstracts")
    assert result.exit_code == 2 and "--abstracts applies to --format md only" in result.stderr
