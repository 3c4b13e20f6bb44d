"""The history-at-scale harness (benchmarks/scale_bench.py, ``run.py --scale``): a smoke
run at one copy and one month, and fakehub's copies up to a million papers: ids and
dates that papercli accepts, each copy in months of its own."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from papercli.dates import parse_day, parse_month
from papercli.ids import is_paper_id, parse_paper_id
from papercli.storage.cache import is_own_file

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import fakehub  # noqa: E402
import scale_bench  # noqa: E402
import scale_report  # noqa: E402


def _shared_data() -> Path | None:
    for candidate in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"):
        if (candidate / "hf_daily_papers_monthly").is_dir():
            return candidate
    return None


@pytest.mark.parametrize("copy", [1, 2, 39, 69, 70, 71, 133, fakehub.MAX_SCALE - 1])
@pytest.mark.parametrize("real", ["2305.01234", "2511.27688", "2401.00001", "2712.49999"])
def test_copies_have_valid_distinct_ids(real: str, copy: int) -> None:
    made = fakehub.replica_id(real, copy)
    assert is_paper_id(made) and parse_paper_id(made) == (made, None)
    assert is_own_file(("hf", "paper", f"{made}.json"))
    assert fakehub.original_id(made) == (real, copy)
    assert made[:2] >= "30" or made.split(".")[1] >= "50000"  # no real id of 2020-2029


def test_copy_ids_never_meet() -> None:
    reals = [
        f"{yy}{mm:02d}.{n:05d}" for yy in (23, 24, 25) for mm in (1, 6, 12) for n in (1, 27688)
    ]
    made = [fakehub.replica_id(r, c) for r in reals for c in range(1, fakehub.MAX_SCALE)]
    assert len(set(made)) == len(made)
    assert not set(made) & set(reals)


def test_ids_that_cannot_be_copied() -> None:
    for real, copy in [("2305.01234", fakehub.MAX_SCALE), ("1905.01234", 1), ("2305.50000", 70)]:
        with pytest.raises(ValueError):
            fakehub.replica_id(real, copy)


def test_a_million_papers_reach_back_to_1656_in_dates_papercli_reads() -> None:
    oldest = scale_bench.Size("1m", scale_bench.SIZES["1m"]).since
    assert oldest == dt.date(1656, 4, 1)
    assert parse_day(oldest.isoformat(), dt.date(2026, 11, 30)) == oldest
    assert parse_month(oldest.isoformat()[:7]).start == oldest
    last_of_copy = dt.date(2025, 11, 28) - dt.timedelta(days=fakehub.SHIFT_DAYS)
    first_of_newer = dt.date(2023, 5, 4)
    assert (first_of_newer - last_of_copy).days > 31  # no month holds two copies


@pytest.mark.skipif(_shared_data() is None, reason="no ../shared/data here")
def test_hub_serves_copies_on_request() -> None:
    data = _shared_data()
    assert data is not None
    hub = fakehub.HubData(data / "hf_daily_papers_monthly", scale=fakehub.MAX_SCALE)
    real_day = max(hub.by_day)
    copy = fakehub.MAX_SCALE - 1
    day = (
        dt.date.fromisoformat(real_day) - dt.timedelta(days=copy * fakehub.SHIFT_DAYS)
    ).isoformat()
    items = hub.select({"date": day})
    assert len(items) == len(hub.by_day[real_day]) > 0
    for item in items:
        assert item["paper"]["submittedOnDailyAt"].startswith(day)
        assert hub.paper(item["paper"]["id"])["paper"] == item["paper"]
    assert hub.select({"month": day[:7]})  # the month of a copy
    assert hub.paper(fakehub.replica_id("2001.00001", 3)) is None  # not a real paper


def test_the_section_replaces_only_itself(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# R\n\n## Figures\n\nold figures\n\n## Notes\n\n- a note\n")
    scale_report.replace_section(results, scale_report.TITLE, "first")
    scale_report.replace_section(results, scale_report.TITLE, "second\n\nmore")
    assert results.read_text() == (
        f"# R\n\n## Figures\n\nold figures\n\n## {scale_report.TITLE}\n\nsecond\n\nmore\n\n"
        "## Notes\n\n- a note\n"
    )
    assert scale_report.section_of(results, scale_report.TITLE) == "second\n\nmore"


def test_a_full_run_keeps_the_section(tmp_path: Path) -> None:
    import run

    results = tmp_path / "RESULTS.md"
    results.write_text(f"# R\n\n## {scale_report.TITLE}\n\nat scale\n\n## Notes\n\n- old\n")
    run.write_results(run.Suite(False, [], ["new"], {}), results, {"CPU": "x"})
    text = results.read_text()
    assert f"## {scale_report.TITLE}\n\nat scale\n\n## Notes\n\n- new\n" in text


@pytest.mark.skipif(_shared_data() is None, reason="no ../shared/data here")
def test_the_harness_runs_at_a_tiny_scale(tmp_path: Path) -> None:
    """``run.py --scale`` end to end at one copy and one month (a few seconds)."""
    results = tmp_path / "RESULTS.md"
    results.write_text("# R\n\n## Figures\n\nkept\n")
    done = subprocess.run(
        [
            *(sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"),
            *("--scale", "1x", "--scale-months", "1", "--scale-work", str(tmp_path / "w")),
            *("--out", str(results), "--data", str(_shared_data())),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    section = scale_report.section_of(results, scale_report.TITLE)
    assert section is not None and "## Figures\n\nkept\n" in results.read_text()
    assert "| `papers sync` (Hugging Face, loopback) |" in section
    assert "| `diffusion` |" in section and "`--sort for-you` diffusion" in section
    kept = json.loads((tmp_path / "w" / "home-1x-m1" / "results.json").read_text())
    assert kept["sync"]["sync index s"] is not None  # the child timed the index update
