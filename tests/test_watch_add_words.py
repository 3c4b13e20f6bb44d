"""``papers watch add NAME QUERY...`` reads the query as ``today`` does."""

from __future__ import annotations

from typing import Any

import pytest


def test_watch_add_takes_the_query_as_several_words(run: Any) -> None:
    result = run("watch", "add", "gnn", "graph", "neural")
    assert result.exit_code == 0, result.stderr
    rules = run("watch", "list", "--json").json()
    assert rules[0]["name"] == "gnn" and rules[0]["query"] == "graph neural"
    quoted = run("watch", "add", "mb", 'mini-batch OR "large batch"', "--min-upvotes", "5")
    assert quoted.exit_code == 0, quoted.stderr
    assert run("watch", "list", "--json").json()[1]["query"] == 'mini-batch OR "large batch"'


def test_an_exclusion_after_double_dash_is_saved(run: Any) -> None:
    result = run("watch", "add", "x", "-s", "arxiv", "--", "agent", "-survey")
    assert result.exit_code == 0, result.stderr
    rule = run("watch", "list", "--json").json()[0]
    assert rule["query"] == "agent -survey" and rule["sources"] == ["arxiv"]


@pytest.mark.parametrize(
    "args",
    [
        ("watch", "add", "x", "agent", "-survey"),
        ("today", "agent", "-survey"),
        ("list", "agent", "-noise"),
    ],
)
def test_a_word_glued_to_a_short_option_gets_the_same_hint(run: Any, args: tuple[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    word = args[-1]
    assert f"{word} would be read as -{word[1]} '{word[2:]}'" in result.stderr
    command = " ".join(a for a in args[:-2] if a != "x")
    name = " NAME" if args[0] == "watch" else ""
    hint = f"the query after '--': papers {command}{name} -- agent {word}"
    assert f"A word to exclude? Put {hint}" in result.stderr
    assert "Unknown source" not in result.stderr
    assert run("watch", "list", "--json").json() == []  # nothing saved


def test_glued_values_that_are_valid_still_work(run: Any) -> None:
    result = run("watch", "add", "x", "agent", "-sarxiv", "-ccs.LG")
    assert result.exit_code == 0, result.stderr
    rule = run("watch", "list", "--json").json()[0]
    assert rule["sources"] == ["arxiv"] and rule["categories"] == ["cs.LG"]


def test_watch_add_unknown_long_option_in_the_query_is_refused(run: Any) -> None:
    result = run("watch", "add", "x", "--", "agent", "--limit")
    assert result.exit_code == 2
    assert "looks like an option inside the query" in result.stderr
