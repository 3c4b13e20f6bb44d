"""Digests through a real SMTP server on loopback (aiosmtpd, started by the test)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from papercli import mail
from papercli.errors import ConfigError, PapersError, UsageError
from papercli.export import safe_url
from papercli.models import Paper
from papercli.text import clean
from support.hostile import hostile_papers
from support.smtpd_server import SECRET, Server, _free_port, _start

DAY = dt.date(2026, 11, 26)


@pytest.fixture
def smtp_server() -> Iterator[Server]:
    yield from _start()


def _groups() -> dict[str, list[Paper]]:
    papers = hostile_papers()
    return {"mini-batch": papers[:12], "diffusion": [*papers[10:], papers[0]]}


def _parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


# Every element the digest's HTML part is made of.
DIGEST_TAGS = {"html", "head", "meta", "title", "body", "div", "h1", "h2", "p", "span", "br"} | {
    "table",
    "tr",
    "td",
    "a",
    "img",
}


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []  # (tag, name, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]
        self.attrs += [(tag, k, v or "") for k, v in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_digest_arrives_with_both_parts(smtp_server: Server) -> None:
    groups = _groups()
    marked: list[Any] = []
    result = mail.run_digest(
        groups, smtp_server.config(), day=DAY, mark_reported=marked.append, environ={}
    )
    assert result.sent and result.papers == len(hostile_papers())
    assert len(smtp_server.inbox.messages) == 1
    envelope = smtp_server.inbox.envelopes[0]
    assert envelope.mail_from == "papers@example.org"
    assert envelope.rcpt_tos == ["reader@example.org"]
    message = _parse(smtp_server.inbox.messages[0])
    assert (
        message["Subject"] == f"papers: {result.papers} new for mini-batch, diffusion (2026-11-26)"
    )
    assert message["From"] == "papers@example.org" and message["To"] == "reader@example.org"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(preferencelist=("plain",))
    rich = message.get_body(preferencelist=("html",))
    assert plain is not None and rich is not None
    text = plain.get_content()
    parser = _Html()
    parser.feed(rich.get_content())
    html_text = " ".join(" ".join(parser.text).split())
    flat_text = " ".join(text.split())  # long lines are wrapped at 78 characters
    for paper in hostile_papers():
        title = clean(paper.title)
        assert title in flat_text
        assert title in html_text, title
    assert "== mini-batch: 12 new ==" in text
    assert "== diffusion: 11 new (3 listed above) ==" in text
    # Remote text never becomes markup: only papercli's own tags and links.
    assert parser.tags <= DIGEST_TAGS
    trusted = {
        safe_url(u)
        for p in hostile_papers()
        for u in (p.url, p.arxiv_url, p.pdf_url, p.github_url, p.project_page)
    }
    assert set(parser.hrefs) <= trusted and not any("javascript" in h for h in parser.hrefs)
    assert "\x1b" not in text and "\u202e" not in text
    assert marked == [{name: list(papers) for name, papers in groups.items()}]


def test_login_is_used_when_a_username_is_set(smtp_server: Server) -> None:
    marked: list[Any] = []
    config = smtp_server.config(username="reader", password_env="MY_SMTP_PW")
    result = mail.run_digest(
        _groups(), config, day=DAY, mark_reported=marked.append, environ={"MY_SMTP_PW": SECRET}
    )
    assert result.sent and marked
    assert smtp_server.inbox.logins == [(b"reader", SECRET.encode())]
    raw = smtp_server.inbox.messages[0]
    assert SECRET.encode() not in raw
    message = _parse(raw)
    for part in message.walk():
        assert SECRET not in str(part.get_payload(decode=True) or b"", "utf-8", "replace")


def test_wrong_password_is_one_line_and_marks_nothing(smtp_server: Server) -> None:
    marked: list[Any] = []
    config = smtp_server.config(username="reader")
    with pytest.raises(PapersError) as info:
        mail.run_digest(
            _groups(),
            config,
            day=DAY,
            mark_reported=marked.append,
            environ={"PAPERS_SMTP_PASSWORD": "wrong-" + SECRET},
        )
    message = str(info.value)
    assert "\n" not in message and "login" in message and "535" in message
    assert SECRET not in message
    assert marked == [] and smtp_server.inbox.messages == []


def test_missing_password_is_an_error_before_connecting() -> None:
    config = mail.SmtpConfig(
        host="127.0.0.1", port=9, username="reader", sender="a@b.c", to="d@e.f"
    )
    marked: list[Any] = []
    with pytest.raises(PapersError, match="PAPERS_SMTP_PASSWORD"):
        mail.run_digest(_groups(), config, day=DAY, mark_reported=marked.append, environ={})
    assert marked == []


def test_unreachable_server_is_one_line_and_marks_nothing() -> None:
    config = mail.SmtpConfig(
        host="127.0.0.1", port=_free_port(), security="none", sender="a@b.c", to="d@e.f"
    )
    marked: list[Any] = []
    with pytest.raises(PapersError) as info:
        mail.run_digest(_groups(), config, day=DAY, mark_reported=marked.append, environ={})
    assert "Could not send the digest through 127.0.0.1:" in str(info.value)
    assert "\n" not in str(info.value) and marked == []


def test_starttls_required_but_not_offered_fails(smtp_server: Server) -> None:
    marked: list[Any] = []
    with pytest.raises(PapersError, match="STARTTLS"):
        mail.run_digest(
            _groups(),
            smtp_server.config(security="starttls"),
            day=DAY,
            mark_reported=marked.append,
            environ={},
        )
    assert marked == [] and smtp_server.inbox.messages == []


def test_nothing_new_sends_nothing(smtp_server: Server) -> None:
    marked: list[Any] = []
    result = mail.run_digest(
        {"a": [], "b": []}, smtp_server.config(), day=DAY, mark_reported=marked.append
    )
    assert result == mail.DigestResult(0, False)
    assert marked == [] and smtp_server.inbox.messages == []


def test_dry_run_builds_but_neither_sends_nor_marks(smtp_server: Server) -> None:
    marked: list[Any] = []
    config = smtp_server.config(username="reader")
    result = mail.run_digest(
        _groups(),
        config,
        day=DAY,
        mark_reported=marked.append,
        dry_run=True,
        environ={"PAPERS_SMTP_PASSWORD": SECRET},
    )
    assert not result.sent and result.message is not None and result.papers == 20
    assert marked == [] and smtp_server.inbox.messages == []
    assert SECRET not in result.message.as_string()


def test_bad_addresses_are_refused() -> None:
    config = mail.SmtpConfig(sender="papers@example.org", to="")
    with pytest.raises(ConfigError, match="set \\[email\\] to"):
        mail.run_digest(_groups(), config, day=DAY, mark_reported=lambda g: None)
    # A dry run is a preview: missing addresses get placeholders.
    preview = mail.run_digest(
        _groups(), config, day=DAY, mark_reported=lambda g: None, dry_run=True
    )
    assert preview.message is not None and preview.message["To"] == "you@localhost"
    with pytest.raises(UsageError, match="Invalid --to address"):
        mail.run_digest(
            _groups(),
            config,
            day=DAY,
            mark_reported=lambda g: None,
            dry_run=True,
            to="x@y.z\r\nBcc: victim@example.org",
        )


def test_subject_counts_each_paper_once() -> None:
    papers = hostile_papers()
    groups = {"mini-batch": papers[:5], "diffusion": papers[3:7], "empty": []}
    assert mail.subject(groups, DAY) == "papers: 7 new for mini-batch, diffusion (2026-11-26)"


# --- TLS: a self-signed certificate for 127.0.0.1 made by openssl ----------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _contexts(certificate: tuple[Path, Path]) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    cert, key = certificate
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_with_login(certificate: tuple[Path, Path], security: str) -> None:
    server_context, client_context = _contexts(certificate)
    kwargs: dict[str, Any] = (
        {"tls_context": server_context, "require_starttls": True}
        if security == "starttls"
        else {"ssl_context": server_context}
    )
    for server in _start(**kwargs):
        marked: list[Any] = []
        config = server.config(security=security, username="reader")
        result = mail.run_digest(
            _groups(),
            config,
            day=DAY,
            mark_reported=marked.append,
            environ={"PAPERS_SMTP_PASSWORD": SECRET},
            ssl_context=client_context,
        )
        assert result.sent and marked
        assert server.inbox.logins == [(b"reader", SECRET.encode())]
        assert _parse(server.inbox.messages[0])["Subject"].startswith("papers: 20 new")
        # An untrusted certificate is refused, in one line.
        with pytest.raises(PapersError, match="Could not send"):
            mail.run_digest(
                _groups(),
                config,
                day=DAY,
                mark_reported=marked.append,
                environ={"PAPERS_SMTP_PASSWORD": SECRET},
            )
        assert len(marked) == 1
