"""Many ``papers`` processes at once, and processes killed in the middle of writing.

Afterwards every cache file parses, nothing half-written is ever read, and a rerun
fetches only what is missing. Real processes (``python -m papercli``) against a
loopback server; kills are SIGKILL (no cleanup code runs).

The state tests run twice (``lock_kind``): with flock, and with fcntl hidden in every
process, so that papercli's portable lock file is what keeps writers apart and what a
killed writer leaves behind for the next one to take over (tests/support/locks.py).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from papercli.config import parse_config
from papercli.storage.cache import Cache
from papercli.storage.files import atomic_write_text
from papercli.storage.state import State
from support import faultmatrix as fm
from support.faultserver import FaultServer
from support.locks import check_lock_files, papers_argv, python_argv

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")

DAYS = [f"2025-07-{d:02d}" for d in range(1, 13)]
STAGES = ["write", "fsync", "replace"]


def env_for(home: Path, url: str, lock: str = "native") -> dict[str, str]:
    return {
        LOCK_VAR: lock,  # read by papers() below, not by papercli
        "PATH": os.environ.get("PATH", ""),
        "PAPERS_HOME": str(home),
        "PAPERS_HF_URL": url,
        "PAPERS_ARXIV_RSS_URL": url,
        "PAPERS_ARXIV_URL": url,
        "COLUMNS": "120",
    }


LOCK_VAR = "PAPERS_TEST_LOCK"


def papers(*args: str, env: dict[str, str], **kwargs: object) -> subprocess.Popen[bytes]:
    """``python -m papercli ARGS``; with fcntl hidden when ``env`` asks for the portable lock."""
    return subprocess.Popen(
        [*papers_argv(env[LOCK_VAR]), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **kwargs,  # type: ignore[arg-type]
    )


def paused(args: list[str], env: dict[str, str], stage: str) -> subprocess.Popen[bytes]:
    """``papers ARGS`` that stops at ``stage`` of a write (PAUSE below) until killed."""
    return subprocess.Popen(
        [*python_argv(env[LOCK_VAR], PAUSE), *args],
        env={**env, "PAUSE_AT": stage},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def kill_and_reap(procs: list[subprocess.Popen[bytes]], chance: float, rng: random.Random) -> int:
    """SIGKILL each running process with probability ``chance`` and reap it at once (as a
    shell does: a killed process that is not reaped still has its pid, and the portable
    lock takes a holder with a live pid for a live holder); the number killed."""
    killed = 0
    for p in procs:
        if rng.random() < chance and p.poll() is None:
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=30)
            killed += 1
    return killed


def finish(procs: list[subprocess.Popen[bytes]]) -> list[int]:
    """Wait for each process (closing its pipe); their exit statuses."""
    codes = []
    for p in procs:
        p.communicate(timeout=60)
        codes.append(p.returncode)
    return codes


def check_cache(root: Path) -> list[str]:
    """Every cache file is whole and readable; returns the day keys present."""
    cache = Cache(root, warn=lambda m: pytest.fail(f"unexpected warning: {m}"))
    for path in root.rglob("*.json"):
        rel = path.relative_to(root).parts
        entry = Cache._decode(path.read_bytes(), rel[0], rel[1], "/".join(rel[2:])[:-5])
        assert entry.papers
    assert not list(root.rglob("*.corrupt-*"))
    return cache.keys("hf", "day")


@pytest.fixture
def server():
    with FaultServer("none", fm.good) as s:
        yield s


def test_many_processes_fetching_and_writing_at_once(tmp_path: Path, server: FaultServer) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = env_for(home, server.url)
    days = DAYS[:6]
    procs = [papers("list", "--date", day, "--refresh", env=env) for day in days for _ in range(2)]
    procs += [papers("list", "--week", "2025-W28", "--refresh", env=env) for _ in range(2)]
    procs += [papers("config", "init", "--force", env=env) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()
        assert b"Traceback" not in err
    assert check_cache(home / "cache") == days
    assert not [p for p in home.rglob("*.tmp")]
    parse_config((home / "config.toml").read_text(), home / "config.toml")
    # A rerun has everything: no request at all.
    before = len(server.log)
    rerun = [papers("list", "--date", day, env=env) for day in days]
    assert finish(rerun) == [0] * len(days)
    assert len(server.log) == before


def test_random_kills_never_leave_a_file_that_is_trusted(
    tmp_path: Path, server: FaultServer
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = env_for(home, server.url)
    rng = random.Random(20261126)
    kills = rounds = 0
    while kills < 24 and rounds < 100:  # two dozen kills, however fast the machine
        rounds += 1
        batch = [
            papers("list", "--date", rng.choice(DAYS), "--refresh", env=env),
            papers("list", "--date", rng.choice(DAYS), "--refresh", env=env),
            papers("config", "init", "--force", env=env),
        ]
        time.sleep(rng.uniform(0.02, 0.5))
        for p in batch:
            if rng.random() < 0.7 and p.poll() is None:
                p.send_signal(signal.SIGKILL)
                kills += 1
        for p in batch:
            p.communicate(timeout=60)
            assert p.returncode in (0, -signal.SIGKILL)
        # After every round: whatever is there is whole.
        present = check_cache(home / "cache")
        if (home / "config.toml").exists():
            parse_config((home / "config.toml").read_text(), home / "config.toml")
    assert kills >= 24
    # A rerun fetches exactly the days that are missing, and nothing else.
    missing = [d for d in DAYS if d not in present]
    before = len(server.log)
    rerun = [papers("list", "--date", day, env=env) for day in DAYS]
    assert finish(rerun) == [0] * len(DAYS)
    fetched = sorted(h.query.split("&")[0].split("=")[1] for h in server.log[before:])
    assert fetched == missing
    assert check_cache(home / "cache") == DAYS


# A process that stops (and is then killed) at one stage of a cache write.
PAUSE = r"""
import os, sys, time
stage = os.environ["PAUSE_AT"]
real_fdopen, real_fsync, real_replace = os.fdopen, os.fsync, os.replace

def pause():
    sys.stderr.write("PAUSED\n")
    sys.stderr.flush()
    time.sleep(60)

class HalfWriter:
    def __init__(self, handle):
        self.handle = handle
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.handle.__exit__(*exc)
    def write(self, text):
        self.handle.write(text[: len(text) // 2])
        self.handle.flush()
        pause()
    def __getattr__(self, name):
        return getattr(self.handle, name)

def fdopen(*args, **kwargs):
    handle = real_fdopen(*args, **kwargs)
    return HalfWriter(handle) if stage == "write" else handle

def fsync(fd):
    if stage == "fsync":
        pause()
    real_fsync(fd)

def replace(src, dst):
    if stage == "replace" and str(dst).endswith(".json"):
        pause()
    real_replace(src, dst)

os.fdopen, os.fsync, os.replace = fdopen, fsync, replace
sys.argv = ["papers", *sys.argv[1:]]
from papercli.cli import main
main()
"""


@pytest.mark.parametrize("stage", ["write", "fsync", "replace"])
@pytest.mark.parametrize("had_copy", [False, True])
def test_killed_mid_write_leaves_the_old_copy_or_nothing(
    tmp_path: Path, server: FaultServer, stage: str, had_copy: bool
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = env_for(home, server.url)
    target = home / "cache" / "hf" / "day" / f"{DAYS[0]}.json"
    if had_copy:
        assert finish([papers("list", "--date", DAYS[0], env=env)]) == [0]
    before = target.read_bytes() if had_copy else None
    proc = paused(["list", "--date", DAYS[0], "--refresh"], env, stage)
    assert proc.stderr is not None
    assert proc.stderr.readline() == b"PAUSED\n"
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # The temporary file is left behind; the real one is untouched.
    assert list(target.parent.glob(f".{target.name}.*.tmp"))
    assert (target.read_bytes() if target.exists() else None) == before
    cache = Cache(home / "cache", warn=lambda m: pytest.fail(m))
    entry = cache.load("hf", "day", DAYS[0])
    assert (entry is not None) == had_copy
    assert cache.keys("hf", "day") == ([DAYS[0]] if had_copy else [])
    # The next run is unaffected: it fetches when nothing was there, not otherwise.
    requests = len(server.log)
    assert finish([papers("list", "--date", DAYS[0], env=env)]) == [0]
    assert len(server.log) == requests + (0 if had_copy else 1)
    assert check_cache(home / "cache") == [DAYS[0]]


def test_atomic_write_never_shows_a_partial_file_to_a_reader(tmp_path: Path) -> None:
    """A reader polling while another process rewrites the file sees old or new, whole."""
    target = tmp_path / "f.json"
    atomic_write_text(target, '{"v": 0}')
    code = (
        "import sys; from pathlib import Path\n"
        "from papercli.storage.files import atomic_write_text\n"
        "for i in range(300):\n"
        '    text = \'{"v": %d, "pad": "%s"}\' % (i, \'x\' * 20000)\n'
        "    atomic_write_text(Path(sys.argv[1]), text)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", code, str(target)])
    import json

    seen = 0
    while writer.poll() is None:
        json.loads(target.read_text())
        seen += 1
    assert writer.returncode == 0 and seen > 0
    assert json.loads(target.read_text())["v"] == 299


# --- the state folder: seen papers and watch reports -------------------------------------
# Watch rules look at the days up to today, so these tests use the last three days; the
# server gives each day its own paper ids (2507.DD001...), so that an update lost by a
# concurrent read-merge-write shows up as a missing id.
RULES = [f"r{n}" for n in range(6)]


@pytest.fixture
def recent(today: dt.date) -> list[str]:
    return [(today - dt.timedelta(days=n)).isoformat() for n in (2, 1, 0)]


def distinct_ids(path: str, query: dict[str, str]) -> tuple[int, bytes, str]:
    status, body, ctype = fm.good(path, query)
    if path == "/api/daily_papers" and "date" in query:
        body = body.replace(b"2507.110", f"2507.{query['date'][-2:]}0".encode())
    return status, body, ctype


def day_ids(day: str) -> set[str]:
    return {f"2507.{day[-2:]}0{n:02d}" for n in (1, 2, 3)}


def rule_ids(day: str) -> set[str]:
    return day_ids(day)  # every title says "batch" (or "Minibatching")


def state_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    rules = "".join(f'[watch.{r}]\nquery = "batch"\nsources = ["hf"]\n' for r in RULES)
    (home / "config.toml").write_text("[network]\nbackoff_seconds = 0.01\n" + rules)
    return home


def check_state(root: Path) -> tuple[set[str], dict[str, set[str]]]:
    """Every state file is whole and trusted: (seen ids, reported ids per rule)."""
    state = State(root, warn=lambda m: pytest.fail(f"unexpected warning: {m}"))
    assert not list(root.glob("*.corrupt-*"))
    return state.seen_ids(), {r: state.reported(r) for r in RULES}


@pytest.fixture
def distinct_server():
    with FaultServer("none", distinct_ids) as s:
        yield s


def test_many_processes_marking_seen_and_reported_at_once(
    tmp_path: Path, distinct_server: FaultServer, lock_kind: str, recent: list[str]
) -> None:
    """Concurrent read-merge-writes of seen.json and watch.json lose nothing."""
    home = state_home(tmp_path)
    env = env_for(home, distinct_server.url, lock_kind)
    procs = [papers("watch", "run", rule, "--since", recent[0], env=env) for rule in RULES]
    procs += [papers("list", "--date", day, env=env) for day in recent for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()
    seen, reported = check_state(home / "state")
    assert seen == set().union(*map(day_ids, recent))
    assert reported == {r: set().union(*map(rule_ids, recent)) for r in RULES}
    assert not list(home.rglob("*.tmp"))
    # Everything was reported once: a rerun has nothing new (exit 3).
    again = [papers("watch", "run", r, "--since", recent[0], "--offline", env=env) for r in RULES]
    assert finish(again) == [3] * len(RULES)
    check_lock_files(home / "state", lock_kind)


def test_random_kills_never_lose_or_corrupt_the_state(
    tmp_path: Path, distinct_server: FaultServer, lock_kind: str, recent: list[str]
) -> None:
    """SIGKILLs at random moments of watch runs and listings (fetching, matching, writing
    the cache and the state); after every round each state file is whole and trusted."""
    home = state_home(tmp_path)
    env = env_for(home, distinct_server.url, lock_kind)
    rng = random.Random(20261127)
    kills = rounds = 0
    completed: dict[str, int] = dict.fromkeys(RULES, 0)
    while kills < 12 and rounds < 60:  # a dozen here; the cache test above has two dozen
        rounds += 1
        rule = rng.choice(RULES)
        batch = [
            papers("watch", "run", rule, "--since", recent[0], env=env),
            papers("watch", "run", rng.choice(RULES), "--since", recent[0], "--offline", env=env),
            papers("list", "--date", rng.choice(recent), "--refresh", env=env),
        ]
        time.sleep(rng.uniform(0.05, 0.6))
        kills += kill_and_reap(batch, 0.7, rng)
        for p in batch:
            p.communicate(timeout=60)
            # watch run --offline with nothing cached yet is an error (exit 1).
            assert p.returncode in (0, 1, 3, -signal.SIGKILL)
        if batch[0].returncode in (0, 3):
            completed[rule] += 1
        check_state(home / "state")
        check_cache(home / "cache")
    assert kills >= 12
    # A rule whose run completed has every paper of the window (nothing lost); a rerun of
    # every rule reports exactly what is not reported yet, and then the state is complete.
    _, reported = check_state(home / "state")
    everything = set().union(*map(rule_ids, recent))
    for rule, runs in completed.items():
        if runs:
            assert reported[rule] == everything, rule
    assert finish([papers("watch", "run", r, "--since", recent[0], env=env) for r in RULES])
    _, reported = check_state(home / "state")
    assert reported == dict.fromkeys(RULES, everything)
    check_lock_files(home / "state", lock_kind)


@pytest.mark.parametrize(
    ("lock", "file", "stage"),
    [
        *[("native", f, s) for f in ("seen.json", "watch.json") for s in STAGES],
        # The portable lock: the killed holder's lock file must not block the next run.
        ("portable", "seen.json", "write"),
        ("portable", "watch.json", "replace"),
    ],
)
def test_killed_mid_state_write_leaves_the_old_state(
    tmp_path: Path,
    distinct_server: FaultServer,
    lock: str,
    file: str,
    stage: str,
    recent: list[str],
) -> None:
    """A process stopped inside a state write (offline: the state is the only file it
    writes) and killed there, holding the lock: the previous state file is intact and
    trusted, and the next run does what the killed one did not (the papers are still
    new); with the portable lock it takes over the dead holder's lock file."""
    home = state_home(tmp_path)
    env = env_for(home, distinct_server.url, lock)
    day = recent[-1]
    # The first run: the listing cached, seen and reported once.
    assert finish([papers("watch", "run", RULES[0], "--since", day, env=env)]) == [0]
    assert finish([papers("list", "--date", day, env=env)]) == [0]
    target = home / "state" / file
    before = target.read_bytes()
    if file == "seen.json":
        # Another day cached (and seen; the test then forgets that it was seen).
        args = ["list", "--date", recent[0]]
        assert finish([papers(*args, env=env)]) == [0]
        target.write_bytes(before)
        args += ["--offline"]
        expect_new = day_ids(recent[0])
    else:
        args = ["watch", "run", RULES[1], "--since", day, "--offline"]
        expect_new = rule_ids(day)
    proc = paused(args, env, stage)
    assert proc.stderr is not None
    for line in iter(proc.stderr.readline, b""):  # "Watch r1: 3 new." comes first
        if line == b"PAUSED\n":
            break
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert list(target.parent.glob(f".{file}.*.tmp"))  # the killed write's leftover
    if lock == "portable":
        assert (target.parent / ".lock.held").exists()  # the dead holder's lock file
    assert target.read_bytes() == before  # whole, and the old one
    seen, reported = check_state(home / "state")
    assert not expect_new & (seen if file == "seen.json" else reported[RULES[1]])
    # The next run is unaffected: it records what the killed one did not.
    assert finish([papers(*args, env=env)]) == [0]
    seen, reported = check_state(home / "state")
    assert expect_new <= (seen if file == "seen.json" else reported[RULES[1]])
    check_lock_files(home / "state", lock)
