"""Email digests: one message (plain text and HTML from the same content), sent by SMTP.

The digest works on a narrow interface: ``{watch rule name: [new papers]}`` in,
and a ``mark_reported`` callback that is called only after the server accepted
the message. Where the new papers come from (watch rules and their "reported"
state) is the watch module's business, not this one's.

SMTP settings come from the ``[email]`` section of the configuration; the password
only from the environment variable it names (``password_env``), never from the
file, and it is never printed: not in errors, not in ``--dry-run`` output.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING

from papercli.errors import ConfigError, PapersError, UsageError
from papercli.export import safe_url
from papercli.models import Paper
from papercli.text import clean

if TYPE_CHECKING:
    import ssl

    from papercli.config import Settings

Groups = Mapping[str, Sequence[Paper]]
MAX_AUTHORS = 10
ABSTRACT_CHARS = 400


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"  # starttls, ssl or none
    username: str = ""
    sender: str = ""
    to: str = ""
    password_env: str = "PAPERS_SMTP_PASSWORD"
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig:
        email = settings.values["email"]
        return cls(
            host=str(email["host"]),
            port=int(email["port"]),
            security=str(email["security"]),
            username=str(email["username"]),
            sender=str(email["from"]),
            to=str(email["to"]),
            password_env=str(email["password_env"]),
            timeout=float(settings.values["network"]["read_timeout"]),
        )


# --- content ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """One paper as the digest shows it; both parts are rendered from these."""

    title: str
    link: str | None
    authors: str
    details: str
    links: tuple[tuple[str, str], ...]
    abstract: str


def _item(p: Paper) -> Item:
    names = [clean(a) for a in p.authors if clean(a)]
    authors = ", ".join(names[:MAX_AUTHORS])
    if len(names) > MAX_AUTHORS:
        authors += f" and {len(names) - MAX_AUTHORS} more"
    details = []
    if p.organization:
        details.append(clean(p.organization))
    if p.upvotes is not None:
        details.append(f"{p.upvotes} upvote{'s' if p.upvotes != 1 else ''}")
    details.append(f"arXiv {clean(p.id)}" if p.is_arxiv else clean(p.id))
    candidates = [
        ("Hugging Face", p.url),
        ("arXiv", p.arxiv_url),
        ("PDF", p.pdf_url),
        ("Code", p.github_url),
        ("Project page", p.project_page),
    ]
    links = tuple((label, url) for label, raw in candidates if (url := safe_url(raw)))
    abstract = clean(p.abstract)
    if len(abstract) > ABSTRACT_CHARS:
        abstract = abstract[:ABSTRACT_CHARS].rsplit(" ", 1)[0] + " …"
    return Item(
        title=clean(p.title) or "(untitled)",
        link=links[0][1] if links else None,
        authors=authors,
        details=" · ".join(details),
        links=links,
        abstract=abstract,
    )


def _sections(groups: Groups) -> list[tuple[str, list[Item]]]:
    return [(clean(name) or "?", [_item(p) for p in papers]) for name, papers in groups.items()]


def count_new(groups: Groups) -> int:
    """Papers in the digest, each counted once even when several rules found it."""
    return len({p.id for papers in groups.values() for p in papers})


def subject(groups: Groups, day: dt.date) -> str:
    """``papers: 7 new for mini-batch, diffusion (2026-11-26)``."""
    names = ", ".join(clean(name) for name, papers in groups.items() if papers)
    return f"papers: {count_new(groups)} new for {names} ({day.isoformat()})"


def render_text(groups: Groups, day: dt.date) -> str:
    n = count_new(groups)
    lines = [f"{n} new paper{'s' if n != 1 else ''} for your watch rules ({day.isoformat()})", ""]
    for name, items in _sections(groups):
        lines += [f"== {name}: {len(items)} new ==", ""]
        for number, item in enumerate(items, 1):
            lines.append(f"{number}. {item.title}")
            if item.authors:
                lines.append(f"   {item.authors}")
            lines.append(f"   {item.details}")
            lines += [f"   {label}: {url}" for label, url in item.links]
            if item.abstract:
                lines.append(f"   {item.abstract}")
            lines.append("")
    lines += ["-- ", "Sent by papercli (papers digest)."]
    return "\n".join(lines) + "\n"


def render_html(groups: Groups, day: dt.date) -> str:
    e = html.escape
    n = count_new(groups)
    heading = f"{n} new paper{'s' if n != 1 else ''} for your watch rules ({day.isoformat()})"
    out = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        f"<title>{e(subject(groups, day))}</title></head>",
        "<body>",
        f"<h1>{e(heading)}</h1>",
    ]
    for name, items in _sections(groups):
        out.append(f"<h2>{e(name)}: {len(items)} new</h2>")
        out.append("<ol>")
        for item in items:
            title = e(item.title)
            if item.link:
                title = f'<a href="{e(item.link)}">{title}</a>'
            out.append(f"<li><p><strong>{title}</strong><br>")
            if item.authors:
                out.append(f"{e(item.authors)}<br>")
            out.append(f"{e(item.details)}<br>")
            links = " · ".join(f'<a href="{e(url)}">{e(label)}</a>' for label, url in item.links)
            out.append(f"{links}</p>" if links else "</p>")
            if item.abstract:
                out.append(f"<p>{e(item.abstract)}</p>")
            out.append("</li>")
        out.append("</ol>")
    out += ["<p>Sent by papercli (papers digest).</p>", "</body></html>"]
    return "\n".join(out) + "\n"


# --- the message ---------------------------------------------------------------------

# No white space, controls (C0, DEL, C1) or characters that end an address in a header.
_ADDRESS = re.compile(r"[^@\s<>,;\"\x00-\x1f\x7f-\x9f]+@[^@\s<>,;\"\x00-\x1f\x7f-\x9f]+")


def check_addresses(value: str, what: str, *, from_config: bool = True) -> list[str]:
    """Comma-separated plain addresses (``a@example.org, b@example.org``).

    Problems with the config file's addresses are :class:`ConfigError` (exit 1),
    with one given on the command line (``--to``) a :class:`UsageError` (exit 2)."""
    error = ConfigError if from_config else UsageError
    addresses = [a.strip() for a in value.split(",") if a.strip()]
    if not addresses:
        if not from_config:
            raise error(f"No address given with --{what}.")
        raise error(f"No {what} address: set [email] {what} in the config file.")
    for address in addresses:
        if not _ADDRESS.fullmatch(address):
            where = f"[email] {what}" if from_config else f"--{what}"
            raise error(f"Invalid {where} address {clean(address)!r}.")
    return addresses


def build_message(
    groups: Groups, *, sender: str, to: str, day: dt.date, now: dt.datetime | None = None
) -> EmailMessage:
    """One message with a plain-text part and an HTML alternative."""
    from email.utils import format_datetime, make_msgid

    senders = check_addresses(sender, "from")
    recipients = check_addresses(to, "to")
    message = EmailMessage()
    message["Subject"] = subject(groups, day)
    message["From"] = senders[0]
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(now or dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid("papercli", domain=senders[0].rsplit("@", 1)[1])
    message.set_content(render_text(groups, day))
    message.add_alternative(render_html(groups, day), subtype="html")
    return message


# --- sending --------------------------------------------------------------------------


def _reason(exc: BaseException, secret: str | None) -> str:
    import smtplib

    if isinstance(exc, smtplib.SMTPResponseException):
        raw = exc.smtp_error
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        reason = f"{exc.smtp_code} {text}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        reason = "every recipient was refused"
    elif isinstance(exc, OSError) and exc.strerror:
        reason = exc.strerror
    else:
        reason = str(exc) or type(exc).__name__
    reason = clean(reason)
    if secret:
        reason = reason.replace(secret, "***")
    return reason


def password(config: SmtpConfig, environ: Mapping[str, str] | None = None) -> str | None:
    """The SMTP password from the environment (only when a user name is configured)."""
    if not config.username:
        return None
    env = os.environ if environ is None else environ
    value = env.get(config.password_env, "")
    if not value:
        raise PapersError(
            f"[email] username is set but the environment variable {config.password_env} "
            "(the SMTP password) is empty."
        )
    return value


def send(
    message: EmailMessage,
    config: SmtpConfig,
    *,
    environ: Mapping[str, str] | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Hand ``message`` to the SMTP server; any failure is one :class:`PapersError`."""
    import smtplib
    import ssl

    secret = password(config, environ)
    where = f"{config.host}:{config.port}"
    try:
        context = ssl_context or ssl.create_default_context()
        client: smtplib.SMTP
        if config.security == "ssl":
            client = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=context
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        with client:
            if config.security == "starttls":
                client.starttls(context=context)
            if config.username and secret is not None:
                client.login(config.username, secret)
            client.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise PapersError(f"SMTP login to {where} failed: {_reason(exc, secret)}.") from None
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        raise PapersError(
            f"Could not send the digest through {where}: {_reason(exc, secret)}."
        ) from None


# --- the digest ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestResult:
    papers: int  # distinct papers in the message (0: nothing new, nothing sent)
    sent: bool
    message: EmailMessage | None = None


def run_digest(
    groups: Groups,
    config: SmtpConfig,
    *,
    day: dt.date,
    mark_reported: Callable[[Groups], None],
    to: str | None = None,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> DigestResult:
    """Send one digest of ``groups`` (rule name -> new papers).

    Nothing new: no message. ``dry_run``: the message is built and returned, not
    sent, and nothing is marked. Otherwise ``mark_reported`` is called only after
    the server accepted the message; a failed send raises and marks nothing.
    """
    new = {name: list(papers) for name, papers in groups.items() if papers}
    if not new:
        return DigestResult(0, False)
    if to is not None:
        check_addresses(to, "to", from_config=False)
    sender, recipient = config.sender, to or config.to
    if dry_run:
        # A preview needs no configured addresses: placeholders stand in for missing ones.
        sender = sender.strip() or "papers@localhost"
        recipient = recipient.strip() or "you@localhost"
    message = build_message(new, sender=sender, to=recipient, day=day)
    if dry_run:
        return DigestResult(count_new(new), False, message)
    send(message, config, environ=environ, ssl_context=ssl_context)
    mark_reported(new)
    return DigestResult(count_new(new), True, message)


def preview(message: EmailMessage) -> str:
    """The message as a person reads it (``--dry-run``): headers, then each part decoded."""
    lines = [f"{name}: {message[name]}" for name in ("Subject", "From", "To", "Date")]
    for part in message.walk():
        if part.get_content_maintype() == "multipart":
            continue
        content = part.get_content()  # type: ignore[attr-defined]
        lines += ["", f"--- {part.get_content_type()} ---", str(content).rstrip("\n")]
    return "\n".join(lines) + "\n"
