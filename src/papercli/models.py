"""Model objects: immutable, with a stable dictionary form for the cache and for --json."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from itertools import repeat
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
        """Every field, for the cache (round-trips through :meth:`from_record`): the same
        dictionary as ``dataclasses.asdict`` with lists for tuples (a field holds only
        strings, numbers, None and tuples of strings), without its deep copies."""
        return {
            name: list(value) if type(value) is tuple else value
            for name, value in zip(
                _FIELD_NAMES, map(self.__getattribute__, _FIELD_NAMES), strict=True
            )
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Paper:
        """Inverse of :meth:`to_record`. Unknown keys are ignored; raises ValueError on
        bad shapes (a hand-edited or foreign file must never reach rendering)."""
        if not isinstance(record, dict):
            raise ValueError("paper record is not an object")
        kwargs: dict[str, Any] = {}
        for name, kind, usual in _record_kinds():
            if name not in record:
                continue
            value = record[name]
            if type(value) not in usual or (kind == "list" and not _all_str(value)):
                value = _checked(name, kind, value)  # the rules in full (or ValueError)
            elif kind == "list":
                value = tuple(value)
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


_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Paper))
_KINDS: list[tuple[str, str, tuple[type, ...]]] = []


def _record_kinds() -> list[tuple[str, str, tuple[type, ...]]]:
    """(field name, :func:`_record_kind`, the exact types that pass :func:`_checked`
    unchanged, but for a list's items) of every field of :class:`Paper`, worked out once."""
    if not _KINDS:
        for f in fields(Paper):
            kind = _record_kind(str(f.type))
            base = {"list": (list,), "int": (int,), "float": (int, float), "bool": (bool,)}
            usual = base.get(kind.rstrip("?"), (str,)) + ((type(None),) if "?" in kind else ())
            _KINDS.append((f.name, kind, usual))
    return _KINDS


def _all_str(values: list[Any]) -> bool:
    return all(map(isinstance, values, repeat(str, len(values))))  # in C: no generator


def _checked(name: str, kind: str, value: Any) -> Any:
    """A record's value for a field of ``kind`` (a list as a tuple), or ValueError."""
    if kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"paper record: {name} is not a list of strings")
        return tuple(value)
    if value is None and kind.endswith("?"):
        return value
    if kind.startswith("int"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"paper record: {name} is not an integer")
    elif kind.startswith("float"):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"paper record: {name} is not a number")
    elif kind.startswith("bool"):
        if not isinstance(value, bool):
            raise ValueError(f"paper record: {name} is not true or false")
    elif not isinstance(value, str):
        raise ValueError(f"paper record: {name} is not a string")
    return value


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


def text_digest(p: Paper) -> int:
    """A signed 64-bit hash of a paper's id and text: title, abstract, authors,
    organization, AI keywords and categories. Papers with the same digest index and
    score alike: the search index keeps it per paper (its FTS document is derived from
    these fields), and the "for you" scores kept between searches are found by it."""
    import hashlib

    text = "\x1f".join(
        (
            p.id,
            p.title,
            p.abstract,
            "\x1e".join(p.authors),
            p.organization or "",
            "\x1e".join(p.ai_keywords),
            "\x1e".join(p.categories),
        )
    )
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _record_kind(annotation: str) -> str:
    """The kind of a field from its annotation: list, int, float, bool or str.

    A trailing "?" means null is allowed.
    """
    if annotation.startswith("tuple"):
        return "list"
    optional = "None" in annotation
    base = next((b for b in ("int", "float", "bool") if annotation.startswith(b)), "str")
    return base + ("?" if optional else "")


class Value:
    """An immutable value with ``__slots__`` (the query tree's nodes): equal to another
    of the same class with the same fields, hashable, shown as ``Term(field=None, ...)``.

    A base written once instead of ``@dataclass(frozen=True)`` on each class: a
    dataclass generates and compiles its methods each time its module is imported,
    and ``papers today`` imports the query module on every run (about 0.6 ms for the
    query tree's five classes). Subclasses set the fields with ``object.__setattr__``.
    """

    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined,no-any-return]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._fields()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        # copy, deepcopy and pickle rebuild it through __init__ (fields in slot order).
        return (type(self), self._fields())
