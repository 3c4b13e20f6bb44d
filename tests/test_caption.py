"""Every table says what it shows: the source, the day or period, and the count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from papercli.core.listing import Listing
from papercli.dates import day_period, parse_month, parse_week
from papercli.models import Paper
from papercli.ui.caption import day_text, listing_caption
from support.served import day_query as _day_query
from support.served import serve_day

TODAY = dt.date.today()


def _papers(n: int) -> list[Paper]:
    return [Paper(id=f"2507.{10000 + i}", title=f"Paper {i}") for i in range(n)]


def test_caption_names_source_day_and_count() -> None:
    day = day_period(dt.date(2025, 2, 18))
    listing = Listing(_papers(38), "x", "hf", day, 38, label="Hugging Face Daily Papers")
    assert listing_caption(listing) == "Hugging Face Daily Papers · Tue 2025-02-18 · 38 papers"
    listing = Listing(_papers(5), "x", "hf", day, 38, label="Hugging Face Daily Papers")
    assert listing_caption(listing).endswith(" · 5 of 38 papers")
    listing = Listing(_papers(1), "x", "hf", day, 38, fresh=4, label="Hugging Face Daily Papers")
    assert listing_caption(listing).endswith(" · 1 of 4 new of 38 papers")


def test_caption_of_weeks_months_and_arxiv_days() -> None:
    week = Listing(
        _papers(2), "x", "hf", parse_week("2025-W28"), 2, label="Hugging Face Daily Papers"
    )
    assert listing_caption(week) == (
        "Hugging Face Daily Papers · week 2025-W28, 2025-07-07 to 07-13 · 2 papers"
    )
    month = Listing(_papers(1), "x", "arxiv", parse_month("2025-07"), 1, label="arXiv cs.LG")
    month.day_word = "submitted"
    assert listing_caption(month) == "arXiv cs.LG · submitted July 2025 · 1 paper"


def test_caption_says_when_today_fell_back() -> None:
    listing = Listing(
        _papers(3),
        "x",
        "hf",
        day_period(dt.date(2025, 11, 28)),
        3,
        label="Hugging Face Daily Papers",
        asked=dt.date(2025, 11, 30),
    )
    assert listing_caption(listing) == (
        "Hugging Face Daily Papers · Sun 2025-11-30 · 3 papers · showing the latest day, 2025-11-28"
    )


def test_a_listed_day_has_its_caption_above_the_table(run, hf_url, httpserver, fixture_bytes):
    serve_day(httpserver, fixture_bytes, "2025-07-15")
    result = run("list", "--date", "2025-07-15")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Hugging Face Daily Papers · Tue 2025-07-15 · 3 papers"
    assert lines[1].split()[:3] == ["#", "▲", "Title"]


def test_today_fallback_is_in_the_caption(run, hf_url, httpserver, fixture_bytes) -> None:
    yesterday = TODAY - dt.timedelta(days=1)
    httpserver.expect_request(
        "/api/daily_papers", query_string=_day_query(TODAY.isoformat())
    ).respond_with_json([])
    serve_day(httpserver, fixture_bytes, yesterday.isoformat())
    result = run("today")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        f"Hugging Face Daily Papers · {day_text(TODAY)} · 3 papers"
        f" · showing the latest day, {yesterday}"
    )


def test_a_table_written_with_o_has_the_caption(
    run, hf_url, httpserver, fixture_bytes, tmp_path: Path
) -> None:
    serve_day(httpserver, fixture_bytes, "2025-07-15")
    target = tmp_path / "day.txt"
    result = run(
        "list", "--date", "2025-07-15", "mini-batch", "--format", "table", "-o", str(target)
    )
    assert result.exit_code == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "Hugging Face Daily Papers · Tue 2025-07-15 · 2 of 3 papers"
    assert "Scaling Mini-Batch" in text and "\x1b" not in text


def test_a_watch_rule_table_has_its_caption() -> None:
    from papercli.config import WatchRule
    from papercli.core.watch import RuleResult
    from papercli.ui.caption import rule_caption

    papers = _papers(3)
    result = RuleResult(WatchRule("gnn", "graph neural"), papers, papers[:1], dt.date(2025, 7, 8))
    assert rule_caption(result) == (
        "Watch rule gnn: graph neural · listed since Tue 2025-07-08 · 3 papers, 1 new"
    )
    result = RuleResult(WatchRule("gnn", "graph neural"), papers[:1], papers[:1], None)
    assert rule_caption(result) == "Watch rule gnn: graph neural · 1 new paper"


def test_the_caption_stays_one_line_on_a_narrow_screen(
    run, hf_url, httpserver, fixture_bytes, monkeypatch
) -> None:
    serve_day(httpserver, fixture_bytes, "2025-07-15")
    monkeypatch.setenv("COLUMNS", "40")
    lines = run("list", "--date", "2025-07-15").stdout.splitlines()
    assert lines[0] == "Hugging Face Daily Papers · Tue 2025-07-15 · 3 papers"
    assert lines[1].split()[:3] == ["#", "▲", "Title"]


def test_on_a_narrow_terminal_the_caption_breaks_between_words(
    run, hf_url, httpserver, fixture_bytes, monkeypatch
) -> None:
    serve_day(httpserver, fixture_bytes, "2025-07-15")
    monkeypatch.setenv("COLUMNS", "40")  # (the narrowest papercli draws at)
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # Rich: stdout is a terminal
    monkeypatch.setenv("NO_COLOR", "1")
    lines = run("list", "--date", "2025-07-15").stdout.splitlines()
    caption = "Hugging Face Daily Papers · Tue 2025-07-15 · 3 papers"
    head = lines[: next(i for i, line in enumerate(lines) if line.split()[:1] == ["#"])]
    assert len(head) > 1 and all(len(line) <= 40 for line in head)
    assert " ".join(line.strip() for line in head) == caption  # no word cut in two


def test_a_long_note_on_a_terminal_breaks_between_words(monkeypatch) -> None:
    import io

    from papercli.ui.console import fitted

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("COLUMNS", "40")
    line = "Showing the latest announcement, 2026-11-27: arXiv has not announced today"
    lines = fitted(line, Terminal(), "  ").splitlines()
    assert len(lines) > 1 and all(len(x) < 40 for x in lines)
    assert " ".join(x.strip() for x in lines) == line
    assert all(x.startswith("  ") for x in lines[1:])
    assert fitted(line, io.StringIO()) == line  # a pipe: one line


def test_a_query_cut_at_the_limit_says_how_many_matched() -> None:
    papers = [Paper(f"2507.0000{n}", f"Paper {n}") for n in range(2)]
    period = parse_month("2025-07")

    def count(**fields: object) -> str:
        listing = Listing(papers, "Hugging Face Daily Papers", "hf", period, 383, **fields)  # type: ignore[arg-type]
        return listing_caption(listing).rsplit(" · ", 1)[-1]

    assert count(matched=60) == "2 of 60 matching, of 383 papers"  # a query, --limit 2
    assert count(matched=383) == "2 of 383 papers"  # no query: all matched
    assert count(matched=2) == "2 of 383 papers"  # the query's every match shown
    assert count() == "2 of 383 papers"
