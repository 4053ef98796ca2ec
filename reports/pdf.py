"""Any report as a PDF (reportlab), in the visual style of the hub's invoices: the hub's
name in bold at the top left, the title on the right, DejaVu Sans 9 pt, tables ruled under
their header and lightly between rows, the hub's identification in the footer of every
page with the page number — and, for a provisional report, the marking on every page.

Every piece of text goes through :func:`para` (escaped), so reportlab's markup in a label
or a narration is printed, never obeyed. The PDF helpers of the reports live here only, so
they can join the invoice's renderer in one module.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
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
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from invoicing.pdf import fonts
from reports.model import Column, Paragraph, Report, Table

NUMERIC = ("money", "percent", "int")
WIDE_TABLE_COLUMNS = 8  # a report with a table this wide is printed in landscape
SMALL_TABLE_COLUMNS = 10  # and a table this wide in a smaller type


def styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=11.5)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
        "bold": ParagraphStyle("bold", parent=base, fontName=bold),
        "hub": ParagraphStyle("hub", parent=base, fontName=bold, fontSize=13, leading=16),
        "title": ParagraphStyle(
            "title", parent=base, fontName=bold, fontSize=16, leading=20, alignment=TA_RIGHT
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, alignment=TA_RIGHT),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            fontName=bold,
            fontSize=11,
            leading=14,
            spaceBefore=4,
            spaceAfter=6,
        ),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "right_bold": ParagraphStyle("right_bold", parent=base, fontName=bold, alignment=TA_RIGHT),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=10, textColor="#444444"),
        "warning": ParagraphStyle(
            "warning", parent=base, fontName=bold, textColor=colors.HexColor("#C00000")
        ),
    }


def para(text: str, style: ParagraphStyle) -> RLParagraph:
    """A paragraph of plain text (escaped; line breaks kept)."""
    return RLParagraph(escape(text).replace("\n", "<br/>"), style)


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
    regular, bold = fonts()
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
        canvas.setFont(regular, 7)
        canvas.drawCentredString(pagesize[0] / 2, 12 * mm, report.hub_footer)
        canvas.drawRightString(
            pagesize[0] - 18 * mm, 7 * mm, f"{report.title} – {canvas.getPageNumber()}"
        )
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

    buf = io.BytesIO()
    template = SimpleDocTemplate(
        buf,
        pagesize=pagesize,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=20 * mm,
        title=f"{report.title} {report.subtitle}",
        author=report.hub_name,
        creator="coopledger",
        producer="coopledger",
        subject="",
        keywords="",
        invariant=1,
    )
    template.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()
