"""A loopback server speaking the Hugging Face Daily Papers API from real recorded data.

It serves ``../shared/data/hf_daily_papers_monthly/`` (real API items, one JSON
array per month) the way the real service pages them::

    GET /api/daily_papers?date=YYYY-MM-DD|week=YYYY-Www|month=YYYY-MM&limit=N&p=K
    GET /api/papers/{id}
    GET /api/papers/search?q=...

Used by the benchmarks, by the examples in README.md and docs/ and for trying papercli by
hand. Never part of the package. Usage::

    python benchmarks/fakehub.py --data ../shared/data/hf_daily_papers_monthly --port 8765
    python benchmarks/fakehub.py --scale 40   # 40 copies of every paper, shifted in time
    python benchmarks/fakehub.py --scale 134  # 1,005,268 papers back to the year 1656
    PAPERS_HF_URL=http://127.0.0.1:8765 papers list --date 2025-07-15
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

SHIFT_DAYS = 1008  # 144 weeks: each replica keeps the weekdays of the real data


_NEW_ID = re.compile(r"(\d{2})(\d{2})\.(\d{5})")
_REPLICA_ID = re.compile(r"(\d{2})(\d{2})\.(\d)(\d{4})")
LOW = 70  # copies 1 .. LOW - 1 keep the original number; LOW .. MAX_SCALE - 1 add HIGH
HIGH = 50_000  # above any real arXiv number so far (the data's largest: 27,688)
MAX_SCALE = 2 * LOW - 1  # copies 0 .. 138: 1,042,778 papers from the 7,502 real ones


def replica_id(paper_id: str, r: int) -> str:
    """The id of copy ``r`` of a paper: arXiv-shaped, so that papercli accepts it, and
    unique: ``AABB.NNNNN`` with BB the original's month counted from 2020-01 and NNNNN
    its number; AA = 30 + r (no real id starts so before 2030) for the first copies, and
    from copy 70 on AA = r - 39 again (31 ..) with 50,000 added to the number, a number
    no real id of those years reaches."""
    match = _NEW_ID.fullmatch(paper_id)
    if (
        match is None
        or not 20 <= int(match.group(1)) <= 27
        or int(match.group(3)) >= HIGH
        or not 0 < r < MAX_SCALE
    ):
        raise ValueError(f"cannot make copy {r} of paper id {paper_id!r}")
    month = (int(match.group(1)) - 20) * 12 + int(match.group(2)) - 1
    if r < LOW:
        return f"{30 + r:02d}{month:02d}.{match.group(3)}"
    return f"{r - LOW + 31:02d}{month:02d}.{int(match.group(3)) + HIGH:05d}"


def original_id(replica: str) -> tuple[str, int] | None:
    """The inverse of :func:`replica_id`: (the real paper's id, the copy), or None for an id
    that is no copy (a real id is copy 0)."""
    match = _REPLICA_ID.fullmatch(replica)
    if match is None:
        return None
    aa, bb, high, rest = (int(g) for g in match.groups())
    if aa < 30:
        return replica, 0
    year, month = divmod(bb, 12)
    if high * 10_000 + rest >= HIGH:
        r, number = aa - 31 + LOW, (high - HIGH // 10_000) * 10_000 + rest
    else:
        r, number = aa - 30, high * 10_000 + rest
    if not 0 < r < MAX_SCALE or year > 7:
        return None
    return f"{20 + year:02d}{month + 1:02d}.{number:05d}", r


def replica(item: dict[str, Any], r: int) -> dict[str, Any]:
    """Copy ``r`` of a real item: id :func:`replica_id`, every date ``r * SHIFT_DAYS`` days
    earlier."""
    if r == 0:
        return item
    shift = dt.timedelta(days=r * SHIFT_DAYS)

    def moved(stamp: Any) -> Any:
        if not isinstance(stamp, str) or len(stamp) < 10:
            return stamp
        return (dt.date.fromisoformat(stamp[:10]) - shift).isoformat() + stamp[10:]

    paper = dict(item["paper"])
    paper["id"] = replica_id(paper["id"], r)
    for key in ("submittedOnDailyAt", "publishedAt"):
        paper[key] = moved(paper.get(key))
    return {**item, "paper": paper, "publishedAt": moved(item.get("publishedAt"))}


class HubData:
    """The real items (``by_day``, ``by_id``: copy 0) and ``scale - 1`` copies made on
    request: copy ``r`` of a day is the real day ``r * SHIFT_DAYS`` later (the real data
    spans fewer days than the shift, so a day belongs to one copy at most). Nothing is
    copied up front: a million papers cost no memory and no start-up time."""

    def __init__(self, folder: Path, scale: int = 1) -> None:
        if not 0 < scale <= MAX_SCALE:
            raise ValueError(f"scale must be between 1 and {MAX_SCALE}")
        self.scale = scale
        self.by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.by_id: dict[str, dict[str, Any]] = {}
        for path in sorted(folder.glob("daily_papers_*.json")):
            for item in json.loads(path.read_bytes()):
                day = (item.get("paper", {}).get("submittedOnDailyAt") or "")[:10]
                if day:
                    self.by_day[day].append(item)
                    self.by_id.setdefault(item["paper"]["id"], item)
        self._real_days = sorted(self.by_day)
        self._recent: dict[tuple[tuple[str, str], ...], list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def days(self) -> list[str]:
        """Every day with papers, copies included, oldest first."""
        out = []
        for r in reversed(range(self.scale)):
            shift = dt.timedelta(days=r * SHIFT_DAYS)
            out += [(dt.date.fromisoformat(d) - shift).isoformat() for d in self._real_days]
        return out

    def day_items(self, day: str) -> list[dict[str, Any]]:
        """The items of one day (of whichever copy holds it)."""
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            return []
        for r in range(self.scale):
            real = (date + dt.timedelta(days=r * SHIFT_DAYS)).isoformat()
            if not self._real_days or real > self._real_days[-1]:
                break
            if real in self.by_day:
                return [replica(item, r) for item in self.by_day[real]]
        return []

    def paper(self, paper_id: str) -> dict[str, Any] | None:
        """The item of a paper id (a copy's id included)."""
        found = original_id(paper_id)
        if found is None or found[1] >= self.scale or found[0] not in self.by_id:
            return None
        return replica(self.by_id[found[0]], found[1])

    def items(self) -> Iterator[dict[str, Any]]:
        """Every item, copies included."""
        for r in range(self.scale):
            for item in self.by_id.values():
                yield replica(item, r)

    def select(self, params: dict[str, str]) -> list[dict[str, Any]]:
        """The items of the listing ``params`` names, most upvoted first (the pages of one
        listing are cut from one selection: the last few are kept)."""
        key = tuple(sorted((k, v) for k, v in params.items() if k in ("date", "week", "month")))
        with self._lock:
            found = self._recent.get(key)
        if found is None:
            found = self._select(params)
            with self._lock:
                self._recent[key] = found
                while len(self._recent) > 16:
                    del self._recent[next(iter(self._recent))]
        return found

    def _select(self, params: dict[str, str]) -> list[dict[str, Any]]:
        if "date" in params:
            days = [params["date"]]
        elif "week" in params:
            year, week = params["week"].split("-W")
            start = dt.date.fromisocalendar(int(year), int(week), 1)
            days = [(start + dt.timedelta(days=i)).isoformat() for i in range(7)]
        elif "month" in params:
            start = dt.date.fromisoformat(params["month"] + "-01")
            days = [
                day.isoformat()
                for i in range(31)
                if (day := start + dt.timedelta(days=i)).month == start.month
            ]
        else:
            days = self.days()[-1:]
        items = [it for d in days for it in self.day_items(d)]
        return sorted(items, key=lambda it: -(it["paper"].get("upvotes") or 0))


def make_handler(data: HubData, latency: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def send_json(self, payload: Any, status: int = 200) -> None:
            body = json.dumps(payload, ensure_ascii=False).encode()
            # Validators like the real service's: a 304 when the client's copy is current.
            etag = f'W/"{hashlib.sha1(body).hexdigest()[:20]}"'
            if status == 200 and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if status == 200:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if latency:
                time.sleep(latency)
            url = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/api/daily_papers":
                limit = int(params.get("limit", "50"))
                page = int(params.get("p", "0"))
                items = data.select(params)
                self.send_json(items[page * limit : (page + 1) * limit])
            elif url.path == "/api/papers/search":
                words = params.get("q", "").lower().split()
                hits = [
                    it
                    for it in data.items()
                    if all(w in (it["paper"].get("title") or "").lower() for w in words)
                ]
                self.send_json(hits[: int(params.get("limit", "50"))])
            elif url.path.startswith("/api/papers/"):
                item = data.paper(url.path.rsplit("/", 1)[1])
                if item is None:
                    self.send_json({"error": "Paper not found"}, 404)
                else:
                    self.send_json(item["paper"])
            else:
                self.send_json({"error": "not found"}, 404)

    return Handler


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # clients closing keep-alives
            super().handle_error(request, client_address)


def serve(
    folder: Path, port: int = 0, latency: float = 0.0, scale: int = 1
) -> tuple[ThreadingHTTPServer, str]:
    """Start the server in a background thread; returns it and its base URL."""
    server = _Server(("127.0.0.1", port), make_handler(HubData(folder, scale), latency))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder of daily_papers_YYYY-MM.json files (default: "
        "<shared>/data/hf_daily_papers_monthly; <shared> is $PAPERS_SHARED, else "
        "../shared or ../../shared from the repository)",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        help=f"serve N copies of every paper (copy k: dates k*144 weeks earlier, ids "
        f"30+k... (from copy {LOW}: k-39... with 50000 added to the number); N <= {MAX_SCALE}; "
        "134 copies: about a million papers)",
    )
    args = parser.parse_args()
    if args.data is None:
        from fakearxiv import shared_dir  # the same search for the shared data

        args.data = shared_dir() / "data" / "hf_daily_papers_monthly"
    if not 0 < args.scale <= MAX_SCALE:
        parser.error(f"--scale must be between 1 and {MAX_SCALE}")
    if not any(args.data.glob("daily_papers_*.json")):
        parser.error(f"no daily_papers_*.json in {args.data}: pass --data or set PAPERS_SHARED")
    server, url = serve(args.data, args.port, args.latency, args.scale)
    print(f"serving {args.data} at {url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
