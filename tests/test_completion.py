"""``papers completion SHELL``: a script, and completions of commands, options, watch-rule
names and arXiv categories through it (the same protocol the script speaks)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_fast_paths import _imported


def _complete(home: Path, shell: str, line: str) -> list[str]:
    env = {
        "PAPERS_HOME": str(home),
        "PATH": os.environ.get("PATH", ""),
        "_PAPERS_COMPLETE": f"complete_{shell}",
    }
    if shell == "bash":
        words = line.split(" ")
        env |= {"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": line, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    result = subprocess.run(
        [sys.executable, "-c", "from papercli.cli import main; main()"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script(run, shell: str) -> None:
    result = run("completion", shell)
    assert result.exit_code == 0, result.stderr
    assert "_PAPERS_COMPLETE=complete_" + shell in result.stdout
    assert "papers" in result.stdout


def test_an_unknown_shell_is_a_usage_error(run) -> None:
    assert run("completion", "tcsh").exit_code == 2


def test_commands_options_rules_and_categories_complete(isolated_home: Path) -> None:
    with (isolated_home / "config.toml").open("a") as fh:
        fh.write('[watch.gnn]\nquery = "graph"\n[watch.diffusion]\nquery = "diffusion"\n')
    assert _complete(isolated_home, "bash", "papers wa") == ["watch"]
    assert "--sort" in _complete(isolated_home, "bash", "papers today --so")
    assert _complete(isolated_home, "bash", "papers watch run ") == ["gnn", "diffusion"]
    assert _complete(isolated_home, "bash", "papers watch rm d") == ["diffusion"]
    assert _complete(isolated_home, "fish", "papers digest g") == ["gnn"]
    categories = _complete(isolated_home, "bash", "papers today -c cs.L")
    assert "cs.LG" in categories and "cs.LO" in categories
    assert "cs.CL" not in categories
    zsh = "\n".join(_complete(isolated_home, "zsh", "papers list --category cs.C"))
    assert '"cs.CL"' in zsh and '"cs.CV"' in zsh


def test_completion_costs_nothing_at_start_up(tmp_path: Path) -> None:
    # Typer imports its completion modules anyway; the values papercli completes
    # (arXiv's taxonomy, the configuration) load only while completing.
    for args in (["--help"], ["completion", "bash"]):
        loaded = _imported(args, tmp_path)
        assert "papercli.arxiv_taxonomy" not in loaded and "tomllib" not in loaded
