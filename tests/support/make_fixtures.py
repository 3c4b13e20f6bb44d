"""Builds the small recorded-shape fixtures under tests/fixtures/ (run once; output committed).

The items follow the exact shape of real /api/daily_papers items (see
../shared/fixtures/hf/): nested ``paper`` object, authors with and without
``user``, null ``githubStars``, missing ``organization``, hard line breaks,
LaTeX and Unicode. Their text is invented.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "hf"


def author(i: int, name: str, user: bool = False) -> dict:
    a: dict = {"_id": f"65a{i:021d}", "name": name, "hidden": False}
    if user:
        a["user"] = {
            "_id": f"64b{i:021d}",
            "avatarUrl": "/avatars/x.svg",
            "isPro": False,
            "fullname": name,
            "user": name.split()[0].lower(),
            "type": "user",
        }
        a["status"] = "claimed_verified"
        a["statusLastChangedAt"] = "2025-07-16T08:00:00.000Z"
    return a


def item(
    pid: str,
    title: str,
    summary: str,
    authors: list[dict],
    upvotes: int,
    day: str | None,
    *,
    comments: int = 0,
    repo: str | None = None,
    stars: int | None = None,
    org: dict | None = None,
    keywords: list[str] | None = None,
    ai_summary: str | None = None,
    project: str | None = None,
) -> dict:
    submitter = {
        "_id": "60f1abe7544c2adfd699860c",
        "avatarUrl": "https://cdn-avatars.huggingface.co/x.jpeg",
        "isPro": False,
        "fullname": "AK",
        "user": "akhaliq",
        "type": "user",
        "name": "akhaliq",
    }
    paper: dict = {
        "id": pid,
        "authors": authors,
        "publishedAt": f"{day or '2023-01-01'}T17:59:46.000Z",
        "title": title,
        "submittedOnDailyBy": submitter,
        "summary": summary,
        "upvotes": upvotes,
        "discussionId": "6877" + pid.replace(".", ""),
    }
    if day is not None:
        paper["submittedOnDailyAt"] = f"{day}T00:00:00.000Z"
    if repo is not None:
        paper["githubRepo"] = repo
        paper["githubRepoAddedBy"] = "auto"
        paper["githubStars"] = stars
    if project:
        paper["projectPage"] = project
    if ai_summary is not None:
        paper["ai_summary"] = ai_summary
        paper["ai_summary_model"] = "Qwen/Qwen2.5-Coder-32B-Instruct"
    if keywords is not None:
        paper["ai_keywords"] = keywords
    if org is not None:
        paper["organization"] = org
    out: dict = {
        "paper": paper,
        "publishedAt": f"{day or '2023-01-01'}T13:59:46.000Z",
        "title": title,
        "summary": summary,
        "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{pid}.png",
        "numComments": comments,
        "submittedBy": {**submitter, "isHf": True, "isHfAdmin": False, "isMod": False},
        "isAuthorParticipating": False,
    }
    if org is not None:
        out["organization"] = org
    return out


ORG = {
    "_id": "5e6485f787403103f9f1055e",
    "name": "example-lab",
    "fullname": "Example Lab",
    "avatar": "https://cdn-avatars.huggingface.co/x.png",
}


def day_items(day: str) -> list[dict]:
    return [
        item(
            "2507.11001",
            "Scaling Mini-Batch Optimisation\n  for Large Language Models",
            "We study mini-batch sizes for training large\nlanguage models and find that "
            "$\\mathcal{O}(\\sqrt{n})$ schedules work best.",
            [author(1, "Ada Lovelace", True), author(2, "Émile Borel"), author(3, "李明")],
            87,
            day,
            comments=4,
            repo="https://github.com/example/minibatch",
            stars=1520,
            org=ORG,
            keywords=["mini-batch", "optimisation", "LLM"],
            ai_summary="Mini-batch schedules that scale with the square root of the data size.",
            project="https://example.org/minibatch",
        ),
        item(
            "2507.11002",
            "Minibatching [bold red]without[/] Tears",
            "An abstract that mentions Mini batches and \u001b[31mred\u001b[0m text.",
            [author(4, "Grace Hopper")],
            41,
            day,
            repo="https://github.com/example/tears",
            stars=None,
            keywords=[],
        ),
        item(
            "2507.11003",
            "Diffusion Models Are Secretly Batch-Free",
            "No hard line breaks here, but   odd\twhitespace.",
            [author(5, "Alan Turing"), author(6, "Hidden Person")],
            12,
            day,
        ),
    ]


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    day = day_items("2025-07-15")
    day[2]["paper"]["authors"][1]["hidden"] = True
    (HERE / "daily_2025-07-15.json").write_text(json.dumps(day, ensure_ascii=False, indent=2))
    older = day_items("2025-07-14")
    for it in older:
        it["paper"]["id"] = it["paper"]["id"].replace("2507.11", "2507.10")
        del it["paper"]["submittedOnDailyAt"]  # older responses lack it
    (HERE / "daily_2025-07-14_no_listday.json").write_text(
        json.dumps(older, ensure_ascii=False, indent=2)
    )
    one = dict(day[0]["paper"])
    one["numComments"] = 4
    (HERE / "paper_2507.11001.json").write_text(json.dumps(one, ensure_ascii=False, indent=2))
    search = []
    for it in day[:2]:
        res = {k: it[k] for k in ("paper", "publishedAt", "title", "summary", "thumbnail")}
        res["numComments"] = it["numComments"]
        res["upvoted"] = False
        res["isAuthorParticipating"] = False
        res["highlightedTitle"] = it["title"]
        res["highlightedSummary"] = it["summary"]
        search.append(res)
    (HERE / "search_minibatch.json").write_text(json.dumps(search, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
