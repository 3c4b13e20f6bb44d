"""Small usage errors: one line, exit 2 (or 1 for output targets), before any work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.mark.parametrize(
    "args",
    [
        ("search", "--offline", "x", "--since", "2025-12-01", "--until", "2025-11-01"),
        ("trends", "x", "--since", "2025-12-01", "--until", "2025-11-01"),
        ("sync", "--since", "2025-12-01", "--until", "2025-11-01"),
    ],
)
def test_since_after_until_is_a_usage_error_everywhere(run: Any, args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr == "Error: --since 2025-12-01 is after --until 2025-11-01.\n"


def test_an_option_after_double_dash_gets_a_generic_hint(run: Any) -> None:
    result = run("search", "--offline", "--", "mini-batch", "--limit", "2")
    assert result.exit_code == 2
    assert "put options before '--' (papers COMMAND --limit 5 -- diffusion -video)" in (
        result.stderr
    )


def test_output_to_a_folder_says_so_before_guessing_a_format(run: Any, tmp_path: Path) -> None:
    result = run("list", "--date", "2025-07-15", "--offline", "-o", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path} is a folder; give a file name.\n"


def test_watch_add_names_every_source_it_accepts(run: Any) -> None:
    result = run("watch", "add", "x", "foo", "-s", "bogus")
    assert result.exit_code == 2
    assert result.stderr == "Error: Unknown source 'bogus': use hf, arxiv or all.\n"


@pytest.mark.parametrize("command", ["today", "list", "search", "trends"])
def test_an_exclusion_before_double_dash_gets_a_hint(run: Any, command: str) -> None:
    result = run(command, "agent", "-video")
    assert result.exit_code == 2
    assert (
        "No such option: -v (a word to exclude? put the query after '--': "
        f"papers {command} -- agent -video)"
    ) in result.stderr


def test_a_misspelled_long_option_keeps_clicks_suggestion(run: Any) -> None:
    result = run("list", "agent", "--lmit", "3")
    assert result.exit_code == 2
    assert "No such option: --lmit (Possible options: --limit" in result.stderr
