"""--format, -o/--output, --force and --abstracts on the commands that print papers."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from papercli.models import JSON_KEYS
from papercli.storage.cache import Cache
from support.hostile import hostile_papers
from support.served import serve_day


@pytest.fixture
def hostile_day(isolated_home: Path) -> list:
    """A cached day of hostile papers, listed with --offline."""
    papers = hostile_papers()
    Cache(isolated_home / "cache").save("hf", "day", "2025-07-15", papers)
    return papers


def test_every_format_on_stdout(run, hf_url, httpserver, fixture_bytes) -> None:
    import bibtexparser
    import feedparser

    serve_day(httpserver, fixture_bytes)
    args = ("list", "--date", "2025-07-15")
    as_json = run(*args, "--format", "json")
    assert as_json.exit_code == 0 and as_json.json() == run(*args, "--json").json()
    ids = [p["id"] for p in as_json.json()]
    jsonl = run(*args, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["id"] for line in jsonl] == ids
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout, newline="")))
    assert [r["id"] for r in rows] == ids and list(rows[0]) == list(JSON_KEYS)
    bib = bibtexparser.parse_string(run(*args, "--format", "bib").stdout)
    assert [e.fields_dict["eprint"].value for e in bib.entries] == ids
    feed = feedparser.parse(run(*args, "--format", "atom").stdout.encode())
    assert feed.bozo == 0 and [e.id.rsplit("/", 1)[1] for e in feed.entries] == ids
    md = run(*args, "--format", "md", "mini-batch").stdout
    assert md.startswith("# Hugging Face Daily Papers, 2025-07-15\n\nQuery: mini-batch · 2 papers")
    assert md.count("\n## ") == 2
    table = run(*args, "--format", "table")
    assert "Scaling Mini-Batch" in table.stdout


def test_hostile_listing_exports_with_abstracts(run, hostile_day) -> None:
    from markdown_it import MarkdownIt

    result = run("list", "--date", "2025-07-15", "--offline", "--format", "md", "--abstracts")
    assert result.exit_code == 0, result.stderr
    tokens = MarkdownIt("commonmark").parse(result.stdout)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    assert "image" not in kinds and "html_inline" not in kinds
    assert sum(1 for t in tokens if t.type == "heading_open" and t.tag == "h2") == len(hostile_day)
    assert sum(1 for t in tokens if t.type == "html_block") == len(hostile_day) - 1


def test_output_file_force_and_refusal(run, hostile_day, tmp_path: Path) -> None:
    import feedparser

    target = tmp_path / "feed.xml"
    args = ("list", "--date", "2025-07-15", "--offline")
    first = run(*args, "-o", str(target))  # the ending chooses Atom
    assert first.exit_code == 0, first.stderr
    assert first.stdout == "" and f"Wrote 20 papers to {target}." in first.stderr
    feed = feedparser.parse(target.read_bytes())
    assert feed.bozo == 0 and len(feed.entries) == 20
    umask = os.umask(0o022)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not the temp file's 0600
    target.chmod(0o640)
    before = target.read_bytes()
    again = run(*args, "-o", str(target), "--format", "json")
    assert again.exit_code == 1
    assert again.stderr == f"Error: {target} already exists; use --force to overwrite it.\n"
    assert target.read_bytes() == before
    forced = run(*args, "-o", str(target), "--format", "json", "--force")
    assert forced.exit_code == 0 and len(json.loads(target.read_text())) == 20
    assert target.stat().st_mode & 0o777 == 0o640
    assert not list(tmp_path.glob(".feed.xml.*"))  # no temporary file left behind
    table = run(*args, "--output", str(tmp_path / "t.txt"), "--format", "table")
    assert table.exit_code == 0
    text = (tmp_path / "t.txt").read_text()
    assert "\x1b" not in text and "click me" in text
    dash = run(*args, "-o", "-", "--format", "jsonl")
    assert dash.exit_code == 0 and len(dash.stdout.splitlines()) == 20


def test_suffixes_choose_the_format(run, hostile_day, tmp_path: Path) -> None:
    for name, start in (
        ("a.md", "# "),
        ("a.json", "["),
        ("a.jsonl", "{"),
        ("a.csv", "id,title"),
        ("a.bib", "@misc{"),
        ("a.atom", "<?xml"),
        ("a.xlsx", "PK"),  # a zip archive
    ):
        result = run("list", "-d", "2025-07-15", "--offline", "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.stderr
        text = (tmp_path / name).read_bytes().decode("utf-8", "replace")
        # BibTeX: a % line before an entry names the characters it could not write.
        text = "".join(line for line in text.splitlines(True) if not line.startswith("% "))
        assert text.startswith(start), name


@pytest.mark.parametrize(
    "args",
    [
        ["--json", "--format", "csv"],
        ["--abstracts", "--format", "bib"],
        ["--abstracts"],
        ["-o", "papers.unknown"],
        ["--format", "pdf"],
    ],
)
def test_output_usage_errors_exit_2(run, hostile_day, args: list[str]) -> None:
    result = run("list", "-d", "2025-07-15", "--offline", *args)
    assert result.exit_code == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) >= 1


def test_output_errors_are_one_line(run, hostile_day, tmp_path: Path) -> None:
    missing = run("list", "-d", "2025-07-15", "--offline", "-o", str(tmp_path / "no" / "x.md"))
    assert missing.exit_code == 1 and missing.stderr.count("\n") == 1
    assert "does not exist" in missing.stderr
    folder = run("list", "-d", "2025-07-15", "--offline", "--format", "md", "-o", str(tmp_path))
    assert folder.exit_code == 1 and folder.stderr.count("\n") == 1


def test_show_and_search_take_the_formats(run, hf_url, httpserver, fixture_bytes) -> None:
    import bibtexparser

    httpserver.expect_request("/api/papers/2507.11001").respond_with_data(
        fixture_bytes("hf/paper_2507.11001.json"), content_type="application/json"
    )
    httpserver.expect_request(
        "/api/papers/search", query_string={"q": "mini-batch"}
    ).respond_with_data(fixture_bytes("hf/search_minibatch.json"), content_type="application/json")
    shown = run("show", "2507.11001", "--format", "bib")
    assert shown.exit_code == 0, shown.stderr
    entries = bibtexparser.parse_string(shown.stdout).entries
    assert len(entries) == 1 and entries[0].key.startswith("lovelace2025")
    assert json.loads(run("show", "2507.11001", "--json").stdout)["id"] == "2507.11001"
    one = run("show", "2507.11001", "--format", "jsonl").stdout.splitlines()
    assert len(one) == 1 and json.loads(one[0])["id"] == "2507.11001"
    md = run("show", "2507.11001", "--format", "md", "--abstracts").stdout
    assert md.startswith("# Paper 2507\\.11001") and "<details>" in md
    found = run("search", "mini-batch", "--format", "csv")
    assert found.exit_code == 0, found.stderr
    rows = list(csv.DictReader(io.StringIO(found.stdout, newline="")))
    assert rows and all(r["id"] for r in rows)


def test_empty_listing_still_writes_a_valid_document(run, isolated_home: Path) -> None:
    import feedparser

    Cache(isolated_home / "cache").save("hf", "day", "2025-07-15", hostile_papers())
    result = run("list", "-d", "2025-07-15", "--offline", "--format", "atom", "zzzzzz")
    assert result.exit_code == 0
    assert feedparser.parse(result.stdout.encode()).bozo == 0
    assert "No papers match" in result.stderr
    csv_out = run("list", "-d", "2025-07-15", "--offline", "--format", "csv", "zzzzzz").stdout
    assert csv_out.splitlines() == [",".join(JSON_KEYS)]  # (the runner folds CRLF)


def test_piped_export_in_a_real_process(tmp_path: Path, isolated_home: Path) -> None:
    Cache(isolated_home / "cache").save("hf", "day", "2025-07-15", hostile_papers())
    env = {"PAPERS_HOME": str(isolated_home), "PATH": "", "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "papercli",
            "list",
            "-d",
            "2025-07-15",
            "--offline",
            "--format",
            "bib",
        ],
        capture_output=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8").count("@misc{") == 20
    as_csv = subprocess.run(
        [
            sys.executable,
            "-m",
            "papercli",
            "list",
            "-d",
            "2025-07-15",
            "--offline",
            "--format",
            "csv",
        ],
        capture_output=True,
        env=env,
        check=False,
    )
    assert as_csv.stdout.startswith(",".join(JSON_KEYS).encode() + b"\r\n")
    rows = list(csv.reader(io.StringIO(as_csv.stdout.decode("utf-8"), newline="")))
    assert len(rows) == 21


def test_arxiv_listing_exports(run, arxiv_url, httpserver, fixture_bytes) -> None:
    import bibtexparser
    import feedparser
    from markdown_it import MarkdownIt

    httpserver.expect_request("/rss/cs.LG+cs.CL").respond_with_data(
        fixture_bytes("arxiv/rss_cs.LG+cs.CL_2025-07-15.xml"), content_type="application/rss+xml"
    )
    args = ("today", "-s", "arxiv", "-c", "cs.LG", "-c", "cs.CL", "--replacements")
    data = run(*args, "--json").json()
    bib = run(*args, "--format", "bib")
    assert bib.exit_code == 0, bib.stderr
    library = bibtexparser.parse_string(bib.stdout)
    assert not library.failed_blocks
    fields = [e.fields_dict for e in library.entries]
    assert [f["eprint"].value for f in fields] == [p["id"] for p in data]
    assert all(f["primaryClass"].value for f in fields)
    assert fields[3]["doi"].value == "10.1000/example.2023.001"
    assert fields[4]["eprint"].value == "hep-th/9901001"
    feed = feedparser.parse(run(*args, "--format", "atom").stdout.encode())
    assert feed.bozo == 0
    assert [e.id for e in feed.entries] == [f"https://arxiv.org/abs/{p['id']}" for p in data]
    assert feed.entries[0].link == "https://arxiv.org/abs/2507.11001"  # no HF page: arXiv
    md = run(*args, "--format", "md").stdout
    tokens = MarkdownIt("commonmark").parse(md)
    first_link = next(
        t
        for t in tokens
        if t.type == "inline" and t.level == 1 and t.children[0].type == "link_open"
    )
    assert first_link.children[0].attrs["href"] == "https://arxiv.org/abs/2507.11001"


# --- targets that are not regular files -------------------------------------------------


def test_output_through_a_symlink_writes_its_regular_target(
    run, hostile_day, tmp_path: Path
) -> None:
    real = tmp_path / "real.md"
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    args = ("list", "--date", "2025-07-15", "--offline", "-o", str(link))
    assert run(*args).exit_code == 1  # exists: --force, as for the file itself
    result = run(*args, "--force")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real  # the link is kept
    assert real.read_text().startswith("# Hugging Face Daily Papers")


def test_output_refuses_a_dangling_link(run, hostile_day, tmp_path: Path) -> None:
    link = tmp_path / "dangling.md"
    link.symlink_to(tmp_path / "missing" / "file.md")
    for force in ((), ("--force",)):
        result = run("list", "--date", "2025-07-15", "--offline", "-o", str(link), *force)
        assert result.exit_code == 1 and result.stderr.startswith("Error: ")
        assert "link" in result.stderr
        assert link.is_symlink() and not (tmp_path / "missing").exists()


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_output_never_replaces_a_fifo_or_a_device(
    run, hostile_day, tmp_path: Path, kind: str
) -> None:
    import stat

    if kind == "fifo":
        target = tmp_path / "pipe.md"
        os.mkfifo(target)
    else:
        target = tmp_path / "null.md"
        target.symlink_to("/dev/null")
    for force in ((), ("--force",)):
        result = run("list", "--date", "2025-07-15", "--offline", "-o", str(target), *force)
        assert result.exit_code == 1 and "not a regular file" in result.stderr, result.stderr
    assert stat.S_ISFIFO(target.stat().st_mode) if kind == "fifo" else target.is_symlink()
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)
