"""Project-level checks: style, docs that must stay true, the example config."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> list[str]:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if exe is None:
        pytest.skip("ruff is not installed")
    return [exe]


@pytest.mark.parametrize("args", [["check"], ["format", "--check"]])
def test_ruff_is_clean(args: list[str]) -> None:
    result = subprocess.run(
        [*_ruff(), *args, "src", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_example_config_is_the_generated_default() -> None:
    from papercli.config import default_config_text, parse_config

    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    assert text == default_config_text()
    parse_config(text, Path("config.example.toml"))  # and it validates


def test_readme_names_both_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install . && .venv/bin/papers today" in readme
    assert "<!-- ci:test-command -->" in readme
    assert "PAPERS_REAL_FIXTURES" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_command_has_help_with_an_example() -> None:
    from typer.main import get_command

    from papercli.cli import app

    group = get_command(app)

    def walk(cmd, path):  # type: ignore[no-untyped-def]
        sub = getattr(cmd, "commands", None)
        if sub:
            for name, child in sub.items():
                yield from walk(child, [*path, name])
        else:
            yield path, cmd

    for path, cmd in walk(group, []):
        assert cmd.help, f"papers {' '.join(path)} has no help"
        assert "papers " in cmd.help or "Example" in cmd.help, f"{path}: no example"


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "papercli", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout.startswith("papers ")


def test_errors_are_one_line_in_a_real_process(tmp_path: Path) -> None:
    env = {"PAPERS_HOME": str(tmp_path), "PAPERS_HF_URL": "http://127.0.0.1:9", "PATH": ""}
    (tmp_path / "config.toml").write_text("[network]\nretries = 0\n")
    result = subprocess.run(
        [sys.executable, "-m", "papercli", "list", "--date", "2025-07-15"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    broken = tmp_path / "config.toml"
    broken.write_text("[network\n")
    result = subprocess.run(
        [sys.executable, "-m", "papercli", "today"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 1 and "config.toml" in result.stderr
    assert result.stderr.count("\n") == 1


def named_commands(markdown: str) -> set[tuple[str, str]]:
    """The ``papers WORD [WORD]`` a Markdown page shows: in inline code (`papers today`),
    on ``$ papers ...`` lines of console blocks and on the command lines of sh blocks."""
    import re

    command = re.compile(r"(?:^|[\s(=])papers ([a-z]+)(?: ([a-z]+))?")
    named: set[tuple[str, str]] = set()
    fence = None
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = None if fence is not None else stripped[3:] or "text"
            continue
        if fence == "console":
            if stripped.startswith("$ "):
                named |= set(command.findall(stripped[2:].split(" # ")[0]))
        elif fence == "sh":
            if not stripped.startswith("#"):
                named |= set(command.findall(stripped.split(" # ")[0]))
        elif fence is None:
            for span in re.findall(r"`(papers [^`]*)`", line):
                named |= set(command.findall(span))
    return named


@pytest.mark.parametrize(
    "page",
    [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))],
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_every_command_the_docs_name_exists(page: Path) -> None:
    """The README's tour and the docs pages stay true: each `papers WORD [WORD]` they show
    is a real command (and subcommand)."""
    from typer.main import get_command

    from papercli.cli import app

    group = get_command(app)
    named = named_commands(page.read_text(encoding="utf-8"))
    if page == ROOT / "README.md":
        assert len(named) >= 5, f"the README's tour names few commands: {named}"
    for word, sub in named:
        assert word in group.commands, f"{page.name} names 'papers {word}', which does not exist"  # type: ignore[attr-defined]
        cmd = group.commands[word]  # type: ignore[attr-defined]
        children = getattr(cmd, "commands", None)
        if children and sub:
            assert sub in children, f"{page.name} names 'papers {word} {sub}', which does not exist"


def test_named_commands_reads_code_only() -> None:
    page = (
        "papers in prose `papers watch run --all` and\n"
        "```console\n$ papers list --date 2025-07-15\nWrote 3 papers to x.bib.\n```\n"
        "```sh\n# the new papers daily\n0 8 * * *  papers digest || true  # papers elsewhere\n```\n"
    )
    assert named_commands(page) == {("watch", "run"), ("list", ""), ("digest", "")}


def test_watch_rule_with_a_broken_query_is_a_config_error(tmp_path: Path) -> None:
    from papercli.config import parse_config
    from papercli.errors import ConfigError

    with pytest.raises(ConfigError, match=r"\[watch.x\] query"):
        parse_config('[watch.x]\nquery = "a ("\n', tmp_path / "config.toml")
