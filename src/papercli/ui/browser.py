"""Opening a paper's page in the reader's web browser (``papers open``, the triage screen)."""

from __future__ import annotations

from papercli.links import check_url


def open_in_browser(url: str) -> bool:
    """Open ``url`` in a new browser tab; False when no browser could be started."""
    import webbrowser

    check_url(url)
    try:
        return bool(webbrowser.open(url, new=2))
    except webbrowser.Error:
        return False
