"""The funder's report (``coopledger report grant [GRANT…]``): for each grant, what was
granted and received, what it paid for — by category of cost and by participant activity
(codes only, never a name) — with each cost's receipt, what is deferred to later years
(493) and what remains; several grants side by side.

What a grant paid for comes from the grants feature (:func:`reports.sources.all_grants`:
costs booked with ``--grant`` and ``grant charge``); each cost's category is its account's
label and PCMN code, its receipt the file linked to it in the books.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from ledger.errors import InputError, typed
from ledger.i18n import _
from reports.common import money_text
from reports.frame import ZERO, Frames
from reports.i18n import t
from reports.model import Column, Header, Paragraph, Part, Report, Table, row
from reports.period import Period
from reports.sources import Grant, all_grants


def _costs_index(frames: Frames) -> dict[str, dict[str, str]]:
    """Per cost (``exp-…`` link): the account it was booked on, its PCMN code and label, and
    its receipt files."""
    p = frames.postings
    costs = p[
        (p["kind"] == "expense") & (p["root"] == "Expenses") & (p["role"] != "participant_share")
    ]
    out: dict[str, dict[str, str]] = {}
    for c in costs.itertuples(index=False):
        link = next((lk for lk in str(c.links).split() if lk.startswith("exp-")), "")
        out.setdefault(
            link,
            {"account": c.account, "pcmn": c.pcmn, "label": c.label, "documents": c.documents},
        )
    return out


def select(frames: Frames, wanted: list[str], period: Period) -> list[Grant]:
    """The grants asked for (all grants and gifts granted by the period's end when none is
    named); an unknown id is a one-line error."""
    until = [e for e in frames.entries if e.date <= period.end]
    found = all_grants(until, frames.config)
    every = all_grants(frames.entries, frames.config)
    for gid in wanted:
        if gid not in found:
            # a grant of the books is named; anything else typed is not repeated
            said = (
                f"{gid} in the books by {period.end}"
                if gid in every
                else f"{typed(gid)} in the books"
            )
            raise InputError(_("no grant {said} (see 'coopledger grant list')", said=said))
    chosen = (
        [found[g] for g in wanted]
        if wanted
        else sorted(found.values(), key=lambda g: (g.date, g.id))
    )
    if not chosen:
        raise InputError(
            _("no grant in the books by {end} (see 'coopledger grant list')", end=period.end)
        )
    return chosen


def build(frames: Frames, wanted: list[str], period: Period, lang: str, header: Header) -> Report:
    grants = select(frames, wanted, period)
    index = _costs_index(frames)
    activity_of = _activities(frames)
    summary_cols = [Column("label", t(lang, "col.label"), width=2.6)] + [
        Column(g.id, g.id, "money", width=1.2) for g in grants
    ]
    keys = (
        "granted",
        "received",
        "spent_before",
        "spent_period",
        "spent",
        "deferred",
        "remaining",
    )
    values: dict[str, dict[str, Decimal]] = {k: {} for k in keys}
    parts = []
    figures: list[dict[str, Any]] = []
    for g in grants:
        before = sum((c.amount for c in g.charges if c.date < period.start), ZERO)
        during = [c for c in g.charges if period.start <= c.date <= period.end]
        in_period = sum((c.amount for c in during), ZERO)
        spent = before + in_period
        values["granted"][g.id] = g.amount
        values["received"][g.id] = g.amount - g.expected
        values["spent_before"][g.id] = before
        values["spent_period"][g.id] = in_period
        values["spent"][g.id] = spent
        values["deferred"][g.id] = g.deferred
        values["remaining"][g.id] = g.amount - spent
        rows = []
        by_category: dict[str, Decimal] = defaultdict(lambda: ZERO)
        by_activity: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for c in during:
            cost = index.get(c.expense.lower(), {})
            category = f"{cost.get('pcmn', '')} {cost.get('label', '')}".strip()
            by_category[category] += c.amount
            who = c.participant or ""
            by_activity[f"{who} ({activity_of.get(who, '')})" if who else t(lang, "gr.hub")] += (
                c.amount
            )
            rows.append(
                row(
                    date=c.date,
                    expense=c.expense,
                    description=c.description,
                    category=category,
                    participant=who,
                    amount=c.amount,
                    receipt=cost.get("documents", "") or t(lang, "gr.no_receipt"),
                )
            )
        rows.append(row("total", description=t(lang, "total"), amount=in_period))
        part = Part(g.id, f"{g.id} — {g.purpose or g.funder}")
        part.add(
            Paragraph(
                t(
                    lang,
                    "gr.intro",
                    funder=g.funder,
                    date=g.date.isoformat(),
                    amount=money_text(g.amount, lang),
                    restricted=t(lang, "gr.restricted") if g.restricted else "",
                )
            )
        )
        part.add(
            Table(
                [
                    Column("date", t(lang, "col.date"), "date", width=1.0),
                    Column("expense", t(lang, "col.piece"), width=1.0),
                    Column("description", t(lang, "col.description"), width=1.8),
                    Column("category", t(lang, "col.category"), width=1.5),
                    Column("participant", t(lang, "col.participant"), width=0.9),
                    Column("amount", t(lang, "col.amount"), "money", width=0.8),
                    Column("receipt", t(lang, "col.receipt"), width=2.0),
                ],
                rows,
                title=t(lang, "gr.costs"),
                in_csv=False,
            )
        )
        part.add(
            Table(
                [
                    Column("label", t(lang, "col.category"), width=3),
                    Column("amount", t(lang, "col.amount"), "money"),
                ],
                [row(label=k, amount=v) for k, v in sorted(by_category.items())],
                title=t(lang, "gr.by_category"),
                in_csv=False,
            )
        )
        part.add(
            Table(
                [
                    Column("label", t(lang, "col.activity"), width=3),
                    Column("amount", t(lang, "col.amount"), "money"),
                ],
                [row(label=k, amount=v) for k, v in sorted(by_activity.items())],
                title=t(lang, "gr.by_activity"),
                in_csv=False,
            )
        )
        parts.append(part)
        figures.append(
            {
                **{k: str(values[k][g.id]) for k in keys},
                "grant": g.id,
                "funder": g.funder,
                "purpose": g.purpose,
                "restricted": g.restricted,
                "gift": g.gift,
                "by_category": {k: str(v) for k, v in sorted(by_category.items())},
                "by_activity": {k: str(v) for k, v in sorted(by_activity.items())},
                "costs": [
                    {
                        "date": c.date.isoformat(),
                        "expense": c.expense,
                        "description": c.description,
                        "participant": c.participant,
                        "amount": str(c.amount),
                        "receipt": index.get(c.expense.lower(), {}).get("documents", ""),
                    }
                    for c in during
                ],
            }
        )
    summary_rows = [
        row(
            "total" if k in ("spent", "remaining") else "",
            label=t(lang, f"gr.{k}"),
            **{g.id: values[k][g.id] for g in grants},
        )
        for k in keys
    ]
    summary = Part("summary", t(lang, "gr.summary")).add(
        Table(summary_cols, summary_rows, in_csv=False),
        Paragraph(t(lang, "gr.note"), "note"),
    )
    flat = Table(
        [
            Column("grant", t(lang, "col.grant")),
            Column("date", t(lang, "col.date"), "date"),
            Column("expense", t(lang, "col.piece")),
            Column("description", t(lang, "col.description")),
            Column("participant", t(lang, "col.participant")),
            Column("amount", t(lang, "col.amount"), "money"),
            Column("receipt", t(lang, "col.receipt")),
        ],
        [
            row(
                grant=f["grant"],
                date=c["date"],
                expense=c["expense"],
                description=c["description"],
                participant=c["participant"] or "",
                amount=Decimal(c["amount"]),
                receipt=c["receipt"],
            )
            for f in figures
            for c in f["costs"]
        ],
    )
    names = "-".join(g.id for g in grants) if len(grants) <= 3 else f"{len(grants)}-grants"
    return Report(
        kind="grant",
        title=t(lang, "gr.title"),
        subtitle=f"{', '.join(g.id for g in grants)} · {period.text()}",
        lang=lang,
        head=header,
        parts=[summary, *parts],
        figures={
            "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
            "grants": figures,
        },
        stem=f"grant-{names}-{period.slug}",
        csv_table=flat,
    )


def _activities(frames: Frames) -> dict[str, str]:
    """Participant code -> the activity category of her open entry (never a name)."""
    out = {}
    for entry in frames.entries:
        meta = getattr(entry, "meta", None) or {}
        if meta.get("role") == "participant_held" and meta.get("participant"):
            out[str(meta["participant"])] = str(meta.get("activity", "") or "")
    return out
