"""Which function builds each report from the command's context (``reports/cli.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reports import annual, ledgers, trial_balance
from reports.common import header, require_entries
from reports.model import Report


def _trial_balance(ctx: Any) -> Report:
    require_entries(ctx.frames, ctx.period)
    return trial_balance.build(
        ctx.frames, ctx.period, ctx.lang, header(ctx.frames, ctx.lang, ctx.period)
    )


def _general_ledger(ctx: Any) -> Report:
    require_entries(ctx.frames, ctx.period)
    return ledgers.general_ledger(
        ctx.frames, ctx.period, ctx.lang, header(ctx.frames, ctx.lang, ctx.period)
    )


def _journals(ctx: Any) -> Report:
    require_entries(ctx.frames, ctx.period)
    return ledgers.journals(
        ctx.frames, ctx.period, ctx.lang, header(ctx.frames, ctx.lang, ctx.period)
    )


def _annual_accounts(ctx: Any) -> Report:
    require_entries(ctx.frames, ctx.period)
    return annual.build(ctx.frames, ctx.period, ctx.lang, header(ctx.frames, ctx.lang, ctx.period))


BUILDERS: dict[str, Callable[[Any], Report]] = {
    "trial-balance": _trial_balance,
    "general-ledger": _general_ledger,
    "journals": _journals,
    "annual-accounts": _annual_accounts,
}


def write_extras(ctx: Any, report: Report) -> list[str]:
    """Files some reports write besides the report itself (the VAT XML, the fees slips'
    identities); returns one line per file written."""
    extra = getattr(report, "extras", None)
    return list(extra(ctx)) if callable(extra) else []
