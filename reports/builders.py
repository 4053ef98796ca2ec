"""Which function builds each report from the command's context (``reports/cli.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.errors import InputError
from reports import annual, fees, grant, ledgers, participant_year, treasurer, trial_balance, vat
from reports.common import header, require_entries
from reports.model import Report
from reports.sources import document_vat, key_at_hand, roster_identities


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


def _vat(ctx: Any) -> Report:
    require_entries(ctx.frames, ctx.period)
    docs = document_vat(ctx.books, ctx.frames.entries)
    head = header(ctx.frames, ctx.lang, ctx.period)
    report = vat.build(ctx.frames, docs, ctx.period, ctx.lang, head, ctx.today)
    if not ctx.args.xml:
        report.attachments = {}
    return report


def _grant(ctx: Any) -> Report:
    head = header(ctx.frames, ctx.lang, ctx.period, marked=False)
    return grant.build(ctx.frames, list(ctx.args.grants), ctx.period, ctx.lang, head)


def _treasurer(ctx: Any) -> Report:
    if ctx.frames.first_date is None or ctx.frames.first_date > ctx.period.end:
        require_entries(ctx.frames, ctx.period)
    head = header(ctx.frames, ctx.lang, ctx.period, marked=False)
    return treasurer.build(ctx.frames, ctx.period, ctx.lang, head, ctx.today, ctx.errors)


def _participant(ctx: Any) -> Report:
    head = header(ctx.frames, ctx.lang, ctx.period, marked=False)
    return participant_year.build(ctx.frames, ctx.args.code, ctx.period, ctx.lang, head)


def _fees_slips(ctx: Any) -> Report:
    year = ctx.period.year
    if year is None:
        raise InputError("fees-slips: give a calendar year (fees-slips YEAR)")
    require_entries(ctx.frames, ctx.period)
    identities = None
    if ctx.args.identities:
        fees.require_identities(ctx.frames, key_at_hand(ctx.books.config))
        identities = roster_identities(ctx.books)
    head = header(ctx.frames, ctx.lang, ctx.period)
    return fees.build(ctx.frames, year, ctx.lang, head, identities)


BUILDERS: dict[str, Callable[[Any], Report]] = {
    "trial-balance": _trial_balance,
    "general-ledger": _general_ledger,
    "journals": _journals,
    "annual-accounts": _annual_accounts,
    "vat": _vat,
    "grant": _grant,
    "treasurer": _treasurer,
    "participant": _participant,
    "fees-slips": _fees_slips,
}
