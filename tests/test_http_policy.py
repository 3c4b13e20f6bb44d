"""The network policy (http.Http) in isolation: httpx.MockTransport and a fake clock.

No test here sleeps: ``sleep`` advances a fake monotonic clock and records the wait.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable, Iterator

import httpx
import pytest

from papercli.errors import FetchError
from papercli.sources.http import Http, Policy, parse_retry_after, retry_time

WALL = 1_800_000_000.0  # a fixed "now" for Retry-After dates


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    def wallclock(self) -> float:
        return WALL + self.now


Handler = Callable[[httpx.Request], httpx.Response]


def make(handler: Handler, **policy: float) -> tuple[Http, FakeTime, list[httpx.Request]]:
    fake = FakeTime()
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    http = Http(
        Policy(**policy),  # type: ignore[arg-type]
        transport=httpx.MockTransport(record),
        sleep=fake.sleep,
        clock=fake.clock,
        wallclock=fake.wallclock,
    )
    return http, fake, seen


def script(*responses: httpx.Response | Exception) -> Handler:
    """Answer with each response in turn (the last one repeats); exceptions are raised."""
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        return item

    return handler


OK = httpx.Response(200, json=[])


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried_then_succeed(status: int) -> None:
    http, fake, seen = make(script(httpx.Response(status), OK))
    response = http.get("http://api.test/x")
    assert response.status == 200 and response.body == b"[]"
    assert len(seen) == 2 and len(fake.sleeps) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 410, 422, 451])
def test_other_4xx_fail_at_once(status: int) -> None:
    http, fake, seen = make(script(httpx.Response(status, json={"error": "nope\x1b[31m"})))
    with pytest.raises(FetchError) as info:
        http.get("http://api.test/x")
    assert len(seen) == 1 and fake.sleeps == []
    assert f"HTTP {status}" in str(info.value) and "nope" in str(info.value)
    assert "\x1b" not in str(info.value)


def test_accepted_status_is_returned() -> None:
    http, _, seen = make(script(httpx.Response(404, text="missing")))
    assert http.get("http://api.test/x", accept=(404,)).status == 404
    assert len(seen) == 1


def test_exponential_backoff_with_jitter_then_one_line_failure() -> None:
    http, fake, seen = make(script(httpx.Response(503)), retries=4, backoff_base=0.5)
    with pytest.raises(FetchError) as info:
        http.get("http://api.test/x")
    assert len(seen) == 5
    for attempt, slept in enumerate(fake.sleeps):
        base = 0.5 * 2**attempt
        assert base <= slept <= base * 1.25
    message = str(info.value)
    assert "HTTP 503" in message and "after 5 attempts" in message and "\n" not in message


def test_jitter_varies_and_backoff_is_capped() -> None:
    http, fake, _ = make(
        script(httpx.Response(500)), retries=12, backoff_base=1, backoff_cap=4, total_timeout=1e6
    )
    with pytest.raises(FetchError):
        http.get("http://api.test/x")
    assert max(fake.sleeps) <= 5.0  # cap plus at most a quarter of jitter
    assert len({round(s, 6) for s in fake.sleeps[3:]}) > 1  # jittered, not a fixed value


def test_huge_retry_counts_do_not_overflow() -> None:
    http, fake, _ = make(
        script(httpx.ConnectError("refused")), retries=1100, backoff_base=1e-6, backoff_cap=1e-6
    )
    with pytest.raises(FetchError):
        http.get("http://api.test/x")
    assert len(fake.sleeps) == 1100


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "cannot reach api.test"),
        (httpx.ReadError("connection reset by peer"), "cannot reach api.test"),
        (httpx.RemoteProtocolError("peer closed connection"), "cannot reach api.test"),
        (httpx.ConnectTimeout("slow"), "timed out talking to api.test"),
        (httpx.ReadTimeout("slow"), "timed out talking to api.test"),
    ],
)
def test_transport_errors_are_retried_then_reported(exc: Exception, words: str) -> None:
    http, fake, seen = make(script(exc), retries=2)
    with pytest.raises(FetchError) as info:
        http.get("http://api.test/x")
    assert len(seen) == 3 and len(fake.sleeps) == 2
    assert words in str(info.value)
    http2, _, seen2 = make(script(exc, OK), retries=2)
    assert http2.get("http://api.test/x").status == 200 and len(seen2) == 2


def test_retry_after_seconds_is_honoured() -> None:
    http, fake, _ = make(script(httpx.Response(429, headers={"Retry-After": "7"}), OK))
    http.get("http://api.test/x")
    assert fake.sleeps == [7.0]


def test_retry_after_http_date_is_honoured() -> None:
    date = email.utils.formatdate(WALL + 20, usegmt=True)
    http, fake, _ = make(script(httpx.Response(503, headers={"Retry-After": date}), OK))
    http.get("http://api.test/x")
    assert fake.sleeps == [pytest.approx(20.0, abs=1.0)]


def test_retry_after_beyond_the_cap_fails_with_when_to_retry() -> None:
    http, fake, seen = make(
        script(httpx.Response(429, headers={"Retry-After": "3600"}), OK), max_retry_after=60
    )
    with pytest.raises(FetchError) as info:
        http.get("http://api.test/x")
    message = str(info.value)
    assert len(seen) == 1 and fake.sleeps == []
    assert "3600 s" in message and "try again after" in message
    assert retry_time(WALL, 3600) in message and "max_retry_after" in message


def test_retry_after_within_the_cap_but_past_the_time_budget() -> None:
    http, fake, _ = make(
        script(httpx.Response(503, headers={"Retry-After": "50"}), OK),
        max_retry_after=60,
        total_timeout=10,
    )
    with pytest.raises(FetchError) as info:
        http.get("http://api.test/x")
    assert fake.sleeps == [] and "try again after" in str(info.value)


def test_unreadable_retry_after_falls_back_to_backoff() -> None:
    http, fake, _ = make(
        script(httpx.Response(503, headers={"Retry-After": "soon-ish"}), OK), backoff_base=0.5
    )
    http.get("http://api.test/x")
    assert 0.5 <= fake.sleeps[0] <= 0.625


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0.0),
        ("1", 1.0),
        (" 120 ", 120.0),
        ("1.5", 1.5),
        ("-5", None),
        ("", None),
        (None, None),
        ("soon", None),
        ("१२", None),  # non-ASCII digits are not delta-seconds
        (email.utils.formatdate(WALL + 90, usegmt=True), 90.0),
        (email.utils.formatdate(WALL - 90, usegmt=True), 0.0),  # in the past: now
        ("Wed, 21 Oct 2015 07:28:00 -0000", 0.0),
        ("Fri, 31 Dec 99999 23:59:59 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    got = parse_retry_after(value, WALL)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1.0)


def test_total_time_per_command_is_bounded() -> None:
    http, fake, seen = make(
        script(httpx.Response(500)), retries=50, backoff_base=1, backoff_cap=8, total_timeout=20
    )
    with pytest.raises(FetchError) as info:
        http.get("http://api.test/x")
    assert sum(fake.sleeps) <= 20
    assert "time limit" in str(info.value) and "total_timeout" in str(info.value)
    assert "HTTP 500" in str(info.value)
    assert len(seen) < 51


def test_every_request_has_finite_timeouts_within_the_budget() -> None:
    http, fake, seen = make(script(httpx.Response(503), OK), total_timeout=12, read_timeout=30)
    fake.now = 4.0  # a third of the budget is gone
    http.get("http://api.test/x")
    for request in seen:
        timeout = request.extensions["timeout"]
        assert set(timeout) == {"connect", "read", "write", "pool"}
        assert all(v is not None and 0 < v <= 30 for v in timeout.values())
    assert seen[0].extensions["timeout"]["read"] <= 8.0  # never beyond what is left
    assert seen[0].headers["User-Agent"].startswith("papercli/")


def test_budget_used_up_before_a_request() -> None:
    http, fake, seen = make(script(OK), total_timeout=5)
    fake.now = 6
    with pytest.raises(FetchError) as info:
        http.get("http://api.test/x")
    assert seen == [] and "time limit" in str(info.value)


def test_a_dripping_body_cannot_outlast_the_budget() -> None:
    fake_holder: list[FakeTime] = []

    def drip() -> Iterator[bytes]:
        while True:
            fake_holder[0].now += 0.5  # each byte takes half a second
            yield b"x"

    http, fake, _ = make(lambda r: httpx.Response(200, content=drip()), total_timeout=5)
    fake_holder.append(fake)
    with pytest.raises(FetchError) as info:
        http.get("http://api.test/x")
    assert "time limit" in str(info.value) or "timed out" in str(info.value)
    assert fake.now < 12


def test_declared_body_over_the_cap_is_refused_without_retry() -> None:
    big = httpx.Response(200, headers={"Content-Length": str(30 * 1024 * 1024)}, content=b"[]")
    http, _, seen = make(script(big), max_body_bytes=1024 * 1024)
    with pytest.raises(FetchError) as info:
        http.get("http://api.test/x")
    assert len(seen) == 1 and "too large" in str(info.value) and "max_body_mb" in str(info.value)


def test_streamed_body_over_the_cap_is_refused() -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 65536

    http, _, seen = make(lambda r: httpx.Response(200, content=chunks()), max_body_bytes=1 << 20)
    with pytest.raises(FetchError) as info:
        http.get("http://api.test/x")
    assert len(seen) == 1 and "larger than" in str(info.value)


def test_undecodable_body_is_a_fetch_error() -> None:
    def bad_gzip(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=iter([b"no gz"]))

    http, _, seen = make(bad_gzip)
    with pytest.raises(FetchError) as info:
        http.get("http://api.test/x")
    assert len(seen) == 1 and "Bad response from api.test" in str(info.value)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1:9/x", "http://[::1/x", "http://"])
def test_bad_urls_are_fetch_errors(url: str) -> None:
    with Http(Policy(retries=0)) as http, pytest.raises(FetchError):  # real transport
        http.get(url)


def test_politeness_interval_between_requests() -> None:
    http, fake, seen = make(script(OK))
    for _ in range(3):
        http.get("http://api.test/x", polite_key="api", min_interval=3.0)
    assert len(seen) == 3 and fake.sleeps == [3.0, 3.0]


def test_a_deeply_nested_error_body_is_just_a_status() -> None:
    http, _, _ = make(script(httpx.Response(404, content=b"[" * 4096)))
    with pytest.raises(FetchError) as info:
        http.get("http://api.test/x")
    assert str(info.value) == "api.test answered HTTP 404."
