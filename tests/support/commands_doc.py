"""``docs/commands.md``: the command reference, generated from the CLI's own ``--help``.

Every command and subcommand, in the order ``papers --help`` lists them, found by
walking the click tree that ``papers`` runs (:func:`papercli.cli.clitree.command`), so a
command added later appears without touching this file. Each help text is rendered
in-process as ``COLUMNS=80 papers ... --help`` prints it (plain text: papercli's help
uses no Rich markup, and ``TERM=dumb``, ``NO_COLOR=1`` keep it so).

    python tests/support/commands_doc.py            # print the page
    python tests/support/commands_doc.py --write    # rewrite docs/commands.md
    python tests/support/commands_doc.py --check    # exit 1 when it is out of date

``tests/test_docs.py`` fails while the page and the CLI disagree.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "commands.md"
WIDTH = 80
PROG = "papers"
WRITE_HINT = "run `python tests/support/commands_doc.py --write`"

HEADER = f"""\
# Command reference

Every `papers` command and subcommand with its full `--help` text, in the order
`papers --help` lists them. The [README](../README.md) has a short tour and the
other [docs pages](README.md) explain each feature at length.

<!-- Generated from the CLI's own help texts ({WIDTH} columns) by
`python tests/support/commands_doc.py --write`; do not edit by hand. -->
"""


@contextlib.contextmanager
def _plain_terminal(width: int) -> Iterator[None]:
    """The environment of a plain ``width``-column terminal, restored afterwards."""
    wanted = {"COLUMNS": str(width), "TERM": "dumb", "NO_COLOR": "1"}
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _root() -> Any:
    from papercli.cli import app
    from papercli.cli.clitree import command

    return command(app)


def _walk(
    cmd: Any, name: str, parent: Any, path: tuple[str, ...]
) -> Iterator[tuple[str, Any, Any]]:
    """(command path, command, its context) of ``cmd`` and then of each of its
    subcommands, depth first, in the order its ``--help`` lists them."""
    # resilient_parsing: build the context without parsing errors, prompts or callbacks,
    # as click's shell completion does; context_settings (-h) apply as on a real run.
    ctx = cmd.make_context(name, [], parent=parent, resilient_parsing=True)
    yield " ".join(path), cmd, ctx
    list_commands = getattr(cmd, "list_commands", None)
    if list_commands is None:
        return
    for sub_name in list_commands(ctx):
        sub = cmd.get_command(ctx, sub_name)
        if sub is None or getattr(sub, "hidden", False):
            continue
        yield from _walk(sub, sub_name, ctx, (*path, sub_name))


def help_texts(width: int = WIDTH, root: Any = None) -> list[tuple[str, str]]:
    """Every command path (``papers``, ``papers today``, ``papers watch run``...) with its
    ``--help`` text as a ``width``-column terminal shows it (``root``: another click
    command than papercli's, for tests)."""
    root = _root() if root is None else root
    with _plain_terminal(width):
        return [(path, cmd.get_help(ctx)) for path, cmd, ctx in _walk(root, PROG, None, (PROG,))]


def leaf_commands(root: Any = None) -> list[str]:
    """The paths of the commands that run something (not groups), e.g. ``papers watch run``."""
    root = _root() if root is None else root
    walked = _walk(root, PROG, None, (PROG,))
    return [path for path, cmd, _ctx in walked if not hasattr(cmd, "list_commands")]


def _anchor(path: str) -> str:
    """GitHub's anchor for a ``## path`` heading (spaces become hyphens)."""
    return path.replace(" ", "-")


def render() -> str:
    """The whole page."""
    texts = help_texts()
    lines = [HEADER, "## Contents", ""]
    for path, _text in texts:
        depth = path.count(" ")
        indent = "  " * max(depth - 1, 0)
        lines.append(f"{indent}- [`{path}`](#{_anchor(path)})")
    lines.append("")
    for path, text in texts:
        body = "\n".join(line.rstrip() for line in text.strip("\n").splitlines())
        lines += [f"## {path}", "", "```text", body, "```", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    page = render()
    if argv == ["--write"]:
        DOC.write_text(page, encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)}")
        return 0
    if argv == ["--check"]:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != page:
            print(f"{DOC.relative_to(ROOT)} is out of date: {WRITE_HINT}", file=sys.stderr)
            return 1
        return 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
