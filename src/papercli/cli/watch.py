"""``papers watch add|list|rm|run`` and ``papers digest``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from papercli.cli.boundary import handle_errors, run
from papercli.cli.options import (
    JsonOpt,
    MinUpvotesOpt,
    OfflineOpt,
    Sort,
    complete_category,
    complete_rule,
    day_option,
    output_params,
)
from papercli.cli.root import QueryCommand, app, watch_app
from papercli.ui.console import plural, say
from papercli.ui.output import Output

if TYPE_CHECKING:
    from papercli.core.context import Context

NOTHING_NEW = 3  # watch run and digest: a cron job can tell "nothing new" apart


@watch_app.command("add", cls=QueryCommand)
@handle_errors
def watch_add(
    name: Annotated[str, typer.Argument(help="A name: letters, digits, '-' and '_'.")],
    query: Annotated[
        list[str],
        typer.Argument(
            help='The query, as for papers today: words, "phrases", OR, fields; '
            "put exclusions after '--' (papers watch add NAME -- agent -survey).",
            show_default=False,
        ),
    ],
    source: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="hf, arxiv or all (repeatable)."),
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category",
            "-c",
            help="arXiv category or archive (repeatable).",
            autocompletion=complete_category,
        ),
    ] = None,
    min_upvotes: MinUpvotesOpt = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace a rule of that name.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Save the rule even with an arXiv category papercli "
            "does not know (one arXiv added recently).",
        ),
    ] = False,
) -> None:
    """Save a watch rule in the configuration file (comments and order are kept).
    An arXiv category papercli does not know is refused (a typo?) unless --force.

    Examples: papers watch add gnn graph neural network
    | papers watch add minibatch 'mini-batch OR "large batch"' --min-upvotes 5
    | papers watch add agents -s arxiv -c cs.LG -- agent -survey
    """
    from papercli import config
    from papercli.cli.options import query_text
    from papercli.config import WatchRule
    from papercli.core.watch import add_rule

    path = config.paths()[0]
    text = query_text(query)
    if category:
        from papercli.arxiv_taxonomy import canonical

        for n, given in enumerate(category):
            if canonical(given) != given:
                say(f"Note: {given} is read as {canonical(given)}.")
                category[n] = canonical(given)
    sources = [x for s in source or () for x in (("hf", "arxiv") if s == "all" else (s,))]
    rule = WatchRule(name, text, tuple(dict.fromkeys(sources)), tuple(category or ()), min_upvotes)
    add_rule(path, rule, replace=replace, force=force)
    say(f"Saved watch rule {name!r} in {path}")


@watch_app.command("list")
@handle_errors
def watch_list(json_: JsonOpt = False) -> None:
    """The watch rules in the configuration file. Example: papers watch list"""
    from dataclasses import asdict

    from papercli import config
    from papercli.ui.emit import print_json

    settings = config.load()
    rules = settings.watches
    if json_:
        print_json(
            [
                {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(r).items()}
                for r in rules.values()
            ]
        )
        return
    if not rules:
        say(f"No watch rules in {settings.config_path}.")
        return
    from papercli.text import clean

    # The file may be edited by hand (or written by another tool): its text is shown
    # as inert as remote text.
    for rule in rules.values():
        extras = []
        if rule.sources:
            extras.append("sources: " + ", ".join(map(clean, rule.sources)))
        if rule.categories:
            extras.append("categories: " + ", ".join(map(clean, rule.categories)))
        if rule.min_upvotes is not None:
            extras.append(f"min upvotes: {rule.min_upvotes}")
        tail = f"  ({'; '.join(extras)})" if extras else ""
        sys.stdout.write(f"{clean(rule.name)}: {clean(rule.query)}{tail}\n")


@watch_app.command("rm")
@handle_errors
def watch_rm(
    name: Annotated[str, typer.Argument(help="The rule to remove.", autocompletion=complete_rule)],
) -> None:
    """Remove a watch rule (and what it reported). Example: papers watch rm minibatch"""
    from papercli import config
    from papercli.core.watch import remove_rule
    from papercli.storage.state import State

    settings = config.load()
    remove_rule(settings.config_path, name)
    State(settings.state_dir, say).forget_rule(name)
    say(f"Removed watch rule {name!r}.")


@watch_app.command("run")
@handle_errors
@output_params
def watch_run(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="Rules to run (default: all).", show_default=False, autocompletion=complete_rule
        ),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Show papers reported before too.")] = False,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Consider papers listed from this day (default: 7 days ago)."),
    ] = None,
    offline: OfflineOpt = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Do not remember the papers as reported.")
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No notes on stderr, only warnings and errors (for cron)."
        ),
    ] = False,
    sort: Annotated[
        Sort, typer.Option("--sort", help="Order of each rule's papers (default: date).")
    ] = "date",
    *,
    out: Output,
) -> None:
    """Fetch what the rules need, print the papers each matches that were not reported
    before, and remember them. Exit status: 0 new papers, 3 nothing new, 1 error, 2 usage.
    With -o FILE the file is always written (a valid document, empty when nothing
    matched), and the papers count as reported only once it is; on stdout, only once
    all was written (a closed pipe, as in 'watch run | head', marks nothing: exit 1).

    Examples: papers watch run | papers watch run minibatch --all | papers watch run --json
    | papers watch run diffusion --all -q --format atom -o ~/public/diffusion.atom --force
    """
    from papercli.core.watch import mark_reported, new_matches, select_rules
    from papercli.ui import emit

    first = day_option(since, "--since")

    def go(ctx: Context) -> bool:
        rules = select_rules(ctx, names)
        results = new_matches(
            ctx, rules, since=first, include_seen=all_, fetch=not offline, sort=sort
        )
        for r in results if not quiet else ():
            count = f"{len(r.new)} new" + (f", {len(r.papers)} shown" if all_ else "")
            say(f"Watch {r.rule.name}: {count}.")
        with emit.delivered("nothing was marked as reported"):
            ranked = emit.watch_results(results, out, silent=quiet)
        if not dry_run:  # only once the papers were printed or written, whole
            mark_reported(ctx, results)
        if ranked:
            from papercli.core.listing import remember_shown

            shown = ", ".join(r.rule.name for r in results if r.papers)
            remember_shown(ctx, ranked, f"watch run: {shown}")
        return any(r.new for r in results)

    if not run(go):
        raise typer.Exit(NOTHING_NEW)


@app.command()
@handle_errors
def digest(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[NAME]...",
            help="Watch rules (default: all).",
            show_default=False,
            autocompletion=complete_rule,
        ),
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", metavar="ADDRESS", help="Recipient (default: [email] to).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the message; send nothing, mark nothing.")
    ] = False,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Consider papers listed from this day (default: 7 days ago)."),
    ] = None,
    offline: OfflineOpt = False,
) -> None:
    """Email the new matches of watch rules as one message. Exit status: 0 sent (or
    --dry-run), 3 nothing new (no email), 1 error (nothing marked as reported), 2 usage.

    Examples: papers digest --dry-run | papers digest minibatch diffusion --to me@example.org
    """
    from papercli import mail
    from papercli.core.watch import news

    first = day_option(since, "--since")
    if to is not None:
        mail.check_addresses(to, "to", from_config=False)

    def go(ctx: Context) -> bool:
        config = mail.SmtpConfig.from_settings(ctx.settings)
        groups, mark_reported = news(ctx, names or [], since=first, fetch=not offline)
        queries = {name: rule.query for name, rule in ctx.settings.watches.items()}
        result = mail.run_digest(
            groups,
            config,
            day=ctx.today,
            mark_reported=mark_reported,
            to=to,
            dry_run=dry_run,
            queries=queries,
        )
        rules = ", ".join(names or ctx.settings.watches) or "your watch rules"
        if result.message is None:
            say(f"No new papers for {rules}; no email sent.")
            return False
        if dry_run:
            from papercli.ui.emit import delivered

            with delivered("nothing was sent or marked as reported"):
                sys.stdout.write(mail.preview(result.message))
            say(
                f"Dry run: {plural(result.papers, 'new paper')}; "
                "nothing sent or marked as reported."
            )
        else:
            say(f"Sent {plural(result.papers, 'new paper')} to {result.message['To']}.")
        return True

    if not run(go):
        raise typer.Exit(NOTHING_NEW)
