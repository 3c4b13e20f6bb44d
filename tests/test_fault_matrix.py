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

import contextlib
import datetime as dt
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.pool import Pool
from pathlib import Path

import pytest

from papercli.models import Paper
from papercli.storage.cache import Cache
from support import faultmatrix as fm
from support import faultrunner, smtpd_server
from support.faultrunner import run_papers
from support.faultserver import FaultServer, Hit
from support.smtpd_server import Server

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
    state_before: dict[str, bytes] = field(default_factory=dict)
    state_after: dict[str, bytes] = field(default_factory=dict)
    mail: list[bytes] = field(default_factory=list)  # messages the SMTP server received
    command: fm.Command | None = None  # as run: its dates filled in (fm.on_day)


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
    workers: Pool,
    home: Path,
    command: fm.Command,
    fault: fm.Fault,
    cached: bool,
    smtp: Server | None = None,
) -> CellResult:
    home.mkdir(parents=True)
    name = fm.re.sub(r"[^A-Za-z0-9.-]+", "-", cell_id((command, fault, cached)))
    extra = command.config.format(cell=name, smtp_port=smtp.port if smtp else 0)
    (home / "config.toml").write_text(config_text(fault.config) + extra)
    state = home / "state"
    if command.batch:
        state.mkdir()
        for file, text in fm.STATE_SEED.items():
            (state / file).write_text(text)
    state_before = snapshot(state)
    cache = home / "cache"
    if cached and command.seed is not None:
        s = command.seed
        records = s.records(s.key) if s.records else fm.seed_records()
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
    address = f"{name}@example.org".encode()
    mail = [m for m in (smtp.inbox.messages if smtp else []) if address in m]
    return CellResult(
        code,
        stdout,
        stderr,
        before,
        snapshot(cache),
        list(server.log),
        seconds,
        state_before,
        # The lock file is empty and stays (flock needs a file); not part of the state.
        {k: v for k, v in snapshot(state).items() if k != ".lock"},
        mail,
        command,
    )


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CellResult]:
    root = tmp_path_factory.mktemp("matrix")
    today = dt.date.today()  # once for the whole matrix, when it runs
    cells = [(fm.on_day(c, today), f, cached) for c, f, cached in fm.cells() + fm.batch_cells()]
    with (
        contextlib.contextmanager(smtpd_server._start)() as smtp,
        faultrunner.pool(16) as workers,
        ThreadPoolExecutor(max_workers=16) as threads,
    ):
        futures = {
            cell_id(cell): threads.submit(run_cell, workers, root / cell_id(cell), *cell, smtp)
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
    _, fault, cached = cell
    result = matrix[cell_id(cell)]
    command = result.command
    assert command is not None
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
    if command.name.startswith("today --source all") and outcome in (fm.STALE, fm.KEPT):
        # The merged view also says, in a line of its own, that Hugging Face failed too.
        lines = [line for line in lines if not fm.re.search(fm.SIGNALS_NOTE, line)]

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
        after = result.after
        if outcome == fm.KEPT and command.name == "today --source all":
            # Hugging Face's empty days around the announcement are cached as empty.
            after = {k: v for k, v in after.items() if not k.startswith("hf")}
        assert after == result.before, context  # byte for byte
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
    elif outcome == fm.SIGNALS:
        # The arXiv listing, fetched; one line saying why the signals are missing.
        assert command.shows in result.stdout and "CACHED" not in result.stdout, context
        assert len(lines) == 1 and fm.re.search(fm.SIGNALS_NOTE, lines[0]), context
        assert fm.re.search(fm.message(command, fault), lines[0]), context
        assert not [k for k in result.after if k.startswith("hf/")], context
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
        "docs/faults.md is out of date: run `python tests/support/faultmatrix.py --write`"
    )


def test_matrix_covers_every_fault_the_server_plays() -> None:
    from support.faultserver import FAULTS

    assert {f.name for f in fm.FAULTS} == set(FAULTS)


def test_matrix_covers_every_fetching_command() -> None:
    """A new command that fetches must join the matrix (or be listed as not fetching)."""
    from typer.main import get_command

    from papercli.cli import app

    not_fetching = {"cache", "config", "open", "trends", "completion", "help"}  # trends: cache
    # The reader's own papers: ratings and the library are local; the text of a rated
    # paper that is not cached is fetched through papers show, which the matrix covers.
    not_fetching |= {"like", "dislike", "unrate", "save", "unsave", "library", "why"}
    not_fetching |= {"rank", "import"}
    # The triage screen fetches through the listing use cases the matrix covers.
    not_fetching |= {"browse"}
    names = set(get_command(app).commands)  # type: ignore[attr-defined]
    covered = {c.args[0] for c in fm.ALL_COMMANDS}
    missing = names - not_fetching - covered
    assert not missing, f"add these commands to tests/support/faultmatrix.py: {sorted(missing)}"
    # Of the watch commands, only run fetches.
    watch = get_command(app).commands["watch"]  # type: ignore[attr-defined]
    assert set(watch.commands) == {"add", "list", "rm", "run"}
    assert ("watch", "run") in {c.args[:2] for c in fm.ALL_COMMANDS}
    sources = {c.args[c.args.index("--source") + 1] for c in fm.COMMANDS if "--source" in c.args}
    assert sources == {"arxiv", "all"}  # and hf, the default


def _day_file(day: str) -> str:
    return f"hf/day/{day}.json"


def _titles(data: bytes, key: str) -> list[str]:
    return [p.title for p in Cache._decode(data, "hf", "day", key).papers]


@pytest.mark.parametrize("cell", fm.batch_cells(), ids=cell_id)
def test_fault_matrix_batch_cell(
    matrix: dict[str, CellResult], cell: tuple[fm.Command, fm.Fault, bool]
) -> None:
    """sync, watch run and digest: per-listing reports, the state folder and the mail."""
    _, fault, cached = cell
    result = matrix[cell_id(cell)]
    command = result.command
    assert command is not None
    outcome = fm.expected(command, fault, cached)
    context = (
        f"{cell_id(cell)}: exit {result.code}\n"
        f"stdout: {result.stdout[:500]}\nstderr: {result.stderr}"
    )
    lines = result.stderr.splitlines()
    assert command.seed is not None
    listing = _day_file(command.seed.key)

    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, context
    assert result.code == fm.EXIT[outcome], context
    for rel, data in [*result.after.items(), *result.state_after.items()]:
        assert ".tmp" not in rel and "corrupt" not in rel, context
        if rel.endswith(".json"):
            json.loads(data)
    if command.batch == "sync":
        assert result.stdout == "", context  # sync reports on stderr only
    sent = command.batch == "digest-send" and outcome in (fm.OK, fm.KEPT)
    assert len(result.mail) == (1 if sent else 0), context
    marked = outcome in (fm.OK, fm.KEPT) and command.batch in ("watch", "digest-send")
    if not marked:
        assert result.state_after == result.state_before, context  # byte for byte

    if outcome in (fm.FAILED, fm.PARTIAL):
        # One line per failed listing, naming it and saying why; then one error line.
        failed = fm.failing(command, fault)
        summary = 1 if command.batch == "sync" else 0  # "Synced A to B: ..."
        assert len(lines) == len(failed) + summary + 1, context
        for what, line in zip(failed, lines, strict=False):
            assert line.startswith(f"{what}: "), context
            assert fm.re.search(fm.message(command, fault), line), context
        assert lines[-1].startswith("Error: "), context
        assert result.stdout == "", context
        if command.batch == "sync":
            assert "run papers sync again" in lines[-1], context
        else:
            assert "nothing was marked as reported" in lines[-1], context
        if outcome == fm.FAILED:
            assert result.after == result.before, context  # byte for byte
        else:  # the failed day as it was; the other one fetched
            assert result.after.get(listing) == result.before.get(listing), context
            other = fm.SYNC_DAYS[0]
            assert _titles(result.after[_day_file(other)], other), context
        return
    assert not [line for line in lines if line.startswith("Error")], context
    if outcome == fm.NONE_NEW:
        assert result.stdout == "", context
        assert "No new papers" in result.stderr or "Watch mb: 0 new." in result.stderr, context
        return
    if outcome == fm.KEPT:
        assert fm.re.search("keeping the cached copy", result.stderr), context
        assert result.after[listing] == result.before[listing], context
    if outcome == fm.EMPTY:  # sync: an empty day is cached as such
        assert _titles(result.after[listing], command.seed.key) == [], context
    if outcome == fm.OK:
        assert "keeping" not in result.stderr, context
        titles = _titles(result.after[listing], command.seed.key)
        assert titles and not titles[0].startswith("CACHED"), context
        if command.batch == "sync":
            assert all(_titles(result.after[_day_file(d)], d) for d in fm.SYNC_DAYS), context
    # What the rule found reaches the user, and is remembered only when delivered.
    if command.batch == "watch":
        assert command.shows in result.stdout, context
        assert ("CACHED" in result.stdout) == (outcome == fm.KEPT), context
    if command.batch == "digest-dry":
        assert result.stdout.startswith("Subject: papers: ") and command.shows in result.stdout
    if sent:
        assert command.shows.encode() in result.mail[0], context
    if marked:
        rules = json.loads(result.state_after["watch.json"])["rules"]
        before = json.loads(result.state_before["watch.json"])["rules"]
        assert command.shows in rules["mb"], context
        assert rules["other"] == before["other"], context  # nothing lost
        assert before["mb"].items() <= rules["mb"].items(), context
        assert result.state_after["seen.json"] == result.state_before["seen.json"], context
