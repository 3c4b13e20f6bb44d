"""The "for you" scores of many papers, shared with a helper process.

The first search after the reader's ratings change scores every match (about 0.15 ms
a paper: reading its record, its features, the sum): tens of thousands in a search
of the whole history. From :data:`SHARE_FROM` papers on, with a second CPU, a helper
(``python -m papercli.core.score_worker``, :mod:`papercli.storage.helpers`) scores
about half of them: this process takes batches from the front, the helper from the
back, one or two ahead. Its answers are the papers' text digests and scores, kept as
this process's are: the same model (sent as the JSON it is stored as) gives the same
score to the last bit in either process. A helper that cannot start or fails leaves
its batches to this process.
"""

from __future__ import annotations

import os
from array import array
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

SHARE_FROM = 4000  # papers to score, at least, for a helper to be worth its start-up
HELPER_ARGS = ("-m", "papercli.core.score_worker")
AHEAD = 2  # batches the helper is given ahead of its answers


def this_file() -> str:
    """This module's file, as a helper compares it with its own."""
    from papercli.storage.helpers import file_of

    return file_of(__file__)


def answer_with(args: list[str]) -> Callable[[bytes], bytes]:
    """A helper's answers (``args``: the cache folder). The first request is the model,
    as JSON, answered with nothing; each next one row ids of the search index (int64),
    answered with their papers' text digests (int64), then their scores (float64)."""
    from papercli.models import text_digest
    from papercli.ranking import Model
    from papercli.storage.index import read_papers

    papers_of = read_papers(Path(args[0]))
    model: list[Model] = []

    def answer(request: bytes) -> bytes:
        if not model:
            model.append(Model.from_json(request))
            return b""
        rowids = array("q")
        rowids.frombytes(request)
        papers = papers_of(rowids)
        digests = array("q", map(text_digest, papers))
        return digests.tobytes() + array("d", model[0].score(papers)).tobytes()

    return answer


def score_shared(
    root: Path,
    model_json: str,
    rowids: Any,
    batch: int,
    here: Callable[[Any], None],
    keep: Callable[[array[int], array[float]], None],
) -> bool:
    """Score ``rowids`` in batches, here (``here(batch)``: read, score and keep them) and
    in a helper (``keep(digests, scores)``: its answers); False, having done nothing,
    when there are too few for a helper, no second CPU, or it could not start."""
    from papercli.storage.helpers import Helper, can_start, spare_cpus

    if len(rowids) < SHARE_FROM or spare_cpus() < 1 or not can_start():
        return False
    try:
        helper = Helper([*HELPER_ARGS, this_file(), os.path.abspath(root)])
    except (OSError, ValueError):
        return False
    try:
        helper.send(model_json.encode("ascii"))
        helper.receive()  # (its model read; None: it failed, and does nothing more)
        todo = deque(rowids[start : start + batch] for start in range(0, len(rowids), batch))
        given: deque[Any] = deque()
        while todo or given:
            while helper.alive and len(given) < AHEAD and len(todo) > 1:
                chunk = todo.pop()  # from the back: this process reads from the front
                helper.send(array("q", map(int, chunk)).tobytes())
                given.append(chunk)
            if todo:
                here(todo.popleft())
            if given:
                chunk = given.popleft()
                answer = helper.receive()
                if answer is None or len(answer) != 16 * len(chunk):
                    helper.alive = False  # what it was given is done here
                    todo.extend([chunk, *given])
                    given.clear()
                    continue
                digests, scores = array("q"), array("d")
                digests.frombytes(answer[: 8 * len(chunk)])
                scores.frombytes(answer[8 * len(chunk) :])
                keep(digests, scores)
        return True
    finally:
        helper.stop()
