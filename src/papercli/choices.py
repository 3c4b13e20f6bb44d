"""The fixed vocabularies of papercli's options, written once: the settings check, the
use cases and the command line's choices all read them. No imports: ``papers --help``
loads this module.
"""

from __future__ import annotations

from typing import Literal, get_args

Source = Literal["hf", "arxiv", "all"]  # hf, arXiv's listings, or arXiv with HF signals
SortKey = Literal["upvotes", "date", "title", "relevance", "for-you"]

SOURCES: tuple[str, ...] = get_args(Source)
SORT_KEYS: tuple[str, ...] = get_args(SortKey)
