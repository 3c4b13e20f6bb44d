"""``papers sync``, ``papers cache info|path|clear`` and ``papers config path|init|show``."""

from __future__ import annotations

import datetime as dt
import os
import sys
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from papercli.cli.boundary import handle_errors, run
from papercli.cli.options import CategoryOpt, SinceOpt, Source, UntilOpt, day_option
from papercli.cli.root import app, cache_app, config_app
from papercli.errors import PapersError, UsageError
from papercli.ui.console import plural, say

if TYPE_CHECKING:
    from papercli.core.context import Context


@app.command()
@handle_errors
def sync(
    since: SinceOpt = None,
    until: UntilOpt = None,
    source: Annotated[
        Source | None,
        typer.Option(
            "--source",
            "-s",
            help="hf, arxiv, or all (both). Default: [display] default_source.",
            show_default=False,
        ),
    ] = None,
    category: CategoryOpt = None,
) -> None:
    """Fetch and cache every listing of a range of days (default: the last 30), so that
    search, trends and watch rules work offline. Rerunning fetches only what is missing.
    arXiv: the past days' submissions (export API) for [sources.arxiv] categories and
    the watch rules' categories, up to a month of days per query, one request at a time,
    cached day by day, plus the latest announcement.

    With -c (repeatable), arXiv is synced for those categories only.

    Examples: papers sync --since 2025-01-01 | papers sync --since 2025-07-01 --until 2025-07-31
    | papers sync --source arxiv --since 2026-05-01 | papers sync -s arxiv -c cs.CL -c cs.LG
    """
    from papercli.core.sync import sync as run_sync
    from papercli.ui.console import progress

    today = dt.date.today()
    first = day_option(since, "--since") or today - dt.timedelta(days=30)
    last = day_option(until, "--until") or today

    def go(ctx: Context) -> None:
        chosen = source if source is not None else ctx.settings.default_source
        sources = ["hf", "arxiv"] if chosen == "all" else [chosen]
        if category and "arxiv" not in sources:
            raise UsageError("-c/--category needs --source arxiv or all.")
        categories = ctx.arxiv_categories(category) if category else None
        with progress() as update:
            report = run_sync(ctx, sources, first, last, update, categories)
        failed = report.failed_listings - report.not_tried
        say(
            f"Synced {first} to {last}: {plural(len(report.fetched), 'listing')} fetched, "
            f"{len(report.cached)} already cached"
            + (f", {failed} failed" if failed > 0 else "")
            + (f", {report.not_tried} not tried" if report.not_tried else "")
            + "."
        )
        if report.failed:
            names = ", ".join(what for what, _ in report.failed[:3])
            more = f" and {len(report.failed) - 3} more" if len(report.failed) > 3 else ""
            if report.unsaved == report.failed_listings:
                how = "could not be saved in the cache"
            elif report.unsaved:
                how = "could not be fetched or saved"
            else:
                how = "could not be fetched"
            raise PapersError(
                f"{plural(report.failed_listings, 'listing')} {how} ({names}{more}); "
                "run papers sync again."
            )

    run(go)


@cache_app.command("info")
@handle_errors
def cache_info() -> None:
    """How many files the cache holds, and how large it is. Example: papers cache info"""
    from papercli import config
    from papercli.storage.cache import Cache

    settings = config.load()
    stats = Cache(settings.cache_dir, say).stats()
    out = sys.stdout
    out.write(f"Cache folder: {settings.cache_dir}\n")
    out.write(f"Files: {stats['files']} ({stats['bytes'] / 1e6:.1f} MB)\n")
    for name, count in sorted(stats["by_source"].items()):
        out.write(f"  {name}: {count}\n")
    if stats["set_aside"]:
        out.write(f"Set-aside (unreadable) files: {stats['set_aside']}\n")


@cache_app.command("path")
@handle_errors
def cache_path() -> None:
    """Print the cache folder. Example: ls "$(papers cache path)" """
    from papercli import config

    sys.stdout.write(f"{config.paths()[1]}\n")


@cache_app.command("clear")
@handle_errors
def cache_clear(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete every cached listing. Example: papers cache clear --yes"""
    from papercli import config
    from papercli.storage.cache import Cache

    settings = config.load()
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("Refusing to clear the cache without --yes (no terminal to ask).")
        typer.confirm(f"Delete every file in {settings.cache_dir}?", abort=True)
    removed = Cache(settings.cache_dir, say).clear()
    say(f"Removed {plural(removed, 'cache file')}.")


@config_app.command("path")
@handle_errors
def config_path() -> None:
    """Print where the configuration file is (or would be). Example: papers config path"""
    from papercli import config

    sys.stdout.write(f"{config.paths()[0]}\n")


@config_app.command("init")
@handle_errors
def config_init(
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Rewrite an existing file with every key and comment, keeping the values "
            "you set and your watch rules (the old file is saved as config.toml.bak).",
        ),
    ] = False,
) -> None:
    """Write a commented configuration file with every default. Example: papers config init"""
    from papercli import config
    from papercli.storage.files import atomic_write_text
    from papercli.storage.rules import rewrite_with_defaults

    path = config.paths()[0]
    if path.is_dir():
        raise PapersError(f"{path} is a folder, not a configuration file.")
    if path.exists() and not force:
        raise PapersError(
            f"{path} already exists; use --force to rewrite it with every key "
            "(your values and watch rules are kept)."
        )
    if not path.exists():
        try:
            atomic_write_text(path, config.default_config_text())
        except OSError as exc:
            raise PapersError(f"{path}: cannot be written: {exc.strerror or exc}.") from None
        say(f"Wrote {path}")
        return
    done = rewrite_with_defaults(path)
    if done.unreadable:
        say(f"Warning: nothing could be kept of the previous file: {done.unreadable}")
    kept = [plural(done.settings, "value")]
    if done.rules:
        kept.append(plural(len(done.rules), "watch rule") + f" ({', '.join(done.rules)})")
    else:
        kept.append("no watch rules")
    say(f"Wrote {path}, keeping {' and '.join(kept)}; the previous file is {done.backup}.")


@config_app.command("show")
@handle_errors
def config_show() -> None:
    """Print the configuration in effect (file, defaults, env). Example: papers config show"""
    import tomli_w

    from papercli import config

    settings = config.load()
    path = settings.config_path
    where = "" if path.exists() else " (no such file: defaults and environment only)"
    sys.stdout.write(f"# {path}{where}\n")
    for (section, key), env in config.ENV_URLS.items():
        if os.environ.get(env):
            sys.stdout.write(f"# {env} is set: it gives [{section}] {key}\n")
    from papercli.text import redact_urls

    # Base URLs may carry a user name and password: shown as ***.
    sys.stdout.write(redact_urls(tomli_w.dumps(settings.to_toml_tables())))


Shell = Literal["bash", "zsh", "fish"]


@app.command()
@handle_errors
def completion(
    shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish.", show_default=False)],
) -> None:
    """Print the shell completion script: commands, options, watch-rule names and
    arXiv categories complete with TAB.

    bash: papers completion bash > ~/.local/share/bash-completion/completions/papers
    zsh:  papers completion zsh > ~/.zfunc/_papers  (with fpath+=~/.zfunc; compinit)
    fish: papers completion fish > ~/.config/fish/completions/papers.fish
    Or for this shell only: eval "$(papers completion bash)"
    """
    from typer._completion_shared import get_completion_script

    from papercli.cli.root import COMPLETE_VAR

    script = get_completion_script(prog_name="papers", complete_var=COMPLETE_VAR, shell=shell)
    sys.stdout.write(script + "\n")


Topic = Literal["queries", "formats", "config"]


@app.command("help")
@handle_errors
def help_(
    topic: Annotated[
        Topic | None,
        typer.Argument(help="queries, formats or config.", show_default=False),
    ] = None,
) -> None:
    """Built-in help topics: the query language, output formats, the configuration.

    Examples: papers help queries | papers help formats | papers help config
    """
    from papercli import config
    from papercli.ui import help_topics

    if topic is None:
        sys.stdout.write(help_topics.index_text())
        return
    sys.stdout.write(help_topics.topic_text(topic, str(config.paths()[0])))
