"""Shared fixtures: no test touches the internet or a real home directory.

Every test gets its own PAPERS_HOME, and every base URL points at a dead
loopback port, so a forgotten stub fails fast instead of reaching the network.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from typer.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"
DEAD_URL = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "papers-home"
    monkeypatch.setenv("PAPERS_HOME", str(home))
    for var in ("PAPERS_HF_URL", "PAPERS_ARXIV_RSS_URL", "PAPERS_ARXIV_URL"):
        monkeypatch.setenv(var, DEAD_URL)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("PAPERS_DEBUG", raising=False)
    monkeypatch.delenv("PAPERS_SMTP_PASSWORD", raising=False)
    home.mkdir()
    # Fast retries, so fault tests take milliseconds; tests that study the
    # policy itself build their own.
    # No arXiv politeness delay either (its own unit test injects a clock).
    (home / "config.toml").write_text(
        "[network]\nbackoff_seconds = 0.01\n\n[sources.arxiv]\ndelay_seconds = 0\n"
    )
    return home


@pytest.fixture(params=["native", "portable"])
def lock_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Once with the platform's lock, once with fcntl (and msvcrt) hidden, so that
    papercli's portable lock file is used (see tests/support/locks.py for subprocesses)."""
    if request.param == "portable":
        monkeypatch.setitem(sys.modules, "fcntl", None)  # type: ignore[arg-type]
        monkeypatch.setitem(sys.modules, "msvcrt", None)  # type: ignore[arg-type]
    return str(request.param)


@pytest.fixture(autouse=True)
def no_fetch_thread_left_behind() -> Iterator[None]:
    """A listing's page threads end with it (hf._fetch_pages_concurrently joins them):
    one still running after a test would go on retrying, and drawing random numbers,
    during the tests that follow."""
    yield
    left = [t.name for t in threading.enumerate() if t.name.startswith("papercli-")]
    assert not left, f"fetch threads outlived the test: {left}"


@pytest.fixture
def today() -> dt.date:
    """The local day, taken when the test starts: a module-level ``date.today()`` is
    yesterday for tests that run after midnight, and they fail for no reason."""
    return dt.date.today()


@pytest.fixture
def fixture_bytes() -> Callable[[str], bytes]:
    def read(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    return read


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run the CLI in-process; stdout and stderr apart.

    The command is built as ``papers`` builds it (``clitree.command``, each
    subcommand on first use), not by Typer's eager ``get_command``, which
    typer.testing's runner would otherwise call.
    """
    import typer.testing

    from papercli.cli import app
    from papercli.cli.clitree import command

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        with mock.patch.object(typer.testing, "_get_command", command):
            result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return invoke


@pytest.fixture
def hf_url(httpserver: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the Hugging Face source at the loopback pytest-httpserver."""
    url = httpserver.url_for("").rstrip("/")
    monkeypatch.setenv("PAPERS_HF_URL", url)
    return url


@pytest.fixture
def arxiv_url(httpserver: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point both arXiv services (RSS and export API) at the loopback pytest-httpserver."""
    url = httpserver.url_for("").rstrip("/")
    monkeypatch.setenv("PAPERS_ARXIV_RSS_URL", url)
    monkeypatch.setenv("PAPERS_ARXIV_URL", url)
    return url


@pytest.fixture
def hub(httpserver: Any, hf_url: str) -> Any:
    """A fake Hugging Face daily-papers API (tests/support/hub.py) on loopback."""
    from support.hub import FakeHub

    fake = FakeHub()
    httpserver.expect_request("/api/daily_papers").respond_with_handler(fake)
    return fake
