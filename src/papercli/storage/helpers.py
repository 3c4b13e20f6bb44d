"""Helper processes: a long piece of CPU work shared with a second interpreter, for the
search index's reading (:mod:`papercli.storage.index_read`) and the "for you" scores
of many papers (:mod:`papercli.core.foryou`).

A helper is ``python -m MODULE ARGS...`` started from the folder that holds this
papercli (no fork: the same on Windows, macOS and Linux), in its own process group
(the terminal's Ctrl-C goes to the command only, which stops it). It reads requests
on its input (4 bytes of length, then the request) and answers each in order on its
output (8 bytes of length, then the answer); it ends when its input closes. Any
failure makes it "not alive": the command does that work itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess


def helper_cpus() -> int:
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def spare_cpus() -> int:
    """The CPUs left for helpers: one is this process's own."""
    return helper_cpus() - 1


def file_of(module_file: str) -> str:
    """A module's file as a helper and its command compare it (the same papercli)."""
    return os.path.realpath(module_file)


def can_start() -> bool:
    """Whether there is an interpreter to run helpers with (not a frozen program)."""
    return not getattr(sys, "frozen", False) and bool(sys.executable)


class Helper:
    """One helper process, asked in order and answering in the same order."""

    def __init__(self, args: list[str]) -> None:
        """Start ``python ARGS`` (OSError, ValueError: it could not be started)."""
        import subprocess

        import papercli
        from papercli.storage.files import own_process_group

        # Started from the folder that holds this papercli, which python -m then imports.
        home = Path(papercli.__file__).resolve().parent.parent
        self.proc: subprocess.Popen[bytes] = subprocess.Popen(
            [sys.executable, *args],
            cwd=home,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            **own_process_group(),
        )
        self.alive = True

    def send(self, data: bytes) -> None:
        """Ask (nothing happens once it is not alive)."""
        if not self.alive:
            return
        try:
            stdin = self.proc.stdin
            assert stdin is not None
            stdin.write(len(data).to_bytes(4, "little") + data)
            stdin.flush()
        except (OSError, ValueError):
            self.alive = False

    def receive(self, started: list[float] | None = None) -> bytes | None:
        """The answer to the oldest question asked; None when the helper failed (it is
        then not alive). ``started``: the perf_counter time the answer began is added."""
        import time

        if not self.alive:
            return None
        try:
            stdout = self.proc.stdout
            assert stdout is not None
            length = int.from_bytes(read_exactly(stdout, 8), "little")
            if started is not None:
                started.append(time.perf_counter())
            return read_exactly(stdout, length)
        except (OSError, EOFError, ValueError):
            self.alive = False
            return None

    def stop(self) -> None:
        """Close its pipes (it ends at the end of its input; one that is still writing
        an answer fails at once) and wait for it; killed after a few seconds."""
        import subprocess

        self.alive = False
        for pipe in (self.proc.stdout, self.proc.stdin):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if data is None or len(data) != size:
        raise EOFError("the helper stopped")
    return data


def serve(requests: IO[bytes], answers: IO[bytes], answer: Callable[[bytes], bytes]) -> None:
    """A helper's loop: each request answered by ``answer`` (after its length), until the
    input ends. Answers are written by a thread of their own: the next request is
    worked on while the command takes the last answer."""
    import queue
    import threading

    done: queue.Queue[bytes | None] = queue.Queue()

    def write() -> None:
        while (data := done.get()) is not None:
            answers.write(len(data).to_bytes(8, "little"))
            answers.write(data)
            answers.flush()

    writer = threading.Thread(target=write, name="answers", daemon=True)
    writer.start()
    try:
        while writer.is_alive():
            head = requests.read(4)
            if len(head) < 4:
                break
            done.put(answer(read_exactly(requests, int.from_bytes(head, "little"))))
    finally:
        done.put(None)
        writer.join()


def run_helper(
    module_file: str, answer_with: Callable[[list[str]], Callable[[bytes], bytes]]
) -> None:
    """A helper's ``main``: ``answer_with(ARGS)`` makes the function that answers each
    request. The command line is ``MODULE_FILE ARGS...``: MODULE_FILE, as the command
    saw it, must be ``module_file`` (a helper that imported another papercli than its
    command stops at once, and the command does the work itself)."""
    import contextlib
    import signal

    if len(sys.argv) < 2 or file_of(module_file) != sys.argv[1]:
        sys.exit(2)
    # The command handles Ctrl-C, and stops its helpers by closing their input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers goes to the output
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):  # it stopped listening
        serve(requests, answers, answer_with(sys.argv[2:]))


if TYPE_CHECKING:
    from collections.abc import Callable
