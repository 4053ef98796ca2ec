"""Reading invoice lines: ``DESCRIPTION|QTY|UNIT_PRICE|VAT_RATE`` and TOML ``--from`` files."""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from invoicing.models import Lang, LineInput
from ledger.errors import InputError


def _error_text(exc: ValidationError) -> str:
    first = exc.errors()[0]
    msg = str(first["msg"]).removeprefix("Value error, ")
    loc = ".".join(str(p) for p in first["loc"])
    return msg if not loc or msg.startswith(loc.replace("_", " ")) else f"{loc}: {msg}"


def _decimal(text: str, field: str, where: str) -> Decimal:
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").rstrip("%")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # decimal comma, as Belgians write it
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InputError(f"{where}: {field} {text.strip()!r} is not a number") from None
    if not value.is_finite():
        raise InputError(f"{where}: {field} {text.strip()!r} is not a finite number")
    return value


def parse_line(text: str, where: str = "--line") -> LineInput:
    """Parse ``DESCRIPTION|QTY|UNIT_PRICE|VAT_RATE``; the description may contain ``|``."""
    parts = text.rsplit("|", 3)
    if len(parts) != 4:
        raise InputError(
            f"{where}: malformed line: expected DESCRIPTION|QTY|UNIT_PRICE|VAT_RATE "
            f"(VAT rate in percent), got {len(parts) - 1} '|' separator(s)"
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
        raise InputError(f"{where}: {_error_text(exc)}") from None


class _FileLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal

    @field_validator("quantity", "unit_price", "vat_rate", mode="before")
    @classmethod
    def _num(cls, value: Any) -> Any:
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return Decimal(value)
        if isinstance(value, str):
            try:
                return _decimal(value, "value", "line")
            except InputError:
                raise ValueError(f"{value.strip()!r} is not a number") from None
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


def read_invoice_file(path: Path) -> tuple[InvoiceFile, list[LineInput]]:
    """Read a TOML invoice file; returns its settings and its validated lines."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    try:
        parsed = InvoiceFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{path}: {_error_text(exc)}") from None
    lines: list[LineInput] = []
    for i, item in enumerate(parsed.lines, start=1):
        where = f"{path}: line {i}"
        if isinstance(item, str):
            lines.append(parse_line(item, where))
            continue
        if not isinstance(item, dict):
            raise InputError(
                f"{where}: expected a [[lines]] table or a 'DESC|QTY|PRICE|VAT' string"
            )
        try:
            table = _FileLine.model_validate(item)
        except ValidationError as exc:
            raise InputError(f"{where}: {_error_text(exc)}") from None
        lines.append(
            make_line(table.description, table.quantity, table.unit_price, table.vat_rate, where)
        )
    return parsed, lines
