"""Reading invoice lines: ``DESCRIPTION|QTY|UNIT_PRICE|VAT_RATE`` and TOML ``--from`` files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tomllib
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from invoicing.models import Lang, LineInput, validation_text
from ledger.config import toml_problem
from ledger.entries import MAX_AMOUNT, parse_number
from ledger.errors import InputError
from ledger.i18n import _, system_error


def _error_text(exc: ValidationError) -> str:
    first = exc.errors()[0]
    msg = validation_text(first)
    loc = ".".join(str(p) for p in first["loc"])
    if not loc or msg.startswith(loc.replace("_", " ")):
        return msg
    return _("{loc}: {msg}", loc=loc, msg=msg)


# What each field of a line may be, for the one number parser (ledger.entries): a
# quantity may be negative (a discount) and a price have four decimals (a price per gram);
# the model then says why a value is refused (zero, negative price, rate out of range).
NUMBER_FIELDS = {
    "quantity": {"places": 4, "signed": True, "maximum": Decimal(1_000_000)},
    "unit price": {"places": 4, "signed": True, "maximum": MAX_AMOUNT},
    "VAT rate": {"places": 2, "signed": True, "maximum": Decimal(1000)},
}


def _decimal(text: str | int | Decimal, field: str, where: str) -> Decimal:
    if isinstance(text, Decimal):
        text = format(text, "f")  # an invoice file's number (TOML), as it would be typed
    return parse_number(
        str(text),
        _("{where}: {field}", where=where, field=field),
        allow_zero=True,
        what="a number",
        example="2 or 2,5",
        **NUMBER_FIELDS[field],  # type: ignore[arg-type]
    )


def parse_line(text: str, where: str = "--line") -> LineInput:
    """Parse ``DESCRIPTION|QTY|UNIT_PRICE|VAT_RATE``; the description may contain ``|``."""
    parts = text.rsplit("|", 3)
    if len(parts) != 4:
        raise InputError(
            _(
                "{where}: malformed line: expected DESCRIPTION|QTY|UNIT_PRICE|VAT_RATE "
                "(VAT rate in percent), got {count} '|' separator(s)",
                where=where,
                count=len(parts) - 1,
            )
        )
    desc, qty, price, rate = parts
    return make_line(
        desc,
        _decimal(qty, "quantity", where),
        _decimal(price, "unit price", where),
        _decimal(rate, "VAT rate", where),
        where,
    )


def make_line(
    description: str, quantity: Decimal, unit_price: Decimal, vat_rate: Decimal, where: str
) -> LineInput:
    """Validate one line's fields; InputError naming ``where`` on failure."""
    try:
        return LineInput(
            description=description, quantity=quantity, unit_price=unit_price, vat_rate=vat_rate
        )
    except ValidationError as exc:
        raise InputError(
            _("{where}: {error_text}", where=where, error_text=_error_text(exc))
        ) from None


class _FileLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal

    @field_validator("quantity", "unit_price", "vat_rate", mode="before")
    @classmethod
    def _num(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, (int, str, Decimal)) and not isinstance(value, bool):
            field = {"unit_price": "unit price", "vat_rate": "VAT rate"}.get(
                str(info.field_name), "quantity"
            )
            try:
                return _decimal(value, field, "line")
            except InputError as exc:
                raise ValueError(exc.message.split(": ", 2)[-1]) from None
        raise ValueError("must be a number")


class InvoiceFile(BaseModel):
    """The content of an ``invoice issue --from FILE`` TOML file (every key optional)."""

    model_config = ConfigDict(extra="forbid")

    participant: str | None = None
    client: str | None = None
    date: dt.date | None = None
    due: dt.date | None = None
    lang: Lang | None = None
    lines: list[Any] = []  # tables or --line strings, each checked with its line number


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(
            _("{path}: cannot read: {strerror}", path=path, strerror=system_error(exc))
        ) from None


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(_read(path).decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(
            _("{path}: not valid TOML: {exc}", path=path, exc=toml_problem(exc))
        ) from None


def read_invoice_file(path: Path) -> tuple[InvoiceFile, list[LineInput]]:
    """Read a TOML invoice file; returns its settings and its validated lines."""
    return _one_invoice(_toml(path), str(path))


def _one_invoice(data: dict[str, Any], where_file: str) -> tuple[InvoiceFile, list[LineInput]]:
    try:
        parsed = InvoiceFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            _("{where_file}: {error_text}", where_file=where_file, error_text=_error_text(exc))
        ) from None
    lines: list[LineInput] = []
    for i, item in enumerate(parsed.lines, start=1):
        where = _("{where_file}: line {i}", where_file=where_file, i=i)
        if isinstance(item, str):
            lines.append(parse_line(item, where))
            continue
        if not isinstance(item, dict):
            raise InputError(
                _(
                    "{where}: expected a [[lines]] table or a 'DESC|QTY|PRICE|VAT' string",
                    where=where,
                )
            )
        try:
            table = _FileLine.model_validate(item)
        except ValidationError as exc:
            raise InputError(
                _("{where}: {error_text}", where=where, error_text=_error_text(exc))
            ) from None
        lines.append(
            make_line(table.description, table.quantity, table.unit_price, table.vat_rate, where)
        )
    return parsed, lines


BATCH_COLUMNS = ("participant", "client", "date", "due", "lang")
CSV_LINE_COLUMNS = ("description", "quantity", "unit_price", "vat_rate")


def read_invoice_batch(path: Path) -> list[tuple[InvoiceFile, list[LineInput]]]:
    """The invoices of an ``invoice issue --from FILE``: a TOML file with one invoice (its
    keys at the top) or many (``[[invoices]]`` tables, each with its ``lines``), or a CSV
    file with a header ``participant,client,date,due,lang,description,quantity,unit_price,
    vat_rate`` and one invoice line per row (rows with the same ``invoice`` column, when
    there is one, are the lines of one invoice; else each row is an invoice). Every error
    names the file and the invoice (or row)."""
    if path.suffix.lower() == ".csv":
        return _csv_batch(path)
    data = _toml(path)
    if "invoices" not in data:
        return [_one_invoice(data, str(path))]
    items = data.pop("invoices")
    if data or not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InputError(_("{path}: a batch file holds only [[invoices]] tables", path=path))
    if not items:
        raise InputError(_("{path}: no invoice in the file", path=path))
    return [
        _one_invoice(item, _("{path}: invoice {n}", path=path, n=n))
        for n, item in enumerate(items, 1)
    ]


def csv_rows(
    path: Path, required: Sequence[str], allowed: Sequence[str]
) -> list[tuple[int, dict[str, str]]]:
    """The rows of a batch CSV file (``,`` or ``;``, UTF-8, a header naming the columns,
    any case): ``(line number, column → stripped text)``, blank rows skipped. A missing
    or unknown column is one error naming the file."""
    try:
        text = _read(path).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(_("{path}: not UTF-8 text", path=path)) from None
    sample = text.split("\n", 1)[0]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in allowed]
    if missing or unknown:
        lacking = _("missing column(s) {columns}", columns=", ".join(missing))
        extra = _("unknown column(s) {columns}", columns=", ".join(unknown))
        what = _("{lacking}; {extra}", lacking=lacking, extra=extra) if missing and unknown else (
            lacking if missing else extra
        )  # fmt: skip
        raise InputError(_("{path}: {what}", path=path, what=what))
    out = []
    for rowno, raw in enumerate(reader, start=2):
        if raw.get(None):  # cells beyond the header's
            raise InputError(_("{path}: row {row}: more cells than the header has columns "
                               "(a decimal comma in a comma-separated file? use ';')",
                               path=str(path), row=rowno))  # fmt: skip
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if any(row.values()):
            out.append((rowno, row))
    return out


def batch_tables(path: Path, table: str) -> list[dict[str, Any]]:
    """The ``[[table]]`` tables of a batch TOML file (nothing else in it), at least one."""
    data = _toml(path)
    items = data.pop(table, None)
    if data or not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InputError(_("{path}: a batch file holds only [[{table}]] tables",
                           path=str(path), table=table))  # fmt: skip
    if not items:
        raise InputError(
            _("{path}: no [[{table}]] table in the file", path=str(path), table=table)
        )
    return items


def _csv_batch(path: Path) -> list[tuple[InvoiceFile, list[LineInput]]]:
    rows = csv_rows(
        path, ("participant", "client", *CSV_LINE_COLUMNS),
        (*BATCH_COLUMNS, *CSV_LINE_COLUMNS, "invoice"),
    )  # fmt: skip
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for rowno, row in rows:
        key = row.get("invoice") or f"row {rowno}"
        groups.setdefault(key, []).append((rowno, row))
    if not groups:
        raise InputError(_("{path}: no invoice in the file", path=path))
    out = []
    for rows in groups.values():
        first_row, first = rows[0]
        settings: dict[str, Any] = {k: first[k] for k in BATCH_COLUMNS if first.get(k)}
        for rowno, row in rows[1:]:
            for k in BATCH_COLUMNS:
                if row.get(k) and row[k] != first.get(k):
                    raise InputError(
                        _(
                            "{path}: row {rowno}: {k} differs from row {first_row} of the same "
                            "invoice",
                            path=path,
                            rowno=rowno,
                            k=k,
                            first_row=first_row,
                        )
                    )
        lines = [
            make_line(
                row["description"],
                _decimal(row["quantity"], _("quantity"), where),
                _decimal(row["unit_price"], _("unit price"), where),
                _decimal(row["vat_rate"], _("VAT rate"), where),
                where,
            )
            for rowno, row in rows
            for where in (_("{path}: row {rowno}", path=path, rowno=rowno),)
        ]
        parsed = _one_invoice(
            settings, _("{path}: row {first_row}", path=path, first_row=first_row)
        )[0]
        out.append((parsed, lines))
    return out
