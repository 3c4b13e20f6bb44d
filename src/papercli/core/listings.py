"""``papers today`` and ``papers list`` for any source: Hugging Face, arXiv, or merged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from papercli.core import hf
from papercli.core.listing import Filters, Listing
from papercli.dates import Period
from papercli.errors import UsageError

if TYPE_CHECKING:
    from papercli.core.context import Context


def source_listing(
    ctx: Context,
    period: Period | None,
    source: str | None,
    filters: Filters,
    *,
    categories: list[str] | None = None,
    replacements: bool = False,
    include_hf: bool = False,
    offline: bool = False,
    refresh: bool = False,
) -> Listing:
    """Today's listing (``period`` None) or any day, week or month, of ``--source`` or
    the configured default; ``--sort for-you`` in the reader's order."""
    found = _listing(
        ctx,
        period,
        source,
        filters,
        categories=categories,
        replacements=replacements,
        include_hf=include_hf,
        offline=offline,
        refresh=refresh,
    )
    if filters.sort != "for-you":
        return found
    from papercli.core.foryou import rank_listing  # the model's modules: only to rank

    return rank_listing(ctx, found, filters, offline=offline)


def _listing(
    ctx: Context,
    period: Period | None,
    source: str | None,
    filters: Filters,
    *,
    categories: list[str] | None,
    replacements: bool,
    include_hf: bool,
    offline: bool,
    refresh: bool,
) -> Listing:
    chosen = ctx.resolve_source(source)
    if filters.submitter and chosen == "arxiv":
        raise UsageError("--submitter needs Hugging Face listings: --source hf or all.")
    if chosen == "hf":
        if categories or replacements or include_hf:
            raise UsageError(
                "-c/--category, --replacements and --include-hf need --source arxiv or all."
            )
        return hf.listing(ctx, period, filters, offline=offline, refresh=refresh)
    if include_hf and chosen != "all":
        raise UsageError("--include-hf needs --source all.")
    options = {
        "merged_view": chosen == "all",
        "replacements": replacements,
        "include_hf": include_hf,
        "offline": offline,
        "refresh": refresh,
    }
    from papercli.core import arxiv  # only for arXiv listings

    if period is None:
        return arxiv.today_listing(ctx, categories, filters, **options)
    return arxiv.period_listing(ctx, period, categories, filters, **options)
