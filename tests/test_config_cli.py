"""papers config path | init | show, end to end."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_path_names_the_file_in_papers_home(run: Any, isolated_home: Path) -> None:
    result = run("config", "path")
    assert result.exit_code == 0
    assert result.stdout == f"{isolated_home / 'config.toml'}\n"


def test_init_writes_the_example_and_never_overwrites_without_force(
    run: Any, isolated_home: Path
) -> None:
    path = isolated_home / "config.toml"
    path.unlink(missing_ok=True)
    first = run("config", "init")
    assert first.exit_code == 0, first.stderr
    assert path.read_text(encoding="utf-8") == (ROOT / "config.example.toml").read_text(
        encoding="utf-8"
    )
    path.write_text("[display]\ndefault_source = 'arxiv'\n", encoding="utf-8")
    again = run("config", "init")
    assert again.exit_code == 1
    assert again.stderr.count("\n") == 1 and "--force" in again.stderr
    assert "arxiv" in path.read_text(encoding="utf-8")  # untouched
    assert run("config", "init", "--force").exit_code == 0
    # Every key again, the value the user set kept.
    assert tomllib.loads(path.read_text(encoding="utf-8"))["display"]["default_source"] == "arxiv"


def test_init_force_keeps_watch_rules_and_values_and_backs_up(
    run: Any, isolated_home: Path
) -> None:
    path = isolated_home / "config.toml"
    original = (
        "# my own notes\n[cache]\nttl_minutes = 5\n\n"
        '[watch.gnn]\nquery = "graph neural"\ncategories = ["cs.LG"]\n\n'
        '[watch.diffusion]\nquery = "diffusion -video"\nmin_upvotes = 3\n'
    )
    path.write_text(original, encoding="utf-8")
    before = run("watch", "list", "--json").json()
    result = run("config", "init", "--force")
    assert result.exit_code == 0, result.stderr
    assert "2 watch rules (gnn, diffusion)" in result.stderr
    assert "config.toml.bak" in result.stderr and result.stderr.count("\n") == 1
    assert (isolated_home / "config.toml.bak").read_text(encoding="utf-8") == original
    after = run("watch", "list", "--json").json()
    assert after == before
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["cache"]["ttl_minutes"] == 5
    assert data["network"]["retries"] == 3  # and every other key, at its default
    assert "(default: 60)" in path.read_text(encoding="utf-8")
    # A second rewrite keeps the first backup and makes another.
    assert run("config", "init", "--force").exit_code == 0
    backups = sorted(p.name for p in isolated_home.iterdir() if ".bak" in p.name)
    assert len(backups) == 2 and (isolated_home / "config.toml.bak").read_text() == original
    assert run("watch", "list", "--json").json() == before


def test_init_force_over_an_invalid_file_keeps_a_backup_and_says_so(
    run: Any, isolated_home: Path
) -> None:
    path = isolated_home / "config.toml"
    path.write_text('[watch.x]\nquery = "a"\n[bogus]\nkey = 1\n', encoding="utf-8")
    result = run("config", "init", "--force")
    assert result.exit_code == 0, result.stderr
    assert "nothing could be kept" in result.stderr and "unknown section" in result.stderr
    assert "bogus" in (isolated_home / "config.toml.bak").read_text(encoding="utf-8")


def test_show_says_when_there_is_no_file(run: Any, isolated_home: Path) -> None:
    (isolated_home / "config.toml").unlink(missing_ok=True)
    result = run("config", "show")
    assert result.exit_code == 0
    first, _, rest = result.stdout.partition("\n")
    assert (
        first == f"# {isolated_home / 'config.toml'} (no such file: defaults and environment only)"
    )
    assert tomllib.loads(rest)["cache"]["ttl_minutes"] > 0


def test_show_merges_the_file_and_the_environment(
    run: Any, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = isolated_home / "config.toml"
    path.write_text("[cache]\nttl_minutes = 7\n", encoding="utf-8")
    monkeypatch.setenv("PAPERS_HF_URL", "http://127.0.0.1:1")
    result = run("config", "show")
    assert result.exit_code == 0, result.stderr
    first, second, rest = result.stdout.split("\n", 2)
    assert first == f"# {path}"
    assert second == "# PAPERS_HF_URL is set: it gives [sources.hf] url"
    shown = tomllib.loads(rest)
    assert shown["cache"]["ttl_minutes"] == 7
    assert shown["sources"]["hf"]["url"] == "http://127.0.0.1:1"


def test_a_saved_rule_with_colon_words_keeps_every_command_working(
    run: Any, isolated_home: Path
) -> None:
    """Words like did:web were search text before misspelled fields became usage errors."""
    (isolated_home / "config.toml").write_text(
        '[watch.ids]\nquery = "did:web OR titel:agents"\n', encoding="utf-8"
    )
    listed = run("watch", "list")
    assert listed.exit_code == 0, listed.stderr
    assert "ids" in listed.stdout
    typed = run("search", "--offline", "titel:agents")
    assert typed.exit_code == 2 and "did you mean 'title:'" in typed.stderr


def test_watch_add_reads_cat_terms_regardless_of_case(run: Any, isolated_home: Path) -> None:
    result = run("watch", "add", "lg", "cat:cs.lg agents")
    assert result.exit_code == 0, result.stderr


def test_url_credentials_never_appear_in_messages_or_config_show(
    run: Any, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERS_HF_URL", "http://user:s3cret@127.0.0.1:9")
    monkeypatch.delenv("PAPERS_ARXIV_URL")
    (isolated_home / "config.toml").write_text(
        "[network]\nbackoff_seconds = 0.01\nretries = 0\n"
        '[sources.arxiv]\napi_url = "https://me:t0ken@export.example.org/api"\n'
    )
    failed = run("list", "--date", "2025-07-15")
    assert failed.exit_code == 1
    assert "127.0.0.1:9" in failed.stderr
    shown = run("config", "show")
    assert shown.exit_code == 0, shown.stderr
    assert "export.example.org/api" in shown.stdout and "127.0.0.1:9" in shown.stdout
    for secret in ("s3cret", "t0ken", "user:", "me:"):
        assert secret not in failed.stderr + shown.stdout + shown.stderr, secret


def test_redact_url() -> None:
    from papercli.text import redact_urls

    assert redact_urls("cannot reach user:pass@127.0.0.1:1") == "cannot reach ***@127.0.0.1:1"
    assert redact_urls("http://a:b@h/x and https://t@h2/") == "http://***@h/x and https://***@h2/"
    assert redact_urls("mail me@example.org, see http://h/p") == (
        "mail me@example.org, see http://h/p"
    )


def test_watch_list_shows_a_hand_edited_query_inert(run: Any, isolated_home: Path) -> None:
    (isolated_home / "config.toml").write_text(
        '[watch.x]\nquery = "agent \\u001b[31mRED\\u001b[0m \\u2028 \\u202eevil"\n'
        'categories = ["cs.LG\\u001b[2J"]\n'
    )
    result = run("watch", "list")
    assert result.exit_code == 0, result.stderr
    assert "agent" in result.stdout and "RED" in result.stdout
    for bad in ("\x1b", "\u2028", "\u202e"):
        assert bad not in result.stdout
    as_json = run("watch", "list", "--json")
    assert "\x1b" not in as_json.stdout and as_json.json()[0]["query"].startswith("agent \x1b")
