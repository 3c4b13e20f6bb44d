"""BibTeX export of LaTeX: valid LaTeX from arXiv is kept, everything else escaped,
and every field parses with balanced braces (see ``papercli.export.latex.latex_escape``)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from papercli.export import bibtex
from papercli.export.bibtex import _bib_name, bib_title
from papercli.export.latex import latex_escape
from papercli.models import Paper
from papercli.storage.cache import Cache


def balanced(value: str) -> bool:
    """Braces as BibTeX counts them (a backslash does not hide a brace)."""
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def parse_one(text: str) -> dict[str, str]:
    import bibtexparser

    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, text
    assert len(library.entries) == 1, text
    return {f.key: f.value for f in library.entries[0].fields}


# --- the reported titles ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            'Almost sure well-posedness and orbital stability for Schr\\"odinger equation',
            '{Almost} sure well-posedness and orbital stability for {Schr\\"odinger} equation',
        ),
        ("A$^2$TGPO: Tree-Guided Policy", "{A$^2$TGPO:} {Tree-Guided} {Policy}"),
        (
            "M\\textsuperscript{4}Fuse: Lightweight MoE",
            "{M\\textsuperscript{4}Fuse:} {Lightweight} {MoE}",
        ),
    ],
)
def test_reported_titles_keep_their_latex(title: str, expected: str) -> None:
    assert bib_title(title) == expected
    paper = Paper(id="2411.17730", title=title, authors=("A. Author",))
    assert parse_one(bibtex.to_bibtex([paper]))["title"] == expected


def test_show_prints_valid_latex(run, isolated_home: Path) -> None:
    title = 'Almost sure well-posedness and orbital stability for Schr\\"odinger equation'
    paper = Paper(id="2411.17730", title=title, authors=("Jia Shen",), sources=("arxiv",))
    Cache(isolated_home / "cache").save("hf", "day", "2024-11-28", [paper], fetched_at=1.0)
    result = run("show", "2411.17730", "--offline", "--format", "bib")
    assert result.exit_code == 0, result.stderr
    assert '{Schr\\"odinger}' in result.stdout and "textbackslash" not in result.stdout
    assert parse_one(result.stdout)["title"].endswith('{Schr\\"odinger} equation')


# --- math ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "math",
    [
        "$x_1^2$",
        "$\\mathbb{F}_{p^m}+u\\mathbb{F}_{p^m}$",
        "$\\frac{\\mathbb{F}_{p^m}[u]}{\\langle u^t \\rangle}$",
        "$T^{2}$",
        "$\\{ x \\}$",
        "$50\\%$",
        "$\\textit{Winner-Takes-All}$",
        "\\(a_b^{c}\\)",
    ],
)
def test_math_is_kept_verbatim(math: str) -> None:
    assert latex_escape(f"over {math} codes") == f"over {math} codes"
    # Capitals protected by braces around the word, never inside the math.
    start = "{{}" if math.startswith("\\") else "{"  # a word starting with \\: {{}
    assert bib_title(f"Codes {math}-Norm") == "{Codes} " + start + math + "-Norm}"


def test_math_word_boundaries_and_spaces() -> None:
    assert bib_title("Proof of $K_8(4, 2) = 23$") == "{Proof} of {$K_8(4, 2) = 23$}"
    assert bib_title("Local $n$-gram memory") == "{Local} $n$-gram memory"
    assert latex_escape("360$^\\circ$ view") == "360$^\\circ$ view"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A lone dollar (an amount) is escaped; so is one that opens no closed segment.
        ("Earn $1 Million", "Earn \\$1 Million"),
        ("$100K budget for $x$", "\\$100K budget for $x$"),
        ("costs $5 and $10", "costs \\$5 and \\$10"),  # no space just inside a $
        ("a $ b$ c", "a $ b$ c"),  # TeX's math, not Pandoc's: a space may follow a $
        ("a $b $ c", "a \\$b \\$ c"),  # but a $ after a space closes nothing
        ("$$", "\\$\\$"),
        ("x$", "x\\$"),
        ("\\$5 and $y$", "\\$5 and $y$"),  # an escaped dollar stays one
        # Math that LaTeX would reject or that runs a command not listed: escaped as text.
        ("$a % b$", "\\$a \\% b\\$"),
        ("$a & b$", "\\$a \\& b\\$"),
        ("$\\input{/etc/passwd}$", "\\$\\textbackslash{}input{/etc/passwd}\\$"),
        ("${x$", "\\$\\textbraceleft{}x\\$"),
        ("$\\{x$", "\\$\\textbraceleft{}x\\$"),
        ("$x}$", "\\$x\\textbraceright{}\\$"),
        ("\\(x", "\\textbackslash{}(x"),
    ],
)
def test_unbalanced_or_unsafe_math_is_escaped(text: str, expected: str) -> None:
    assert latex_escape(text) == expected
    assert balanced(latex_escape(text))


# --- text outside math -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("H&E images & 25.6% WER #1 snake_case", "H\\&E images \\& 25.6\\% WER \\#1 snake\\_case"),
        (
            "Nash~Equilibria x^2 a<b>c",
            "Nash\\textasciitilde{}Equilibria x\\textasciicircum{}2 a\\textless{}b\\textgreater{}c",
        ),
        (
            "back\\slash \\\\ end\\",
            "back\\textbackslash{}slash \\textbackslash{}\\textbackslash{} end\\textbackslash{}",
        ),
        # Kept: escaped specials, accents on a letter or a group, listed commands.
        ("AT\\&T 5\\% \\#1 a\\_b", "AT\\&T 5\\% \\#1 a\\_b"),
        (
            "G\\\"odel Poincar\\'{e} \\c{c}a Nguy\\~ên",
            "G\\\"odel Poincar\\'{e} \\c{c}a Nguy\\~{\\^{e}}n",
        ),
        ("\\textsc{DiARC}: \\emph{x} \\textbf{y}", "\\textsc{DiARC}: \\emph{x} \\textbf{y}"),
        ("{\\em Deep} {\\bf x}", "{\\em Deep} {\\bf x}"),
        ("\\LaTeX is \\o\\ss", "\\LaTeX{} is \\o{}\\ss{}"),
        # Not kept: unknown commands, commands without their group, declarations at
        # the top level, accents on nothing, escaped braces.
        ("\\ECUAS{n}: metrics", "\\textbackslash{}ECUAS{n}: metrics"),
        ("\\input{/etc/passwd}", "\\textbackslash{}input{/etc/passwd}"),
        ("\\textsuperscript 4", "\\textbackslash{}textsuperscript 4"),
        ("\\em x", "\\textbackslash{}em x"),
        ('\\" x \\^2', '\\textbackslash{}" x \\textbackslash{}\\textasciicircum{}2'),
        ("\\{x\\}", "\\textbraceleft{}x\\textbraceright{}"),
    ],
)
def test_text_outside_math(text: str, expected: str) -> None:
    assert latex_escape(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{BERT} rocks", "{BERT} rocks"),
        ("a {b c", "a \\textbraceleft{}b c"),
        ("a b} c", "a b\\textbraceright{} c"),
        ("}{", "\\textbraceright{}\\textbraceleft{}"),
        ("{a} {b", "{a} \\textbraceleft{}b"),
        ("\\textsuperscript{4", "\\textbackslash{}textsuperscript\\textbraceleft{}4"),
        ("{x $y}$", "{x \\$y}\\$"),
    ],
)
def test_braces_pair_up_or_are_escaped(text: str, expected: str) -> None:
    assert latex_escape(text) == expected


def test_capitals_are_protected_by_word() -> None:
    assert bib_title("BERT and {\\em Deep Learning} now") == "{BERT} and {{\\em Deep Learning}} now"
    assert bib_title('\\"Over the top') == '{{}\\"Over} the top'
    assert bib_title("\\LaTeX{} for you") == "{{}\\LaTeX{}{}} for you"
    assert bib_title("ECUAS{n}") == "{ECUAS{n}}"


def test_names_keep_accents_and_never_split() -> None:
    assert _bib_name('Kurt G\\"odel') == 'Kurt G\\"odel'
    assert _bib_name("Smith and Sons") == "Smith {and} Sons"
    assert _bib_name("A $x, y and z$ B") == "A {$x, y and z$} B"
    paper = Paper(id="2507.00001", title="T", authors=('Kurt G\\"odel', "Smith and Sons"))
    assert parse_one(bibtex.to_bibtex([paper]))["author"] == 'Kurt G\\"odel and Smith {and} Sons'


HOSTILE = [
    "x}, note = {injected}, title = {y",
    "x} } }\n@misc{evil, title={owned}}",
    "\\}\\} @comment{ %",
    "$}$ ${$ \\\\} \\",
    "a\n\n@misc{evil,\ntitle = {x}}",
]


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_cannot_leave_the_field(title: str) -> None:
    paper = Paper(id="2507.00001", title=title, authors=(title,), doi="10.1234/x")
    text = bibtex.to_bibtex([paper])
    fields = parse_one(text)
    assert set(fields) == {"title", "author", "year", "eprint", "archivePrefix", "url", "doi"}
    assert balanced(fields["title"]) and balanced(fields["author"])
    assert text.count("\n") == 9  # one line per field: no newline from the title


# --- every real title and name ---------------------------------------------------------------


def real_data() -> Path:
    """The shared data, next to the real fixtures (``$PAPERS_REAL_FIXTURES/../data``)."""
    value = os.environ.get("PAPERS_REAL_FIXTURES")
    if not value:
        pytest.skip("PAPERS_REAL_FIXTURES is not set")
    data = Path(value).parent / "data"
    if not (data / "arxiv_daily_listings").is_dir():
        pytest.skip(f"no arxiv_daily_listings in {data}")
    return data


def test_every_real_arxiv_title_round_trips() -> None:
    import bibtexparser

    papers: dict[str, Paper] = {}
    for path in sorted((real_data() / "arxiv_daily_listings").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            papers[record["id"]] = Paper(
                id=record["id"], title=record["title"], authors=tuple(record["authors"])
            )
    assert len(papers) > 15_000
    assert sum("$" in p.title for p in papers.values()) >= 90
    listed = list(papers.values())
    library = bibtexparser.parse_string(bibtex.to_bibtex(listed))
    assert not library.failed_blocks
    assert len(library.entries) == len(listed)
    for entry, paper in zip(library.entries, listed, strict=True):
        fields = {f.key: f.value for f in entry.fields}
        assert fields["eprint"] == paper.id
        assert fields["title"] == bib_title(paper.title), paper.title
        assert balanced(fields["title"]) and balanced(fields["author"]), paper.title
        if "$" not in paper.title and "\\" not in paper.title:
            assert "textbackslash" not in fields["title"], paper.title
    # The math of the real titles is kept: none of it is escaped.
    kept = [bib_title(p.title) for p in listed if "$" in p.title]
    assert sum("\\$" in t for t in kept) <= 3, [t for t in kept if "\\$" in t]


# --- any text ----------------------------------------------------------------------------------

SPECIAL = st.sampled_from([*"\\{}$^_&%#~@,=\"' ()aA1\n", "\\(", "\\)", "\\em", "\\'"])
TEXT = st.lists(SPECIAL | st.characters(), max_size=40).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, name=TEXT)
@example(title="$}{$", name="and")
@example(title="\\textsuperscript{}}", name="{\\em and}")
def test_any_text_gives_one_parseable_entry(title: str, name: str) -> None:
    paper = Paper(id="2507.00001", title=title, authors=(name, "B. Two"))
    fields = parse_one(bibtex.to_bibtex([paper]))
    assert fields["eprint"] == "2507.00001" and fields["archivePrefix"] == "arXiv"
    assert balanced(fields["title"]) and balanced(fields["author"])
    assert fields["title"] == (bib_title(title) or "{(untitled)}")
    assert "\n" not in fields["title"] and "\n" not in fields["author"]


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        (r"Energy of $X_{\rm max}$ showers", r"$X_{\rm max}$"),
        (r"approximation$\colon$ and $\mathbb{R}^{2}$", r"approximation$\colon$"),
    ],
)
def test_common_math_font_switches_and_colon_are_kept(title: str, kept: str) -> None:
    assert kept in bib_title(title)


def test_affiliations_are_not_part_of_bibtex_names_or_keys() -> None:
    from papercli.export.bibtex import bib_keys, bibtex_entry, without_affiliation
    from papercli.models import Paper

    assert without_affiliation("Ada Lovelace (Example Lab, London)") == "Ada Lovelace"
    assert without_affiliation("(Only Parentheses)") == "(Only Parentheses)"
    p = Paper(
        id="2411.00001",
        title="A note",
        authors=("María Emilia Alonso García (UCM)", "Ada Lovelace (Example Lab)"),
        published="2024-11-01",
    )
    entry = bibtex_entry(p, bib_keys([p])[0])
    assert entry.startswith("@misc{garcia2024note,")
    assert "author = {Mar{\\'{i}}a Emilia Alonso Garc{\\'{i}}a and Ada Lovelace}" in entry
    utf8 = bibtex_entry(p, bib_keys([p])[0], encoding="utf8")
    assert "author = {María Emilia Alonso García and Ada Lovelace}" in utf8


def test_tex_caret_notation_never_passes_as_math() -> None:
    """TeX reads ^^5c as a backslash before it sees commands: such math is escaped."""
    title = r"Leak $^^5cinput{/etc/hostname}$ and $^^5cimmediate^^5cwrite18{id}$"
    out = bib_title(title)
    assert "^^" not in out
    assert not re.search(r"(?<!\\)\$", out)  # no math left: every $ escaped
