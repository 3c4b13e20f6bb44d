"""Papers -> text: the export formats, all named in one registry (:data:`REGISTRY`).

Nothing here does I/O: the CLI decides where the text goes. This module is light on
purpose: the CLI imports it at start-up for the ``--format`` choices and their help,
so it names each format's writer (a module of this package and function names) and
imports the writer only when a format is first rendered. Remote text is untrusted, so
every format escapes it for its own syntax:

- ``md`` (:mod:`.markdown`): every character Markdown, GitHub or Obsidian could
  interpret is backslash-escaped; links only to http(s) URLs, percent-encoded;
  abstracts HTML-escaped inside one ``<details>`` block.
- ``json``, ``jsonl`` (:mod:`.jsonfmt`): terminal-acting characters as ``\\u`` escapes.
- ``csv`` (:mod:`.csvfmt`): RFC 4180; cells a spreadsheet would run as a formula are
  prefixed with ``'``; cells longer than a spreadsheet holds are cut with a marker.
- ``xlsx`` (:mod:`.xlsxfmt`): an Excel workbook (bytes, not text: ``binary``), typed
  text cells, so ids and DOIs survive a spreadsheet and no cell is a formula.
- ``bib`` (:mod:`.bibtex`, :mod:`.latex`): LaTeX that is valid and harmless is kept,
  every other special escaped, braces balanced, capitals protected.
- ``atom`` (:mod:`.atom`): ElementTree (XML-escaped), characters XML 1.0 forbids removed.
- ``html`` (:mod:`.html`): one page, every text HTML-escaped, attributes double-quoted,
  links and images only to http(s) URLs; no JavaScript, and a policy in the page that
  forbids any.

To add a format: write a module here with a ``render`` function (and, if several
groups need more than their combined papers, a ``render_groups`` one) taking the
arguments of :data:`Writer`/:data:`GroupWriter`, and add one :class:`ExportFormat` to
:data:`REGISTRY`. The CLI's ``--format`` choices, its help, the ``-o FILE`` suffixes
and the docs' list follow from it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import datetime as dt
    import os

    from papercli.export.common import Group, Meta, best_link, combine, safe_url
    from papercli.models import Paper

__all__ = [
    "REGISTRY",
    "ExportFormat",
    "Group",
    "Meta",
    "best_link",
    "combine",
    "describe",
    "format_for_path",
    "get",
    "names",
    "render",
    "render_groups",
    "safe_url",
]

# ``writer(papers, meta, *, abstracts=False, now=None) -> str`` (bytes for a binary format)
Writer = Callable[..., str | bytes]
# ``writer(groups, meta, *, abstracts=False, now=None) -> str`` (bytes for a binary format)
GroupWriter = Callable[..., str | bytes]


class ExportFormat(NamedTuple):
    """One export format: what ``--format`` calls it, the file endings that choose it
    with ``-o FILE``, a one-line description, and where its writer lives. (A NamedTuple,
    not a dataclass: the CLI builds these at every start, and it is ten times cheaper.)"""

    name: str
    suffixes: tuple[str, ...]  # lower case, with the dot: ".md"
    description: str
    module: str  # a module of this package: "markdown" is papercli.export.markdown
    function: str  # its :data:`Writer`
    groups_function: str | None = None  # its :data:`GroupWriter`; None: the combined papers
    binary: bool = False  # the writer gives bytes, not text: never to a terminal

    def _load(self, function: str) -> Callable[..., str | bytes]:
        module = importlib.import_module(f"{__name__}.{self.module}")
        writer: Callable[..., str | bytes] = getattr(module, function)
        return writer

    def writer(self) -> Writer:
        """The function that renders a list of papers (imports its module)."""
        return self._load(self.function)

    def groups_writer(self) -> GroupWriter | None:
        """The function that renders several groups, if the format has its own."""
        return self._load(self.groups_function) if self.groups_function else None


REGISTRY: tuple[ExportFormat, ...] = (
    ExportFormat(
        name="md",
        suffixes=(".md", ".markdown"),
        description="Markdown, a section per paper (--abstracts adds each abstract)",
        module="markdown",
        function="render",
        groups_function="render_groups",
    ),
    ExportFormat(
        name="json",
        suffixes=(".json",),
        description="JSON, an array of papers as --json prints them",
        module="jsonfmt",
        function="render_json",
    ),
    ExportFormat(
        name="jsonl",
        suffixes=(".jsonl", ".ndjson"),
        description="JSON Lines, one paper per line",
        module="jsonfmt",
        function="render_jsonl",
    ),
    ExportFormat(
        name="csv",
        suffixes=(".csv",),
        description="CSV per RFC 4180, a header row and a row per paper",
        module="csvfmt",
        function="render",
    ),
    ExportFormat(
        name="xlsx",
        suffixes=(".xlsx",),
        description="an Excel workbook for spreadsheets, ids and DOIs kept as text",
        module="xlsxfmt",
        function="render",
        binary=True,
    ),
    ExportFormat(
        name="bib",
        suffixes=(".bib",),
        description="BibTeX, an @misc entry per paper",
        module="bibtex",
        function="render",
    ),
    ExportFormat(
        name="atom",
        suffixes=(".atom", ".xml"),
        description="an Atom 1.0 feed, an entry per paper",
        module="atom",
        function="render",
        groups_function="render_groups",
    ),
    ExportFormat(
        name="html",
        suffixes=(".html", ".htm"),
        description="one self-contained web page (no JavaScript), each abstract collapsible",
        module="html",
        function="render",
        groups_function="render_groups",
    ),
    ExportFormat(
        name="ids",
        suffixes=(".ids",),
        description="one arXiv id per line, each once (for scripts)",
        module="idsfmt",
        function="render",
    ),
)
_BY_NAME: dict[str, ExportFormat] = {f.name: f for f in REGISTRY}
_BY_SUFFIX: dict[str, str] = {suffix: f.name for f in REGISTRY for suffix in f.suffixes}


def names() -> tuple[str, ...]:
    """The export formats' names, in the registry's order."""
    return tuple(_BY_NAME)


def get(fmt: str) -> ExportFormat:
    """The registry entry of ``fmt``; ValueError for a name it does not hold."""
    try:
        return _BY_NAME[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}") from None


def format_for_path(path: str | os.PathLike[str]) -> str | None:
    """The format a file name's ending chooses (``.MD`` and ``.md`` alike), or None."""
    return _BY_SUFFIX.get(PurePath(path).suffix.lower())


def describe() -> list[tuple[str, tuple[str, ...], str]]:
    """(name, file endings, one-line description) of every export format, for help and docs."""
    return [(f.name, f.suffixes, f.description) for f in REGISTRY]


def render(
    fmt: str,
    papers: Sequence[Paper],
    meta: Meta,
    *,
    abstracts: bool = False,
    now: dt.datetime | None = None,
) -> str | bytes:
    """The papers as one document of ``fmt`` (see :func:`names`): bytes for a binary one."""
    return get(fmt).writer()(papers, meta, abstracts=abstracts, now=now)


def render_groups(
    fmt: str,
    groups: Sequence[Group],
    meta: Meta,
    *,
    abstracts: bool = False,
    now: dt.datetime | None = None,
) -> str | bytes:
    """Several groups (watch rules) as one document of ``fmt``: every paper once (see
    :func:`~papercli.export.common.combine`). Markdown and HTML with more than one group
    have a section per group; an Atom entry has a category per group that matched it; the
    other formats are the combined list of papers."""
    entry = get(fmt)
    groups_writer = entry.groups_writer()
    if groups_writer is not None:
        return groups_writer(groups, meta, abstracts=abstracts, now=now)
    from papercli.export.common import combine

    papers, _ = combine(groups)
    return entry.writer()(papers, meta, abstracts=abstracts, now=now)


_COMMON = frozenset({"Group", "Meta", "best_link", "combine", "safe_url"})


def __getattr__(name: str) -> Any:
    """``papercli.export.Meta`` and the other shared names, imported on first use."""
    if name in _COMMON:
        return getattr(importlib.import_module(f"{__name__}.common"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
