"""What used to reach "internal error ... please report it": each is now a one-line error
with the right exit status, or just works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from papercli.models import Paper
from papercli.storage.cache import Cache

DAY = "2025-07-15"
TITLE = "Straße — 日本語 🚀 naïve"


def papers(
    *args: str, env: dict[str, str] | None = None, **kw: object
) -> subprocess.CompletedProcess[bytes]:
    """``papers ARGS`` in a child process (its own stdout encoding, signals, start-up)."""
    return subprocess.run(
        [sys.executable, "-m", "papercli", *args],
        capture_output=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=60,
        **kw,  # type: ignore[arg-type]
    )


def _seed(home: Path) -> None:
    paper = Paper("2507.00001", TITLE, authors=("Ünal Çelik",), listed=DAY, sources=("hf",))
    Cache(home / "cache").save("hf", "day", DAY, [paper])


# --- stdout that cannot carry the text ---------------------------------------------


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "md", "csv", "bib", "atom"])
def test_an_encoding_that_cannot_carry_the_text_never_crashes(
    isolated_home: Path, encoding: str, fmt: str
) -> None:
    _seed(isolated_home)
    args = ["list", "--date", DAY, "--offline"] + ([] if fmt == "table" else ["--format", fmt])
    done = papers(*args, env={"PYTHONIOENCODING": encoding})
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode(encoding)
    if fmt == "json":  # the same value, with \u escapes
        assert json.loads(out)[0]["title"] == TITLE
    elif fmt == "jsonl":
        assert json.loads(out.splitlines()[0])["title"] == TITLE
    elif fmt == "atom":  # character references: still the same text
        import xml.etree.ElementTree as ET

        titles = [e.text for e in ET.fromstring(done.stdout).iter() if e.tag.endswith("title")]
        assert TITLE in titles
    else:
        assert "Stra" in out and "na" in out
    done = papers("show", "2507.00001", "--offline", env={"PYTHONIOENCODING": encoding})
    assert done.returncode == 0, done.stderr


# --- state and configuration files that are not what they seem ---------------------

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("name", ["watch.json", "seen.json"])
def test_a_deeply_nested_state_file_is_set_aside(run, isolated_home: Path, name: str) -> None:
    _seed(isolated_home)
    state = isolated_home / "state"
    state.mkdir()
    key = "rules" if name == "watch.json" else "ids"
    (state / name).write_text(f'{{"schema": 1, "{key}": {DEEP}}}')
    with (isolated_home / "config.toml").open("a") as handle:
        handle.write('\n[watch.s]\nquery = "strasse"\nsources = ["hf"]\n')
    if name == "watch.json":
        args = ("watch", "run", "--offline", "--since", DAY, "--json")
    else:
        args = ("list", "--date", DAY, "--offline", "--new", "--json")
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert "internal error" not in result.stderr
    assert f"State file {state / name} was unreadable" in result.stderr
    assert len(list(state.glob(f"{name}.corrupt-*"))) == 1
    assert run(*args).exit_code in (0, 3)  # and the next run is fine


def test_a_deeply_nested_config_is_a_one_line_error(run, isolated_home: Path) -> None:
    (isolated_home / "config.toml").write_text(f"a = {DEEP}\n")
    result = run("today", "--offline")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
    assert "nested too deeply" in result.stderr


def _config_cases(home: Path, kind: str) -> None:
    config = home / "config.toml"
    config.unlink()
    if kind == "symlink loop":
        config.symlink_to(config)
    elif kind == "fifo":
        os.mkfifo(config)
    elif kind == "/dev/zero":
        config.symlink_to("/dev/zero")
    elif kind == "folder":
        config.mkdir()
    elif kind == "huge":
        config.write_text("# " + "x" * 3_000_000 + "\n")


@pytest.mark.parametrize("kind", ["symlink loop", "fifo", "/dev/zero", "folder", "huge"])
@pytest.mark.parametrize(
    "args",
    [("today", "--offline"), ("config", "show"), ("watch", "list"), ("watch", "add", "x", "y")],
    ids=lambda a: " ".join(a),
)
def test_a_config_path_that_is_not_a_regular_file_is_a_one_line_error(
    isolated_home: Path, kind: str, args: tuple[str, ...]
) -> None:
    _config_cases(isolated_home, kind)
    done = papers(*args)  # in a child process: a hang is a timeout, not a stuck suite
    stderr = done.stderr.decode()
    assert done.returncode == 1, stderr
    assert stderr.startswith("Error: ") and len(stderr.splitlines()) == 1, stderr
    assert "internal error" not in stderr
    assert "config.toml" in stderr


def test_watch_add_through_a_dangling_link_creates_no_folder_outside_its_own(
    run, isolated_home: Path, tmp_path: Path
) -> None:
    config = isolated_home / "config.toml"
    config.unlink()
    target = tmp_path / "nonexistent" / "dir" / "config.toml"
    config.symlink_to(target)
    result = run("watch", "add", "mb", "mini-batch")
    assert result.exit_code == 1 and result.stderr.startswith("Error: ")
    assert "does not exist" in result.stderr
    assert not (tmp_path / "nonexistent").exists()
    target.parent.mkdir(parents=True)  # the folder is there: the link is written through
    assert run("watch", "add", "mb", "mini-batch").exit_code == 0
    assert config.is_symlink() and "mini-batch" in target.read_text()


# --- trends over absurd ranges -------------------------------------------------------


@pytest.mark.parametrize("by", ["day", "week", "month"])
def test_trends_refuses_a_range_beyond_its_bound(run, isolated_home: Path, by: str) -> None:
    _seed(isolated_home)
    result = run("trends", "a", "--since", "0001-01-01", "--until", "9999-12-31", "--by", by)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("Error: ") and "10,000" in result.stderr


def test_trends_periods_reach_the_last_date_there_is() -> None:
    import datetime as dt

    from papercli.core.trends import MAX_PERIODS, _all_keys, compute, period_count

    last = dt.date(9999, 12, 31)
    for by, first in (
        ("day", dt.date(9999, 12, 1)),
        ("week", dt.date(9999, 1, 1)),
        ("month", dt.date(9990, 1, 1)),
    ):
        keys = _all_keys(first, last, by)  # type: ignore[arg-type]
        assert len(keys) == period_count(first, last, by) <= MAX_PERIODS  # type: ignore[arg-type]
    paper = Paper("2507.00001", "x", listed="9999-12-31")
    assert compute([paper], "x", "month", dt.date(9999, 1, 1), last).periods[-1] == ("9999-12", 1)
    # A range the data spans (remote dates are untrusted) is held to the same bound.
    old = Paper("2507.00002", "x", listed="0001-01-01")
    with pytest.raises(Exception, match="narrow it"):
        compute([paper, old], "x", "day")


# --- Ctrl-C while papercli starts ---------------------------------------------------

# A Ctrl-C (KeyboardInterrupt) raised exactly when a given module is first imported:
# deterministic, unlike a signal sent after some milliseconds.
INTERRUPT_AT = """
import sys
class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            raise KeyboardInterrupt
        return None
sys.meta_path.insert(0, Interrupt())
"""
ENTRIES = {
    "python -m papercli": "import runpy; runpy.run_module('papercli', run_name='__main__')",
    # What pip's console-script wrapper for [project.scripts] papers does.
    "papers": "from papercli.__main__ import main; sys.exit(main())",
}


@pytest.mark.parametrize("entry", list(ENTRIES))
@pytest.mark.parametrize(
    "module", ["typer", "papercli.cli.listings", "papercli.cli.clitree", "papercli.core.hf"]
)
def test_ctrl_c_while_starting_exits_130_quietly(
    isolated_home: Path, entry: str, module: str
) -> None:
    code = INTERRUPT_AT.format(module=module) + ENTRIES[entry]
    done = subprocess.run(
        [sys.executable, "-c", code, "today", "--offline"],
        capture_output=True,
        env=os.environ.copy(),
        check=False,
        timeout=60,
    )
    stderr = done.stderr.decode()
    assert done.returncode == 130, stderr
    assert "Traceback" not in stderr and "Aborted" not in stderr, stderr


# --- wording ------------------------------------------------------------------------


def test_ages_are_singular_for_one() -> None:
    from papercli.storage.cache import describe_age

    assert describe_age(1) == "1 second"
    assert describe_age(0.2) == "0 seconds"
    assert describe_age(59) == "59 seconds"
    assert describe_age(60 * 60) == "60 minutes"
    assert describe_age(3600 * 1.2 + 5400) == "3 hours"
    assert describe_age(86400 * 1.6) == "2 days"
    assert describe_age(86400 * 0.6 + 36 * 3600) == "2 days"


def test_a_message_ending_in_a_full_stop_gets_one(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERS_HF_URL", "http:///x")
    result = run("list", "--date", DAY)
    assert result.exit_code == 1
    assert "protocol." in result.stderr and ".." not in result.stderr, result.stderr


def test_cache_clear_counts_one_file_as_one(run, isolated_home: Path) -> None:
    _seed(isolated_home)
    result = run("cache", "clear", "--yes")
    assert result.stderr == "Removed 1 cache file.\n"
