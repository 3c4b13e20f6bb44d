"""Every example of the commands' help (and so of docs/commands.md, written from it)
is a command line papercli takes: its options parse, and no option hides in its query
text after ``--``. Parsed only: the examples fetch, open browsers and send mail."""

from __future__ import annotations

import shlex

import pytest
from typer._click import Command, Context
from typer.core import TyperGroup

from papercli.cli import app
from papercli.cli.clitree import command
from papercli.cli.options import query_text


def _commands(
    group: TyperGroup, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], Command]]:
    ctx = Context(group)
    found = []
    for name in group.list_commands(ctx):
        sub = group.get_command(ctx, name)
        if sub is None or sub.hidden:
            continue
        found.append(((*path, name), sub))
        if isinstance(sub, TyperGroup):
            found += _commands(sub, (*path, name))
    return found


def _examples() -> list[tuple[str, list[str]]]:
    out = []
    for path, cmd in _commands(command(app)):
        text = cmd.help or ""
        if "Examples:" not in text:
            continue
        block = " ".join(text.split("Examples:", 1)[1].split())
        for example in block.split(" | "):
            words = shlex.split(example)
            assert words[0] == "papers", example
            if tuple(words[1 : 1 + len(path)]) == path:  # its own examples (not another's)
                out.append((example, words[1:]))
    return out


EXAMPLES = _examples()


def test_there_are_examples() -> None:
    assert len(EXAMPLES) > 30


@pytest.mark.parametrize(("example", "words"), EXAMPLES, ids=[e for e, _ in EXAMPLES])
def test_an_example_of_the_help_parses(example: str, words: list[str]) -> None:
    group: Command = command(app)
    args = list(words)
    while isinstance(group, TyperGroup) and args and not args[0].startswith("-"):
        sub = group.get_command(Context(group), args[0])
        assert sub is not None, example
        group, args = sub, args[1:]
    ctx = group.make_context("papers", args)  # a usage error here: the example is wrong
    for name in ("query", "words"):
        value = ctx.params.get(name)
        if isinstance(value, list | tuple):
            query_text(list(value))
