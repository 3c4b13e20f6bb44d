"""What used to reach "internal error ... please report it": each is now a one-line error
with the right exit status, or just works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from papercli.models import Paper
from papercli.storage.cache import Cache

DAY = "2025-07-15"
TITLE = "Straße — 日本語 🚀 naïve"


def papers(
    *args: str, env: dict[str, str] | None = None, **kw: object
) -> subprocess.CompletedProcess[bytes]:
    """``papers ARGS`` in a child process (its own stdout encoding, signals, start-up)."""
    return subprocess.run(
        [sys.executable, "-m", "papercli", *args],
        capture_output=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=120,
        **kw,  # type: ignore[arg-type]
    )


def _seed(home: Path) -> None:
    paper = Paper("2507.00001", TITLE, authors=("Ünal Çelik",), listed=DAY, sources=("hf",))
    Cache(home / "cache").save("hf", "day", DAY, [paper])


# --- stdout that cannot carry the text ---------------------------------------------


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "md", "csv", "bib", "atom"])
def test_an_encoding_that_cannot_carry_the_text_never_crashes(
    isolated_home: Path, encoding: str, fmt: str
) -> None:
    _seed(isolated_home)
    args = ["list", "--date", DAY, "--offline"] + ([] if fmt == "table" else ["--format", fmt])
    done = papers(*args, env={"PYTHONIOENCODING": encoding})
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode(encoding)
    if fmt == "json":  # the same value, with \u escapes
        assert json.loads(out)[0]["title"] == TITLE
    elif fmt == "jsonl":
        assert json.loads(out.splitlines()[0])["title"] == TITLE
    elif fmt == "atom":  # character references: still the same text
        import xml.etree.ElementTree as ET

        titles = [e.text for e in ET.fromstring(done.stdout).iter() if e.tag.endswith("title")]
        assert TITLE in titles
    else:
        assert "Stra" in out and "na" in out
    done = papers("show", "2507.00001", "--offline", env={"PYTHONIOENCODING": encoding})
    assert done.returncode == 0, done.stderr
