"""A helper process of a big search index update: ``python -m
papercli.storage.index_worker MODULE_FILE CACHE_ROOT`` reads the cache files it is asked
for on its input and answers on its output (:func:`papercli.storage.index_read.
answer_with`, :mod:`papercli.storage.helpers`). ``MODULE_FILE`` is the index's
:func:`~papercli.storage.index_read.this_file`: a helper that imported another copy of
papercli stops at once."""

from __future__ import annotations


def main() -> None:
    from papercli.storage.helpers import run_helper
    from papercli.storage.index_read import answer_with, this_file

    run_helper(this_file(), answer_with)


if __name__ == "__main__":
    main()
