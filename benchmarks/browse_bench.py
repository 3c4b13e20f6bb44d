"""The triage screen (``papers browse``): first screen, and a keypress to the redrawn screen.

1. First screen with a cached day: a fresh child process, on a pseudo-terminal of
   80x24 (the real Linux driver, escape sequences written to a terminal), imports
   ``papercli.cli`` (as the ``papers`` entry point does) and the screen, reads the
   busiest real Hugging Face day from a papercli cache and shows it; the child
   signals on a pipe once that first frame has been drawn (``call_after_refresh``),
   and quits. Measured from the parent: start of the process to that signal, beside
   ``python -c pass``, ``python -c "import textual.app"`` and
   ``python -c "import papercli.ui.browse.app"``.
2. A keypress to the redrawn screen with 2,000 real papers in the list, through
   Textual's Pilot at 120x40: the key event is sent to the app, every message it
   causes is handled, and the screen's update is composed and serialised to the
   terminal's escape sequences (what the terminal would receive). ``Pilot.press``
   itself also waits for the process to go idle (two sleeps of at least 20 ms each),
   which is test scaffolding, not the app: it is left out of the timing. Measured for
   ``j`` (the cursor down a line, the list scrolling once the cursor leaves the first
   screenful), ``G``/``g`` (jump to the end and back) and typing a ``/`` filter one
   character at a time (each character re-filters the 2,000 papers).

Usage::

    python benchmarks/browse_bench.py          # data: $PAPERS_BENCH_DATA or ../shared/data
    python benchmarks/browse_bench.py --quick  # a smoke run

Prints a Markdown section (pasted into benchmarks/RESULTS.md under "Triage screen").
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import fcntl
import json
import os
import platform
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
Row = tuple[str, list[float], "list[float] | None"]  # what, wall-clock samples, CPU samples


# --- data ---------------------------------------------------------------------------


def data_dir(given: Path | None) -> Path:
    if given is None and os.environ.get("PAPERS_BENCH_DATA"):
        given = Path(os.environ["PAPERS_BENCH_DATA"])
    candidates = (
        [given]
        if given
        else [ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"]
    )
    for c in candidates:
        for d in (c / "hf_daily_papers_monthly", c):
            if any(d.glob("daily_papers_*.json")):
                return d
    raise SystemExit(f"No daily_papers_*.json under {candidates[0]}; pass --data.")


def real_papers(data: Path, count: int) -> list[Any]:
    """The first ``count`` papers of the monthly files, newest month first."""
    from papercli.sources.hf import paper_from_item

    papers: list[Any] = []
    for path in sorted(data.glob("daily_papers_*.json"), reverse=True):
        for item in json.loads(path.read_bytes()):
            paper = paper_from_item(item)
            if paper is not None:
                papers.append(paper)
        if len(papers) >= count:
            break
    return papers[:count]


def busiest_day(data: Path) -> tuple[str, list[Any]]:
    """The real day with the most papers in the newest month file."""
    from papercli.sources.hf import paper_from_item

    path = sorted(data.glob("daily_papers_*.json"))[-1]
    days: dict[str, list[Any]] = collections.defaultdict(list)
    for item in json.loads(path.read_bytes()):
        paper = paper_from_item(item)
        if paper is not None and paper.listed:
            days[paper.listed[:10]].append(paper)
    day = max(days, key=lambda d: len(days[d]))
    return day, days[day]


# --- a backend over the cache (what "papers browse --offline" reads) -------------------


class CacheBackend:
    """Reads one day from a papercli cache; writes nothing (a benchmark backend)."""

    def __init__(self, cache_root: Path, day: str) -> None:
        self.cache_root, self.day = cache_root, day

    def load(self, view: Any, *, refresh: bool, offline: bool) -> Any:
        from papercli.dates import day_period
        from papercli.errors import NotFoundError
        from papercli.storage.cache import Cache
        from papercli.ui.browse.backend import Page

        key = view.key if view is not None else self.day
        entry = Cache(self.cache_root).load("hf", "day", key)
        if entry is None:
            raise NotFoundError(f"Nothing cached for {key}.")
        period = day_period(__import__("datetime").date.fromisoformat(key))
        heading = f"Hugging Face Daily Papers · {key} · {len(entry.papers)} papers"
        return Page(entry.papers, heading, period)

    def step(self, period: Any, delta: int) -> Any:
        import datetime as dt

        from papercli.dates import day_period

        start = period.start if period is not None else dt.date.fromisoformat(self.day)
        return day_period(start + dt.timedelta(days=delta))

    def rate(self, paper: Any, rating: Any) -> Any:
        from papercli.ui.browse.backend import Mark

        return Mark(rating)

    def save(self, paper: Any, tag: Any) -> Any:
        from papercli.ui.browse.backend import Mark

        return Mark(saved=True)

    def marks(self, papers: Sequence[Any]) -> dict[str, Any]:
        return {}

    def mark_seen(self, papers: Sequence[Any]) -> None:
        return None

    def open_url(self, paper: Any, *, pdf: bool) -> str | None:
        return None


class ListBackend(CacheBackend):
    """Serves a list of papers from memory."""

    def __init__(self, papers: list[Any]) -> None:
        super().__init__(Path("/nonexistent"), "2025-07-15")
        self.papers = papers

    def load(self, view: Any, *, refresh: bool, offline: bool) -> Any:
        from papercli.ui.browse.backend import Page

        heading = f"Benchmark · {len(self.papers)} papers"
        return Page(list(self.papers), heading, None)


# --- 1. the first screen -------------------------------------------------------------------


def child(fd: int, home: str, day: str) -> None:
    """In the child: papers' entry module, the screen, the cached day; signal when drawn."""
    import papercli.cli  # noqa: F401  (the entry point loads it first)
    from papercli.ui.browse.app import BrowseApp

    class FirstScreen(BrowseApp):
        def _show(self, *args: Any) -> None:
            super()._show(*args)
            self.call_after_refresh(self._drawn)

        def _drawn(self) -> None:
            os.write(fd, f"{time.process_time():.6f}\n".encode())  # CPU time so far
            self.exit()

    backend = CacheBackend(Path(home) / "cache", day)
    FirstScreen(backend, offline=True).run()  # type: ignore[arg-type]


def first_screen_once(home: Path, day: str) -> tuple[float, float, float, float]:
    """Seconds from the start of the child to its first frame, and to its exit; and the
    CPU time it had used by then."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    read_end, write_end = os.pipe()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TEXTUAL")}
    env.update(TERM="xterm-256color", COLUMNS="80", LINES="24", PAPERS_HOME=str(home))

    def drain() -> None:
        while True:
            try:
                if not os.read(master, 65536):
                    break
            except OSError:
                break

    drainer = threading.Thread(target=drain, daemon=True)
    drainer.start()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", str(write_end), str(home), day],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        pass_fds=(write_end,),
        env=env,
        start_new_session=True,
    )
    os.close(write_end)
    signal = os.read(read_end, 64)
    drawn = time.perf_counter() - started
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    ended = time.perf_counter() - started
    os.close(read_end)
    os.close(slave)
    os.close(master)
    if not signal.endswith(b"\n") or process.returncode != 0:
        raise SystemExit(f"the child failed (status {process.returncode})")
    return drawn, ended, float(signal), usage.ru_utime + usage.ru_stime


def python_c(code: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``python -c code``."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code])
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"python -c {code!r} failed")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def measure_first_screen(data: Path, runs: int) -> list[Row]:
    from papercli.storage.cache import Cache

    day, papers = busiest_day(data)
    with tempfile.TemporaryDirectory(prefix="papers-browse-bench-") as tmp:
        home = Path(tmp)
        Cache(home / "cache").save("hf", "day", day, papers)
        (home / "config.toml").write_text("")
        first_screen_once(home, day)  # warm the page cache and bytecode
        wall: dict[str, list[float]] = collections.defaultdict(list)
        cpu: dict[str, list[float]] = collections.defaultdict(list)

        def add(name: str, seconds: float, cpu_seconds: float) -> None:
            wall[name].append(seconds)
            cpu[name].append(cpu_seconds)

        first = f"first screen, cached day {day} ({len(papers)} papers), 80x24 pty"
        for _ in range(runs):  # interleaved, so drifting load hits all alike
            add("python -c pass", *python_c("pass"))
            add('python -c "import textual.app"', *python_c("import textual.app"))
            add(
                'python -c "import papercli.ui.browse.app"',
                *python_c("import papercli.ui.browse.app"),
            )
            drawn, ended, cpu_drawn, cpu_ended = first_screen_once(home, day)
            add(first, drawn, cpu_drawn)
            add("... and quit (terminal given back)", ended, cpu_ended)
    return [(name, wall[name], cpu[name]) for name in wall]


# --- 2. keypresses -----------------------------------------------------------------------------


async def measure_keys(papers: list[Any], presses: int) -> list[Row]:
    from textual import events

    from papercli.ui.browse.app import BrowseApp

    app = BrowseApp(ListBackend(papers), offline=True)  # type: ignore[arg-type]
    out: list[Row] = []
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(1000):
            if app.papers.rows and not app.busy:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        assert len(app.papers.rows) == len(papers), len(app.papers.rows)
        sent = []

        def display(screen: Any, update: Any) -> None:  # what the terminal would receive
            if update is not None:
                sent.append(len(update.render_segments(app.console)))

        app._display = display  # type: ignore[method-assign]
        driver = app._driver
        assert driver is not None

        wall: dict[str, list[float]] = collections.defaultdict(list)
        cpu: dict[str, list[float]] = collections.defaultdict(list)

        async def press(label: str, key: str, char: str | None, done: Callable[[], bool]) -> None:
            started, cpu_started = time.perf_counter(), time.process_time()
            event = events.Key(key, char)
            event.set_sender(app)
            driver.send_message(event)
            for _ in range(50):
                await pilot._wait_for_screen()
                if done():
                    break
            else:
                raise AssertionError(f"{key!r} was not handled")
            app.screen._on_timer_update()
            wall[label].append(time.perf_counter() - started)
            cpu[label].append(time.process_time() - cpu_started)

        down = f"j (cursor down; {len(papers)} papers, 120x40)"
        for i in range(presses):
            await press(down, "j", "j", lambda i=i: app.papers.cursor == i + 1)
        jumps = "G / g (last paper, first paper)"
        for _ in range(max(5, presses // 2)):
            await press(jumps, "G", "G", lambda: app.papers.cursor == len(papers) - 1)
            await press(jumps, "g", "g", lambda: app.papers.cursor == 0)

        await pilot.press("slash")
        await pilot.pause()
        text = "language model"
        typed = ""
        typing = "/ filter, one character typed or erased ('language model')"
        while len(wall[typing]) < presses:
            for ch in text:
                typed += ch
                key = "space" if ch == " " else ch
                want = typed.strip()
                await press(typing, key, ch, lambda w=want: app.filter_text == w)
            for _ in text:
                typed = typed[:-1]
                want = typed.strip()
                await press(typing, "backspace", None, lambda w=want: app.filter_text == w)
        assert sent, "no screen update was composed"
        out = [(label, wall[label], cpu[label]) for label in wall]
    return out


# --- the report ---------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def table(rows: Sequence[Row]) -> list[str]:
    with_cpu = any(cpu for _, _, cpu in rows)
    head = "| what | median | min | max | runs |" + (" CPU time, median |" if with_cpu else "")
    lines = [head, "|---|---:|---:|---:|---:|" + ("---:|" if with_cpu else "")]
    for name, samples, cpu in rows:
        line = (
            f"| {name} | {ms(statistics.median(samples))} | {ms(min(samples))} | "
            f"{ms(max(samples))} | {len(samples)} |"
        )
        if with_cpu:
            line += f" {ms(statistics.median(cpu)) if cpu else ''} |"
        lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), sys.argv[3], sys.argv[4])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="the shared data folder")
    parser.add_argument("--runs", type=int, default=9, help="first-screen runs (default 9)")
    parser.add_argument("--presses", type=int, default=50, help="keypresses timed (default 50)")
    parser.add_argument("--papers", type=int, default=2000, help="papers in the list")
    parser.add_argument("--quick", action="store_true", help="few runs (a smoke run)")
    parser.add_argument("--keys-only", action="store_true", help="skip the first-screen runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.presses = 2, 10
    data = data_dir(args.data)
    sys.path.insert(0, str(ROOT / "src"))
    import textual

    first = [] if args.keys_only else measure_first_screen(data, args.runs)
    papers = real_papers(data, args.papers)
    keys = asyncio.run(measure_keys(papers, args.presses))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"Textual {textual.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average at the end {load}. "
        "Run: `python benchmarks/browse_bench.py`.",
        "",
        "First screen with a cached day (a fresh process on an 80x24 pseudo-terminal, "
        "from its start to the first frame drawn; the import-only rows are the same "
        "interpreter doing nothing else). Target: under 1 s.",
        "",
        *table(first),
        "",
        f"A keypress to the redrawn screen, {len(papers)} real papers in the list (Pilot, "
        "headless; the key handled, every message it caused handled, the screen's update "
        "composed and serialised to escape sequences). Target: under 50 ms.",
        "",
        *table(keys),
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
