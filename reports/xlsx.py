"""Any report as an xlsx workbook (openpyxl): one sheet per part, real numbers with number
formats (never text), dates as dates, the header row of the part's first table frozen."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.model import Column, Paragraph, Report, Table

MONEY_FORMAT = "#,##0.00;-#,##0.00;0.00"
PERCENT_FORMAT = "0.00%"
INT_FORMAT = "0"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
THIN = Side(style="thin", color="000000")
WIDTH_UNIT = 14


def _value(column: Column, value: Any) -> Any:
    if value is None or value == "":
        return None
    if column.kind == "money":
        return Decimal(value)
    if column.kind == "percent":
        return Decimal(value) / 100
    if column.kind == "int":
        return int(value)
    if column.kind == "date":
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return str(value)


def _format(column: Column) -> str | None:
    return {
        "money": MONEY_FORMAT,
        "percent": PERCENT_FORMAT,
        "int": INT_FORMAT,
        "date": DATE_FORMAT,
    }.get(column.kind)


def _write_table(ws: Worksheet, table: Table, row_no: int) -> tuple[int, int]:
    """Write ``table`` from ``row_no``; returns (header row, next free row)."""
    if table.title:
        ws.cell(row=row_no, column=1, value=table.title).font = Font(bold=True, size=11)
        row_no += 1
    header = row_no
    for col_no, column in enumerate(table.columns, start=1):
        cell = ws.cell(row=row_no, column=col_no, value=column.label)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = Border(bottom=THIN)
        cell.alignment = Alignment(
            horizontal="right" if column.kind in ("money", "percent", "int") else "left",
            wrap_text=True,
            vertical="top",
        )
    for values in table.rows:
        row_no += 1
        style = values.get("_style", "")
        for col_no, column in enumerate(table.columns, start=1):
            cell = ws.cell(row=row_no, column=col_no, value=_value(column, values.get(column.key)))
            fmt = _format(column)
            if fmt:
                cell.number_format = fmt
            if style in ("bold", "total", "head"):
                cell.font = Font(bold=True)
            if style == "total":
                cell.border = Border(top=THIN)
            if style == "muted":
                cell.font = Font(italic=True, color="666666")
            if style == "sub" and col_no == 1:
                cell.alignment = Alignment(indent=2)
    return header, row_no + 2


def render_xlsx(report: Report) -> bytes:
    """The workbook's bytes (the same report gives the same cells; the file carries no
    creation time of its own)."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "coopledger"
    wb.properties.title = report.title
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    used: set[str] = set()
    for part in report.parts:
        name = _sheet_name(part.key, used)
        ws = wb.create_sheet(name)
        ws.cell(row=1, column=1, value=f"{report.hub_name} — {report.title}").font = Font(
            bold=True, size=13
        )
        ws.cell(row=2, column=1, value=f"{part.title} · {report.subtitle}").font = Font(bold=True)
        # Fixed layout: title, part and period, the provisional marking (or nothing), a
        # blank row, then the part's first table from row 5.
        if report.provisional:
            cell = ws.cell(row=3, column=1, value=report.provisional)
            cell.font = Font(bold=True, color="C00000")
        row_no = 5
        frozen = None
        widths: dict[int, float] = {}
        for block in part.blocks:
            if isinstance(block, Paragraph):
                cell = ws.cell(row=row_no, column=1, value=block.text)
                cell.font = Font(
                    bold=block.style in ("heading", "warning"),
                    italic=block.style == "note",
                    color="C00000" if block.style == "warning" else None,
                )
                row_no += 1
                continue
            header, row_no = _write_table(ws, block, row_no)
            frozen = frozen or header
            for col_no, column in enumerate(block.columns, start=1):
                widths[col_no] = max(widths.get(col_no, 0), column.width)
        if frozen:
            ws.freeze_panes = ws.cell(row=frozen + 1, column=1)
        for col_no, width in widths.items():
            ws.column_dimensions[get_column_letter(col_no)].width = WIDTH_UNIT * width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _sheet_name(key: str, used: set[str]) -> str:
    name = "".join(c for c in key if c not in "[]:*?/\\")[:31] or "Sheet"
    base, n = name, 1
    while name in used:
        n += 1
        name = f"{base[:28]}-{n}"
    used.add(name)
    return name
