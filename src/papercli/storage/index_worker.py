"""A helper process of a big search index update: ``python -m
papercli.storage.index_worker CACHE_ROOT`` reads the cache files it is asked for on
its input and answers on its output (:func:`papercli.storage.index_read.serve`)."""

from __future__ import annotations


def main() -> None:
    import contextlib
    import signal
    import sys
    from pathlib import Path

    from papercli.storage.index_read import serve

    # The index's process handles Ctrl-C, and stops its helpers by closing their input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers goes to the output
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):  # it stopped listening
        serve(Path(sys.argv[1]), requests, answers)


if __name__ == "__main__":
    main()
