"""A one-table report as CSV (UTF-8, comma, point as decimal separator, exact amounts).

Reports of several parts do not fit one CSV: they are refused with a one-line error that
points to xlsx (one sheet per part) or ``--json``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from ledger.errors import InputError
from ledger.i18n import _
from reports.model import Column, Report, Table


def _text(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.kind == "money":
        return f"{Decimal(value):.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def main_table(report: Report) -> Table:
    if report.csv_table is not None:
        return report.csv_table
    tables = [t for part in report.parts for t in part.tables]
    csv_tables = [t for t in tables if t.in_csv]
    if len(csv_tables) != 1:
        raise InputError(
            _(
                "--format csv: the {kind} report has {count} tables; "
                "use --format xlsx (one sheet per part) or --json",
                kind=report.kind,
                count=len(csv_tables),
            )
        )
    return csv_tables[0]


def render_csv(report: Report) -> bytes:
    table = main_table(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.key for c in table.columns])
    for values in table.rows:
        writer.writerow([_text(c, values.get(c.key)) for c in table.columns])
    return buffer.getvalue().encode("utf-8")
