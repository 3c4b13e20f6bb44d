"""The click command that ``papers`` runs, built from the Typer app one command at a time.

Typer turns the Typer app into a click group by converting the signature of
every command up front: about 6 ms for papercli's commands on each start,
although a run uses one of them. Here the root group is built with an empty
command table that fills itself in on lookup, so ``papers today`` converts
``today`` only. Listing the commands (``papers --help``, "did you mean")
still sees every name, and building any one gives exactly the command Typer
would have built: the same Typer functions do it.

Those functions (``get_group_from_info``, ``get_command_from_info``) are not
Typer's public API. When they are missing, or calling one fails because its
signature or behaviour changed, the command is built the public way, from
``typer.main.get_command`` (the whole tree, once). Measured: the lazy tree saves
about 6 ms of every ``papers today`` (``benchmarks/run.py``); the fallback keeps
a Typer upgrade from breaking papercli.
"""

from __future__ import annotations

import copy
import functools
import types
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer
    from typer._click import Command


class LazyCommands(MutableMapping[str, "Command"]):
    """A group's command table whose commands are built when first looked up.

    Iteration, ``len`` and ``in`` see every name without building anything.
    """

    def __init__(
        self,
        builders: dict[str, Callable[[], Command]],
        fallback: Callable[[str], Command] | None = None,
    ) -> None:
        self._builders = dict(builders)
        self._built: dict[str, Command] = {}
        self._fallback = fallback  # the public way to build one command, when a builder fails
        self._summaries: Callable[[], dict[str, Callable[[], Command]]] = dict

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            builder = self._builders[name]  # KeyError: no such command (and only here)
            try:
                try:
                    self._built[name] = builder()
                except (TypeError, AttributeError, ImportError, KeyError):
                    if self._fallback is None:
                        raise
                    self._built[name] = self._fallback(name)
            except (TypeError, AttributeError, ImportError, KeyError) as exc:
                # Not "no such command" (which click would make of a KeyError): it failed.
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

    def summary(self, name: str) -> Command:
        """The built command, else a stand-in that has only what the group's help lists
        (help, short help, hidden, deprecated): ``papers --help`` converts no signature."""
        if name in self._built:
            return self[name]
        if not isinstance(self._summaries, dict):
            self._summaries = self._summaries()  # type: ignore[assignment]
        stand_in = self._summaries.get(name)  # type: ignore[attr-defined]
        return self[name] if stand_in is None else stand_in()


def command(app: typer.Typer, modules: Mapping[str, str] | None = None) -> Command:
    """The root click command of ``app``, its subcommands built on first use; usage
    errors are papercli's one line (:func:`papercli.cli.boundary.one_line_errors`).

    ``modules`` (command or group name -> the module that registers it on ``app`` when
    imported) names the commands, in their order, before any is registered: a run
    imports the module of its command only. Without it, the commands are those
    registered on ``app`` already."""
    import typer.main

    from papercli.cli.boundary import one_line_errors

    try:
        root = _lazy_group(app, modules)
    except (ImportError, AttributeError, TypeError):  # Typer's internals moved
        _import_all(modules)
        root = typer.main.get_command(app)
    root.main = one_line_errors(root.main)  # type: ignore[method-assign]
    return root


def _import(module: str) -> None:
    # __import__, not importlib.import_module: the import statement's own path, which
    # ``python -X importtime`` reports (tests/test_fast_paths.py reads it).
    __import__(module)


def _import_all(modules: Mapping[str, str] | None) -> None:
    for module in dict.fromkeys((modules or {}).values()):
        _import(module)


def _lazy_group(app: typer.Typer, modules: Mapping[str, str] | None = None) -> Command:
    from typer.main import TyperInfo, get_group_from_info

    settings = {
        "pretty_exceptions_short": app.pretty_exceptions_short,
        "rich_markup_mode": app.rich_markup_mode,
    }
    suggest = {"suggest_commands": app.suggest_commands}
    names = list(modules) if modules is not None else list(_registered(app))
    builders: dict[str, Callable[[], Command]] = {
        name: functools.partial(_build, app, name, modules, settings, suggest) for name in names
    }
    shell = copy.copy(app)  # the root's own callback and settings, no commands
    shell.registered_commands = []
    shell.registered_groups = []
    root = get_group_from_info(TyperInfo(shell), **settings, **suggest)
    table = LazyCommands(builders, _public_builder(app, modules))

    def summaries() -> dict[str, Callable[[], Command]]:
        _import_all(modules)
        return _summaries(app)

    table._summaries = summaries
    root.commands = table
    root.format_commands = types.MethodType(_format_commands, root)  # type: ignore[method-assign]
    # Typer lists a group's commands through .items(), which would build every one.
    root.list_commands = types.MethodType(_command_names, root)  # type: ignore[method-assign]
    return root


def _registered(app: typer.Typer) -> dict[str, Any]:
    """The commands and named groups registered on ``app``, by name, in order."""
    from typer.main import get_command_name

    out: dict[str, Any] = {}
    for info in app.registered_commands:
        assert info.callback is not None, "a Typer command always has a callback"
        out[info.name or get_command_name(info.callback.__name__)] = info
    for group_info in app.registered_groups:
        if not isinstance(group_info.name, str):  # a nameless group merges its commands
            raise TypeError("only named command groups are built lazily")
        out[group_info.name] = group_info
    return out


def _build(
    app: typer.Typer,
    name: str,
    modules: Mapping[str, str] | None,
    settings: dict[str, Any],
    suggest: dict[str, Any],
) -> Command:
    """Build one command or group the way Typer would (importing its module first)."""
    from typer.main import TyperInfo, get_command_from_info, get_group_from_info

    if modules is not None:
        _import(modules[name])
    info = _registered(app)[name]
    if isinstance(info, TyperInfo):
        return get_group_from_info(info, **settings, **suggest)
    return get_command_from_info(info, **settings)


def _summaries(app: typer.Typer) -> dict[str, Callable[[], Command]]:
    """For each command and group, a stand-in built from what Typer's builders would give
    it as help (the same rules: an explicit help is dedented, else the docstring)."""
    import inspect

    from typer.core import TyperCommand
    from typer.main import get_command_name, solve_typer_info_defaults

    out: dict[str, Callable[[], Command]] = {}
    for info in app.registered_commands:
        assert info.callback is not None
        name = info.name or get_command_name(info.callback.__name__)
        text = inspect.getdoc(info.callback) if info.help is None else inspect.cleandoc(info.help)
        out[name] = functools.partial(
            TyperCommand,
            name,
            help=text,
            short_help=info.short_help,
            hidden=info.hidden,
            deprecated=info.deprecated,
        )
    for group_info in app.registered_groups:
        solved = solve_typer_info_defaults(group_info)
        out[str(group_info.name)] = functools.partial(
            TyperCommand,
            str(group_info.name),
            help=solved.help,
            short_help=solved.short_help,
            hidden=solved.hidden,
            deprecated=solved.deprecated,
        )
    return out


def _command_names(self: Any, ctx: Any) -> list[str]:
    """The command names in the order they were added, building none of them."""
    return list(self.commands)


def _format_commands(self: Any, ctx: Any, formatter: Any) -> None:
    """Typer's ``TyperGroup.format_commands`` (plain help), reading stand-ins for the
    commands not built yet."""
    table = self.commands
    commands = []
    for name in self.list_commands(ctx):
        cmd = (
            table.summary(name) if isinstance(table, LazyCommands) else self.get_command(ctx, name)
        )
        if cmd is None or cmd.hidden:
            continue
        commands.append((name, cmd))
    if commands:
        limit = formatter.width - 6 - max(len(name) for name, _ in commands)
        rows = [(name, cmd.get_short_help_str(limit)) for name, cmd in commands]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _public_builder(
    app: typer.Typer, modules: Mapping[str, str] | None = None
) -> Callable[[str], Command]:
    """Build one command the public way: the whole tree with ``typer.main.get_command``
    (once, on the first failure), then that command from it."""
    import typer.main

    tree: list[Command] = []

    def build(name: str) -> Command:
        if not tree:
            _import_all(modules)
            tree.append(typer.main.get_command(app))
        return tree[0].commands[name]  # type: ignore[attr-defined,no-any-return]

    return build
