"""The shape of the house, checked: imports point down the layers, Typer lives only in
the command line, Rich only in the terminal UI, and no room grows too large.

Layers, top to bottom (a module may import its own layer and any layer below):

    cli        the Typer application: parse, call one use case, hand over the result
    ui         terminal rendering, messages, progress, the triage screen
    export     papers -> documents (one module per format, one registry), the digest
    core       the use cases; never print
    storage    files the user owns          sources   one client per remote service
    pure       models, ids, dates, query, text, errors, settings, choices, ranking

``storage`` and ``sources`` are side by side: neither imports the other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "papercli"
RANK = {"cli": 5, "ui": 4, "export": 3, "core": 2, "storage": 1, "sources": 1, "pure": 0}
MAX_MODULE_LINES = 600
MAX_CLASS_LINES = 300


def layer_of(module: str) -> str:
    """``papercli.core.hf`` -> ``core``; top-level modules are pure, but for a few."""
    parts = module.split(".")
    if len(parts) < 2:
        return "pure"
    head = parts[1]
    if head in RANK:
        return head
    if head == "mail":
        return "export"
    if head == "__main__":
        return "cli"
    return "pure"


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts)
        found.append((name.removesuffix(".__init__"), path))
    return found


def imported(path: Path) -> list[tuple[int, str]]:
    """Every module imported anywhere in the file (top level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
            if node.module == "papercli":  # from papercli import config
                out += [(node.lineno, f"papercli.{alias.name}") for alias in node.names]
    return out


MODULES = modules()


@pytest.mark.parametrize("name,path", MODULES, ids=[m for m, _ in MODULES])
def test_imports_point_down_the_layers(name: str, path: Path) -> None:
    mine = layer_of(name)
    wrong = []
    for line, target in imported(path):
        if not target.startswith("papercli.") or target == "papercli":
            continue
        theirs = layer_of(target)
        peers = {mine, theirs} == {"storage", "sources"}
        if RANK[theirs] > RANK[mine] or peers:
            wrong.append(f"{path.name}:{line} ({mine}) imports {target} ({theirs})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name,path", MODULES, ids=[m for m, _ in MODULES])
def test_frameworks_stay_in_their_layer(name: str, path: Path) -> None:
    mine = layer_of(name)
    allowed = {"typer": {"cli"}, "click": {"cli"}, "rich": {"cli", "ui"}, "textual": {"ui"}}
    wrong = []
    for line, target in imported(path):
        root = target.split(".")[0]
        if root in allowed and mine not in allowed[root]:
            wrong.append(f"{path.name}:{line}: {target} in the {mine} layer")
    assert not wrong, "\n".join(wrong)


def test_no_room_is_too_large() -> None:
    big = []
    for name, path in MODULES:
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MAX_MODULE_LINES:
            big.append(f"{name}: {lines} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno:
                size = node.end_lineno - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    big.append(f"{name}.{node.name}: {size} lines (at most {MAX_CLASS_LINES})")
    assert not big, "\n".join(big)


def test_the_layer_map_knows_every_package() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages <= set(RANK), f"new package(s) without a layer: {packages - set(RANK)}"
