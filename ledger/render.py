"""The one rendering module of coopledger's documents (reportlab): the invoice and the
credit note, the participant's statement, the cash receipt, and the reports
(``reports/pdf.py`` lays a report's parts and tables out with these pieces).

One font (DejaVu Sans where Debian has it, else Vera, else Helvetica), one set of styles,
one way to put text on a page (:func:`para`, which escapes: reportlab's markup in a name
or a description is printed, never obeyed), the EPC QR code as vector squares, and one
way to build a PDF (:func:`build_pdf`, deterministic: the same input gives the same
bytes). The words come from the one catalogue, :mod:`ledger.i18n`.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

_FONT_CANDIDATES = (
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (
        Path(pdfmetrics.__file__).parent.parent / "fonts" / "Vera.ttf",
        Path(pdfmetrics.__file__).parent.parent / "fonts" / "VeraBd.ttf",
    ),
)
_fonts: tuple[str, str] | None = None


def fonts() -> tuple[str, str]:
    """Register a Unicode TrueType font once (DejaVu, else Vera), else use Helvetica."""
    global _fonts
    if _fonts is None:
        _fonts = ("Helvetica", "Helvetica-Bold")
        for regular, bold in _FONT_CANDIDATES:
            if regular.exists() and bold.exists():
                pdfmetrics.registerFont(TTFont("CLSans", str(regular)))
                pdfmetrics.registerFont(TTFont("CLSans-Bold", str(bold)))
                pdfmetrics.registerFontFamily(
                    "CLSans",
                    normal="CLSans",
                    bold="CLSans-Bold",
                    italic="CLSans",
                    boldItalic="CLSans-Bold",
                )
                _fonts = ("CLSans", "CLSans-Bold")
                break
    return _fonts


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    """The one set of styles, made once per process (a style is never changed once made;
    one set also lets :func:`para` reuse what it parsed of a text)."""
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
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "right_bold": ParagraphStyle("right_bold", parent=base, fontName=bold, alignment=TA_RIGHT),
        "ogm": ParagraphStyle("ogm", parent=base, fontName=bold, fontSize=12, leading=15),
        "legal": ParagraphStyle("legal", parent=base, fontName=bold, fontSize=9.5, leading=12),
        # the reports': the period under the title, a part's heading, notes and warnings
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
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=10, textColor="#444444"),
        "warning": ParagraphStyle(
            "warning", parent=base, fontName=bold, textColor=colors.HexColor("#C00000")
        ),
    }


def para(text: str, style: ParagraphStyle, *, label_text: str | None = None) -> Paragraph:
    """A paragraph of plain text (escaped); ``label_text`` is printed in bold before it."""
    body = escape(text).replace("\n", "<br/>")
    if label_text is not None:
        body = f"<b>{escape(label_text)}</b> {body}"
    return Text(body, style, frags=_parsed(body, style))


@functools.lru_cache(maxsize=4096)
def _parsed(body: str, style: ParagraphStyle) -> list[Any]:
    """What reportlab's parser makes of ``body`` in ``style``, parsed once per process: a
    batch's labels and the hub's lines recur on every page. reportlab never changes these
    fragments in place (it breaks lines on clones), so paragraphs may share them."""
    return Paragraph(body, style).frags


class Text(Paragraph):
    """A paragraph that breaks its lines once per width: a table asks each cell for its
    size two or three times at the same width (sizing the rows, then drawing them)."""

    _wrapped: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # A paragraph's lines depend on the width only (reportlab ignores the height); a
        # split that found no room drops them (``blPara``): then they are broken again.
        wrapped = self._wrapped
        if wrapped is not None and wrapped[0] == availWidth and "blPara" in self.__dict__:
            return wrapped[1]
        size = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, size)
        return size


class QrFlowable(Flowable):
    """A QR code drawn as vector squares (no raster image, sharp at any zoom)."""

    def __init__(self, matrix: tuple[bytearray, ...], size: float) -> None:
        super().__init__()
        self.matrix = matrix
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        n = len(self.matrix) + 8  # quiet zone of 4 modules each side
        module = self.size / n
        path = self.canv.beginPath()
        for y, row in enumerate(self.matrix):
            x = 0
            while x < len(row):  # one rectangle per horizontal run of dark modules
                if not row[x]:
                    x += 1
                    continue
                start = x
                while x < len(row) and row[x]:
                    x += 1
                path.rect(
                    (start + 4) * module,
                    self.size - (y + 5) * module,
                    (x - start) * module,
                    module,
                )
        self.canv.setFillColor(colors.black)
        self.canv.drawPath(path, fill=1, stroke=0)


def build_pdf(
    story: list[Flowable], *, title: str, author: str, margins: tuple[float, ...] | None = None,
    on_page: Callable[[Canvas, SimpleDocTemplate], None] | None = None,
    pagesize: tuple[float, float] = A4, **settings: Any,
) -> bytes:  # fmt: skip
    """The PDF bytes of ``story`` on A4 pages, or ``pagesize`` (``landscape(A4)`` for a wide
    report; ``margins``: left, right, top, bottom)."""
    left, right, top, bottom = margins or (18 * mm, 18 * mm, 16 * mm, 20 * mm)
    buf = io.BytesIO()
    template = SimpleDocTemplate(
        buf, pagesize=pagesize, leftMargin=left, rightMargin=right, topMargin=top,
        bottomMargin=bottom, title=title, author=author, **settings,
    )  # fmt: skip
    if on_page is None:
        template.build(story)
    else:
        template.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()


def page_footer(canvas: Canvas, pagesize: tuple[float, float], footer: str, label: str) -> None:
    """The foot of a page: the hub's identification centred, the document's label and the
    page number on the right (call it between ``saveState`` and ``restoreState``)."""
    canvas.setFont(fonts()[0], 7)
    canvas.drawCentredString(pagesize[0] / 2, 12 * mm, footer)
    canvas.drawRightString(pagesize[0] - 18 * mm, 7 * mm, f"{label} – {canvas.getPageNumber()}")


def page_canvas(buf: io.BytesIO, title: str, author: str) -> Canvas:
    """A blank A4 canvas for a one-page form drawn by hand (the cash receipt)."""
    pdf = Canvas(buf, pagesize=A4, invariant=1)
    pdf.setTitle(title)
    pdf.setAuthor(author)
    return pdf


__all__ = ["A4", "TA_RIGHT", "ParagraphStyle", "QrFlowable", "build_pdf", "colors", "fonts",
           "mm", "page_canvas", "page_footer", "para", "styles"]  # fmt: skip
