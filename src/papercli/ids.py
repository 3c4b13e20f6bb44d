"""Paper identifiers: validated before they reach a file name or a URL."""

from __future__ import annotations

import re

from papercli.errors import UsageError

# ASCII only: "\d" would otherwise accept other scripts' digits, which no URL or
# file name should carry. Patterns are used with fullmatch (no "$"-before-newline).
_NEW = re.compile(r"(\d{4}\.\d{4,5})(v\d+)?", re.ASCII)
_OLD = re.compile(r"([a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(v\d+)?", re.ASCII)
_URL = re.compile(
    r"(?:https?://)?(?:www\.|export\.)?(?:arxiv\.org|huggingface\.co)/(?:abs|pdf|papers)/(.+?)(?:\.pdf)?/?",
    re.ASCII,
)


def parse_paper_id(text: str) -> tuple[str, int | None]:
    """``2501.01234``, ``2501.01234v2``, ``hep-th/9901001``, ``arXiv:...`` or an
    abs/pdf/Hugging Face URL -> (id without version, version or None).

    Anything else is a usage error, raised before any request is made.
    """
    value = text.strip()
    url = _URL.fullmatch(value)
    if url:
        value = url.group(1)
    if value.lower().startswith("arxiv:"):
        value = value[6:]
    for pattern in (_NEW, _OLD):
        match = pattern.fullmatch(value)
        if match:
            version = int(match.group(2)[1:]) if match.group(2) else None
            if version == 0:
                raise UsageError(f"Invalid paper id {_shown(text)}: arXiv versions start at v1.")
            number = match.group(1).partition(".")[2]
            if pattern is _NEW and len(number) == 4 and match.group(1)[:4] >= "1501":
                raise UsageError(
                    f"Invalid paper id {_shown(text)}: since 2015 arXiv ids have five digits "
                    "after the dot (2501.01234)."
                )
            return match.group(1), version
    raise UsageError(
        f"Invalid paper id {_shown(text)}: use an arXiv id such as 2501.01234, 2501.01234v2 "
        "or hep-th/9901001, or an arXiv or Hugging Face paper URL."
    )


def is_paper_id(text: str) -> bool:
    """True for a bare arXiv id (new or old style, version allowed), nothing else."""
    return bool(_NEW.fullmatch(text) or _OLD.fullmatch(text))


def _shown(text: str) -> str:
    """The user's text in a message: quoted, escaped, and short."""
    shown = repr(text)
    return shown if len(shown) <= 80 else shown[:77] + "..."
