"""Exports of ``papers watch run`` and ``papers search --offline``, checked by real parsers;
the -o file checks (before any fetch) and the atomic write with the right permissions."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from werkzeug import Request, Response

from papercli.models import JSON_KEYS
from papercli.storage.cache import Cache, atomic_write_text
from support.hostile import hostile_papers

HOSTILE = ("--since", "2025-07-01", "--offline")  # the cached hostile day is 2025-07-15


@pytest.fixture
def yesterday(today: dt.date) -> str:
    return (today - dt.timedelta(days=1)).isoformat()


def item(pid: str, day: str, title: str, upvotes: int = 1) -> dict[str, Any]:
    paper = {
        "id": pid,
        "title": title,
        "summary": "An abstract.",
        "authors": [{"name": "Ada Lovelace", "hidden": False}],
        "upvotes": upvotes,
        "publishedAt": f"{day}T10:00:00.000Z",
        "submittedOnDailyAt": f"{day}T00:00:00.000Z",
    }
    return {"paper": paper, "title": title, "numComments": 0}


class Hub:
    """/api/daily_papers by date= from a dict of days; records the requests."""

    def __init__(self) -> None:
        self.days: dict[str, list[dict[str, Any]]] = {}
        self.requests = 0

    def __call__(self, request: Request) -> Response:
        self.requests += 1
        args = dict(request.args)
        if "date" in args:
            items = self.days.get(args["date"], [])
        else:
            items = [i for d, its in self.days.items() if d[:7] == args["month"] for i in its]
        page = int(args.get("p", 0))
        return Response(json.dumps(items if page == 0 else []), content_type="application/json")


@pytest.fixture
def hub(httpserver: Any, hf_url: str, isolated_home: Path) -> Hub:
    fake = Hub()
    httpserver.expect_request("/api/daily_papers").respond_with_handler(fake)
    with (isolated_home / "config.toml").open("a") as handle:
        handle.write("[cache]\nttl_minutes = 0\n")  # today's listing is fetched every run
    return fake


@pytest.fixture
def hostile_rules(run, isolated_home: Path) -> list:
    """Two overlapping rules over a cached day of hostile papers."""
    papers = hostile_papers()
    Cache(isolated_home / "cache").save("hf", "day", "2025-07-15", papers)
    assert run("watch", "add", "alpha", "abstract").exit_code == 0  # all but one: 19
    assert run("watch", "add", "beta", "mini-batch OR title:heading").exit_code == 0  # two
    return papers


def test_watch_run_atom_feed_from_cron_twice(run, hub: Hub, tmp_path: Path, yesterday: str) -> None:
    import feedparser

    hub.days[yesterday] = [
        item("2511.00001", yesterday, "Mini-batch methods", 5),
        item("2511.00002", yesterday, "Unrelated"),
    ]
    assert run("watch", "add", "mb", "mini-batch").exit_code == 0
    feed_path = tmp_path / "feed.xml"
    args = ("watch", "run", "mb", "--format", "atom", "-o", str(feed_path))
    first = run(*args)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == "" and f"Wrote 1 paper (1 new) to {feed_path}." in first.stderr
    feed = feedparser.parse(feed_path.read_bytes())
    assert feed.bozo == 0 and feed.feed.title == "Watch rule mb (mini-batch)"
    assert [e.id for e in feed.entries] == ["https://arxiv.org/abs/2511.00001"]
    assert {"term": "mb", "scheme": "urn:papercli:watch", "label": "watch mb"} in [
        dict(t) for t in feed.entries[0].tags
    ]
    feed_id = feed.feed.id

    # The file exists: without --force nothing is fetched and nothing changes.
    requests, before = hub.requests, feed_path.read_bytes()
    refused = run(*args)
    assert refused.exit_code == 1 and hub.requests == requests
    assert refused.stderr == f"Error: {feed_path} already exists; use --force to overwrite it.\n"
    assert feed_path.read_bytes() == before

    # Nothing new: exit 3, and the file is a valid feed without entries (same feed id).
    second = run(*args, "--force")
    assert second.exit_code == 3, second.stderr
    assert "Watch mb: 0 new." in second.stderr and "Wrote 0 papers (0 new)" in second.stderr
    empty = feedparser.parse(feed_path.read_bytes())
    assert empty.bozo == 0 and empty.entries == [] and empty.feed.id == feed_id

    # --all: the window's matches, reported or not (what a feed reader should poll).
    rolling = run(*args, "--force", "--all")
    assert rolling.exit_code == 3
    window = feedparser.parse(feed_path.read_bytes())
    assert [e.id for e in window.entries] == ["https://arxiv.org/abs/2511.00001"]
    assert window.feed.updated == feed.feed.updated  # changes only with new entries
    quiet = run(*args, "--force", "--all", "-q")  # for cron: nothing on stderr but errors
    assert quiet.exit_code == 3 and quiet.stderr == "" and quiet.stdout == ""
    assert feedparser.parse(feed_path.read_bytes()).entries
    assert not list(tmp_path.glob(".feed.xml.*"))


def test_a_failed_write_leaves_the_papers_unreported(run, hostile_rules, tmp_path, monkeypatch):
    import papercli.storage.files

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(papercli.storage.files, "atomic_write_text", broken)
        failed = run("watch", "run", "beta", *HOSTILE, "-o", str(tmp_path / "beta.csv"))
    assert failed.exit_code == 1
    assert failed.stderr.splitlines()[-1].startswith("Error: Cannot write")
    assert "No space left on device" in failed.stderr
    again = run("watch", "run", "beta", *HOSTILE, "--json")
    assert again.exit_code == 0 and len(again.json()[0]["new"]) == 2


def test_several_rules_in_one_document(run, hostile_rules, tmp_path: Path) -> None:
    import bibtexparser
    import feedparser
    from markdown_it import MarkdownIt

    args = ("watch", "run", *HOSTILE, "--dry-run")
    data = run(*args, "--json").json()
    assert [r["rule"] for r in data] == ["alpha", "beta"]
    assert [len(r["papers"]) for r in data] == [19, 2]
    assert run(*args, "--format", "json").json() == data
    lines = run(*args, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == data  # the same objects, one per line

    # CSV, BibTeX, Atom: every paper once.
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout, newline="")))
    assert list(rows[0]) == list(JSON_KEYS) and len(rows) == 19
    assert len({r["id"] for r in rows}) == 19
    bib = bibtexparser.parse_string(run(*args, "--format", "bib").stdout)
    assert not bib.failed_blocks and len(bib.entries) == 19
    assert len({e.key for e in bib.entries}) == 19
    feed = feedparser.parse(run(*args, "--format", "atom").stdout.encode())
    assert feed.bozo == 0 and len(feed.entries) == 19
    assert feed.feed.title == "Watch rules alpha, beta"
    both = [e for e in feed.entries if {"alpha", "beta"} <= {t.term for t in e.tags}]
    assert len(both) == 2

    # Markdown: a section per rule; each paper in full once; no remote link or HTML.
    result = run(*args, "--format", "md", "--abstracts", "-o", str(tmp_path / "w.md"))
    assert result.exit_code == 0, result.stderr
    assert "Wrote 19 papers (19 new)" in result.stderr
    md = (tmp_path / "w.md").read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").parse(md)
    headings = [
        (t.tag, tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"
    ]
    assert headings[0] == ("h1", "Watch rules alpha, beta")
    assert [c for tag, c in headings if tag == "h2"] == ["alpha", "beta"]
    assert sum(1 for tag, _ in headings if tag == "h3") == 19
    kinds = {c.type for t in tokens for c in t.children or []}
    assert "image" not in kinds and "html_inline" not in kinds
    links = [c.attrs["href"] for t in tokens for c in t.children or [] if c.type == "link_open"]
    assert links and all(str(h).startswith("https://") for h in links)
    assert md.count("- Watch rules: alpha, beta") == 2
    assert "2 papers · 2 listed under an earlier rule" in md


def test_watch_run_table_and_usage_errors(run, hostile_rules, tmp_path: Path) -> None:
    table = run(
        "watch", "run", "beta", *HOSTILE, "-o", str(tmp_path / "t.txt"), "--format", "table"
    )
    assert table.exit_code == 0, table.stderr
    text = (tmp_path / "t.txt").read_text(encoding="utf-8")
    caption = "Watch rule beta: mini-batch OR title:heading · listed since Tue 2025-07-01"
    assert text.startswith(caption + " · 2 new papers\n") and "\x1b" not in text
    nothing = run(
        "watch",
        "run",
        "beta",
        *HOSTILE,
        "-o",
        str(tmp_path / "t.txt"),
        "--format",
        "table",
        "--force",
    )
    assert nothing.exit_code == 3 and (tmp_path / "t.txt").read_text() == ""
    for bad in (["--json", "--format", "csv"], ["--abstracts"], ["-o", "x.unknown"]):
        assert run("watch", "run", *HOSTILE, *bad).exit_code == 2, bad
    assert run("watch", "run", "beta", *HOSTILE, "--json").json()[0]["new"] == []  # remembered


def test_search_offline_exports(run, hostile_rules, tmp_path: Path) -> None:
    import bibtexparser
    from markdown_it import MarkdownIt

    target = tmp_path / "found.bib"
    result = run("search", "--offline", "abstract", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    library = bibtexparser.parse_string(target.read_text(encoding="utf-8"))
    assert not library.failed_blocks and len(library.entries) == 19
    eprints = {e.fields_dict["eprint"].value for e in library.entries}
    assert eprints == {p.id for p in hostile_rules if p.is_arxiv}  # the other lacks "abstract"
    assert run("search", "--offline", "abstract", "-o", str(target)).exit_code == 1
    md = run("search", "--offline", "mini-batch", "--format", "md", "--abstracts").stdout
    tokens = MarkdownIt("commonmark").parse(md)
    assert sum(1 for t in tokens if t.type == "heading_open" and t.tag == "h2") == 1
    assert md.startswith("# The local cache matching 'mini-batch'\n\nQuery: mini-batch · 1 paper")


@pytest.mark.parametrize("where", ["folder", "missing", "file-parent"])
def test_bad_targets_fail_before_any_fetch(run, hub: Hub, tmp_path: Path, where: str) -> None:
    (tmp_path / "plain").write_text("x")
    target = {
        "folder": tmp_path,
        "missing": tmp_path / "no" / "feed.xml",
        "file-parent": tmp_path / "plain" / "feed.xml",
    }[where]
    assert run("watch", "add", "mb", "mini-batch").exit_code == 0
    for args in (("watch", "run"), ("today",), ("search", "x"), ("list", "-d", "2025-07-15")):
        result = run(*args, "--format", "atom", "-o", str(target))
        assert result.exit_code == 1, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert hub.requests == 0


def test_atomic_write_sets_the_mode_before_the_rename(tmp_path: Path, monkeypatch) -> None:
    seen: list[int] = []
    real_replace = os.replace

    def replace(src: str, dst: Path) -> None:
        seen.append(os.stat(src).st_mode & 0o777)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    atomic_write_text(tmp_path / "a.txt", "x", mode=0o644)
    atomic_write_text(tmp_path / "b.txt", "x")
    assert seen == [0o644, 0o600]
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644


def test_trends_prints_counts_not_papers(run) -> None:
    """trends keeps --json only: it prints counts, which no paper format can hold."""
    assert run("trends", "x", "--format", "csv").exit_code == 2


def test_combine_keeps_each_paper_once_across_versions() -> None:
    from papercli.export.common import Group, combine
    from papercli.models import Paper

    a = Paper(id="2507.00001v2", title="A")
    a1 = Paper(id="2507.00001", title="A, older")
    b = Paper(id="2507.00002", title="B")
    papers, names = combine([Group("x", "q", (a, b)), Group("y", "r", (b, a1))])
    assert [p.id for p in papers] == ["2507.00001v2", "2507.00002"]
    assert names == {"2507.00001v2": ["x", "y"], "2507.00002": ["x", "y"]}
