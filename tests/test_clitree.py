"""The lazily built command tree behaves exactly like the one Typer builds up front."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer.main
import typer.testing
from typer.core import TyperCommand as Command
from typer.testing import CliRunner

from papercli.cli import app
from papercli.cli.clitree import LazyCommands, command


def _paths(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name in getattr(group, "commands", {}):
        yield from _paths(group.commands[name], (*path, name))


def _help(path: tuple[str, ...]) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="papers")
    return result.exit_code, result.output


def test_every_help_text_is_the_one_typer_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    eager = typer.main.get_command(app)
    paths = list(_paths(eager))
    assert len(paths) > 20  # the root, every command, every group and its commands
    want = {p: _help(p) for p in paths}  # typer.testing builds the tree eagerly
    monkeypatch.setattr(typer.testing, "_get_command", command)
    got = {p: _help(p) for p in paths}
    assert got == want


def test_a_run_builds_only_the_command_it_runs(
    monkeypatch: pytest.MonkeyPatch, isolated_home: Any
) -> None:
    root = command(app)
    assert isinstance(root.commands, LazyCommands)  # type: ignore[attr-defined]
    names = list(root.commands)  # type: ignore[attr-defined]
    assert names[:2] == ["today", "list"] and {"cache", "config", "watch"} <= set(names)
    assert root.commands.built() == []  # type: ignore[attr-defined]
    with pytest.raises(SystemExit) as exit_:
        root.main(["cache", "path"], prog_name="papers")
    assert exit_.value.code == 0
    assert root.commands.built() == ["cache"]  # type: ignore[attr-defined]


def test_unknown_commands_still_get_a_suggestion(run: Any) -> None:
    result = run("todya")
    assert result.exit_code == 2
    assert "Did you mean 'today'?" in result.stderr


def test_lazy_commands_is_a_mapping() -> None:
    built: list[str] = []

    def builder(name: str) -> Any:
        built.append(name)
        return Command(name)

    table = LazyCommands({n: (lambda n=n: builder(n)) for n in ("a", "b")})
    assert list(table) == ["a", "b"] and len(table) == 2 and "a" in table and built == []
    assert table.get("zzz") is None and built == []
    assert table["b"] is table["b"] and built == ["b"]
    del table["a"]
    assert list(table) == ["b"]
    other = Command("c")
    table["c"] = other
    assert table["c"] is other and list(table) == ["b", "c"]


def test_typer_internals_missing_fall_back_to_the_eager_tree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from papercli.cli import clitree

    def moved(*args: Any) -> Any:
        raise ImportError("cannot import name 'get_command_from_info' from 'typer.main'")

    monkeypatch.setattr(clitree, "_lazy_group", moved)
    root = command(app)
    assert not isinstance(root.commands, LazyCommands)  # type: ignore[attr-defined]
    assert "today" in root.commands  # type: ignore[attr-defined]


def test_a_builder_failing_is_not_no_such_command() -> None:
    def broken() -> Any:
        raise KeyError("param")

    table = LazyCommands({"x": broken})
    with pytest.raises(RuntimeError, match="building the command 'x' failed"):
        table.get("x")


def test_a_changed_private_builder_falls_back_to_the_public_path(
    monkeypatch: pytest.MonkeyPatch, run: Any
) -> None:
    """Typer's private builder with another signature: the command is built the public
    way, and runs, instead of ending in a traceback."""
    import typer.main

    real = typer.main.get_command_from_info

    def changed(*args: Any, **kwargs: Any) -> Any:
        # A new Typer made the info keyword-only, as its own calls pass it; papercli's
        # positional call no longer fits.
        if args:
            raise TypeError("get_command_from_info() takes 0 positional arguments")
        return real(*args, **kwargs)

    monkeypatch.setattr(typer.main, "get_command_from_info", changed)
    result = run("today", "--help")
    assert result.exit_code == 0, result.stderr
    assert "Today's papers" in result.stdout
    assert run("cache", "--help").exit_code == 0


def test_root_help_builds_no_command() -> None:
    """papers --help lists every command from its help text alone (no signature is
    converted), with the same text Typer's eager tree gives."""
    import contextlib
    import io

    from typer.main import get_command

    root = command(app)
    lazy = io.StringIO()
    with contextlib.redirect_stdout(lazy), contextlib.suppress(SystemExit):
        root(["--help"], prog_name="papers")
    assert root.commands.built() == []  # type: ignore[attr-defined]
    eager = io.StringIO()
    with contextlib.redirect_stdout(eager), contextlib.suppress(SystemExit):
        get_command(app)(["--help"], prog_name="papers")
    assert lazy.getvalue() == eager.getvalue()


def test_the_command_table_names_each_command_and_the_module_registering_it() -> None:
    """``papers today`` imports only the module its table entry names: the table must
    hold every command and group, in --help's order, each with its real module."""
    from papercli.cli.clitree import _registered
    from papercli.cli.root import COMMANDS

    registered = _registered(app)  # papercli.cli's app: every module imported
    assert list(registered) == list(COMMANDS)  # the order too: --help lists them so
    for name, info in registered.items():
        callback = info.callback or info.typer_instance.registered_commands[0].callback
        assert callback.__module__ == f"papercli.cli.{COMMANDS[name]}", name


def test_a_run_imports_only_its_own_command_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from papercli.cli.root import main\n"
        "sys.argv = ['papers', 'cache', 'path']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('papercli.cli.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = done.stdout.strip().splitlines()[-1]
    assert "papercli.cli.admin" in loaded
    for other in ("listings", "search", "library", "browse", "watch"):
        assert f"papercli.cli.{other}'" not in loaded
