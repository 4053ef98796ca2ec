"""The trial balance of a period, by PCMN code, as the hub's accountant reads it.

Each account of the chart carries its PCMN code in the ``pcmn`` metadata of its ``open``
entry. Balance-sheet accounts (classes 1 to 5) are shown with their balance at the end of
the period (everything before it included: balances carry from one year to the next);
income and charges (classes 6 and 7) with what the period moved. The result of earlier
periods, which Beancount does not move by an entry, is shown on the hub's ``retained_result``
account (14), so debits and credits balance.

:func:`account_balances` computes it from the frames (:mod:`reports.frame`) with the
opening balance, the period's debits and credits and the closing balance of every account;
:func:`trial_balance` and :func:`render` give the short text form of ``coopledger
year trial-balance``; :func:`build` the report of ``coopledger report trial-balance``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from beancount.core import data

from ledger.config import HubConfig
from ledger.i18n import _, shown
from reports.frame import BALANCE_SHEET_ROOTS, ZERO, Frames, dsum, fold
from reports.i18n import t
from reports.model import Column, Header, Part, Report, Table, row
from reports.period import Period

BALANCE_COLUMNS = ("account", "pcmn", "label", "opening", "debit", "credit", "closing")


@dataclass(frozen=True)
class Row:
    """One line of the trial balance (``balance`` signed as Beancount: debit positive)."""

    pcmn: str
    account: str
    balance: Decimal

    @property
    def debit(self) -> Decimal:
        return self.balance if self.balance > 0 else ZERO

    @property
    def credit(self) -> Decimal:
        return -self.balance if self.balance < 0 else ZERO

    def as_json(self) -> dict[str, str]:
        return {
            "pcmn": self.pcmn,
            "account": self.account,
            "debit": str(self.debit),
            "credit": str(self.credit),
        }


def account_balances(frames: Frames, period: Period) -> pd.DataFrame:
    """Per account: opening balance, debits and credits of the period, closing balance.

    Income and charges open at zero; what they moved before the period is the retained
    result (14). Sorted by PCMN code then account; accounts that neither had a balance nor
    moved are left out."""
    retained = frames.config.account("retained_result")
    opening: dict[str, Decimal] = defaultdict(lambda: ZERO)
    debit: dict[str, Decimal] = defaultdict(lambda: ZERO)
    credit: dict[str, Decimal] = defaultdict(lambda: ZERO)
    view = frames.view  # the balances are the books' one fold's
    for account in view.accounts_moved():
        root = account.split(":", 1)[0]
        for day, amount in view.account_moves(account):
            if day < period.start:
                opening[account if root in BALANCE_SHEET_ROOTS else retained] += amount
            elif day <= period.end:
                if amount >= 0:
                    debit[account] += amount
                else:
                    credit[account] -= amount
    info = {a.account: (a.pcmn, a.label) for a in frames.accounts.itertuples(index=False)}
    rows = []
    for account in sorted(set(opening) | set(debit) | set(credit)):
        o, d, c = opening[account], debit[account], credit[account]
        if o == 0 and d == 0 and c == 0:
            continue
        pcmn, label = info.get(account, ("", account.rsplit(":", 1)[-1]))
        rows.append((account, str(pcmn), str(label), o, d, c, o + d - c))
    out = pd.DataFrame.from_records(rows, columns=list(BALANCE_COLUMNS))
    for column in ("opening", "debit", "credit", "closing"):
        out[column] = out[column].astype(object)
    return out.sort_values(["pcmn", "account"], kind="stable").reset_index(drop=True)


def trial_balance(
    entries: Iterable[data.Directive], config: HubConfig, start: dt.date, end: dt.date
) -> list[Row]:
    """Every account with a balance, sorted by PCMN code then account name."""
    frames = fold(list(entries), config)
    table = account_balances(frames, Period(start, end))
    return [
        Row(r.pcmn, r.account, r.closing) for r in table.itertuples(index=False) if r.closing != 0
    ]


def by_code(rows: Iterable[Row]) -> list[Row]:
    """The trial balance summed per PCMN code (one line per code)."""
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        sums[r.pcmn] += r.balance
    return [Row(code, "", amount) for code, amount in sorted(sums.items()) if amount != 0]


def render(rows: list[Row], lang: str = "en") -> str:
    """The trial balance as text: code, account, debit, credit, and the totals (the words
    in ``lang``)."""
    account, debit, credit = (shown(w, lang) for w in (_("account"), _("debit"), _("credit")))
    lines = [f"{'PCMN':<6} {account:<48} {debit:>12} {credit:>12}"]
    for r in rows:
        debit = f"{r.debit:.2f}" if r.debit else ""
        credit = f"{r.credit:.2f}" if r.credit else ""
        lines.append(f"{r.pcmn:<6} {r.account:<48} {debit:>12} {credit:>12}".rstrip())
    total_debit = sum((r.debit for r in rows), ZERO)
    total_credit = sum((r.credit for r in rows), ZERO)
    total = shown(_("total"), lang)
    lines.append(f"{'':<6} {total:<48} {total_debit:>12.2f} {total_credit:>12.2f}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the report


def _columns(lang: str, with_account: bool) -> list[Column]:
    cols = [
        Column("pcmn", t(lang, "col.pcmn"), width=0.5),
        Column("label", t(lang, "col.label"), width=1.8),
    ]
    if with_account:
        cols.append(Column("account", t(lang, "col.account"), width=2.6))
    return [
        *cols,
        Column("opening", t(lang, "col.opening"), "money"),
        Column("debit", t(lang, "col.debit"), "money"),
        Column("credit", t(lang, "col.credit"), "money"),
        Column("closing_debit", t(lang, "col.closing_debit"), "money"),
        Column("closing_credit", t(lang, "col.closing_credit"), "money"),
    ]


def _rows(table: pd.DataFrame, key_columns: list[str]) -> list[dict[str, object]]:
    out = []
    for r in table.itertuples(index=False):
        values = {k: getattr(r, k) for k in key_columns}
        values.update(
            opening=r.opening,
            debit=r.debit,
            credit=r.credit,
            closing_debit=r.closing if r.closing > 0 else ZERO,
            closing_credit=-r.closing if r.closing < 0 else ZERO,
        )
        out.append(row(**values))
    return out


def _total(table: pd.DataFrame, lang: str) -> dict[str, object]:
    closing = list(table["closing"]) if len(table) else []
    return row(
        "total",
        label=t(lang, "total"),
        opening=dsum(table["opening"]) if len(table) else ZERO,
        debit=dsum(table["debit"]) if len(table) else ZERO,
        credit=dsum(table["credit"]) if len(table) else ZERO,
        closing_debit=dsum(v for v in closing if v > 0),
        closing_credit=dsum(-v for v in closing if v < 0),
    )


def by_code_table(table: pd.DataFrame) -> pd.DataFrame:
    """The balances summed per PCMN code."""
    if not len(table):
        return table
    rows = []
    for code, group in table.groupby("pcmn", sort=True):
        labels = sorted(set(group["label"]))
        rows.append(
            (
                code,
                " / ".join(labels[:3]) + (" …" if len(labels) > 3 else ""),
                dsum(group["opening"]),
                dsum(group["debit"]),
                dsum(group["credit"]),
                dsum(group["closing"]),
            )
        )
    out = pd.DataFrame.from_records(
        rows, columns=["pcmn", "label", "opening", "debit", "credit", "closing"]
    )
    return out.astype({c: object for c in ("opening", "debit", "credit", "closing")})


def figures(table: pd.DataFrame) -> list[dict[str, str]]:
    return [
        {
            "pcmn": r.pcmn,
            "account": r.account,
            "label": r.label,
            "opening": str(r.opening),
            "debit": str(r.debit),
            "credit": str(r.credit),
            "closing": str(r.closing),
        }
        for r in table.itertuples(index=False)
    ]


def build(frames: Frames, period: Period, lang: str, header: Header) -> Report:
    """``report trial-balance``: every account, then the same per PCMN code."""
    table = account_balances(frames, period)
    codes = by_code_table(table)
    accounts_part = Part("balance", t(lang, "tb.by_account")).add(
        Table(
            _columns(lang, True),
            [*_rows(table, ["pcmn", "label", "account"]), _total(table, lang)],
        )
    )
    codes_part = Part("pcmn", t(lang, "tb.by_code")).add(
        Table(
            _columns(lang, False),
            [*_rows(codes, ["pcmn", "label"]), _total(codes, lang)],
            in_csv=False,
        )
    )
    totals = _total(table, lang)
    return Report(
        kind="trial-balance",
        title=t(lang, "tb.title"),
        subtitle=period.text(),
        lang=lang,
        parts=[accounts_part, codes_part],
        figures={
            "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
            "accounts": figures(table),
            "total_debit": str(totals["debit"]),
            "total_credit": str(totals["credit"]),
        },
        stem=f"trial-balance-{period.slug}",
        head=header,
    )
