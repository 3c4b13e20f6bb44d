"""Scores of the "for you" model kept between commands, so that ordering a search over
the whole history scores each paper once per model, not once per search.

One file beside the model (``for-you-scores.bin`` in the state folder): a header
naming the model it belongs to (a digest of the model) and a digest of the rest
(a damaged score is never used), then sorted 64-bit paper
keys (:func:`papercli.models.text_digest`: the id and every field the model reads, the
same digest the search index keeps per paper, so that a search can look scores up
without reading the records) and their scores. It is derived data: a file of another
model, of another layout or damaged is ignored and written again; losing it costs only
the scoring. numpy (which training needs too) is imported only here, inside the
methods.
"""

from __future__ import annotations

import contextlib
import struct
from pathlib import Path
from typing import Any

SCORES_FILE = "for-you-scores.bin"
# 16 bytes, then 16-byte digests of the model and of the body, and a count (1: other
# keys; 2: no digest of the body)
_MAGIC = b"papercli-score-3"
_HEAD = struct.Struct("<16s16s16sQ")
MAX_SCORES = 2_000_000  # kept at most (32 MB); beyond, only the last search's are kept


class ScoreCache:
    """The stored scores of one model (none when the file holds another model's)."""

    def __init__(self, root: Path, model_digest: bytes) -> None:
        import numpy as np

        self.path = root / SCORES_FILE
        self.digest = model_digest[:16].ljust(16, b"\0")
        self.keys: Any = np.empty(0, dtype="<i8")
        self.scores: Any = np.empty(0, dtype="<f8")
        try:
            raw = self.path.read_bytes()
        except OSError:
            return
        if len(raw) < _HEAD.size:
            return
        magic, digest, body, count = _HEAD.unpack_from(raw)
        if magic != _MAGIC or digest != self.digest or len(raw) != _HEAD.size + 16 * count:
            return
        if _digest(memoryview(raw)[_HEAD.size :]) != body:
            return  # damaged
        keys = np.frombuffer(raw, dtype="<i8", count=count, offset=_HEAD.size)
        scores = np.frombuffer(raw, dtype="<f8", count=count, offset=_HEAD.size + 8 * count)
        if count and not bool((keys[1:] > keys[:-1]).all()):
            return  # not the sorted, distinct keys this module writes
        self.keys, self.scores = keys, scores

    def lookup(self, keys: list[int]) -> list[float | None]:
        """The stored score of each key, or None."""
        import numpy as np

        if not len(self.keys) or not keys:
            return [None] * len(keys)
        wanted = np.array(keys, dtype="<i8")
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        hit = self.keys[at] == wanted
        found = self.scores[at].tolist()
        return [s if h else None for s, h in zip(found, hit.tolist(), strict=True)]

    def split(self, keys: Any, rows: Any) -> tuple[Any, Any, Any]:
        """For parallel arrays of keys and row numbers (int64 buffers: ``array("q")``):
        the rows of the keys without a stored score, in the given order, and those of
        the others best score first, with their scores (numpy arrays; 16 bytes a key,
        not a Python object: a search may have a million candidates)."""
        import numpy as np

        wanted = np.frombuffer(keys, dtype=np.int64)
        rows = np.frombuffer(rows, dtype=np.int64)
        if not len(self.keys) or not len(wanted):
            return rows, rows[:0], np.empty(0, dtype="<f8")
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        hit = self.keys[at] == wanted
        found = self.scores[at[hit]]
        best = np.argsort(-found, kind="stable")
        return rows[~hit], rows[hit][best], found[best]

    def add(self, keys: Any, scores: Any) -> None:
        """Store more scores (atomically; a failure to write is silent: derived data)."""
        import numpy as np

        from papercli.storage.files import atomic_write_text

        new_keys = np.array(keys, dtype="<i8")
        new_scores = np.array(scores, dtype="<f8")
        if len(self.keys) + len(new_keys) <= MAX_SCORES:
            new_keys = np.concatenate([new_keys, self.keys])
            new_scores = np.concatenate([new_scores, self.scores])
        # Sorted and distinct; for a key given twice, the first (the newest) score.
        order = np.argsort(new_keys, kind="stable")
        new_keys, new_scores = new_keys[order], new_scores[order]
        first = np.ones(len(new_keys), dtype=bool)
        first[1:] = new_keys[1:] != new_keys[:-1]
        new_keys, new_scores = new_keys[first][-MAX_SCORES:], new_scores[first][-MAX_SCORES:]
        # Known to this command whether or not the file can be written (a read-only state
        # folder): what it scored is not scored again by its next search.
        self.keys, self.scores = new_keys, new_scores
        body = new_keys.astype("<i8").tobytes() + new_scores.astype("<f8").tobytes()
        head = _HEAD.pack(_MAGIC, self.digest, _digest(body), len(new_keys))
        with contextlib.suppress(OSError):
            atomic_write_text(self.path, head + body)


def _digest(body: bytes | memoryview) -> bytes:
    import hashlib

    return hashlib.blake2b(body, digest_size=16).digest()
