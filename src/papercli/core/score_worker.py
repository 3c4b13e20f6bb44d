"""A helper process of a search in the reader's order: ``python -m
papercli.core.score_worker MODULE_FILE CACHE_ROOT`` scores the papers it is asked for
(:mod:`papercli.core.score_helper`, :mod:`papercli.storage.helpers`)."""

from __future__ import annotations


def main() -> None:
    from papercli.core.score_helper import answer_with, this_file
    from papercli.storage.helpers import run_helper

    run_helper(this_file(), answer_with)


if __name__ == "__main__":
    main()
