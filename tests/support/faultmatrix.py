"""The fault matrix: every fetching command against every fault, and what must happen.

This one table drives ``tests/test_fault_matrix.py`` and the table in
``docs/faults.md`` (``python tests/support/faultmatrix.py --write`` regenerates the doc;
a test fails when they disagree).

To add a command: append one :class:`Command` to :data:`COMMANDS` (and, if it talks
to a new service, a responder to :data:`RESPONDERS`); add an entry to
:data:`OVERRIDES` only where its outcome differs from the general rule.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DOC = Path(__file__).resolve().parents[2] / "docs" / "faults.md"
# Filled in by on_day() when a cell runs, not when this module is imported (a run
# that crosses midnight would otherwise seed yesterday as "today").
TODAY = "{today}"
THIS_WEEK = "{this_week}"

# Outcomes -------------------------------------------------------------------------
OK = "ok"  # exit 0, fresh papers shown, cache written
STALE = "stale"  # exit 0, the cached copy shown with a one-line warning; cache unchanged
# What the warning line of a stale or kept outcome says.
CACHED_NOTE = r"cached (copy|announcement)|the most recent one"
KEPT = "kept"  # exit 0, an empty answer ignored, cached copy shown with a warning
EMPTY = "empty"  # exit 0, no papers, a note on stderr
ERROR = "error"  # exit 1, one line "Error: ..." on stderr; cache unchanged

OUTCOME_TEXT = {
    OK: "success, exit 0",
    STALE: "cached copy + one-line warning, exit 0",
    KEPT: "empty answer ignored, cached copy + warning, exit 0",
    EMPTY: "no papers + a note, exit 0",
    ERROR: "one-line error, exit 1",
}
# Batch commands (sync, watch run, digest) fetch several listings and report per listing.
FAILED = "failed"  # exit 1: a line per failed listing, then "Error: ..."; nothing changed
PARTIAL = "partial"  # exit 1: the failed listing named and left as it was; the rest fetched
NONE_NEW = "none"  # exit 3: nothing new; nothing sent or marked as reported
EXIT = {OK: 0, STALE: 0, KEPT: 0, EMPTY: 0, ERROR: 1, FAILED: 1, PARTIAL: 1, NONE_NEW: 3}


# Faults ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Fault:
    name: str  # as served by tests/support/faultserver.py
    what: str  # for the doc
    fails: bool  # True: the fetch fails; False: it succeeds (perhaps after a retry)
    message: str  # regex the stderr line must match when the fetch fails
    config: str = ""  # extra [network] settings for this fault


FAULTS: tuple[Fault, ...] = (
    Fault("refused", "connection refused", True, r"cannot reach 127\.0\.0\.1"),
    Fault("reset", "connection reset mid-body", True, r"cannot reach 127\.0\.0\.1"),
    Fault(
        "stall",
        "headers, then a body that never arrives (read timeout 0.3 s)",
        True,
        r"timed out talking to",
        "read_timeout = 0.3\nretries = 1\n",
    ),
    Fault(
        "drip",
        "a body dripping one byte every 50 ms, forever (total_timeout 1.5 s)",
        True,
        r"time limit|timed out",
        "read_timeout = 0.3\ntotal_timeout = 1.5\n",
    ),
    Fault("500-then-ok", "HTTP 500, then success", False, ""),
    Fault("503-always", "HTTP 503 on every attempt", True, r"HTTP 503 \(after 4 attempts\)"),
    Fault("429-retry-after-1", "HTTP 429 with Retry-After: 1, then success", False, ""),
    Fault(
        "429-retry-after-3600",
        "HTTP 429 with Retry-After: 3600",
        True,
        r"asks to wait 3600 s .* try again after \d",
    ),
    Fault("404", "HTTP 404", True, r"HTTP 404"),
    Fault(
        "html-200",
        "HTTP 200 with an HTML page",
        True,
        r"HTML page instead of|not an (RSS|Atom) feed",
    ),
    Fault(
        "truncated-200",
        "HTTP 200 with truncated JSON or XML",
        True,
        r"malformed JSON|truncated or malformed (RSS|Atom) feed",
    ),
    Fault("empty-200", "HTTP 200 with an empty list `[]`", False, ""),
    Fault("huge-200", "HTTP 200 with a 20 MB body", True, r"larger than 10 MB"),
)
FAULTS_BY_NAME = {f.name: f for f in FAULTS}


# Commands -------------------------------------------------------------------------
@dataclass(frozen=True)
class Seed:
    """A cached copy put in place before the run (stale, so the command fetches)."""

    source: str
    kind: str
    key: str
    age_hours: float = 3.0
    # Called with ``key``; default: seed_records
    records: Callable[[str], list[dict[str, object]]] | None = None


@dataclass(frozen=True)
class Command:
    name: str  # column title in the doc
    args: tuple[str, ...]
    source: str  # the service it talks to (a key of RESPONDERS)
    seed: Seed | None  # None: the command keeps no cache
    shows: str = "2507.11001"  # what stdout shows when papers are listed
    faulted: str = ""  # only requests whose "path?query" starts with this misbehave ("": all)
    # Batch commands only (see BATCH_COMMANDS):
    batch: str = ""  # "sync", "watch", "digest-dry" or "digest-send"
    config: str = ""  # extra config file text; {cell} and {smtp_port} are filled in
    failing: tuple[str, ...] = ()  # the listings a failing fault fails (as sync names them)


COMMANDS: tuple[Command, ...] = (
    Command("today", ("today",), "hf", Seed("hf", "day", TODAY)),
    Command(
        "list --week", ("list", "--week", THIS_WEEK, "--json"), "hf", Seed("hf", "week", THIS_WEEK)
    ),
    Command(
        "list --date --refresh",
        ("list", "--date", "2025-07-15", "--refresh", "--json"),
        "hf",
        Seed("hf", "day", "2025-07-15"),
    ),
    Command(
        "show --refresh",
        ("show", "2507.11001", "--refresh"),
        "hf",
        Seed("hf", "paper", "2507.11001"),
    ),
    Command("search", ("search", "mini", "batch", "--json"), "hf", None),
    # arXiv (branch arxiv): RSS listings, the export API for search and show.
    Command(
        "today --source arxiv",
        ("today", "--source", "arxiv", "-c", "cs.LG", "-c", "cs.CL"),
        "arxiv",
        Seed("arxiv", "rss", "cs.CL+cs.LG/2025-07-15"),
    ),
    Command(
        "search --source arxiv",
        ("search", "mini-batch", "--source", "arxiv", "--limit", "3", "--json"),
        "arxiv",
        None,
        shows="2507.12001",
    ),
    Command(
        "show --refresh (arXiv)",
        ("show", "2401.00001", "--refresh"),
        "arxiv",
        Seed("arxiv", "paper", "2401.00001", records=lambda _: arxiv_seed("2401.00001")),
        shows="2401.00001",
        faulted="/api/query",  # Hugging Face answers 404, then arXiv misbehaves
    ),
    # arXiv history (branch history): a past day from the export API (submittedDate).
    Command(
        "list --source arxiv --date --refresh",
        ("list", "-s", "arxiv", "-c", "cs.LG", "-c", "cs.CL", "--date", "2025-07-15", "--refresh"),
        "arxiv",
        Seed("arxiv", "api", "cs.CL+cs.LG/2025-07-15", records=lambda _: arxiv_seed("2507.12001")),
        shows="2507.12001",
    ),
    # The merged view: arXiv's announcement with Hugging Face signals (both misbehave).
    Command(
        "today --source all",
        ("today", "--source", "all", "-c", "cs.LG", "-c", "cs.CL", "--json"),
        "arxiv",
        Seed("arxiv", "rss", "cs.CL+cs.LG/2025-07-15"),
    ),
    # Only Hugging Face misbehaves: the arXiv listing is shown, without signals.
    Command(
        "today --source all (HF faulted)",
        ("today", "--source", "all", "-c", "cs.LG", "-c", "cs.CL", "--json"),
        "arxiv",
        Seed("arxiv", "rss", "cs.CL+cs.LG/2025-07-15"),
        faulted="/api/daily_papers",
    ),
)

# Batch commands: they fetch several listings (through ``papercli.core.sync``) and report
# per listing rather than showing one. The watch rule and the digest read the state
# folder too; it is seeded with earlier reports, which must survive every fault.
SYNC_DAYS = ("2025-07-14", "2025-07-15")  # the second one misbehaves
_CLOSED = dt.datetime(2025, 7, 16, tzinfo=dt.UTC).timestamp()
# A copy fetched before the day was over: sync fetches it again.
EARLY_HOURS = (dt.datetime.now(dt.UTC).timestamp() - _CLOSED) / 3600 + 12
WATCH_RULE = '[watch.mb]\nquery = "batch"\nsources = ["hf"]\n'
EMAIL = (
    '[email]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n'
    'from = "papers@example.org"\nto = "{cell}@example.org"\n'
)
TODAY_LISTING = (f"Hugging Face {TODAY}",)
BATCH_COMMANDS: tuple[Command, ...] = (
    Command(
        "sync",
        ("sync", "--since", SYNC_DAYS[0], "--until", SYNC_DAYS[1], "--source", "hf"),
        "hf",
        Seed("hf", "day", SYNC_DAYS[1], age_hours=EARLY_HOURS),
        faulted=f"/api/daily_papers?date={SYNC_DAYS[1]}",
        batch="sync",
        failing=(f"Hugging Face {SYNC_DAYS[1]}",),
    ),
    Command(
        "watch run",
        ("watch", "run", "--since", TODAY),
        "hf",
        Seed("hf", "day", TODAY, records=lambda day: dated_seed(day)),
        batch="watch",
        config=WATCH_RULE,
        failing=TODAY_LISTING,
    ),
    Command(
        "digest --dry-run",
        ("digest", "--dry-run", "--since", TODAY),
        "hf",
        Seed("hf", "day", TODAY, records=lambda day: dated_seed(day)),
        batch="digest-dry",
        config=WATCH_RULE + EMAIL,
        failing=TODAY_LISTING,
    ),
    Command(
        "digest (sent by SMTP)",
        ("digest", "--since", TODAY),
        "hf",
        Seed("hf", "day", TODAY, records=lambda day: dated_seed(day)),
        batch="digest-send",
        config=WATCH_RULE + EMAIL,
        failing=TODAY_LISTING,
    ),
)
ALL_COMMANDS = COMMANDS + BATCH_COMMANDS
# The state folder as a batch command finds it (earlier reports of the rule and of
# another one, papers seen in listings).
STATE_SEED = {
    "watch.json": '{"schema": 1, "rules": {"mb": {"2401.99999": "2026-01-02"}, '
    '"other": {"2401.99998": "2026-01-02"}}}',
    "seen.json": '{"schema": 1, "ids": {"2401.99999": "2026-01-02"}}',
}

# (command name, fault name, with a cached copy?) -> outcome, where the general rule
# (below) does not apply.
OVERRIDES: dict[tuple[str, str, bool], str] = {
    ("today", "empty-200", False): EMPTY,
    ("today", "empty-200", True): KEPT,
    ("list --week", "empty-200", False): EMPTY,
    ("list --week", "empty-200", True): KEPT,
    ("list --date --refresh", "empty-200", False): EMPTY,
    ("list --date --refresh", "empty-200", True): KEPT,
    ("show --refresh", "empty-200", False): ERROR,  # `[]` is not a paper
    ("show --refresh", "empty-200", True): STALE,
    ("search", "empty-200", False): EMPTY,
    ("today --source arxiv", "empty-200", False): EMPTY,  # no announcement (weekend)
    ("today --source arxiv", "empty-200", True): KEPT,  # the most recent one, said
    ("search --source arxiv", "empty-200", False): EMPTY,
    ("list --source arxiv --date --refresh", "empty-200", False): EMPTY,
    ("list --source arxiv --date --refresh", "empty-200", True): KEPT,
    ("show --refresh (arXiv)", "empty-200", False): ERROR,  # not found anywhere
    ("show --refresh (arXiv)", "empty-200", True): STALE,
    ("today --source all", "empty-200", False): EMPTY,
    ("today --source all", "empty-200", True): KEPT,
    ("today --source all (HF faulted)", "empty-200", False): OK,  # no signals, no warning
    ("today --source all (HF faulted)", "empty-200", True): OK,
    # A refused connection cannot single out Hugging Face: arXiv is refused too.
    ("today --source all (HF faulted)", "refused", False): ERROR,
    ("today --source all (HF faulted)", "refused", True): STALE,
}
# The merged view with only Hugging Face misbehaving: the arXiv listing, fetched, plus
# one warning that the signals are unavailable (exit 0); see expected().
SIGNALS = "signals"
OUTCOME_TEXT[SIGNALS] = "listing shown without Hugging Face signals + one-line warning, exit 0"
EXIT[SIGNALS] = 0
SIGNALS_NOTE = r"Hugging Face signals unavailable"
OUTCOME_TEXT.update(
    {
        FAILED: "batch: a line naming each failed listing + one-line error, exit 1; "
        "cache and state unchanged, nothing sent",
        PARTIAL: "batch: the failed day named and left as it was, the other day cached, exit 1",
        NONE_NEW: "nothing new: nothing sent or marked, exit 3",
    }
)
# Messages that differ from the fault's usual one.
MESSAGES: dict[tuple[str, str], str] = {
    ("show --refresh", "404"): r"not found on Hugging Face",
    ("show --refresh", "empty-200"): r"wrong shape",
    ("show --refresh (arXiv)", "empty-200"): r"not found on Hugging Face or arXiv",
}


def expected(command: Command, fault: Fault, cached: bool) -> str:
    """The outcome the matrix promises."""
    override = OVERRIDES.get((command.name, fault.name, cached))
    if override:
        return override
    if command.batch:
        return expected_batch(command, fault, cached)
    if command.name == "today --source all (HF faulted)" and fault.fails:
        return SIGNALS
    if not fault.fails:
        return OK
    return STALE if cached else ERROR


def expected_batch(command: Command, fault: Fault, cached: bool) -> str:
    """sync: the misbehaving day fails alone (a refused connection fails both), the
    other is fetched; an empty answer is cached as an empty day, or ignored over a
    cached copy. watch run and digest: any failed listing fails the run, with nothing
    shown, sent or marked, also when a copy is cached (it stays as it was)."""
    if fault.name == "empty-200":
        if cached:
            return KEPT
        return EMPTY if command.batch == "sync" else NONE_NEW
    if not fault.fails:
        return OK
    if command.batch == "sync" and fault.name != "refused":
        return PARTIAL
    return FAILED


def failing(command: Command, fault: Fault) -> tuple[str, ...]:
    """The listings a failing fault makes fail (a refused connection: every one)."""
    if command.batch == "sync" and fault.name == "refused":
        return tuple(f"Hugging Face {day}" for day in SYNC_DAYS)
    return command.failing


def message(command: Command, fault: Fault) -> str:
    return MESSAGES.get((command.name, fault.name), fault.message)


def on_day(command: Command, today: dt.date) -> Command:
    """``command`` with :data:`TODAY` and :data:`THIS_WEEK` filled in for ``today``."""
    week = "{:04d}-W{:02d}".format(*today.isocalendar()[:2])

    def fill(text: str) -> str:
        return text.replace(TODAY, today.isoformat()).replace(THIS_WEEK, week)

    seed = replace(command.seed, key=fill(command.seed.key)) if command.seed else None
    return replace(
        command,
        args=tuple(fill(a) for a in command.args),
        seed=seed,
        failing=tuple(fill(f) for f in command.failing),
    )


def cells(commands: tuple[Command, ...] = COMMANDS) -> list[tuple[Command, Fault, bool]]:
    return [
        (c, f, cached)
        for c in commands
        for f in FAULTS
        for cached in (False, True)
        if not (cached and c.seed is None)
    ]


def batch_cells() -> list[tuple[Command, Fault, bool]]:
    return cells(BATCH_COMMANDS)


# The "good" answers of each service -------------------------------------------------
def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def hf_good(path: str, query: dict[str, str]) -> tuple[int, bytes, str]:
    ctype = "application/json"
    if path == "/api/daily_papers":
        if query.get("p", "0") != "0":
            return 200, b"[]", ctype
        day = query.get("date", "2025-07-15")
        return 200, _fixture("hf/daily_2025-07-15.json").replace(b"2025-07-15", day.encode()), ctype
    if path.startswith("/api/papers/search"):
        return 200, _fixture("hf/search_minibatch.json"), ctype
    if path == "/api/papers/2507.11001":
        return 200, _fixture("hf/paper_2507.11001.json"), ctype
    return 404, b'{"error":"Not Found"}', ctype


def arxiv_good(path: str, query: dict[str, str]) -> tuple[int, bytes, str]:
    if path.startswith("/rss/"):
        return 200, _fixture("arxiv/rss_cs.LG+cs.CL_2025-07-15.xml"), "application/rss+xml"
    if path == "/api/query":
        ctype = "application/atom+xml"
        if query.get("id_list") == "2401.00001":
            return 200, _fixture("arxiv/api_id_2401.00001.xml"), ctype
        if "search_query" in query:
            page = "p1" if query.get("start", "0") == "0" else "p2"
            return 200, _fixture(f"arxiv/api_search_{page}.xml"), ctype
        return 200, _fixture("arxiv/api_id_not_found.xml"), ctype
    return 404, b"not found", "text/plain"


RESPONDERS: dict[str, Callable[[str, dict[str, str]], tuple[int, bytes, str]]] = {
    "hf": hf_good,
    "arxiv": arxiv_good,
}


def empty(path: str) -> tuple[bytes, str]:
    """A valid answer with nothing in it, in each service's format."""
    if path.startswith("/rss/"):
        return _fixture("arxiv/rss_empty_cs.LG_2025-07-19.xml"), "application/rss+xml"
    if path == "/api/query":
        return _fixture("arxiv/api_id_not_found.xml"), "application/atom+xml"
    return b"[]", "application/json"


def good(path: str, query: dict[str, str]) -> tuple[int, bytes, str]:
    """One server answers for every service (their paths do not overlap)."""
    for responder in RESPONDERS.values():
        status, body, ctype = responder(path, query)
        if status != 404:
            return status, body, ctype
    return 404, b'{"error":"Not Found"}', "application/json"


def arxiv_seed(paper_id: str) -> list[dict[str, object]]:
    return [{"id": paper_id, "title": "CACHED arXiv paper", "sources": ["arxiv"]}]


def dated_seed(day: str) -> list[dict[str, object]]:
    """Seed records listed on ``day`` (what a watch rule's window looks at)."""
    return [{**r, "listed": day} for r in seed_records()]


def seed_records() -> list[dict[str, object]]:
    """Papers for a seeded (cached) copy: the fixture's papers, titled 'CACHED ...'."""
    data = json.loads(_fixture("hf/daily_2025-07-15.json"))
    return [
        {"id": item["paper"]["id"], "title": "CACHED " + item["paper"]["title"], "sources": ["hf"]}
        for item in data
    ]


# Local faults: the machine, not the network ------------------------------------------
# Every command that reads or writes the home folder, against a full disk, a read-only
# PAPERS_HOME and a damaged search index (tests/test_local_faults.py runs each cell).
@dataclass(frozen=True)
class LocalFault:
    name: str
    what: str  # for the doc


LOCAL_FAULTS: tuple[LocalFault, ...] = (
    LocalFault(
        "full-disk",
        "disk full: every file write fails with ENOSPC, the index cannot grow (SQLITE_FULL)",
    ),
    LocalFault("read-only-home", "PAPERS_HOME read-only (a read-only bind mount)"),
    LocalFault("dropped-table", "search index up to date, then damaged: a table dropped"),
    LocalFault("garbage-index", "search index overwritten with garbage"),
    LocalFault("foreign-files", "files papercli did not write in the cache folder"),
)
LOCAL_FAULTS_BY_NAME = {f.name: f for f in LOCAL_FAULTS}


@dataclass(frozen=True)
class LocalCommand:
    name: str
    args: tuple[str, ...]
    writes: bool = False  # its job is to write (the cache, the state): fails when it cannot
    index: bool = True  # answers through the search index


# The home these run in: a week of cached Hugging Face days (today's freshly fetched,
# so nothing needs fetching), a search index a day behind the files, a watch rule and
# [email] addresses. LOCAL_DAY is not cached: sync fetches it.
LOCAL_DAY = "2025-07-15"
LOCAL_COMMANDS: tuple[LocalCommand, ...] = (
    LocalCommand("search --offline", ("search", "--offline", "batch", "--json", "--limit", "999")),
    LocalCommand("trends", ("trends", "batch", "--json")),
    LocalCommand("watch run --offline --dry-run", ("watch", "run", "--offline", "--dry-run")),
    LocalCommand("digest --dry-run", ("digest", "--dry-run")),
    LocalCommand("show --offline", ("show", "2507.11001", "--offline", "--json"), index=False),
    LocalCommand("today", ("today", "--json"), index=False),
    LocalCommand(
        "sync", ("sync", "--source", "hf", "--since", LOCAL_DAY, "--until", LOCAL_DAY), writes=True
    ),
    LocalCommand("watch run --offline", ("watch", "run", "--offline"), writes=True),
    LocalCommand("cache clear", ("cache", "clear", "--yes"), writes=True, index=False),
)
SAME = "same"  # exit as without the fault, the same stdout, nothing on stderr
NOTED = "noted"  # exit as without the fault, the same stdout, one warning line
WRITE_FAILED = "write-failed"  # exit 1, one line per listing or one error line naming why
OUTCOME_TEXT.update(
    {
        SAME: "the answer of a healthy home, nothing said",
        NOTED: "the answer of a healthy home + one warning line (the cause named)",
        WRITE_FAILED: "exit 1: what could not be written named, with the reason; nothing lost",
    }
)
LOCAL_OVERRIDES: dict[tuple[str, str], str] = {
    # today remembers what it showed (for --new): when it cannot, it says so.
    ("today", "full-disk"): NOTED,
    ("today", "read-only-home"): NOTED,
    # cache clear deletes, which a full disk allows; it names the files it kept.
    ("cache clear", "full-disk"): SAME,
    ("cache clear", "foreign-files"): NOTED,
}


def expected_local(command: LocalCommand, fault: LocalFault) -> str:
    """Reading commands answer as a healthy home does; where the index could not be used
    or rebuilt they say so once. Commands whose job is to write fail, naming what."""
    override = LOCAL_OVERRIDES.get((command.name, fault.name))
    if override:
        return override
    if fault.name == "foreign-files":
        return SAME
    if fault.name in ("full-disk", "read-only-home"):
        if command.writes:
            return WRITE_FAILED
        return NOTED if command.index else SAME
    return NOTED if command.index else SAME  # a damaged index: rebuilt, said once


def local_cells() -> list[tuple[LocalCommand, LocalFault]]:
    return [(c, f) for c in LOCAL_COMMANDS for f in LOCAL_FAULTS]


# The doc -----------------------------------------------------------------------------
START = "<!-- fault-matrix:start (generated by tests/support/faultmatrix.py --write) -->"
END = "<!-- fault-matrix:end -->"
SHORT = {
    OK: "ok",
    STALE: "stale",
    KEPT: "kept",
    EMPTY: "empty",
    ERROR: "error",
    SIGNALS: "no signals",
    FAILED: "failed",
    PARTIAL: "partial",
    NONE_NEW: "none new",
    "same": "same",
    "noted": "noted",
    "write-failed": "write failed",
}
BATCH_TEXT = {
    OK: "every listing fetched, exit 0; watch run: the new papers shown and marked as "
    "reported (earlier reports kept); digest: sent, then marked; --dry-run: printed, "
    "nothing marked",
    KEPT: "the empty answer ignored, the cached copy kept (a warning), exit 0",
    EMPTY: "an empty day cached, exit 0",
}


def _table(commands: tuple[Command, ...]) -> list[str]:
    header = "| fault | " + " | ".join(f"`papers {c.name}`" for c in commands) + " |"
    lines = [header, "|---" * (len(commands) + 1) + "|"]
    for f in FAULTS:
        row = [f.what]
        for c in commands:
            fresh = SHORT[expected(c, f, False)]
            stale = SHORT[expected(c, f, True)] if c.seed else "—"
            row.append(f"{fresh} / {stale}")
        lines.append("| " + " | ".join(row) + " |")
    return lines


def render_markdown() -> str:
    lines = [START, ""]
    lines.append(
        "Each cell: outcome without a cached copy / with one (— : the command keeps no cache)."
    )
    lines.append("")
    lines += _table(COMMANDS)
    lines += ["", "| outcome | meaning |", "|---|---|"]
    for key in (OK, STALE, KEPT, EMPTY, ERROR, SIGNALS):
        lines.append(f"| {SHORT[key]} | {OUTCOME_TEXT[key]} |")
    lines += [
        "",
        "Batch commands fetch several listings and report per listing. `sync` covers two "
        f"past days ({SYNC_DAYS[0]} and {SYNC_DAYS[1]}; only the second misbehaves, and its "
        "cached copy was fetched before the day was over, so sync fetches it again). "
        '`watch run` and `digest` run one rule (`query = "batch"`, Hugging Face) over '
        "today's listing, with a state folder holding earlier reports; the digest is sent "
        "to a loopback SMTP server (aiosmtpd). Whenever an outcome is not ok, the state "
        "folder is byte for byte as before and no message arrived.",
        "",
    ]
    lines += _table(BATCH_COMMANDS)
    lines += ["", "| outcome | meaning |", "|---|---|"]
    for key in (OK, KEPT, EMPTY, FAILED, PARTIAL, NONE_NEW):
        lines.append(f"| {SHORT[key]} | {BATCH_TEXT.get(key, OUTCOME_TEXT[key])} |")
    lines += [
        "",
        "Local faults (`tests/test_local_faults.py`): the same home, set up with a week of "
        "cached listings (nothing to fetch), a search index a day behind the files and a "
        "watch rule; the answer is compared with that of the same home without the fault. "
        "The full disk is an injected layer (every file write fails with ENOSPC, SQLite's "
        "`max_page_count` holds the index at its size), so it runs everywhere; the "
        "read-only home is a read-only bind mount, skipped where mounting is not allowed "
        "(`tests/test_index_faults.py` also runs papercli as an unprivileged user).",
        "",
    ]
    header = "| fault | " + " | ".join(f"`papers {c.name}`" for c in LOCAL_COMMANDS) + " |"
    lines += [header, "|---" * (len(LOCAL_COMMANDS) + 1) + "|"]
    for f in LOCAL_FAULTS:
        row = [f.what] + [SHORT[expected_local(c, f)] for c in LOCAL_COMMANDS]
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "| outcome | meaning |", "|---|---|"]
    for key in (SAME, NOTED, WRITE_FAILED):
        lines.append(f"| {SHORT[key]} | {OUTCOME_TEXT[key]} |")
    lines += ["", "The one-line reason for each failing fault (a pattern of the stderr line):", ""]
    lines += ["| fault | message |", "|---|---|"]
    for f in FAULTS:
        if f.fails:
            lines.append(f"| {f.what} | `{_cell(f.message)}` |")
    for (cname, fname), pattern in MESSAGES.items():
        lines.append(f"| {FAULTS_BY_NAME[fname].what}, `papers {cname}` | `{_cell(pattern)}` |")
    lines += ["", END]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def doc_block(text: str) -> str:
    match = re.search(re.escape(START) + r".*?" + re.escape(END), text, re.DOTALL)
    return match.group(0) if match else ""


def write_doc() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = doc_block(text)
    if not block:
        raise SystemExit(f"{DOC}: no fault-matrix markers")
    DOC.write_text(text.replace(block, render_markdown()), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_doc()
    else:
        print(render_markdown())
