"""The one place that talks HTTP: timeouts, retries, Retry-After, politeness, User-Agent.

Sources call :meth:`Http.get` and receive a :class:`Response` whose body has been
read whole (and capped). Every transport failure and unexpected status becomes a
:class:`~papercli.errors.FetchError` with a one-line reason; nothing else escapes.
httpx is imported lazily so that commands served from the cache never pay for it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from papercli import __version__
from papercli.errors import CancelledError, FetchError, TimeLimitError, UnavailableError
from papercli.text import redact_urls

if TYPE_CHECKING:
    import httpx

    from papercli.config import Settings

USER_AGENT = f"papercli/{__version__} (+https://github.com/papercli/papercli)"
_MB = 1024 * 1024  # [network] max_body_mb counts these
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Response:
    url: str
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Policy:
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 3
    max_retry_after: float = 60.0
    total_timeout: float = 300.0
    max_body_bytes: int = 10 * _MB
    backoff_base: float = 0.5
    backoff_cap: float = 8.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        net = settings.values["network"]
        return cls(
            connect_timeout=float(net["connect_timeout"]),
            read_timeout=float(net["read_timeout"]),
            retries=max(0, int(net["retries"])),
            max_retry_after=float(net["max_retry_after"]),
            total_timeout=float(net["total_timeout"]),
            max_body_bytes=int(float(net["max_body_mb"]) * _MB),
            backoff_base=float(net["backoff_seconds"]),
        )


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date).

    ``None`` when the header is absent or unreadable (the caller then backs off as
    usual). A date in the past means "now" (0 s).
    """
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"[0-9]{1,12}(?:\.[0-9]+)?", value, re.ASCII):
        return float(value)
    try:
        import email.utils

        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # "-0000": HTTP dates are always GMT
        when = when.replace(tzinfo=dt.UTC)
    try:
        return max(0.0, when.timestamp() - now)
    except (OverflowError, OSError, ValueError):
        return None


def retry_time(wallclock: float, wait: float) -> str:
    """When to retry, for a message: ``14:05`` today, else ``2026-11-27 14:05``."""
    try:
        then = dt.datetime.fromtimestamp(wallclock + wait)
        today = dt.datetime.fromtimestamp(wallclock).date()
    except (OverflowError, OSError, ValueError):
        return "much later"
    return then.strftime("%H:%M" if then.date() == today else "%Y-%m-%d %H:%M")


_VALIDATOR_HEADERS = (("etag", "If-None-Match"), ("last_modified", "If-Modified-Since"))


def sanitize_validators(validators: Mapping[str, Any]) -> dict[str, str]:
    """The usable ``etag`` / ``last_modified`` values (cache files can be edited by hand)."""
    out: dict[str, str] = {}
    for key, _ in _VALIDATOR_HEADERS:
        value = validators.get(key)
        usable = isinstance(value, str) and 0 < len(value) <= 1024
        if usable and value.isascii() and value.isprintable():  # type: ignore[union-attr]
            out[key] = value  # type: ignore[assignment]
    return out


def validators_from(headers: Mapping[str, str]) -> dict[str, str]:
    """``ETag`` / ``Last-Modified`` of a response, as stored in a cache entry's meta."""
    return sanitize_validators(
        {"etag": headers.get("etag"), "last_modified": headers.get("last-modified")}
    )


def conditional_headers(validators: Mapping[str, Any]) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` for validators a server gave earlier.

    Pass them to :meth:`Http.get` with ``accept=(304,)``: a 304 means "still good".
    """
    valid = sanitize_validators(validators)
    return {header: valid[key] for key, header in _VALIDATOR_HEADERS if key in valid}


def host_of(url: str) -> str:
    """The host (and port) of ``url`` for messages: never its user name or password."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return redact_urls(url)
    return netloc.rpartition("@")[2] if netloc else redact_urls(url)


class Http:
    """A small HTTP client with a retry policy. One per command; thread-safe."""

    def __init__(
        self,
        policy: Policy | None = None,
        *,
        transport: Any = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wallclock: Callable[[], float] = time.time,
        waiting: Callable[[str], AbstractContextManager[None]] | None = None,
    ) -> None:
        self.policy = policy or Policy()
        # A sign of life while a request is in flight (the command line's spinner).
        self._waiting = waiting or (lambda what: contextlib.nullcontext())
        self._transport = transport
        self._sleep = sleep  # None: really wait, waking early for a cancel
        self._jitter = random.Random()  # not the shared one: never disturb other users of it
        self._clock = clock
        self._wallclock = wallclock
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self._polite_lock = threading.Lock()
        self._last_request: dict[str, float] = {}
        self._deadline = clock() + self.policy.total_timeout
        self.requests = 0

    # -- lifecycle ----------------------------------------------------------
    def _get_client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                import httpx

                p = self.policy
                timeout = httpx.Timeout(
                    connect=p.connect_timeout, read=p.read_timeout, write=p.read_timeout, pool=None
                )
                self._client = httpx.Client(
                    timeout=timeout,
                    headers={"User-Agent": USER_AGENT},
                    follow_redirects=True,
                    transport=self._transport,
                    limits=httpx.Limits(max_connections=16, max_keepalive_connections=8),
                )
            return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- politeness ---------------------------------------------------------
    def _pause(self, seconds: float, cancel: threading.Event | None, host: str) -> None:
        """Wait ``seconds``; a ``cancel`` set before or meanwhile raises :class:`CancelledError`."""
        _raise_if_cancelled(cancel, host)
        if self._sleep is not None:
            self._sleep(seconds)
        elif cancel is not None:
            cancel.wait(seconds)
        else:
            time.sleep(seconds)
        _raise_if_cancelled(cancel, host)

    def _wait_turn(
        self, polite_key: str | None, min_interval: float, cancel: threading.Event | None = None
    ) -> None:
        """Keep at least ``min_interval`` seconds between requests sharing ``polite_key``.

        The lock is held while waiting, so polite requests are also sequential.
        """
        if not polite_key or min_interval <= 0:
            return
        last = self._last_request.get(polite_key)
        if last is not None:
            wait = last + min_interval - self._clock()
            if wait > 0:
                self._check_deadline(wait, polite_key)
                self._pause(wait, cancel, polite_key)
        self._last_request[polite_key] = self._clock()

    def _check_deadline(
        self, wait: float, host: str, retry_after: bool = False, problem: str = ""
    ) -> None:
        if self._clock() + wait > self._deadline:
            if retry_after:
                raise FetchError(
                    f"{host} asks to wait {wait:.0f} s, more than this command has left "
                    f"([network] total_timeout {self.policy.total_timeout:g} s); "
                    f"try again after {retry_time(self._wallclock(), wait)}."
                )
            why = f" ({problem})" if problem else ""
            raise FetchError(
                f"Giving up on {host}{why}: the command's time limit "
                f"({self.policy.total_timeout:g} s, [network] total_timeout) would be exceeded."
            )

    def remaining(self) -> float:
        """Seconds left of this command's time budget ([network] total_timeout)."""
        return self._deadline - self._clock()

    # -- requests -----------------------------------------------------------
    def get(
        self,
        url: str,
        params: Mapping[str, str | int] | None = None,
        *,
        accept: tuple[int, ...] = (),
        headers: Mapping[str, str] | None = None,
        polite_key: str | None = None,
        min_interval: float = 0.0,
        cancel: threading.Event | None = None,
        service: str | None = None,
    ) -> Response:
        """GET with retries. 2xx and statuses in ``accept`` return; anything else raises.

        ``service`` names the remote in messages ("arXiv's export API answered HTTP
        404"), which otherwise name the host; a connection failure names both.

        Retried: connection errors, timeouts, a connection cut mid-body, and HTTP
        429/500/502/503/504 (``Retry-After`` honoured up to ``max_retry_after``).
        Not retried: other statuses, a body over the size cap, bad URLs. Every
        failure is a :class:`FetchError` with a one-line reason.

        ``cancel``, once set (by another thread), stops the request before its next
        attempt, during a backoff or politeness wait, and between chunks of a body
        with :class:`CancelledError`; a request waiting for its response headers
        finishes that wait first.
        """
        with self._waiting(service or host_of(url)):
            return self._get(
                url, params, accept, headers, polite_key, min_interval, service, cancel
            )

    def _get(
        self,
        url: str,
        params: Mapping[str, str | int] | None,
        accept: tuple[int, ...],
        headers: Mapping[str, str] | None,
        polite_key: str | None,
        min_interval: float,
        service: str | None,
        cancel: threading.Event | None,
    ) -> Response:
        import httpx

        client = self._get_client()
        address = host_of(url)
        host = service or address  # who the messages name
        where = f"{address} ({service})" if service else address
        attempts = self.policy.retries + 1
        last_problem = ""
        for attempt in range(attempts):
            _raise_if_cancelled(cancel, host)
            wait: float | None = None
            if polite_key:
                self._polite_lock.acquire()
            try:
                self._wait_turn(polite_key, min_interval, cancel)
                self.requests += 1
                status, body, resp_headers, final_url = self._once(
                    client, url, params, headers, cancel, host
                )
            except httpx.TimeoutException:
                last_problem = f"timed out talking to {host}"
            except httpx.UnsupportedProtocol as exc:
                raise FetchError(f"Cannot fetch {redact_urls(url)!r}: {_describe(exc)}.") from None
            except httpx.TransportError as exc:
                last_problem = f"cannot reach {where}: {_describe(exc)}"
            except httpx.HTTPError as exc:  # decoding errors, too many redirects
                raise FetchError(f"Bad response from {host}: {_describe(exc)}.") from None
            except httpx.InvalidURL as exc:
                raise FetchError(f"Invalid URL {redact_urls(url)!r}: {_describe(exc)}.") from None
            else:
                if 200 <= status < 300 or status in accept:
                    return Response(final_url, status, body, resp_headers)
                if status not in RETRY_STATUSES:
                    raise FetchError(f"{host} answered HTTP {status}{_reason(body)}.")
                last_problem = f"{host} answered HTTP {status}"
                wait = parse_retry_after(resp_headers.get("retry-after"), self._wallclock())
                if wait is not None and wait > self.policy.max_retry_after:
                    raise FetchError(
                        f"{host} asks to wait {wait:.0f} s before retrying (HTTP {status}), "
                        f"more than [network] max_retry_after ({self.policy.max_retry_after:g} s); "
                        f"try again after {retry_time(self._wallclock(), wait)}."
                    )
            finally:
                if polite_key:
                    self._polite_lock.release()
            if attempt == attempts - 1:
                break
            retry_after = wait is not None
            if wait is None:
                wait = min(
                    self.policy.backoff_cap, self.policy.backoff_base * 2 ** min(attempt, 30)
                )
                wait += self._jitter.uniform(0, wait / 4)
            self._check_deadline(wait, host, retry_after, last_problem)
            self._pause(wait, cancel, host)
        tries = f" (after {attempts} attempts)" if attempts > 1 else ""
        raise UnavailableError(f"Request failed: {last_problem}{tries}.")

    def _once(
        self,
        client: httpx.Client,
        url: str,
        params: Mapping[str, str | int] | None,
        headers: Mapping[str, str] | None,
        cancel: threading.Event | None = None,
        who: str = "",
    ) -> tuple[int, bytes, dict[str, str], str]:
        """One request, its body read whole: at most ``max_body_bytes`` and never past
        the command's deadline (a server that drips a byte at a time cannot hold it)."""
        import httpx

        who = who or host_of(url)
        p = self.policy
        left = self.remaining()
        if left <= 0:
            raise TimeLimitError(
                f"Giving up on {who}: the command's time limit "
                f"({p.total_timeout:g} s, [network] total_timeout) is used up."
            )
        timeout = httpx.Timeout(
            connect=min(p.connect_timeout, left),
            read=min(p.read_timeout, left),
            write=min(p.read_timeout, left),
            pool=min(p.read_timeout, left),
        )
        limit = p.max_body_bytes
        with client.stream("GET", url, params=params, headers=headers, timeout=timeout) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchError(
                    f"Response from {who} is too large "
                    f"({int(declared) / _MB:.1f} MB; the limit is {limit / _MB:g} MB, "
                    "[network] max_body_mb)."
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError(
                        f"Response from {who} is larger than "
                        f"{limit / _MB:g} MB ([network] max_body_mb)."
                    )
                if self._clock() > self._deadline:
                    raise httpx.ReadTimeout("the command's time limit ran out mid-body")
                _raise_if_cancelled(cancel, host_of(url))
                chunks.append(chunk)
            headers_out = {k.lower(): v for k, v in response.headers.items()}
            return response.status_code, b"".join(chunks), headers_out, str(response.url)


def _raise_if_cancelled(cancel: threading.Event | None, host: str) -> None:
    if cancel is not None and cancel.is_set():
        raise CancelledError(f"Request to {host} cancelled: it is no longer needed.")


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    name = type(exc).__name__
    if not text or not text[0]:
        return name
    return redact_urls(text[0])[:160].rstrip(" .")  # the caller ends the sentence


def _reason(body: bytes) -> str:
    """A short hint from a JSON error body (``{"error": "..."}``), if there is one."""
    import json

    try:
        data = json.loads(body[:4096])
    except (ValueError, RecursionError):
        return ""
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        from papercli.text import clean

        return f": {clean(data['error'])[:200]}"
    return ""
