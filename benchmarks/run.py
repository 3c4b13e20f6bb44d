"""papercli's benchmark suite: one command, real data on loopback, results in RESULTS.md.

    python benchmarks/run.py             # the full suite (a few minutes)
    python benchmarks/run.py --quick     # a smoke run: few repeats, small data (~30 s)
    python benchmarks/run.py --data PATH --out PATH
    python benchmarks/run.py --scale 300k,1m   # only the history at scale (45-60 min)

It serves ``../shared/data/hf_daily_papers_monthly`` (relative to the repository
root; ``--data`` overrides) with ``fakehub.py`` on loopback and measures:

* start-up: ``papers --help`` and ``papers today --offline`` (warm cache) against
  ``python -c pass`` and ``python -c "import rich.console"``, plus the top
  imports of ``python -X importtime``;
* fetching: one request, and a month of 6 pages with the default window of
  concurrent requests and sequentially, at 200 ms latency per request;
* conditional requests: revalidating a day (304) against fetching it again;
* rendering: the listing table for 2,000 papers against rich.table.Table;
* the peer: ``hf papers ls`` (huggingface_hub) listing a day through
  ``HF_ENDPOINT`` against ``papers list`` doing the same (skipped with a note
  when ``hf`` is not installed);
* the other benchmark scripts when present, with their own output: local
  search (``search_bench.py``), arXiv (``bench_arxiv.py``, and
  ``bench_arxiv_ranges.py``: sync in ranges against day by day), exports
  (``export_formats.py``), the "for you" ranking model (``rank_bench.py``);
  arXiv and exports only in full runs.

Every figure is the median of repeated runs with min and max, and its ratio to
a baseline measured in the same run. Timings are wall-clock on this machine.

``--scale SIZES`` runs only ``scale_bench.py`` (sync, search, show and --sort
for-you over 300,080 and 1,005,268 papers; caches under ``--scale-work``, default
/tmp/papers-scale) and replaces only its section of the report, "History at
scale"; a run without it keeps that section as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

import fakehub  # noqa: E402

LATENCY = 0.2


@dataclass
class Figure:
    section: str
    name: str
    samples: list[float]  # seconds
    baseline: str | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


@dataclass
class Suite:
    quick: bool
    figures: list[Figure]
    notes: list[str]
    extra: dict[str, str]

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        ratio = ""
        base = self.find(figure.baseline)
        if base is not None:
            ratio = f"  ({figure.median / base.median:.2f}x {base.name})"
        print(
            f"  {figure.section:10} {figure.name:48} {_ms(figure.median):>10}"
            f"  [{_ms(min(figure.samples))} .. {_ms(max(figure.samples))}]{ratio}",
            flush=True,
        )
        return figure

    def find(self, name: str | None) -> Figure | None:
        return next((f for f in self.figures if f.name == name), None) if name else None


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.2f} s"


def repeat(fn: Callable[[], Any], times: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def interleaved(fns: dict[str, Callable[[], Any]], times: int) -> dict[str, list[float]]:
    """Round-robin samples (one run of each per round): a load change hits every candidate."""
    for fn in fns.values():
        fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(times):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return samples


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "Python": platform.python_version() + f" ({sys.executable})",
        "OS": platform.platform(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load average at start (1, 5, 15 min)": _load(),
        "papercli install": _install(),
    }


def _install() -> str:
    """How papercli is installed, and how many of its modules had current bytecode.

    Modules without current bytecode are compiled here, before anything is timed:
    a regular install compiled them at install time, but an editable one under
    PYTHONDONTWRITEBYTECODE compiles every edited module on every start (about
    20 ms for cli.py), which is not what a user of the README's install sees.
    """
    import compileall
    import importlib.util
    import json
    from importlib.metadata import PackageNotFoundError, distribution

    import papercli

    package = Path(papercli.__file__).parent
    modules = sorted(package.rglob("*.py"))

    def current(source: Path) -> bool:
        cached = Path(importlib.util.cache_from_source(str(source)))
        return cached.exists() and cached.stat().st_mtime >= source.stat().st_mtime

    fresh = sum(current(m) for m in modules)
    if fresh < len(modules):
        compileall.compile_dir(str(package), quiet=1)
    try:  # PEP 610: pip records an editable install in direct_url.json
        direct = json.loads(distribution("papercli").read_text("direct_url.json") or "{}")
        editable = bool(direct.get("dir_info", {}).get("editable"))
    except (PackageNotFoundError, ValueError):
        editable = False
    where = "editable" if editable else "regular"
    flag = ", PYTHONDONTWRITEBYTECODE set" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""
    compiled = (
        f"; the other {len(modules) - fresh} compiled before timing" if fresh < len(modules) else ""
    )
    return f"{where}{flag}; {fresh} of {len(modules)} modules had current bytecode{compiled}"


def _load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in ("papercli", "typer", "rich", "httpx", "huggingface_hub"):
        try:
            out.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            out.append(f"{name} (not installed)")
    return ", ".join(out)


# --- data --------------------------------------------------------------------------


def load_items(data: Path) -> dict[str, list[dict[str, Any]]]:
    hub = fakehub.HubData(data)
    return dict(hub.by_day)


def busiest_day(by_day: dict[str, list[Any]]) -> str:
    return max(sorted(by_day), key=lambda d: len(by_day[d]))


def six_page_month(by_day: dict[str, list[Any]]) -> str:
    months: dict[str, int] = {}
    for day, items in by_day.items():
        months[day[:7]] = months.get(day[:7], 0) + len(items)
    six = [m for m, n in sorted(months.items()) if 500 < n <= 600]
    return six[-1] if six else max(months, key=lambda m: months[m])


@contextlib.contextmanager
def hub(data: Path, latency: float = 0.0) -> Iterator[str]:
    server, url = fakehub.serve(data, latency=latency)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


def papers_command() -> list[str]:
    script = Path(sys.executable).with_name("papers")
    return [str(script)] if script.exists() else [sys.executable, "-m", "papercli"]


def run_quiet(cmd: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {result.stderr.decode()[-500:]}")


# --- benchmarks --------------------------------------------------------------------------

STACK_FLOOR = "python -c 'import typer, rich.console, rich.text'"


def bench_startup(suite: Suite, data: Path, home: Path, runs: int) -> None:
    from papercli.dates import parse_month
    from papercli.sources import hf
    from papercli.sources.http import Http
    from papercli.storage.cache import Cache

    by_day = load_items(data)
    day = busiest_day(by_day)
    with hub(data) as url, Http() as http:
        papers = hf.fetch_listing(http, url, parse_month(day[:7]))
    today = dt.date.today().isoformat()
    drawn = [p for p in papers if p.listed == day]
    Cache(home / "cache").save("hf", "day", today, drawn)
    env = {**os.environ, "PAPERS_HOME": str(home), "PAPERS_HF_URL": "http://127.0.0.1:9"}
    env.pop("PAPERS_DEBUG", None)
    py = sys.executable
    cmds = {
        "python -c pass": [py, "-c", "pass"],
        "python -c 'import rich.console'": [py, "-c", "import rich.console"],
        # What any Typer CLI pays before its first line runs, and with Rich text too:
        # the floor under papers --help and papers today with this stack.
        "python -c 'import typer'": [py, "-c", "import typer"],
        STACK_FLOOR: [py, "-c", "import typer, rich.console, rich.text"],
        "papers --help": [*papers_command(), "--help"],
        "papers today --offline (warm cache)": [*papers_command(), "today", "--offline"],
    }
    measured = interleaved({n: lambda c=c: run_quiet(c, env) for n, c in cmds.items()}, runs)
    for name, samples in measured.items():
        base = None if name.startswith("python") else "python -c pass"
        suite.add(Figure("start-up", name, samples, base))
    bases = {
        "python -c pass": "`python -c pass`",
        "python -c 'import rich.console'": "`import rich.console`",
        "python -c 'import typer'": "`import typer`",
        STACK_FLOOR: "`import typer, rich.console, rich.text`",
    }
    rows = []
    for name in ("papers --help", "papers today --offline (warm cache)"):
        fig = suite.find(name)
        assert fig is not None
        ratios = []
        for base_name in bases:
            base = suite.find(base_name)
            assert base is not None
            ratios.append(f"{fig.median / base.median:.2f}x")
        rows.append(f"| `{name}` | {' | '.join(ratios)} |")
    floor = suite.find(STACK_FLOOR)
    today = suite.find("papers today --offline (warm cache)")
    assert floor is not None and today is not None
    suite.extra["start-up ratios"] = "\n".join(
        [
            f"| command | {' | '.join(bases.values())} |",
            "|---|" + "---:|" * len(bases),
            *rows,
            "",
            f"`papers today --offline` spends {_ms(today.median - floor.median)} above the "
            "imports of its stack (its own modules, building its one command, reading the "
            f"cache, drawing the table of the busiest real day, {len(drawn)} papers, "
            "to a pipe).",
        ]
    )
    result = subprocess.run(
        [py, "-X", "importtime", "-m", "papercli", "today", "--offline"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    rows = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            head, cumulative, name = line.split("|", 2)
            with contextlib.suppress(ValueError):
                rows.append((int(cumulative), int(head.split(":")[1]), name.strip()))
    top = sorted(rows, reverse=True)[:15]
    loaded = {name for _, _, name in rows}
    suite.extra["importtime"] = "\n".join(
        f"| `{name}` | {cum / 1000:.1f} | {own / 1000:.1f} |" for cum, own, name in top
    )
    heavy = ["httpx", "feedparser", "pydantic", "rich.markdown", "rich.table", "sqlite3"]
    suite.extra["loaded"] = ", ".join(f"{m}: {'yes' if m in loaded else 'no'}" for m in heavy)
    print("  top imports (cumulative ms):")
    for cum, _own, name in top[:8]:
        print(f"    {cum / 1000:7.1f}  {name}")


def bench_fetch(suite: Suite, data: Path, runs: int) -> None:
    from papercli.config import defaults
    from papercli.dates import parse_month
    from papercli.sources import hf
    from papercli.sources.http import Http

    by_day = load_items(data)
    month = parse_month(six_page_month(by_day))
    day = busiest_day(by_day)
    concurrency = int(defaults()["sources.hf"]["concurrency"])
    pages: list[int] = []
    with hub(data, latency=LATENCY) as url:

        def one_request() -> None:
            with Http() as http:
                http.get(f"{url}/api/daily_papers", {"date": day, "limit": "100", "p": "0"})

        def month_with(conc: int) -> Callable[[], None]:
            def run() -> None:
                with Http() as http:
                    got = hf.fetch_listing_if_changed(http, url, month, conc)
                    pages.append(got.pages)

            return run

        base = suite.add(Figure("fetch", "one request (200 ms latency)", repeat(one_request, runs)))
        suite.add(
            Figure(
                "fetch",
                f"month {month.key}, {concurrency} concurrent (default)",
                repeat(month_with(concurrency), runs),
                base.name,
            )
        )
        suite.add(
            Figure(
                "fetch",
                f"month {month.key}, sequential",
                repeat(month_with(1), max(2, runs // 2)),
                base.name,
            )
        )
    suite.notes.append(
        f"The month {month.key} has {pages[0]} pages of 100 papers; fakehub adds "
        f"{LATENCY * 1000:.0f} ms to every request."
    )


def bench_conditional(suite: Suite, data: Path, runs: int) -> None:
    from papercli.dates import day_period
    from papercli.sources import hf
    from papercli.sources.http import Http

    day = day_period(dt.date.fromisoformat(busiest_day(load_items(data))))
    with hub(data) as url, Http() as http:
        first = hf.fetch_listing_if_changed(http, url, day)
        assert first.validators, "fakehub sent no ETag"

        def full() -> None:
            hf.fetch_listing_if_changed(http, url, day)

        def revalidate() -> None:
            assert hf.fetch_listing_if_changed(
                http, url, day, validators=first.validators
            ).not_modified

        base = suite.add(
            Figure("revalidate", f"day {day.key}: fetch again (200)", repeat(full, runs))
        )
        suite.add(
            Figure(
                "revalidate",
                f"day {day.key}: revalidate (304)",
                repeat(revalidate, runs),
                base.name,
            )
        )
        body = http.get(f"{url}/api/daily_papers", {"date": day.key, "limit": "100", "p": "0"}).body
    suite.notes.append(
        f"Revalidating {day.key} ({len(first.papers)} papers) moves no body instead of "
        f"{len(body) / 1000:.0f} kB and skips parsing; on loopback without latency."
    )


def bench_render(suite: Suite, data: Path, count: int, runs: int) -> None:
    from rich.console import Console

    from papercli.query import Query
    from papercli.sources.hf import paper_from_item
    from papercli.ui.table import _rich_table, papers_table

    items = [it for day_items in load_items(data).values() for it in day_items]
    papers = [p for p in (paper_from_item(it) for it in items) if p is not None][:count]
    for query_text in ("", "language model"):
        query = Query.parse(query_text)

        def draw(fast: bool, q: Query = query) -> None:
            console = Console(
                file=io.StringIO(), width=120, force_terminal=True, color_system="truecolor"
            )
            table = papers_table(papers, q, width=120)
            if not fast:
                table = _rich_table(table.columns, table.rows)  # type: ignore[attr-defined]
            console.print(table)

        label = (
            f"{len(papers)} papers, query {query_text!r}" if query_text else f"{len(papers)} papers"
        )
        slow_name, fast_name = f"rich.table.Table, {label}", f"papers_table, {label}"
        measured = interleaved(
            {slow_name: lambda: draw(False), fast_name: lambda: draw(True)}, runs
        )
        suite.add(Figure("render", slow_name, measured[slow_name]))
        suite.add(Figure("render", fast_name, measured[fast_name], slow_name))


def bench_peer(suite: Suite, data: Path, home: Path, runs: int) -> None:
    hf_cli = shutil.which("hf", path=str(Path(sys.executable).parent)) or shutil.which("hf")
    day = busiest_day(load_items(data))
    with hub(data) as url:
        env = {
            **os.environ,
            "PAPERS_HOME": str(home),
            "PAPERS_HF_URL": url,
            "HF_ENDPOINT": url,
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_OFFLINE": "0",
            "NO_COLOR": "1",
        }
        papers = papers_command()
        ours_name = f"papers list --date {day} --json --refresh"
        cached_name = f"papers list --date {day} (cached, table)"
        theirs_name = f"hf papers ls --date {day} --limit 100 --format json"
        commands = {
            ours_name: [*papers, "list", "--date", day, "--json", "--refresh"],
            cached_name: [*papers, "list", "--date", day],
        }
        count = 0
        if hf_cli is None:
            suite.notes.append("Peer skipped: `hf` (huggingface_hub) is not installed.")
        else:
            theirs = [hf_cli, "papers", "ls", "--date", day, "--limit", "100", "--format", "json"]
            check = subprocess.run(theirs, env=env, capture_output=True, text=True, check=False)
            if check.returncode == 0:
                count = len(json.loads(check.stdout))
                commands[theirs_name] = theirs
            else:
                suite.notes.append(
                    f"Peer skipped: `hf papers ls` failed: {check.stderr.strip()[-300:]}"
                )
        measured = interleaved(
            {name: lambda c=cmd: run_quiet(c, env) for name, cmd in commands.items()}, runs
        )
        base = suite.add(Figure("peer", ours_name, measured[ours_name]))
        suite.add(Figure("peer", cached_name, measured[cached_name], ours_name))
        if theirs_name not in measured:
            return
        fig = suite.add(Figure("peer", theirs_name, measured[theirs_name], ours_name))
        suite.notes.append(
            f"The peer is huggingface_hub's `hf` CLI pointed at the same loopback server "
            f"(HF_ENDPOINT); both list the {count} papers of {day}. Ratios in the peer rows are "
            f"to `papers list --json --refresh` (a fresh fetch): `hf` takes "
            f"{fig.median / base.median:.2f}x as long."
        )


# Scripts whose output is already Markdown (tables): not fenced in the report.
MARKDOWN_REPORTS = {
    "Triage screen (benchmarks/browse_bench.py)",
    "Ranking (benchmarks/rank_bench.py)",
    "arXiv history in ranges (benchmarks/bench_arxiv_ranges.py)",
}


def bench_others(suite: Suite, shared: Path, quick: bool) -> None:
    """The other helpers' benchmark scripts, when present, with their own output."""
    scripts = {
        # name: (file, arguments, run in --quick mode too)
        "Local search (benchmarks/search_bench.py)": ("search_bench.py", [], True),
        "arXiv source (benchmarks/bench_arxiv.py)": (
            "bench_arxiv.py",
            ["--shared", str(shared)],
            False,
        ),
        "arXiv history in ranges (benchmarks/bench_arxiv_ranges.py)": (
            "bench_arxiv_ranges.py",
            ["--shared", str(shared)],
            False,
        ),
        "Exports (benchmarks/export_formats.py)": ("export_formats.py", [], False),
        "Triage screen (benchmarks/browse_bench.py)": ("browse_bench.py", [], True),
        "Ranking (benchmarks/rank_bench.py)": (
            "rank_bench.py",
            ["--data", str(shared / "data")],
            True,
        ),
    }
    for title, (name, args, in_quick) in scripts.items():
        script = HERE / name
        if not script.exists():
            suite.notes.append(f"{title}: not here (yet); skipped.")
            continue
        if quick and not in_quick:
            suite.notes.append(f"{title}: skipped in --quick mode.")
            continue
        tries = [[*args, "--quick"], args] if quick else [args]
        for argv in tries:
            result = subprocess.run(
                [sys.executable, str(script), *argv],
                capture_output=True,
                text=True,
                check=False,
                timeout=1800,
            )
            if result.returncode == 0:
                suite.extra[title] = result.stdout.strip()
                print(f"  {title}:\n" + result.stdout.rstrip())
                break
            if result.returncode != 2 or argv is tries[-1]:  # 2: an unknown --quick
                suite.notes.append(f"{title} failed: {result.stderr.strip()[-300:]}")
                break


# --- the report -------------------------------------------------------------------------------


def write_results(suite: Suite, path: Path, info: dict[str, str]) -> None:
    lines = [
        "# papercli benchmark results",
        "",
        "Written by `python benchmarks/run.py`"
        + (" --quick (a smoke run)" if suite.quick else "")
        + ". Each figure is the median of repeated runs, with the min and max; the ratio is to "
        "the baseline named beside it, measured in the same run.",
        "",
        "## Machine",
        "",
        *(f"- {k}: {v}" for k, v in info.items()),
        f"- packages: {versions()}",
        "",
        "## Figures",
        "",
        "| section | what | median | min | max | runs | ratio to baseline |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for f in suite.figures:
        base = suite.find(f.baseline)
        ratio = f"{f.median / base.median:.2f}x {base.name}" if base else "(baseline)"
        lines.append(
            f"| {f.section} | {f.name} | {_ms(f.median)} | {_ms(min(f.samples))} | "
            f"{_ms(max(f.samples))} | {len(f.samples)} | {ratio} |"
        )
    if "start-up ratios" in suite.extra:
        lines += [
            "",
            "## Start-up against the interpreter and the stack's own imports",
            "",
            suite.extra["start-up ratios"].rstrip(),
        ]
    if "importtime" in suite.extra:
        lines += [
            "",
            "## Where `papers today --offline` spends its imports",
            "",
            "Top of `python -X importtime -m papercli today --offline` (milliseconds, one run):",
            "",
            "| module | cumulative | self |",
            "|---|---:|---:|",
            suite.extra["importtime"],
            "",
            f"Heavy modules loaded on that path: {suite.extra['loaded']}.",
        ]
    for title, output in suite.extra.items():
        if title in MARKDOWN_REPORTS:  # a script that prints its section as Markdown
            lines += ["", f"## {title}", "", output]
        elif title.endswith(".py)"):  # another benchmark script's own report
            lines += ["", f"## {title}", "", "```", output, "```"]
    import scale_report

    history = scale_report.section_of(path, scale_report.TITLE)  # written by --scale runs
    if history is not None:
        lines += ["", f"## {scale_report.TITLE}", "", history]
    if suite.notes:
        lines += ["", "## Notes", "", *(f"- {n}" for n in suite.notes)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="few repeats, small data (a smoke run)"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="the shared data folder (default: ../shared/data from the repository root, "
        "or ../../shared/data from a worktree)",
    )
    parser.add_argument(
        "--out", type=Path, default=HERE / "RESULTS.md", help="where to write the report"
    )
    parser.add_argument(
        "--scale",
        metavar="SIZES",
        default=None,
        help="run only the history at scale for these sizes (300k, 1m or N copies as Nx, "
        "comma-separated: 300k,1m takes about an hour) and write its section of --out",
    )
    import scale_bench

    scale_bench.add_options(parser, "scale-")
    args = parser.parse_args(argv)
    if args.data is None:
        candidates = [ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"]
        args.data = next((c for c in candidates if c.is_dir()), candidates[0])
    data = (
        args.data / "hf_daily_papers_monthly"
        if (args.data / "hf_daily_papers_monthly").is_dir()
        else args.data
    )
    if not any(data.glob("daily_papers_*.json")):
        print(f"No daily_papers_*.json under {data}; pass --data.", file=sys.stderr)
        return 2
    quick = args.quick
    if args.scale:
        options = scale_bench.Options(args.scale_work, 1 if quick else 5, keep=args.scale_keep)
        given = argv if argv is not None else sys.argv[1:]
        command = " ".join(["python benchmarks/run.py", *given])
        sizes = scale_bench.parse_sizes(args.scale, args.scale_months)
        return scale_bench.run(sizes, options, data.parent, args.out, command)
    suite = Suite(quick, [], [], {})
    info = machine()
    python = platform.python_version()
    print(f"papercli benchmarks on {info['CPU']} ({info['cores']} cores), Python {python}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="papers-bench-") as tmp:
        bench_startup(suite, data, Path(tmp) / "startup", runs=5 if quick else 30)
        bench_fetch(suite, data, runs=2 if quick else 7)
        bench_conditional(suite, data, runs=5 if quick else 30)
        bench_render(suite, data, count=300 if quick else 2000, runs=2 if quick else 7)
        bench_peer(suite, data, Path(tmp) / "peer", runs=3 if quick else 15)
        bench_others(suite, data.parent.parent, quick)
    suite.notes.append(f"The whole run took {time.perf_counter() - started:.0f} s.")
    info["load average at the end"] = _load()
    write_results(suite, args.out, info)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
