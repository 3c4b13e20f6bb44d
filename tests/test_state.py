"""The remembered state: papers seen (--new) and reported, under concurrency and kills."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from papercli.storage.state import State
from support.hub import FakeHub, ids, item
from support.locks import check_lock_files


def _mark_many(root: str, rule: str, start: int) -> None:
    state = State(Path(root))
    for n in range(start, start + 20):
        state.mark_reported({rule: [f"2507.{n:05d}"]})
        state.mark_seen([f"2507.{n:05d}v3"])


@pytest.mark.skipif(os.name != "posix", reason="fork is POSIX")
def test_state_survives_concurrent_runs(tmp_path: Path, lock_kind: str) -> None:
    ctx = multiprocessing.get_context("fork")  # the children inherit a hidden fcntl
    procs = [ctx.Process(target=_mark_many, args=(str(tmp_path), "r", k * 100)) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    state = State(tmp_path)
    expected = {f"2507.{k * 100 + n:05d}" for k in range(4) for n in range(20)}
    assert state.reported("r") == expected
    assert state.seen_ids() == expected
    check_lock_files(tmp_path, lock_kind)


def test_state_survives_an_interrupted_write(tmp_path: Path, monkeypatch, lock_kind) -> None:
    state = State(tmp_path)
    state.mark_reported({"r": ["2507.00001"]})

    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    real_replace = os.replace
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        state.mark_reported({"r": ["2507.00002"]})
    monkeypatch.setattr(os, "replace", real_replace)
    assert state.reported("r") == {"2507.00001"}
    check_lock_files(tmp_path, lock_kind)  # released on the way out
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    # A file that was damaged some other way is set aside, not trusted.
    (tmp_path / "watch.json").write_text('{"schema": 1, "rules": ')
    warnings: list[str] = []
    assert State(tmp_path, warnings.append).reported("r") == set()
    assert warnings and list(tmp_path.glob("watch.json.corrupt-*"))


def test_new_shows_only_papers_not_seen_before(run, hub: FakeHub, isolated_home: Path) -> None:
    hub.add(
        item("2507.00001", "2025-07-15", "One"),
        item("2507.00002", "2025-07-15", "Two"),
        item("2507.00003", "2025-07-16", "Three"),
    )
    assert ids(run("list", "--date", "2025-07-15", "--json", "--new")) == [
        "2507.00001",
        "2507.00002",
    ]
    assert ids(run("list", "--date", "2025-07-15", "--json", "--new")) == []
    again = run("list", "--date", "2025-07-15", "--new")
    assert again.exit_code == 0 and again.stdout == ""
    assert again.stderr == (
        "Nothing new in Hugging Face Daily Papers, 2025-07-15 (2 papers, all shown before).\n"
    )
    assert ids(run("list", "--month", "2025-07", "--json", "--new", "Two")) == []
    assert run("list", "--month", "2025-07", "--new", "Two").stderr == (
        "No new papers match (of 1 new in Hugging Face Daily Papers, 2025-07).\n"
    )
    assert ids(run("list", "--month", "2025-07", "--json", "--new")) == ["2507.00003"]
    # With [display] mark_seen = false, showing a listing does not mark it.
    (isolated_home / "config.toml").write_text("[display]\nmark_seen = false\n")
    # (A day of August: July's month listing was just cached, and days are read from it.)
    hub.add(item("2508.00004", "2025-08-04", "Four"))
    assert ids(run("list", "--date", "2025-08-04", "--json", "--new")) == ["2508.00004"]
    assert ids(run("list", "--date", "2025-08-04", "--json", "--new")) == ["2508.00004"]


def test_state_folder_that_cannot_be_written(run, hub: FakeHub, isolated_home: Path) -> None:
    hub.add(item("2507.00001", "2025-07-15", "Mini-batch methods"))
    (isolated_home / "state").write_text("not a folder")
    shown = run("list", "--date", "2025-07-15", "--json")
    assert shown.exit_code == 0 and "Could not remember the papers as seen" in shown.stderr
    assert run("watch", "add", "mb", "minibatch").exit_code == 0
    failed = run("watch", "run", "--since", "2025-07-01", "--offline")
    assert failed.exit_code == 1 and "Cannot use the state folder" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_a_reader_never_sets_aside_the_good_file_a_writer_just_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A damaged file is set aside only under the lock, once read again there: a run
    that wrote a good one meanwhile (it held the lock) keeps it."""
    import contextlib

    from papercli.storage import state as state_module

    (tmp_path / "seen.json").write_text("{damaged", encoding="utf-8")
    real_locked = state_module.locked

    @contextlib.contextmanager
    def writer_first(path: Path):  # type: ignore[no-untyped-def]
        monkeypatch.setattr(state_module, "locked", real_locked)
        State(tmp_path).mark_seen(["2507.00001"])  # the other run, done before this one waits
        with real_locked(path):
            yield

    warnings: list[str] = []
    reader = State(tmp_path, warnings.append)
    monkeypatch.setattr(state_module, "locked", writer_first)
    seen = reader.seen_ids()
    assert seen == {"2507.00001"} and warnings == []
    # The writer set the damaged file aside (once), and its good file stays.
    assert len(list(tmp_path.glob("seen.json.corrupt-*"))) == 1
    assert State(tmp_path).seen_ids() == {"2507.00001"}


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_state_file_behind_a_link_is_written_through_it(tmp_path: Path) -> None:
    """library.json a link to a synced copy: the copy changes, the link stays; a link to
    nothing is said, not read as an empty library in silence."""
    from papercli.storage.library import Library

    synced = tmp_path / "Dropbox"
    synced.mkdir()
    state = tmp_path / "state"
    state.mkdir()
    (state / "library.json").symlink_to(synced / "library.json")
    warnings: list[str] = []
    library = Library(state, warnings.append)
    assert library.items() == {} and "link to a file that does not exist" in warnings[0]
    library.rate(["2507.00001"], "like", "2025-07-15T00:00:00+00:00", {})
    assert (state / "library.json").is_symlink()
    assert "2507.00001" in (synced / "library.json").read_text(encoding="utf-8")
    assert set(Library(state).items()) == {"2507.00001"}


def test_temporary_files_of_killed_writers_are_cleared_by_the_next_write(tmp_path: Path) -> None:
    """A temporary file an hour old was left by a run killed before its rename: the next
    write of that file removes it; a fresh one (another run writing now) stays."""
    import time

    old = tmp_path / ".seen.json.abc123.tmp"
    fresh = tmp_path / ".seen.json.def456.tmp"
    for path in (old, fresh):
        path.write_text("half a file", encoding="utf-8")
    hours_ago = time.time() - 7200
    os.utime(old, (hours_ago, hours_ago))
    State(tmp_path).mark_seen(["2507.00001"])
    assert not old.exists() and fresh.exists()
    assert State(tmp_path).seen_ids() == {"2507.00001"}


def _library_with(root: Path, ids: list[str]) -> None:
    from papercli.storage.library import Library

    for paper_id in ids:
        Library(root).rate([paper_id], "like", "2025-07-15T00:00:00+00:00", {})


def test_a_damaged_library_whose_mending_cannot_be_written_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy could not be written in its place (a full disk): the damaged file stays
    where it is, the copy answers for now, and the next change keeps every rating."""
    from papercli.storage import state as state_module
    from papercli.storage.library import Library

    _library_with(tmp_path, ["2501.00001", "2501.00002"])
    (tmp_path / "library.json").write_text("{damaged", encoding="utf-8")
    real = state_module.atomic_write_text

    def full_disk(path: Path, *args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    warnings: list[str] = []
    monkeypatch.setattr(state_module, "atomic_write_text", full_disk)
    assert set(Library(tmp_path, warnings.append).items()) == {"2501.00001", "2501.00002"}
    assert "could not be written in its place" in warnings[-1]
    assert (tmp_path / "library.json").read_text(encoding="utf-8") == "{damaged"
    monkeypatch.setattr(state_module, "atomic_write_text", real)
    _library_with(tmp_path, ["2501.00003"])  # mended first, then changed
    assert set(Library(tmp_path).items()) == {"2501.00001", "2501.00002", "2501.00003"}


def test_a_missing_library_with_its_copy_is_put_back(tmp_path: Path) -> None:
    """library.json gone (a synced copy renamed away by its service), its copy still
    there: put back, said, and not overwritten by the next change."""
    from papercli.storage.library import Library

    _library_with(tmp_path, ["2501.00001", "2501.00002"])
    (tmp_path / "library.json").unlink()
    warnings: list[str] = []
    assert set(Library(tmp_path, warnings.append).items()) == {"2501.00001", "2501.00002"}
    assert "is missing" in warnings[0] and "put in its place" in warnings[0]
    _library_with(tmp_path, ["2501.00003"])
    assert len(Library(tmp_path).items()) == 3


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_damaged_library_behind_a_link_is_mended_through_it(tmp_path: Path) -> None:
    from papercli.storage.library import Library

    synced = tmp_path / "Dropbox"
    synced.mkdir()
    state = tmp_path / "state"
    state.mkdir()
    (state / "library.json").symlink_to(synced / "library.json")
    _library_with(state, ["2501.00001"])
    (synced / "library.json").write_text("{damaged", encoding="utf-8")
    assert set(Library(state).items()) == {"2501.00001"}
    assert (state / "library.json").is_symlink()  # the link stays, its file is mended
    assert "2501.00001" in (synced / "library.json").read_text(encoding="utf-8")
    assert len(list(state.glob("library.json.corrupt-*"))) == 1


def test_a_copy_that_cannot_be_written_is_not_left_behind_to_mend_from(tmp_path: Path) -> None:
    """The copy's write fails (here: a folder in its place): said, and no older copy is
    ever put back over newer ratings."""
    from papercli.storage.library import Library

    _library_with(tmp_path, ["2501.00001"])
    (tmp_path / "library.json.bak").unlink()
    (tmp_path / "library.json.bak").mkdir()
    warnings: list[str] = []
    Library(tmp_path, warnings.append).rate(["2501.00002"], "like", "2025-07-15", {})
    assert any("Could not write the copy" in w for w in warnings)


def test_the_lock_is_held_once_per_thread_whatever_the_state_object(tmp_path: Path) -> None:
    """A second State of the same folder, inside the first one's lock, does not wait on
    it (the lock is not re-entrant: it would wait for ever)."""
    outer, inner = State(tmp_path), State(tmp_path)
    with outer.locked(), inner.locked():
        inner.mark_seen(["2501.00001"])
    assert State(tmp_path).seen_ids() == {"2501.00001"}


def test_a_library_file_with_a_byte_order_mark_is_read_and_garbage_is_said_plainly(
    tmp_path: Path,
) -> None:
    """An editor's BOM is fine; bytes that are not UTF-8 are "not UTF-8 text"."""
    from papercli.storage.library import Library

    _library_with(tmp_path, ["2501.00001"])
    path = tmp_path / "library.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert set(Library(tmp_path).items()) == {"2501.00001"}
    path.write_bytes(b"\xfe\xff\x00garbage")
    warnings: list[str] = []
    assert set(Library(tmp_path, warnings.append).items()) == {"2501.00001"}  # its copy
    assert "not UTF-8 text" in warnings[0]
