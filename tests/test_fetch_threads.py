"""No page-fetch thread outlives its listing, and a cancelled request stops retrying.

``hf._fetch_pages_concurrently`` runs pages in threads. When a page fails, the
listing is complete, or the user presses Ctrl-C, the pages still in flight are
cancelled and joined before the call returns or raises; ``Http.get`` notices the
cancel before its next attempt, during a backoff wait and between body chunks.
Backoff jitter comes from the client's own ``random.Random``, never the shared one
(Hypothesis refuses tests during which the shared one moves).
"""

from __future__ import annotations

import json
import random
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from papercli.dates import parse_month
from papercli.errors import CancelledError, FetchError
from papercli.models import Paper
from papercli.sources import hf
from papercli.sources.http import Http, Policy


def _items(page: int, count: int) -> list[dict[str, Any]]:
    return [{"paper": {"id": f"2507.{10000 + page * 100 + i}", "title": "t"}} for i in range(count)]


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A loopback server that answers requests in parallel (one slow page blocks no other)."""
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def test_no_fetch_thread_outlives_a_failed_listing(threaded_server: HTTPServer) -> None:
    """Page 1 fails while page 2 is still on the wire: the listing fails, and by then
    page 2's thread has ended (it would otherwise retry page 2's 503 in the background)."""
    page_one_failed = threading.Event()
    server_threads: set[threading.Thread] = set()
    page_two_requests: list[int] = []

    def handler(request: Request) -> Response:
        server_threads.add(threading.current_thread())
        n = int(request.args["p"])
        if n == 1:
            page_one_failed.set()
            return Response("gone", status=404)
        if n == 2:
            page_two_requests.append(n)
            page_one_failed.wait(10)
            threading.Event().wait(0.3)  # still in flight when page 1's failure lands
            return Response("busy", status=503)
        return Response(json.dumps(_items(n, 100)), content_type="application/json")

    threaded_server.expect_request("/api/daily_papers").respond_with_handler(handler)
    base = threaded_server.url_for("").rstrip("/")
    before = set(threading.enumerate())
    with (
        Http(Policy(retries=50, backoff_base=0.01, backoff_cap=0.01)) as http,
        pytest.raises(FetchError, match="404"),
    ):
        hf.fetch_listing(http, base, parse_month("2025-07"), concurrency=3)
    left = [
        t
        for t in threading.enumerate()
        if t not in before and t not in server_threads and t.is_alive()
    ]
    assert left == [], f"fetch threads outlived their listing: {[t.name for t in left]}"
    assert page_two_requests == [2], "page 2 was retried after the listing had failed"


def test_pages_past_the_end_are_cancelled_and_joined() -> None:
    """The listing is complete at page 1; page 2 (speculative) retries until cancelled."""
    cancel = threading.Event()
    attempts: list[int] = []

    def page(n: int) -> list[Paper]:
        if n == 2:
            while not cancel.wait(0.01):  # a request that keeps retrying until told to stop
                attempts.append(n)
            return []
        return [Paper(id=f"{n}.{i}", title="t") for i in range(100 if n == 0 else 5)]

    before = set(threading.enumerate())
    pages = hf._fetch_pages_concurrently(page, 3, cancel=cancel)
    assert sorted(pages)[:2] == [0, 1]
    assert cancel.is_set()
    assert [t for t in threading.enumerate() if t not in before] == []


def test_a_failed_page_cancels_the_others_before_raising() -> None:
    seen_cancel: list[int] = []
    cancel = threading.Event()

    def page(n: int) -> list[Paper]:
        if n == 1:
            raise FetchError("page 1 failed")
        if n == 2:
            assert cancel.wait(10), "page 2 was never cancelled"
            seen_cancel.append(n)
            raise CancelledError("cancelled")
        return [Paper(id=f"{n}.{i}", title="t") for i in range(100)]

    with pytest.raises(FetchError, match="page 1 failed"):
        hf._fetch_pages_concurrently(page, 3, cancel=cancel)
    assert seen_cancel == [2]  # ended (joined) before the failure reached the caller


def test_keyboard_interrupt_in_a_page_cancels_and_joins_the_rest() -> None:
    cancel = threading.Event()
    ended: list[int] = []

    def page(n: int) -> list[Paper]:
        if n == 0:
            raise KeyboardInterrupt
        cancel.wait(10)
        ended.append(n)
        return []

    before = set(threading.enumerate())
    with pytest.raises(KeyboardInterrupt):
        hf._fetch_pages_concurrently(page, 3, cancel=cancel)
    assert sorted(ended) == [1, 2]
    assert [t for t in threading.enumerate() if t not in before] == []


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX signals")
def test_ctrl_c_while_waiting_for_pages_cancels_and_joins_them() -> None:
    """A real SIGINT to the main thread while it waits for pages (what Ctrl-C does)."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("SIGINT is not Python's default KeyboardInterrupt handler here")
    cancel = threading.Event()
    started = {0: threading.Event(), 2: threading.Event()}
    ended: list[int] = []
    main = threading.main_thread().ident
    assert main is not None

    def page(n: int) -> list[Paper]:
        if n == 1:  # once the window is in flight, press Ctrl-C
            started[0].wait(10)
            started[2].wait(10)
            signal.pthread_kill(main, signal.SIGINT)
            # Answering wakes the main thread even if the signal landed just before it
            # blocked (CPython then runs the handler at its next step).
            return [Paper(id=f"1.{i}", title="t") for i in range(100)]
        if n in started:
            started[n].set()
        cancel.wait(10)
        ended.append(n)
        return []

    before = set(threading.enumerate())
    with pytest.raises(KeyboardInterrupt):
        hf._fetch_pages_concurrently(page, 3, cancel=cancel)
    assert cancel.is_set()
    assert {0, 2} <= set(ended)
    assert [t for t in threading.enumerate() if t not in before] == []


# --- Http.get and its cancel flag ---------------------------------------------------------


def _http(handler: Callable[[httpx.Request], httpx.Response], **kw: Any) -> Http:
    return Http(Policy(retries=5), transport=httpx.MockTransport(handler), **kw)


def test_a_cancel_set_before_the_request_sends_nothing() -> None:
    cancel = threading.Event()
    cancel.set()
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    with _http(handler) as http, pytest.raises(CancelledError):
        http.get("http://hub.test/x", cancel=cancel)
    assert sent == []


def test_a_cancel_stops_the_retries_before_the_backoff() -> None:
    cancel = threading.Event()
    sent: list[httpx.Request] = []
    slept: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        cancel.set()  # another page failed meanwhile
        return httpx.Response(503)

    with _http(handler, sleep=slept.append) as http, pytest.raises(CancelledError):
        http.get("http://hub.test/x", cancel=cancel)
    assert len(sent) == 1
    assert slept == []


class _CancelDuringWait(threading.Event):
    """A cancel that arrives while the backoff waits on it."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        self.set()
        return True


def test_a_backoff_wait_wakes_up_for_a_cancel(monkeypatch: pytest.MonkeyPatch) -> None:
    import papercli.sources.http

    def no_plain_sleep(seconds: float) -> None:
        raise AssertionError("slept without watching the cancel flag")

    monkeypatch.setattr(papercli.sources.http.time, "sleep", no_plain_sleep)
    cancel = _CancelDuringWait()
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(503)

    with _http(handler) as http, pytest.raises(CancelledError):
        http.get("http://hub.test/x", cancel=cancel)
    assert len(sent) == 1
    assert len(cancel.waits) == 1 and (cancel.waits[0] or 0) > 0


def test_a_cancel_stops_a_body_between_chunks() -> None:
    cancel = threading.Event()
    chunks: list[int] = []

    def body() -> Iterator[bytes]:
        for i in range(100):
            chunks.append(i)
            if i == 2:
                cancel.set()
            yield b"x" * 10

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body())

    with _http(handler) as http, pytest.raises(CancelledError):
        http.get("http://hub.test/x", cancel=cancel)
    assert len(chunks) < 100


def test_backoff_jitter_leaves_the_shared_random_alone() -> None:
    answers = iter([httpx.Response(503), httpx.Response(503), httpx.Response(200)])
    slept: list[float] = []
    state = random.getstate()
    with _http(lambda request: next(answers), sleep=slept.append) as http:
        assert http.get("http://hub.test/x").status == 200
    assert len(slept) == 2
    assert random.getstate() == state
