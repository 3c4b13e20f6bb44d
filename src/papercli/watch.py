"""Watch rules: saved queries that report what is new since last time.

The two functions other features build on (``papers watch run``, and an email
digest) are :func:`new_matches` (per rule, the matching papers not reported
before) and :func:`mark_reported` (remember them). They are separate so that a
caller that fails to deliver (a send that fails) leaves the papers unreported.

Rules live in the configuration file as ``[watch.NAME]`` tables;
:func:`add_rule` and :func:`remove_rule` edit that file with tomlkit, which keeps
the user's comments, order and formatting, and write it atomically.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papercli.config import WatchRule
from papercli.errors import ConfigError, UsageError
from papercli.query import Query
from papercli.state import State, base_id

if TYPE_CHECKING:
    from papercli.core import App
    from papercli.models import Paper

WATCH_SOURCES = ("hf", "arxiv")
DEFAULT_DAYS = 7
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass
class RuleResult:
    rule: WatchRule
    papers: list[Paper]  # what to show: the new ones (or all matches, with include_seen)
    new: list[Paper] = field(default_factory=list)  # not reported before


def rule_query(rule: WatchRule) -> Query:
    try:
        return Query.parse(rule.query)
    except UsageError as exc:
        raise ConfigError(f"Watch rule {rule.name!r}: {exc.message}") from None


def rule_categories(rule: WatchRule, query: Query) -> list[str]:
    """The arXiv categories a rule names: its ``categories`` and its query's ``cat:``
    terms (which match regardless of case, so ``cat:cs.lg`` is read as ``cs.LG``)."""
    from papercli.arxiv_taxonomy import canonical

    return [*rule.categories, *(canonical(t.text) for t in query.terms("cat"))]


def rule_sources(rule: WatchRule, default: str) -> list[str]:
    if rule.sources:
        return list(rule.sources)
    return ["hf", "arxiv"] if default == "all" else [default]


def rule_accepts(rule: WatchRule, paper: Paper, sources: list[str]) -> bool:
    """The rule's options other than the query: sources, categories, min_upvotes.

    ``categories`` restricts papers that have categories (arXiv listings) to those
    categories (``cs`` is a whole archive); papers without any pass. A replacement
    announcement (a new version of an older paper) is not a new paper.
    """
    if not set(paper.sources) & set(sources):
        return False
    if (paper.announce_type or "").startswith("replace"):
        return False
    if rule.min_upvotes is not None and (paper.upvotes or 0) < rule.min_upvotes:
        return False
    if rule.categories and paper.categories:
        wanted = {c.lower() for c in rule.categories}
        have = {c.lower() for c in paper.categories} | {
            c.lower().split(".")[0] for c in paper.categories
        }
        if not wanted & have:
            return False
    return True


def select_rules(app: App, names: list[str] | None) -> list[WatchRule]:
    rules = app.settings.watches
    if not names:
        if not rules:
            raise UsageError(
                f"No watch rules in {app.settings.config_path}; add one with: "
                'papers watch add NAME "QUERY"'
            )
        return list(rules.values())
    unknown = [n for n in names if n not in rules]
    if unknown:
        known = ", ".join(rules) or "none"
        raise UsageError(f"Unknown watch rule {unknown[0]!r} (known: {known}).")
    return [rules[n] for n in names]


def fetch_for_rules(app: App, rules: list[WatchRule], since: dt.date) -> None:
    """Fetch the listings the rules need (every missing listing since ``since``)."""
    from papercli.sync import sync

    sources: list[str] = []
    for rule in rules:
        for s in rule_sources(rule, app.settings.get("display", "default_source")):
            if s not in sources:
                sources.append(s)
    report = sync(app, sources, since, app.today)
    if report.failed:
        # An incomplete fetch is a failed run: nothing is shown or marked as reported, so
        # the next run (or papers watch run --offline) still has every paper to report.
        # Each failed listing was named by sync, one warning line each.
        from papercli.errors import FetchError

        total = len(report.failed) + len(report.fetched) + len(report.cached)
        what = report.failed[0][0] if len(report.failed) == 1 else f"{len(report.failed)} listings"
        raise FetchError(
            f"Could not fetch {what} (of {total} needed); nothing was marked as reported."
            if total > 1
            else f"Could not fetch {what}; nothing was marked as reported."
        )


def new_matches(
    app: App,
    rules: list[WatchRule],
    *,
    since: dt.date | None = None,
    include_seen: bool = False,
    fetch: bool = True,
) -> list[RuleResult]:
    """Per rule, the cached papers listed since ``since`` (default: the last
    :data:`DEFAULT_DAYS` days) that match it and were not reported before.

    With ``fetch``, the listings needed are fetched first. Nothing is remembered
    here: call :func:`mark_reported` once the papers were delivered.
    """
    from papercli.core import sort_papers
    from papercli.local import matching_papers

    since = since or app.today - dt.timedelta(days=DEFAULT_DAYS)
    queries = [rule_query(rule) for rule in rules]  # bad rules fail before any fetch
    for rule, query in zip(rules, queries, strict=True):
        app.note_unknown_categories(rule_categories(rule, query), f"watch rule {rule.name!r}")
    if fetch:
        fetch_for_rules(app, rules, since)
    state = State(app.settings.state_dir, app.warn)
    default = app.settings.get("display", "default_source")
    results = []
    for rule, query in zip(rules, queries, strict=True):
        sources = rule_sources(rule, default)
        found = [
            p for p in matching_papers(app.cache, query, since) if rule_accepts(rule, p, sources)
        ]
        found = sort_papers(found, "date")
        reported = state.reported(rule.name)
        new = [p for p in found if base_id(p.id) not in reported]
        results.append(RuleResult(rule, found if include_seen else new, new))
    return results


def mark_reported(app: App, results: list[RuleResult]) -> None:
    """Remember the new papers of ``results`` as reported (per rule)."""
    State(app.settings.state_dir, app.warn).mark_reported(
        {r.rule.name: [p.id for p in r.new] for r in results}, app.today
    )


# --- editing the configuration file -----------------------------------------------------


def _load_document(path: Path):  # type: ignore[no-untyped-def]
    import tomlkit

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}.") from None
    try:
        return tomlkit.parse(text)
    except Exception as exc:  # tomlkit raises its own ParseError subclasses
        raise ConfigError(f"{path}: not valid TOML: {exc}.") from None


def _save_document(path: Path, document) -> None:  # type: ignore[no-untyped-def]
    from papercli.cache import atomic_write_text
    from papercli.config import parse_config
    from papercli.output import file_mode

    text = document.as_string()
    parse_config(text, path)  # never write a file papercli itself would reject
    target = path.resolve()  # a symlinked config (dotfiles) keeps its link
    try:
        atomic_write_text(target, text, mode=file_mode(target))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be written: {exc.strerror or exc}.") from None


@contextlib.contextmanager
def _editing(path: Path) -> Iterator[None]:
    """An exclusive lock for a read-modify-write of the configuration file, so that two
    ``papers watch add`` at once both land."""
    import fcntl

    lock = path.resolve().with_name(f".{path.name}.lock")
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be locked for editing: {exc.strerror or exc}.") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def add_rule(path: Path, rule: WatchRule, *, replace: bool = False, force: bool = False) -> None:
    """Check ``rule`` (usage errors) and save it. A category papercli does not know (a typo,
    most likely) is a usage error unless ``force``: arXiv may have added it since."""
    if not _NAME.match(rule.name):
        raise UsageError(
            f"Invalid watch rule name {rule.name!r}: use letters, digits, '-' and '_'."
        )
    query = Query.parse(rule.query, strict=True)  # a usage error before anything is written
    bad = [s for s in rule.sources if s not in WATCH_SOURCES]
    if bad:
        raise UsageError(f"Unknown source {bad[0]!r}: use hf, arxiv or all.")
    if rule.categories:
        from papercli.sources.arxiv import check_categories

        check_categories(rule.categories)  # a usage error before anything is written
    if not force:
        from papercli.arxiv_taxonomy import problem, unknown

        names = unknown(rule_categories(rule, query))
        if names:
            raise UsageError(
                f"{problem(names[0])}; check the name, or pass --force to save the rule anyway."
            )
    with _editing(path):
        _add_rule(path, rule, replace)


def _add_rule(path: Path, rule: WatchRule, replace: bool) -> None:
    import tomlkit

    document = _load_document(path)
    watch = document.get("watch")
    if watch is None:
        watch = tomlkit.table(is_super_table=True)
        document.add("watch", watch)
    if rule.name in watch and not replace:
        raise UsageError(f"Watch rule {rule.name!r} exists; use --replace to change it.")
    table = tomlkit.table()
    table.add("query", rule.query)
    if rule.sources:
        table.add("sources", list(rule.sources))
    if rule.categories:
        table.add("categories", list(rule.categories))
    if rule.min_upvotes is not None:
        table.add("min_upvotes", rule.min_upvotes)
    if rule.name in watch:
        watch[rule.name] = table
    else:
        watch.add(rule.name, table)
    _save_document(path, document)


def remove_rule(path: Path, name: str) -> None:
    with _editing(path):
        _remove_rule(path, name)


def _remove_rule(path: Path, name: str) -> None:
    document = _load_document(path)
    watch = document.get("watch")
    if watch is None or name not in watch:
        raise UsageError(f"No watch rule named {name!r}.")
    del watch[name]
    if not watch:
        del document["watch"]
    _save_document(path, document)


# --- exports ------------------------------------------------------------------------------


def results_json(results: list[RuleResult]) -> list[dict[str, object]]:
    """``papers watch run --json``: one object per rule (a paper may be in several)."""
    return [
        {
            "rule": r.rule.name,
            "query": r.rule.query,
            "new": [p.id for p in r.new],
            "papers": [p.to_json() for p in r.papers],
        }
        for r in results
    ]


def export_text(results: list[RuleResult], fmt: str, *, abstracts: bool = False) -> str:
    """The rules' papers as one document of ``fmt`` (an export format, not ``table``).

    ``json`` is :func:`results_json` and ``jsonl`` its objects one per line; the
    other formats hold every paper once (``export.render_groups``): Markdown with a
    section per rule when there are several, Atom with a category per matching rule.
    The feed id depends on the rule names (and, for one rule, its query) only.
    """
    import json

    from papercli import export
    from papercli.text import json_terminal_safe

    if fmt == "json":
        text = json.dumps(results_json(results), ensure_ascii=False, indent=2)
        return json_terminal_safe(text) + "\n"
    if fmt == "jsonl":
        return "".join(
            json_terminal_safe(json.dumps(item, ensure_ascii=False)) + "\n"
            for item in results_json(results)
        )
    names = [r.rule.name for r in results]
    heading = ("Watch rule " if len(names) == 1 else "Watch rules ") + ", ".join(names)
    query = results[0].rule.query if len(results) == 1 else ""
    meta = export.Meta(heading=heading, source="watch", query=query)
    groups = [export.Group(r.rule.name, r.rule.query, tuple(r.papers)) for r in results]
    return export.render_groups(fmt, groups, meta, abstracts=abstracts)
