"""Email digests: one message (plain text and HTML from the same content), sent by SMTP.

The digest works on a narrow interface: ``{watch rule name: [new papers]}`` in (in
the order to show them, and each rule's query if known), and a ``mark_reported``
callback that is called only after the server accepted the message. Where the new
papers come from and their order (watch rules, their "reported" state, "for you" or
upvotes) is :func:`papercli.core.watch.news`'s business, not this one's.

Each paper is shown once, under the first rule that matched it, naming every rule
that did, so the subject's count is the number of papers in the body. The HTML part
is made for mail clients: inline styles only (they drop ``<style>``), no script, no
web font, one column that narrows from 640 pixels to a phone's, no background colour
(the client's light or dark one shows through) and mid-tone colours that read on
both; the thumbnail Hugging Face gives is linked by its URL, never fetched. Remote
text is cleaned and HTML-escaped; links only to http(s) URLs.

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
from papercli.export.common import base_id, best_link, safe_url
from papercli.models import Paper
from papercli.text import clean

if TYPE_CHECKING:
    import ssl

    from papercli.config import Settings

Groups = Mapping[str, Sequence[Paper]]
MAX_AUTHORS = 3  # the first authors, then "and N more"
TLDR_CHARS = 300  # 99 % of the AI summaries of July 2025 fit whole
TEXT_WIDTH = 78  # the plain-text part's lines


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

# Mail clients drop <style> and scripts: every style is inline. No background colours:
# the client's own (white, or dark in dark mode) shows through, and the few colours
# used are mid-tones that read on both (about 4.5:1 on white and on black).
MUTED = "#6e7781"
LINK = "#3b73d9"
ACCENT = "#c0560f"
LINE = "#8c959f"
FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Noto Sans',Helvetica,Arial,sans-serif"
THUMB_WIDTH = 96


@dataclass(frozen=True, slots=True)
class Item:
    """One paper as the digest shows it; both parts are rendered from these."""

    number: int  # 1 to the digest's count: each paper once, numbered through the message
    title: str
    link: str | None  # the paper's page (Hugging Face, else arXiv)
    authors: str  # the first few, and how many more
    organization: str
    upvotes: int | None
    comments: int | None
    ident: str  # "arXiv 2507.11001"
    tldr: str  # the AI summary, else the start of the abstract
    links: tuple[tuple[str, str], ...]  # small links: PDF, Code
    thumbnail: str | None
    rules: tuple[str, ...]  # every rule that matched it, when more than one


@dataclass(frozen=True, slots=True)
class Section:
    """A watch rule: its query, how many new papers it matched, and those not shown in an
    earlier section (``earlier``: how many were)."""

    name: str
    query: str
    count: int
    earlier: int
    items: tuple[Item, ...]


def _authors(p: Paper) -> str:
    names = [clean(a) for a in p.authors if clean(a)]
    text = ", ".join(names[:MAX_AUTHORS])
    if len(names) > MAX_AUTHORS:
        text += f" and {len(names) - MAX_AUTHORS} more"
    return text


def _shorten(text: str, limit: int = TLDR_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def _tldr(p: Paper) -> str:
    summary = clean(p.ai_summary)
    if summary:
        return _shorten(summary)
    abstract = clean(p.abstract)
    first = re.match(r"(.{40,}?[.!?])\s", abstract + " ")
    return _shorten(first.group(1) if first else abstract)


def _item(p: Paper, number: int, rules: Sequence[str]) -> Item:
    stars = p.github_stars
    code = "Code" + (
        "" if stars is None else f" ★ {stars / 1000:.1f}k" if stars >= 1000 else f" ★ {stars}"
    )
    candidates = [("PDF", p.pdf_url), (code, p.github_url)]
    return Item(
        number=number,
        title=clean(p.title) or "(untitled)",
        link=safe_url(best_link(p)),
        authors=_authors(p),
        organization=clean(p.organization),
        upvotes=p.upvotes,
        comments=p.comments,
        ident=f"arXiv {clean(p.id)}" if p.is_arxiv else clean(p.id),
        tldr=_tldr(p),
        links=tuple((label, url) for label, raw in candidates if (url := safe_url(raw))),
        thumbnail=safe_url(p.thumbnail),
        rules=tuple(clean(r) for r in rules) if len(rules) > 1 else (),
    )


def _sections(groups: Groups, queries: Mapping[str, str]) -> list[Section]:
    """A section per rule with papers; each paper once, under the first rule that
    matched it, naming every rule that did (the order within a rule is the caller's)."""
    matched: dict[str, list[str]] = {}
    for name, papers in groups.items():
        for p in papers:
            rules = matched.setdefault(base_id(p.id), [])
            if name not in rules:
                rules.append(name)
    shown: set[str] = set()
    sections = []
    for name, papers in groups.items():
        if not papers:
            continue
        items = []
        for p in papers:
            key = base_id(p.id)
            if key not in shown:
                shown.add(key)
                items.append(_item(p, len(shown), matched[key]))
        count = len({base_id(p.id) for p in papers})
        query = clean(queries.get(name, ""))
        sections.append(Section(clean(name) or "?", query, count, count - len(items), tuple(items)))
    return sections


def count_new(groups: Groups) -> int:
    """Papers in the digest, each counted once even when several rules found it."""
    return len({base_id(p.id) for papers in groups.values() for p in papers})


def subject(groups: Groups, day: dt.date) -> str:
    """``papers: 7 new for mini-batch, diffusion (2026-11-26)``."""
    names = ", ".join(clean(name) for name, papers in groups.items() if papers)
    return f"papers: {count_new(groups)} new for {names} ({day.isoformat()})"


def _heading(n: int, day: dt.date) -> str:
    return f"{n} new paper{'s' if n != 1 else ''} for your watch rules ({day.isoformat()})"


def _section_count(section: Section) -> str:
    text = f"{section.count} new"
    if section.earlier:
        text += f" ({section.earlier} listed above)"
    return text


def _facts(item: Item) -> list[str]:
    facts = []
    if item.upvotes is not None:
        facts.append(f"{item.upvotes} upvote{'s' if item.upvotes != 1 else ''}")
    if item.comments:
        facts.append(f"{item.comments} comment{'s' if item.comments != 1 else ''}")
    return facts


def _wrap(text: str, first: str = "   ") -> list[str]:
    """``text`` in lines of at most 78 characters (a word longer than that, a URL, whole),
    the first after ``first``, the others indented by three spaces."""
    import textwrap

    return textwrap.wrap(
        text,
        TEXT_WIDTH,
        initial_indent=first,
        subsequent_indent="   ",
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def render_text(groups: Groups, day: dt.date, queries: Mapping[str, str] | None = None) -> str:
    """The plain-text part: readable in a terminal mail reader, 80 columns or so."""
    lines = [_heading(count_new(groups), day), ""]
    for section in _sections(groups, queries or {}):
        lines.append(f"== {section.name}: {_section_count(section)} ==")
        if section.query:
            lines.append(f"   query: {section.query}")
        lines.append("")
        for item in section.items:
            lines += _wrap(item.title, f"{item.number}. ")
            if item.authors:
                lines += _wrap(item.authors)
            details = [x for x in (item.organization, *_facts(item), item.ident) if x]
            lines += _wrap(" · ".join(details))
            if item.tldr:
                lines += _wrap(f"TL;DR: {item.tldr}")
            if item.link:
                lines.append(f"   Page: {item.link}")
            lines += [f"   {label.split(' ')[0]}: {url}" for label, url in item.links]
            if item.rules:
                lines.append(f"   Matched: {', '.join(item.rules)}")
            lines.append("")
    lines += ["-- ", "Sent by papercli (papers digest)."]
    return "\n".join(lines) + "\n"


# Inline styles, named once, kept short: Gmail cuts a message off after about 102 KB
# (this layout fits about 60 papers under that).
_SMALL = f"font-size:13px;color:{MUTED};margin:2px 0 0"
_TITLE = "font-size:16px;line-height:1.35;margin:0"
_TITLE_LINK = f"color:{LINK};text-decoration:none;font-weight:600"
_LINK = f"color:{LINK}"
_COUNT = f"color:{ACCENT};font-weight:600"
_TLDR = "font-size:14px;margin:6px 0 0"
_TLDR_LABEL = f"font-size:11px;font-weight:600;color:{MUTED}"
_MONO = "font-family:ui-monospace,Menlo,Consolas,monospace"
_TABLE = f"table-layout:fixed;border-collapse:collapse;border-top:1px solid {LINE}"
_TEXT_CELL = "padding:14px 0"
_THUMB_CELL = "padding:16px 0 14px 12px"
_THUMB = f"display:block;max-width:100%;height:auto;border:1px solid {LINE};color:{MUTED}"
_PAGE = (
    f"max-width:640px;margin:0 auto;padding:20px 16px;font-family:{FONT};"
    "font-size:15px;line-height:1.5;word-wrap:break-word;overflow-wrap:anywhere"
)


def _a(url: str, label: str, style: str) -> str:
    """A link to a trusted (http(s), percent-encoded) URL; ``label`` is escaped already."""
    return f'<a href="{html.escape(url)}" style="{style}">{label}</a>'


def _html_item(item: Item) -> str:
    """One paper: a two-cell table (text, then the thumbnail when there is one)."""
    e = html.escape
    title = _a(item.link, e(item.title), _TITLE_LINK) if item.link else e(item.title)
    text = [f'<div style="{_TITLE}">{title}</div>']
    who = " · ".join(e(x) for x in (item.authors, item.organization) if x)
    facts = [e(x) for x in _facts(item)]
    if item.upvotes is not None:  # "▲ 12 upvotes", the count in colour
        count = f'<span style="{_COUNT}">▲ {item.upvotes}</span>'
        facts[0] = facts[0].replace(str(item.upvotes), count, 1)
    facts.append(e(item.ident))
    lines = [who, " · ".join(facts)] if who else [" · ".join(facts)]
    text.append(f'<div style="{_SMALL}">{"<br>".join(lines)}</div>')
    if item.tldr:
        label = f'<span style="{_TLDR_LABEL}">TL;DR</span>'
        text.append(f'<div style="{_TLDR}">{label} {e(item.tldr)}</div>')
    extras = [_a(url, e(label), _LINK) for label, url in item.links]
    if item.rules:
        extras.append("matched " + ", ".join(e(r) for r in item.rules))
    if extras:
        text.append(f'<div style="{_SMALL.replace("2px", "6px")}">{" · ".join(extras)}</div>')
    cells = [f'<td valign="top" style="{_TEXT_CELL}">{"".join(text)}</td>']
    if item.thumbnail:
        alt = e(f"Thumbnail of {item.title}")
        image = (
            f'<img src="{e(item.thumbnail)}" alt="{alt}" width="{THUMB_WIDTH}" style="{_THUMB}">'
        )
        if item.link:
            image = f'<a href="{e(item.link)}">{image}</a>'
        width = THUMB_WIDTH + 12
        cells.append(f'<td valign="top" width="{width}" style="{_THUMB_CELL}">{image}</td>')
    return (
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'style="{_TABLE}"><tr>{"".join(cells)}</tr></table>'
    )


def render_html(groups: Groups, day: dt.date, queries: Mapping[str, str] | None = None) -> str:
    """The HTML part: inline styles only, one column up to 640 pixels wide, no colours
    behind the text (light and dark mode alike)."""
    e = html.escape
    n = count_new(groups)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        '<meta name="supported-color-schemes" content="light dark">',
        f"<title>{e(subject(groups, day))}</title></head>",
        '<body style="margin:0;padding:0">',
        f'<div style="{_PAGE}">',
        f'<h1 style="font-size:22px;line-height:1.3;margin:0">{n} new paper'
        f"{'s' if n != 1 else ''}</h1>",
        f'<p style="font-size:14px;color:{MUTED};margin:2px 0 8px">for your watch rules · '
        f"{day.isoformat()}</p>",
    ]
    for section in _sections(groups, queries or {}):
        about = [e(_section_count(section))]
        if section.query:
            about.insert(0, f'<span style="{_MONO}">{e(section.query)}</span>')
        out += [
            f'<h2 style="font-size:18px;line-height:1.3;margin:28px 0 0">{e(section.name)}</h2>',
            f'<p style="font-size:13px;color:{MUTED};margin:2px 0 6px">{" · ".join(about)}</p>',
            *(_html_item(item) for item in section.items),
        ]
    out += [
        f'<p style="font-size:12px;color:{MUTED};border-top:1px solid {LINE};margin:8px 0 0;'
        'padding-top:12px">Sent by papercli (papers digest).</p>',
        "</div></body></html>",
    ]
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
    groups: Groups,
    *,
    sender: str,
    to: str,
    day: dt.date,
    now: dt.datetime | None = None,
    queries: Mapping[str, str] | None = None,
) -> EmailMessage:
    """One message with a plain-text part and an HTML alternative (``queries``: each
    rule's query, shown under its name)."""
    from email.utils import format_datetime, make_msgid

    senders = check_addresses(sender, "from")
    recipients = check_addresses(to, "to")
    message = EmailMessage()
    message["Subject"] = subject(groups, day)
    message["From"] = senders[0]
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(now or dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid("papercli", domain=senders[0].rsplit("@", 1)[1])
    message.set_content(render_text(groups, day, queries))
    message.add_alternative(render_html(groups, day, queries), subtype="html")
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
    queries: Mapping[str, str] | None = None,
) -> DigestResult:
    """Send one digest of ``groups`` (rule name -> new papers, in the order to show
    them; ``queries``: rule name -> its query).

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
    message = build_message(new, sender=sender, to=recipient, day=day, queries=queries)
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
