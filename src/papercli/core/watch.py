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

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papercli.config import WatchRule
from papercli.errors import ConfigError, UsageError
from papercli.query import Query
from papercli.storage.rules import delete_rule, write_rule
from papercli.storage.state import State, base_id

if TYPE_CHECKING:
    from papercli.core.context import Context
    from papercli.models import Paper

WATCH_SOURCES = ("hf", "arxiv")
DEFAULT_DAYS = 7
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass
class RuleResult:
    rule: WatchRule
    papers: list[Paper]  # what to show: the new ones (or all matches, with include_seen)
    new: list[Paper] = field(default_factory=list)  # not reported before
    since: dt.date | None = None  # the first day considered


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


def select_rules(ctx: Context, names: list[str] | None) -> list[WatchRule]:
    rules = ctx.settings.watches
    if not names:
        if not rules:
            raise UsageError(
                f"No watch rules in {ctx.settings.config_path}; add one with: "
                'papers watch add NAME "QUERY"'
            )
        return list(rules.values())
    unknown = [n for n in names if n not in rules]
    if unknown:
        known = ", ".join(rules) or "none"
        raise UsageError(f"Unknown watch rule {unknown[0]!r} (known: {known}).")
    return [rules[n] for n in names]


def fetch_for_rules(ctx: Context, rules: list[WatchRule], since: dt.date) -> None:
    """Fetch the listings the rules need (every missing listing since ``since``)."""
    from papercli.core.sync import sync

    sources: list[str] = []
    for rule in rules:
        for s in rule_sources(rule, ctx.settings.default_source):
            if s not in sources:
                sources.append(s)
    report = sync(ctx, sources, since, ctx.today)
    if report.failed:
        # An incomplete fetch is a failed run: nothing is shown or marked as reported, so
        # the next run (or papers watch run --offline) still has every paper to report.
        # Each failed listing was named by sync, one warning line each.
        from papercli.errors import FetchError

        total = report.failed_listings + len(report.fetched) + len(report.cached)
        what = (
            report.failed[0][0] if len(report.failed) == 1 else f"{report.failed_listings} listings"
        )
        raise FetchError(
            f"Could not fetch {what} (of {total} needed); nothing was marked as reported."
            if total > 1
            else f"Could not fetch {what}; nothing was marked as reported."
        )


def new_matches(
    ctx: Context,
    rules: list[WatchRule],
    *,
    since: dt.date | None = None,
    include_seen: bool = False,
    fetch: bool = True,
    sort: str = "date",
) -> list[RuleResult]:
    """Per rule, the cached papers listed since ``since`` (default: the last
    :data:`DEFAULT_DAYS` days) that match it and were not reported before.

    With ``fetch``, the listings needed are fetched first. Nothing is remembered
    here: call :func:`mark_reported` once the papers were delivered.
    """
    from papercli.core.listing import sort_papers
    from papercli.core.matches import matching_papers

    since = since or ctx.today - dt.timedelta(days=DEFAULT_DAYS)
    queries = [rule_query(rule) for rule in rules]  # bad rules fail before any fetch
    for rule, query in zip(rules, queries, strict=True):
        ctx.note_unknown_categories(rule_categories(rule, query), f"watch rule {rule.name!r}")
    if fetch:
        fetch_for_rules(ctx, rules, since)
    state = State(ctx.settings.state_dir, ctx.warn)
    default = ctx.settings.default_source
    results = []
    for rule, query in zip(rules, queries, strict=True):
        sources = rule_sources(rule, default)
        found = [
            p for p in matching_papers(ctx.cache, query, since) if rule_accepts(rule, p, sources)
        ]
        if sort == "for-you":
            from papercli.core.foryou import order

            found = order(ctx, found, offline=not fetch).papers
        else:
            found = sort_papers(found, sort)
        reported = state.reported(rule.name)
        new = [p for p in found if base_id(p.id) not in reported]
        results.append(RuleResult(rule, found if include_seen else new, new, since))
    return results


def news(
    ctx: Context, names: list[str], since: dt.date | None = None, *, fetch: bool = True
) -> tuple[dict[str, list[Paper]], Callable[[Iterable[str]], None]]:
    """The new matches of the watch rules ``names`` (all when empty), grouped by rule, and
    the callback that marks the groups it is given (by rule name) as reported: what
    ``papers digest`` sends, and what it remembers only once the message went out
    (``fetch``: the listings needed are fetched first, as :func:`new_matches` does).

    Each rule's papers come in the order a reader wants them: "for you" when the reader
    has a model (likes, see :mod:`papercli.core.foryou`), else by upvotes."""
    results = new_matches(ctx, select_rules(ctx, names), since=since, fetch=fetch, sort="for-you")
    groups = {r.rule.name: list(r.new) for r in results}

    def mark(sent: Iterable[str]) -> None:
        chosen = set(sent)
        mark_reported(ctx, [r for r in results if r.rule.name in chosen])

    return groups, mark


def mark_reported(ctx: Context, results: list[RuleResult]) -> None:
    """Remember the new papers of ``results`` as reported (per rule)."""
    State(ctx.settings.state_dir, ctx.warn).mark_reported(
        {r.rule.name: [p.id for p in r.new] for r in results}, ctx.today
    )


# --- editing the rules -------------------------------------------------------------------


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
    write_rule(path, rule, replace)


def remove_rule(path: Path, name: str) -> None:
    """Remove the rule ``name`` from the configuration file."""
    delete_rule(path, name)
