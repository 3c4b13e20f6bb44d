"""``papers list --source all --week|--month``: arXiv papers carrying Hugging Face upvotes.

For a day, the signals come from the Hugging Face days around the announcement
(tests/test_cli_arxiv.py); for a week or a month they come from Hugging Face's own
listing of that week or month (``core.merged.signals_for``): every arXiv paper of the
period that Hugging Face listed carries its upvotes (the most upvoted copy), and
``--include-hf`` adds the Hugging Face papers arXiv's listing lacks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from papercli.models import Paper
from papercli.storage.cache import Cache

WEEK = "2025-W29"  # 2025-07-14 .. 2025-07-20
WEEK_DAYS = [dt.date(2025, 7, 14) + dt.timedelta(days=n) for n in range(7)]
MONTH_DAYS = [dt.date(2025, 7, 1) + dt.timedelta(days=n) for n in range(31)]


def arxiv_paper(paper_id: str, day: dt.date) -> Paper:
    return Paper(
        id=paper_id,
        title=f"arXiv paper {paper_id}",
        listed=day.isoformat(),
        categories=("cs.LG",),
        sources=("arxiv",),
    )


def hf_paper(paper_id: str, upvotes: int, day: str = "2025-07-16", **extra: Any) -> Paper:
    return Paper(
        id=paper_id,
        title=f"HF copy of {paper_id}",
        listed=day,
        upvotes=upvotes,
        sources=("hf",),
        **extra,
    )


# arXiv's submissions, one paper on each of three days of the week.
ARXIV = {
    dt.date(2025, 7, 14): ["2507.20001"],
    dt.date(2025, 7, 15): ["2507.20002"],
    dt.date(2025, 7, 17): ["2507.20003"],
}
# Hugging Face's listing of the period: 2507.20001 twice (listed two days; the most
# upvoted copy counts), 2507.20002 once, and one paper arXiv's listing lacks.
HF = [
    hf_paper("2507.20001", 5, "2025-07-14"),
    hf_paper("2507.20001", 40, "2025-07-15", organization="Example Lab"),
    hf_paper("2507.20002", 7),
    hf_paper("2507.29999", 99),
]


def seed_arxiv(home: Path, days: list[dt.date]) -> None:
    """Every day of the period cached (export-API submissions of cs.LG)."""
    cache = Cache(home / "cache")
    for day in days:
        papers = [arxiv_paper(pid, day) for pid in ARXIV.get(day, [])]
        cache.save("arxiv", "api", f"cs.LG/{day.isoformat()}", papers)


@pytest.fixture
def week(isolated_home: Path) -> Path:
    seed_arxiv(isolated_home, WEEK_DAYS)
    return isolated_home


def by_id(data: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in data}


def check_signals(data: list[dict[str, Any]]) -> None:
    papers = by_id(data)
    assert set(papers) == {"2507.20001", "2507.20002", "2507.20003"}
    assert papers["2507.20001"]["upvotes"] == 40  # the most upvoted copy
    assert papers["2507.20001"]["organization"] == "Example Lab"
    assert papers["2507.20001"]["sources"] == ["arxiv", "hf"]
    assert papers["2507.20001"]["title"] == "arXiv paper 2507.20001"  # arXiv's record
    assert papers["2507.20002"]["upvotes"] == 7
    assert papers["2507.20003"]["upvotes"] is None
    assert papers["2507.20003"]["sources"] == ["arxiv"]
    # Most upvoted first.
    assert [p["id"] for p in data] == ["2507.20001", "2507.20002", "2507.20003"]


def test_a_week_carries_the_upvotes_of_hugging_faces_week(run, week: Path) -> None:
    Cache(week / "cache").save("hf", "week", WEEK, HF)
    result = run(
        "list", "--source", "all", "--week", WEEK, "-c", "cs.LG", "--offline", "--json",
        "--sort", "upvotes",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # the week's own listing: no Hugging Face day was needed
    check_signals(result.json())


def test_include_hf_adds_the_weeks_hugging_face_papers_arxiv_lacks(run, week: Path) -> None:
    Cache(week / "cache").save("hf", "week", WEEK, HF)
    args = ("list", "--source", "all", "--week", WEEK, "-c", "cs.LG", "--offline")
    data = run(*args, "--include-hf", "--json", "--sort", "upvotes").json()
    assert [p["id"] for p in data] == ["2507.29999", "2507.20001", "2507.20002", "2507.20003"]
    assert data[0]["sources"] == ["hf"] and data[0]["upvotes"] == 99
    assert "[hf] HF copy of 2507.29999" in run(*args, "--include-hf").stdout


def test_a_month_carries_the_upvotes_of_hugging_faces_month(run, isolated_home: Path) -> None:
    seed_arxiv(isolated_home, MONTH_DAYS)
    Cache(isolated_home / "cache").save("hf", "month", "2025-07", HF)
    result = run(
        "list", "--source", "all", "--month", "2025-07", "-c", "cs.LG", "--offline", "--json",
        "--sort", "upvotes",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    check_signals(result.json())


def test_the_week_fetched_from_hugging_face(run, week: Path, hf_url: str, httpserver: Any) -> None:
    """Not cached: Hugging Face's week listing is fetched (page 0 has it all)."""
    import json

    from werkzeug import Request, Response

    # One copy of each paper (the service lists a paper once a week).
    items = [{"paper": {"id": p.id, "title": p.title, "upvotes": p.upvotes}} for p in HF[1:]]
    asked: list[dict[str, str]] = []

    def answer(request: Request) -> Response:
        asked.append(dict(request.args))
        body = items if request.args.get("p") == "0" else []
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/api/daily_papers").respond_with_handler(answer)
    result = run("list", "--source", "all", "--week", WEEK, "-c", "cs.LG", "--json")
    assert result.exit_code == 0, result.stderr
    data = by_id(result.json())
    assert data["2507.20001"]["upvotes"] == 40 and data["2507.20002"]["upvotes"] == 7
    assert data["2507.20003"]["upvotes"] is None
    assert {a["week"] for a in asked} == {WEEK} and "0" in {a["p"] for a in asked}
    assert Cache(week / "cache").load("hf", "week", WEEK) is not None


def test_without_hugging_face_the_week_is_shown_with_a_warning(run, week: Path) -> None:
    result = run("list", "--source", "all", "--week", WEEK, "-c", "cs.LG", "--offline", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("Hugging Face signals unavailable: ")
    assert result.stderr.count("\n") == 1
    papers = by_id(result.json())
    assert set(papers) == {"2507.20001", "2507.20002", "2507.20003"}
    assert all(p["upvotes"] is None and p["sources"] == ["arxiv"] for p in papers.values())


def test_hugging_face_down_is_a_warning_for_a_week(run, week: Path) -> None:
    """Online, Hugging Face at a dead port (conftest): arXiv's cached week still shows."""
    result = run("list", "--source", "all", "--week", WEEK, "-c", "cs.LG", "--json")
    assert result.exit_code == 0, result.stderr
    assert "Hugging Face signals unavailable" in result.stderr
    assert len(result.json()) == 3


def test_a_day_with_hugging_face_papers_of_later_days_shows_each_ones_day(run, week: Path) -> None:
    """--include-hf on one day also shows Hugging Face papers listed in the days after
    it: the table then says each paper's day (the caption names one day)."""
    cache = Cache(week / "cache")
    cache.save("hf", "day", "2025-07-15", [hf_paper("2507.20002", 7, "2025-07-15")])
    cache.save("hf", "day", "2025-07-16", [hf_paper("2507.29999", 99, "2025-07-16")])
    args = ("list", "--source", "all", "--date", "2025-07-15", "-c", "cs.LG", "--offline")
    plain = run(*args).stdout.splitlines()
    assert plain[1].split()[:3] == ["#", "▲", "Title"]  # one day: no Day column
    mixed = run(*args, "--include-hf").stdout.splitlines()
    assert mixed[1].split()[:4] == ["#", "▲", "Day", "Title"]
    assert any("07-16" in line and "[hf]" in line for line in mixed)
