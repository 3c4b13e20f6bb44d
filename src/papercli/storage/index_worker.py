"""A helper process of a big search index update: ``python -m
papercli.storage.index_worker CACHE_ROOT MODULE_FILE`` reads the cache files it is asked
for on its input and answers on its output (:func:`papercli.storage.index_read.serve`).
``MODULE_FILE`` is the index's :func:`~papercli.storage.index_read.this_file`: a helper
that imported another copy of papercli stops at once."""

from __future__ import annotations


def main() -> None:
    import contextlib
    import signal
    import sys
    from pathlib import Path

    from papercli.storage.index_read import serve, this_file

    if this_file() != sys.argv[2]:
        sys.exit(2)  # another papercli than the index's process: it reads the files itself
    # The index's process handles Ctrl-C, and stops its helpers by closing their input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers goes to the output
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):  # it stopped listening
        serve(Path(sys.argv[1]), requests, answers)


if __name__ == "__main__":
    main()
