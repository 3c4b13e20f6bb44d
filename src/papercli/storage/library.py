"""The reader's own papers: likes, dislikes and the saved library (with tags).

One state file, ``state/library.json``, keyed by paper id without version::

    {"schema": 1, "papers": {"2501.01234": {
        "rating": "like",            # or "dislike"; absent when not rated
        "rated": "2026-11-29T08:00:00+00:00",
        "saved": "2026-11-29T08:00:00+00:00",   # absent when not saved
        "tags": ["to-read"],
        "record": {...}              # the paper as papercli last knew it (optional)
    }}}

Every change is a read-merge-write under the state lock, written atomically, so
concurrent commands (and the triage screen) never lose each other's ratings and
a killed command leaves the previous file. Each change also writes a copy,
``state/library.json.bak``: a file that does not parse is set aside with a
message (never trusted) and the copy put in its place (never silently emptied):
see :class:`~papercli.storage.state.State`.

The ``record`` keeps the text the "for you" model learns from, so a rating
survives ``papers cache clear`` and an imported BibTeX entry needs no fetch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from papercli.models import Paper, split_version
from papercli.storage.state import State

LIBRARY_FILE = "library.json"
Rating = Literal["like", "dislike"]
RATINGS: tuple[str, ...] = ("like", "dislike")


@dataclass(frozen=True)
class Item:
    """One paper the reader rated or saved."""

    id: str
    rating: Rating | None = None
    rated: str | None = None  # ISO time of the rating
    saved: str | None = None  # ISO time it was saved
    tags: tuple[str, ...] = ()
    paper: Paper | None = None  # the text papercli last knew
    unknown: str | None = None  # ISO time it was found on neither service (not asked again)

    @property
    def liked(self) -> bool:
        """Counts as a like for the model: liked, or saved and not disliked."""
        return self.rating == "like" or (self.saved is not None and self.rating != "dislike")

    @property
    def disliked(self) -> bool:
        return self.rating == "dislike"

    @property
    def imported(self) -> bool:
        """Its text is a BibTeX entry's (``papers import``): the cache's is richer."""
        return self.paper is not None and self.paper.sources == ("bibtex",)


def base_id(paper_id: str) -> str:
    return split_version(paper_id.strip())[0]


def _item(paper_id: str, raw: Any) -> Item | None:
    """An item from its stored form; None for shapes papercli never writes."""
    if not isinstance(raw, dict):
        return None
    rating = raw.get("rating")
    tags = raw.get("tags", [])
    paper = None
    if isinstance(raw.get("record"), dict):
        try:
            paper = Paper.from_record(raw["record"])
        except ValueError:
            paper = None
    return Item(
        id=paper_id,
        rating=rating if rating in RATINGS else None,
        rated=raw["rated"] if isinstance(raw.get("rated"), str) else None,
        saved=raw["saved"] if isinstance(raw.get("saved"), str) else None,
        tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
        paper=paper,
        unknown=raw["unknown"] if isinstance(raw.get("unknown"), str) else None,
    )


@dataclass
class Library:
    """The library file under the state folder."""

    root: Path
    warn: Callable[[str], None] = field(default=lambda message: None)

    def _state(self) -> State:
        return State(self.root, self.warn)

    def items(self) -> dict[str, Item]:
        """Every rated or saved paper, by id."""
        table = self._state().read_table(LIBRARY_FILE, "papers", copy=True)
        out = {}
        for paper_id, raw in table.items():
            item = _item(paper_id, raw)
            if item is not None and (item.rating or item.saved):
                out[paper_id] = item
        return out

    def fingerprint(self, items: dict[str, Item] | None = None) -> str:
        """Changes exactly when what the model learns from changes (ratings, saves): of
        ``items`` (the very ones a model is trained on), else of the library now."""
        found = self.items() if items is None else items
        rated = (i for i in found.values() if i.liked or i.disliked)
        pairs = sorted((i.id, 1 if i.liked else -1) for i in rated)
        return hashlib.sha256(json.dumps(pairs).encode()).hexdigest()[:16]

    def remember(self, papers: Iterable[Paper]) -> None:
        """Keep the text of papers already in the library (for the model), in place of
        none or of a BibTeX entry's (``papers import``)."""
        known = {base_id(p.id): p for p in papers}
        if not known:
            return

        def apply(table: dict[str, Any]) -> bool:
            changed = False
            for paper_id, paper in known.items():
                entry = table.get(paper_id)
                item = _item(paper_id, entry)
                if item is None or not isinstance(entry, dict):
                    continue
                if item.paper is None or (item.imported and paper.sources != ("bibtex",)):
                    entry["record"] = paper.to_record()
                    entry.pop("unknown", None)
                    changed = True
            return changed

        self._state().update_table(LIBRARY_FILE, "papers", apply, copy=True)

    def rate(
        self, ids: Iterable[str], rating: Rating | None, when: str, papers: dict[str, Paper]
    ) -> int:
        """Like, dislike (or with None, take the rating back); ``papers`` gives the text
        known for some of them. Returns how many changed."""

        def change(entry: dict[str, Any], paper_id: str) -> bool:
            if entry.get("rating") == rating:
                return False
            if rating is None:
                entry.pop("rating", None)
                entry.pop("rated", None)
            else:
                entry["rating"], entry["rated"] = rating, when
            if paper_id in papers:
                entry["record"] = papers[paper_id].to_record()
            return True

        return self._edit_each(ids, change)

    def save(
        self, ids: Iterable[str], tags: Iterable[str], when: str, papers: dict[str, Paper]
    ) -> int:
        """Save to the library (adding ``tags`` to papers already saved)."""
        new_tags = list(dict.fromkeys(tags))

        def change(entry: dict[str, Any], paper_id: str) -> bool:
            before = (entry.get("saved"), list(entry.get("tags", [])))
            entry.setdefault("saved", when)
            entry["tags"] = list(dict.fromkeys([*entry.get("tags", []), *new_tags]))
            if not entry["tags"]:
                del entry["tags"]
            if paper_id in papers:
                entry["record"] = papers[paper_id].to_record()
            return before != (entry.get("saved"), list(entry.get("tags", [])))

        return self._edit_each(ids, change)

    def unsave(self, ids: Iterable[str]) -> int:
        def change(entry: dict[str, Any], paper_id: str) -> bool:
            if "saved" not in entry:
                return False
            entry.pop("saved", None)
            entry.pop("tags", None)
            return True

        return self._edit_each(ids, change)

    def found_nowhere(self, ids: Iterable[str], when: str) -> None:
        """Remember that these papers (rated or saved, without text) are known to neither
        service: they are not asked for again (``papers show ID`` still may)."""
        wanted = {base_id(i) for i in ids}

        def apply(table: dict[str, Any]) -> bool:
            changed = False
            for paper_id in wanted:
                entry = table.get(paper_id)
                if isinstance(entry, dict) and "record" not in entry and "unknown" not in entry:
                    entry["unknown"] = when
                    changed = True
            return changed

        if wanted:
            self._state().update_table(LIBRARY_FILE, "papers", apply, copy=True)

    def adopt(self, papers: dict[str, Paper], when: str) -> tuple[int, int, int]:
        """``papers import``: save and like each paper, in one change under the lock (a
        command killed half-way leaves all of it or none). A disliked paper stays as
        it is; a paper's text is kept where there is none. Returns how many were new to
        the library, how many were liked (or saved) already, and how many disliked."""
        counts = [0, 0, 0]

        def apply(table: dict[str, Any]) -> bool:
            counts[:] = [0, 0, 0]  # (read again: counted again)
            for paper_id, paper in papers.items():
                key = base_id(paper_id)
                entry = table.get(key)
                entry = dict(entry) if isinstance(entry, dict) else {}
                item = _item(key, entry)
                if item is not None and item.disliked:
                    counts[2] += 1
                    continue
                counts[1 if item is not None and item.liked else 0] += 1
                entry.setdefault("saved", when)
                if entry.get("rating") != "like":
                    entry["rating"], entry["rated"] = "like", when
                entry.setdefault("record", paper.to_record())
                table[key] = entry
            return counts[0] + counts[1] > 0

        self._state().update_table(LIBRARY_FILE, "papers", apply, copy=True)
        return counts[0], counts[1], counts[2]

    def _edit_each(self, ids: Iterable[str], change: Callable[[dict[str, Any], str], bool]) -> int:
        wanted = list(dict.fromkeys(base_id(i) for i in ids))
        count = 0

        def apply(table: dict[str, Any]) -> bool:
            nonlocal count
            for paper_id in wanted:
                entry = table.get(paper_id)
                entry = dict(entry) if isinstance(entry, dict) else {}
                if change(entry, paper_id):
                    count += 1
                    if entry.get("rating") or entry.get("saved"):
                        table[paper_id] = entry
                    else:
                        table.pop(paper_id, None)
            return count > 0

        self._state().update_table(LIBRARY_FILE, "papers", apply, copy=True)
        return count

    # -- the model's file -------------------------------------------------------------
    def stored_model(self, fingerprint: str) -> tuple[dict[str, Any], list[str]] | None:
        """The stored model's data when it was trained on exactly these ratings, and the
        rated papers it was trained without (their text could not be had then); None
        when there is none, it is older, or it does not parse (it is then rebuilt)."""
        try:
            data = json.loads((self.root / MODEL_FILE).read_bytes())
        except (OSError, ValueError, RecursionError):
            return None
        left_out = data.get("left_out", []) if isinstance(data, dict) else None
        if (
            not isinstance(data, dict)
            or data.get("schema") != MODEL_SCHEMA
            or data.get("fingerprint") != fingerprint
            or not isinstance(data.get("model"), dict)
            or not isinstance(left_out, list)
            or not all(isinstance(i, str) for i in left_out)
        ):
            return None
        model: dict[str, Any] = data["model"]
        return model, left_out

    def store_model(
        self, fingerprint: str, model: dict[str, Any], left_out: list[str] | None = None
    ) -> None:
        """Keep a trained model beside the ratings (atomically, under the state lock),
        with the rated papers it was trained without. Failing to store it costs only a
        retrain next time: a warning, not an error."""
        from papercli.errors import PapersError
        from papercli.storage.files import atomic_write_text, remove_stale_temps

        text = json.dumps(
            {
                "schema": MODEL_SCHEMA,
                "fingerprint": fingerprint,
                "model": model,
                "left_out": sorted(left_out or []),
            }
        )
        try:
            with self._state().locked():
                atomic_write_text(self.root / MODEL_FILE, text)
                remove_stale_temps(self.root / MODEL_FILE)  # (of a run killed while writing)
        except (OSError, PapersError) as exc:
            self.warn(f"Could not keep the trained model ({exc}); it is retrained next time.")


MODEL_FILE = "model.json"
MODEL_SCHEMA = 1
