"""Every fetching command against every fault, each in its own ``papers`` process.

The matrix (commands, faults, expected outcomes) lives in ``faultmatrix.py``. Each
cell runs in its own process (forked from a pre-warmed forkserver, see
``faultrunner.py``), with its own PAPERS_HOME and its own misbehaving
loopback server (``faultserver.py``); the cells run concurrently (most of their
time is spent waiting on timeouts and Retry-After), and each cell is then checked
by its own test: outcome, exit status, no traceback, and the cache folder byte for
byte as before whenever the fetch failed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.pool import Pool
from pathlib import Path

import pytest

import faultmatrix as fm
import faultrunner
from faultrunner import run_papers
from faultserver import FaultServer, Hit
from papercli.cache import Cache
from papercli.models import Paper

BASE_NETWORK = {"backoff_seconds": "0.01", "read_timeout": "5"}
# No politeness wait between arXiv requests in tests (it is tested on its own).
OTHER_SECTIONS = "[sources.arxiv]\ndelay_seconds = 0\n"


def config_text(extra: str) -> str:
    """[network] settings: the fast base ones, overridden by the fault's own."""
    values = dict(BASE_NETWORK)
    for line in extra.splitlines():
        if line.strip():
            key, value = (part.strip() for part in line.split("=", 1))
            values[key] = value
    network = "[network]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())
    return network + OTHER_SECTIONS


@dataclass
class CellResult:
    code: int
    stdout: str
    stderr: str
    before: dict[str, bytes]
    after: dict[str, bytes]
    log: list[Hit]
    seconds: float


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file and folder under ``root`` (folders as b"<dir>")."""
    if not root.exists():
        return {}
    out: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        out[rel] = b"<dir>" if path.is_dir() else path.read_bytes()
    return out


def cell_id(cell: tuple[fm.Command, fm.Fault, bool]) -> str:
    command, fault, cached = cell
    return f"{command.name.replace(' ', '_')}-{fault.name}-{'cached' if cached else 'nocache'}"


def run_cell(
    workers: Pool, home: Path, command: fm.Command, fault: fm.Fault, cached: bool
) -> CellResult:
    home.mkdir(parents=True)
    (home / "config.toml").write_text(config_text(fault.config))
    cache = home / "cache"
    if cached and command.seed is not None:
        s = command.seed
        records = s.records() if s.records else fm.seed_records()
        papers = [Paper.from_record(r) for r in records]
        if s.kind == "paper":
            papers = [p for p in papers if p.id == s.key]
        Cache(cache).save(
            s.source, s.kind, s.key, papers, fetched_at=time.time() - s.age_hours * 3600
        )
    before = snapshot(cache)
    with FaultServer(fault.name, fm.good, fm.empty, command.faulted) as server:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PAPERS_HOME": str(home),
            "PAPERS_HF_URL": server.url,
            "PAPERS_ARXIV_RSS_URL": server.url,
            "PAPERS_ARXIV_URL": server.url,
            "COLUMNS": "120",
            "PYTHONIOENCODING": "utf-8",
        }
        started = time.monotonic()
        code, stdout, stderr = workers.apply(run_papers, (list(command.args), env))
        seconds = time.monotonic() - started
    return CellResult(
        code,
        stdout,
        stderr,
        before,
        snapshot(cache),
        list(server.log),
        seconds,
    )


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CellResult]:
    root = tmp_path_factory.mktemp("matrix")
    cells = fm.cells()
    with faultrunner.pool(16) as workers, ThreadPoolExecutor(max_workers=16) as threads:
        futures = {
            cell_id(cell): threads.submit(run_cell, workers, root / cell_id(cell), *cell)
            for cell in cells
        }
        results = {name: future.result(timeout=120) for name, future in futures.items()}
    if os.environ.get("PAPERS_MATRIX_TIMES"):
        for name, r in sorted(results.items(), key=lambda kv: -kv[1].seconds)[:15]:
            print(f"{r.seconds:6.2f}s {name}", file=sys.stderr)
    return results


@pytest.mark.parametrize("cell", fm.cells(), ids=cell_id)
def test_fault_matrix_cell(
    matrix: dict[str, CellResult], cell: tuple[fm.Command, fm.Fault, bool]
) -> None:
    command, fault, cached = cell
    result = matrix[cell_id(cell)]
    outcome = fm.expected(command, fault, cached)
    context = (
        f"{cell_id(cell)}: exit {result.code}\n"
        f"stdout: {result.stdout[:500]}\nstderr: {result.stderr}"
    )
    # Which announcement is shown is information, not a fault report.
    lines = [
        line
        for line in result.stderr.splitlines()
        if not line.startswith("Showing arXiv's latest announcement")
    ]

    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, context
    assert result.code == fm.EXIT[outcome], context
    # Every file left in the cache is a whole, readable cache file; no temp files.
    for rel, data in result.after.items():
        assert not rel.endswith(".tmp"), context
        if rel.endswith(".json"):
            json.loads(data)

    if outcome == fm.ERROR:
        assert len(lines) == 1 and lines[0].startswith("Error: "), context
        assert fm.re.search(fm.message(command, fault), lines[0]), context
        assert result.stdout == "", context
        assert result.after == result.before, context  # byte for byte
    elif outcome in (fm.STALE, fm.KEPT):
        assert len(lines) == 1, context
        assert fm.re.search(fm.CACHED_NOTE, lines[0]), context
        if outcome == fm.STALE:
            assert fm.re.search(fm.message(command, fault), lines[0]), context
        assert "CACHED" in result.stdout and command.shows in result.stdout, context
        assert result.after == result.before, context  # byte for byte
    elif outcome == fm.OK:
        assert command.shows in result.stdout and "CACHED" not in result.stdout, context
        assert lines == [], context
        if command.seed is not None:
            s = command.seed
            entry = Cache._decode(
                result.after[f"{s.source}/{s.kind}/{s.key}.json"], s.source, s.kind, s.key
            )
            assert entry.papers and not entry.papers[0].title.startswith("CACHED"), context
        else:
            assert result.after == result.before == {}, context
    elif outcome == fm.EMPTY:
        assert command.shows not in result.stdout, context
        assert 1 <= len(lines) <= 2 and "No papers" in result.stderr, context
        if command.seed is None:
            assert result.after == {}, context
    if fault.name == "429-retry-after-1":
        # The retry really waited for Retry-After (measured at the server).
        by_url: dict[str, list[float]] = {}
        for hit in result.log:
            by_url.setdefault(f"{hit.path}?{hit.query}", []).append(hit.at)
        gaps = [times[1] - times[0] for times in by_url.values() if len(times) > 1]
        assert gaps and min(gaps) >= 0.95, context
    if fault.name in ("404", "429-retry-after-3600", "html-200", "truncated-200", "huge-200"):
        # Not retried: one request per URL.
        urls = [f"{hit.path}?{hit.query}" for hit in result.log]
        assert len(urls) == len(set(urls)), context


def test_the_doc_table_is_the_test_table() -> None:
    text = fm.DOC.read_text(encoding="utf-8")
    assert fm.doc_block(text) == fm.render_markdown(), (
        "docs/faults.md is out of date: run `python tests/faultmatrix.py --write`"
    )


def test_matrix_covers_every_fault_the_server_plays() -> None:
    from faultserver import FAULTS

    assert {f.name for f in fm.FAULTS} == set(FAULTS)


def test_matrix_covers_every_fetching_command() -> None:
    """A new command that fetches must join the matrix (or be listed as not fetching)."""
    from typer.main import get_command

    from papercli.cli import app

    not_fetching = {"cache", "config", "open", "trends"}  # trends reads the cache only
    names = set(get_command(app).commands)  # type: ignore[attr-defined]
    covered = {c.args[0] for c in fm.COMMANDS}
    missing = names - not_fetching - covered - set(getattr(fm, "BATCH", {}))
    for name, module in fm.PENDING.items():
        if name in missing and importlib.util.find_spec(module) is None:
            missing.discard(name)  # cannot fetch until that module lands
    assert not missing, f"add these commands to tests/faultmatrix.py: {sorted(missing)}"
