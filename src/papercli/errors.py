"""The exceptions papercli raises. Each carries a one-line, user-facing message."""

from __future__ import annotations


class PapersError(Exception):
    """Base class: a failure the user should read about in one line. Exit status 1."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(PapersError):
    """Bad input from the command line (a date, a query, an id). Exit status 2."""

    exit_code = 2


class ConfigError(PapersError):
    """The configuration file is missing a key, has a wrong type, or does not parse."""


class FetchError(PapersError):
    """A request failed: network, HTTP status, or a body that is not what the API sends."""


class UnavailableError(FetchError):
    """Every attempt failed (no connection, timeouts, 429/5xx): the service is down for now.

    Commands that fetch many listings stop asking a service after a few of these.
    """


class CancelledError(FetchError):
    """A request given up because its caller no longer wants it (a sibling page failed,
    the listing is complete, or the user pressed Ctrl-C)."""


class TimeLimitError(FetchError):
    """The command's time budget (``[network] total_timeout``) is used up: every further
    request would fail at once. Commands that fetch many listings stop there."""


class NotFoundError(PapersError):
    """The remote service (or the cache) does not know the requested paper."""


class OutputError(PapersError):
    """An export could not be written (file exists, directory missing...)."""
