"""``papers browse``: the triage screen driven through Textual's Pilot, key by key.

The app runs headless against :class:`tests.browse_fake.FakeBackend`: no network, no
store, no browser. Each test is synchronous and runs its own event loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from papercli.errors import FetchError
from papercli.models import Paper
from papercli.ui.browse.app import BrowseApp, DetailPane, HelpScreen, PaperScreen, Prompt
from support.browse_fake import DAY, FakeBackend, many_papers, recorded_day, settle
from support.hostile import hostile_papers

KEY = DAY.isoformat()
Script = Callable[[Pilot[None]], Awaitable[None]]


def drive(app: BrowseApp, script: Script, size: tuple[int, int] = (80, 24)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await script(pilot)

    asyncio.run(main())


async def type_in(pilot: Pilot[None], *keys: str) -> None:
    """Press keys into the prompt, and let the Changed messages they post be handled."""
    await pilot.press(*keys)
    await pilot.pause()


def screen_text(app: BrowseApp) -> str:
    """The screen as plain text, line by line."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def status(app: BrowseApp) -> str:
    return app.status_text.plain


def current_title(app: BrowseApp) -> str:
    row = app.papers.current
    assert row is not None
    return row.paper.title


def detail(app: BrowseApp) -> str:
    """Everything the detail pane has to show (the pane draws what fits)."""
    return app.query_one(DetailPane).text.plain


def backend(**kwargs: Any) -> FakeBackend:
    kwargs.setdefault("cached", {KEY: recorded_day()})
    return FakeBackend(**kwargs)


# --- loading ---


def test_first_screen_shows_the_cached_day_then_the_fetched_one() -> None:
    fresh = [*recorded_day(), *many_papers(2)]
    fake = backend(fresh={KEY: fresh})
    app = BrowseApp(fake)

    async def script(pilot: Pilot[None]) -> None:
        text = screen_text(app)
        assert "Hugging Face Daily Papers · Tue 2025-07-15 · 5 papers" in text
        assert "Scaling Mini-Batch" in text and "Ada Lovelace" in text
        assert "Example Lab" in text and "★1.5k" in text  # organization, code
        assert status(app) == "Up to date."

    drive(app, script)
    assert fake.calls[:2] == [("load", KEY, False, True), ("load", KEY, False, False)]
    assert fake.seen == {p.id for p in fresh}  # shown papers are marked seen


def test_the_cached_copy_shows_while_the_fetch_is_slow() -> None:
    gate = threading.Event()
    fake = backend(fresh={KEY: many_papers(4)}, fetch_gate=gate)
    app = BrowseApp(fake)

    async def script(pilot: Pilot[None]) -> None:
        for _ in range(200):
            if app.papers.rows:
                break
            await pilot.pause(0.01)
        assert len(app.papers.rows) == 3 and app.busy
        assert status(app) == "Fetching…"
        await pilot.press("j")  # the keyboard works meanwhile
        assert app.papers.cursor == 1
        gate.set()
        await settle(pilot)
        assert len(app.papers.rows) == 4 and status(app) == "Up to date."

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await script(pilot)

    try:
        asyncio.run(main())
    finally:
        gate.set()


def test_a_failed_fetch_is_a_status_line_over_the_cached_copy() -> None:
    fake = backend(fail_fetch=FetchError("Hugging Face did not answer (timed out)."))
    app = BrowseApp(fake)

    async def script(pilot: Pilot[None]) -> None:
        assert len(app.papers.rows) == 3
        assert status(app) == ("Hugging Face did not answer (timed out). Showing the cached copy.")
        assert "Hugging Face did not answer" in screen_text(app)

    drive(app, script)


def test_a_failed_fetch_with_nothing_cached_shows_the_message() -> None:
    fake = backend(cached={}, fail_fetch=FetchError("No connection to huggingface.co."))
    app = BrowseApp(fake)

    async def script(pilot: Pilot[None]) -> None:
        assert app.papers.rows == []
        assert status(app) == "No connection to huggingface.co."
        text = screen_text(app)
        assert "Nothing to show." in text and "No connection" in text
        await pilot.press("j", "l", "s", "o", "enter")  # nothing to act on: no crash
        assert fake.ratings == {} and fake.saved == {} and fake.opened == []

    drive(app, script)


def test_a_backend_bug_is_a_status_line_not_a_traceback() -> None:
    class Broken(FakeBackend):
        def load(self, view: Any, *, refresh: bool, offline: bool) -> Any:
            if not offline:
                raise KeyError("boom")
            return super().load(view, refresh=refresh, offline=offline)

    app = BrowseApp(Broken(cached={KEY: recorded_day()}))

    async def script(pilot: Pilot[None]) -> None:
        assert status(app) == "KeyError: 'boom' Showing the cached copy."
        assert len(app.papers.rows) == 3

    drive(app, script)


def test_offline_reads_only_the_cache() -> None:
    fake = backend()
    app = BrowseApp(fake, offline=True)

    async def script(pilot: Pilot[None]) -> None:
        assert len(app.papers.rows) == 3
        assert status(app) == "Offline: the cached copy."
        await pilot.press("r")
        await settle(pilot)
        assert status(app).startswith("Offline (--offline): not fetching")

    drive(app, script)
    assert all(call[3] is True for call in fake.calls if call[0] == "load")


def test_offline_with_nothing_cached_says_so() -> None:
    fake = backend(cached={})
    app = BrowseApp(fake, offline=True)

    async def script(pilot: Pilot[None]) -> None:
        assert status(app) == "Nothing cached for 2025-07-15 (offline)."
        assert "Nothing to show." in screen_text(app)

    drive(app, script)
    assert [c for c in fake.calls if c[0] == "load"] == [("load", KEY, False, True)]


def test_notes_from_the_backend_reach_the_status_line() -> None:
    fake = backend(notes=["No papers listed for 2025-07-16 yet; showing 2025-07-15."])
    app = BrowseApp(fake)

    async def script(pilot: Pilot[None]) -> None:
        assert status(app) == "No papers listed for 2025-07-16 yet; showing 2025-07-15."

    drive(app, script)


def test_r_refreshes_from_the_network() -> None:
    fake = backend()
    app = BrowseApp(fake)

    async def script(pilot: Pilot[None]) -> None:
        fake.fresh[KEY] = many_papers(7)
        await pilot.press("r")
        await settle(pilot)
        assert len(app.papers.rows) == 7

    drive(app, script)
    assert fake.calls[-1] == ("load", KEY, True, False)
    assert ("load", KEY, True, True) not in fake.calls  # a refresh skips the cached copy


# --- moving ---


def test_j_k_arrows_g_and_G_move_the_cursor() -> None:
    fake = backend(cached={KEY: many_papers(40)})
    app = BrowseApp(fake)

    async def script(pilot: Pilot[None]) -> None:
        papers = app.papers
        assert papers.cursor == 0
        await pilot.press("j")
        assert papers.cursor == 1
        await pilot.press("down", "down")
        assert papers.cursor == 3
        await pilot.press("k")
        assert papers.cursor == 2
        await pilot.press("up")
        assert papers.cursor == 1
        await pilot.press("G")
        assert papers.cursor == 39
        assert "(40)" in screen_text(app)  # the last paper is scrolled into view
        await pilot.press("j")
        assert papers.cursor == 39  # stays at the end
        await pilot.press("g")
        assert papers.cursor == 0 and papers.scroll_y == 0
        await pilot.press("end")
        assert papers.cursor == 39
        await pilot.press("home", "pagedown")
        assert papers.cursor > 5
        await pilot.press("pageup")
        assert papers.cursor == 0
        await pilot.press("k")
        assert papers.cursor == 0

    drive(app, script)


def test_the_detail_pane_follows_the_cursor() -> None:
    app = BrowseApp(backend())

    async def script(pilot: Pilot[None]) -> None:
        assert "Scaling Mini-Batch" in detail(app)
        await pilot.press("j", "j")
        assert "Diffusion Models Are Secretly Batch-Free" in detail(app)
        assert "Alan Turing" in detail(app)

    drive(app, script)


def test_a_click_selects_a_paper() -> None:
    app = BrowseApp(backend())

    async def script(pilot: Pilot[None]) -> None:
        await pilot.click("#papers", offset=(10, 3))  # line 0 is the column names
        assert app.papers.cursor == 2

    drive(app, script)


# --- reading ---


@pytest.mark.parametrize("key", ["enter", "space"])
def test_enter_and_space_show_the_paper_in_full(key: str) -> None:
    app = BrowseApp(backend(), query="mini-batch")

    async def script(pilot: Pilot[None]) -> None:
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, PaperScreen)
        text = screen_text(app)
        for expected in (
            "Scaling Mini-Batch Optimisation",
            "Ada Lovelace, Émile Borel, 李明",
            "Organization: Example Lab",
            "Published: 2025-07-15",
            "Upvotes: 87",
            "https://huggingface.co/papers/2507.11001",
            "https://arxiv.org/pdf/2507.11001",
            "https://github.com/example/minibatch",
            "AI summary",
            "Keywords: mini-batch, optimisation, LLM",
            "Abstract",
        ):
            assert expected in text, expected
        await pilot.press("j")  # the next paper, still in full
        assert "Minibatching [bold red]without[/] Tears" in screen_text(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, PaperScreen)
        assert app.papers.cursor == 1

    drive(app, script)


def test_the_query_s_matches_are_highlighted() -> None:
    app = BrowseApp(backend(), query="mini-batch")

    async def script(pilot: Pilot[None]) -> None:
        from papercli.ui.browse.render import MATCH

        row = app.papers.current
        assert row is not None
        text = app._detail(row)
        styled = {text.plain[s.start : s.end] for s in text.spans if str(s.style) == MATCH}
        assert {"Mini-Batch", "mini-batch"} <= styled

    drive(app, script)


# --- ratings and the library ---


def test_l_d_u_rate_at_once_and_mark_the_row() -> None:
    fake = backend()
    app = BrowseApp(fake)

    async def script(pilot: Pilot[None]) -> None:
        await pilot.press("l")
        assert fake.ratings == {"2507.11001": "like"}  # written before the key returns
        assert status(app).startswith("Liked: Scaling Mini-Batch")
        assert screen_text(app).splitlines()[2].startswith("+ ")
        await pilot.press("j", "d")
        assert fake.ratings == {"2507.11001": "like", "2507.11002": "dislike"}
        assert screen_text(app).splitlines()[3].startswith("- ")
        await pilot.press("u")
        assert fake.ratings == {"2507.11001": "like"}
        assert status(app).startswith("Rating taken back: Minibatching")
        await pilot.press("k", "enter", "d")  # keys work on the full view too
        assert fake.ratings == {"2507.11001": "dislike"}
        assert "You: disliked" in screen_text(app)

    drive(app, script)
    assert [c for c in fake.calls if c[0] == "rate"] == [
        ("rate", "2507.11001", "like"),
        ("rate", "2507.11002", "dislike"),
        ("rate", "2507.11002", None),
        ("rate", "2507.11001", "dislike"),
    ]


def test_s_saves_and_S_saves_with_a_tag() -> None:
    fake = backend()
    app = BrowseApp(fake)

    async def script(pilot: Pilot[None]) -> None:
        await pilot.press("s")
        assert fake.saved == {"2507.11001": ()}
        assert status(app).startswith("Saved: Scaling")
        assert screen_text(app).splitlines()[2].startswith(" *")
        await pilot.press("j", "S")
        prompt = app.query_one(Prompt)
        assert prompt.has_focus
        await pilot.press(*"to-read", "enter")
        assert fake.saved["2507.11002"] == ("to-read",)
        assert status(app).startswith("Saved with tag 'to-read': Minibatching")
        assert not prompt.has_focus and app.papers.has_focus
        await pilot.press("S", "x", "escape")  # cancelled: nothing written
        assert fake.saved["2507.11002"] == ("to-read",)
        assert "You: saved (to-read)" in detail(app)

    drive(app, script)


def test_marks_from_the_store_show_on_load() -> None:
    fake = backend(ratings={"2507.11002": "like"}, saved={"2507.11003": ("x",)})
    app = BrowseApp(fake)

    async def script(pilot: Pilot[None]) -> None:
        lines = screen_text(app).splitlines()
        assert lines[3].startswith("+ ") and lines[4].startswith(" *")

    drive(app, script)


def test_a_failing_store_is_a_status_line() -> None:
    class ReadOnly(FakeBackend):
        def rate(self, paper: Paper, rating: Any) -> Any:
            raise FetchError("The library is locked by another papers run.")

    app = BrowseApp(ReadOnly(cached={KEY: recorded_day()}))

    async def script(pilot: Pilot[None]) -> None:
        await pilot.press("l")
        assert status(app) == "The library is locked by another papers run."

    drive(app, script)


# --- opening ---


def test_o_and_p_open_the_page_and_the_pdf_through_the_backend() -> None:
    fake = backend()
    app = BrowseApp(fake)

    async def script(pilot: Pilot[None]) -> None:
        await pilot.press("o")
        await settle(pilot)
        assert status(app) == "Opened https://huggingface.co/papers/2507.11001"
        await pilot.press("p")
        await settle(pilot)
        assert status(app) == "Opened https://arxiv.org/pdf/2507.11001"

    drive(app, script)
    assert fake.opened == [
        "https://huggingface.co/papers/2507.11001",
        "https://arxiv.org/pdf/2507.11001",
    ]


def test_without_a_browser_the_url_is_shown() -> None:
    fake = backend(opens_browser=False)
    app = BrowseApp(fake)

    async def script(pilot: Pilot[None]) -> None:
        await pilot.press("o")
        await settle(pilot)
        assert status(app) == (
            "No web browser could be started; open it yourself: "
            "https://huggingface.co/papers/2507.11001"
        )

    drive(app, script)


def test_a_paper_without_a_page_says_so() -> None:
    fake = backend(cached={KEY: [Paper(id="not-an-arxiv-id", title="HF only", sources=("hf",))]})
    app = BrowseApp(fake)

    async def script(pilot: Pilot[None]) -> None:
        await pilot.press("p")
        await settle(pilot)
        assert status(app) == "not-an-arxiv-id has no PDF to open."

    drive(app, script)


# --- filtering ---


def test_slash_filters_as_you_type() -> None:
    app = BrowseApp(backend())

    async def script(pilot: Pilot[None]) -> None:
        await pilot.press("slash")
        assert app.query_one(Prompt).has_focus
        await type_in(pilot, *"diff")
        assert [r.paper.id for r in app.papers.rows] == ["2507.11003"]
        assert "3 papers · 1 shown, filter: diff" in screen_text(app)
        await type_in(pilot, "backspace", "backspace", "backspace", "backspace", *"batch")
        assert len(app.papers.rows) == 3  # mini-batch, Mini batches, Batch-Free
        await type_in(pilot, *" OR")  # half typed: the last good filter stays
        assert app.filter_text == "batch O"  # "batch AND O"
        assert status(app).startswith("Invalid query: nothing after OR")
        await pilot.press("backspace", "backspace", "backspace", "enter")
        assert app.filter_text == "batch" and app.papers.has_focus
        await pilot.press("slash", *" -free", "escape")  # escape: back to "batch"
        assert app.filter_text == "batch" and len(app.papers.rows) == 3
        await pilot.press("slash", *" au:turing", "enter")
        assert [r.paper.id for r in app.papers.rows] == ["2507.11003"]
        assert "3 papers · 1 shown, filter: batc…" in screen_text(app)

    drive(app, script)


def test_escape_in_the_list_clears_a_kept_filter() -> None:
    app = BrowseApp(backend())

    async def script(pilot: Pilot[None]) -> None:
        await pilot.press("slash", *"diff", "enter")
        assert app.filter_text == "diff" and len(app.papers.rows) == 1
        await pilot.press("escape")
        assert app.filter_text == "" and len(app.papers.rows) == 3
        assert status(app) == "Filter cleared."

    drive(app, script)


def test_the_command_line_query_is_the_first_filter() -> None:
    app = BrowseApp(backend(), query="title:diffusion")

    async def script(pilot: Pilot[None]) -> None:
        assert [r.paper.id for r in app.papers.rows] == ["2507.11003"]
        await pilot.press("slash")
        assert app.query_one(Prompt).value == "title:diffusion"
        await pilot.press("escape")
        assert app.filter_text == "title:diffusion"

    drive(app, script)


def test_a_filter_matching_nothing_says_so() -> None:
    app = BrowseApp(backend())

    async def script(pilot: Pilot[None]) -> None:
        await pilot.press("slash", *"zzzz", "enter")
        assert app.papers.rows == []
        assert "No paper matches the filter." in screen_text(app)
        await pilot.press("l", "enter")  # nothing selected: nothing happens
        assert status(app) == "No paper to rate."

    drive(app, script)


# --- days ---


def test_brackets_step_to_the_previous_and_next_day() -> None:
    before = (DAY - dt.timedelta(days=1)).isoformat()
    fake = backend(fresh={before: many_papers(5)})
    app = BrowseApp(fake)

    async def script(pilot: Pilot[None]) -> None:
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.view is not None and app.view.key == before
        assert "Mon 2025-07-14 · 5 papers" in screen_text(app)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.view is not None and app.view.key == KEY
        assert len(app.papers.rows) == 3

    drive(app, script)
    assert ("step", KEY, -1) in fake.calls and ("step", before, 1) in fake.calls
    assert ("load", before, False, True) in fake.calls  # the cache first, then the network
    assert ("load", before, False, False) in fake.calls


def test_a_late_answer_for_the_previous_day_is_dropped() -> None:
    gate = threading.Event()
    fake = backend(fetch_gate=gate)
    app = BrowseApp(fake, offline=False)

    async def script(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("left_square_bracket")  # today's fetch is still waiting
        gate.set()
        await settle(pilot)
        assert app.view is not None and app.view.key == "2025-07-14"
        assert app.papers.rows == []  # today's late answer did not land on 07-14
        assert status(app) == "Hugging Face lists nothing for 2025-07-14."

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await script(pilot)

    try:
        asyncio.run(main())
    finally:
        gate.set()


# --- help, quitting ---


def test_question_mark_shows_the_keys_and_any_key_closes_them() -> None:
    app = BrowseApp(backend())

    async def script(pilot: Pilot[None]) -> None:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "take the rating back" in screen_text(app)
        await pilot.press("x")
        assert not isinstance(app.screen, HelpScreen)

    drive(app, script)


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
def test_q_and_ctrl_c_quit(key: str) -> None:
    app = BrowseApp(backend())

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press(key)
            await pilot.pause()
            assert not app.is_running

    asyncio.run(main())
    assert app.return_code == 0


def test_ctrl_c_quits_from_the_filter_prompt() -> None:
    app = BrowseApp(backend())

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("slash", "a", "ctrl+c")
            await pilot.pause()
            assert not app.is_running

    asyncio.run(main())


def test_quitting_does_not_wait_for_a_hung_fetch() -> None:
    gate = threading.Event()  # never set: the network hangs
    app = BrowseApp(backend(fetch_gate=gate))

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.busy
            await pilot.press("q")

    asyncio.run(main())
    gate.set()


# --- hostile text, scores, sizes ---


def test_hostile_text_stays_inert() -> None:
    papers = recorded_day()[1:2] + hostile_papers()
    app = BrowseApp(backend(cached={KEY: papers}))

    async def script(pilot: Pilot[None]) -> None:
        strips = []
        for index in range(len(papers)):
            app.papers.move_to(index)  # the detail pane shows each paper in full
            await pilot.pause()
            strips += app.screen._compositor.render_strips()
        await pilot.press("enter")
        strips += app.screen._compositor.render_strips()
        text = "\n".join(strip.text for strip in strips)
        for bad in ("\x1b", "\x07", "\u202e", "\u2066", "\x9b"):
            assert bad not in text
        assert "[bold red]without[/]" in text  # markup is shown as text
        assert "<script>alert(1)</script>" in text
        assert "Red OSC link text" in text  # the escapes gone, the words kept
        assert "Bidi gnp.exe override and isolate" in text
        assert "javascript:alert(1)" in text  # a link is plain text...
        assert not any(seg.style and seg.style.link for strip in strips for seg in strip)

    drive(app, script, size=(120, 40))


def test_scores_show_when_the_backend_has_a_model() -> None:
    fake = backend(scores={"2507.11001": 0.91, "2507.11002": 0.5, "2507.11003": 0.123})
    app = BrowseApp(fake)

    async def script(pilot: Pilot[None]) -> None:
        lines = screen_text(app).splitlines()
        assert "Score" in lines[1]
        assert "0.91" in lines[2] and "0.12" in lines[4]
        assert "Score: 0.910" in detail(app)

    drive(app, script)


def test_two_thousand_papers_scroll() -> None:
    app = BrowseApp(backend(cached={KEY: many_papers(2000)}))

    async def script(pilot: Pilot[None]) -> None:
        await pilot.press("G")
        assert app.papers.cursor == 1999
        assert "(2000)" in screen_text(app)
        await pilot.press("slash", *"(1999)", "enter")
        assert len(app.papers.rows) >= 1

    drive(app, script)


def test_a_resize_keeps_the_cursor_in_view() -> None:
    app = BrowseApp(backend(cached={KEY: many_papers(100)}))

    async def script(pilot: Pilot[None]) -> None:
        app.papers.move_to(30)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert "(31)" in screen_text(app) and app.papers.cursor == 30

    drive(app, script, size=(120, 40))


def test_no_color_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = BrowseApp(backend())
    assert app.no_color

    async def script(pilot: Pilot[None]) -> None:
        strips = app.screen._compositor.render_strips()
        cursor_line = strips[2]
        assert any(seg.style is not None and seg.style.reverse for seg in cursor_line)
        colours = {
            seg.style.color.name
            for strip in strips
            for seg in strip
            if seg.style is not None and seg.style.color is not None
        }
        assert colours <= {"default"} or all(c.startswith("#") or c == "default" for c in colours)

    drive(app, script)


# --- start-up cost ---


def test_the_backend_protocol_does_not_load_textual() -> None:
    """A backend imports the protocol; no other command may pay for Textual."""
    code = (
        "import sys, papercli.ui.browse, papercli.ui.browse.backend;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "[]"


# --- the / filter's fast path ---

FILTER_QUERIES = [
    "batch",
    "mini-batch",
    "minibatch",
    "mini batch",
    '"mini batch"',
    "title:diffusion",
    "abs:red",
    "au:turing",
    "org:example",
    "kw:llm",
    "batch -diffusion",
    "NOT batch",
    "diffusion OR tears",
    "(mini OR tears) batch",
    "title:(secretly free)",
    "id:2507.11001",
    "cat:cs",
    "schrodinger",
    "李明",
    "[bold",
    "<script>",
    "batch AND",
]


@pytest.mark.parametrize("text", FILTER_QUERIES)
def test_the_fast_filter_matches_what_the_query_matches(text: str) -> None:
    from papercli.errors import UsageError
    from papercli.query import Query
    from papercli.ui.browse.filtering import Searchable

    papers = recorded_day() + hostile_papers() + many_papers(30)
    try:
        query = Query.parse(text)
    except UsageError:
        return
    expected = [p.id for p in query.filter(papers)]
    assert [papers[i].id for i in Searchable(papers).matching(query)] == expected


def test_a_bad_query_on_the_command_line_is_a_usage_error_before_the_screen() -> None:
    from papercli.errors import UsageError
    from papercli.ui.browse import run

    with pytest.raises(UsageError, match="unbalanced"):
        run(backend(), query="(mini")
