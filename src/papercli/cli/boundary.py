"""The one error boundary of every command, and the context each command runs in.

Every :class:`~papercli.errors.PapersError` becomes one line on stderr and an
exit status (1 for failures, 2 for usage errors); nothing shows a traceback.
"""

from __future__ import annotations

import errno
import functools
import os
import re
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

_WINDOWS = sys.platform == "win32"
_ENVIRONMENT_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.EACCES, errno.EPERM}
)


def reader_went_away(exc: BaseException) -> bool:
    """Whether ``exc`` says stdout's reader has gone (``papers today | head``).

    POSIX says EPIPE (BrokenPipeError; Python ignores SIGPIPE, so there is no signal to
    handle). Windows says EINVAL for a pipe whose reader has closed it: that, when
    stdout cannot be flushed either.
    """
    if isinstance(exc, BrokenPipeError):
        return True
    if not (_WINDOWS and isinstance(exc, OSError) and exc.errno == errno.EINVAL):
        return False
    try:
        sys.stdout.flush()
    except OSError:
        return True
    return False


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
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if reader_went_away(exc):
                # The reader went away (papers today | head): not an error worth a message.
                # What is left in stdout's buffer goes nowhere when Python flushes it.
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                raise typer.Exit(0) from None
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


def usage_message(exc: Any) -> str:
    """A click usage error (a bad value, a missing argument, an unknown option) as
    papercli's own one line, without Typer's wording (``'abc' is not a valid int
    range``) or the usage block; it ends by naming the command's help."""
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", "") or "papers"
    see = f" (see '{path} --help')"
    param = getattr(exc, "param", None)
    message = str(getattr(exc, "message", "") or exc).strip()
    kind = type(exc).__name__
    if param is None:  # click's own sentence (with its "Possible options: ...")
        whole = exc.format_message() if hasattr(exc, "format_message") else message
        return whole.rstrip(".") + see + "."
    if getattr(param, "param_type_name", "") == "argument":
        name = (param.name or "argument").upper()
    else:
        name = max(getattr(param, "opts", None) or [param.name or "?"], key=len)
    if kind == "MissingParameter":
        return f"{path} needs {name}{see}."
    given = re.match(r"^('(?:[^'\\]|\\.)*'|\S+) is not", message)
    value = f", not {given.group(1)}" if given else ""
    kind_of = getattr(param, "type", None)
    choices = getattr(kind_of, "choices", None)
    if choices:
        names = [str(getattr(c, "value", c)) for c in choices]
        options = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
        return f"{name} takes {options}{value}{see}."
    if getattr(kind_of, "name", "") in ("integer", "integer range", "int range"):
        low = getattr(kind_of, "min", None)
        high = getattr(kind_of, "max", None)
        bounds = ""
        if low is not None and high is not None:
            bounds = f" from {low} to {high}"
        elif low is not None:
            bounds = f" of at least {low}"
        elif high is not None:
            bounds = f" of at most {high}"
        return f"{name} takes a whole number{bounds}{value}{see}."
    detail = message.split(": ", 1)[-1].rstrip(".")
    return f"{name}: {detail}{see}."


def one_line_errors(main: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a click command's ``main``: usage errors become one ``Error:`` line on
    stderr and exit status 2 (what the README promises), not click's usage block."""
    try:
        from typer._click.exceptions import ClickException, UsageError
    except ImportError:  # a Typer that does not vendor click
        from click.exceptions import ClickException, UsageError  # type: ignore[no-redef]

    @functools.wraps(main)
    def wrapper(*args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return main(*args, standalone_mode=False, **kwargs)
        try:
            code = main(*args, standalone_mode=False, **kwargs)
        except UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # 'papers watch': the help
                exc.show()
            else:
                say(f"Error: {usage_message(exc)}")
            sys.exit(exc.exit_code)
        except ClickException as exc:
            say(f"Error: {exc.format_message()}")
            sys.exit(exc.exit_code)
        except typer.Abort:
            say("Aborted.")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    return wrapper


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
