"""Watch rules in the configuration file: ``[watch.NAME]`` tables, edited in place.

tomlkit keeps the user's comments, order and formatting; the file is written
atomically (through a symlink to its target, so a dotfiles link survives) under
an exclusive lock, so two ``papers watch add`` at once both land. A file that
papercli itself would reject is never written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from papercli.config import WatchRule
from papercli.errors import ConfigError, UsageError
from papercli.storage.files import atomic_write_text, file_mode, locked


def _load_document(path: Path) -> Any:
    import tomlkit

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}.") from None
    except UnicodeDecodeError as exc:  # not OSError: it would reach the catch-all
        raise ConfigError(f"{path}: cannot be read: {exc}.") from None
    try:
        return tomlkit.parse(text)
    except Exception as exc:  # tomlkit raises its own ParseError subclasses
        raise ConfigError(f"{path}: not valid TOML: {exc}.") from None


def _watch_table(path: Path, document: Any) -> Any:
    """The ``[watch]`` table, or None; anything else there (``watch = 3``) is refused."""
    watch = document.get("watch")
    if watch is not None and not isinstance(watch, dict):
        raise ConfigError(f"{path}: [watch] must be a table of watch rules.")
    return watch


def _save_document(path: Path, document: Any) -> None:
    from papercli.config import parse_config

    text = document.as_string()
    parse_config(text, path)  # never write a file papercli itself would reject
    target = path.resolve()  # a symlinked config (dotfiles) keeps its link
    try:
        atomic_write_text(target, text, mode=file_mode(target))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be written: {exc.strerror or exc}.") from None


@contextlib.contextmanager
def editing(path: Path) -> Iterator[None]:
    """An exclusive lock for a read-modify-write of the configuration file."""
    lock = path.resolve().with_name(f".{path.name}.lock")
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(locked(lock, 0o600))
        except OSError as exc:
            raise ConfigError(
                f"{path}: cannot be locked for editing: {exc.strerror or exc}."
            ) from None
        yield


def write_rule(path: Path, rule: WatchRule, replace: bool) -> None:
    """Add (or with ``replace``, change) the table ``[watch.NAME]`` of ``rule``."""
    import tomlkit

    with editing(path):
        document = _load_document(path)
        watch = _watch_table(path, document)
        if watch is None:
            watch = tomlkit.table(is_super_table=True)
            document.add("watch", watch)
        if rule.name in watch and not replace:
            raise UsageError(f"Watch rule {rule.name!r} exists; use --replace to change it.")
        table = tomlkit.table()
        for key, value in rule.to_table().items():
            table.add(key, value)
        if rule.name in watch:
            watch[rule.name] = table
        else:
            watch.add(rule.name, table)
        _save_document(path, document)


def delete_rule(path: Path, name: str) -> None:
    """Remove the table ``[watch.NAME]`` (and ``[watch]`` when it was the last)."""
    with editing(path):
        document = _load_document(path)
        watch = _watch_table(path, document)
        if watch is None or name not in watch:
            raise UsageError(f"No watch rule named {name!r}.")
        del watch[name]
        if not watch:
            del document["watch"]
        _save_document(path, document)
