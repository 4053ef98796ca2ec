"""Pydantic models of clients, invoice lines and issued documents (invoices, credit notes)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)
from stdnum import exceptions as stdnum_exceptions
from stdnum.eu import vat as eu_vat

from ledger.config import normalize_enterprise_number, normalize_vat_number, number_problem
from ledger.i18n import Message, _
from ledger.view import link_safe as link_safe  # re-exported

Lang = Literal["fr", "nl", "en"]
DocKind = Literal["invoice", "credit-note"]
CLIENT_ID_RE = re.compile(r"^C\d{4,}$")
PEPPOL_ID_RE = re.compile(r"^(\d{4}):([A-Za-z0-9][A-Za-z0-9.\-_]{0,49})$")
EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# CLDR regions that are not ISO 3166-1 countries (reserved or grouping codes).
NOT_COUNTRIES = frozenset(
    {"AC", "CP", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
)


@functools.cache
def country_codes() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes: CLDR's regions (Babel's locale data) less its reserved
    and grouping codes."""
    from babel import Locale  # 25 ms and 5 MiB at import that most commands never need

    codes = (str(c) for c in Locale("en").territories)
    return frozenset(c for c in codes if re.fullmatch(r"[A-Z]{2}", c)) - NOT_COUNTRIES


def clean_text(value: str, field: str, max_len: int, *, multiline: bool = False) -> str:
    """Strip ``value`` and refuse control characters and overlong text."""
    text = value.strip()
    allowed = text.replace("\n", "") if multiline else text
    if CONTROL_RE.search(allowed) or (not multiline and ("\n" in text or "\t" in text)):
        raise ValueError(_("{field}: control characters are not allowed", field=field))
    if len(text) > max_len:
        raise ValueError(_("{field}: at most {max_len} characters", field=field, max_len=max_len))
    return text


def normalize_country(value: str) -> str:
    """An ISO 3166-1 alpha-2 country code, upper case."""
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code) or code not in country_codes():
        raise ValueError(_("invalid country code: expected ISO 3166 alpha-2, e.g. BE"))
    return code


def normalize_foreign_vat(value: str) -> str:
    """A VAT number with its country prefix (any EU country), checked by python-stdnum."""
    compact = re.sub(r"[\s.\-]", "", value).upper()
    if compact.startswith("BE") or compact.isdigit():
        return normalize_vat_number(compact)
    try:
        return str(eu_vat.validate(compact))
    except stdnum_exceptions.ValidationError as exc:
        raise ValueError(_("invalid VAT number: {exc}", exc=number_problem(exc))) from None


def normalize_peppol_id(value: str) -> str:
    """``SCHEME:ID`` (ISO 6523 ICD scheme, 4 digits); Belgian schemes are checked."""
    text = value.strip()
    text = text.removeprefix("iso6523-actorid-upis::")
    m = PEPPOL_ID_RE.match(text)
    if not m:
        raise ValueError(_("invalid Peppol id: expected SCHEME:ID, e.g. 0208:0123456789"))
    scheme, ident = m.groups()
    if scheme == "0208":
        ident = normalize_enterprise_number(ident)
    elif scheme == "9925":
        ident = normalize_vat_number(ident)
    return f"{scheme}:{ident}"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Client(_Model):
    """A client of the hub: a business (enterprise or VAT number, Peppol id) or a person."""

    id: str
    name: str = Field(min_length=1, max_length=200)
    enterprise_number: str | None = None
    vat_number: str | None = None
    address: str = ""
    country: str = "BE"
    peppol_id: str | None = None
    email: str | None = None
    lang: Lang | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not CLIENT_ID_RE.match(value):
            raise ValueError(_("invalid client id: expected C0001, C0002…"))
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        text = clean_text(value, "name", 200)
        if not text:
            raise ValueError(_("name: must not be empty"))
        return text

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        return clean_text(value, "address", 300)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        return normalize_country(value)

    @field_validator("enterprise_number")
    @classmethod
    def _enterprise(cls, value: str | None) -> str | None:
        return None if not value else normalize_enterprise_number(value)

    @field_validator("vat_number")
    @classmethod
    def _vat(cls, value: str | None) -> str | None:
        return None if not value else normalize_foreign_vat(value)

    @field_validator("peppol_id")
    @classmethod
    def _peppol(cls, value: str | None) -> str | None:
        return None if not value else normalize_peppol_id(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if not value:
            return None
        text = value.strip()
        if not EMAIL_RE.match(text) or len(text) > 254:
            raise ValueError(_("email: not an e-mail address"))
        return text

    @model_validator(mode="before")
    @classmethod
    def _derive_enterprise(cls, data: Any) -> Any:
        """A Belgian VAT number implies the enterprise number (same 10 digits)."""
        if not isinstance(data, dict):
            return data
        vat = data.get("vat_number")
        if vat and not data.get("enterprise_number"):
            compact = re.sub(r"[\s.\-]", "", str(vat)).upper()
            if compact.startswith("BE"):
                data = {**data, "enterprise_number": compact[2:]}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Client:
        if self.enterprise_number and self.country != "BE":
            raise ValueError(
                _(
                    "enterprise_number: a Belgian enterprise number needs country BE "
                    "(give a foreign client's --vat-number or --peppol-id instead)"
                )
            )
        if (
            self.enterprise_number
            and self.vat_number
            and self.vat_number.startswith("BE")
            and self.vat_number[2:] != self.enterprise_number
        ):
            raise ValueError(_("vat_number: does not match the enterprise number"))
        return self

    @property
    def is_business(self) -> bool:
        """Businesses get a Peppol e-invoice; private persons get the PDF only."""
        return bool(self.enterprise_number or self.vat_number or self.peppol_id)

    def endpoint(self) -> tuple[str, str] | None:
        """The Peppol ``(scheme, id)`` to address the client, or None if there is none."""
        if self.peppol_id:
            scheme, ident = self.peppol_id.split(":", 1)
            return scheme, ident
        if self.enterprise_number:
            return "0208", self.enterprise_number
        return None


class LineInput(_Model):
    """One invoice line as given by the user (VAT rate in percent)."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        text = clean_text(value, "description", 300)
        if not text:
            raise ValueError(_("description: must not be empty"))
        return text

    @field_validator("quantity")
    @classmethod
    def _quantity(cls, value: Decimal) -> Decimal:
        _check_decimal(value, "quantity", 4)
        if value == 0:
            raise ValueError(_("quantity: must not be zero"))
        return value

    @field_validator("unit_price")
    @classmethod
    def _price(cls, value: Decimal) -> Decimal:
        _check_decimal(value, "unit price", 4)
        if value < 0:
            raise ValueError(
                _("unit price: must not be negative (use a negative quantity for a discount)")
            )
        return value

    @field_validator("vat_rate")
    @classmethod
    def _rate(cls, value: Decimal) -> Decimal:
        _check_decimal(value, "VAT rate", 2)
        if value < 0 or value > 100:
            raise ValueError(_("VAT rate: must be a percentage between 0 and 100"))
        return value


def _check_decimal(value: Decimal, field: str, places: int) -> None:
    if not value.is_finite():
        raise ValueError(_("{field}: not a finite number", field=field))
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise ValueError(_("{field}: at most {places} decimals", field=field, places=places))
    if abs(value) >= Decimal("1e9"):
        raise ValueError(_("{field}: too large", field=field))


class Line(_Model):
    """An invoice line with its computed net amount and VAT category."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    category: str
    net: Decimal


class VatGroup(_Model):
    """One row of the VAT breakdown: a category and rate, its base and its VAT."""

    category: str
    rate: Decimal
    base: Decimal
    vat: Decimal


class Totals(_Model):
    """Totals of a document; VAT is computed per rate on the total of the rate's lines."""

    net: Decimal
    vat: Decimal
    gross: Decimal
    groups: tuple[VatGroup, ...]


class InvoiceRef(_Model):
    """The invoice a credit note corrects (number and date, as Belgian law requires)."""

    number: str
    date: dt.date


class Document(_Model):
    """An issued invoice or credit note: everything the PDF, the UBL and the entry need."""

    kind: DocKind
    number: str
    series: str
    seq: int
    date: dt.date
    due: dt.date | None
    lang: Lang
    participant: str
    client: Client
    lines: tuple[Line, ...]
    totals: Totals
    ogm: str | None = None
    reference: InvoiceRef | None = None
    reason: str | None = None
    # A credit note on the invoice of a participant closed since: the hub bears the
    # reversal of her share (its own sales are reduced; nothing is taken from her). Kept
    # in the record only when true, so every other record reads as it always did.
    hub_bears: bool = False

    @model_serializer(mode="wrap")
    def _record(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        if not self.hub_bears:
            out.pop("hub_bears", None)
        return out

    @property
    def link(self) -> str:
        """The Beancount link of this document (``inv-…`` or ``cn-…``)."""
        return ("inv-" if self.kind == "invoice" else "cn-") + link_safe(self.number)


def validation_text(error: Any) -> str:
    """Why pydantic refused a value: our validator's own message (a :class:`Message`, shown
    in the user's language) when it raised one, else pydantic's text."""
    raised = (error.get("ctx") or {}).get("error")
    if isinstance(raised, ValueError) and raised.args and isinstance(raised.args[0], Message):
        return raised.args[0]
    return str(error["msg"]).removeprefix("Value error, ")
