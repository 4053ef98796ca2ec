"""A participant's statement of their own activity, in plain words, as a PDF.

Built on the one rendering module (:mod:`ledger.render`), its words from the one
catalogue (:mod:`ledger.i18n`). It shows the pseudonymous code, never a name: the
participant knows who they are, and a statement that is lost or shared must not identify
them. Amounts come from
:func:`ledger.participants.summarize`, so the statement and ``participant show`` agree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from ledger import dates
from ledger.config import HubConfig
from ledger.i18n import LANGS, fmt_amount, fmt_date, translate
from ledger.render import build_pdf, fonts, para
from ledger.view import Movement, ParticipantSummary

STATEMENT_TEXTS: dict[str, str] = {
    "title": "Statement of your activity",
    "code": "Your code",
    "period": "Period",
    "intro": "This statement shows the money the hub keeps for you: what your clients "
    "paid, less the contribution to the hub, the costs of your activity and what was "
    "already paid out to you.",
    "sales": "Invoiced to your clients (excl. VAT)",
    "received": "Paid by your clients (excl. VAT)",
    "contribution": "Contribution to the hub",
    "costs": "Costs of your activity paid by the hub",
    "payouts": "Already paid out to you",
    "balance": "The hub keeps for you today",
    "opening": "Balance at the start of the period",
    "closing": "Balance at the end of the period",
    "date": "Date",
    "what": "What",
    "amount": "Amount",
    "after": "Balance",
    "none": "No movement in this period.",
    "owed": "What you owe the hub (taken from your next payments)",
    "pending": "Invoiced, not yet paid by your clients (your share)",
    "owed_short": "you owe the hub",
    "footer": "Questions? Talk to your community worker.",
    "why": "A payment from a client shows what is left for you: what the client paid "
    "for your activity (excl. VAT), less the contribution to the hub. That is why its "
    "amount is smaller than what the client paid.",
    "paid_detail": "{received} paid by the client, less {contribution} contribution",
}
# What a movement of the balance is, by the kind of its entry.
KIND_TEXTS: dict[str, str] = {
    "payment": "payment from a client",
    "expense": "cost",
    "payout": "payout",
    "contribution": "contribution",
    "credit-reversal": "credit note on an invoice already paid",
    "cash-sale": "sale paid in cash",
    "settlement": "payout returned (refused by the bank)",
    "payout-cancel": "payout cancelled before it was sent to the bank",
}
TEXT: dict[str, dict[str, Any]] = {
    lang: {
        **{key: translate(lang, text, "statement") for key, text in STATEMENT_TEXTS.items()},
        "kinds": {kind: translate(lang, text, "statement kind")
                  for kind, text in KIND_TEXTS.items()},
    }
    for lang in LANGS
}  # fmt: skip


def in_period(
    movements: list[Movement], start: dt.date | None, end: dt.date | None
) -> list[Movement]:
    return [
        m
        for m in movements
        if (start is None or m.date >= start) and (end is None or m.date <= end)
    ]


def opening_balance(movements: list[Movement], start: dt.date | None) -> Decimal:
    before = [m for m in movements if start is not None and m.date < start]
    return before[-1].balance if before else Decimal("0")


def render_statement(
    summary: ParticipantSummary,
    config: HubConfig,
    lang: str = "fr",
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
) -> bytes:
    """The statement PDF (bytes)."""
    t = TEXT[lang]
    today = dates.today(today)
    styles = getSampleStyleSheet()
    regular, bold = fonts()  # a Unicode font: Babel's amounts use narrow no-break spaces
    for style in styles.byName.values():
        if hasattr(style, "fontName"):
            style.fontName = bold if "Bold" in style.fontName or style.name.startswith(
                ("Heading", "Title")) else regular  # fmt: skip
    body = styles["BodyText"]

    def money(value: Decimal) -> str:
        return fmt_amount(value, lang, config.currency)

    period = f"{fmt_date(start, lang) if start else '…'} – {fmt_date(end or today, lang)}"
    story = [
        para(config.hub.name, styles["Heading2"]),
        para(t["title"], styles["Title"]),
        para(summary.info.code, body, label_text=f"{t['code']}:"),
        para(period, body, label_text=f"{t['period']}:"),
        Spacer(1, 4 * mm),
        para(t["intro"], body),
        Spacer(1, 4 * mm),
    ]
    totals = [
        [t["sales"], money(summary.sales)],
        [t["received"], money(summary.received)],
        [t["contribution"], money(-summary.contribution)],
        [t["costs"], money(-summary.costs_charged)],
        [t["payouts"], money(-summary.payouts)],
        [t["balance"], money(summary.balance)],
    ]
    # Not part of the balance: shown after it, and only when there is something to say.
    extra = [[t[key], money(getattr(summary, key))] for key in ("pending", "owed")
             if getattr(summary, key)]  # fmt: skip
    table = Table(totals, colWidths=[110 * mm, 50 * mm])
    table.setStyle(
        TableStyle(
            [
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("FONTNAME", (0, 0), (-1, -1), regular),
                ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
                ("FONTNAME", (0, -1), (-1, -1), bold),
            ]
        )
    )
    story += [table]
    if extra:
        story.append(Table(extra, colWidths=[110 * mm, 50 * mm],
                           style=[("ALIGN", (1, 0), (1, -1), "RIGHT"),
                                  ("FONTNAME", (0, 0), (-1, -1), regular)]))  # fmt: skip
    story.append(Spacer(1, 6 * mm))
    movements = in_period(summary.movements, start, end)
    rows = [[t["date"], t["what"], t["amount"], t["after"]]]
    rows.append(["", t["opening"], "", money(opening_balance(summary.movements, start))])
    for m in movements:
        what = t["kinds"].get(m.kind, m.kind)
        if m.owed:
            what += f" ({t['owed_short']}: {money(m.owed_balance)})"
        if m.received:
            what += " (" + t["paid_detail"].format(
                received=money(m.received), contribution=money(m.contribution)) + ")"  # fmt: skip
        rows.append([fmt_date(m.date, lang), para(what, body), money(m.amount), money(m.balance)])
    closing = movements[-1].balance if movements else opening_balance(summary.movements, start)
    rows.append(["", t["closing"], "", money(closing)])
    moves = Table(rows, colWidths=[25 * mm, 75 * mm, 30 * mm, 30 * mm], repeatRows=1)
    moves.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), regular),
                ("FONTNAME", (0, 0), (-1, 0), bold),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("ALIGN", (2, 0), (3, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(moves)
    if not movements:
        story.append(para(t["none"], body))
    elif any(m.received for m in movements):
        story += [Spacer(1, 3 * mm), para(t["why"], body)]
    story += [Spacer(1, 8 * mm), para(t["footer"], body)]
    return build_pdf(story, title=t["title"], author=config.hub.name, margins=(18 * mm,) * 4)
