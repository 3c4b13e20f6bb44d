"""Exports that survive the real tools (issue 18): pdflatex with BibTeX and natbib,
biblatex with biber, LuaLaTeX, LibreOffice Calc, xmllint.

Each item has a pure test of its rule, which always runs, and a test that runs the real
tool on one small document, skipped with a reason where the tool is not installed
(``.ci/run`` installs them: texlive-latex-base, texlive-latex-recommended,
texlive-bibtex-extra, biber, libreoffice-calc-nogui, libxml2-utils). The papers are the
reported ones (titles and names as in the records of July 2025 and of the arXiv feed
of 2024-11-28), plus one entry holding every character the LaTeX encoding writes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from papercli.export import Meta, atom, bibtex, csvfmt, xlsxfmt
from papercli.export.common import strip_html
from papercli.export.latex import TexNotes, latex_escape
from papercli.export.texchars import ACCENTS, LETTERS, MATH, TEXT, tex_char
from papercli.models import Paper
from papercli.storage.cache import Cache

NOW = dt.datetime(2025, 11, 28, 9, 30, tzinfo=dt.UTC)

# The papers the issue reports, as their records have them.
REPORTED = [
    Paper(
        id="2507.13347",
        title="π^3: Scalable Permutation-Equivariant Visual Geometry Learning",
        authors=("Yifan Wang", "Jianjun Zhou"),
        published="2025-07-17T17:59:53.000Z",
        listed="2025-07-18",
        sources=("hf",),
    ),
    Paper(
        id="2507.00316",
        title="μ^2Tokenizer: Differentiable Multi-Scale Multi-Modal Tokenizer for Radiology "
        "Report Generation",
        authors=("Siyou Li", "Pengyao Qin"),
        published="2025-06-30T23:14:49.000Z",
        listed="2025-07-02",
        sources=("hf",),
    ),
    Paper(
        id="2507.15550",
        title="PhysGym: Benchmarking LLMs in Interactive Physics Discovery with Controlled Priors",
        authors=("Yimeng Chen", "Piotr Piȩkos", "Jürgen Schmidhuber"),
        published="2025-07-21T12:28:10.000Z",
        listed="2025-07-22",
        sources=("hf",),
    ),
    Paper(
        id="2401.15479",
        title="Navigating the Post-API Dilemma | Search Engine Results Pages Present a Biased "
        "View of Social Media Data",
        authors=("[E] Amrit Poudel", "Tim Weninger [x]"),
        published="2024-11-28T00:00:00-05:00",
        sources=("arxiv",),
    ),
    Paper(
        id="2507.13428",
        title='"PhyWorldBench": A Comprehensive Evaluation of Physical Realism in Text-to-Video '
        "Models",
        authors=("Jing Gu", "Xian Liu"),
        published="2025-07-17T17:54:09.000Z",
        listed="2025-07-18",
        sources=("hf",),
    ),
    Paper(
        id="2407.01311",
        title="Elastic scattering at $\\sqrt{s} = 6$ GeV up to $ \\sqrt{s} = 13$ TeV "
        "(proton-proton; proton-antiproton; proton-neutron)",
        authors=("Anton Godizov",),
        published="2024-11-28T00:00:00-05:00",
        sources=("arxiv",),
    ),
    Paper(
        id="2411.18411",
        title="Re examination of \\b{eta} decay in Hg, Pb and Po Isotopes",
        authors=("Someone Nguyễn",),
        published="2024-11-28T00:00:00-05:00",
        sources=("arxiv",),
    ),
]
# Letters only T1 has (LaTeX's default OT1 encoding stops on them, UTF-8 or not).
T1_ONLY = "«»đĐðÐþÞŋŊ" + "".join(unicodedata.normalize("NFC", b + "\u0328") for b in "aeiouAEIOUs")


def every_character() -> Paper:
    """One entry with every character :mod:`papercli.export.texchars` writes."""
    accented = [
        unicodedata.normalize("NFC", base + mark) for mark in ACCENTS for base in "aeinoszAEINOSZ"
    ]
    title = " ".join([*TEXT, *MATH, *LETTERS, *accented, "ễ ḯ ả 中文 e\u0331"])
    return Paper(id="2507.00001", title=title, authors=("Ada Ŀovelace-Ǿrsted",), published="2025")


def bib_of(papers: list[Paper], encoding: str = "latex") -> str:
    return bibtex.to_bibtex(papers, encoding=encoding)


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install: see .ci/run)")


def run_tool(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
    )


def tex_errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("!")]


# --- 1. non-Latin characters: what pdflatex typesets -----------------------------------------


def test_non_latin_characters_become_tex_accents_and_math() -> None:
    notes = TexNotes()
    assert latex_escape("π^3: μ^2Tokenizer", notes=notes) == (
        "$\\pi$\\textasciicircum{}3: $\\mu$\\textasciicircum{}2Tokenizer"
    )
    assert latex_escape("Piotr Piȩkos, Jürgen, Nguyễn, Łukasz", notes=notes) == (
        'Piotr Pi{\\c{e}}kos, J{\\"{u}}rgen, Nguy{\\~{{\\^{e}}}}n, {\\L}ukasz'
    )
    assert latex_escape("中文 — “quoted” ﬁne", notes=notes) == "?? --- ``quoted'' fine"
    assert list(notes.unmapped) == ["中", "文"]
    # The default output is ASCII; a % line names what became "?".
    text = bib_of([*REPORTED, every_character()])
    assert text.isascii()
    assert "% papercli: written as ? (no LaTeX form for pdflatex): U+4E2D U+6587 U+013F;" in text
    assert "% papercli: accents LaTeX has no command for left out: U+1EA3" in text


def test_utf8_encoding_keeps_non_ascii_text() -> None:
    text = bib_of(REPORTED, "utf8")
    assert "π" in text and "Piȩkos" in text and "@preamble" not in text
    assert "{[}E{]}" in text and "$|$" in text  # the other rules hold in UTF-8 too
    with pytest.raises(ValueError, match="unknown BibTeX encoding"):
        bib_of(REPORTED, "latin1")


def test_every_mapped_character_is_ascii_latex() -> None:
    for char in [*TEXT, *MATH, *LETTERS]:
        found = tex_char(char)
        assert found is not None and found.latex.isascii(), char
    assert tex_char("中") is None
    assert tex_char("ả") == ("text", "a", False)  # the hook above has no LaTeX accent


def test_bib_encoding_flag_and_config_key(run, isolated_home: Path) -> None:
    Cache(isolated_home / "cache").save("hf", "day", "2025-07-18", REPORTED[:3])
    args = ("list", "-d", "2025-07-18", "--offline", "--format", "bib")
    assert "Pi{\\c{e}}kos" in run(*args).stdout
    assert "Piȩkos" in run(*args, "--bib-encoding", "utf8").stdout
    config = isolated_home / "config.toml"
    config.write_text(config.read_text() + '\n[export]\nbibtex_encoding = "utf8"\n')
    assert "Piȩkos" in run(*args).stdout
    assert "Pi{\\c{e}}kos" in run(*args, "--bib-encoding", "latex").stdout
    wrong = run("list", "-d", "2025-07-18", "--offline", "--bib-encoding", "utf8")
    assert wrong.exit_code == 2 and "--bib-encoding applies to --format bib" in wrong.stderr
    config.write_text('[export]\nbibtex_encoding = "latin1"\n')
    bad = run(*args)
    assert bad.exit_code == 1 and "bibtex_encoding must be latex or utf8" in bad.stderr


# --- 2-5. brackets, bars, quotes, math, biber --------------------------------------------------


def test_brackets_in_names_are_groups() -> None:
    entry = bib_of([REPORTED[3]])
    assert "author = {{[}E{]} Amrit Poudel and Tim Weninger {[}x{]}}" in entry
    assert not re.search(r"(?<!\{)[\[\]]", entry.replace("{[}", "").replace("{]}", ""))


def test_bar_and_straight_double_quotes() -> None:
    assert latex_escape("Dilemma | Search") == "Dilemma $|$ Search"
    assert latex_escape('"PhyWorldBench": a "b" ("c")') == "``PhyWorldBench'': a ``b'' (``c'')"


def test_tex_math_with_a_space_after_the_dollar_is_kept() -> None:
    title = REPORTED[5].title
    assert "$ \\sqrt{s} = 13$" in latex_escape(title)
    assert latex_escape("costs $5 and $10") == "costs \\$5 and \\$10"  # amounts stay text


def test_accents_biber_would_break_are_mapped() -> None:
    # \b over several letters: biber makes it a lone U+0331; the letters stay.
    assert latex_escape("Re examination of \\b{eta} decay") == "Re examination of {eta} decay"
    assert latex_escape("\\c{c} \\b{e}") == "\\c{c} \\b{e}"  # on one letter: kept
    # Letters LaTeX does not declare (biber hands pdflatex U+0229): an @preamble.
    text = bib_of(REPORTED)
    assert text.startswith("% papercli: letters LaTeX does not declare")
    assert "\\DeclareUnicodeCharacter{0229}{{\\c{e}}}" in text
    assert "\\DeclareUnicodeCharacter{1EC5}" in text  # ễ
    assert "@preamble" not in bib_of(REPORTED[:2])  # nothing to declare: no preamble


# --- the real tools: pdflatex, bibtex, biber, lualatex ------------------------------------------

NATBIB = r"""\documentclass{article}
%(fontenc)s
\usepackage{natbib}
\begin{document}
\citet{%(first)s} \nocite{*}
\bibliographystyle{plainnat}
\bibliography{papers}
\end{document}
"""
BIBLATEX = r"""\documentclass{article}
%(fontenc)s
\usepackage[backend=biber]{biblatex}
\addbibresource{papers.bib}
\begin{document}
\nocite{*}
\printbibliography
\end{document}
"""


def compile_natbib(tmp_path: Path, papers: list[Paper], fontenc: str) -> None:
    text = bib_of(papers)
    (tmp_path / "papers.bib").write_text(text, encoding="utf-8")
    first = bibtex.bib_keys(papers)[0]
    (tmp_path / "doc.tex").write_text(NATBIB % {"fontenc": fontenc, "first": first})
    pdflatex = ["pdflatex", "-draftmode", "-interaction=nonstopmode", "-halt-on-error", "doc"]
    assert run_tool(pdflatex, tmp_path).returncode == 0
    bib = run_tool(["bibtex", "doc"], tmp_path)
    assert bib.returncode == 0 and "Warning" not in bib.stdout, bib.stdout
    for _ in range(2):
        result = run_tool(pdflatex, tmp_path)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert result.returncode == 0 and not tex_errors(log), tex_errors(log)
    assert "not compatible with author-year" not in log
    assert "multiply defined" not in log and "undefined" not in log.lower()


def test_pdflatex_bibtex_natbib_with_t1_fonts(tmp_path: Path) -> None:
    need("pdflatex", "bibtex")
    compile_natbib(tmp_path, [*REPORTED, every_character()], r"\usepackage[T1]{fontenc}")


def test_pdflatex_bibtex_natbib_with_the_default_ot1_fonts(tmp_path: Path) -> None:
    need("pdflatex", "bibtex")
    whole = every_character()
    title = "".join(c for c in whole.title if c not in T1_ONLY)
    ot1 = Paper(id=whole.id, title=title, authors=whole.authors, published="2025")
    compile_natbib(tmp_path, [*REPORTED, ot1], "")


def test_pdflatex_biblatex_biber(tmp_path: Path) -> None:
    need("pdflatex", "biber")
    (tmp_path / "papers.bib").write_text(bib_of([*REPORTED, every_character()]))
    (tmp_path / "doc.tex").write_text(BIBLATEX % {"fontenc": r"\usepackage[T1]{fontenc}"})
    pdflatex = ["pdflatex", "-draftmode", "-interaction=nonstopmode", "-halt-on-error", "doc"]
    assert run_tool(pdflatex, tmp_path).returncode == 0
    biber = run_tool(["biber", "doc"], tmp_path)
    assert biber.returncode == 0 and "WARN" not in biber.stdout, biber.stdout
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert "Piȩkos" in bbl  # biber's own Unicode, declared by the @preamble
    result = run_tool(pdflatex, tmp_path)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert result.returncode == 0 and not tex_errors(log), tex_errors(log)


def test_lualatex_biber_with_utf8(tmp_path: Path) -> None:
    need("lualatex", "biber")
    (tmp_path / "papers.bib").write_text(bib_of(REPORTED, "utf8"), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(BIBLATEX % {"fontenc": ""})
    lualatex = ["lualatex", "-interaction=nonstopmode", "-halt-on-error", "doc"]
    assert run_tool(lualatex, tmp_path).returncode == 0
    biber = run_tool(["biber", "doc"], tmp_path)
    assert biber.returncode == 0 and "WARN" not in biber.stdout, biber.stdout
    result = run_tool(lualatex, tmp_path)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert result.returncode == 0 and not tex_errors(log), tex_errors(log)


# --- 6-7. spreadsheets ----------------------------------------------------------------------

SHEET = [
    Paper(
        id="2507.08800",
        title='=HYPERLINK("http://evil")',
        authors=tuple(f"Author {i:05d}" for i in range(4000)),  # 55,998 characters
        doi="10.3390/e26121024",
        upvotes=42,
    ),
    Paper(id="2411.18411", title="@SUM(1)", doi="10.1000/1e5"),
]


def read_xlsx(data: bytes) -> list[list[tuple[object, str]]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]


def test_xlsx_keeps_ids_and_dois_as_text_and_runs_no_formula() -> None:
    rows = read_xlsx(xlsxfmt.to_xlsx(SHEET, now=NOW))
    header = [value for value, _ in rows[0]]
    first = dict(zip(header, rows[1], strict=True))
    assert first["id"] == ("2507.08800", "s")
    assert first["doi"] == ("10.3390/e26121024", "s")
    assert first["title"] == ('=HYPERLINK("http://evil")', "s")  # text, not a formula
    assert first["upvotes"] == (42, "n")
    second = dict(zip(header, rows[2], strict=True))
    assert second["title"] == ("@SUM(1)", "s") and second["doi"] == ("10.1000/1e5", "s")


def test_long_cells_are_cut_with_a_visible_marker() -> None:
    authors = "; ".join(SHEET[0].authors)
    cell = csvfmt.fit_cell(authors)
    assert len(authors) > csvfmt.CELL_LIMIT == len(cell)
    assert cell.endswith(f" [cut: {len(authors):,} characters in all]")
    assert csvfmt.fit_cell("x" * csvfmt.CELL_LIMIT) == "x" * csvfmt.CELL_LIMIT
    wide = "😀" * 20_000  # two UTF-16 units each, as spreadsheets count
    assert len(csvfmt.fit_cell(wide).encode("utf-16-le")) // 2 <= csvfmt.CELL_LIMIT
    rows = read_xlsx(xlsxfmt.to_xlsx(SHEET, now=NOW))
    assert rows[1][2][0] == cell
    assert cell in csvfmt.to_csv(SHEET)


def test_xlsx_from_the_command_line(
    run, isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papercli.errors import UsageError
    from papercli.ui import output

    Cache(isolated_home / "cache").save("hf", "day", "2025-07-18", SHEET)
    out = tmp_path / "papers.xlsx"
    result = run("list", "-d", "2025-07-18", "--offline", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert read_xlsx(out.read_bytes())[1][0] == ("2507.08800", "s")
    # Bytes go to stdout's buffer when it is a pipe, never to a terminal.
    piped = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    monkeypatch.setattr("sys.stdout", piped)
    output.write(b"PK\x03\x04", output.Output("xlsx"), "1 paper", print)
    assert piped.buffer.getvalue() == b"PK\x03\x04"  # type: ignore[attr-defined]
    monkeypatch.setattr(piped, "isatty", lambda: True)
    with pytest.raises(UsageError, match="--format xlsx is a binary file"):
        output.output_options("xlsx")


def libreoffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice not installed (apt-get install libreoffice-calc-nogui)")
    return found


def convert(tmp_path: Path, source: Path, to: str, infilter: str | None = None) -> Path:
    args = [libreoffice(), f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"]
    args += ["--headless", "--convert-to", to, "--outdir", str(tmp_path / "out")]
    if infilter:
        args.append(f"--infilter={infilter}")
    result = run_tool([*args, str(source)], tmp_path, timeout=180)
    converted = tmp_path / "out" / f"{source.stem}.{to.split(':')[0]}"
    assert result.returncode == 0 and converted.exists(), result.stdout + result.stderr
    return converted


def test_libreoffice_reads_the_xlsx_ids_as_text(tmp_path: Path) -> None:
    source = tmp_path / "papers.xlsx"
    source.write_bytes(xlsxfmt.to_xlsx(SHEET, now=NOW))
    text = convert(tmp_path, source, "csv").read_text(encoding="utf-8", errors="replace")
    assert text.splitlines()[1].startswith('2507.08800,"=HYPERLINK(""http://evil"")",')
    assert "10.3390/e26121024" in text and "2507.088," not in text
    assert f"[cut: {len('; '.join(SHEET[0].authors)):,} characters in all]" in text


def test_libreoffice_keeps_the_cut_csv_cell_whole(tmp_path: Path) -> None:
    """Calc holds the cut cell as written, marker included (it would cut the full one)."""
    source = tmp_path / "papers.csv"
    source.write_text(csvfmt.to_csv(SHEET), encoding="utf-8", newline="")
    converted = convert(tmp_path, source, "xlsx", infilter="CSV:44,34,76,1")
    rows = read_xlsx(converted.read_bytes())
    header = [value for value, _ in rows[0]]
    authors = dict(zip(header, rows[1], strict=True))["authors"][0]
    assert isinstance(authors, str) and len(authors) == csvfmt.CELL_LIMIT
    assert authors.endswith(f"[cut: {len('; '.join(SHEET[0].authors)):,} characters in all]")


# --- 8-11. Atom -------------------------------------------------------------------------------

FEED_META = Meta("Hugging Face Daily Papers, 2025-07-25", "hf", "2025-07-25")
FEED = [
    Paper(
        id="2507.03745",
        title="StreamDiT: Real-Time <b>Streaming</b> Text-to-Video Generation",
        authors=("Akio Kodaira",),
        abstract='More examples on our project website: <a href="https://cumulo-autumn.github.io'
        '/StreamDiT/">this\nhttps URL.</a> Models emit <think> and <EOS> tokens.',
        published="2025-07-04T17:49:34.000Z",
        listed="2025-07-25",
        sources=("hf",),
    ),
    Paper(
        id="2507.18405",
        title="Iwin Transformer: Hierarchical Vision Transformer using Interleaved Windows",
        authors=("Simin Huo",),
        published="2025-12-06T00:00:00.000Z",  # as the record has it: after NOW
        listed="2025-07-25",
        sources=("hf",),
    ),
    Paper(
        id="2507.18071",
        title="Group Sequence Policy Optimization",
        authors=("Chujie Zheng",),
        published="2025-07-24T03:50:32.000Z",
        listed="2025-07-25",
        sources=("hf",),
    ),
]


def parse_feed(text: str):  # type: ignore[no-untyped-def]
    import feedparser

    feed = feedparser.parse(text.encode("utf-8"))
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def test_feed_links_to_itself_when_it_has_a_public_url() -> None:
    assert 'rel="self"' not in atom.to_atom(FEED, FEED_META, now=NOW)
    url = "https://example.org/feeds/papers.atom"
    meta = Meta(FEED_META.heading, "hf", "2025-07-25", feed_url=url)
    feed = parse_feed(atom.to_atom(FEED, meta, now=NOW))
    links = {(link.rel, link.href, link.type) for link in feed.feed.links}
    assert ("self", url, "application/atom+xml") in links


def test_feed_url_from_the_flag_or_the_config(run, isolated_home: Path, tmp_path: Path) -> None:
    Cache(isolated_home / "cache").save("hf", "day", "2025-07-25", FEED)
    args = ("list", "-d", "2025-07-25", "--offline", "--format", "atom")
    given = run(*args, "--feed-url", "https://example.org/a b.atom")
    assert 'rel="self" type="application/atom+xml" href="https://example.org/a%20b.atom"' in (
        given.stdout
    )
    assert 'rel="self"' not in run(*args).stdout
    config = isolated_home / "config.toml"
    config.write_text(config.read_text() + '\n[export]\nfeed_base_url = "https://ex.org/f/"\n')
    out = tmp_path / "diffusion.atom"
    assert run(*args, "-o", str(out)).exit_code == 0
    assert 'href="https://ex.org/f/diffusion.atom"' in out.read_text()
    assert run(*args, "--feed-url", "javascript:alert(1)").exit_code == 2
    assert run("list", "-d", "2025-07-25", "--offline", "--feed-url", "https://x").exit_code == 2


def test_entries_take_the_papers_own_time() -> None:
    feed = parse_feed(atom.to_atom(FEED, FEED_META, now=NOW))
    updated = {e.id.rsplit("/", 1)[1]: e.updated for e in feed.entries}
    assert updated["2507.03745"] == "2025-07-04T17:49:34Z"
    assert updated["2507.18071"] == "2025-07-24T03:50:32Z"
    assert len(set(updated.values())) == len(updated)  # not all midnight of the day


def test_atom_text_fields_have_no_markup() -> None:
    feed = parse_feed(atom.to_atom(FEED, FEED_META, now=NOW))
    first = feed.entries[0]
    assert first.title == "StreamDiT: Real-Time Streaming Text-to-Video Generation"
    assert "website: https://cumulo-autumn.github.io/StreamDiT/." in first.summary
    assert "<a" not in first.summary and "<think> and <EOS>" in first.summary  # not HTML
    assert strip_html("<b>a</b><br>b") == "a b"


def test_feed_updated_is_never_after_it_is_written() -> None:
    text = atom.to_atom(FEED, FEED_META, now=NOW)
    feed = parse_feed(text)
    assert feed.feed.updated == "2025-07-25T00:00:00Z"  # the future date is not the paper's
    future = next(e for e in feed.entries if e.id.endswith("2507.18405"))
    assert future.updated == "2025-07-25T00:00:00Z" and "published" not in future
    stamps = re.findall(r"<(?:updated|published)>([^<]+)<", text)
    assert max(stamps) <= "2025-11-28T09:30:00Z"


def test_xmllint_reads_the_feed(tmp_path: Path) -> None:
    need("xmllint")
    meta = Meta(FEED_META.heading, "hf", "2025-07-25", feed_url="https://example.org/p.atom")
    path = tmp_path / "papers.atom"
    path.write_text(atom.to_atom(FEED, meta, now=NOW), encoding="utf-8")
    assert run_tool(["xmllint", "--noout", str(path)], tmp_path).returncode == 0

    def xpath(expression: str) -> str:
        result = run_tool(["xmllint", "--xpath", expression, str(path)], tmp_path)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    atom_ns = "namespace-uri()='http://www.w3.org/2005/Atom'"
    self_link = f"string(/*[local-name()='feed']/*[local-name()='link' and {atom_ns}]"
    assert xpath(self_link + "[@rel='self']/@href)") == "https://example.org/p.atom"
    updated = xpath("string(/*[local-name()='feed']/*[local-name()='updated'])")
    assert updated == "2025-07-25T00:00:00Z"
    entries = xpath("//*[local-name()='entry']/*[local-name()='updated']/text()").split()
    assert len(set(entries)) == len(FEED)
    assert xpath("count(//*[local-name()='a'])") == "0"  # markup never became elements
