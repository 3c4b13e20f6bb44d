"""A fake Hugging Face daily-papers API (days and months from a dict), the items it
serves, and helpers the tracker tests share."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from werkzeug import Request, Response

from papercli.storage.cache import Cache


def item(pid: str, day: str, title: str, **extra: Any) -> dict[str, Any]:
    paper = {
        "id": pid,
        "title": title,
        "summary": extra.pop("summary", "An abstract."),
        "authors": [{"name": extra.pop("author", "Ada Lovelace"), "hidden": False}],
        "upvotes": extra.pop("upvotes", 1),
        "publishedAt": f"{day}T10:00:00.000Z",
        "submittedOnDailyAt": f"{day}T00:00:00.000Z",
        "ai_keywords": extra.pop("keywords", []),
    }
    if "org" in extra:
        paper["organization"] = {"name": "x", "fullname": extra.pop("org")}
    paper.update(extra)
    return {"paper": paper, "title": title, "numComments": 0}


class FakeHub:
    """Serves /api/daily_papers for date= and month= from a dict of days."""

    def __init__(self) -> None:
        self.days: dict[str, list[dict[str, Any]]] = {}
        self.requests: list[dict[str, str]] = []

    def listings(self) -> list[str]:
        """The listings requested (first pages only; months fetch pages ahead)."""
        return [r.get("month") or r["date"] for r in self.requests if r.get("p") == "0"]

    def add(self, *items: dict[str, Any]) -> None:
        for it in items:
            self.days.setdefault(it["paper"]["submittedOnDailyAt"][:10], []).append(it)

    def __call__(self, request: Request) -> Response:
        args = dict(request.args)
        self.requests.append(args)
        if "date" in args:
            items = self.days.get(args["date"], [])
        else:
            items = [
                i for d, its in sorted(self.days.items()) if d[:7] == args["month"] for i in its
            ]
        limit, page = int(args.get("limit", 50)), int(args.get("p", 0))
        body = json.dumps(items[page * limit : (page + 1) * limit])
        return Response(body, content_type="application/json")


def ids(result: Any) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [p["id"] for p in result.json()]


def empty_past_day(home: Path, day: str, hours_ago: float) -> None:
    """A past day cached as empty (a service hiccup), ``hours_ago`` (after the day settled)."""
    fetched = dt.datetime.now(dt.UTC).timestamp() - hours_ago * 3600
    Cache(home / "cache").save("hf", "day", day, [], fetched_at=fetched)
