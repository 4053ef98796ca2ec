"""A participant's statement of their own activity, in plain words, as a PDF.

It shows the pseudonymous code, never a name: the participant knows who they are, and a
statement that is lost or shared must not identify them. Amounts come from
:func:`ledger.participants.summarize`, so the statement and ``participant show`` agree.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ledger.config import HubConfig
from ledger.view import Movement, ParticipantSummary

TEXT: dict[str, dict[str, Any]] = {
    "fr": {
        "title": "Relevé de votre activité",
        "code": "Votre code",
        "period": "Période",
        "intro": "Ce relevé montre l'argent que le hub garde pour vous : ce que vos clients "
        "ont payé, moins la contribution au hub, les coûts de votre activité et ce qui "
        "vous a déjà été versé.",
        "sales": "Facturé à vos clients (hors TVA)",
        "received": "Payé par vos clients (hors TVA)",
        "contribution": "Contribution au hub",
        "costs": "Coûts de votre activité payés par le hub",
        "payouts": "Déjà versé à vous",
        "balance": "Le hub garde pour vous aujourd'hui",
        "opening": "Solde au début de la période",
        "closing": "Solde à la fin de la période",
        "date": "Date",
        "what": "Quoi",
        "amount": "Montant",
        "after": "Solde",
        "none": "Aucun mouvement pendant cette période.",
        "kinds": {
            "payment": "paiement d'un client",
            "expense": "coût",
            "payout": "versement",
            "contribution": "contribution",
            "credit-reversal": "note de crédit sur une facture déjà payée",
            "cash-sale": "vente payée en espèces",
            "settlement": "versement revenu (refusé par la banque)",
        },
        "owed": "Ce que vous devez au hub (repris sur vos prochains paiements)",
        "pending": "Facturé, pas encore payé par vos clients (votre part)",
        "owed_short": "vous devez au hub",
        "footer": "Questions ? Parlez-en à votre travailleur·se communautaire.",
    },
    "nl": {
        "title": "Overzicht van je activiteit",
        "code": "Je code",
        "period": "Periode",
        "intro": "Dit overzicht toont het geld dat de hub voor jou bijhoudt: wat je klanten "
        "betaalden, min de bijdrage aan de hub, de kosten van je activiteit en wat je al "
        "ontving.",
        "sales": "Gefactureerd aan je klanten (excl. btw)",
        "received": "Betaald door je klanten (excl. btw)",
        "contribution": "Bijdrage aan de hub",
        "costs": "Kosten van je activiteit, betaald door de hub",
        "payouts": "Al aan jou uitbetaald",
        "balance": "De hub houdt vandaag voor jou bij",
        "opening": "Saldo bij het begin van de periode",
        "closing": "Saldo op het einde van de periode",
        "date": "Datum",
        "what": "Wat",
        "amount": "Bedrag",
        "after": "Saldo",
        "none": "Geen bewegingen in deze periode.",
        "kinds": {
            "payment": "betaling van een klant",
            "expense": "kost",
            "payout": "uitbetaling",
            "contribution": "bijdrage",
            "credit-reversal": "creditnota op een al betaalde factuur",
            "cash-sale": "verkoop, contant betaald",
            "settlement": "uitbetaling teruggekomen (geweigerd door de bank)",
        },
        "owed": "Wat je de hub verschuldigd bent (verrekend met je volgende betalingen)",
        "pending": "Gefactureerd, nog niet betaald door je klanten (jouw deel)",
        "owed_short": "je bent de hub verschuldigd",
        "footer": "Vragen? Praat erover met je gemeenschapswerker.",
    },
    "en": {
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
        "kinds": {
            "payment": "payment from a client",
            "expense": "cost",
            "payout": "payout",
            "contribution": "contribution",
            "credit-reversal": "credit note on an invoice already paid",
            "cash-sale": "sale paid in cash",
            "settlement": "payout returned (refused by the bank)",
        },
        "owed": "What you owe the hub (taken from your next payments)",
        "pending": "Invoiced, not yet paid by your clients (your share)",
        "owed_short": "you owe the hub",
        "footer": "Questions? Talk to your community worker.",
    },
}


def money(value: Decimal) -> str:
    return f"{value:,.2f} EUR".replace(",", " ")


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
    today = today or dt.date.today()
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=t["title"],
        author=config.hub.name,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    period = f"{start.isoformat() if start else '…'} – {(end or today).isoformat()}"
    story = [
        Paragraph(escape(config.hub.name), styles["Heading2"]),
        Paragraph(escape(t["title"]), styles["Title"]),
        Paragraph(f"<b>{escape(t['code'])}:</b> {escape(summary.info.code)}", body),
        Paragraph(f"<b>{escape(t['period'])}:</b> {escape(period)}", body),
        Spacer(1, 4 * mm),
        Paragraph(escape(t["intro"]), body),
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
                ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
            ]
        )
    )
    story += [table]
    if extra:
        story.append(Table(extra, colWidths=[110 * mm, 50 * mm],
                           style=[("ALIGN", (1, 0), (1, -1), "RIGHT")]))  # fmt: skip
    story.append(Spacer(1, 6 * mm))
    movements = in_period(summary.movements, start, end)
    rows = [[t["date"], t["what"], t["amount"], t["after"]]]
    rows.append(["", t["opening"], "", money(opening_balance(summary.movements, start))])
    for m in movements:
        what = t["kinds"].get(m.kind, m.kind)
        if m.owed:
            what += f" ({t['owed_short']}: {money(m.owed_balance)})"
        rows.append(
            [m.date.isoformat(), Paragraph(escape(what), body), money(m.amount), money(m.balance)]
        )
    closing = movements[-1].balance if movements else opening_balance(summary.movements, start)
    rows.append(["", t["closing"], "", money(closing)])
    moves = Table(rows, colWidths=[25 * mm, 75 * mm, 30 * mm, 30 * mm], repeatRows=1)
    moves.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("ALIGN", (2, 0), (3, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(moves)
    if not movements:
        story.append(Paragraph(escape(t["none"]), body))
    story += [Spacer(1, 8 * mm), Paragraph(escape(t["footer"]), body)]
    doc.build(story)
    return buffer.getvalue()
