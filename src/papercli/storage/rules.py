"""Watch rules in the configuration file: ``[watch.NAME]`` tables, edited in place.

tomlkit keeps the user's comments, order and formatting; the file is written
atomically (through a symlink to its target, so a dotfiles link survives) under
an exclusive lock, so two ``papers watch add`` at once both land. A file that
papercli itself would reject is never written.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papercli.config import WatchRule
from papercli.errors import ConfigError, UsageError
from papercli.storage.files import atomic_write_text, file_mode, locked, write_target


def _load_document(path: Path) -> Any:
    import tomlkit

    from papercli.config import read_config_text

    text = read_config_text(path)
    try:
        return tomlkit.parse(text)
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply.") from None
    except Exception as exc:  # tomlkit raises its own ParseError subclasses
        raise ConfigError(f"{path}: not valid TOML: {exc}.") from None


def _target(path: Path) -> Path:
    """The file to write: the configuration file, or where its symlink points (a dotfiles
    link survives: :func:`~papercli.storage.files.write_target`)."""
    try:
        return write_target(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ConfigError(f"{path}: cannot be read: a symlink loop.") from None
        raise ConfigError(f"{path} is {exc.strerror}; create it or fix the link.") from None


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
    target = _target(path)  # a symlinked config (dotfiles) keeps its link
    try:
        atomic_write_text(target, text, mode=file_mode(target))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be written: {exc.strerror or exc}.") from None


@contextlib.contextmanager
def editing(path: Path) -> Iterator[None]:
    """An exclusive lock for a read-modify-write of the configuration file."""
    lock = _target(path).with_name(f".{path.name}.lock")
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


@dataclass(frozen=True)
class Rewritten:
    """What ``papers config init --force`` kept of the file it replaced."""

    settings: int = 0  # values the user had set, written again
    rules: tuple[str, ...] = ()  # watch rules written again
    backup: Path | None = None  # the previous file, as it was
    unreadable: str = ""  # why nothing could be kept (the previous file did not validate)


def rewrite_with_defaults(path: Path) -> Rewritten:
    """Rewrite the configuration file with every key and its comment, keeping the values
    the user set and every ``[watch.NAME]`` table.

    The previous file is copied beside it first (``config.toml.bak``, else
    ``config.toml.bak-TIME``, never over an older backup), so that its comments are
    not lost either. A file that does not validate keeps nothing but the backup.
    """
    from papercli.config import default_config_text, parse_config, set_values

    with editing(path):
        target = path.resolve()
        try:
            old = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            old = None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot be read: {exc}.") from None
        kept: dict[str, dict[str, Any]] = {}
        watches: dict[str, WatchRule] = {}
        unreadable = ""
        backup = None
        if old is not None:
            try:
                _, watches = parse_config(old, path)
                kept = set_values(old, path)
            except ConfigError as exc:
                unreadable = exc.message
            backup = _backup(target, old)
        text = default_config_text(kept, watches)
        try:
            atomic_write_text(target, text, mode=file_mode(target))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot be written: {exc.strerror or exc}.") from None
    count = sum(len(values) for values in kept.values())
    return Rewritten(count, tuple(watches), backup, unreadable)


def _backup(target: Path, text: str) -> Path:
    import time

    backup = target.with_name(f"{target.name}.bak")
    stamp = time.strftime("%Y%m%dT%H%M%S")
    n = 1
    while backup.exists():  # an older backup is never replaced
        backup = target.with_name(f"{target.name}.bak-{stamp}" + (f"-{n}" if n > 1 else ""))
        n += 1
    try:
        atomic_write_text(backup, text, mode=file_mode(target))
    except OSError as exc:  # no backup: no rewrite either
        raise ConfigError(
            f"{backup}: cannot be written ({exc.strerror or exc}); {target} is unchanged."
        ) from None
    return backup
