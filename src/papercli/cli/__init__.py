"""The command line: Typer lives here and nowhere else.

``app`` is the Typer application; each module below registers its commands on it,
in the order ``papers --help`` lists them. Commands parse arguments, call one use
case (``papercli.core``), and hand the result to the terminal UI (``papercli.ui``)
or an exporter (``papercli.export``).
"""
# ruff: noqa: I001  (the import order is the order of the commands in --help)

from papercli.cli.app import app, main
from papercli.cli import listings
from papercli.cli import search
from papercli.cli import library
from papercli.cli import browse
from papercli.cli import watch
from papercli.cli import admin

__all__ = ["admin", "app", "browse", "library", "listings", "main", "search", "watch"]
