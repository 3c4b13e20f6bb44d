"""A real SMTP server on loopback for the tests (aiosmtpd), with AUTH and optional TLS."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from papercli import mail

SECRET = "s3cret-Pa55word-do-not-print"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Inbox:
    messages: list[bytes] = field(default_factory=list)
    envelopes: list[Any] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.original_content or envelope.content)
        self.envelopes.append(envelope)
        return "250 Message accepted"


@dataclass
class Server:
    inbox: Inbox
    port: int

    def config(self, **kwargs: Any) -> mail.SmtpConfig:
        values: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port,
            "security": "none",
            "sender": "papers@example.org",
            "to": "reader@example.org",
            "timeout": 5.0,
        }
        values.update(kwargs)
        return mail.SmtpConfig(**values)


def _start(**kwargs: Any) -> Iterator[Server]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()

    def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        from aiosmtpd.smtp import AuthResult

        inbox.logins.append((auth_data.login, auth_data.password))
        ok = auth_data.login == b"reader" and auth_data.password == SECRET.encode()
        return AuthResult(success=ok, handled=False)

    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
        **kwargs,
    )
    controller.start()
    try:
        yield Server(inbox, port)
    finally:
        controller.stop()
