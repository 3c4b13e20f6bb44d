"""A tiny raw-socket HTTP/1.1 server on loopback that misbehaves on purpose.

pytest-httpserver speaks correct HTTP; some faults need a server that does not:
a connection reset in the middle of a body, a body that stops arriving, a body
that drips one byte at a time. This server answers every request according to a
*fault* (see :data:`FAULTS`), and otherwise with what a ``good`` responder says
the real service would send. Every response closes its connection.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

# (path, query) -> (status, body, content type)
Good = Callable[[str, dict[str, str]], tuple[int, bytes, str]]
# path -> (body, content type) of a valid answer with nothing in it
Empty = Callable[[str], tuple[bytes, str]]


def _json_empty(path: str) -> tuple[bytes, str]:
    return b"[]", "application/json"


HTML = (
    b"<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head>"
    b"<body><h1>We'll be right back</h1><p>The site is under maintenance.</p></body></html>"
)
HUGE_BYTES = 20 * 1024 * 1024

# Every fault the server can play. "first" faults misbehave on the first request
# for each URL, then answer well.
FAULTS = (
    "refused",
    "reset",
    "stall",
    "drip",
    "500-then-ok",
    "503-always",
    "429-retry-after-1",
    "429-retry-after-3600",
    "404",
    "html-200",
    "truncated-200",
    "empty-200",
    "huge-200",
)


@dataclass
class Hit:
    at: float
    path: str
    query: str


@dataclass
class FaultServer:
    fault: str
    good: Good
    empty: Empty = _json_empty
    # Misbehave only for requests whose "path?query" starts with this (others answer
    # well): "/api/query" (one endpoint), "/api/daily_papers?date=2025-07-15" (one day).
    only: str = ""
    log: list[Hit] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._listener: socket.socket | None = None

    # -- lifecycle --------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultServer:
        if self.fault == "refused":
            # A port held (bound) but never listened on: a connection is refused, and no
            # server started meanwhile (the other source's) can be given the same port.
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
            self._listener = probe
            return self
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener
        thread = threading.Thread(target=self._accept_loop, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in list(self._threads):
            thread.join(timeout=5)
        if self._listener is not None:
            self._listener.close()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving ------------------------------------------------------------------
    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _read_request(self, conn: socket.socket) -> tuple[str, dict[str, str], str] | None:
        conn.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        line = data.split(b"\r\n", 1)[0].decode("latin-1")
        target = line.split(" ")[1]
        parts = urlsplit(target)
        return parts.path, dict(parse_qsl(parts.query)), parts.query

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = self._read_request(conn)
            if request is None:
                return
            path, query, raw_query = request
            with self._lock:
                self.log.append(Hit(time.monotonic(), path, raw_query))
                key = f"{path}?{raw_query}"
                self._counts[key] = nth = self._counts.get(key, 0) + 1
            self._answer(conn, path, query, nth, f"{path}?{raw_query}")
        except OSError:
            pass  # the client went away (that is often the point)
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _send(
        self,
        conn: socket.socket,
        status: int,
        body: bytes,
        ctype: str = "application/json",
        headers: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
        head.append(f"Content-Type: {ctype}")
        if length is not None:
            head.append(f"Content-Length: {length}")
        head.append("Connection: close")
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

    def _answer(
        self, conn: socket.socket, path: str, query: dict[str, str], nth: int, target: str
    ) -> None:
        status, body, ctype = self.good(path, query)
        fault = self.fault if target.startswith(self.only) else "none"
        if fault == "reset":
            self._send(conn, status, body[: len(body) // 2], ctype, length=len(body))
            # SO_LINGER 0: close() sends RST instead of FIN (a reset, not an end).
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if fault == "stall":
            self._send(conn, status, body[:10], ctype, length=len(body))
            self._stop.wait()
            return
        if fault == "drip":
            self._send(conn, status, b"[", ctype, length=10**6)
            while not self._stop.wait(0.05):
                conn.sendall(b" ")
            return
        if fault == "500-then-ok" and nth == 1:
            self._send(conn, 500, b'{"error":"Internal Error"}', length=26)
            return
        if fault == "503-always":
            self._send(conn, 503, b"Service Unavailable", "text/plain", length=19)
            return
        if fault == "429-retry-after-1" and nth == 1:
            self._send(conn, 429, b"{}", headers={"Retry-After": "1"}, length=2)
            return
        if fault == "429-retry-after-3600":
            self._send(conn, 429, b"{}", headers={"Retry-After": "3600"}, length=2)
            return
        if fault == "404":
            self._send(conn, 404, b'{"error":"Not Found"}', length=21)
            return
        if fault == "html-200":
            self._send(conn, 200, HTML, "text/html; charset=utf-8", length=len(HTML))
            return
        if fault == "truncated-200":
            cut = body[: len(body) * 2 // 3]
            self._send(conn, 200, cut, ctype, length=len(cut))
            return
        if fault == "empty-200":
            empty, empty_type = self.empty(path)
            self._send(conn, 200, empty, empty_type, length=len(empty))
            return
        if fault == "huge-200":
            # Valid JSON, 20 MB, sent without a Content-Length (ends at close).
            self._send(conn, 200, b'[{"paper":{"id":"2507.11001","title":"big","summary":"')
            block = b"a" * 65536
            for _ in range(HUGE_BYTES // len(block)):
                conn.sendall(block)
            conn.sendall(b'"}}]')
            return
        self._send(conn, status, body, ctype, length=len(body))


_REASONS = {
    200: "OK",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
