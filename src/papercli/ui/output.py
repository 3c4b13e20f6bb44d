"""Where printed papers go: stdout, or a file (``-o/--output``) written atomically.

:func:`output_options` checks and combines ``--format``, ``--json``, ``-o``,
``--force``, ``--abstracts``, ``--bib-encoding`` and ``--feed-url`` (with their
``[export]`` settings) before anything is fetched; :func:`write` puts the
text on stdout or into the file (never over an existing file without ``--force``,
through a temporary file and a rename, with the permissions a new file would get,
or the old file's with ``--force``). Light imports only: every listing command
loads this module.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papercli.errors import OutputError, UsageError

TABLE_SUFFIXES = (".txt", ".text")  # -o today.txt: the table, as plain text


@dataclass(frozen=True, slots=True)
class Output:
    """Where and how papers are printed: --format, -o/--output, --force, --abstracts,
    and for BibTeX and Atom the encoding and the feed's public URL."""

    format: str = "table"
    path: Path | None = None  # None: stdout
    force: bool = False
    abstracts: bool = False
    bib_encoding: str = "latex"  # --bib-encoding, else [export] bibtex_encoding
    feed_url: str | None = None  # --feed-url, else [export] feed_base_url + the file's name
    pager: bool = True  # a terminal may page long output (--no-pager: never)


def output_options(
    fmt: str | None = None,
    json_: bool = False,
    output: Path | None = None,
    force: bool = False,
    abstracts: bool = False,
    bib_encoding: str | None = None,
    feed_url: str | None = None,
    pager: bool = True,
) -> Output:
    """Check and combine the output options of a command.

    Usage errors (exit 2): --json with another --format, --abstracts without md,
    --bib-encoding without bib, --feed-url without atom or not an http(s) URL, a file
    ending that names no format, a binary format (xlsx) for a terminal. Output errors
    (exit 1): the file exists (without --force), is a folder, or its folder does not
    exist. All before any fetch.
    """
    if json_ and fmt not in (None, "json"):
        raise UsageError(f"--json and --format {fmt} disagree; give one of them.")
    path = None if output is None or str(output) == "-" else output
    if path is not None and path.is_dir():  # before guessing a format from its name
        raise OutputError(f"{path} is a folder; give a file name.")
    chosen = "json" if json_ else fmt
    if chosen is None and path is None:
        chosen = "table"
    elif chosen is None and path is not None and path.suffix.lower() in TABLE_SUFFIXES:
        chosen = "table"  # the table as plain text, with its caption
    elif chosen is None:
        from papercli.export import REGISTRY, format_for_path  # the registry only

        chosen = (format_for_path(path) or "") if path is not None else ""
        if not chosen:
            endings = {suffix for entry in REGISTRY for suffix in entry.suffixes}
            known = ", ".join(sorted({*endings, *TABLE_SUFFIXES}))
            raise UsageError(f"Cannot tell the format from {path} ({known}); add --format.")
    if abstracts and chosen != "md":
        raise UsageError("--abstracts applies to --format md only.")
    if bib_encoding is not None and chosen != "bib":
        raise UsageError("--bib-encoding applies to --format bib only.")
    if feed_url is not None and chosen != "atom":
        raise UsageError("--feed-url applies to --format atom only.")
    if path is None and chosen != "table" and _binary(chosen) and sys.stdout.isatty():
        raise UsageError(f"--format {chosen} is a binary file: give -o FILE or redirect stdout.")
    if path is not None:
        check_target(path, force)
    if chosen == "bib" and bib_encoding is None:
        bib_encoding = str(_settings().get("export", "bibtex_encoding"))
    if chosen == "atom":
        feed_url = _feed_url(feed_url, path)
    return Output(chosen, path, force, abstracts, bib_encoding or "latex", feed_url, pager)


def _binary(fmt: str) -> bool:
    from papercli import export

    return export.get(fmt).binary


def _settings() -> Any:
    from papercli import config

    return config.load()


def _feed_url(given: str | None, path: Path | None) -> str | None:
    """The feed's public URL: ``--feed-url``, else ``[export] feed_base_url`` joined with
    the file's name (with ``-o FILE``), else None (no ``rel="self"`` link)."""
    from urllib.parse import quote

    from papercli.export.common import safe_url

    if given is not None:
        url = safe_url(given)
        if url is None:
            raise UsageError(f"--feed-url must be an http(s) URL, not {given!r}.")
        return url
    base = str(_settings().get("export", "feed_base_url"))
    if not base or path is None:
        return None
    return safe_url(base.rstrip("/") + "/" + quote(path.name))


def resolve_target(path: Path) -> Path:
    """The file ``-o PATH`` writes: PATH itself, or the regular file its symbolic link
    points to (the link is kept). A dangling link, a link loop, a FIFO, a device or a
    socket is refused (OutputError): papercli writes regular files only."""
    import stat

    target = path
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except FileNotFoundError:
            raise OutputError(
                f"{path} is a link to {os.readlink(path)}, which does not exist; give a file name."
            ) from None
        except (OSError, RuntimeError):  # RuntimeError: a link loop (Python 3.11)
            raise OutputError(f"{path} is a link that leads nowhere (a loop).") from None
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{path} is a folder; give a file name.")
    if not stat.S_ISREG(mode):
        raise OutputError(f"{path} is not a regular file; papercli writes regular files only.")
    return target


def check_target(path: Path, force: bool) -> Path:
    """One-line errors for a file that cannot or must not be written; the file to write."""
    target = resolve_target(path)
    parent = target.parent
    if not parent.exists():
        raise OutputError(f"Folder {parent} does not exist.")
    if not parent.is_dir():
        raise OutputError(f"{parent} is not a folder.")
    if target.exists() and not force:
        raise OutputError(f"{path} already exists; use --force to overwrite it.")
    return target


def write(text: str | bytes, out: Output, what: str, notify: Callable[[str], None]) -> None:
    """``text`` (bytes for a binary format) to stdout, or atomically to ``out.path``;
    ``notify`` says what was written."""
    from papercli.storage.files import atomic_write_text, file_mode

    if out.path is None:
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
            sys.stdout.buffer.flush()
        else:
            from papercli.ui.console import encodable

            sys.stdout.write(encodable(text, out.format))
            sys.stdout.flush()
        return
    path = out.path
    target = check_target(path, out.force)  # again: it may have appeared while fetching
    try:
        atomic_write_text(target, text, mode=file_mode(target))
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    notify(f"Wrote {what} to {path}.")
