"""The export formats are named once, in papercli.export's registry, and everything else
(--format's choices and help, the -o FILE endings, the README) follows from it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from papercli import export
from papercli.cli import app

ROOT = Path(__file__).resolve().parents[1]
# What papercli.export must not load: its writers and the standard modules they need.
NOT_AT_IMPORT = {"csv", "html", "xml", "xml.etree.ElementTree", "uuid", "unicodedata", "openpyxl"}


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    commands = getattr(group, "commands", None)
    if commands is None:
        yield path, group
        return
    for name in commands:
        yield from _commands(commands[name], (*path, name))


def _format_options() -> dict[tuple[str, ...], Any]:
    found = {}
    for path, command in _commands(typer.main.get_command(app)):
        for param in command.params:
            if "--format" in param.opts:
                found[path] = param
    return found


def test_every_format_option_offers_table_and_the_registry() -> None:
    options = _format_options()
    assert {("today",), ("list",), ("search",), ("show",), ("watch", "run")} <= set(options)
    for path, param in options.items():
        assert tuple(param.type.choices) == ("table", *export.names()), path


def test_format_help_lists_every_registered_format() -> None:
    for path, param in _format_options().items():
        text = " ".join(param.help.split())
        for name, _suffixes, description in export.describe():
            assert f"{name}: {' '.join(description.split())}." in text, (path, name)


def test_the_registry_is_consistent() -> None:
    names = export.names()
    assert len(set(names)) == len(names) and "table" not in names
    assert names == tuple(f.name for f in export.REGISTRY)
    assert [name for name, _, _ in export.describe()] == list(names)
    suffixes = [s for f in export.REGISTRY for s in f.suffixes]
    assert len(set(suffixes)) == len(suffixes)  # one format per ending
    for name, endings, description in export.describe():
        assert endings, name
        assert description and "\n" not in description and not description.endswith(".")
        for suffix in endings:
            assert re.fullmatch(r"\.[a-z0-9]+", suffix), suffix


def test_every_registered_suffix_maps_back_to_its_format() -> None:
    for name, endings, _ in export.describe():
        for suffix in endings:
            assert export.format_for_path(f"papers{suffix}") == name
            assert export.format_for_path(Path("out", f"PAPERS{suffix.upper()}")) == name
    assert export.format_for_path("papers.txt") is None
    assert export.format_for_path("papers") is None
    assert export.format_for_path(".md") is None  # a hidden file, no ending


def test_every_registered_writer_exists_and_renders() -> None:
    meta = export.Meta("Hugging Face Daily Papers, 2025-07-15", "hf")
    for entry in export.REGISTRY:
        assert callable(entry.writer())
        assert entry.groups_function is None or callable(entry.groups_writer())
        kind = bytes if entry.binary else str
        assert isinstance(export.render(entry.name, [], meta), kind)
        assert isinstance(export.render_groups(entry.name, [], meta), kind)
    with pytest.raises(ValueError, match="unknown export format 'pdf'"):
        export.render_groups("pdf", [], meta)


def test_importing_the_registry_loads_no_writer() -> None:
    code = (
        "import json, sys\n"
        "before = set(sys.modules)\n"
        "import papercli.export as e\n"
        "loaded = sorted(set(sys.modules) - before)\n"
        "e.names(), e.describe(), e.format_for_path('x.bib')\n"
        "after = sorted(set(sys.modules) - before)\n"
        "e.Meta\n"  # the shared names come on first use
        "print(json.dumps([loaded, after, 'papercli.export.common' in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded, after, common = json.loads(result.stdout)
    assert loaded == after
    assert not [m for m in loaded if m.startswith("papercli.export.")], loaded
    assert not NOT_AT_IMPORT & set(loaded), loaded
    assert common


def test_the_exports_page_names_the_registered_formats_and_endings() -> None:
    readme = " ".join((ROOT / "docs" / "exports.md").read_text(encoding="utf-8").split())
    assert f"`--format table|{'|'.join(export.names())}`" in readme
    for name in export.names():
        assert f"| `{name}` |" in readme, name
    chooses = readme.split("the file's ending chooses it:", 1)[1].split(". ", 1)[0]
    for _, endings, _ in export.describe():
        assert "/".join(f"`{s}`" for s in endings) in chooses, endings
