"""Reading a supplier's Peppol BIS Billing 3.0 document (UBL Invoice or CreditNote).

Only what proves and settles the cost is read: who issued it and to whom (identifiers and
the supplier's name), its number, dates, currency, totals and VAT per category, the
invoice a credit note corrects, how to pay it (payment reference, IBAN) and the embedded
attachments. Free text (notes, line descriptions, contacts, delivery addresses) is left
in the XML, which is archived as the document itself.

Parsing refuses DTDs and entities, never touches the network, and reads at most
:data:`MAX_BYTES`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from lxml import etree

from invoicing.ubl import NS_CAC, NS_CBC, NS_ROOT
from invoicing.validation import dtd_problem
from ledger.i18n import _

MAX_BYTES = 50 * 1024 * 1024
NS = {"cac": NS_CAC, "cbc": NS_CBC}
ROOTS = {
    f"{{{NS_ROOT['invoice']}}}Invoice": "invoice",
    f"{{{NS_ROOT['credit-note']}}}CreditNote": "credit-note",
}
# UNTDID 1001 codes Peppol BIS 3.0 allows (BR-CL-01): credit notes, the rest invoices.
CREDIT_TYPE_CODES = frozenset({"81", "83", "381", "396", "532"})

Kind = Literal["invoice", "credit-note"]


class DocumentError(ValueError):
    """The file is not a readable UBL Invoice or CreditNote (message for the user)."""


@dataclass(frozen=True)
class Party:
    """The supplier or the buyer, as identified in the document."""

    endpoint: tuple[str, str] | None  # (EAS scheme, id), BT-34 / BT-49
    vat: str | None  # BT-31 / BT-48
    legal_id: tuple[str, str] | None  # (scheme or "", id), BT-30 / BT-47
    name: str  # registration name, else trading name

    @property
    def endpoint_text(self) -> str:
        return ":".join(self.endpoint) if self.endpoint else ""


@dataclass(frozen=True)
class TaxLine:
    """One VAT breakdown row (BG-23)."""

    category: str
    rate: Decimal
    base: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Attachment:
    """An embedded attachment (BG-24, ``EmbeddedDocumentBinaryObject``)."""

    mime: str
    filename: str
    payload: bytes


@dataclass(frozen=True)
class Payment:
    """How the supplier asks to be paid (BG-16)."""

    means: str
    reference: str  # BT-83 PaymentID, as written
    iban: str  # BT-84, as written


@dataclass(frozen=True)
class SupplierDocument:
    """What a supplier's invoice or credit note says, for booking it."""

    kind: Kind
    type_code: str
    number: str
    issued: dt.date
    due: dt.date | None
    currency: str
    supplier: Party
    buyer: Party
    net: Decimal  # BT-109 total without VAT
    vat: Decimal  # BT-110 VAT total in the document currency
    gross: Decimal  # BT-112 total with VAT
    prepaid: Decimal  # BT-113
    rounding: Decimal  # BT-114
    payable: Decimal  # BT-115
    taxes: tuple[TaxLine, ...]
    references: tuple[str, ...]  # BT-25 preceding invoices (a credit note's invoice)
    payment: Payment | None
    attachments: tuple[Attachment, ...]
    texts: tuple[tuple[str, str], ...] = ()  # (text, field): the free text, for a guard


def _text(el: etree._Element | None) -> str:
    return " ".join((el.text or "").split()) if el is not None else ""


def _find(node: etree._Element, path: str) -> etree._Element | None:
    found = node.find(path, NS)
    return found


def _amount(node: etree._Element, path: str, what: str, required: bool = True) -> Decimal:
    el = _find(node, path)
    if el is None or not _text(el):
        if required:
            raise DocumentError(_("no {what} ({split})", what=what, split=path.split(":")[-1]))
        return Decimal(0)
    try:
        value = Decimal(_text(el))
    except InvalidOperation:
        raise DocumentError(_("{what} is not a number", what=what)) from None
    if not value.is_finite() or abs(value) >= Decimal("1e10"):
        raise DocumentError(_("{what} is not a plausible amount", what=what))
    return value


def _date(node: etree._Element, path: str, what: str) -> dt.date | None:
    text = _text(_find(node, path))
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DocumentError(
            _("{what} {text!r} is not a date (YYYY-MM-DD)", what=what, text=text[:20])
        ) from None


def _party(node: etree._Element | None) -> Party:
    if node is None:
        return Party(None, None, None, "")
    endpoint_el = _find(node, "cbc:EndpointID")
    endpoint = None
    if endpoint_el is not None and _text(endpoint_el):
        endpoint = (endpoint_el.get("schemeID", "").strip(), _text(endpoint_el))
    vat = None
    for scheme in node.findall("cac:PartyTaxScheme", NS):
        if _text(_find(scheme, "cac:TaxScheme/cbc:ID")).upper() == "VAT":
            vat = _text(_find(scheme, "cbc:CompanyID")) or None
            break
    legal_el = _find(node, "cac:PartyLegalEntity/cbc:CompanyID")
    legal = (
        (legal_el.get("schemeID", "").strip(), _text(legal_el))
        if legal_el is not None and _text(legal_el)
        else None
    )
    name = _text(_find(node, "cac:PartyLegalEntity/cbc:RegistrationName")) or _text(
        _find(node, "cac:PartyName/cbc:Name")
    )
    return Party(endpoint, vat, legal, name)


def _tax_total(root: etree._Element, currency: str) -> tuple[Decimal, tuple[TaxLine, ...]]:
    """The VAT total in the document currency (BR-CO-14) and its breakdown; a second
    TaxTotal in the tax currency (BT-111) is not the amount owed."""
    for total in root.findall("cac:TaxTotal", NS):
        amount_el = _find(total, "cbc:TaxAmount")
        if amount_el is None or amount_el.get("currencyID", currency) != currency:
            continue
        vat = _amount(total, "cbc:TaxAmount", "the VAT total")
        lines = []
        for sub in total.findall("cac:TaxSubtotal", NS):
            rate_text = _text(_find(sub, "cac:TaxCategory/cbc:Percent")) or "0"
            try:
                rate = Decimal(rate_text)
            except InvalidOperation:
                raise DocumentError(_("a VAT rate is not a number")) from None
            lines.append(
                TaxLine(
                    category=_text(_find(sub, "cac:TaxCategory/cbc:ID")).upper(),
                    rate=rate,
                    base=_amount(sub, "cbc:TaxableAmount", "a VAT base"),
                    vat=_amount(sub, "cbc:TaxAmount", "a VAT amount"),
                )
            )
        return vat, tuple(lines)
    return Decimal(0), ()


def _attachments(root: etree._Element) -> tuple[Attachment, ...]:
    out = []
    for ref in root.findall("cac:AdditionalDocumentReference", NS):
        obj = _find(ref, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject")
        if obj is None or not (obj.text or "").strip():
            continue
        try:
            payload = base64.b64decode("".join((obj.text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            raise DocumentError(_("an embedded attachment is not valid base64")) from None
        out.append(
            Attachment(obj.get("mimeCode", "").strip().lower(), obj.get("filename", ""), payload)
        )
    return tuple(out)


def _payment(root: etree._Element) -> Payment | None:
    chosen = None
    for means in root.findall("cac:PaymentMeans", NS):
        payment = Payment(
            means=_text(_find(means, "cbc:PaymentMeansCode")),
            reference=_text(_find(means, "cbc:PaymentID")),
            iban=re.sub(r"\s", "", _text(_find(means, "cac:PayeeFinancialAccount/cbc:ID"))),
        )
        if chosen is None or (payment.iban and not chosen.iban):
            chosen = payment
    return chosen


FREE_TEXT = (
    ("cbc:Note", "a note"),
    ("cac:PaymentTerms/cbc:Note", "the payment terms"),
    ("cac:AdditionalDocumentReference/cbc:DocumentDescription", "an attachment's description"),
    (".//cac:Contact/cbc:Name", "a contact name"),
    (".//cac:Contact/cbc:ElectronicMail", "a contact e-mail"),
    (".//cac:Contact/cbc:Telephone", "a contact phone"),
    ("cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name", "the delivery party"),
    (".//cac:Address/cbc:StreetName", "a delivery address"),
    ("cac:InvoiceLine/cbc:Note", "a line note"),
    ("cac:CreditNoteLine/cbc:Note", "a line note"),
    (".//cac:Item/cbc:Name", "a line description"),
    (".//cac:Item/cbc:Description", "a line description"),
)


# What the entries copy from the document besides the supplier's name (its number, the
# payment reference and account, the supplier's identifiers, the invoices a credit note
# corrects): each a value a person's could be.
KEPT_TEXT = (
    ("cbc:ID", "the document number"),
    ("cac:PaymentMeans/cbc:PaymentID", "the payment reference"),
    ("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", "the supplier's account"),
    ("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", "the supplier's Peppol id"),
    ("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID",
     "the supplier's VAT number"),
    ("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", "the corrected invoice"),
)  # fmt: skip


def _texts(root: etree._Element, supplier: str) -> tuple[tuple[str, str], ...]:
    """The document's free text, where a person could be named, and what the entries copy
    from it: what a roster guard must see before the XML is archived and booked."""
    out = [(supplier, "the supplier's name")] if supplier else []
    for path, what in (*KEPT_TEXT, *FREE_TEXT):
        out += [(_text(el), what) for el in root.iterfind(path, NS) if _text(el)]
    return tuple(out)


def parse(payload: bytes) -> SupplierDocument:
    """The supplier document in ``payload``; :class:`DocumentError` if it is not one."""
    if len(payload) > MAX_BYTES:
        raise DocumentError(_("larger than 50 MB"))
    refused = dtd_problem(payload)
    if refused:
        raise DocumentError(refused)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )
    try:
        root = etree.fromstring(payload, parser)
    except etree.XMLSyntaxError:
        raise DocumentError(_("not well-formed XML")) from None
    kind = ROOTS.get(root.tag)
    if kind is None:
        raise DocumentError(_("not a UBL Invoice or CreditNote (Peppol BIS Billing 3.0)"))
    type_code = _text(
        _find(root, "cbc:InvoiceTypeCode" if kind == "invoice" else "cbc:CreditNoteTypeCode")
    )
    if kind == "invoice" and type_code in CREDIT_TYPE_CODES:
        kind = "credit-note"
    number = _text(_find(root, "cbc:ID"))
    if not number:
        raise DocumentError(_("no document number (cbc:ID)"))
    issued = _date(root, "cbc:IssueDate", "the issue date")
    if issued is None:
        raise DocumentError(_("no issue date (cbc:IssueDate)"))
    due = _date(root, "cbc:DueDate", "the due date") or _date(
        root, "cac:PaymentMeans/cbc:PaymentDueDate", "the due date"
    )
    currency = _text(_find(root, "cbc:DocumentCurrencyCode")).upper()
    totals = _find(root, "cac:LegalMonetaryTotal")
    if totals is None:
        raise DocumentError(_("no totals (cac:LegalMonetaryTotal)"))
    vat, taxes = _tax_total(root, currency)
    references = tuple(
        _text(el)
        for el in root.findall("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", NS)
        if _text(el)
    )
    supplier = _party(_find(root, "cac:AccountingSupplierParty/cac:Party"))
    return SupplierDocument(
        kind=kind,  # type: ignore[arg-type]
        type_code=type_code,
        number=number,
        issued=issued,
        due=due,
        currency=currency,
        supplier=supplier,
        buyer=_party(_find(root, "cac:AccountingCustomerParty/cac:Party")),
        net=_amount(totals, "cbc:TaxExclusiveAmount", "the total without VAT"),
        vat=vat,
        gross=_amount(totals, "cbc:TaxInclusiveAmount", "the total with VAT"),
        prepaid=_amount(totals, "cbc:PrepaidAmount", "the prepaid amount", required=False),
        rounding=_amount(totals, "cbc:PayableRoundingAmount", "the rounding", required=False),
        payable=_amount(totals, "cbc:PayableAmount", "the amount due"),
        taxes=taxes,
        references=references,
        payment=_payment(root),
        attachments=_attachments(root),
        texts=_texts(root, supplier.name),
    )
