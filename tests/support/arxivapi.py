"""A tiny stand-in for arXiv's export API in tests: listings by ``submittedDate``.

Answers ``/api/query?search_query=(cat:A OR cat:B) AND submittedDate:[D0000 TO E2359]``
(one day, or a range of days; papers in order of their day)
with Atom in the shape of the real service (``opensearch:totalResults``, entries with
``id``, ``published``, ``category``, ``arxiv:primary_category``, ``author``), paged by
``start``/``max_results``; every request is recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape, quoteattr


@dataclass
class Record:
    id: str
    day: str  # YYYY-MM-DD: submitted
    title: str
    categories: tuple[str, ...] = ("cs.LG",)
    authors: tuple[str, ...] = ("Ada Lovelace",)
    summary: str = "An abstract."


def atom(records: list[Record], total: int, start: int, size: int) -> bytes:
    out = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">',
        "  <id>https://arxiv.org/api/test</id>",
        "  <title>arXiv Query: test</title>",
        "  <updated>2026-04-12T22:10:19Z</updated>",
        f"  <opensearch:itemsPerPage>{size}</opensearch:itemsPerPage>",
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>",
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
    ]
    for r in records:
        stamp = f"{r.day}T12:00:00Z"
        out += [
            "  <entry>",
            f"    <id>http://arxiv.org/abs/{r.id}v1</id>",
            f"    <title>{escape(r.title)}</title>",
            f"    <updated>{stamp}</updated>",
            f'    <link href="https://arxiv.org/abs/{r.id}v1" rel="alternate" type="text/html"/>',
            f"    <summary>{escape(r.summary)}</summary>",
            *(
                f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>'
                for c in r.categories
            ),
            f"    <published>{stamp}</published>",
            f"    <arxiv:primary_category term={quoteattr(r.categories[0])}/>",
            *(f"    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in r.authors),
            "  </entry>",
        ]
    out.append("</feed>")
    return "\n".join(out).encode()


_RANGE = re.compile(r"submittedDate:\[(\d{8})\d{4} TO (\d{8})\d{4}\]")
_CAT = re.compile(r"cat:([\w.-]+)")


@dataclass
class FakeApi:
    records: list[Record] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)
    status: int = 200

    def handler(self, request: Any) -> Any:
        from werkzeug import Response

        params = {k: v[0] for k, v in parse_qs(request.query_string.decode()).items()}
        self.requests.append(params)
        if self.status != 200:
            return Response("unavailable", status=self.status)
        query = params.get("search_query", "")
        span = _RANGE.search(query)
        if span is None:
            return Response(atom([], 0, 0, 10), content_type="application/atom+xml")
        lo, hi = span.group(1), span.group(2)
        cats = set(_CAT.findall(query))
        found = sorted(
            (r for r in self.records if lo <= r.day.replace("-", "") <= hi),
            key=lambda r: r.day,  # sortBy=submittedDate, ascending (stable within a day)
        )
        found = [r for r in found if cats & set(r.categories)]
        start, size = int(params.get("start", "0")), int(params.get("max_results", "10"))
        body = atom(found[start : start + size], len(found), start, size)
        return Response(body, content_type="application/atom+xml")

    def days(self) -> list[str]:
        """The (first) day of each request, in order."""
        return [first for first, _ in self.spans()]

    def spans(self) -> list[tuple[str, str]]:
        """The first and last day of each request, in order."""
        out = []
        for params in self.requests:
            span = _RANGE.search(params.get("search_query", ""))
            if span:
                lo, hi = span.group(1), span.group(2)
                out.append((f"{lo[:4]}-{lo[4:6]}-{lo[6:]}", f"{hi[:4]}-{hi[4:6]}-{hi[6:]}"))
        return out
