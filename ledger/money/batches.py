"""Batch files of ``payout add --from FILE`` and ``expense add --from FILE`` (issue 16).

A batch is a TOML file of ``[[payouts]]`` (``[[expenses]]``) tables, one per payout
(cost), or a CSV file (``,`` or ``;``) whose header names the columns, one per row — the
conventions of ``invoice issue --from`` (:mod:`invoicing.lines` reads both files). Every
value is read as the text a user would type on the command line, so amounts go through
the one amount parser (``12,50`` is accepted, a third decimal refused) and dates through
the one date parser; every text passes the roster guard (no participant's name, IBAN,
phone, e-mail or address), and an error names the file and the row, never the value.

The whole batch is one transaction of the books: one bad row, and nothing is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from invoicing.lines import batch_tables, csv_rows
from ledger.config import parse_date
from ledger.errors import CoopledgerError, InputError
from ledger.i18n import _
from ledger.privacy.guard import TextGuard

# The most rows one batch may hold (a file is read whole, its rows checked before the lock).
MAX_ROWS = 10_000
TRUE = ("true", "yes", "1", "oui", "ja")
FALSE = ("false", "no", "0", "non", "nee", "")


@dataclass(frozen=True)
class BatchRow:
    """One row of a batch file: where it is (for messages) and its values, as text."""

    where: str
    values: dict[str, str]

    def text(self, column: str) -> str | None:
        """The value of ``column``, or None when the row leaves it empty."""
        return self.values.get(column) or None

    def date(self, column: str = "date") -> dt.date | None:
        value = self.text(column)
        return parse_date(value) if value else None

    def flag(self, column: str) -> bool:
        value = (self.text(column) or "").lower()
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        raise InputError(_("{column}: expected true or false", column=column))


def _as_text(value: Any, column: str) -> str:
    """A TOML value as the text a user types: numbers as written (``12.50``), dates in ISO."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | str):
        return str(value).strip()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    raise InputError(_("{column}: expected a text, a number or a date", column=column))


def read_batch(
    path: Path, table: str, columns: Sequence[str], required: Sequence[str], guard: TextGuard
) -> list[BatchRow]:
    """The rows of a batch file (see the module's docstring), each text checked by
    ``guard``. ``table`` names the TOML tables (``payouts``) and the rows in messages."""
    where_path = str(path)
    rows: list[BatchRow] = []
    if path.suffix.lower() == ".csv":
        for rowno, values in csv_rows(path, required, columns):
            rows.append(BatchRow(f"{where_path}: row {rowno}", values))
    else:
        one = table.removesuffix("s")
        for number, item in enumerate(batch_tables(path, table), start=1):
            where = f"{where_path}: {one} {number}"
            with naming(where, read=True):
                unknown = sorted(k for k in item if k not in columns)
                if unknown:
                    raise InputError(_("unknown key(s) {keys}", keys=", ".join(unknown)))
                values = {k: _as_text(v, k) for k, v in item.items()}
            rows.append(BatchRow(where, values))
    if not rows:
        raise InputError(_("{path}: no row in the file", path=where_path))
    if len(rows) > MAX_ROWS:
        raise InputError(_("{path}: more than {count} rows", path=where_path, count=MAX_ROWS))
    for row in rows:
        with naming(row.where, read=True):
            missing = [c for c in required if not row.text(c)]
            if missing:
                raise InputError(_("{columns} missing", columns=", ".join(missing)))
            guard.check_all((value, column) for column, value in row.values.items())
    return rows


@contextlib.contextmanager
def naming(where: str | None, read: bool = False) -> Iterator[None]:
    """An error about one row of a batch names the row and says nothing was written
    (``read``: the file was refused as it was read)."""
    try:
        yield
    except CoopledgerError as exc:
        if where:
            what = _("nothing was read") if read else _("nothing was booked")
            exc.message = _("{where}: {message}; {what}", where=where, message=exc.message,
                            what=what)  # fmt: skip
            exc.args = (exc.message,)
        raise


def refuse_repeats(keys: Sequence[tuple[str, object]], what: str) -> None:
    """Refuse a row that repeats an earlier one exactly (a line copied twice would pay
    twice): ``keys`` are ``(where, what the row asks)``; ``what`` is ``_("payout")``…"""
    seen: dict[object, str] = {}
    for where, key in keys:
        if key in seen:
            with naming(where):
                raise InputError(
                    _("the same {what} as {other}; book a repeated {what} on its own",
                      what=what, other=seen[key])
                )  # fmt: skip
        seen[key] = where
