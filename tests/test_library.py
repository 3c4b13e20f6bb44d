"""Ratings, the library and the 'for you' order, end to end through the CLI, plus the
store's guarantees: concurrent writers lose nothing, a corrupt file is set aside, a
damaged model is retrained."""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest

from papercli import config
from papercli.models import Paper
from papercli.storage.cache import Cache
from papercli.storage.library import Library

FIXTURES = Path(__file__).parent / "fixtures"
DAY = "2025-07-15"


@pytest.fixture
def cached_day(isolated_home: Path) -> list[Paper]:
    from papercli.sources import hf

    papers = hf.parse_daily((FIXTURES / "hf" / "daily_2025-07-15.json").read_bytes(), DAY)
    Cache(config.load().cache_dir).save("hf", "day", DAY, papers, fetched_at=time.time())
    return papers


def test_without_ratings_the_order_is_by_upvotes_with_one_note(run, cached_day) -> None:
    result = run("list", "--date", DAY, "--offline", "--sort", "for-you", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert [p["score"] for p in data] == [None] * len(data)
    assert [p["upvotes"] for p in data] == sorted((p["upvotes"] for p in data), reverse=True)
    assert result.stderr.count("papers like ID") == 1


def test_likes_change_the_order_and_why_explains(run, cached_day) -> None:
    ids = [p.id for p in cached_day]
    diffusion = next(p.id for p in cached_day if "Diffusion" in p.title)
    others = [i for i in ids if i != diffusion]
    assert run("like", diffusion).exit_code == 0
    assert run("dislike", *others[:2]).exit_code == 0
    result = run("list", "--date", DAY, "--offline", "--sort", "for-you", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data[0]["id"] == diffusion
    assert all(isinstance(p["score"], float) for p in data)
    why = run("why", diffusion, "--offline")
    assert why.exit_code == 0, why.stderr
    assert "Raised by" in why.stdout and "you like it" in why.stdout


def test_library_saves_tags_and_exports(run, cached_day, tmp_path: Path) -> None:
    first, second = cached_day[0].id, cached_day[1].id
    assert run("save", first, "--tag", "to-read").exit_code == 0
    assert run("save", second).exit_code == 0
    listed = run("library", "--json")
    assert {p["id"] for p in listed.json()} == {first, second}
    tagged = run("library", "--tag", "to-read", "--json")
    assert [p["id"] for p in tagged.json()] == [first]
    out = tmp_path / "lib.bib"
    assert run("library", "-o", str(out)).exit_code == 0
    assert out.read_text().count("@misc{") == 2
    assert run("unsave", first).exit_code == 0
    assert [p["id"] for p in run("library", "--json").json()] == [second]
    # Saving counts as a like for the model.
    assert run("library", "--liked", "--json").json() == []
    assert Library(config.load().state_dir).items()[second].liked


def test_rating_a_paper_that_is_not_cached_is_allowed(run) -> None:
    result = run("like", "2401.00001")
    assert result.exit_code == 0 and "Not cached yet" in result.stderr
    assert run("like", "not-an-id").exit_code == 2


def test_rank_eval_says_when_there_are_too_few(run, cached_day) -> None:
    assert run("like", cached_day[0].id).exit_code == 0
    result = run("rank", "eval", "--offline")
    assert result.exit_code == 0 and "Too few ratings" in result.stdout


def test_import_bibtex(run, tmp_path: Path) -> None:
    bib = tmp_path / "zotero.bib"
    bib.write_text(
        "@article{a, title={Attention Is All You Need}, author={Vaswani, Ashish},\n"
        " eprint={1706.03762}, archivePrefix={arXiv}}\n"
        "@misc{b, title={By URL}, url={https://arxiv.org/abs/2401.01234v2}}\n"
        "@article{c, title={By DOI}, doi={10.48550/arXiv.2312.00001}}\n"
        "@book{knuth, title={The Art of Computer Programming}, author={Knuth, Donald}}\n",
        encoding="utf-8",
    )
    result = run("import", str(bib))
    assert result.exit_code == 0, result.stderr
    assert "3 saved and liked" in result.stderr and "knuth" in result.stderr
    items = Library(config.load().state_dir).items()
    assert set(items) == {"1706.03762", "2401.01234", "2312.00001"}
    assert items["1706.03762"].paper is not None
    assert items["1706.03762"].paper.title == "Attention Is All You Need"
    again = run("import", str(bib)).stderr
    assert "0 saved and liked, 3 already liked or saved" in again


def test_an_import_is_one_change_of_the_library(run, tmp_path: Path, monkeypatch) -> None:
    """Saved and liked in one write (an import killed half-way leaves all or nothing),
    a paper liked before counted as such, and one disliked left as it was."""
    from papercli.storage.state import State

    assert run("like", "1706.03762").exit_code == 0  # (no service here: rated all the same)
    assert run("dislike", "2401.01234").exit_code == 0
    bib = tmp_path / "z.bib"
    bib.write_text(
        "@article{a, title={Attention}, eprint={1706.03762}, archivePrefix={arXiv}}\n"
        "@article{b, title={Disliked}, eprint={2401.01234}, archivePrefix={arXiv}}\n"
        "@article{c, title={New}, eprint={2312.00001}, archivePrefix={arXiv}}\n",
        encoding="utf-8",
    )
    writes = []
    real = State._write
    monkeypatch.setattr(
        State, "_write", lambda self, *a, **k: (writes.append(a[0]), real(self, *a, **k))[1]
    )
    result = run("import", str(bib))
    assert result.exit_code == 0, result.stderr
    assert writes == ["library.json"]
    assert "1 saved and liked, 1 already liked or saved" in result.stderr
    assert "1 you disliked" in result.stderr
    items = Library(config.load().state_dir).items()
    assert items["1706.03762"].saved and items["1706.03762"].rating == "like"
    assert items["2401.01234"].disliked and items["2401.01234"].saved is None
    assert items["2312.00001"].liked and items["2312.00001"].paper is not None


def _rate_many(root: str, start: int) -> None:
    lib = Library(Path(root))
    for n in range(start, start + 15):
        lib.rate([f"2507.{n:05d}"], "like", "2025-07-15T00:00:00+00:00", {})


def test_concurrent_raters_lose_nothing(isolated_home: Path) -> None:
    root = str(config.load().state_dir)
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_rate_many, args=(root, k * 100)) for k in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert len(Library(Path(root)).items()) == 60


def test_a_corrupt_library_without_a_copy_is_set_aside_with_a_message(
    run, isolated_home: Path
) -> None:
    state = config.load().state_dir
    state.mkdir(parents=True, exist_ok=True)
    (state / "library.json").write_text("{not json", encoding="utf-8")
    result = run("library")
    assert result.exit_code == 0
    assert "kept as library.json.corrupt-" in result.stderr
    assert "starting afresh" in result.stderr
    assert list(state.glob("library.json.corrupt-*"))


@pytest.mark.parametrize("damage", [b"{broken", b"", b'{"schema": 1, "papers": []}', b"\xff\xfe"])
def test_a_damaged_library_is_mended_from_its_copy(run, cached_day, damage: bytes) -> None:
    """Overwritten in place (an editor, a disk error): every rating and save is back,
    the damaged file is kept aside, and the user is told."""
    first, second, third = (p.id for p in cached_day[:3])
    assert run("like", first).exit_code == 0
    assert run("dislike", second).exit_code == 0
    assert run("save", third, "--tag", "to-read").exit_code == 0
    state = config.load().state_dir
    (state / "library.json").write_bytes(damage)
    result = run("library", "--json")
    assert result.exit_code == 0 and [p["id"] for p in result.json()] == [third]
    assert "library.json was unreadable" in result.stderr and "put in its place" in result.stderr
    assert list(state.glob("library.json.corrupt-*"))
    items = Library(state).items()  # mended on disk too: no second message
    assert items[first].liked and items[second].disliked and items[third].tags == ("to-read",)
    again = run("library", "--liked", "--json")
    assert again.exit_code == 0 and "unreadable" not in again.stderr
    assert [p["id"] for p in again.json()] == [first]


def test_a_damaged_library_whose_copy_is_damaged_too_starts_afresh(run, cached_day) -> None:
    assert run("like", cached_day[0].id).exit_code == 0
    state = config.load().state_dir
    for name in ("library.json", "library.json.bak"):
        (state / name).write_text("{", encoding="utf-8")
    result = run("library", "--liked")
    assert result.exit_code == 0 and "no copy that reads" in result.stderr
    assert run("like", cached_day[1].id).exit_code == 0  # a fresh file from here
    assert set(Library(state).items()) == {cached_day[1].id}


def test_a_damaged_model_is_retrained(run, cached_day) -> None:
    assert run("like", cached_day[0].id).exit_code == 0
    assert run("list", "--date", DAY, "--offline", "--sort", "for-you").exit_code == 0
    model = config.load().state_dir / "model.json"
    data: dict[str, Any] = json.loads(model.read_text())
    data["model"]["weights"] = "garbage"
    model.write_text(json.dumps(data))
    result = run("list", "--date", DAY, "--offline", "--sort", "for-you", "--json")
    assert result.exit_code == 0 and result.json()[0]["score"] is not None
    assert json.loads(model.read_text())["model"]["weights"] != "garbage"


def _rate_forever(root: str) -> None:
    lib = Library(Path(root))
    n = 0
    while True:
        lib.rate([f"2507.{n % 90000:05d}"], "like", "2025-07-15T00:00:00+00:00", {})
        n += 1


def test_a_killed_rater_leaves_a_library_that_reads(isolated_home: Path) -> None:
    """Killed mid-write again and again: the file is always the old or the new one,
    never half-written, and it keeps every rating it had."""
    import os
    import signal

    root = config.load().state_dir
    Library(root).rate(["2401.00001"], "dislike", "2025-07-15T00:00:00+00:00", {})
    ctx = multiprocessing.get_context("spawn")
    for _ in range(5):
        worker = ctx.Process(target=_rate_forever, args=(str(root),))
        worker.start()
        time.sleep(0.4)
        os.kill(worker.pid or 0, signal.SIGKILL)
        worker.join(10)
        items = Library(root).items()  # reads, or this raises
        assert items["2401.00001"].rating == "dislike"
    assert not list(root.glob("library.json.corrupt-*"))


def test_show_n_takes_the_nth_paper_of_the_library(run, cached_day) -> None:
    first, second = cached_day[0].id, cached_day[1].id
    assert run("save", first, second).exit_code == 0
    top = run("library", "--json").json()[0]["id"]
    assert run("library").exit_code == 0  # the table: what show N counts in
    assert run("show", "1", "--offline", "--json").json()["id"] == top


def test_import_leaves_a_disliked_paper_disliked_and_off_the_list(run, tmp_path: Path) -> None:
    assert run("dislike", "1706.03762").exit_code == 0
    bib = tmp_path / "z.bib"
    bib.write_text(
        "@article{a, title={Attention}, eprint={1706.03762}, archivePrefix={arXiv}}\n"
        "@article{b, title={Other}, eprint={2401.01234}, archivePrefix={arXiv}}\n",
        encoding="utf-8",
    )
    result = run("import", str(bib))
    assert "1 saved and liked" in result.stderr and "1 you disliked" in result.stderr
    items = Library(config.load().state_dir).items()
    assert items["1706.03762"].disliked and items["1706.03762"].saved is None
    assert "Read 2 entries" in result.stderr


def test_a_paper_found_nowhere_is_not_rated_nor_saved(run, httpserver, hf_url, arxiv_url) -> None:
    httpserver.expect_request("/api/papers/2507.99999").respond_with_data("{}", status=404)
    empty_feed = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<feed xmlns="http://www.w3.org/2005/Atom" '
        b'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
        b"<title>arXiv Query</title><id>http://arxiv.org/api/x</id>"
        b"<opensearch:totalResults>0</opensearch:totalResults></feed>"
    )
    httpserver.expect_request("/api/query").respond_with_data(
        empty_feed, content_type="application/atom+xml"
    )
    result = run("like", "2507.99999")
    assert result.exit_code == 1 and "not found on Hugging Face or arXiv" in result.stderr
    assert "nothing was rated" in result.stderr
    # Saved, it would be looked up again by every papers library (and never found).
    result = run("save", "2507.99999", "--tag", "later")
    assert result.exit_code == 1 and "nothing was saved" in result.stderr
    assert Library(config.load().state_dir).items() == {}


def test_why_shows_the_baseline(run, cached_day) -> None:
    assert run("like", cached_day[0].id).exit_code == 0
    assert run("dislike", cached_day[1].id).exit_code == 0
    result = run("why", cached_day[2].id, "--offline")
    assert result.exit_code == 0 and "Baseline:" in result.stdout


def test_help_formats_lists_every_registered_format(run) -> None:
    from papercli import export

    text = run("help", "formats").stdout
    for name in export.names():
        assert f"  {name} " in text, name


def test_rate_and_save_take_a_row_number_of_the_last_table(run, cached_day) -> None:
    table = run("list", "--date", DAY, "--offline")
    assert table.exit_code == 0
    second = run("show", "2", "--offline", "--json").json()["id"]
    assert run("like", "2").exit_code == 0
    assert run("save", "2", "--tag", "x").exit_code == 0
    items = Library(config.load().state_dir).items()
    assert items[second].rating == "like" and items[second].tags == ("x",)


def test_why_takes_the_row_number_of_the_last_table(run, cached_day) -> None:
    """``papers why N``, as ``show N``, ``like N`` and ``save N`` take it."""
    diffusion = next(p.id for p in cached_day if "Diffusion" in p.title)
    assert run("like", diffusion).exit_code == 0
    table = run("list", "--date", DAY, "--offline", "--sort", "upvotes")
    assert table.exit_code == 0, table.stderr
    second = run("show", "2", "--offline", "--json").json()["id"]
    why = run("why", "2", "--offline")
    assert why.exit_code == 0, why.stderr
    assert why.stdout.startswith(f"{second}  ")
    assert run("why", "999", "--offline").exit_code == 2


def test_the_for_you_order_counts_as_the_others_do(run, cached_day, monkeypatch) -> None:
    """Cut at --limit, the caption says how many of how many, whatever the order."""
    assert run("like", cached_day[0].id).exit_code == 0
    for sort in ("upvotes", "for-you"):
        table = run("list", "--date", DAY, "--offline", "--sort", sort, "--limit", "1")
        caption = table.stdout.splitlines()[0]
        assert caption.endswith(f"1 of {len(cached_day)} papers"), (sort, caption)


def test_one_paper_rated_is_named_by_its_title_too(run, cached_day) -> None:
    """papers like 2 rates the second paper of the last table: the answer says which."""
    assert run("list", "--date", DAY, "--offline").exit_code == 0
    result = run("like", "2")
    shown = run("show", "2", "--offline", "--json").json()
    assert f"Liked 1 paper: {shown['id']} ({shown['title'][:20]}" in result.stderr
    several = run("dislike", cached_day[0].id, cached_day[1].id).stderr
    assert "(" not in several  # several: their ids only


def test_a_liked_paper_left_out_for_want_of_its_text_is_taken_in_later(
    run, cached_day, httpserver, hf_url
) -> None:
    """Liked while Hugging Face was unreachable and never cached: the model is trained
    without it (and says so), and the next command that may fetch gets its text and
    trains again: it is not left out for good."""
    from support.hub import item

    state = config.load().state_dir
    absent = "2507.99998"
    httpserver.expect_request(f"/api/papers/{absent}").respond_with_data("{}", status=503)
    (config.load().config_path).write_text("[network]\nretries = 0\n", encoding="utf-8")
    assert run("like", cached_day[0].id).exit_code == 0
    assert run("like", absent).exit_code == 0  # unreachable: rated all the same
    offline = run("list", "--date", DAY, "--offline", "--sort", "for-you")
    assert offline.exit_code == 0 and f"not cached (offline) ({absent})" in offline.stderr
    assert json.loads((state / "model.json").read_text())["left_out"] == [absent]
    again = run("list", "--date", DAY, "--offline", "--sort", "for-you")  # no fetch offline
    assert json.loads((state / "model.json").read_text())["left_out"] == [absent]
    assert again.exit_code == 0
    httpserver.clear()
    body = json.dumps(item(absent, "2025-07-14", "Video diffusion, liked unseen")["paper"])
    httpserver.expect_request(f"/api/papers/{absent}").respond_with_data(
        body, content_type="application/json"
    )
    online = run("list", "--date", DAY, "--sort", "for-you")
    assert online.exit_code == 0, online.stderr
    assert "left out" not in online.stderr
    assert json.loads((state / "model.json").read_text())["left_out"] == []
    kept = Library(state).items()[absent].paper
    assert kept is not None and kept.title == "Video diffusion, liked unseen"


def test_the_model_is_stored_under_the_ratings_it_was_trained_on(cached_day, monkeypatch) -> None:
    """A rating given while a model trains changes the library's fingerprint, not the
    one the model is stored under: the next order trains again."""
    from papercli.core import foryou
    from papercli.core.context import Context
    from papercli.core.ratings import library

    ctx = Context(config.load(), lambda message: None)
    store = library(ctx)
    store.rate([cached_day[0].id], "like", "2025-07-15T00:00:00+00:00", {})
    real_text_of = foryou.text_of

    def rating_meanwhile(*args: Any, **kwargs: Any) -> Any:
        store.rate([cached_day[1].id], "like", "2025-07-15T00:00:01+00:00", {})
        return real_text_of(*args, **kwargs)

    monkeypatch.setattr(foryou, "text_of", rating_meanwhile)
    first = foryou.model(ctx, offline=True)
    monkeypatch.setattr(foryou, "text_of", real_text_of)
    assert first is not None and first.n_liked == 1
    second = foryou.model(ctx, offline=True)  # the second like is in: trained again
    assert second is not None and second.n_liked == 2


def test_a_rated_paper_found_nowhere_is_not_asked_for_at_every_order(
    run, cached_day, httpserver, hf_url, arxiv_url
) -> None:
    """Rated while the services were down, and then found on neither: left out of the
    model for good (said once), not fetched again by every command that orders."""
    state = config.load().state_dir
    config.load().config_path.write_text("[network]\nretries = 0\n", encoding="utf-8")
    gone = "2507.99997"
    Library(state).rate([gone], "like", "2025-07-15T00:00:00+00:00", {})  # (offline then)
    assert run("like", cached_day[0].id).exit_code == 0
    httpserver.expect_request(f"/api/papers/{gone}").respond_with_data("{}", status=404)
    empty_feed = (
        b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        b'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"><title>arXiv Query</title>'
        b"<id>http://arxiv.org/api/x</id><opensearch:totalResults>0</opensearch:totalResults>"
        b"</feed>"
    )
    httpserver.expect_request("/api/query").respond_with_data(
        empty_feed, content_type="application/atom+xml"
    )
    first = run("list", "--date", DAY, "--sort", "for-you")
    assert first.exit_code == 0 and "not found on Hugging Face or arXiv" in first.stderr
    assert json.loads((state / "model.json").read_text())["left_out"] == []
    asked = len(httpserver.log)
    again = run("list", "--date", DAY, "--sort", "for-you")
    assert again.exit_code == 0 and "not found" not in again.stderr
    assert len(httpserver.log) == asked  # the stored model: nothing asked
    # Remembered with the rating: the library and the evaluation ask for it no more.
    for command in (("library", "--liked", "--json"), ("rank", "eval")):
        result = run(*command)
        assert result.exit_code == 0 and "not found" not in result.stderr, command
    assert len(httpserver.log) == asked
    titles = {p["id"]: p["title"] for p in run("library", "--liked", "--json").json()}
    assert titles[gone] == "(found on neither Hugging Face nor arXiv)"
    assert Library(state).items()[gone].unknown is not None


def test_small_explanations_tags_and_captions(run, cached_day) -> None:
    """What reads as 0.00 is counted with the rest; a tag is not "-x"; the library's
    caption starts with a capital as the others do."""
    from papercli.core.context import Context
    from papercli.core.foryou import why

    assert run("like", cached_day[0].id).exit_code == 0
    assert run("dislike", cached_day[1].id).exit_code == 0
    found = why(Context(config.load(), lambda m: None), cached_day[2].id, offline=True)
    assert all(abs(w) >= 0.005 for _, w in found.reasons.ups + found.reasons.downs)
    assert run("save", cached_day[0].id, "--tag", "-x").exit_code == 2
    assert run("save", cached_day[0].id, "--tag", "to-read").exit_code == 0
    assert run("library").stdout.startswith("Your library · 1 paper")


def test_the_library_in_json_carries_the_readers_own(run, cached_day, tmp_path: Path) -> None:
    """--json and the JSON exports alike: each paper with its rating, save and tags (and
    in the reader's order, its score)."""
    first, second = cached_day[0].id, cached_day[1].id
    assert run("save", first, "--tag", "to-read").exit_code == 0
    assert run("like", second).exit_code == 0
    assert run("save", second).exit_code == 0
    shown = {p["id"]: p for p in run("library", "--json").json()}
    assert shown[first]["library"]["tags"] == ["to-read"]
    assert shown[first]["library"]["rating"] is None and shown[first]["library"]["saved"]
    assert shown[second]["library"]["rating"] == "like"
    out = tmp_path / "library.json"
    assert run("library", "-o", str(out)).exit_code == 0
    written = {p["id"]: p for p in json.loads(out.read_text(encoding="utf-8"))}
    assert written == shown
    lines = tmp_path / "ranked.jsonl"
    assert run("library", "--sort", "for-you", "-o", str(lines)).exit_code == 0
    ranked = [json.loads(line) for line in lines.read_text(encoding="utf-8").splitlines()]
    assert all(isinstance(p["score"], float) and "library" in p for p in ranked)


def test_rating_papers_some_of_which_were_rated_says_how_many_changed(run, cached_day) -> None:
    first, second = cached_day[0].id, cached_day[1].id
    assert run("like", first).exit_code == 0
    said = run("like", first, second).stderr
    assert said.startswith(f"Liked 1 of 2 papers (the others already liked): {first}, {second}")
