"""The entry point of ``papers`` (the console script) and ``python -m papercli``.

Light on purpose: a Ctrl-C while the command line's modules are imported (the
first tens of milliseconds) ends papercli quietly with status 130, as a Ctrl-C
does later on (:func:`papercli.cli.boundary.handle_errors`).
"""

from __future__ import annotations

import sys

INTERRUPTED = 130


def main() -> None:
    try:
        from papercli.cli.root import main as run

        run()
    except KeyboardInterrupt:
        sys.exit(INTERRUPTED)


if __name__ == "__main__":
    main()
