"""Every export format, read back by a real parser, for hostile remote text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papercli import export
from papercli.export import Meta, atom, bibtex, csvfmt, jsonfmt, markdown
from papercli.export.common import strip_html
from papercli.export.markdown import md_escape
from papercli.models import JSON_KEYS, Paper
from papercli.text import clean
from support.hostile import LONG_ABSTRACT, hostile_papers

META = Meta("Hugging Face Daily Papers, 2025-07-15", "hf", "2025-07-15", "mini-batch <b>")
FORBIDDEN_MD = {
    "image",
    "html_inline",
    "code_inline",
    "code_block",
    "fence",
    "em_open",
    "strong_open",
    "s_open",
    "math_inline",
    "math_block",
    "footnote_ref",
    "table_open",
    "blockquote_open",
    "hr",
    "bullet_list_open_in_title",
}


def _md() -> Any:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    parser = MarkdownIt("commonmark", {"linkify": True})
    parser.enable(["linkify", "table", "strikethrough"])
    return parser.use(dollarmath_plugin).use(footnote_plugin).use(tasklists_plugin)


def _walk(tokens: list[Any]) -> list[Any]:
    out = []
    for token in tokens:
        out.append(token)
        out.extend(_walk(token.children or []))
    return out


def _text(children: list[Any]) -> str:
    return "".join(t.content for t in children if t.type in ("text", "text_special"))


def _trusted_urls(papers: list[Paper]) -> set[str]:
    urls = set()
    for p in papers:
        for url in (p.url, p.arxiv_url, p.pdf_url, p.github_url, p.project_page):
            safe = export.safe_url(url)
            if safe:
                urls.add(safe)
    return urls


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.data.append(data.strip())

    def handle_comment(self, data: str) -> None:
        self.tags.append("!--")


# --- Markdown ------------------------------------------------------------------------------


@pytest.mark.parametrize("abstracts", [False, True])
def test_markdown_entries_links_and_escaping_hold(abstracts: bool) -> None:
    papers = hostile_papers()
    text = markdown.to_markdown(papers, META, abstracts=abstracts)
    tokens = _md().parse(text)
    every = _walk(tokens)
    types = {t.type for t in every}
    assert not (types & FORBIDDEN_MD), types & FORBIDDEN_MD
    # Links: only the ones papercli builds; never javascript:, never from the text.
    hrefs = {t.attrs["href"] for t in every if t.type == "link_open"}
    assert hrefs <= _trusted_urls(papers)
    assert not any("javascript" in h or "evil" in h for h in hrefs)
    # One h1 saying what was listed, one h2 per paper whose text is the title.
    headings = [(t, tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert [t.tag for t, _ in headings] == ["h1"] + ["h2"] * len(papers)
    assert _text(headings[0][1].children) == META.heading
    for (_, inline), paper in zip(headings[1:], papers, strict=True):
        assert _text(inline.children) == clean(paper.title)
        first = inline.children[0]
        if paper.is_arxiv:
            assert first.type == "link_open" and first.attrs["href"] == paper.url
    assert "Query: mini-batch <b> · 20 papers" in [
        _text(t.children) for t in tokens if t.type == "inline"
    ]
    # Bullets: authors, organisation and upvotes are plain text.
    inlines = [_text(t.children) for t in tokens if t.type == "inline"]
    authors = "Authors: " + ", ".join(clean(a) for a in papers[3].authors)
    assert authors in inlines
    assert "Organization: <b>Org</b> [link](http://evil.example) | x" in inlines
    assert "Upvotes: 21" in inlines
    links = [
        t
        for t in tokens
        if t.type == "inline" and t.level == 3 and _text(t.children).startswith("Links:")
    ]
    assert len(links) == len(papers)
    first_links = [c.attrs["href"] for c in links[0].children if c.type == "link_open"]
    assert first_links == [
        "https://arxiv.org/abs/2507.11100",
        "https://arxiv.org/pdf/2507.11100",
        "https://github.com/example/repo_%281%29",
    ]  # the javascript: project page is dropped
    html_blocks = [t for t in tokens if t.type == "html_block"]
    if not abstracts:
        assert not html_blocks
        return
    # Abstracts: one <details> HTML block each, holding escaped text only.
    assert len(html_blocks) == sum(1 for p in papers if p.abstract)
    for block, paper in zip(html_blocks, [p for p in papers if p.abstract], strict=True):
        parser = _Tags()
        parser.feed(block.content)
        assert set(parser.tags) <= {"details", "summary", "p"}
        assert parser.tags[:2] == ["details", "summary"]
        paragraphs = [clean(x) for x in re.split(r"\n\s*\n", paper.abstract) if clean(x)]
        assert parser.data == ["Abstract", *paragraphs]
    assert len(html_blocks[0].content) > 100_000  # the long abstract is whole


def test_markdown_has_no_bare_autolink_text() -> None:
    text = markdown.to_markdown(hostile_papers(), META)
    no_links = re.sub(r"\]\(<[^>]*>\)", "]", text)  # drop the link targets papercli wrote
    assert re.search(r"(?<!\\)://", no_links) is None
    assert re.search(r"(?i)www(?!\\)\.", no_links) is None
    assert "\\@evil" in no_links and re.search(r"(?<!\\)@", no_links) is None
    assert "\x1b" not in text and "\u202e" not in text


_ASCII_PUNCT = "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            list(_ASCII_PUNCT) + list("ab1 w.:/@") + ["www.", "http://", "\n", "\x1b[", "é"]
        ),
        max_size=40,
    ).map("".join)
)
def test_md_escape_always_renders_literally(raw: str) -> None:
    expected = clean(raw)
    escaped = md_escape(raw)
    for prefix, shown in (("", ""), ("## ", ""), ("- a: ", "a: ")):
        source = prefix + escaped
        tokens = _md().parse(source)
        if not expected:
            continue
        inline = next(t for t in tokens if t.type == "inline")
        kinds = {c.type for c in inline.children}
        assert kinds <= {"text", "text_special"}, (raw, escaped, kinds)
        assert _text(inline.children) == shown + expected
        block = [t.type for t in tokens]
        assert (
            "heading_open" in block
            or "bullet_list_open" in block
            or block
            == [
                "paragraph_open",
                "inline",
                "paragraph_close",
            ]
        ), (raw, block)


def test_markdown_of_an_empty_listing() -> None:
    text = markdown.to_markdown([], Meta("Hugging Face Daily Papers, 2025-07-15", "hf"))
    assert text == "# Hugging Face Daily Papers, 2025-07-15\n\n0 papers\n"


# --- JSON, JSON Lines, CSV ---------------------------------------------------------------


def test_json_and_jsonl_have_exactly_the_documented_keys() -> None:
    papers = hostile_papers()
    data = json.loads(jsonfmt.to_json(papers))
    assert data == [p.to_json() for p in papers]
    assert all(list(d) == list(JSON_KEYS) for d in data)
    lines = jsonfmt.to_jsonl(papers).splitlines()
    assert len(lines) == len(papers)
    assert [json.loads(line) for line in lines] == data
    assert jsonfmt.to_json([]) == "[]\n" and jsonfmt.to_jsonl([]) == ""


def test_csv_is_rfc4180_with_json_fields() -> None:
    papers = hostile_papers()
    text = csvfmt.to_csv(papers)
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(JSON_KEYS)
    assert len(rows) == len(papers) + 1
    for row, paper in zip(rows[1:], papers, strict=True):
        record = dict(zip(JSON_KEYS, row, strict=True))
        data = paper.to_json()
        assert record["id"] == paper.id
        assert record["authors"] == "; ".join(data["authors"])
        assert record["ai_keywords"] == "; ".join(data["ai_keywords"])
        assert record["upvotes"] == str(paper.upvotes if paper.upvotes is not None else "")
        assert record["url"] == (data["url"] or "")
        title = record["title"]
        assert title.lstrip("'") == csvfmt._csv_cell(paper.title).lstrip("'")
        assert "\x1b" not in title
    # A cell longer than a spreadsheet holds is cut there, with a visible marker.
    cell = rows[1][JSON_KEYS.index("abstract")]
    assert len(LONG_ABSTRACT) > csvfmt.CELL_LIMIT
    assert len(cell) == csvfmt.CELL_LIMIT
    assert cell.endswith(f" [cut: {len(LONG_ABSTRACT):,} characters in all]")
    assert LONG_ABSTRACT.startswith(cell.rsplit(" [cut: ", 1)[0])
    # A cell a spreadsheet would run as a formula is neutralised.
    formula = Paper(id="2507.00001", title='=HYPERLINK("http://x")', authors=("-1+1",))
    row = list(csv.reader(io.StringIO(csvfmt.to_csv([formula]))))[1]
    assert row[1] == '\'=HYPERLINK("http://x")' and row[2] == "'-1+1"


# --- BibTeX ---------------------------------------------------------------------------------


def _unprotect(value: str) -> str:
    return value.replace("{{}", "").replace("{", "").replace("}", "")


def _quotes(text: str) -> str:
    """Straight double quotes are written as TeX's opening and closing ones."""
    return text.replace("``", '"').replace("''", '"')


def _expected(text: str, encoding: str) -> str:
    """The text as the BibTeX encoding can hold it: characters without a LaTeX form are ?."""
    from papercli.export.texchars import tex_char

    if encoding == "latex":
        text = "".join("?" if not c.isascii() and tex_char(c) is None else c for c in text)
    return _quotes(text)


def _latex_to_text(value: str, encoding: str = "utf8") -> str:
    """Undo papercli's escaping, to compare a parsed field with the original text (in the
    LaTeX encoding, accents back to Unicode as papercli reads arXiv's; ``?`` stays)."""
    from papercli.text import tex_to_unicode

    value = value.replace("$|$", "|")
    if encoding == "latex":
        value = tex_to_unicode(value)
    replacements = {
        r"\textbackslash{}": "\\",
        r"\textbraceleft{}": "{",
        r"\textbraceright{}": "}",
        r"\textasciicircum{}": "^",
        r"\textasciitilde{}": "~",
        r"\textless{}": "<",
        r"\textgreater{}": ">",
    }
    out, i = [], 0
    while i < len(value):
        for code, char in replacements.items():
            if value.startswith(code, i):
                out.append(char)
                i += len(code)
                break
        else:
            if value[i] == "\\" and i + 1 < len(value) and value[i + 1] in "%&$#_":
                out.append(value[i + 1])
                i += 2
            elif value.startswith("{{}", i):
                i += 3
            elif value[i] in "{}":
                i += 1
            else:
                out.append(value[i])
                i += 1
    return "".join(out)


@pytest.mark.parametrize("encoding", ["utf8", "latex"])
def test_bibtex_parses_with_every_field(encoding: str) -> None:
    import bibtexparser

    papers = hostile_papers()
    text = bibtex.to_bibtex(papers, encoding=encoding)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    entries = library.entries
    assert len(entries) == len(papers)
    keys = [e.key for e in entries]
    assert len(set(keys)) == len(keys)
    for entry, paper in zip(entries, papers, strict=True):
        assert entry.entry_type == "misc"
        fields = {f.key: f.value for f in entry.fields}
        # Braces in the source that pair up are TeX groups and stay groups.
        plain = clean(paper.title).replace("{", "").replace("}", "")
        assert _quotes(_latex_to_text(fields["title"], encoding)) == _expected(plain, encoding)
        if paper.is_arxiv:
            assert fields["eprint"] == paper.id
            assert fields["archivePrefix"] == "arXiv"
            assert fields["primaryClass"] == "cs.LG"
            assert fields["url"] == f"https://arxiv.org/abs/{paper.id}"
            assert fields["year"] == "2025"
            names = [_latex_to_text(n, encoding) for n in re.split(r" and ", fields["author"])]
            expected = [_expected(clean(a), encoding) for a in paper.authors]
            assert [_quotes(n) for n in names] == expected
        else:
            assert "eprint" not in fields and "author" not in fields
    assert {f.key: f.value for f in entries[1].fields}["doi"] == "10.48550/arXiv.2507.11100"
    # Capitals are protected, non-ASCII is UTF-8 or LaTeX, and braces stay balanced.
    assert "{{}\\textbraceleft{}and\\textbraceright{}}" not in text
    if encoding == "utf8":
        assert "{Ünïcödé} 李明 {Émile} {Borel}" in text
    else:
        assert text.isascii()
        assert '{{\\"{U}}n{\\"{i}}c{\\"{o}}d{\\\'{e}}} ?? {{\\\'{E}}mile} {Borel}' in text
    for entry in entries:
        for f in entry.fields:
            depth = 0
            for char in f.value:
                depth += {"{": 1, "}": -1}.get(char, 0)
                assert depth >= 0
            assert depth == 0


def test_bibtex_keys_are_stable_and_unique() -> None:
    qlora = Paper(
        id="2305.14314",
        title="QLoRA: Efficient Finetuning of Quantized LLMs",
        authors=("Tim Dettmers", "Artidoro Pagnoni"),
        published="2023-05-23T17:50:33.000Z",
    )
    assert bibtex.bib_keys([qlora]) == ["dettmers2023qlora"]
    twin = Paper(id="2305.99999", title="QLoRA again", authors=("Tim Dettmers",), published="2023")
    assert bibtex.bib_keys([twin, qlora]) == ["dettmers2023qlora-2305.99999", "dettmers2023qlora"]
    assert bibtex.bib_keys([qlora, twin]) == ["dettmers2023qlora", "dettmers2023qlora-2305.99999"]
    assert bibtex.bib_keys([qlora, qlora]) == ["dettmers2023qlora", "dettmers2023qlora-2305.14314"]
    emile = Paper(id="2507.00001", title="The On a Über-Model", authors=("Émile Borel",))
    assert bibtex.bib_keys([emile]) == ["borel2025ubermodel"]
    anon = Paper(id="x", title="")
    assert bibtex.bib_keys([anon]) == ["anon"]


# --- Atom -------------------------------------------------------------------------------------


def test_atom_round_trips_through_feedparser() -> None:
    import feedparser

    papers = hostile_papers()
    now = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
    text = atom.to_atom(papers, META, now=now)
    feed = feedparser.parse(text.encode("utf-8"))
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Hugging Face Daily Papers, 2025-07-15 (mini-batch <b>)"
    assert feed.feed.id == META.feed_id and feed.feed.id.startswith("urn:uuid:")
    assert feed.feed.updated == "2026-11-26T12:00:00Z"  # the undated entry is "now"
    assert len(feed.entries) == len(papers)
    for entry, paper in zip(feed.entries, papers, strict=True):
        assert entry.title == clean(strip_html(paper.title))  # plain text, as the summary
        if paper.is_arxiv:
            assert entry.id == f"https://arxiv.org/abs/{paper.id}"
            assert entry.link == f"https://huggingface.co/papers/{paper.id}"
            names = [clean(strip_html(a)) for a in paper.authors]
            assert [a.name for a in entry.authors] == names
            assert entry.published.startswith("2025-07-1")
            rel = {(link.rel, link.href) for link in entry.links}
            assert ("related", f"https://arxiv.org/pdf/{paper.id}") in rel
            assert not any("javascript" in href for _, href in rel)
            assert [t.term for t in entry.tags] == ["cs.LG", "stat.ML"]
            assert entry.updated == entry.published  # the paper's own time
        else:
            assert entry.id.startswith("urn:uuid:")
            assert entry.updated == "2026-11-26T12:00:00Z"
        if paper.abstract:
            assert entry.summary_detail.type == "text/plain"
    assert feed.entries[0].summary == LONG_ABSTRACT.strip()
    assert "Second paragraph & more" in feed.entries[1].summary  # HTML stripped
    # Stable: the same input gives the same feed, byte for byte.
    dated = papers[:-1]
    later = now + dt.timedelta(days=1)
    assert atom.to_atom(dated, META, now=later) == atom.to_atom(dated, META, now=now)
    newest = max(p.published or "" for p in dated)[:19] + "Z"
    assert f"<updated>{newest}</updated>" in atom.to_atom(dated, META, now=now)


def test_atom_of_an_empty_listing_is_valid() -> None:
    import feedparser

    now = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
    feed = feedparser.parse(atom.to_atom([], META, now=now).encode())
    assert feed.bozo == 0 and feed.entries == []
    assert feed.feed.updated == "2026-11-26T12:00:00Z"


def test_feed_id_is_stable_across_days_for_one_query() -> None:
    day1 = Meta("Hugging Face Daily Papers, 2025-07-15", "hf", "2025-07-15", "diffusion")
    day2 = Meta("Hugging Face Daily Papers, 2025-07-16", "hf", "2025-07-16", "diffusion")
    other = Meta("Hugging Face Daily Papers, 2025-07-16", "hf", "2025-07-16", "agents")
    assert day1.feed_id == day2.feed_id != other.feed_id


def test_render_dispatches_every_format() -> None:
    for fmt in export.names():
        assert export.render(fmt, hostile_papers()[:2], META)
    with pytest.raises(ValueError):
        export.render("pdf", [], META)


def test_headings_keep_the_spelling_of_arxiv() -> None:
    from papercli.text import sentence_case as _sentence_case

    assert _sentence_case("arXiv cs.LG, 2025-07-15") == "arXiv cs.LG, 2025-07-15"
    assert _sentence_case("the local cache matching 'x'") == "The local cache matching 'x'"
