"""A loopback server speaking arXiv's RSS listings and export API from a real recorded feed.

It serves the real all-archives feed of 2024-11-28 (``../shared/fixtures/arxiv/rss/``)
the way the real services answer::

    GET /rss/cs.LG+cs.CL      the items of those categories or archives (RSS 2.0);
                              an unknown one: HTTP 400 and a "Feed error for query" channel;
                              "test": a valid feed with no items (what a weekend looks like)
    GET /api/query?id_list=...            Atom entries for those ids (none: no entries)
    GET /api/query?search_query=...&start=&max_results=   naive all:/ti:/abs:/au: matching
    GET /api/query?search_query=(cat:cs.LG OR cat:cs.CL) AND submittedDate:[A TO B]
                              with --listings (the default): the real daily listings of
                              ``<shared>/data/arxiv_daily_listings`` (69 days, 2026-04-24 to
                              2026-07-01), each file's date taken as the submission day

Used for trying papercli by hand and by the examples in README.md and docs/. Never part of the
package. Usage::

    python benchmarks/fakearxiv.py --port 8766   # --feed FILE, --listings DIR: other data
    PAPERS_ARXIV_RSS_URL=http://127.0.0.1:8766 PAPERS_ARXIV_URL=http://127.0.0.1:8766 \\
        papers today --source arxiv -c cs.LG
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

NS = {
    "arxiv": "http://arxiv.org/schemas/atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
for prefix, uri in NS.items():
    ET.register_namespace(prefix, uri)
ARCHIVES = [
    "astro-ph",
    "cond-mat",
    "cs",
    "econ",
    "eess",
    "gr-qc",
    "hep-ex",
    "hep-lat",
    "hep-ph",
    "hep-th",
    "math",
    "math-ph",
    "nlin",
    "nucl-ex",
    "nucl-th",
    "physics",
    "q-bio",
    "q-fin",
    "quant-ph",
    "stat",
]


class Feed:
    def __init__(self, path: Path) -> None:
        self.tree = ET.parse(path)
        self.channel = self.tree.getroot().find("channel")
        assert self.channel is not None
        self.items = self.channel.findall("item")
        self.categories = {c.text for item in self.items for c in item.findall("category")}

    def rss(self, names: list[str]) -> tuple[int, bytes]:
        for name in names:
            archive = name.split(".")[0]
            if name != "test" and archive not in ARCHIVES:
                return 400, self._error(
                    f"Bad archive '{archive}'. Valid archive names are: "
                    + ", ".join(ARCHIVES)
                    + ", test.",
                    names,
                )
            if "." in name and name not in self.categories:
                return 400, self._error(f"Bad category '{name}'.", names)
        root = copy.deepcopy(self.tree.getroot())
        channel = root.find("channel")
        assert channel is not None
        for item in channel.findall("item"):
            cats = [c.text or "" for c in item.findall("category")]
            wanted = any(c in names or c.split(".")[0] in names for c in cats)
            if not wanted:
                channel.remove(item)
        return 200, ET.tostring(root, encoding="utf-8", xml_declaration=True)

    def _error(self, reason: str, names: list[str]) -> bytes:
        query = "http://rss.arxiv.org/rss/" + "+".join(names)
        return (
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" version="2.0"><channel>'
            f"<title>Feed error for query: {escape(query)}</title><link>{escape(query)}</link>"
            f"<description>{escape(reason)}</description></channel></rss>"
        ).encode()

    # -- export API ------------------------------------------------------------------
    def record(self, item: ET.Element) -> dict[str, Any]:
        guid = (item.findtext("guid") or "").removeprefix("oai:arXiv.org:")
        desc = item.findtext("description") or ""
        abstract = re.sub(r"^arXiv:\S+\s+Announce Type:\s*\S+\s*Abstract:\s*", "", desc)
        return {
            "id": guid,
            "title": item.findtext("title") or "",
            "abstract": abstract,
            "authors": [a.strip() for a in (item.findtext("dc:creator", "", NS)).split(",")],
            "categories": [c.text or "" for c in item.findall("category")],
            "doi": item.findtext("arxiv:DOI", None, NS),
            "journal_ref": item.findtext("arxiv:journal_reference", None, NS),
        }

    def query(self, params: dict[str, str]) -> tuple[int, bytes]:
        records = [self.record(i) for i in self.items]
        start = int(params.get("start", "0") or 0)
        size = int(params.get("max_results", "10") or 10)
        if params.get("id_list"):
            wanted = params["id_list"].split(",")
            for w in wanted:
                if not re.match(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$", w):
                    return 400, _atom_error(f"incorrect id format for {w}")
            base = {w.split("v")[0] if "." in w else w for w in wanted}
            found = [r for r in records if re.sub(r"v\d+$", "", r["id"]) in base]
        else:
            terms = re.findall(r'(\w+):(?:"([^"]+)"|(\S+))', params.get("search_query", ""))
            found = [r for r in records if all(_matches(r, f, p or w) for f, p, w in terms)]
        page = found[start : start + size]
        return 200, _atom(page, len(found), start, size)


def _matches(record: dict[str, Any], field: str, text: str) -> bool:
    text = text.lower()
    hay = {
        "ti": record["title"],
        "abs": record["abstract"],
        "au": " ".join(record["authors"]),
        "cat": " ".join(record["categories"]),
    }.get(field, record["title"] + " " + record["abstract"])
    return text in hay.lower()


def _atom(records: list[dict[str, Any]], total: int, start: int, size: int) -> bytes:
    out = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">',
        "<id>https://arxiv.org/api/fake</id><title>arXiv Query</title>",
        "<updated>2024-11-28T00:00:00Z</updated>",
        f"<opensearch:itemsPerPage>{size}</opensearch:itemsPerPage>",
        f"<opensearch:totalResults>{total}</opensearch:totalResults>",
        f"<opensearch:startIndex>{start}</opensearch:startIndex>",
    ]
    for r in records:
        out.append(f"<entry><id>http://arxiv.org/abs/{escape(r['id'])}</id>")
        out.append(f"<title>{escape(r['title'])}</title><summary>{escape(r['abstract'])}</summary>")
        out.append("<published>2024-11-27T00:00:00Z</published>")
        out.extend(f'<category term="{escape(c)}"/>' for c in r["categories"])
        out.extend(f"<author><name>{escape(a)}</name></author>" for a in r["authors"])
        if r["doi"]:
            out.append(f"<arxiv:doi>{escape(r['doi'])}</arxiv:doi>")
        if r["journal_ref"]:
            out.append(f"<arxiv:journal_ref>{escape(r['journal_ref'])}</arxiv:journal_ref>")
        out.append("</entry>")
    out.append("</feed>")
    return "\n".join(out).encode()


def _atom_error(message: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns="http://www.w3.org/2005/Atom"><id>https://arxiv.org/</id>'
        "<title>arXiv Search Results</title><entry>"
        "<id>https://arxiv.org/api/errors#error</id><title>Error</title>"
        f"<summary>{escape(message)}</summary>"
        "<author><name>arXiv api core</name></author></entry></feed>"
    ).encode()


_SUBMITTED = re.compile(r"submittedDate:\[(\d{8})(\d{4}) TO (\d{8})(\d{4})\]")
_CAT = re.compile(r"cat:([\w.-]+)")


class Listings:
    """Real daily listings (``<data>/arxiv_daily_listings/YYYY-MM-DD.jsonl``) as the
    export API's ``submittedDate`` search. A file's date (the day upstream crawled
    arXiv's "new" page) is taken as the papers' submission day. A paper in several
    files (weekend files repeat Friday's) belongs to its first day. Each paper gets a
    submission time on its day (``published``) that does not depend on the query, as
    with the real service; ``requests`` counts the searches answered."""

    def __init__(self, folder: Path | None = None) -> None:
        import json

        self.by_day: dict[str, list[dict[str, Any]]] = {}
        self.requests = 0
        seen: set[str] = set()
        for path in sorted(folder.glob("*.jsonl")) if folder is not None else ():
            day = path.stem.replace("-", "")
            rows = []
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    record = json.loads(line)
                    if record["id"] not in seen:
                        seen.add(record["id"])
                        rows.append(record)
            self.add_day(day, rows)

    def add_day(self, day: str, rows: list[dict[str, Any]]) -> None:
        """``day`` (YYYYMMDD) lists ``rows``, submitted in that order over the day."""
        for n, record in enumerate(rows):
            seconds = n * 86399 // max(1, len(rows))
            clock = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
            record["published"] = f"{day[:4]}-{day[4:6]}-{day[6:]}T{clock}Z"
        self.by_day[day] = rows

    @classmethod
    def synthetic(
        cls,
        first: str,
        days: int,
        per_weekday: int,
        per_weekend: int,
        categories: tuple[str, ...] = ("cs.LG",),
    ) -> Listings:
        """``days`` days from ``first`` (YYYY-MM-DD) of invented papers in ``categories``:
        ``per_weekday`` a weekday, ``per_weekend`` a Saturday or Sunday, each with a
        title, three authors and an abstract of real length (about 1,000 characters)."""
        import datetime as dt

        out = cls()
        start = dt.date.fromisoformat(first)
        serial: dict[str, int] = {}
        for i in range(days):
            day = start + dt.timedelta(days=i)
            count = per_weekend if day.weekday() >= 5 else per_weekday
            month = day.strftime("%y%m")
            rows = []
            for _ in range(count):
                serial[month] = serial.get(month, 0) + 1
                pid = f"{month}.{serial[month]:05d}"
                rows.append(
                    {
                        "id": pid,
                        "title": f"Synthetic paper {pid} on learning",
                        "authors": ["Ada Lovelace", "Alan Turing", "Grace Hopper"],
                        "categories": list(categories),
                        "comment": None,
                        "summary": "We study a synthetic problem. " * 33,
                    }
                )
            out.add_day(day.strftime("%Y%m%d"), rows)
        return out

    def query(self, params: dict[str, str]) -> tuple[int, bytes] | None:
        """The answer to a ``submittedDate`` search; None for any other query."""
        text = params.get("search_query", "")
        span = _SUBMITTED.search(text)
        if span is None:
            return None
        self.requests += 1
        lo, hi = span.group(1) + span.group(2), span.group(3) + span.group(4)
        if lo > hi:
            return 400, _atom_error(f"Invalid submittedDate range: {lo} TO {hi}")
        cats = set(_CAT.findall(text))
        found = [
            (day, r)
            for day, rows in sorted(self.by_day.items())
            if lo[:8] <= day <= hi[:8]
            for r in rows
            if not cats or cats & set(r["categories"])
        ]
        if params.get("sortOrder") == "descending":
            found.reverse()
        start = int(params.get("start", "0") or 0)
        size = int(params.get("max_results", "10") or 10)
        page = found[start : start + size]
        return 200, _atom_listing(page, len(found), start, size, text)


def _atom_listing(
    rows: list[tuple[str, dict[str, Any]]], total: int, start: int, size: int, query: str
) -> bytes:
    """Atom in the shape of the real export API's answers (``new_format_2026``)."""
    out = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">',
        "  <id>https://arxiv.org/api/fakearxiv</id>",
        f"  <title>arXiv Query: search_query={escape(query)}&amp;id_list=&amp;start={start}"
        f"&amp;max_results={size}</title>",
        "  <updated>2026-07-01T00:00:00Z</updated>",
        f"  <opensearch:itemsPerPage>{size}</opensearch:itemsPerPage>",
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>",
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
    ]
    for _day, r in rows:
        stamp = r["published"]
        pid = escape(r["id"])
        out += [
            "  <entry>",
            f"    <id>http://arxiv.org/abs/{pid}v1</id>",
            f"    <title>{escape(r.get('title') or '')}</title>",
            f"    <updated>{stamp}</updated>",
            f'    <link href="https://arxiv.org/abs/{pid}v1" rel="alternate" type="text/html"/>',
            f'    <link href="https://arxiv.org/pdf/{pid}v1" rel="related" '
            'type="application/pdf" title="pdf"/>',
            f"    <summary>{escape(r.get('summary') or '')}</summary>",
        ]
        out += [
            f'    <category term="{escape(c)}" scheme="http://arxiv.org/schemas/atom"/>'
            for c in r.get("categories") or ()
        ]
        out.append(f"    <published>{stamp}</published>")
        if r.get("comment"):
            out.append(f"    <arxiv:comment>{escape(r['comment'])}</arxiv:comment>")
        if r.get("categories"):
            out.append(f'    <arxiv:primary_category term="{escape(r["categories"][0])}"/>')
        out += [
            f"    <author>\n      <name>{escape(a)}</name>\n    </author>"
            for a in r.get("authors") or ()
        ]
        out.append("  </entry>")
    out.append("</feed>")
    return "\n".join(out).encode()


def make_handler(
    feed: Feed | None, quiet: bool, listings: Listings | None = None
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(parts.query).items()}
            answer = listings.query(params) if listings and parts.path == "/api/query" else None
            if answer is not None:
                status, body = answer
                kind = "application/atom+xml"
            elif feed is None:
                status, body, kind = 404, b"no recorded feed loaded", "text/plain"
            elif parts.path.startswith("/rss/"):
                status, body = feed.rss(unquote(parts.path[5:]).replace(" ", "+").split("+"))
                kind = "application/rss+xml"
            elif parts.path == "/api/query":
                status, body = feed.query(params)
                kind = "application/atom+xml"
            else:
                status, body, kind = 404, b"not found", "text/plain"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            if not quiet:
                super().log_message(format, *args)

    return Handler


ROOT = Path(__file__).resolve().parent.parent  # the repository (or worktree) root


def shared_dir() -> Path:
    """The shared real data: ``$PAPERS_SHARED``, else the first ``shared`` folder found
    next to the repository root or one level up (``../shared`` from ``/work/main``,
    ``../../shared`` from a worktree ``/work/wt/NAME``)."""
    import os

    if os.environ.get("PAPERS_SHARED"):
        return Path(os.environ["PAPERS_SHARED"])
    for candidate in (ROOT.parent / "shared", ROOT.parent.parent / "shared"):
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared"


def serve(
    feed_path: Path | None,
    port: int = 0,
    quiet: bool = True,
    listings: Path | Listings | None = None,
) -> ThreadingHTTPServer:
    """Serve on loopback in a thread: the recorded RSS feed (``feed_path``; None: no
    RSS) and, with ``listings`` (a folder, or :class:`Listings` already built), the
    daily listings as ``submittedDate`` searches."""
    feed = Feed(feed_path) if feed_path is not None else None
    days = Listings(listings) if isinstance(listings, Path) else listings
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(feed, quiet, days))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    shared = shared_dir()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--feed",
        type=Path,
        default=shared / "fixtures/arxiv/rss/rss_all_archives_2024-11-28.xml",
        help="the recorded RSS feed (default: <shared>/fixtures/arxiv/rss/...; "
        "<shared> is $PAPERS_SHARED, else ../shared or ../../shared from the repository)",
    )
    parser.add_argument(
        "--listings",
        type=Path,
        default=shared / "data/arxiv_daily_listings",
        help="daily listings (JSON lines) answering submittedDate searches "
        "(default: <shared>/data/arxiv_daily_listings; 'none' to leave out)",
    )
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    listings = None if str(args.listings) == "none" else args.listings
    if not args.feed.is_file():
        sys.exit(f"no recorded feed at {args.feed} (use --feed or PAPERS_SHARED)")
    if listings is not None and not listings.is_dir():
        sys.exit(f"no daily listings at {listings} (use --listings, or --listings none)")
    server = serve(args.feed, args.port, quiet=not args.verbose, listings=listings)
    print(
        f"Serving arXiv from {args.feed} and {listings} on http://127.0.0.1:{server.server_port}",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
