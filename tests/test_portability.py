"""papercli runs wherever its users' Python runs (Linux, macOS, Windows), checked on Linux.

- The source holds no POSIX-only call outside ``storage/files.py`` (the one module
  that knows the platform): an AST walk, failing with each location.
- Every module imports, and ``papers`` runs, with the POSIX-only modules hidden.
- Windows' own ways: a closed pipe is EINVAL, redirected output is not UTF-8.
- ``pip wheel .`` builds a pure-Python wheel that installs into a fresh venv and runs.
"""

from __future__ import annotations

import ast
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "papercli"
ALLOWED = {Path("storage/files.py")}  # the one place that may know the platform

# Modules that do not exist on one of the platforms.
PLATFORM_MODULES = {
    "fcntl": "POSIX only",
    "termios": "POSIX only",
    "tty": "POSIX only",
    "pty": "POSIX only",
    "pwd": "POSIX only",
    "grp": "POSIX only",
    "resource": "POSIX only",
    "syslog": "POSIX only",
    "posix": "POSIX only",
    "crypt": "POSIX only",
    "msvcrt": "Windows only",
    "winreg": "Windows only",
    "_winapi": "Windows only",
}
# os functions that are wrong everywhere but POSIX, whether guarded or not.
OS_NEVER = {
    "rename": "fails on Windows when the target exists: use os.replace, or files.move_aside",
    "kill": "ends the process on Windows whatever the signal",
    "link": "hard links need NTFS (and no FAT/network share): keep it in storage/files.py",
    "symlink": "needs a privilege on Windows",
}
# os functions and flags that POSIX alone has: only behind a guard.
OS_POSIX = {
    "fchmod", "fchown", "chown", "lchown", "lchmod", "getuid", "geteuid", "getgid",
    "getegid", "getgroups", "setuid", "setgid", "seteuid", "setegid", "getpgid", "setsid",
    "killpg", "fork", "forkpty", "openpty", "mkfifo", "mknod", "uname", "statvfs",
    "fstatvfs", "nice", "getloadavg", "sync", "pipe2", "lockf", "sched_yield", "wait3",
    "wait4", "O_NOFOLLOW", "O_DIRECTORY", "O_CLOEXEC", "O_NONBLOCK", "O_NOCTTY",
    "O_SYNC", "O_DSYNC", "O_NOATIME", "getpid_fd", "posix_fadvise", "posix_fallocate",
}  # fmt: skip
# Signals (and functions) every platform has; any other needs a guard.
SIGNALS_EVERYWHERE = {
    "SIGINT", "SIGTERM", "SIGABRT", "SIGFPE", "SIGILL", "SIGSEGV", "SIG_DFL", "SIG_IGN",
    "signal", "getsignal", "default_int_handler", "raise_signal", "Signals", "Handlers",
    "strsignal", "valid_signals", "set_wakeup_fd", "NSIG",
}  # fmt: skip
POSIX_PATH = re.compile(r"^/(dev|proc|sys|tmp|etc|var|usr|run|home)(/|$)")
# Calls whose first argument is a file path.
PATH_CALLS = {
    "Path", "PurePath", "open", "os.open", "os.stat", "os.lstat", "os.remove", "os.unlink",
    "os.replace", "os.mkdir", "os.makedirs", "os.listdir", "os.scandir", "os.path.join",
    "os.path.exists", "os.path.isfile", "os.path.isdir", "sqlite3.connect", "shutil.copy",
    "shutil.copyfile", "shutil.move", "shutil.rmtree", "io.open",
}  # fmt: skip


def dotted(node: ast.AST) -> str:
    """``a.b.c`` for a Name/Attribute chain, else ""."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return ""


def is_guard(test: ast.AST) -> bool:
    """A condition that asks about the platform: hasattr(...), sys.platform, os.name,
    a _WINDOWS-style flag, or a boolean combination with one."""
    for node in ast.walk(test):
        if isinstance(node, ast.Call) and dotted(node.func) in ("hasattr", "getattr"):
            return True
        if dotted(node) in ("sys.platform", "os.name", "platform.system"):
            return True
        if isinstance(node, ast.Name) and re.fullmatch(r"_?(WINDOWS|POSIX|IS_WINDOWS)", node.id):
            return True
    return False


def catches(handler: ast.ExceptHandler, names: set[str]) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(dotted(t) in names for t in types)


class Walker(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self.guards = 0

    def report(self, node: ast.AST, message: str) -> None:
        self.found.append((getattr(node, "lineno", 0), message))

    # Guards: an if/else or conditional expression on the platform, `hasattr(...) and X`,
    # or a try whose handlers catch AttributeError / ImportError.
    def visit_If(self, node: ast.If | ast.IfExp) -> None:
        guarded = is_guard(node.test)
        self.visit(node.test)
        self.guards += guarded
        for child in [*(node.body if isinstance(node.body, list) else [node.body])]:
            self.visit(child)
        for child in node.orelse if isinstance(node.orelse, list) else [node.orelse]:
            self.visit(child)
        self.guards -= guarded

    visit_IfExp = visit_If  # type: ignore[assignment]

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        guarded = 0
        for value in node.values:
            self.guards += guarded
            self.visit(value)
            self.guards -= guarded
            guarded = guarded or int(is_guard(value))

    def visit_Try(self, node: ast.Try) -> None:
        guarded = any(
            catches(h, {"AttributeError", "ImportError", "ModuleNotFoundError"})
            for h in node.handlers
        )
        self.guards += guarded
        for child in node.body:
            self.visit(child)
        self.guards -= guarded
        for child in [*node.handlers, *node.orelse, *node.finalbody]:
            self.visit(child)

    visit_TryStar = visit_Try  # type: ignore[assignment]

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            if top in PLATFORM_MODULES:
                self.report(node, f"import {alias.name}: {PLATFORM_MODULES[top]}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        top = (node.module or "").split(".")[0]
        if node.level == 0 and top in PLATFORM_MODULES:
            self.report(node, f"from {node.module} import: {PLATFORM_MODULES[top]}")
        if node.module == "os":
            for alias in node.names:
                if alias.name in OS_NEVER or alias.name in OS_POSIX:
                    self.report(node, f"from os import {alias.name}: POSIX only")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        name = dotted(node)
        if name.startswith("os.") and name.count(".") == 1:
            attr = node.attr
            if attr in OS_NEVER:
                self.report(node, f"{name}: {OS_NEVER[attr]}")
            elif attr in OS_POSIX and not self.guards:
                self.report(node, f"{name} without a platform guard: POSIX only")
            elif attr in ("sep", "altsep") and not self.guards:
                self.report(node, f"{name}: use pathlib (parts, as_posix) for separators")
        elif name in ("os.path.sep", "os.path.altsep") and not self.guards:
            self.report(node, f"{name}: use pathlib (parts, as_posix) for separators")
        elif (
            name.startswith("signal.")
            and name.count(".") == 1
            and node.attr not in SIGNALS_EVERYWHERE
            and not self.guards
        ):
            self.report(node, f"{name} without a platform guard: not on every platform")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and POSIX_PATH.match(node.value):
            self.report(node, f"{node.value!r}: a POSIX path (use os.devnull, tempfile, ...)")

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant):  # a docstring may say anything
            return
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        for value in node.values:
            if isinstance(value, ast.FormattedValue) and relative_to(value.value):
                self.report(node, "f'{...relative_to(...)}': use .as_posix() for a stored name")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = dotted(node.func)
        if func in PATH_CALLS and node.args and slash_joined(node.args[0]):
            self.report(node, f"{func}() of a '/'-joined string: join with pathlib instead")
        if func == "str" and node.args and relative_to(node.args[0]):
            self.report(node, "str(...relative_to(...)): use .as_posix() for a stored name")
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in ("split", "rsplit")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value in ("/", "\\")
            and isinstance(node.func.value, ast.Call)
            and dotted(node.func.value.func) in ("str", "os.fspath")
        ):
            self.report(node, "str(path).split(separator): use Path.parts")
        self.generic_visit(node)


def relative_to(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "relative_to"
    )


def slash_joined(node: ast.AST) -> bool:
    """An f-string or a concatenation that puts a "/" between parts."""
    if isinstance(node, ast.JoinedStr):
        texts = [v.value for v in node.values if isinstance(v, ast.Constant)]
        return len(node.values) > 1 and any("/" in str(t) for t in texts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return any(
            isinstance(n, ast.Constant) and isinstance(n.value, str) and "/" in n.value
            for n in ast.walk(node)
        )
    return False


def findings(source: str) -> list[tuple[int, str]]:
    walker = Walker()
    walker.visit(ast.parse(source))
    return walker.found


def source_files() -> Iterator[Path]:
    for path in sorted(SRC.rglob("*.py")):
        if path.relative_to(SRC) not in ALLOWED:
            yield path


def test_no_posix_only_calls_outside_storage_files() -> None:
    problems = [
        f"src/papercli/{path.relative_to(SRC).as_posix()}:{line}: {message}"
        for path in source_files()
        for line, message in findings(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "POSIX-only code outside storage/files.py:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "code",
    [
        "import fcntl",
        "import msvcrt",
        "from fcntl import flock",
        "try:\n    import fcntl\nexcept ImportError:\n    pass",  # still: files.py's job
        "os.rename(a, b)",
        "os.kill(pid, 0)",
        "os.fchmod(fd, 0o600)",
        "from os import getuid",
        "uid = os.getuid()",
        "signal.signal(signal.SIGPIPE, signal.SIG_DFL)",
        "p.send_signal(signal.SIGKILL)",
        "open('/dev/null', 'w')",
        "Path(f'{root}/cache/{name}.json')",
        "open(root + '/config.toml')",
        "key = str(path.relative_to(root))",
        "key = f'{path.relative_to(root)}'",
        "parts = str(path).split('/')",
        "if name.endswith(os.sep):\n    pass",
    ],
)
def test_the_walker_finds(code: str) -> None:
    assert findings(code), code


@pytest.mark.parametrize(
    "code",
    [
        "os.replace(a, b)",
        "if hasattr(signal, 'SIGPIPE'):\n    signal.signal(signal.SIGPIPE, signal.SIG_DFL)",
        "if sys.platform != 'win32':\n    uid = os.getuid()",
        "if os.name == 'posix':\n    os.fchmod(fd, 0o600)\nelse:\n    os.chmod(p, 0o600)",
        "x = hasattr(os, 'fchmod') and os.fchmod(fd, 0o600)",
        "try:\n    sig = signal.SIGHUP\nexcept AttributeError:\n    sig = None",
        "signal.signal(signal.SIGINT, handler)",
        "key = path.relative_to(root).as_posix()",
        "url = f'{base}/api/daily_papers'",
        "r = httpx.get(base + '/api/papers')",
        "def f():\n    '''Writes to /dev/null, like a shell.'''",
        "devnull = os.open(os.devnull, os.O_WRONLY)",
        "cache_key = f'{cat}/{day}'",
    ],
)
def test_the_walker_lets_pass(code: str) -> None:
    assert not findings(code), code


# --- no POSIX-only module on any command path -------------------------------------------------

HIDDEN = ["fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "syslog"]
IMPORT_ALL = """
import sys
for name in {hidden!r}:
    sys.modules[name] = None
import importlib, pkgutil, papercli
names = [m.name for m in pkgutil.walk_packages(papercli.__path__, "papercli.")]
for name in names:
    if name != "papercli.__main__":
        importlib.import_module(name)
from papercli.storage.files import lock_kind
print(len(names), lock_kind())
"""


def test_every_module_imports_without_posix_only_modules() -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL.format(hidden=HIDDEN)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    count, kind = result.stdout.split()
    assert int(count) > 40 and kind == "portable"


def test_commands_run_without_posix_only_modules(tmp_path: Path) -> None:
    """Listing from the cache marks papers seen and `watch add` edits the config: both take
    the lock, here the portable one."""
    hide = "".join(f"sys.modules[{m!r}] = None; " for m in HIDDEN)
    code = f"import sys, runpy; {hide}runpy.run_module('papercli', run_name='__main__')"
    env = {**os.environ, "PAPERS_HOME": str(tmp_path)}
    from papercli.models import Paper
    from papercli.storage.cache import Cache

    Cache(tmp_path / "cache").save(
        "hf", "day", "2025-07-15", [Paper(id="2507.00001", title="Mini-batch methods")]
    )
    for args in (
        ["--version"],
        ["config", "path"],
        ["watch", "add", "mb", "minibatch"],
        ["list", "--date", "2025-07-15", "--offline", "--new", "--json"],
    ):
        result = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env
        )
        assert result.returncode == 0, (args, result.stderr)
    assert "2507.00001" in (tmp_path / "state" / "seen.json").read_text()
    assert not (tmp_path / "state" / ".lock").exists()  # the portable lock was used


# --- Windows' own ways, imitated ------------------------------------------------------------


def test_a_closed_pipe_ends_quietly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """POSIX: BrokenPipeError. Windows: EINVAL from a stdout that cannot be flushed."""
    import errno

    import typer

    from papercli.cli import boundary

    class ClosedPipe(io.StringIO):
        def __init__(self, fd: int) -> None:
            super().__init__()
            self.fd = fd

        def fileno(self) -> int:
            return self.fd

        def flush(self) -> None:
            raise OSError(errno.EINVAL, "Invalid argument")

    for windows, error in [
        (False, BrokenPipeError(errno.EPIPE, "Broken pipe")),
        (True, OSError(errno.EINVAL, "Invalid argument")),
    ]:
        monkeypatch.setattr(boundary, "_WINDOWS", windows)
        with open(tmp_path / "stdout", "w") as stand_in:
            monkeypatch.setattr(sys, "stdout", ClosedPipe(stand_in.fileno()))

            @boundary.handle_errors
            def command(error: OSError = error) -> None:
                raise error

            with pytest.raises(typer.Exit) as exit_:
                command()
            assert exit_.value.exit_code == 0
    # An EINVAL that is not stdout's (it still flushes) is an error as before.
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert not boundary.reader_went_away(OSError(errno.EINVAL, "Invalid argument"))
    monkeypatch.setattr(boundary, "_WINDOWS", False)
    assert not boundary.reader_went_away(OSError(errno.EINVAL, "Invalid argument"))


def test_redirected_output_is_utf8_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """cp1252 (a Windows code page) cannot hold most remote text: stdout/stderr that are
    files or pipes become UTF-8 there; a terminal and other platforms are left alone."""
    from papercli.ui import console

    monkeypatch.delenv("PYTHONIOENCODING", raising=False)
    text = "Schrödinger · α-divergence · 深度学习"

    def stream() -> io.TextIOWrapper:
        return io.TextIOWrapper(io.BytesIO(), encoding="cp1252", newline="")

    for windows, expected in [(True, "utf-8"), (False, "cp1252")]:
        monkeypatch.setattr(console, "_WINDOWS", windows)
        out, err = stream(), stream()
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        console.utf8_output()
        assert out.encoding == err.encoding == expected
        if windows:
            out.write(text)
            out.flush()
            assert out.buffer.getvalue().decode("utf-8") == text  # type: ignore[attr-defined]


# --- the platform statement, and the wheel ---

PLATFORM_CLASSIFIERS = [
    "Operating System :: OS Independent",
    "Operating System :: POSIX",
    "Operating System :: MacOS",
    "Operating System :: Microsoft :: Windows",
    "Programming Language :: Python :: 3.11",
    "Programming Language :: Python :: 3.12",
    "Programming Language :: Python :: 3.13",
    "Environment :: Console",
]


def test_the_platforms_are_stated_alike_everywhere() -> None:
    """pyproject.toml's classifiers and requires-python, docs/platforms.md and the README."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11"
    assert set(PLATFORM_CLASSIFIERS) <= set(project["classifiers"])
    doc = " ".join((ROOT / "docs" / "platforms.md").read_text(encoding="utf-8").split())
    assert "**Linux, macOS and Windows**" in doc and "**Python 3.11 or newer**" in doc
    assert "only map to the read-only flag" in doc
    assert "(docs/platforms.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


# --- the wheel -------------------------------------------------------------------------------


def test_the_wheel_is_pure_python_and_installs_into_a_fresh_venv(tmp_path: Path) -> None:
    """``pip wheel . --no-deps`` gives ``py3-none-any``; installed (offline, without its
    dependencies, which come from this environment) into a new venv, ``papers
    --version`` runs from the installed copy."""
    import sysconfig
    import venv

    dist = tmp_path / "dist"
    # Offline: the build backend comes from this environment (the test extra has it).
    from importlib.metadata import PackageNotFoundError, version

    try:
        have = tuple(int(n) for n in version("setuptools").split(".")[:1])
    except (PackageNotFoundError, ValueError):
        have = (0,)
    if have < (77,):
        pytest.skip("needs setuptools >= 77, as pyproject.toml does (pip install -e '.[test]')")
    # From a copy of what a source distribution holds: an in-tree build would leave
    # build/ behind, whose stale files a later build could pick up.
    tree = tmp_path / "tree"
    junk = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(ROOT / "src", tree / "src", ignore=junk)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, tree / name)
    built = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", str(tree), "--no-deps"),
            *("--no-build-isolation", "-w", str(dist), "-q", "--disable-pip-version-check"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("*.whl")
    assert wheel.name.endswith("-py3-none-any.whl"), wheel.name
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta = next(n for n in names if n.endswith(".dist-info/WHEEL"))
        assert "Root-Is-Purelib: true" in archive.read(meta).decode()
        metadata = archive.read(meta.replace("/WHEEL", "/METADATA")).decode()
    assert "papercli/storage/files.py" in names
    for classifier in PLATFORM_CLASSIFIERS:
        assert f"Classifier: {classifier}" in metadata
    assert not [n for n in names if n.endswith((".so", ".pyd", ".dll", ".dylib"))]

    home = tmp_path / "venv"
    try:
        venv.create(home, with_pip=False)
    except Exception as exc:  # no venv module support here (e.g. a distribution's python)
        pytest.skip(f"cannot create a virtual environment: {exc}")
    scripts = "Scripts" if os.name == "nt" else "bin"
    python = home / scripts / ("python.exe" if os.name == "nt" else "python")
    installed = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index"),
            *("--no-deps", "-q", "--disable-pip-version-check", str(wheel)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    # The dependencies come from this environment's site-packages (a .pth line adds the
    # folder without running its .pth files, so this checkout's editable install stays out).
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "deps-from-test.pth").write_text(sysconfig.get_path("purelib") + "\n")
    papers = home / scripts / ("papers.exe" if os.name == "nt" else "papers")
    env = {**os.environ, "PAPERS_HOME": str(tmp_path / "home")}
    env.pop("PYTHONPATH", None)
    ran = subprocess.run(
        [str(papers), "--version"], capture_output=True, text=True, env=env, timeout=60
    )
    assert ran.returncode == 0 and ran.stdout.startswith("papers "), ran.stderr
    where = subprocess.run(
        [str(python), "-c", "import papercli; print(papercli.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(home), where
