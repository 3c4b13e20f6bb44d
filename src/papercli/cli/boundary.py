"""The one error boundary of every command, and the context each command runs in.

Every :class:`~papercli.errors.PapersError` becomes one line on stderr and an
exit status (1 for failures, 2 for usage errors); nothing shows a traceback.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from papercli.errors import PapersError
from papercli.ui.console import say

if TYPE_CHECKING:
    from papercli.core.context import Context

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

_ENVIRONMENT_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.EACCES, errno.EPERM}
)


def fail(message: str, code: int) -> typer.Exit:
    say(f"Error: {message}")
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """The error boundary of every command."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PapersError as exc:
            raise fail(exc.message, exc.exit_code) from None
        except KeyboardInterrupt:
            raise fail("interrupted.", 130) from None
        except BrokenPipeError:
            # The reader went away (papers today | head): not an error worth a message.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno in _ENVIRONMENT_ERRNOS:
                # The machine said no (disk full, read-only, permissions): not a bug.
                where = f" ({exc.filename})" if exc.filename else ""
                raise fail(f"cannot write{where}: {exc.strerror or exc}.", 1) from None
            if os.environ.get("PAPERS_DEBUG"):
                raise
            raise fail(
                f"internal error: {type(exc).__name__}: {exc} "
                "(run with PAPERS_DEBUG=1 for details, and please report it).",
                1,
            ) from None

    return wrapper  # type: ignore[return-value]


def context() -> Context:
    """A context for one command: the configuration, and notes going to stderr."""
    from papercli import config
    from papercli.core.context import Context
    from papercli.ui.console import allow_pager, waiting

    settings = config.load()
    allow_pager(settings.pager)
    return Context(settings, say, waiting=waiting)


def run(func: Callable[[Context], T]) -> T:
    """Run ``func`` with a fresh context, closing its clients afterwards."""
    with context() as ctx:
        return func(ctx)
