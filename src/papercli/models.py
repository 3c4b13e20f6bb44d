"""Model objects: immutable, with a stable dictionary form for the cache and for --json."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

# Keys of the public JSON form (``--json``, JSON/CSV exports), in order.
JSON_KEYS: tuple[str, ...] = (
    "id",
    "title",
    "authors",
    "abstract",
    "published",
    "listed",
    "upvotes",
    "comments",
    "organization",
    "submitter",
    "github_url",
    "github_stars",
    "project_page",
    "ai_summary",
    "ai_keywords",
    "categories",
    "sources",
    "url",
    "arxiv_url",
    "pdf_url",
    "announce_type",
    "doi",
    "journal_ref",
)

_VERSION = re.compile(r"v(\d+)$")
_NEW_STYLE_ID = re.compile(r"^\d{4}\.\d{4,5}$")


def split_version(arxiv_id: str) -> tuple[str, int | None]:
    """``2501.01234v2`` -> (``2501.01234``, 2); ids without a version give None."""
    match = _VERSION.search(arxiv_id)
    if match and ("." in arxiv_id or "/" in arxiv_id):
        return arxiv_id[: match.start()], int(match.group(1))
    return arxiv_id, None


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper as papercli knows it, from one source or merged from several."""

    id: str
    title: str
    authors: tuple[str, ...] = ()
    abstract: str = ""
    published: str | None = None
    listed: str | None = None
    upvotes: int | None = None
    comments: int | None = None
    organization: str | None = None
    submitter: str | None = None
    github_url: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    version: int | None = None
    announce_type: str | None = None
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    primary_category: str | None = None
    extra_marks: tuple[str, ...] = field(default=())
    # The submitter's Hugging Face account name (``submitter`` is the display name);
    # kept in the cache for --submitter, not part of the public JSON form.
    submitter_user: str | None = None
    # Hugging Face's thumbnail image of the paper (an http(s) URL): kept in the cache and
    # shown by the HTML page and the digest (linked, never fetched); not in JSON_KEYS.
    thumbnail: str | None = None

    # --- links ------------------------------------------------------------
    @property
    def is_arxiv(self) -> bool:
        return bool(_NEW_STYLE_ID.match(self.id)) or "/" in self.id

    @property
    def url(self) -> str | None:
        """The Hugging Face paper page (papers listed there only)."""
        if "hf" in self.sources and self.is_arxiv:
            return f"https://huggingface.co/papers/{self.id}"
        return None

    @property
    def arxiv_url(self) -> str | None:
        return f"https://arxiv.org/abs/{self.id}" if self.is_arxiv else None

    @property
    def pdf_url(self) -> str | None:
        return f"https://arxiv.org/pdf/{self.id}" if self.is_arxiv else None

    @property
    def has_code(self) -> bool:
        return bool(self.github_url)

    # --- conversions ------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """The documented public form: exactly :data:`JSON_KEYS`."""
        out: dict[str, Any] = {}
        for key in JSON_KEYS:
            value = getattr(self, key)
            out[key] = list(value) if isinstance(value, tuple) else value
        return out

    def to_record(self) -> dict[str, Any]:
        """Every field, for the cache (round-trips through :meth:`from_record`)."""
        record = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in record.items()}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Paper:
        """Inverse of :meth:`to_record`. Unknown keys are ignored; raises ValueError on
        bad shapes (a hand-edited or foreign file must never reach rendering)."""
        if not isinstance(record, dict):
            raise ValueError("paper record is not an object")
        kwargs: dict[str, Any] = {}
        for name, kind, optional in _record_kinds():
            if name not in record:
                continue
            value = record[name]
            if kind == "str" and type(value) is str:
                pass  # the common case first
            elif kind == "list":
                try:  # str.join: every item a string (quicker than a check of each)
                    if not isinstance(value, list) or "".join(value) is None:
                        raise TypeError
                except TypeError:
                    raise ValueError(f"paper record: {name} is not a list of strings") from None
                value = tuple(value)
            elif value is None and optional:
                pass
            elif kind == "int":
                if not isinstance(value, int) or isinstance(value, bool):
                    raise ValueError(f"paper record: {name} is not an integer")
            elif kind == "float":
                if not isinstance(value, int | float) or isinstance(value, bool):
                    raise ValueError(f"paper record: {name} is not a number")
            elif kind == "bool":
                if not isinstance(value, bool):
                    raise ValueError(f"paper record: {name} is not true or false")
            elif not isinstance(value, str):
                raise ValueError(f"paper record: {name} is not a string")
            kwargs[name] = value
        if not isinstance(kwargs.get("id"), str) or not isinstance(kwargs.get("title"), str):
            raise ValueError("paper record without id or title")
        return cls(**kwargs)

    def merged_with_hf(self, hf: Paper) -> Paper:
        """This (arXiv) paper carrying the Hugging Face signals of ``hf``."""
        return replace(
            self,
            upvotes=hf.upvotes,
            comments=hf.comments,
            organization=hf.organization,
            submitter=hf.submitter,
            submitter_user=hf.submitter_user,
            github_url=hf.github_url,
            github_stars=hf.github_stars,
            project_page=self.project_page or hf.project_page,
            ai_summary=hf.ai_summary,
            ai_keywords=hf.ai_keywords,
            thumbnail=hf.thumbnail or self.thumbnail,
            listed=self.listed or hf.listed,
            published=self.published or hf.published,
            sources=tuple(dict.fromkeys((*self.sources, *hf.sources))),
        )


# --- the sort keys (papercli.core.listing.sort_papers; the search index stores them) ----


def paper_day(p: Paper) -> str:
    """The day a paper was listed (else published): what date sorts and ranges use."""
    return (p.listed or (p.published or "")[:10])[:10]


def date_key(p: Paper) -> str:
    """What ``--sort date`` orders by, newest first: the day the paper was listed (else
    published), then its arXiv (publication) date."""
    return f"{paper_day(p)} {p.published or ''}"


def upvotes_key(p: Paper) -> int:
    """What ``--sort upvotes`` orders by, most first (a paper without a count last)."""
    return p.upvotes if p.upvotes is not None else -1


def title_key(p: Paper) -> str:
    """What ``--sort title`` orders by (ascending)."""
    return p.title.casefold()


def _record_kind(annotation: str) -> str:
    """The kind of a field from its annotation: list, int, float, bool or str.

    A trailing "?" means null is allowed.
    """
    if annotation.startswith("tuple"):
        return "list"
    optional = "None" in annotation
    base = next((b for b in ("int", "float", "bool") if annotation.startswith(b)), "str")
    return base + ("?" if optional else "")


_KINDS: list[tuple[str, str, bool]] = []


def _record_kinds() -> list[tuple[str, str, bool]]:
    """Each field of :class:`Paper` as (name, kind, null allowed), the kind as
    :func:`_record_kind` gives it (computed once)."""
    if not _KINDS:
        for f in fields(Paper):
            kind = _record_kind(str(f.type))
            _KINDS.append((f.name, kind.rstrip("?"), kind.endswith("?")))
    return _KINDS
