"""A participant's year (``coopledger report participant CODE --year Y``), for her to read.

A few plain sentences first — what her clients were invoiced and paid, what the hub kept as
its contribution, the costs of her activity, what she was paid, what the hub keeps for her
and what is still to come — in French, Dutch or English; then the same figures in a table,
month by month, and every movement of her balance. She appears by her code only: she knows
who she is, and a lost page must not tell anyone else.

The figures are the books' own: her subtree's accounts (sales, contribution, what is held
for her, what she owes the hub, her share of unpaid invoices) and the ``received-net`` of
each client payment; they must add up — opening + received − contribution − costs − payouts
= closing, on what is held for her less what she owes — or the report is refused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from beancount.core import data

from ledger.errors import InputError
from ledger.i18n import _
from reports.common import money_text
from reports.frame import ZERO, Frames, dsum
from reports.i18n import has, t
from reports.model import Column, Header, Paragraph, Part, Report, Table, row
from reports.period import Period
from reports.sources import require_participant

RECEIVED_KINDS = ("payment", "credit-reversal", "cash-sale")


def _received(frames: Frames, code: str, start: dt.date, end: dt.date) -> Decimal:
    total = ZERO
    for e in frames.entries:
        if (
            isinstance(e, data.Transaction)
            and start <= e.date <= end
            and e.meta.get("kind") in RECEIVED_KINDS
            and e.meta.get("participant") == code
            and e.meta.get("received-net") is not None
        ):
            total += Decimal(str(e.meta["received-net"]))
    return total


def figures_between(frames: Frames, code: str, start: dt.date, end: dt.date) -> dict[str, Decimal]:
    """What moved for ``code`` from ``start`` to ``end``, and where she stood before and after."""
    mine = frames.postings[frames.postings["participant"] == code]
    before = mine[mine["date"] < start]
    during = mine[(mine["date"] >= start) & (mine["date"] <= end)]
    until = mine[mine["date"] <= end]

    def role(frame: Any, name: str) -> Decimal:
        return dsum(frame[frame["role"] == name]["amount"])

    held_rows = during[during["role"] == "participant_held"]
    # A payout cancelled before its export takes back what its order paid out.
    payouts = dsum(held_rows[held_rows["kind"].isin(("payout", "payout-cancel"))]["amount"])
    returned = -dsum(held_rows[held_rows["kind"] == "settlement"]["amount"])
    charged = during[
        (during["kind"] == "expense")
        & during["role"].isin(("participant_held", "participant_owed"))
    ]
    return {
        "held_opening": -role(before, "participant_held"),
        "owed_opening": role(before, "participant_owed"),
        "invoiced": -role(during, "participant_sales"),
        "received": _received(frames, code, start, end),
        "contribution": -role(during, "participant_contribution"),
        "costs": dsum(charged["amount"]),
        "costs_all": role(during, "participant_costs"),
        "payouts": payouts - returned,
        "held_closing": -role(until, "participant_held"),
        "owed_closing": role(until, "participant_owed"),
        "pending_closing": -role(until, "participant_pending"),
        "in_transit": -role(until, "payouts_pending"),
    }


def _check(code: str, f: dict[str, Decimal]) -> None:
    opening = f["held_opening"] - f["owed_opening"]
    closing = f["held_closing"] - f["owed_closing"]
    expected = opening + f["received"] - f["contribution"] - f["costs"] - f["payouts"]
    if expected != closing:
        raise InputError(
            _(
                "participant {code}: the year does not add up (opening {opening} + received "
                "{received} − contribution {contribution} − costs {costs} − "
                "payouts {payouts} ≠ closing {closing}); run 'coopledger check'",
                code=code,
                opening=opening,
                received=f["received"],
                contribution=f["contribution"],
                costs=f["costs"],
                payouts=f["payouts"],
                closing=closing,
            )
        )


LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_GB"}


def long_date(day: dt.date, lang: str) -> str:
    """``31 décembre 2025``, ``31 december 2025``, ``31 December 2025``."""
    return str(format_date(day, format="long", locale=LOCALES[lang]))


def summary_sentences(f: dict[str, Decimal], year_text: str, end: dt.date, lang: str) -> list[str]:
    """The plain-language summary: one short sentence per thing that happened."""
    m = lambda value: money_text(value, lang)  # noqa: E731
    if f["invoiced"] < 0:  # credit notes on invoices of an earlier (closed) year
        out = [t(lang, "py.credited", period=year_text, amount=m(-f["invoiced"]))]
    else:
        out = [t(lang, "py.invoiced", period=year_text, amount=m(f["invoiced"]))]
    if f["received"]:
        out.append(t(lang, "py.received", amount=m(f["received"])))
    if f["contribution"]:
        share = (
            (f["contribution"] * 100 / f["received"]).quantize(Decimal("0.1"))
            if f["received"]
            else Decimal(0)
        )
        share_text = f"{share}".replace(".", "," if lang != "en" else ".")
        out.append(t(lang, "py.contribution", amount=m(f["contribution"]), share=share_text))
    if f["costs"]:
        out.append(t(lang, "py.costs", amount=m(f["costs"])))
    if f["payouts"]:
        out.append(t(lang, "py.payouts", amount=m(f["payouts"])))
    if f["in_transit"]:
        out.append(t(lang, "py.in_transit", amount=m(f["in_transit"])))
    out.append(t(lang, "py.held", date=long_date(end, lang), amount=m(f["held_closing"])))
    if f["pending_closing"]:
        out.append(t(lang, "py.pending", amount=m(f["pending_closing"])))
    if f["owed_closing"]:
        out.append(t(lang, "py.owed", amount=m(f["owed_closing"])))
    return out


def build(frames: Frames, code: str, period: Period, lang: str, header: Header) -> Report:
    info = require_participant(frames.entries, frames.config, code)
    if info.opened > period.end:
        raise InputError(
            _(
                "participant {code} was opened on {opened}, after {end}",
                code=code,
                opened=info.opened,
                end=period.end,
            )
        )
    f = figures_between(frames, code, period.start, period.end)
    _check(code, f)
    sentences = summary_sentences(f, period.text(), period.end, lang)
    summary = Part("summary", t(lang, "py.summary")).add(
        *(Paragraph(s) for s in sentences),
        Paragraph(t(lang, "py.footer"), "note"),
    )
    lines = [
        row(
            label=t(lang, "py.l.held_opening", date=period.start.isoformat()),
            amount=f["held_opening"] - f["owed_opening"],
        ),
        row(label=t(lang, "py.l.received"), amount=f["received"]),
        row(label=t(lang, "py.l.contribution"), amount=-f["contribution"]),
        row(label=t(lang, "py.l.costs"), amount=-f["costs"]),
        row(label=t(lang, "py.l.payouts"), amount=-f["payouts"]),
        row(
            "total",
            label=t(lang, "py.l.closing", date=period.end.isoformat()),
            amount=f["held_closing"] - f["owed_closing"],
        ),
        row("muted", label=t(lang, "py.l.invoiced"), amount=f["invoiced"]),
        row("muted", label=t(lang, "py.l.pending"), amount=f["pending_closing"]),
    ]
    cols = [
        Column("label", t(lang, "col.label"), width=3.2),
        Column("amount", t(lang, "col.amount"), "money"),
    ]
    year = Part("year", t(lang, "py.year")).add(Table(cols, lines, in_csv=False))
    months = []
    day = period.start.replace(day=1)
    while day <= period.end:
        nxt = (day + dt.timedelta(days=32)).replace(day=1)
        last = min(nxt - dt.timedelta(days=1), period.end)
        mf = figures_between(frames, code, max(day, period.start), last)
        months.append(
            row(
                month=f"{day:%Y-%m}",
                invoiced=mf["invoiced"],
                received=mf["received"],
                contribution=mf["contribution"],
                costs=mf["costs"],
                payouts=mf["payouts"],
                balance=mf["held_closing"] - mf["owed_closing"],
            )
        )
        day = nxt
    month_cols = [
        Column("month", t(lang, "col.month"), width=0.8),
        Column("invoiced", t(lang, "py.c.invoiced"), "money"),
        Column("received", t(lang, "py.c.received"), "money"),
        Column("contribution", t(lang, "py.c.contribution"), "money"),
        Column("costs", t(lang, "py.c.costs"), "money"),
        Column("payouts", t(lang, "py.c.payouts"), "money"),
        Column("balance", t(lang, "py.c.balance"), "money"),
    ]
    monthly = Part("months", t(lang, "py.months")).add(Table(month_cols, months))
    mine = frames.between(period.start, period.end)
    mine = mine[
        (mine["participant"] == code) & mine["role"].isin(("participant_held", "participant_owed"))
    ]
    moves = []
    for _entry, group in mine.groupby("entry", sort=True):
        first = group.iloc[0]
        held = -dsum(group[group["role"] == "participant_held"]["amount"])
        owed = dsum(group[group["role"] == "participant_owed"]["amount"])
        kind = f"py.k.{first['kind']}"
        moves.append(
            row(
                date=first["date"],
                what=t(lang, kind) if has(kind) else first["kind"],
                piece=first["piece"],
                held=held,
                owed=owed or None,
            )
        )
    movements = Part("movements", t(lang, "py.movements")).add(
        Table(
            [
                Column("date", t(lang, "col.date"), "date", width=1.0),
                Column("what", t(lang, "py.c.what"), width=2.4),
                Column("piece", t(lang, "col.piece"), width=1.1),
                Column("held", t(lang, "py.c.held"), "money"),
                Column("owed", t(lang, "py.c.owed"), "money"),
            ],
            moves or [row(what=t(lang, "py.none"))],
            in_csv=False,
        )
    )
    return Report(
        kind="participant",
        title=t(lang, "py.title", year=period.text()),
        subtitle=f"{t(lang, 'py.code')} {code}",
        lang=lang,
        head=header,
        parts=[summary, year, monthly, movements],
        figures={
            "participant": code,
            "activity": info.activity,
            "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
            **{k: str(v) for k, v in f.items()},
            "summary": sentences,
        },
        stem=f"participant-{code}-{period.slug}",
    )
