"""What the digest says and how: each paper once (with every rule that matched it), the
counts agreeing, the order a reader wants, inline styles only, every field escaped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from papercli import mail
from papercli.export import safe_url
from papercli.models import Paper
from papercli.text import clean
from support.hostile import HOSTILE_TITLES, hostile_papers

DAY = dt.date(2026, 11, 26)
QUERIES = {"mini-batch": "mini-batch OR batch", "diffusion": "diffusion"}
EVIL_THUMB = 'https://x.example/t.png" onerror="alert(1)'


class Parsed(HTMLParser):
    """Every element, attribute and text of an HTML document."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def tags(self) -> set[str]:
        return {tag for tag, _ in self.elements}

    def values(self, attribute: str) -> list[str]:
        return [a[attribute] for _, a in self.elements if attribute in a]

    def flat(self) -> str:
        return " ".join(" ".join(self.text).split())


def _dressed() -> list[Paper]:
    """The hostile papers with hostile AI summaries, comments and thumbnails too."""
    out = []
    for i, p in enumerate(hostile_papers()):
        out.append(
            dataclasses.replace(
                p,
                ai_summary=f"TLDR <b>{i}</b> [x](javascript:y) {HOSTILE_TITLES[i % 19]}",
                comments=i,
                thumbnail=(
                    EVIL_THUMB
                    if i == 1
                    else "javascript:alert(1)"
                    if i == 2
                    else f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{p.id}.png"
                ),
            )
        )
    return out


def _groups() -> dict[str, list[Paper]]:
    papers = _dressed()
    return {"mini-batch": papers[:12], "diffusion": [*papers[10:], papers[0]]}


def test_a_paper_two_rules_match_is_shown_once_and_the_counts_agree() -> None:
    groups = _groups()
    n = mail.count_new(groups)
    assert n == 20 and mail.subject(groups, DAY).startswith("papers: 20 new for ")
    text = mail.render_text(groups, DAY, QUERIES)
    numbers = [int(m) for m in re.findall(r"^(\d+)\. ", text, re.MULTILINE)]
    assert numbers == list(range(1, n + 1))  # numbered through: the last number is the count
    assert text.startswith("20 new papers for your watch rules (2026-11-26)")
    assert "== diffusion: 11 new (3 listed above) ==\n   query: diffusion" in text
    assert text.count("Matched: mini-batch, diffusion") == 3
    page = Parsed(mail.render_html(groups, DAY, QUERIES))
    tables = [a for tag, a in page.elements if tag == "table"]
    assert len(tables) == n  # one per paper
    assert page.flat().count("matched mini-batch, diffusion") == 3
    assert "mini-batch OR batch · 12 new" in page.flat()
    assert "diffusion · 11 new (3 listed above)" in page.flat()


def test_a_new_version_counts_as_the_same_paper() -> None:
    a = Paper(id="2507.11001", title="One", sources=("hf",))
    groups = {"x": [a], "y": [dataclasses.replace(a, id="2507.11001v2")]}
    assert mail.count_new(groups) == 1
    assert mail.render_text(groups, DAY).count("One") == 1


def test_the_html_part_uses_inline_styles_only() -> None:
    body = mail.render_html(_groups(), DAY, QUERIES)
    page = Parsed(body)
    assert page.tags() <= {"html", "head", "meta", "title", "body", "div", "h1", "h2", "p"} | {
        "span",
        "br",
        "table",
        "tr",
        "td",
        "a",
        "img",
    }
    assert "<style" not in body and "<link" not in body and "<script" not in body
    assert not page.values("class") and not page.values("id")
    assert not [k for _, a in page.elements for k in a if k.startswith("on")]
    assert '<meta name="color-scheme" content="light dark">' in body
    # No colour behind the text: the reader's light or dark background shows through.
    styles = " ".join(page.values("style"))
    assert "background" not in styles
    assert "max-width:640px" in styles


def test_every_field_is_escaped_and_every_link_trusted() -> None:
    papers = _dressed()
    body = mail.render_html(_groups(), DAY, {**QUERIES, "diffusion": "<i>q</i> [x](y)"})
    page = Parsed(body)
    flat = page.flat()
    for p in papers:
        assert clean(p.title) in flat
        assert clean(p.ai_summary) in flat or clean(p.ai_summary)[:100] in flat
    assert "<b>Org</b> [link](http://evil.example) | x" in flat  # as text, not markup
    assert "<i>q</i> [x](y)" in flat
    assert "O'Brien, Jr. *star*" not in flat  # only the first three authors
    assert "[Author](javascript:x) 0, Émile <b>Borel</b> and Sons, 李明 and 1 more" in flat
    trusted = {safe_url(u) for p in papers for u in (p.url, p.arxiv_url, p.pdf_url, p.github_url)}
    assert set(page.values("href")) <= trusted
    thumbs = page.values("src")
    # The attribute-breaking one is percent-encoded into a harmless URL; javascript: is gone.
    assert thumbs == [safe_url(p.thumbnail) for p in papers if p.thumbnail and p.id != "2507.11102"]
    assert "https://x.example/t.png%22%20onerror=%22alert%281%29" in thumbs
    assert not [t for t in thumbs if '"' in t or " " in t or "javascript" in t]
    for tag, attrs in page.elements:
        if tag == "img":
            assert attrs["alt"].startswith("Thumbnail of ") and attrs["width"] == "96"


def test_the_tldr_is_the_ai_summary_else_the_start_of_the_abstract() -> None:
    long = "First sentence of the abstract is here and long enough. " + "More words. " * 60
    with_summary = Paper(
        id="2507.00001", title="A", abstract=long, ai_summary="A one-line summary.", sources=("hf",)
    )
    without = dataclasses.replace(with_summary, id="2507.00002", title="B", ai_summary=None)
    rambling = dataclasses.replace(without, id="2507.00003", title="C", abstract="word " * 200)
    text = mail.render_text({"r": [with_summary, without, rambling]}, DAY)
    flat = " ".join(text.split())
    assert "TL;DR: A one-line summary." in flat
    assert "TL;DR: First sentence of the abstract is here and long enough. Page:" in flat
    tldr = re.search(r"TL;DR: (word[ word]*…)", flat)
    assert tldr and len(tldr.group(1)) <= mail.TLDR_CHARS + 2
    assert "More words" not in flat


def test_the_plain_text_part_reads_in_a_terminal() -> None:
    text = mail.render_text(_groups(), DAY, QUERIES)
    lines = text.splitlines()
    long = [line for line in lines if len(line) > mail.TEXT_WIDTH and "://" not in line]
    # Only a single word longer than a line (a hostile title's) may exceed the width.
    assert all(" " not in line.strip().split(" ", 1)[-1] or len(line) < 200 for line in long)
    assert "<" in text  # remote text as it is: the plain part has no markup to escape
    assert "\x1b" not in text and "\u202e" not in text
    assert "   Page: https://huggingface.co/papers/2507.11100" in lines
    assert "   PDF: https://arxiv.org/pdf/2507.11100" in lines


# --- the order: the use case that builds the groups ----------------------------------


def _config(home: Path) -> None:
    (home / "config.toml").write_text(
        '[watch.clicks]\nquery = "click OR heading OR pipes OR bold"\n', encoding="utf-8"
    )


def _cache(home: Path, today: dt.date) -> list[Paper]:
    from papercli.storage.cache import Cache

    cache = Cache(home / "cache")
    papers = hostile_papers()
    for back in range(9):  # every day the rule looks at, so nothing is fetched
        day = (today - dt.timedelta(days=back)).isoformat()
        listed = [dataclasses.replace(p, listed=day, published=None) for p in papers]
        cache.save("hf", "day", day, listed if back == 1 else [])
    return papers


def _news_ids(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from papercli import config
    from papercli.core.context import Context
    from papercli.core.watch import news

    with Context(config.load(), lambda message: None, today=dt.date.today()) as ctx:
        groups, _mark = news(ctx, [])
    return [p.id for p in groups["clicks"]]


def test_news_orders_by_upvotes_without_a_model(isolated_home: Path, monkeypatch) -> None:
    _config(isolated_home)
    _cache(isolated_home, dt.date.today())
    ids = _news_ids(monkeypatch)
    # "*bold*" (35 upvotes), "# heading" (28), "| pipes" (21), "click me" (0)
    assert ids == ["2507.11105", "2507.11104", "2507.11103", "2507.11100"]


def test_the_digest_is_ordered_for_you_once_the_reader_has_likes(run, isolated_home) -> None:
    """End to end with a real model: the lowest-voted paper, liked, comes first."""
    import time

    from papercli.sources import hf

    (isolated_home / "config.toml").write_text(
        '[watch.batch]\nquery = "batch OR diffusion"\n', encoding="utf-8"
    )
    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    body = (Path(__file__).parent / "fixtures" / "hf" / "daily_2025-07-15.json").read_bytes()
    papers = hf.parse_daily(body.replace(b"2025-07-15", day.encode()), day)
    from papercli.storage.cache import Cache

    cache = Cache(isolated_home / "cache")
    for back in range(9):  # every day the rule looks at, so nothing is fetched
        other = (dt.date.today() - dt.timedelta(days=back)).isoformat()
        cache.save("hf", "day", other, papers if other == day else [], fetched_at=time.time())

    def first_titles() -> list[str]:
        result = run("digest", "--dry-run")
        assert result.exit_code == 0, result.stderr
        return re.findall(r"^\d+\. (.*)$", result.stdout, re.MULTILINE)

    by_upvotes = first_titles()
    assert by_upvotes[0].startswith("Scaling Mini-Batch")  # 87 upvotes, then 41, then 12
    assert by_upvotes[-1].startswith("Diffusion Models")
    diffusion = next(p.id for p in papers if p.title.startswith("Diffusion"))
    assert run("like", diffusion).exit_code == 0
    assert run("dislike", *[p.id for p in papers if p.id != diffusion]).exit_code == 0
    assert first_titles()[0].startswith("Diffusion Models")
