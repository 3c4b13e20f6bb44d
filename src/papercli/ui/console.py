"""The terminal: stderr messages, the Rich console, plain output for pipes, progress."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


_WINDOWS = sys.platform == "win32"


def utf8_output() -> None:
    """On Windows, write UTF-8 to a stdout or stderr that is a file or a pipe.

    Python encodes those in the ANSI code page there (cp1252 and the like), which
    cannot hold most remote text (names, math), so ``papers list --json > out.json``
    would fail on the first such title. A console gets UTF-16 from Python already, and
    POSIX locales are UTF-8 (Python itself coerces the C locale); PYTHONIOENCODING and
    Python's UTF-8 mode are left to say what they say.
    """
    if not _WINDOWS or os.environ.get("PYTHONIOENCODING") or sys.flags.utf8_mode:
        return
    import codecs

    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        try:
            if reconfigure is None or stream.isatty():
                continue
            if codecs.lookup(stream.encoding).name != "utf-8":
                reconfigure(encoding="utf-8", errors="replace")
        except (OSError, ValueError, LookupError):  # closed, or an odd stream
            continue


def say(message: str) -> None:
    """One line on stderr: a note, a warning or an error. Remote text in it is inert."""
    from papercli.text import strip_controls

    sys.stderr.write(strip_controls(message).replace("\n", " ") + "\n")
    sys.stderr.flush()


def quiet(message: str) -> None:
    """A ``say`` that says nothing (``--quiet``)."""


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    # NO_COLOR (https://no-color.org): no colour and no other styling either.
    plain = bool(os.environ.get("NO_COLOR"))
    return Console(
        stderr=stderr,
        highlight=False,
        markup=False,
        emoji=False,
        **({"color_system": None} if plain else {}),
    )


def show(out: Console, renderable: Any) -> None:
    """Print to a terminal as is; elsewhere plain lines without Rich's trailing padding."""
    if out.is_terminal:
        out.print(renderable)
        return
    with out.capture() as capture:
        out.print(renderable)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in capture.get().splitlines()))


def plain_text(renderable: Any, width: int = 120) -> str:
    """A renderable as plain text for a file (no colour, no padding)."""
    from rich.console import Console

    out = Console(width=width, color_system=None, force_terminal=False, highlight=False)
    with out.capture() as capture:
        out.print(renderable)
    return "".join(line.rstrip() + "\n" for line in capture.get().splitlines())


class progress:
    """A Rich progress bar on stderr when it is a terminal; otherwise nothing.

    ``with progress() as update:`` gives ``update(done, total, what)`` or None.
    """

    def __enter__(self) -> Callable[[int, int, str], None] | None:
        self._bar: Any = None
        if not sys.stderr.isatty():
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._bar = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            console=console(stderr=True),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("Syncing", total=None)
        return self._update

    def _update(self, done: int, total: int, what: str) -> None:
        self._bar.update(self._task, completed=done, total=total, description=what)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
