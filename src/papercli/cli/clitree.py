"""The click command that ``papers`` runs, built from the Typer app one command at a time.

Typer turns the Typer app into a click group by converting the signature of
every command up front: about 6 ms for papercli's commands on each start,
although a run uses one of them. Here the root group is built with an empty
command table that fills itself in on lookup, so ``papers today`` converts
``today`` only. Listing the commands (``papers --help``, "did you mean")
still sees every name, and building any one gives exactly the command Typer
would have built: the same Typer functions do it.

Those functions (``get_group_from_info``, ``get_command_from_info``) are not
Typer's public API. When they are missing or their signature changed, the
whole tree is built the public way, ``typer.main.get_command``.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterator, MutableMapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer
    from typer._click import Command


class LazyCommands(MutableMapping[str, "Command"]):
    """A group's command table whose commands are built when first looked up.

    Iteration, ``len`` and ``in`` see every name without building anything.
    """

    def __init__(self, builders: dict[str, Callable[[], Command]]) -> None:
        self._builders = dict(builders)
        self._built: dict[str, Command] = {}

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            builder = self._builders[name]  # KeyError: no such command
            try:
                self._built[name] = builder()
            except KeyError as exc:  # not "no such command": building it failed
                raise RuntimeError(f"building the command {name!r} failed: {exc!r}") from exc
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._builders[name] = lambda: command
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._builders[name]
        self._built.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._builders

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)

    def built(self) -> list[str]:
        """The names built so far (for tests)."""
        return list(self._built)


def command(app: typer.Typer) -> Command:
    """The root click command of ``app``, its subcommands built on first use; usage
    errors are papercli's one line (:func:`papercli.cli.boundary.one_line_errors`)."""
    import typer.main

    from papercli.cli.boundary import one_line_errors

    try:
        root = _lazy_group(app)
    except (ImportError, AttributeError, TypeError):  # Typer's internals moved
        root = typer.main.get_command(app)
    root.main = one_line_errors(root.main)  # type: ignore[method-assign]
    return root


def _lazy_group(app: typer.Typer) -> Command:
    from typer.main import TyperInfo, get_command_from_info, get_command_name, get_group_from_info

    settings = {
        "pretty_exceptions_short": app.pretty_exceptions_short,
        "rich_markup_mode": app.rich_markup_mode,
    }
    suggest = {"suggest_commands": app.suggest_commands}
    builders: dict[str, Callable[[], Command]] = {}
    for info in app.registered_commands:
        assert info.callback is not None, "a Typer command always has a callback"
        name = info.name or get_command_name(info.callback.__name__)
        builders[name] = functools.partial(get_command_from_info, info, **settings)
    for group_info in app.registered_groups:
        if not isinstance(group_info.name, str):  # a nameless group merges its commands
            raise TypeError("only named command groups are built lazily")
        builders[group_info.name] = functools.partial(
            get_group_from_info, group_info, **settings, **suggest
        )
    shell = copy.copy(app)  # the root's own callback and settings, no commands
    shell.registered_commands = []
    shell.registered_groups = []
    root = get_group_from_info(TyperInfo(shell), **settings, **suggest)
    root.commands = LazyCommands(builders)
    return root
