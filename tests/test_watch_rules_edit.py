"""Editing watch rules (``papers watch add`` / ``rm``) in a configuration file that cannot
be read, is not valid, or cannot be written; and removing the last rule.

Whatever goes wrong: one line on stderr, exit 1 (2 for the user's own mistakes), and
the file exactly as it was. Removing the last rule leaves the rest of the user's file
as it was, without an empty ``[watch]`` table.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from papercli.storage.state import State

Run = Callable[..., Any]


@pytest.fixture
def config(isolated_home: Path) -> Path:
    return isolated_home / "config.toml"


def one_line(stderr: str) -> str:
    assert stderr.count("\n") == 1 and stderr.startswith("Error: "), stderr
    assert "internal error" not in stderr and "Traceback" not in stderr, stderr
    return stderr


def refused(run: Run, config: Path, *args: str, code: int = 1) -> str:
    """Run ``papers ARGS``, expecting a one-line failure that leaves the file alone."""
    before = config.read_bytes() if config.is_file() else None
    result = run(*args)
    assert result.exit_code == code, (args, result.stderr)
    assert result.stdout == ""
    if before is not None:
        assert config.read_bytes() == before
    return one_line(result.stderr)


# --- a file that cannot be read -----------------------------------------------------------


def test_a_config_that_is_not_utf8(run: Run, config: Path) -> None:
    config.write_bytes(b"# caf\xe9 (latin-1)\n[network]\nbackoff_seconds = 0.01\n")
    for args in (("watch", "add", "mb", "mini-batch"), ("watch", "rm", "mb")):
        message = refused(run, config, *args)
        assert f"{config}: cannot be read: " in message and "UTF-8" in message


def test_a_config_that_is_a_folder(run: Run, config: Path) -> None:
    config.unlink()
    config.mkdir()
    for args in (("watch", "add", "mb", "mini-batch"), ("watch", "rm", "mb")):
        message = refused(run, config, *args)
        assert f"{config}: cannot be read: " in message and "folder" in message
    assert config.is_dir() and not list(config.iterdir())


def test_a_config_that_cannot_be_read(
    run: Run, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Permission denied (as a user without read access; root reads anything, so the
    error is injected at the read)."""
    import os

    real = os.open

    def opener(path: Any, *args: Any, **kwargs: Any) -> int:
        if Path(path) == config:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", opener)
    message = refused(run, config, "watch", "add", "mb", "mini-batch")
    assert message == f"Error: {config}: cannot be read: Permission denied.\n"


# --- a file that is not valid ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, says",
    [
        ("[network\nbackoff_seconds = 0.01\n", "not valid TOML"),
        ("watch = 3\n", "[watch] must be a table of watch rules"),
        ('watch = "mb"\n', "[watch] must be a table of watch rules"),
        ("watch = [1, 2]\n", "[watch] must be a table of watch rules"),
        ('[network]\nread_timeout = "soon"\n', "read_timeout must be a number"),
    ],
    ids=["toml", "integer", "string", "array", "setting"],
)
def test_a_config_that_is_not_valid_is_never_written(
    run: Run, config: Path, text: str, says: str
) -> None:
    config.write_text(text)
    for args in (("watch", "add", "mb", "mini-batch"), ("watch", "rm", "mb")):
        message = refused(run, config, *args)
        assert says in message and str(config) in message, message


def test_a_broken_rule_can_be_replaced_or_removed(run: Run, config: Path) -> None:
    """A rule papercli rejects is the one thing ``add --replace`` may overwrite."""
    config.write_text("# keep me\n[watch.mb]\nquery = 3\n")
    assert "query" in refused(run, config, "watch", "list")
    assert refused(run, config, "watch", "add", "mb", "mini-batch", code=2)  # exists
    result = run("watch", "add", "mb", "mini-batch", "--replace")
    assert result.exit_code == 0, result.stderr
    assert run("watch", "list").stdout == "mb: mini-batch\n"
    assert config.read_text().startswith("# keep me\n")


# --- a file that cannot be written ------------------------------------------------------------


@pytest.mark.parametrize(
    "error, reason",
    [
        (OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
        (PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
        (OSError(errno.EROFS, "Read-only file system"), "Read-only file system"),
    ],
    ids=["full", "denied", "read-only"],
)
def test_a_config_that_cannot_be_written(
    run: Run, config: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, reason: str
) -> None:
    from papercli.storage import rules

    config.write_text("[watch.old]\nquery = 'old'\n")

    def fail(*args: Any, **kwargs: Any) -> None:
        raise error

    monkeypatch.setattr(rules, "atomic_write_text", fail)
    for args in (("watch", "add", "mb", "mini-batch"), ("watch", "rm", "old")):
        message = refused(run, config, *args)
        assert message == f"Error: {config}: cannot be written: {reason}.\n"


def test_a_config_that_cannot_be_locked(
    run: Run, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papercli.storage import rules

    def cannot(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(rules, "locked", cannot)
    message = refused(run, config, "watch", "add", "mb", "mini-batch")
    assert message == f"Error: {config}: cannot be locked for editing: Permission denied.\n"


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere"
)
def test_a_read_only_config_folder(run: Run, config: Path) -> None:
    folder = config.parent
    folder.chmod(0o500)
    try:
        message = refused(run, config, "watch", "add", "mb", "mini-batch")
    finally:
        folder.chmod(0o700)
    assert "Permission denied" in message


# --- the last rule ------------------------------------------------------------------------


def test_removing_the_last_rule_leaves_the_rest_of_the_file(
    run: Run, config: Path, isolated_home: Path
) -> None:
    original = (
        "# my settings\n[network]\nbackoff_seconds = 0.01  # fast\n\n"
        "[sources.arxiv]\ndelay_seconds = 0\n"
    )
    config.write_text(original)
    assert run("watch", "add", "mb", "mini-batch").exit_code == 0
    assert run("watch", "add", "diff", "diffusion").exit_code == 0
    State(isolated_home / "state").mark_reported(
        {"mb": ["2507.00001"], "diff": ["2507.00002"]}, __import__("datetime").date(2025, 7, 15)
    )
    assert run("watch", "rm", "mb").exit_code == 0
    assert "[watch.diff]" in config.read_text() and "[watch.mb]" not in config.read_text()
    result = run("watch", "rm", "diff")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "Removed watch rule 'diff'.\n"
    text = config.read_text()
    assert "watch" not in text
    assert text.rstrip("\n") == original.rstrip("\n")
    listed = run("watch", "list")
    assert listed.exit_code == 0 and listed.stderr == f"No watch rules in {config}.\n"
    assert run("watch", "list", "--json").json() == []
    state = State(isolated_home / "state")
    assert state.reported("mb") == set() and state.reported("diff") == set()
    # The file is still papercli's, and a rule can be added again.
    assert run("watch", "add", "mb", "mini-batch").exit_code == 0
    assert run("watch", "list").stdout == "mb: mini-batch\n"


def test_removing_the_last_rule_of_a_watch_table_written_by_hand(run: Run, config: Path) -> None:
    config.write_text('[watch]\n# my one rule\n[watch.mb]\nquery = "mini-batch"\n')
    assert run("watch", "rm", "mb").exit_code == 0
    assert "[watch" not in config.read_text()
    assert refused(run, config, "watch", "rm", "mb", code=2) == (
        "Error: No watch rule named 'mb'.\n"
    )
    assert refused(run, config, "watch", "run", code=2).startswith("Error: No watch rules in ")
