"""The screenshots in docs/: a listing page at 375 pixels and a digest at 1280.

    python tests/support/html_screenshots.py [--data ../shared/data] [--out docs]

Real papers: Hugging Face's daily papers of 2025-07-15 from the recorded month
(``hf_daily_papers_monthly/daily_papers_2025-07.json`` under ``--data`` or
``$PAPERS_DATA``; without it, the test fixture's three papers). The machine that makes
them has no internet, so the thumbnails are a stand-in image served on loopback (the
real ones are Hugging Face's own URLs, which papercli links and never fetches).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import http.server
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from papercli import export, mail  # noqa: E402
from papercli.core.listing import sort_papers  # noqa: E402
from papercli.models import Paper  # noqa: E402
from papercli.query import Query  # noqa: E402
from papercli.sources import hf  # noqa: E402
from support import chromium  # noqa: E402

DAY = "2025-07-15"
RULES = {"agents": "agent OR reasoning", "video": "video OR diffusion OR image"}


def day_papers(data: Path | None) -> list[Paper]:
    month = data / "hf_daily_papers_monthly" / "daily_papers_2025-07.json" if data else None
    if month is not None and month.exists():
        papers = hf.parse_daily(month.read_bytes())
    else:
        papers = hf.parse_daily((ROOT / "tests/fixtures/hf/daily_2025-07-15.json").read_bytes())
    return sort_papers([p for p in papers if p.listed == DAY], "upvotes")


def serve_thumbnail() -> tuple[http.server.HTTPServer, str]:
    image = chromium.placeholder_png()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(image)))
            self.end_headers()
            self.wfile.write(image)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = os.environ.get("PAPERS_DATA") or str(ROOT.parent / "shared" / "data")
    parser.add_argument("--data", type=Path, default=Path(default))
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    binary = chromium.find()
    if binary is None:
        print("Chromium is not installed.", file=sys.stderr)
        return 1
    server, base = serve_thumbnail()
    try:
        papers = [
            dataclasses.replace(p, thumbnail=f"{base}/{p.id}.png") if p.thumbnail else p
            for p in day_papers(args.data)
        ]
        page = export.render("html", papers, export.Meta(f"Hugging Face Daily Papers, {DAY}", "hf"))
        groups = {name: Query.parse(q).filter(papers) for name, q in RULES.items()}
        digest = mail.render_html(groups, dt.date.fromisoformat(DAY), RULES)
        shots = [("html-page-375", page, 375, 1100), ("digest-1280", digest, 1280, 1000)]
        running = []
        for name, text, width, height in shots:
            source = args.out / f".{name}.html"
            source.write_text(text, encoding="utf-8")
            png = args.out / f"{name}.png"
            argv = [f"--screenshot={png}", f"--window-size={width},{height}", source.as_uri()]
            running.append((chromium.start(binary, argv), source, png))
        for (process, profile), source, png in running:
            chromium.finish(process, profile)
            source.unlink()
            print(f"Wrote {png} ({png.stat().st_size // 1024} KB).")
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
