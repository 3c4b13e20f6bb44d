"""Scores of the "for you" model kept between searches (storage/scores.py): the same
scores and order as scoring afresh, each paper scored once per model and text, and a
file of another model or a damaged one never used."""

from __future__ import annotations

import dataclasses
import math
import struct
from pathlib import Path
from types import SimpleNamespace

import pytest

from papercli import ranking
from papercli.core import foryou
from papercli.models import Paper
from papercli.storage.scores import SCORES_FILE, ScoreCache


def _papers(n: int, topic: str = "video") -> list[Paper]:
    words = ["video", "diffusion", "language", "robot", "graph", "speech"]
    return [
        Paper(
            id=f"2501.{i:05d}",
            title=f"{words[i % 6]} {words[(i * 7) % 6]} model {i % 13}",
            abstract=f"We study {words[i % 6]} with {words[(i + 1) % 6]} data, take {i % 5}.",
            authors=(f"Author {i % 17}",),
            ai_keywords=(f"{words[(i * 3) % 6]} models",),
        )
        for i in range(n)
    ]


def _model() -> ranking.Model:
    papers = _papers(300)
    liked = [p for p in papers if p.title.startswith("video")][:10]
    disliked = [p for p in papers if p.title.startswith("graph")][:10]
    return ranking.train(liked, disliked, papers)


def _Ctx(root: Path) -> SimpleNamespace:
    """What foryou.score needs of a context: the state folder (through library())."""
    return SimpleNamespace(settings=SimpleNamespace(state_dir=root), warn=lambda message: None)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many papers Model.score was asked to score, call by call."""
    calls: list[int] = []
    plain = ranking.Model.score

    def score(self: ranking.Model, papers):  # type: ignore[no-untyped-def]
        papers = list(papers)
        calls.append(len(papers))
        return plain(self, papers)

    monkeypatch.setattr(ranking.Model, "score", score)
    monkeypatch.setattr(foryou, "KEEP_SCORES_FROM", 10)
    return calls


def test_kept_scores_are_the_scores(tmp_path: Path, counted: list[int]) -> None:
    model, papers, ctx = _model(), _papers(200), _Ctx(tmp_path)
    fresh = ranking.Model.score(model, papers)
    counted.clear()
    first = foryou.score(ctx, model, papers)  # type: ignore[arg-type]
    assert counted == [200] and (tmp_path / SCORES_FILE).exists()
    again = foryou.score(ctx, model, papers[::-1])  # type: ignore[arg-type]
    assert counted == [200]  # nothing scored again
    assert first == fresh and again == fresh[::-1]
    more = _papers(260)
    both = foryou.score(ctx, model, more)  # type: ignore[arg-type]
    assert counted == [200, 60] and both == ranking.Model.score(model, more)


def test_another_text_or_model_is_scored_again(tmp_path: Path, counted: list[int]) -> None:
    model, papers, ctx = _model(), _papers(50), _Ctx(tmp_path)
    foryou.score(ctx, model, papers)  # type: ignore[arg-type]
    changed = [dataclasses.replace(papers[0], ai_keywords=("graph models",)), *papers[1:]]
    got = foryou.score(ctx, model, changed)  # type: ignore[arg-type]
    assert counted == [50, 1]
    assert got[0] == pytest.approx(ranking.Model.score(model, changed[:1])[0], abs=1e-12)
    other = dataclasses.replace(model, bias=model.bias + 1.0)
    foryou.score(ctx, other, papers)  # type: ignore[arg-type]
    assert counted[-1] == 50


def test_small_listings_keep_nothing(tmp_path: Path, counted: list[int]) -> None:
    foryou.score(_Ctx(tmp_path), _model(), _papers(9))  # type: ignore[arg-type]
    assert not (tmp_path / SCORES_FILE).exists()


@pytest.mark.parametrize("damage", ["truncate", "unsorted", "score", "nan", "garbage", "empty"])
def test_a_damaged_file_is_not_used(tmp_path: Path, damage: str) -> None:
    digest = b"d" * 16
    ScoreCache(tmp_path, digest).add([3, 1, 2], [0.3, 0.1, 0.2])
    assert ScoreCache(tmp_path, digest).lookup([1, 2, 3, 4]) == [0.1, 0.2, 0.3, None]
    path = tmp_path / SCORES_FILE
    raw = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(raw[:-3])
    elif damage == "unsorted":  # keys 1, 2, 3 -> 2, 1, 3
        at = len(raw) - 48
        path.write_bytes(raw[:at] + raw[at + 8 : at + 16] + raw[at : at + 8] + raw[at + 16 :])
    elif damage in ("score", "nan"):  # the last score (0.3): another number, or none
        value = struct.pack("<d", 0.7 if damage == "score" else math.nan)
        path.write_bytes(raw[:-8] + value)
    elif damage == "garbage":
        path.write_bytes(b"x" * len(raw))
    else:
        path.write_bytes(b"")
    kept = ScoreCache(tmp_path, digest)
    assert kept.lookup([1, 2, 3]) == [None, None, None]
    kept.add([5], [0.5])  # written again, whole
    assert ScoreCache(tmp_path, digest).lookup([5, 1]) == [0.5, None]
    assert ScoreCache(tmp_path, b"e" * 16).lookup([5]) == [None]  # another model's


def test_scores_that_cannot_be_written_are_still_known_to_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only state folder: the file is not written, but this command does not
    score the same papers again (its next search, after a shared scoring, splits them
    as scored)."""
    from papercli.storage import files

    def read_only(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(files, "atomic_write_text", read_only)
    kept = ScoreCache(tmp_path, b"d" * 16)
    kept.add([3, 1], [0.3, 0.1])
    assert kept.lookup([1, 3, 2]) == [0.1, 0.3, None]
    assert not (tmp_path / SCORES_FILE).exists()
