"""The command line: Typer lives here and nowhere else.

``app`` is the Typer application (:mod:`papercli.cli.root`). Each command module
registers its commands on it when imported; :data:`papercli.cli.root.COMMANDS` says
which module holds which command, so that ``papers today`` imports only the module
of ``today``. Commands parse arguments, call one use case (``papercli.core``), and
hand the result to the terminal UI (``papercli.ui``) or an exporter
(``papercli.export``).

``from papercli.cli import app`` gives the application with every command registered
(tests, the generated reference); the console script goes through
:func:`papercli.cli.root.main`, which builds only the command it runs.
"""

from __future__ import annotations

from typing import Any

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    if name in ("app", "main"):
        from papercli.cli import root

        root.load_commands()
        return getattr(root, name)
    raise AttributeError(f"module 'papercli.cli' has no attribute {name!r}")
