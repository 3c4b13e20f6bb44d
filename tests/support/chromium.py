"""Headless Chromium for the tests of papercli's HTML (the page and the digest).

papercli's HTML holds no JavaScript, and the tests add none to it: a *harness* page of
the test's own loads each document under test into an ``<iframe srcdoc>`` of a given
width, and its script (the harness's, not papercli's) measures the rendered documents
and writes the findings as JSON into the harness's DOM, which ``--dump-dom`` prints.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--mute-audio",
)
TIMEOUT = 90  # seconds: a loaded machine starts Chromium slowly


def find() -> str | None:
    """The Chromium executable (``PAPERS_CHROMIUM`` or the usual names), or None."""
    named = os.environ.get("PAPERS_CHROMIUM")
    if named:
        return shutil.which(named)
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _command(binary: str, profile: str, args: Sequence[str], dark: bool) -> list[str]:
    command = [binary, *FLAGS, f"--user-data-dir={profile}", *args]
    if dark:
        command.insert(1, "--force-dark-mode")  # prefers-color-scheme: dark
    return command


def start(
    binary: str, args: Sequence[str], *, dark: bool = False
) -> tuple[subprocess.Popen[bytes], str]:
    """Chromium started with ``args`` in a profile folder of its own (returned to remove)."""
    profile = tempfile.mkdtemp(prefix="papers-chromium-")
    process = subprocess.Popen(
        _command(binary, profile, args, dark), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    return process, profile


def finish(process: subprocess.Popen[bytes], profile: str) -> bytes:
    """Wait for a Chromium of :func:`start` (killed after :data:`TIMEOUT`); its stdout."""
    try:
        out, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return out


# --- the harness ----------------------------------------------------------------------------

_MEASURE = """
const frames = [...document.querySelectorAll('iframe')];
function measure(frame) {
  const d = frame.contentDocument, w = frame.contentWindow;
  const all = [...d.querySelectorAll('*')];
  const body = w.getComputedStyle(d.body);
  return {
    name: frame.dataset.name,
    width: frame.clientWidth,
    scrollWidth: d.documentElement.scrollWidth,
    clientWidth: d.documentElement.clientWidth,
    right: Math.max(0, ...all.map(e => e.getBoundingClientRect().right)),
    text: d.body.innerText,
    elements: all.map(e => [e.tagName.toLowerCase(),
                            Object.fromEntries([...e.attributes].map(a => [a.name, a.value]))]),
    images: [...d.images].map(i => [i.src, i.alt, i.getBoundingClientRect().width]),
    background: body.backgroundColor,
    color: body.color,
    pwned: w.__pwned || null,
  };
}
function done() {
  const out = document.getElementById('out');
  out.textContent = JSON.stringify({frames: frames.map(measure), pwned: window.__pwned || null,
                                    title: document.title});
}
window.addEventListener('load', done);  // after every frame and its images
"""


@dataclass
class Rendered:
    """What the browser made of one document (see the harness's ``measure``)."""

    name: str
    width: int
    scroll_width: int
    client_width: int
    right: float
    text: str
    elements: list[tuple[str, dict[str, str]]]
    images: list[tuple[str, str, float]]
    background: str
    color: str
    pwned: str | None


class Measure:
    """Render each (name, html, width) in an iframe of that width, in a Chromium started
    at once (:meth:`result` waits): what each looks like, and whether anything set the
    harness's ``__pwned`` flag or title (a script that ran)."""

    def __init__(
        self,
        binary: str,
        documents: Sequence[tuple[str, str, int]],
        folder: Path,
        *,
        dark: bool = False,
    ) -> None:
        frames = "\n".join(
            f'<iframe data-name="{html.escape(name)}" style="width:{width}px;height:2000px;'
            f'border:0;display:block" srcdoc="{html.escape(text, quote=True)}"></iframe>'
            for name, text, width in documents
        )
        harness = folder / ("harness-dark.html" if dark else "harness.html")
        harness.write_text(
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>harness</title></head>"
            f"<body style='margin:0'>{frames}<pre id='out'></pre><script>{_MEASURE}</script>"
            "</body></html>",
            encoding="utf-8",
        )
        widest = max(width for _, _, width in documents)
        args = [
            "--dump-dom",
            "--virtual-time-budget=10000",
            f"--window-size={widest + 40},2000",
            harness.as_uri(),
        ]
        self.process, self.profile = start(binary, args, dark=dark)

    def result(self) -> tuple[list[Rendered], str | None]:
        dom = finish(self.process, self.profile).decode("utf-8", "replace")
        start_tag = dom.find('<pre id="out">')
        end_tag = dom.find("</pre>", start_tag)
        found = dom[start_tag + len('<pre id="out">') : end_tag] if start_tag >= 0 else ""
        if not found:
            raise AssertionError(f"the harness wrote no measurements: {dom[-2000:]}")
        data: dict[str, Any] = json.loads(html.unescape(found))
        rendered = [
            Rendered(
                name=f["name"],
                width=f["width"],
                scroll_width=f["scrollWidth"],
                client_width=f["clientWidth"],
                right=f["right"],
                text=f["text"],
                elements=[(tag, attrs) for tag, attrs in f["elements"]],
                images=[(src, alt, w) for src, alt, w in f["images"]],
                background=f["background"],
                color=f["color"],
                pwned=f["pwned"],
            )
            for f in data["frames"]
        ]
        flag = data["pwned"] or (None if data["title"] == "harness" else data["title"])
        return rendered, flag


def sheet(
    binary: str,
    documents: Sequence[tuple[str, int]],
    png: Path,
    *,
    height: int = 900,
    dark: bool = False,
) -> tuple[subprocess.Popen[bytes], str]:
    """Start one screenshot of every (html, width) side by side, 20 pixels apart, as
    ``png`` (wait with :func:`finish`): one Chromium for all of them."""
    frames = "".join(
        f'<iframe style="width:{width}px;height:{height}px;border:0;margin-right:20px;'
        'vertical-align:top;box-shadow:1px 0 0 #888" '
        f'srcdoc="{html.escape(text, quote=True)}"></iframe>'
        for text, width in documents
    )
    harness = png.with_suffix(".html")
    harness.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head>"
        "<body style='margin:0;color-scheme:light dark;background:Canvas;white-space:nowrap'>"
        f"{frames}</body></html>",
        encoding="utf-8",
    )
    total = sum(width + 20 for _, width in documents)
    args = [f"--screenshot={png}", f"--window-size={total},{height}", harness.as_uri()]
    return start(binary, args, dark=dark)


def placeholder_png(width: int = 300, height: int = 162) -> bytes:
    """A stand-in thumbnail (a page on a pale card) for pages rendered without internet."""

    def pixel(x: int, y: int) -> bytes:
        if 150 <= x <= 280 and 12 <= y <= 150:
            lines = 165 <= x <= 265 and 25 <= y <= 140 and (y - 25) % 10 < 4
            return b"\xc8\xcc\xd2" if lines else b"\xff\xff\xff"
        if (16 <= x <= 130 and 30 <= y <= 40) or (16 <= x <= 110 and 50 <= y <= 58):
            return b"\x3c\x40\x48"
        if 16 <= x <= 90 and 80 <= y <= 86:
            return b"\xff\xaa\x28"
        return b"\xec\xef\xf3"

    rows = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) of a PNG file."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", head[16:24])
    return width, height
