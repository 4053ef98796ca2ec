"""Any report as a PDF, on the one rendering module (:mod:`ledger.render`: its font, its
styles, escaped text, the page footer and the PDF builder), in the visual style of the
hub's invoices: the hub's name in bold at the top left, the title on the right, tables
ruled under their header and lightly between rows, the hub's identification in the footer
of every page with the page number — and, for a provisional report, the marking on every
page.

This module only lays a report's parts, paragraphs and tables (:mod:`reports.model`) out.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from reportlab.lib.pagesizes import landscape
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable

from ledger.render import (
    A4,
    ParagraphStyle,
    build_pdf,
    colors,
    fonts,
    mm,
    page_footer,
    para,
    styles,
)
from reports.model import Column, Paragraph, Report, Table

NUMERIC = ("money", "percent", "int")
WIDE_TABLE_COLUMNS = 8  # a report with a table this wide is printed in landscape
SMALL_TABLE_COLUMNS = 10  # and a table this wide in a smaller type


def money(value: Decimal, lang: str) -> str:
    """``1 234,56`` in French and Dutch, ``1,234.56`` in English."""
    text = f"{value:,.2f}"
    if lang in ("fr", "nl"):
        sep = "\u202f" if lang == "fr" else "."
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", sep)
    return text


def cell_text(column: Column, value: Any, lang: str) -> str:
    if value is None or value == "":
        return ""
    if column.kind == "money":
        return money(Decimal(value), lang)
    if column.kind == "percent":
        return f"{money(Decimal(value), lang)} %"
    if column.kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return str(value)


def _table(table: Table, width: float, lang: str, st: dict[str, ParagraphStyle]) -> RLTable:
    if len(table.columns) >= SMALL_TABLE_COLUMNS:
        st = {
            k: ParagraphStyle(f"{k}-small", parent=v, fontSize=7.5, leading=9.5)
            for k, v in st.items()
        }
    total_weight = sum(c.width for c in table.columns) or 1
    widths = [width * c.width / total_weight for c in table.columns]
    head = [
        para(c.label, st["right_bold"] if c.kind in NUMERIC else st["bold"]) for c in table.columns
    ]
    body = []
    commands: list[tuple[Any, ...]] = [
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for index, values in enumerate(table.rows, start=1):
        style = values.get("_style", "")
        bold = style in ("bold", "total", "head")
        cells = []
        for column in table.columns:
            text = cell_text(column, values.get(column.key), lang)
            if column.kind in NUMERIC:
                cells.append(para(text, st["right_bold"] if bold else st["right"]))
            else:
                indent = "    " if style == "sub" and column is table.columns[0] else ""
                cells.append(para(indent + text, st["bold"] if bold else st["base"]))
        body.append(cells)
        if style == "total":
            commands.append(("LINEABOVE", (0, index), (-1, index), 0.8, colors.black))
        if style == "head":
            commands.append(("BACKGROUND", (0, index), (-1, index), colors.HexColor("#F0F0F0")))
    out = RLTable([head, *body], colWidths=widths, repeatRows=1)
    out.setStyle(TableStyle(commands))
    return out


def render_pdf(report: Report) -> bytes:
    """The report's PDF bytes (deterministic for the same report)."""
    st = styles()
    bold = fonts()[1]
    wide = any(len(t.columns) >= WIDE_TABLE_COLUMNS for part in report.parts for t in part.tables)
    pagesize = landscape(A4) if wide else A4
    frame_width = pagesize[0] - 36 * mm - 12  # the frame pads 6 pt on each side
    story: list[Flowable] = []
    head = RLTable(
        [
            [
                para(report.hub_name, st["hub"]),
                [para(report.title, st["title"]), para(report.subtitle, st["subtitle"])],
            ]
        ],
        colWidths=[frame_width * 0.45, frame_width * 0.55],
    )
    head.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)])
    )
    story += [head, Spacer(1, 4 * mm)]
    if report.provisional:
        story += [para(report.provisional, st["warning"]), Spacer(1, 3 * mm)]
    for index, part in enumerate(report.parts):
        if index and any(len(t.rows) > 25 for t in part.tables):
            story.append(PageBreak())
        else:
            story.append(CondPageBreak(40 * mm))
        # The part's title goes with its first block: never alone at the foot of a page.
        pending: list[Flowable] = [para(part.title, st["heading"])]
        for block in part.blocks:
            flow: list[Flowable] = []
            if isinstance(block, Paragraph):
                style = st[block.style if block.style != "body" else "base"]
                flow += [para(block.text, style), Spacer(1, 1.5 * mm)]
            else:
                if block.title:
                    flow.append(para(block.title, st["bold"]))
                flow += [_table(block, frame_width, report.lang, st), Spacer(1, 4 * mm)]
            small = isinstance(block, Paragraph) or len(block.rows) <= 20
            if small:
                story.append(KeepTogether([*pending, *flow]))
            else:
                story += [CondPageBreak(60 * mm), *pending, *flow]
            pending = []
        story += pending

    def on_page(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        page_footer(canvas, pagesize, report.hub_footer, report.title)
        if report.provisional:
            canvas.setFont(bold, 8)
            canvas.setFillColor(colors.HexColor("#C00000"))
            canvas.drawString(18 * mm, pagesize[1] - 9 * mm, report.provisional)
            canvas.setFillColor(colors.HexColor("#F2D0D0"))
            canvas.setFont(bold, 54)
            canvas.translate(pagesize[0] / 2, pagesize[1] / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, 0, report.provisional.split(" ")[0])
        canvas.restoreState()

    return build_pdf(
        story, title=f"{report.title} {report.subtitle}", author=report.hub_name,
        on_page=on_page, pagesize=pagesize, creator="coopledger", producer="coopledger",
        subject="", keywords="", invariant=1,
    )  # fmt: skip
