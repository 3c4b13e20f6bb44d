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

        from papercli.text import json_escape

        return re.sub(r"[^\x00-\x7f]", json_escape, text)
    if fmt == "atom":
        return text.encode("ascii", "xmlcharrefreplace").decode("ascii")
    try:
        return text.encode(encoding or "ascii", "replace").decode(encoding or "ascii")
    except LookupError:
        return text.encode("ascii", "replace").decode("ascii")


def fitted(line: str, stream: Any, indent: str = "  ") -> str:
    """``line`` broken between words to the width of the terminal ``stream`` is (the
    lines after the first behind ``indent``), where the terminal would break it inside
    a word; unchanged when ``stream`` is a file or a pipe, where one line is one line."""
    try:
        if not stream.isatty():
            return line
    except (AttributeError, ValueError, OSError):  # closed, or an odd stream
        return line
    try:  # COLUMNS when set (as for tables), else the width of this stream's terminal
        columns = int(os.environ.get("COLUMNS") or os.get_terminal_size(stream.fileno()).columns)
    except (ValueError, OSError, AttributeError):
        return line
    # One column spare: a line as wide as the terminal makes some of them wrap it.
    return broken(line, max(MIN_WIDTH, columns) - 1, indent)


def broken(line: str, width: int, indent: str = "") -> str:
    """``line`` broken between words into lines of ``width`` at most (the lines after the
    first behind ``indent``); a word longer than that stays whole."""
    if len(line) <= width:
        return line
    import textwrap

    return textwrap.fill(
        line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )


def say(message: str) -> None:
    """One line on stderr (broken between words on a terminal): a note, a warning or an
    error. Remote text in it is inert, and URL credentials (``user:password@``) are never
    shown."""
    from papercli.text import redact_urls, strip_controls

    line = redact_urls(strip_controls(message)).replace("\n", " ")
    if line.endswith("..") and not line.endswith("..."):
        line = line[:-1]  # a quoted sentence ended by our own full stop ("protocol..")
    with _SPINNER.paused():
        sys.stderr.write(fitted(line, sys.stderr) + "\n")
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


# --- paging long output ------------------------------------------------------------------
_PAGER_ALLOWED = True  # [display] pager (set from the configuration by the command line)


def allow_pager(allowed: bool) -> None:
    """``[display] pager``: whether long output on a terminal may be paged at all."""
    global _PAGER_ALLOWED
    _PAGER_ALLOWED = allowed


def pager_command() -> str | None:
    """``$PAPERS_PAGER``, else ``$PAGER``, else ``less``: None when it is empty, ``cat``,
    or not installed (the output is then printed as it is)."""
    import shlex
    import shutil

    command = os.environ.get("PAPERS_PAGER", os.environ.get("PAGER", "less"))
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words or words[0] == "cat" or shutil.which(words[0]) is None:
        return None
    return command


def page(text: str) -> bool:
    """Send ``text`` (with its colour codes) through the pager; False when there is none
    to run (the caller prints it). less gets ``LESS=FRX`` unless LESS is set: colours
    kept (-R), one screen quits at once (-F), the screen is left as it was (-X)."""
    import subprocess

    command = pager_command()
    if command is None:
        return False
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    try:
        pager = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    try:
        assert pager.stdin is not None
        pager.stdin.write(text.encode("utf-8", "replace"))
        pager.stdin.close()
    except (BrokenPipeError, OSError):  # the reader quit before the end: fine
        pass
    while True:
        try:
            pager.wait()
            return True
        except KeyboardInterrupt:  # less handles ^C itself; wait for it to finish
            continue


def show(out: Console, renderable: Any, *, paged: bool = False) -> None:
    """Print to a terminal as is; elsewhere plain lines without Rich's trailing padding.

    ``paged``: on a terminal, output taller than the screen goes through the pager
    (unless ``[display] pager`` is off). Never when stdout is not a terminal. Lines
    are not cropped: a caption longer than the screen stays one line.
    """
    if out.is_terminal:
        if paged and _PAGER_ALLOWED:
            with out.capture() as capture:
                out.print(renderable, crop=False)
            text = capture.get()
            if text.count("\n") < out.size.height or not page(text):
                sys.stdout.write(text)
                sys.stdout.flush()
            return
        out.print(renderable, crop=False)
        return
    with out.capture() as capture:
        out.print(renderable, crop=False)
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
        _SPINNER.enabled = False  # the bar is the sign of life
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
            _SPINNER.enabled = True


# --- a sign of life while waiting for the network -----------------------------------------
class Spinner:
    """A status line on stderr (terminal only) while requests are in flight for more than
    :attr:`DELAY` seconds: ``⠋ Waiting for Hugging Face… 3 s``. Requests may overlap
    (pages fetched in parallel): the line shows while any is in flight. Lines written
    by :func:`say` clear it first; it comes back on the next tick."""

    DELAY = 0.5
    TICK = 0.1
    FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

    def __init__(self) -> None:
        import threading

        self._lock = threading.RLock()
        self._active = 0
        self._what = ""
        self._since = 0.0
        self._shown = False
        self._stop: Any = None
        self.enabled = True

    def waiting(self, what: str) -> _Waiting:
        """A context manager: one request to ``what`` (a service's name) in flight."""
        return _Waiting(self, what)

    def _enter(self, what: str) -> None:
        import threading
        import time

        if not (self.enabled and sys.stderr.isatty()):
            return
        with self._lock:
            self._active += 1
            self._what = what
            if self._active == 1:
                self._since = time.monotonic()
                self._stop = threading.Event()
                threading.Thread(target=self._run, args=(self._stop,), daemon=True).start()

    def _leave(self) -> None:
        with self._lock:
            if self._active == 0:
                return
            self._active -= 1
            if self._active == 0:
                self._stop.set()
                self._clear()

    def _run(self, stop: Any) -> None:
        import time

        if stop.wait(self.DELAY):
            return
        frame = 0
        while not stop.is_set():
            with self._lock:
                if stop.is_set():
                    return
                seconds = int(time.monotonic() - self._since)
                symbol = self.FRAMES[frame % len(self.FRAMES)]
                sys.stderr.write(f"\r\x1b[2K{symbol} Waiting for {self._what}… {seconds} s")
                sys.stderr.flush()
                self._shown = True
            frame += 1
            stop.wait(self.TICK)

    def _clear(self) -> None:
        if self._shown:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
            self._shown = False

    def paused(self) -> _Paused:
        """While held, the line is cleared and not redrawn (for a line of text)."""
        return _Paused(self)


class _Waiting:
    def __init__(self, spinner: Spinner, what: str) -> None:
        self.spinner, self.what = spinner, what

    def __enter__(self) -> None:
        self.spinner._enter(self.what)

    def __exit__(self, *exc: object) -> None:
        self.spinner._leave()


class _Paused:
    def __init__(self, spinner: Spinner) -> None:
        self.spinner = spinner

    def __enter__(self) -> None:
        self.spinner._lock.acquire()
        self.spinner._clear()

    def __exit__(self, *exc: object) -> None:
        self.spinner._lock.release()


_SPINNER = Spinner()


def waiting(what: str) -> _Waiting:
    """The spinner of this process: ``with waiting("Hugging Face"): ...``."""
    return _SPINNER.waiting(what)
