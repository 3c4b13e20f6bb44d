"""The Typer application: the root command, its groups, and the entry point."""

from __future__ import annotations

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
    epilog="Example: papers today mini-batch   (see 'papers COMMAND --help')",
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
app.add_typer(cache_app, name="cache")
app.add_typer(config_app, name="config")
app.add_typer(watch_app, name="watch")


class QueryCommand(TyperCommand):
    """A command that takes a query: an unknown short option there is most likely a word
    to exclude (``agent -video``), which must come after ``--``. Say so."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except NoSuchOption as exc:
            name = getattr(exc, "option_name", "")
            if isinstance(name, str) and name.startswith("-") and not name.startswith("--"):
                exc.message += (
                    " (a word to exclude? put the query after '--': "
                    f"papers {ctx.info_name} -- agent -video)"
                )
            raise


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


def main() -> None:
    """Console-script entry point."""
    from papercli.cli.clitree import command
    from papercli.ui.console import safe_stdio

    safe_stdio()
    command(app)(prog_name="papers")
