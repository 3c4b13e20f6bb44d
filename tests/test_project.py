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


def test_every_command_the_readme_names_exists() -> None:
    """The README's tour stays true: each `papers WORD [WORD]` it shows is a real command."""
    import re

    from typer.main import get_command

    from papercli.cli import app

    group = get_command(app)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"(?:^|[`$|] ?)papers ([a-z]+)(?: ([a-z]+))?", readme, re.M))
    assert named, "the README names no commands"
    for word, sub in named:
        assert word in group.commands, f"README names 'papers {word}', which does not exist"  # type: ignore[attr-defined]
        cmd = group.commands[word]  # type: ignore[attr-defined]
        children = getattr(cmd, "commands", None)
        if children and sub:
            assert sub in children, f"README names 'papers {word} {sub}', which does not exist"


def test_watch_rule_with_a_broken_query_is_a_config_error(tmp_path: Path) -> None:
    from papercli.config import parse_config
    from papercli.errors import ConfigError

    with pytest.raises(ConfigError, match=r"\[watch.x\] query"):
        parse_config('[watch.x]\nquery = "a ("\n', tmp_path / "config.toml")
