"""The general ledger (every account: opening, each movement, closing) and the journals
(sales, purchases, bank per account, cash, miscellaneous), with each entry's journal number
and the document it rests on.

Journals and numbers come from :mod:`ledger.view.journals`, the computation the auditor's export
uses too, so ``VEN 12`` here is ``VEN 12`` there.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from ledger.view.journals import OPENING, journal_sort_key
from reports.frame import ZERO, Frames
from reports.i18n import t
from reports.model import Column, Header, Paragraph, Part, Report, Table, row
from reports.period import Period
from reports.trial_balance import account_balances


def general_ledger(frames: Frames, period: Period, lang: str, header: Header) -> Report:
    """Per account, by PCMN code: the opening balance, every posting of the period with
    its running balance, and the closing balance."""
    balances = account_balances(frames, period)
    during = frames.between(period.start, period.end)
    columns = [
        Column("pcmn", t(lang, "col.pcmn"), width=0.55),
        Column("account", t(lang, "col.account"), width=2.2),
        Column("date", t(lang, "col.date"), "date", width=1.0),
        Column("journal", t(lang, "col.journal"), width=0.65),
        Column("number", t(lang, "col.number"), "int", width=0.4),
        Column("piece", t(lang, "col.piece"), width=1.1),
        Column("narration", t(lang, "col.narration"), width=2.6),
        Column("participant", t(lang, "col.participant"), width=1.0),
        Column("debit", t(lang, "col.debit"), "money", width=0.8),
        Column("credit", t(lang, "col.credit"), "money", width=0.8),
        Column("balance", t(lang, "col.balance"), "money", width=0.9),
    ]
    rows = []
    accounts = []
    by_account = {k: g for k, g in during.groupby("account", sort=False)}
    for acc in balances.itertuples(index=False):
        running: Decimal = acc.opening
        rows.append(
            row(
                "head",
                pcmn=acc.pcmn,
                account=acc.account,
                narration=f"{acc.label} — {t(lang, 'gl.opening')}",
                balance=running,
            )
        )
        moves = by_account.get(acc.account, during.iloc[0:0]).sort_values(["date", "entry"])
        for m in moves.itertuples(index=False):
            running += m.amount
            rows.append(
                row(
                    pcmn=acc.pcmn,
                    account=acc.account,
                    date=m.date,
                    journal=m.journal,
                    number=m.number,
                    piece=m.piece,
                    narration=m.narration,
                    participant=m.participant,
                    debit=m.amount if m.amount > 0 else None,
                    credit=-m.amount if m.amount < 0 else None,
                    balance=running,
                )
            )
        rows.append(
            row(
                "total",
                pcmn=acc.pcmn,
                account=acc.account,
                narration=t(lang, "gl.closing"),
                debit=acc.debit,
                credit=acc.credit,
                balance=acc.closing,
            )
        )
        accounts.append(
            {
                "account": acc.account,
                "pcmn": acc.pcmn,
                "opening": str(acc.opening),
                "debit": str(acc.debit),
                "credit": str(acc.credit),
                "closing": str(acc.closing),
                "movements": len(moves),
            }
        )
    part = Part("general-ledger", t(lang, "gl.title")).add(Table(columns, rows))
    return Report(
        kind="general-ledger",
        title=t(lang, "gl.title"),
        subtitle=period.text(),
        lang=lang,
        parts=[part],
        figures={
            "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
            "accounts": accounts,
        },
        stem=f"general-ledger-{period.slug}",
        head=header,
    )


def journals(frames: Frames, period: Period, lang: str, header: Header) -> Report:
    """One part per journal: each entry with its number, date, document reference and
    linked files, then its postings (PCMN code, account, debit, credit). The opening
    balances (``AN``) come first when the period starts with balances."""
    during = frames.between(period.start, period.end)
    columns = [
        Column("journal", t(lang, "col.journal"), width=0.65),
        Column("number", t(lang, "col.number"), "int", width=0.45),
        Column("date", t(lang, "col.date"), "date", width=1.0),
        Column("piece", t(lang, "col.piece"), width=1.1),
        Column("pcmn", t(lang, "col.pcmn"), width=0.55),
        Column("account", t(lang, "col.account"), width=2.2),
        Column("participant", t(lang, "col.participant"), width=1.0),
        Column("narration", t(lang, "col.narration"), width=2.4),
        Column("debit", t(lang, "col.debit"), "money", width=0.8),
        Column("credit", t(lang, "col.credit"), "money", width=0.8),
        Column("documents", t(lang, "col.documents"), width=1.6),
    ]
    parts = []
    summary = []
    csv_rows = []
    opening = account_balances(frames, period)
    opening = opening[opening["opening"] != 0]
    if len(opening):
        rows = [
            row(
                journal=OPENING,
                number=1,
                date=period.start,
                piece=OPENING,
                pcmn=o.pcmn,
                account=o.account,
                narration=t(lang, "j.opening"),
                debit=o.opening if o.opening > 0 else None,
                credit=-o.opening if o.opening < 0 else None,
            )
            for o in opening.itertuples(index=False)
        ]
        parts.append(_journal_part(OPENING, frames.ledgers.label(OPENING), rows, columns, lang))
        csv_rows += rows
        summary.append(_summary(OPENING, frames.ledgers.label(OPENING), rows))
    for journal in sorted(set(during["journal"]), key=journal_sort_key):
        numbered: dict[int, list[Any]] = defaultdict(list)
        for posting in during[during["journal"] == journal].itertuples(index=False):
            numbered[int(posting.number)].append(posting)
        rows = []
        for number, entry in sorted(numbered.items()):
            first = entry[0]
            rows.append(
                row(
                    "head",
                    journal=journal,
                    number=number,
                    date=first.date,
                    piece=first.piece,
                    narration=first.narration,
                    documents=first.documents,
                )
            )
            for p in entry:
                rows.append(
                    row(
                        "sub",
                        journal=journal,
                        number=number,
                        date=p.date,
                        piece=p.piece,
                        pcmn=p.pcmn,
                        account=p.account,
                        participant=p.participant,
                        debit=p.amount if p.amount > 0 else None,
                        credit=-p.amount if p.amount < 0 else None,
                    )
                )
        label = frames.ledgers.label(journal)
        parts.append(_journal_part(journal, label, rows, columns, lang))
        heads = {r["number"]: r for r in rows if r["_style"] == "head"}
        csv_rows += [
            {
                **r,
                "narration": heads[r["number"]]["narration"],
                "documents": heads[r["number"]]["documents"],
            }
            for r in rows
            if r["_style"] != "head"
        ]
        summary.append(_summary(journal, label, rows))
    overview = Part("journals", t(lang, "j.overview")).add(
        Table(
            [
                Column("journal", t(lang, "col.journal"), width=0.6),
                Column("label", t(lang, "col.label"), width=3),
                Column("entries", t(lang, "col.entries"), "int", width=0.7),
                Column("debit", t(lang, "col.debit"), "money"),
                Column("credit", t(lang, "col.credit"), "money"),
            ],
            [row("", **s) for s in summary],
            in_csv=False,
        ),
        Paragraph(t(lang, "j.numbering"), "note"),
    )
    return Report(
        kind="journals",
        title=t(lang, "j.title"),
        subtitle=period.text(),
        lang=lang,
        parts=[overview, *parts],
        figures={
            "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
            "journals": [
                {k: str(v) if isinstance(v, Decimal) else v for k, v in s.items()} for s in summary
            ],
        },
        stem=f"journals-{period.slug}",
        # The CSV is the flat journal: one line per posting, FEC-like.
        csv_table=Table(columns, csv_rows),
        head=header,
    )


def _journal_part(
    code: str, label: str, rows: list[dict[str, object]], columns: list[Column], lang: str
) -> Part:
    return Part(code, f"{code} — {label}").add(Table(columns, rows))


def _summary(code: str, label: str, rows: list[dict[str, object]]) -> dict[str, object]:
    lines = [r for r in rows if r["_style"] != "head"]
    return {
        "journal": code,
        "label": label,
        "entries": len({r["number"] for r in lines}),
        "debit": sum((Decimal(str(r["debit"] or 0)) for r in lines), ZERO),
        "credit": sum((Decimal(str(r["credit"] or 0)) for r in lines), ZERO),
    }
