"""The Typer application: the root command, its groups, the table of commands, and
the entry point."""

from __future__ import annotations

import os
import re
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

try:
    from typer._click.exceptions import NoSuchOption
except ImportError:  # a Typer that does not vendor click
    from click.exceptions import NoSuchOption  # type: ignore[no-redef]

from papercli import __version__

app = typer.Typer(
    name="papers",
    help="Hugging Face Daily Papers and arXiv listings in the terminal, cached locally.",
    epilog="Example: papers today mini-batch   (see 'papers COMMAND --help', 'papers help')",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
cache_app = typer.Typer(
    help="Inspect or clear the local cache. Example: papers cache info", no_args_is_help=True
)
config_app = typer.Typer(
    help="Create and inspect the configuration file. Example: papers config init",
    no_args_is_help=True,
)
watch_app = typer.Typer(
    help="Saved queries that report what is new since last time.", no_args_is_help=True
)
rank_app = typer.Typer(
    help="The 'for you' order learned from your ratings. Example: papers rank eval",
    no_args_is_help=True,
)
app.add_typer(cache_app, name="cache")
app.add_typer(config_app, name="config")
app.add_typer(watch_app, name="watch")
app.add_typer(rank_app, name="rank")

# Each command and group, in the order ``papers --help`` lists them, and the module
# (under papercli.cli) that registers it on import. A run imports the module of its
# one command only (papercli.cli.clitree); tests/test_clitree.py checks this table
# against what the modules register.
COMMANDS: dict[str, str] = {
    "today": "listings",
    "list": "listings",
    "show": "listings",
    "open": "listings",
    "search": "search",
    "trends": "search",
    "like": "library",
    "dislike": "library",
    "unrate": "library",
    "save": "library",
    "unsave": "library",
    "library": "library",
    "why": "library",
    "import": "library",
    "browse": "browse",
    "digest": "watch",
    "sync": "admin",
    "completion": "admin",
    "help": "admin",
    "cache": "admin",
    "config": "admin",
    "watch": "watch",
    "rank": "library",
}


def load_commands() -> None:
    """Register every command (the whole application: tests, help, the public tree)."""
    for module in dict.fromkeys(COMMANDS.values()):
        __import__(f"papercli.cli.{module}")


_GLUED = re.compile(r"-([A-Za-z])([A-Za-z][A-Za-z-]+)")


class QueryCommand(TyperCommand):
    """A command that takes a query: an unknown short option there is most likely a word
    to exclude (``agent -video``), which must come after ``--``. Say so; and say so
    too for a word that starts with a short option taking a value (``-survey`` would
    be read as ``-s urvey``)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        for token in args:
            if token == "--":
                break
            glued = _GLUED.fullmatch(token)
            if glued and self._misread(glued.group(1), glued.group(2)):
                ctx.fail(
                    f"{token} would be read as -{glued.group(1)} {glued.group(2)!r}. "
                    f"A word to exclude? P{_hint(ctx, token)[1:]}"
                )
        given = list(args)  # the parser consumes the list it is given
        try:
            return super().parse_args(ctx, args)
        except NoSuchOption as exc:
            name = getattr(exc, "option_name", "")
            if isinstance(name, str) and name.startswith("-") and not name.startswith("--"):
                word = next((a for a in given if a.startswith(name)), name)
                exc.message += f" (a word to exclude? {_hint(ctx, word)})"
            raise

    def _misread(self, letter: str, value: str) -> bool:
        """True when ``-LETTERvalue`` is a short option taking a value that would not
        accept ``value``: most likely a word to exclude."""
        option = next(
            (
                p
                for p in self.params
                if getattr(p, "opts", None)
                and f"-{letter}" in p.opts  # type: ignore[attr-defined]
                and getattr(p, "param_type_name", "") == "option"
            ),
            None,
        )
        if option is None or getattr(option, "is_flag", False):
            return False  # no such option (click says so, with the hint) or a flag
        if option.name == "source":
            from papercli.choices import SOURCES

            return value.lower() not in SOURCES
        if option.name == "category":
            from papercli.arxiv_taxonomy import unknown

            return bool(unknown([value]))
        choices = getattr(option.type, "choices", None)
        return choices is None or value not in [str(c) for c in choices]


def _hint(ctx: Any, word: str) -> str:
    """Put the query after '--', with the command's own name."""
    path = getattr(ctx, "command_path", "") or f"papers {ctx.info_name}"
    name = " NAME" if path.endswith("watch add") else ""
    return f"put the query after '--': {path}{name} -- agent {word}"


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"papers {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Hugging Face Daily Papers and arXiv listings in the terminal, cached locally."""


COMPLETE_VAR = "_PAPERS_COMPLETE"  # set by the scripts of papers completion SHELL


def main() -> None:
    """Console-script entry point."""
    from papercli.cli.clitree import command
    from papercli.ui.console import safe_stdio, utf8_output

    utf8_output()
    safe_stdio()
    if COMPLETE_VAR in os.environ:  # the shell asks for completions: Typer's formats
        from typer._completion_classes import completion_init

        completion_init()
    modules = {name: f"papercli.cli.{module}" for name, module in COMMANDS.items()}
    command(app, modules)(prog_name="papers", complete_var=COMPLETE_VAR)
