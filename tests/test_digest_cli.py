"""``papers digest`` end to end: config [email], a loopback SMTP server, the exit statuses.

The new papers come the real way: watch rules in the configuration file, listings in
the cache (every day the rules look at, so nothing is fetched), and the watch state
(``state/watch.json``) that remembers what was reported. Nothing stands in for
``papercli.core.watch``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest

from papercli.storage.cache import Cache
from papercli.storage.state import State
from support.hostile import hostile_papers
from support.smtpd_server import SECRET, Server, _free_port, _start

# Two rules over the hostile papers (remote text that tries to be markup):
# mini-batch matches the first three, diffusion the third to the fifth; five in all.
PAPERS = hostile_papers()
IDS = [p.id for p in PAPERS]
RULES = {
    "mini-batch": IDS[0:3],
    "diffusion": IDS[2:5],
}


@pytest.fixture
def smtp_server() -> Iterator[Server]:
    yield from _start()


def _configure(home: Path, port: int, *, username: str = "", extra: str = "") -> None:
    rules = "".join(
        f'[watch.{name}]\nquery = "{" OR ".join(f"id:{i}" for i in ids)}"\n'
        for name, ids in RULES.items()
    )
    (home / "config.toml").write_text(
        "[network]\nbackoff_seconds = 0.01\nread_timeout = 5\n"
        f'[email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        f'username = "{username}"\nfrom = "papers@example.org"\nto = "reader@example.org"\n'
        + rules
        + extra,
        encoding="utf-8",
    )


@pytest.fixture
def cached(isolated_home: Path, today: dt.date) -> None:
    """Every day the rules look at is cached (so nothing is fetched); yesterday's listing
    holds the hostile papers."""
    cache = Cache(isolated_home / "cache")
    for back in range(9):
        day = (today - dt.timedelta(days=back)).isoformat()
        listed = [dataclasses.replace(p, listed=day, published=None) for p in PAPERS]
        cache.save("hf", "day", day, listed if back == 1 else [])


def reported(home: Path) -> dict[str, set[str]]:
    state = State(home / "state")
    return {name: state.reported(name) for name in RULES}


NOTHING_REPORTED = {name: set() for name in RULES}


def test_digest_sends_one_email_and_marks(
    run, isolated_home, smtp_server, cached, monkeypatch
) -> None:
    monkeypatch.setenv("PAPERS_SMTP_PASSWORD", SECRET)
    _configure(isolated_home, smtp_server.port, username="reader")
    result = run("digest")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == "Sent 5 new papers to reader@example.org.\n"
    assert smtp_server.inbox.logins == [(b"reader", SECRET.encode())]
    message = email.message_from_bytes(smtp_server.inbox.messages[0], policy=email.policy.default)
    assert message["Subject"].startswith("papers: 5 new for mini-batch, diffusion (")
    assert reported(isolated_home) == {name: set(ids) for name, ids in RULES.items()}
    assert SECRET not in result.stdout + result.stderr
    again = run("digest")  # reported now: nothing new, no second email
    assert again.exit_code == 3
    assert len(smtp_server.inbox.messages) == 1


def test_digest_to_and_names(run, isolated_home, smtp_server, cached) -> None:
    _configure(isolated_home, smtp_server.port)
    result = run("digest", "diffusion", "--to", "other@example.org")
    assert result.exit_code == 0, result.stderr
    assert smtp_server.inbox.envelopes[0].rcpt_tos == ["other@example.org"]
    message = email.message_from_bytes(smtp_server.inbox.messages[0], policy=email.policy.default)
    assert message["Subject"].startswith("papers: 3 new for diffusion (")
    # Only the rule asked for was reported; the other still has all of its papers.
    assert reported(isolated_home) == {"mini-batch": set(), "diffusion": set(RULES["diffusion"])}
    rest = run("digest")
    assert rest.exit_code == 0, rest.stderr
    message = email.message_from_bytes(smtp_server.inbox.messages[1], policy=email.policy.default)
    assert message["Subject"].startswith("papers: 3 new for mini-batch (")


def test_dry_run_prints_and_marks_nothing(
    run, isolated_home, smtp_server, cached, monkeypatch
) -> None:
    monkeypatch.setenv("PAPERS_SMTP_PASSWORD", SECRET)
    _configure(isolated_home, smtp_server.port, username="reader")
    result = run("digest", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Subject: papers: 5 new for mini-batch, diffusion (")
    assert "--- text/plain ---" in result.stdout and "--- text/html ---" in result.stdout
    assert "&lt;script&gt;" in result.stdout  # the HTML part, escaped
    assert reported(isolated_home) == NOTHING_REPORTED
    assert smtp_server.inbox.messages == []
    assert SECRET not in result.stdout + result.stderr
    assert run("digest").stderr == "Sent 5 new papers to reader@example.org.\n"


def test_nothing_new_is_exit_3_without_email(run, isolated_home, smtp_server, cached) -> None:
    _configure(isolated_home, smtp_server.port)
    State(isolated_home / "state").mark_reported(RULES, dt.date.today())  # all seen before
    result = run("digest")
    assert result.exit_code == 3
    assert result.stderr == "No new papers for mini-batch, diffusion; no email sent.\n"
    assert smtp_server.inbox.messages == []


def test_no_matching_papers_is_exit_3_without_email(run, isolated_home, smtp_server, today) -> None:
    _configure(isolated_home, smtp_server.port)
    cache = Cache(isolated_home / "cache")
    for back in range(9):
        cache.save("hf", "day", (today - dt.timedelta(days=back)).isoformat(), [])
    result = run("digest")
    assert result.exit_code == 3
    assert result.stderr == "No new papers for mini-batch, diffusion; no email sent.\n"
    assert smtp_server.inbox.messages == []


def test_failed_send_is_exit_1_and_marks_nothing(run, isolated_home, cached) -> None:
    _configure(isolated_home, _free_port())
    result = run("digest")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Could not send the digest through 127.0.0.1:")
    assert result.stderr.count("\n") == 1
    assert reported(isolated_home) == NOTHING_REPORTED


def test_a_failed_fetch_sends_nothing_and_marks_nothing(
    run, isolated_home, smtp_server, today
) -> None:
    """A day the rules need is not cached, and Hugging Face is at a dead port."""
    _configure(isolated_home, smtp_server.port)
    cache = Cache(isolated_home / "cache")
    for back in range(1, 9):  # not today
        day = (today - dt.timedelta(days=back)).isoformat()
        listed = [dataclasses.replace(p, listed=day, published=None) for p in PAPERS]
        cache.save("hf", "day", day, listed if back == 1 else [])
    result = run("digest")
    assert result.exit_code == 1
    assert "nothing was marked as reported" in result.stderr
    assert smtp_server.inbox.messages == []
    assert reported(isolated_home) == NOTHING_REPORTED


def test_usage_errors(run, isolated_home, cached) -> None:
    _configure(isolated_home, _free_port())
    bad = run("digest", "--to", "not an address")
    assert bad.exit_code == 2 and "Invalid --to address" in bad.stderr
    config = isolated_home / "config.toml"
    config.write_text(config.read_text().replace('to = "reader@example.org"', 'to = ""'))
    unset = run("digest")
    assert unset.exit_code == 1 and "set [email] to" in unset.stderr
    assert run("digest", "--dry-run", "--to", "me@example.org").exit_code == 0
    assert reported(isolated_home) == NOTHING_REPORTED


def test_unknown_rule(run, isolated_home) -> None:
    _configure(isolated_home, _free_port())
    unknown = run("digest", "nope")
    assert unknown.exit_code == 2 and "'nope'" in unknown.stderr


def test_no_rules_at_all(run, isolated_home) -> None:
    (isolated_home / "config.toml").write_text("[network]\nbackoff_seconds = 0.01\n")
    result = run("digest")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: No watch rules in ")


def test_a_rule_matching_by_words(run, isolated_home, smtp_server, cached) -> None:
    """A rule as people write them (words, not ids), alongside the others."""
    _configure(isolated_home, smtp_server.port, extra='[watch.clicks]\nquery = "click"\n')
    dry = run("digest", "clicks", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "click me" in dry.stdout and smtp_server.inbox.messages == []
    sent = run("digest", "clicks")
    assert sent.exit_code == 0, sent.stderr
    assert len(smtp_server.inbox.messages) == 1
    message = email.message_from_bytes(smtp_server.inbox.messages[0], policy=email.policy.default)
    assert message["Subject"].startswith("papers: 1 new for clicks (")
    again = run("digest", "clicks")  # reported now: nothing new, no second email
    assert again.exit_code == 3 and "No new papers" in again.stderr
    assert len(smtp_server.inbox.messages) == 1


@pytest.mark.parametrize("to", ["not an address", "a\x01b@example.org", "", " , ", "a@b@c"])
def test_a_bad_to_is_a_usage_error_even_when_nothing_is_new(run, isolated_home, to: str) -> None:
    _configure(isolated_home, _free_port())  # nothing cached, nothing new, nothing fetched
    result = run("digest", "--to", to)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("Error: ") and "--to" in result.stderr
    assert "\x01" not in result.stderr
    assert not (isolated_home / "state" / "watch.json").exists()  # nothing marked


def test_an_offline_digest_asks_no_service(run, isolated_home, smtp_server, today) -> None:
    """--offline: the cached listings only (after a sync), however little is cached;
    the services are never asked (here they would be unreachable: exit 1)."""
    _configure(isolated_home, smtp_server.port)
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    listed = [dataclasses.replace(p, listed=yesterday, published=None) for p in PAPERS]
    Cache(isolated_home / "cache").save("hf", "day", yesterday, listed)  # one day only
    assert run("digest", "--dry-run").exit_code == 1  # online: the other days are fetched
    result = run("digest", "--offline")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "Sent 5 new papers to reader@example.org.\n"
