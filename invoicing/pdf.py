"""The PDF of an invoice or credit note, in French, Dutch or English, on the one
rendering module (:mod:`ledger.render`) with the words of the one catalogue.

Every piece of text, ours or the user's, goes through :func:`ledger.render.para`, which
escapes it. The hub is the issuer; the participant's code is never printed.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from invoicing import vat
from invoicing.epc import epc_qr
from invoicing.i18n import label
from invoicing.models import Document
from invoicing.ogm import format_ogm
from ledger.config import HubConfig
from ledger.i18n import (
    court_register,
    fmt_amount,
    fmt_date,
    fmt_enterprise,
    fmt_number,
    fmt_percent,
    fmt_price,
    legal_form,
)
from ledger.render import QrFlowable, build_pdf, fonts, para, styles


def _hub_lines(config: HubConfig, lang: str) -> list[tuple[str | None, str]]:
    hub = config.hub
    street = hub.address
    town = " ".join(p for p in (hub.postal_code, hub.city) if p)
    seat = ", ".join(p for p in (street, town) if p)
    if hub.country != "BE":
        seat = f"{seat} ({hub.country})" if seat else hub.country
    register = court_register(hub.court_register, lang)
    lines: list[tuple[str | None, str]] = [
        (None, name_with_form(config)),
        (label(lang, "seat") + " :" if lang == "fr" else label(lang, "seat") + ":", seat),
        (
            label(lang, "enterprise") + (" :" if lang == "fr" else ":"),
            f"{fmt_enterprise(hub.enterprise_number)} – {register}",
        ),
    ]
    if hub.vat_number:
        lines.append(
            (label(lang, "vat_number") + (" :" if lang == "fr" else ":"), _fmt_vat(hub.vat_number))
        )
    for extra in (hub.email, hub.website):
        if extra:
            lines.append((None, extra))
    return lines


def name_with_form(config: HubConfig) -> str:
    """``Name ASBL``, without repeating a legal form the name already ends with."""
    name, form = config.hub.name.strip(), config.hub.legal_form.strip()
    if not form or name.upper().endswith(form.upper()):
        return name
    return f"{name} {form}"


def _fmt_vat(number: str) -> str:
    if number.startswith("BE") and len(number) == 12:
        return "BE " + fmt_enterprise(number[2:])
    return number


def _colon(lang: str) -> str:
    return " :" if lang == "fr" else ":"


def render_pdf_job(job: tuple[HubConfig, Document]) -> bytes:
    """:func:`render_pdf` of one job of a batch (:mod:`invoicing.parallel`'s workers)."""
    return render_pdf(*job)


def render_pdf(config: HubConfig, doc: Document) -> bytes:
    """The PDF bytes of ``doc``; deterministic for the same input."""
    lang = doc.lang
    st = styles()
    c = _colon(lang)
    L = lambda key, **kw: label(lang, key, **kw)  # noqa: E731
    story: list[Flowable] = []

    # Issuer (the hub) and document identification.
    hub_block: list[Flowable] = [para(config.hub.name, st["hub"])]
    hub_block += [
        para(text, st["base"], label_text=lbl) if lbl else para(text, st["base"])
        for lbl, text in _hub_lines(config, lang)[1:]
    ]
    form = legal_form(config.hub.legal_form, lang)
    hub_block.insert(1, para(f"{L('legal_form')}{c} {form}", st["base"]))
    ident: list[Flowable] = [para(L(doc.kind), st["title"]), Spacer(1, 2 * mm)]
    ident.append(para(doc.number, st["right_bold"], label_text=f"{L('number')}{c}"))
    date_label = L("date") if doc.kind == "invoice" else L("credit_date")
    ident.append(para(fmt_date(doc.date, lang), st["right"], label_text=f"{date_label}{c}"))
    if doc.due and doc.kind == "invoice":
        ident.append(para(fmt_date(doc.due, lang), st["right"], label_text=f"{L('due')}{c}"))
    ident.append(para(doc.client.id, st["right"], label_text=f"{L('client_id')}{c}"))
    head = Table([[hub_block, ident]], colWidths=[100 * mm, 74 * mm])
    head.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)])
    )
    story += [head, Spacer(1, 6 * mm)]

    # Client.
    client = doc.client
    cblock: list[Flowable] = [para(L("client"), st["small"]), para(client.name, st["bold"])]
    if client.address:
        cblock.append(para(client.address, st["base"]))
    if client.country != "BE":
        cblock.append(para(client.country, st["base"]))
    if client.vat_number:
        cblock.append(
            para(_fmt_vat(client.vat_number), st["base"], label_text=f"{L('vat_number')}{c}")
        )
    elif client.enterprise_number:
        cblock.append(
            para(
                fmt_enterprise(client.enterprise_number),
                st["base"],
                label_text=f"{L('enterprise')}{c}",
            )
        )
    ctable = Table([[cblock]], colWidths=[90 * mm])
    ctable.setStyle(
        TableStyle(
            [("BOX", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        )
    )
    outer = Table([["", ctable]], colWidths=[84 * mm, 90 * mm])
    outer.setStyle(
        TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    )
    story += [outer, Spacer(1, 6 * mm)]

    if doc.kind == "credit-note" and doc.reference is not None:
        story.append(
            para(
                L(
                    "refers_to",
                    number=doc.reference.number,
                    date=fmt_date(doc.reference.date, lang),
                ),
                st["legal"],
            )
        )
        if doc.reason:
            story.append(para(doc.reason, st["base"], label_text=f"{L('reason')}{c}"))
        story.append(Spacer(1, 4 * mm))

    # Lines.
    rows: list[list[Flowable]] = [
        [
            para(L("description"), st["bold"]),
            para(L("quantity"), st["right_bold"]),
            para(L("unit_price"), st["right_bold"]),
            para(L("rate"), st["right_bold"]),
            para(L("net"), st["right_bold"]),
        ]
    ]
    for line in doc.lines:
        rows.append(
            [
                para(line.description, st["base"]),
                para(fmt_number(line.quantity, lang), st["right"]),
                para(fmt_price(line.unit_price, lang), st["right"]),
                para(fmt_percent(line.vat_rate, lang), st["right"]),
                para(fmt_amount(line.net, lang), st["right"]),
            ]
        )
    table = Table(rows, colWidths=[78 * mm, 20 * mm, 30 * mm, 16 * mm, 30 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 5 * mm)]

    # VAT breakdown and totals.
    t = doc.totals
    brows: list[list[Flowable]] = [
        [
            para(L("breakdown"), st["bold"]),
            para(L("base"), st["right_bold"]),
            para(L("rate"), st["right_bold"]),
            para(L("vat"), st["right_bold"]),
        ]
    ]
    for g in t.groups:
        brows.append(
            [
                para(g.category, st["base"]),
                para(fmt_amount(g.base, lang), st["right"]),
                para(fmt_percent(g.rate, lang), st["right"]),
                para(fmt_amount(g.vat, lang), st["right"]),
            ]
        )
    breakdown = Table(brows, colWidths=[30 * mm, 28 * mm, 16 * mm, 24 * mm])
    breakdown.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black)]))
    due_label = L("to_pay") if doc.kind == "invoice" else L("to_credit")
    trows = [
        [para(L("total_net"), st["base"]), para(fmt_amount(t.net, lang), st["right"])],
        [para(L("total_vat"), st["base"]), para(fmt_amount(t.vat, lang), st["right"])],
        [para(L("total_gross"), st["bold"]), para(fmt_amount(t.gross, lang), st["right_bold"])],
        [para(due_label, st["bold"]), para(fmt_amount(t.gross, lang), st["right_bold"])],
    ]
    totals = Table(trows, colWidths=[40 * mm, 32 * mm])
    totals.setStyle(TableStyle([("LINEABOVE", (0, 2), (-1, 2), 0.8, colors.black)]))
    both = Table([[breakdown, totals]], colWidths=[100 * mm, 74 * mm])
    both.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)])
    )
    story += [KeepTogether([both]), Spacer(1, 5 * mm)]

    # Legal mentions about VAT.
    exemption = vat.exemption_text(config, lang)
    if exemption:
        story.append(para(exemption, st["legal"]))
    if doc.kind == "credit-note" and t.vat != 0:
        mention = vat.CREDIT_VAT_TEXT[lang]
        if lang == "en":
            mention += f" ({vat.CREDIT_VAT_TEXT['fr']})"
        story.append(para(mention, st["legal"]))
    story.append(Spacer(1, 5 * mm))

    # Payment: IBAN, BIC, structured communication and EPC QR code. A credit note asks for
    # nothing: it says what is refunded instead (no account, no communication to pay to).
    bank = config.main_bank
    if doc.kind == "credit-note":
        refund = [
            para(L("refund"), st["bold"]),
            para(fmt_amount(t.gross, lang), st["bold"], label_text=f"{L('to_credit')}{c}"),
            para(L("refund_text"), st["base"]),
        ]
        rtable = Table([[refund]], colWidths=[174 * mm])
        rtable.setStyle(TableStyle([("BOX", (0, 0), (0, 0), 0.5, colors.grey)]))
        story += [KeepTogether([rtable]), Spacer(1, 4 * mm)]
    pay: list[Flowable] = [para(L("payment"), st["bold"])]
    if doc.kind == "invoice":
        pay.append(para(L("payment_text"), st["base"]))
    pay.append(para(_fmt_iban(bank.iban), st["base"], label_text=f"{L('iban')}{c}"))
    if bank.bic:
        pay.append(para(bank.bic, st["base"], label_text=f"{L('bic')}{c}"))
    if doc.due and doc.kind == "invoice":
        pay.append(para(fmt_date(doc.due, lang), st["base"], label_text=f"{L('due')}{c}"))
    right: list[Flowable] = []
    if doc.ogm:
        pay.append(para(L("ogm") + c, st["base"]))
        pay.append(para(format_ogm(doc.ogm), st["ogm"]))
        if doc.kind == "invoice":
            qr = epc_qr(config, t.gross, doc.ogm)
            right = [QrFlowable(tuple(qr.matrix), 34 * mm), para(L("qr"), st["small"])]
    ptable = Table([[pay, right]], colWidths=[130 * mm, 44 * mm])
    ptable.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (0, 0), (0, 0), 0.5, colors.grey)]
        )
    )
    if doc.kind == "invoice":
        story.append(KeepTogether([ptable]))
        story.append(Spacer(1, 4 * mm))
    story.append(para(L("issuer", name=name_with_form(config)), st["small"]))

    footer = " · ".join(
        p
        for p in (
            name_with_form(config),
            f"{L('enterprise')} {fmt_enterprise(config.hub.enterprise_number)}",
            court_register(config.hub.court_register, lang),
            f"IBAN {_fmt_iban(bank.iban)}",
        )
        if p
    )
    regular = fonts()[0]

    def on_page(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, footer)
        canvas.drawRightString(A4[0] - 18 * mm, 7 * mm, f"{doc.number} – {canvas.getPageNumber()}")
        canvas.restoreState()

    title = f"{L(doc.kind).capitalize()} {doc.number}"
    return build_pdf(
        story, title=title, author=config.hub.name, on_page=on_page, creator="coopledger",
        producer="coopledger", subject="", keywords="", invariant=1,
    )  # fmt: skip


def _fmt_iban(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
