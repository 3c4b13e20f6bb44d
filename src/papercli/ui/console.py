"""The terminal: stderr messages, the Rich console, plain output for pipes, progress."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def _is_utf(encoding: str | None) -> bool:
    import codecs

    try:
        return codecs.lookup(encoding or "utf-8").name.startswith("utf")
    except LookupError:
        return False


def safe_stdio() -> None:
    """Streams whose encoding cannot carry every character (``PYTHONIOENCODING=ascii``,
    a latin-1 locale) write a replacement character instead of failing."""
    import io

    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and not _is_utf(stream.encoding):
            stream.reconfigure(errors="replace")


def encodable(text: str, fmt: str | None = None) -> str:
    """``text`` as stdout's encoding can carry it, still a valid document of its format:
    JSON with ``\\uXXXX`` escapes, Atom with character references, other text with
    replacement characters. Unchanged where stdout speaks UTF-8."""
    encoding = getattr(sys.stdout, "encoding", None)
    if _is_utf(encoding):
        return text
    if fmt in ("json", "jsonl"):
        import re

        def escape(match: re.Match[str]) -> str:
            code = ord(match.group())
            if code > 0xFFFF:
                code -= 0x10000
                return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
            return f"\\u{code:04x}"

        return re.sub(r"[^\x00-\x7f]", escape, text)
    if fmt == "atom":
        return text.encode("ascii", "xmlcharrefreplace").decode("ascii")
    try:
        return text.encode(encoding or "ascii", "replace").decode(encoding or "ascii")
    except LookupError:
        return text.encode("ascii", "replace").decode("ascii")


def say(message: str) -> None:
    """One line on stderr: a note, a warning or an error. Remote text in it is inert, and
    URL credentials (``user:password@``) are never shown."""
    from papercli.text import redact_urls, strip_controls

    line = redact_urls(strip_controls(message)).replace("\n", " ")
    if line.endswith("..") and not line.endswith("..."):
        line = line[:-1]  # a quoted sentence ended by our own full stop ("protocol..")
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def quiet(message: str) -> None:
    """A ``say`` that says nothing (``--quiet``)."""


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# Widths outside these bounds (COLUMNS=0, COLUMNS=1, COLUMNS=100000) are not a screen.
MIN_WIDTH = 40
MAX_WIDTH = 500
DEFAULT_WIDTH = 80


def screen_width(stderr: bool = False) -> int | None:
    """The width to draw at: ``COLUMNS`` when it is a sane number, else the terminal's,
    else 80, held to [MIN_WIDTH, MAX_WIDTH]. None: COLUMNS is unset (Rich asks the
    terminal itself)."""
    raw = os.environ.get("COLUMNS")
    if raw is None:
        return None
    try:
        width = int(raw)
    except ValueError:
        width = 0
    if width <= 0:
        stream = sys.stderr if stderr else sys.stdout
        try:
            width = os.get_terminal_size(stream.fileno()).columns
        except (AttributeError, ValueError, OSError):
            width = DEFAULT_WIDTH
        width = width if width > 0 else DEFAULT_WIDTH
    return max(MIN_WIDTH, min(MAX_WIDTH, width))


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    # NO_COLOR (https://no-color.org): no colour and no other styling either.
    plain = bool(os.environ.get("NO_COLOR"))
    width = screen_width(stderr)
    return Console(
        stderr=stderr,
        highlight=False,
        markup=False,
        emoji=False,
        **({"color_system": None} if plain else {}),
        **({"width": width} if width is not None else {}),
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
