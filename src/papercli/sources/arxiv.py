"""arXiv: category listings (RSS, ``rss.arxiv.org``) and the export API (Atom, ``/api/query``).

The ``parse_*`` functions are pure (bytes in, results out). They return the
service's own error answers as data (:attr:`RssResult.error`, :attr:`ApiResult.error`)
and raise :class:`~papercli.errors.FetchError` only when the body is not a feed at
all. The ``fetch_*`` functions build requests, go through :meth:`Http.get` with the
``arxiv`` politeness key (one request at a time, ``delay_seconds`` apart) and turn
error answers into one-line :class:`~papercli.errors.PapersError` s.

feedparser is imported lazily; it is called with ``sanitize_html=False`` because the
RSS ``<description>`` is plain text (TeX with ``<`` and ``&``) that the HTML
sanitizer would mangle. Nothing here is ever rendered as HTML.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from papercli.errors import FetchError, NotFoundError, PapersError, UsageError
from papercli.ids import is_paper_id
from papercli.models import Paper, split_version
from papercli.text import clean, clean_optional, tex_to_unicode

if TYPE_CHECKING:
    from papercli.sources.http import Http

POLITE_KEY = "arxiv"
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
DEFAULT_TYPES = frozenset({"new", "cross"})
API_PAGE_SIZE = 100
FIELD_PREFIXES = ("ti", "au", "abs", "co", "jr", "cat", "rn", "id", "all")
RSS_SERVICE = "arXiv's RSS feed"  # how messages name the two services
API_SERVICE = "arXiv's export API"

_CATEGORY = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")
_PREFIX = re.compile(
    r"^\s*arXiv:\s*\S+\s+Announce Type:\s*[\w-]*\s*(?:Abstract:\s*)?", re.IGNORECASE
)
_ANNOUNCE = re.compile(r"Announce Type:\s*([\w-]+)", re.IGNORECASE)
_DESC_ID = re.compile(r"^\s*arXiv:\s*(\S+)", re.IGNORECASE)
_ID_IN_URL = re.compile(r"/abs/(.+?)/?$")
_ERROR_TITLE = "Feed error for query:"
_CAT_TERM = re.compile(r'(?<![\w:])cat:"?([^\s"()*]+)(\*)?')


@dataclass(frozen=True, slots=True)
class RssResult:
    """One RSS category feed: its papers, or "no announcement", or the service's error."""

    papers: list[Paper] = field(default_factory=list)
    day: str | None = None  # the announcement day, YYYY-MM-DD
    error: str | None = None  # the reason from an error channel

    @property
    def no_announcement(self) -> bool:
        """A valid feed with no items: a weekend or a holiday."""
        return self.error is None and not self.papers


@dataclass(frozen=True, slots=True)
class ApiResult:
    """One export-API answer: entries and the total count, or the API's error entry."""

    papers: list[Paper] = field(default_factory=list)
    total: int | None = None
    error: str | None = None


# --- small pure helpers ---------------------------------------------------------


def check_categories(categories: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Validate category names (``cs.LG``, ``astro-ph``, ``cond-mat.stat-mech``), in order,
    without duplicates. Anything else is a usage error, before any request."""
    out: list[str] = []
    for raw in categories:
        for name in (part.strip() for part in raw.replace(",", " ").replace("+", " ").split()):
            if not _CATEGORY.match(name):
                raise UsageError(
                    f"Invalid arXiv category {name!r}: use names such as cs.LG, math.AP or hep-th."
                )
            if name not in out:
                out.append(name)
    if not out:
        raise UsageError("Give at least one arXiv category (-c cs.LG, or [sources.arxiv]).")
    return tuple(out)


def category_key(categories: tuple[str, ...]) -> str:
    """The cache key part for a set of categories: sorted, joined with ``+``."""
    return "+".join(sorted(set(categories)))


def split_authors(text: str) -> tuple[str, ...]:
    """``dc:creator`` -> names: split on commas (and `` and ``) outside parentheses.

    Affiliations in parentheses stay with their author:
    ``"A (X, Y), B and C"`` -> ``("A (X, Y)", "B", "C")``.
    """
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        if depth == 0:
            if char == ",":
                parts.append("".join(current))
                current = []
                i += 1
                continue
            if text.startswith(" and ", i):
                parts.append("".join(current))
                current = []
                i += 5
                continue
        current.append(char)
        i += 1
    parts.append("".join(current))
    names = (tex_to_unicode(clean(p)) for p in parts)
    return tuple(n for n in (re.sub(r"^and\s+", "", n) for n in names) if n)


def strip_prefix(description: str) -> str:
    """Drop the ``arXiv:2411.17700v1 Announce Type: new Abstract:`` head of an RSS item."""
    return _PREFIX.sub("", description, count=1)


def _rfc822_day(value: Any) -> str | None:
    """``Thu, 28 Nov 2024 00:00:00 -0500`` -> ``2024-11-28`` (the date where it was stated)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return when.date().isoformat() if when else None


def _terms(entry: Any) -> tuple[str, ...]:
    terms = (clean(t.get("term")) for t in entry.get("tags") or () if isinstance(t, dict))
    return tuple(dict.fromkeys(t for t in terms if t))


def _feedparse(body: bytes) -> Any:
    import feedparser

    return feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)


def _check_well_formed(feed: Any, what: str) -> None:
    """feedparser reads on past XML errors; a feed cut short (or otherwise broken XML)
    would become a partial listing. It is a failed fetch instead."""
    from xml.sax import SAXException

    error = feed.get("bozo_exception")
    if feed.get("bozo") and isinstance(error, SAXException):
        line = getattr(error, "getLineNumber", lambda: None)()
        where = f" (XML error at line {line})" if line else ""
        raise FetchError(f"arXiv sent a truncated or malformed {what}{where}.")


# --- RSS -----------------------------------------------------------------------------


def _rss_item(entry: Any, channel_day: str | None) -> Paper | None:
    description = entry.get("summary") or entry.get("description") or ""
    raw_id = ""
    guid = clean(entry.get("id"))
    if guid.lower().startswith("oai:arxiv.org:"):
        raw_id = guid[len("oai:arxiv.org:") :]
    if not raw_id and (match := _DESC_ID.match(description)):
        raw_id = match.group(1)
    if not raw_id and (match := _ID_IN_URL.search(clean(entry.get("link")))):
        raw_id = match.group(1)
    if not raw_id or not is_paper_id(raw_id):
        return None
    base_id, version = split_version(raw_id)
    announce = clean(entry.get("arxiv_announce_type")).lower()
    if not announce and (match := _ANNOUNCE.search(description[:200])):
        announce = match.group(1).lower()
    creator = entry.get("author") or ", ".join(
        a.get("name", "") for a in entry.get("authors") or () if isinstance(a, dict)
    )
    categories = _terms(entry)
    return Paper(
        id=base_id,
        title=tex_to_unicode(clean(entry.get("title"))),
        authors=split_authors(creator or ""),
        abstract=tex_to_unicode(clean(strip_prefix(description))),
        listed=_rfc822_day(entry.get("published")) or channel_day,
        categories=categories,
        sources=("arxiv",),
        version=version,
        announce_type=announce or None,
        doi=clean_optional(entry.get("arxiv_doi")),
        journal_ref=clean_optional(entry.get("arxiv_journal_reference")),
        primary_category=categories[0] if categories else None,
    )


def parse_rss(body: bytes) -> RssResult:
    """An ``rss.arxiv.org/rss/<categories>`` feed (RSS 2.0, the format since 2024)."""
    feed = _feedparse(body)
    channel = feed.get("feed") or {}
    if not feed.get("version"):
        raise FetchError("arXiv sent something that is not an RSS feed.")
    _check_well_formed(feed, "RSS feed")
    title = clean(channel.get("title"))
    if title.startswith(_ERROR_TITLE):
        reason = clean(channel.get("subtitle") or channel.get("description"))
        query = clean(title[len(_ERROR_TITLE) :])
        return RssResult(error=reason or f"the feed {query} does not exist")
    channel_day = _rfc822_day(channel.get("published")) or _rfc822_day(channel.get("updated"))
    papers: list[Paper] = []
    seen: set[str] = set()
    for entry in feed.get("entries") or ():
        paper = _rss_item(entry, channel_day)
        if paper is not None and paper.id not in seen:
            seen.add(paper.id)
            papers.append(paper)
    days = sorted({p.listed for p in papers if p.listed})
    return RssResult(papers=papers, day=days[-1] if days else channel_day)


def fetch_rss(
    http: Http, base_url: str, categories: tuple[str, ...], delay: float = 3.0
) -> RssResult:
    """``GET {base}/rss/cat1+cat2``. An error channel (HTTP 400) is a one-line PapersError."""
    names = "+".join(categories)
    url = f"{base_url}/rss/{names}"
    response = http.get(
        url, accept=(400, 404), polite_key=POLITE_KEY, min_interval=delay, service=RSS_SERVICE
    )
    try:
        result = parse_rss(response.body)
    except FetchError:
        if response.status != 200:
            raise FetchError(
                f"{RSS_SERVICE} answered HTTP {response.status} for {names}."
            ) from None
        raise
    if result.error:
        raise PapersError(f"arXiv: {result.error}")
    if response.status != 200:
        raise FetchError(f"{RSS_SERVICE} answered HTTP {response.status} for {names}.")
    return result


# --- export API --------------------------------------------------------------------


def _api_entry(entry: Any) -> Paper | None:
    match = _ID_IN_URL.search(clean(entry.get("id")))
    if not match or not is_paper_id(match.group(1)):
        return None
    base_id, version = split_version(match.group(1))
    primary = entry.get("arxiv_primary_category")
    primary_term = clean_optional(primary.get("term")) if isinstance(primary, dict) else None
    authors = tuple(
        name
        for a in entry.get("authors") or ()
        if isinstance(a, dict) and (name := tex_to_unicode(clean(a.get("name"))))
    )
    return Paper(
        id=base_id,
        title=tex_to_unicode(clean(entry.get("title"))),
        authors=authors,
        abstract=tex_to_unicode(clean(entry.get("summary"))),
        published=clean_optional(entry.get("published")),
        categories=_terms(entry),
        sources=("arxiv",),
        version=version,
        doi=clean_optional(entry.get("arxiv_doi")),
        journal_ref=clean_optional(entry.get("arxiv_journal_ref")),
        comment=clean_optional(entry.get("arxiv_comment")),
        primary_category=primary_term,
    )


def _is_error_entry(entry: Any) -> bool:
    return clean(entry.get("title")) == "Error" and "/api/errors" in clean(entry.get("id"))


def parse_api(body: bytes) -> ApiResult:
    """An export-API answer (Atom): entries and ``opensearch:totalResults``, or the error."""
    feed = _feedparse(body)
    channel = feed.get("feed") or {}
    entries = feed.get("entries") or []
    if not feed.get("version"):
        raise FetchError("arXiv sent something that is not an Atom feed.")
    _check_well_formed(feed, "Atom feed")
    total_text = clean(channel.get("opensearch_totalresults"))
    total = int(total_text) if total_text.isdigit() else None
    for entry in entries:
        if _is_error_entry(entry):
            return ApiResult(error=clean(entry.get("summary")) or "unknown error", total=total)
    papers = [p for p in (_api_entry(e) for e in entries) if p is not None]
    return ApiResult(papers=papers, total=total)


def api_get(http: Http, base_url: str, params: dict[str, str], delay: float) -> ApiResult:
    """One export-API request, polite; the API's error answer is a one-line PapersError."""
    response = http.get(
        f"{base_url}/api/query",
        params,
        accept=(400,),
        polite_key=POLITE_KEY,
        min_interval=delay,
        service=API_SERVICE,
    )
    try:
        result = parse_api(response.body)
    except FetchError:
        if response.status != 200:
            raise FetchError(f"{API_SERVICE} answered HTTP {response.status}.") from None
        raise
    if result.error:
        raise PapersError(f"arXiv: {result.error}")
    if response.status != 200:
        raise FetchError(f"{API_SERVICE} answered HTTP {response.status}.")
    return result


def to_search_query(text: str) -> str:
    """The user's words in arXiv syntax: ``all:`` terms joined by AND, quoted phrases kept.

    ``mini-batch "diffusion model"`` -> ``all:mini-batch AND all:"diffusion model"``.
    Terms already in arXiv syntax (``ti:``, ``au:``, ``cat:`` ...) and the operators
    ``AND``, ``OR``, ``ANDNOT`` pass through.
    """
    tokens = re.findall(r'(\w+:)?"([^"]*)"|(\S+)', text)
    parts: list[str] = []
    pending_op: str | None = None
    for prefix, phrase, word in tokens:
        if word and word in ("AND", "OR", "ANDNOT"):
            pending_op = word
            continue
        if word:
            word = word.strip("()")
            if not word:
                continue
            head, _, rest = word.partition(":")
            term = word if rest and head.lower() in FIELD_PREFIXES else f"all:{word}"
        else:
            phrase = " ".join(phrase.split())
            if not phrase:
                continue
            head = prefix[:-1].lower() if prefix else ""
            field_name = head if head in FIELD_PREFIXES else "all"
            term = f'{field_name}:"{phrase}"'
        if parts:
            parts.append(pending_op or "AND")
        parts.append(term)
        pending_op = None
    if not parts:
        raise UsageError("Give something to search for.")
    return " ".join(parts)


def query_categories(search_query: str) -> list[str]:
    """The categories named by ``cat:`` terms of an arXiv search query (wildcards left out)."""
    return [m.group(1) for m in _CAT_TERM.finditer(search_query) if not m.group(2)]


def search(
    http: Http,
    base_url: str,
    text: str,
    limit: int,
    *,
    sort_by: str = "relevance",
    delay: float = 3.0,
) -> tuple[list[Paper], int | None]:
    """Page through ``/api/query`` politely until ``limit`` papers or the end."""
    query = to_search_query(text)
    papers: list[Paper] = []
    seen: set[str] = set()
    total: int | None = None
    start = 0
    while len(papers) < limit:
        size = min(API_PAGE_SIZE, limit - len(papers))
        params = {
            "search_query": query,
            "start": str(start),
            "max_results": str(size),
            "sortBy": sort_by,
            "sortOrder": "descending",
        }
        result = api_get(http, base_url, params, delay)
        total = result.total
        for p in result.papers:
            if p.id not in seen:
                seen.add(p.id)
                papers.append(p)
        start += len(result.papers)
        if not result.papers or (total is not None and start >= total):
            break
    return papers[:limit], total


def fetch_paper(
    http: Http, base_url: str, paper_id: str, version: int | None = None, delay: float = 3.0
) -> Paper:
    """One paper by id (``id_list``); "not found" when the API answers with no entries."""
    wanted = f"{paper_id}v{version}" if version else paper_id
    result = api_get(http, base_url, {"id_list": wanted, "max_results": "1"}, delay)
    for paper in result.papers:
        if paper.id == paper_id:
            return paper
    raise NotFoundError(f"Paper {wanted} was not found on arXiv.")


def announcement_day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class ArxivClient:
    """arXiv's RSS feeds and export API, with the HTTP policy, both base URLs and the
    politeness delay (``delay_seconds`` between any two arXiv requests) bound once."""

    def __init__(self, http: Http, rss_url: str, api_url: str, delay: float = 3.0) -> None:
        self.http = http
        self.rss_url = rss_url
        self.api_url = api_url
        self.delay = delay

    def announcement(self, categories: tuple[str, ...]) -> RssResult:
        return fetch_rss(self.http, self.rss_url, categories, delay=self.delay)

    def day(self, categories: tuple[str, ...], day: dt.date) -> list[Paper]:
        from papercli.sources.arxiv_days import fetch_day

        return fetch_day(self.http, self.api_url, categories, day, delay=self.delay)

    def days(
        self, categories: tuple[str, ...], first: dt.date, last: dt.date
    ) -> dict[dt.date, list[Paper]]:
        from papercli.sources.arxiv_days import fetch_days

        return fetch_days(self.http, self.api_url, categories, first, last, delay=self.delay)

    def paper(self, paper_id: str, version: int | None = None) -> Paper:
        return fetch_paper(self.http, self.api_url, paper_id, version, delay=self.delay)

    def search(
        self, text: str, limit: int, *, sort_by: str = "relevance"
    ) -> tuple[list[Paper], int | None]:
        return search(self.http, self.api_url, text, limit, sort_by=sort_by, delay=self.delay)
