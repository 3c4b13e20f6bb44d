"""The documentation stays true: the generated command reference, the README's command
table and length, links between the pages, and the configuration reference."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from support import commands_doc

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_LIMIT = 15_000  # characters; the hard limit is 15,000, this keeps a margin
PAGES = sorted(DOCS.glob("*.md"))


def _prose(text: str) -> str:
    """``text`` without fenced code blocks and inline code spans (links there are not links)."""
    text = re.sub(r"^```.*?^```[ \t]*$", "", text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", text)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower().replace("`", "")
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"^```.*?^```[ \t]*$", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    seen: dict[str, int] = {}
    out: set[str] = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", text, flags=re.M):
        slug = _slug(heading)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def test_commands_doc_is_current() -> None:
    current = commands_doc.DOC.read_text(encoding="utf-8") if commands_doc.DOC.exists() else ""
    assert current == commands_doc.render(), (
        f"docs/commands.md is out of date: {commands_doc.WRITE_HINT}"
    )


def test_commands_doc_has_every_command() -> None:
    text = commands_doc.render()
    for path in commands_doc.leaf_commands():
        assert f"\n## {path}\n" in text, path


def test_readme_command_table_names_every_command() -> None:
    """One row per command that runs something; no row for a command that does not exist."""
    rows = [
        line
        for line in README.read_text(encoding="utf-8").splitlines()
        if line.startswith("| `papers ")
    ]
    named = []
    for row in rows:
        cell = row.split("`")[1]
        words = []
        for word in cell.split():
            if not re.fullmatch(r"[a-z]+", word):
                break
            words.append(word)
        named.append(" ".join(words))
    commands = commands_doc.leaf_commands()
    missing = [c for c in commands if c not in named]
    assert not missing, f"README.md's command table lacks a row for: {', '.join(missing)}"
    unknown = [n for n in named if n not in commands]
    assert not unknown, f"README.md's command table names commands that do not exist: {unknown}"
    assert len(named) == len(set(named)), "a command has two rows in README.md's table"


def test_readme_stays_a_front_page() -> None:
    length = len(README.read_text(encoding="utf-8"))
    assert length <= README_LIMIT, (
        f"README.md has {length} characters, more than {README_LIMIT}: move detail to docs/"
    )


def test_readme_keeps_the_ci_test_command_block() -> None:
    """``.ci/run`` runs the line after the marker's opening fence verbatim."""
    lines = README.read_text(encoding="utf-8").splitlines()
    at = lines.index("<!-- ci:test-command -->")
    assert lines[at + 1] == "```sh"
    assert lines[at + 2] == (
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
    )
    assert lines[at + 3] == "```"


@pytest.mark.parametrize("page", [README, *PAGES], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_point_at_existing_files(page: Path) -> None:
    text = _prose(page.read_text(encoding="utf-8"))
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        path = (page.parent / file_part).resolve() if file_part else page
        if not path.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{target} (no such heading)")
    assert not broken, f"{page.name}: broken links: {', '.join(broken)}"


def test_there_are_docs_pages_each_with_a_title_and_an_intro() -> None:
    assert len(PAGES) >= 4, [p.name for p in PAGES]
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert text.startswith("# "), f"{page.name} does not start with a title"
        intro = text.split("\n\n", 2)[1] if text.count("\n\n") >= 1 else ""
        assert intro.strip() and not intro.startswith("#"), f"{page.name} has no intro"


def test_readme_links_every_docs_page() -> None:
    readme = README.read_text(encoding="utf-8")
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for page in PAGES:
        if page.name != "README.md":
            assert f"(docs/{page.name})" in readme, f"README.md does not link docs/{page.name}"
            assert f"({page.name})" in index, f"docs/README.md does not list {page.name}"


def test_configuration_page_names_every_key() -> None:
    from papercli.config import ENV_URLS, SCHEMA

    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    for section, keys in SCHEMA.items():
        for key in keys:
            assert f"`[{section}] {key}`" in text, f"docs/configuration.md lacks [{section}] {key}"
    for env in ENV_URLS.values():
        assert f"`{env}`" in text


def test_the_generator_walks_commands_added_later() -> None:
    """A new command or group appears in the reference in ``--help`` order, nested ones too."""
    import typer

    from papercli.cli.clitree import command

    toy = typer.Typer(rich_markup_mode=None, add_completion=False)
    group = typer.Typer(help="Your reading list.")
    toy.add_typer(group, name="library")

    @toy.command()
    def like(paper_id: str) -> None:
        """Like a paper. Example: papers like 2507.11001"""

    @toy.command(hidden=True)
    def secret() -> None:
        """Not shown."""

    @group.command("list")
    def library_list() -> None:
        """Saved papers."""

    root = command(toy)
    texts = dict(commands_doc.help_texts(root=root))
    assert list(texts) == ["papers", "papers like", "papers library", "papers library list"]
    assert "Like a paper." in texts["papers like"]
    assert texts["papers library list"].startswith("Usage: papers library list")
    assert commands_doc.leaf_commands(root) == ["papers like", "papers library list"]


def test_readme_names_every_format() -> None:
    """The README's one list of --format values is the registry's."""
    from papercli import export

    readme = README.read_text(encoding="utf-8")
    assert f"--format {'|'.join(export.names())} -o FILE" in readme
