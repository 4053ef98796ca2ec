"""Peppol BIS Billing 3.0 (UBL 2.1) Invoice and CreditNote for business clients.

Belgian identifiers: the hub's endpoint and legal registration are its enterprise number
under scheme 0208; a VAT number is ``BE`` + 10 digits (scheme 9925 when used as an
endpoint). VAT categories: S (standard), Z (zero rated), E (exempt, with the legal reason).
The payment reference (BT-83, ``cbc:PaymentID``) is the OGM. Element order follows the
UBL 2.1 schema; lxml escapes every text.
"""

from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree

from invoicing import vat
from invoicing.models import Client, Document
from ledger.config import HubConfig

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS_ROOT = {
    "invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "credit-note": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
UNIT_CODE = "C62"  # "one": a unit of service or goods
PAYMENT_MEANS_CREDIT_TRANSFER = "30"
POSTAL_RE = re.compile(r"^(?P<street>.*?),?\s*(?P<zip>\d{4,5})\s+(?P<city>[^,\d][^,]*)$")
TERMS = {
    "fr": "Paiement à {days} jours, avec la communication structurée",
    "nl": "Betaling binnen {days} dagen, met de gestructureerde mededeling",
    "en": "Payment within {days} days, with the structured communication",
}


class _Builder:
    """Small helper adding cac/cbc children in schema order."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    def cac(self, parent: etree._Element, name: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{NS_CAC}}}{name}")

    def cbc(
        self, parent: etree._Element, name: str, text: str | None, **attrs: str
    ) -> etree._Element | None:
        if text is None or text == "":
            return None  # Peppol forbids empty elements (PEPPOL-EN16931-R008)
        el = etree.SubElement(parent, f"{{{NS_CBC}}}{name}", attrs)
        el.text = text
        return el

    def amount(self, parent: etree._Element, name: str, value: Decimal) -> None:
        self.cbc(parent, name, fmt_amount(value), currencyID=self.currency)


def fmt_amount(value: Decimal) -> str:
    """Two decimals, dot as separator."""
    return f"{value.quantize(Decimal('0.01')):.2f}"


def fmt_decimal(value: Decimal) -> str:
    """A quantity, price or percent without trailing zeros."""
    text = format(value.normalize(), "f")
    return text


def split_address(address: str) -> tuple[str | None, str | None, str | None]:
    """``(street, postal zone, city)`` from ``"Rue X 1, 1000 Bruxelles"`` (best effort)."""
    text = " ".join(address.split())
    if not text:
        return None, None, None
    m = POSTAL_RE.match(text)
    if m and m.group("street"):
        return m.group("street").strip(" ,") or None, m.group("zip"), m.group("city").strip()
    return text, None, None


def _tax_scheme(b: _Builder, parent: etree._Element, scheme: str = "VAT") -> None:
    ts = b.cac(parent, "TaxScheme")
    b.cbc(ts, "ID", scheme)


def _supplier(b: _Builder, root: etree._Element, config: HubConfig) -> None:
    hub = config.hub
    party = b.cac(b.cac(root, "AccountingSupplierParty"), "Party")
    b.cbc(party, "EndpointID", hub.enterprise_number, schemeID="0208")
    pid = b.cac(party, "PartyIdentification")
    b.cbc(pid, "ID", hub.enterprise_number, schemeID="0208")
    b.cbc(b.cac(party, "PartyName"), "Name", hub.name)
    addr = b.cac(party, "PostalAddress")
    b.cbc(addr, "StreetName", hub.address)
    b.cbc(addr, "CityName", hub.city)
    b.cbc(addr, "PostalZone", hub.postal_code)
    b.cbc(b.cac(addr, "Country"), "IdentificationCode", hub.country)
    if hub.vat_number:
        pts = b.cac(party, "PartyTaxScheme")
        b.cbc(pts, "CompanyID", hub.vat_number)
        _tax_scheme(b, pts, "VAT")
    else:
        # BT-32, seller tax registration identifier: an exempt hub without VAT number is
        # identified by its enterprise number (BR-E-02).
        pts = b.cac(party, "PartyTaxScheme")
        b.cbc(pts, "CompanyID", hub.enterprise_number)
        _tax_scheme(b, pts, "LOC")
    legal = b.cac(party, "PartyLegalEntity")
    b.cbc(legal, "RegistrationName", hub.name)
    b.cbc(legal, "CompanyID", hub.enterprise_number, schemeID="0208")
    b.cbc(legal, "CompanyLegalForm", f"{hub.legal_form} – {hub.court_register}".strip(" –"))
    if hub.email:
        contact = b.cac(party, "Contact")
        b.cbc(contact, "ElectronicMail", hub.email)


def _customer(b: _Builder, root: etree._Element, client: Client) -> None:
    party = b.cac(b.cac(root, "AccountingCustomerParty"), "Party")
    endpoint = client.endpoint()
    if endpoint is None:
        raise ValueError(f"client {client.id} has no Peppol address")
    b.cbc(party, "EndpointID", endpoint[1], schemeID=endpoint[0])
    if client.enterprise_number:
        pid = b.cac(party, "PartyIdentification")
        b.cbc(pid, "ID", client.enterprise_number, schemeID="0208")
    b.cbc(b.cac(party, "PartyName"), "Name", client.name)
    addr = b.cac(party, "PostalAddress")
    street, zone, city = split_address(client.address)
    b.cbc(addr, "StreetName", street)
    b.cbc(addr, "CityName", city)
    b.cbc(addr, "PostalZone", zone)
    b.cbc(b.cac(addr, "Country"), "IdentificationCode", client.country)
    if client.vat_number:
        pts = b.cac(party, "PartyTaxScheme")
        b.cbc(pts, "CompanyID", client.vat_number)
        _tax_scheme(b, pts, "VAT")
    legal = b.cac(party, "PartyLegalEntity")
    b.cbc(legal, "RegistrationName", client.name)
    if client.enterprise_number:
        b.cbc(legal, "CompanyID", client.enterprise_number, schemeID="0208")
    if client.email:
        b.cbc(b.cac(party, "Contact"), "ElectronicMail", client.email)


def _tax_category(
    b: _Builder,
    parent: etree._Element,
    name: str,
    cat: str,
    rate: Decimal,
    config: HubConfig,
    lang: str,
    *,
    with_reason: bool,
) -> None:
    tc = b.cac(parent, name)
    b.cbc(tc, "ID", cat)
    b.cbc(tc, "Percent", fmt_decimal(rate))
    if with_reason and cat == "E":
        code, text = vat.exemption_reason(config, lang)
        b.cbc(tc, "TaxExemptionReasonCode", code)
        b.cbc(tc, "TaxExemptionReason", text)
    _tax_scheme(b, tc, "VAT")


def _credit_note_text(doc: Document) -> str | None:
    """The credit note's one document-level note (PEPPOL-EN16931-R002): its reason and, when
    it gives VAT back, the VAT Code art. 77 mention in the legal language (Dutch for a Dutch
    document, French otherwise) — the e-invoice is the legal document, not only the PDF."""
    parts = [doc.reason] if doc.reason else []
    if doc.totals.vat != 0:
        parts.append(vat.CREDIT_VAT_TEXT["nl" if doc.lang == "nl" else "fr"])
    return " — ".join(parts) or None


def render_ubl(config: HubConfig, doc: Document) -> bytes:
    """The UBL XML bytes (UTF-8, with declaration) of an invoice or credit note."""
    if not doc.client.is_business or doc.client.endpoint() is None:
        raise ValueError(f"client {doc.client.id} cannot receive a Peppol e-invoice")
    is_invoice = doc.kind == "invoice"
    root_name = "Invoice" if is_invoice else "CreditNote"
    root = etree.Element(
        f"{{{NS_ROOT[doc.kind]}}}{root_name}",
        nsmap={None: NS_ROOT[doc.kind], "cac": NS_CAC, "cbc": NS_CBC},
    )
    b = _Builder(config.currency)
    b.cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    b.cbc(root, "ProfileID", PROFILE_ID)
    b.cbc(root, "ID", doc.number)
    b.cbc(root, "IssueDate", doc.date.isoformat())
    if is_invoice:
        b.cbc(root, "DueDate", doc.due.isoformat() if doc.due else None)
        b.cbc(root, "InvoiceTypeCode", "380")
    else:
        b.cbc(root, "CreditNoteTypeCode", "381")
        b.cbc(root, "Note", _credit_note_text(doc))
    b.cbc(root, "DocumentCurrencyCode", config.currency)
    b.cbc(root, "BuyerReference", doc.client.id)
    if doc.reference is not None:
        ref = b.cac(b.cac(root, "BillingReference"), "InvoiceDocumentReference")
        b.cbc(ref, "ID", doc.reference.number)
        b.cbc(ref, "IssueDate", doc.reference.date.isoformat())
    _supplier(b, root, config)
    _customer(b, root, doc.client)

    if is_invoice:
        bank = config.main_bank
        means = b.cac(root, "PaymentMeans")
        b.cbc(means, "PaymentMeansCode", PAYMENT_MEANS_CREDIT_TRANSFER)
        b.cbc(means, "PaymentID", doc.ogm)
        account = b.cac(means, "PayeeFinancialAccount")
        b.cbc(account, "ID", bank.iban)
        b.cbc(account, "Name", config.hub.name)
        if bank.bic:
            b.cbc(b.cac(account, "FinancialInstitutionBranch"), "ID", bank.bic)
        days = str((doc.due - doc.date).days if doc.due else config.invoicing.payment_terms_days)
        b.cbc(b.cac(root, "PaymentTerms"), "Note", TERMS[doc.lang].format(days=days))

    totals = doc.totals
    tax_total = b.cac(root, "TaxTotal")
    b.amount(tax_total, "TaxAmount", totals.vat)
    for group in totals.groups:
        sub = b.cac(tax_total, "TaxSubtotal")
        b.amount(sub, "TaxableAmount", group.base)
        b.amount(sub, "TaxAmount", group.vat)
        _tax_category(
            b, sub, "TaxCategory", group.category, group.rate, config, doc.lang, with_reason=True
        )
    monetary = b.cac(root, "LegalMonetaryTotal")
    b.amount(monetary, "LineExtensionAmount", totals.net)
    b.amount(monetary, "TaxExclusiveAmount", totals.net)
    b.amount(monetary, "TaxInclusiveAmount", totals.gross)
    b.amount(monetary, "PayableAmount", totals.gross)

    line_name, qty_name = (
        ("InvoiceLine", "InvoicedQuantity")
        if is_invoice
        else ("CreditNoteLine", "CreditedQuantity")
    )
    for i, line in enumerate(doc.lines, start=1):
        el = b.cac(root, line_name)
        b.cbc(el, "ID", str(i))
        b.cbc(el, qty_name, fmt_decimal(line.quantity), unitCode=UNIT_CODE)
        b.amount(el, "LineExtensionAmount", line.net)
        item = b.cac(el, "Item")
        b.cbc(item, "Name", line.description[:200])
        _tax_category(
            b,
            item,
            "ClassifiedTaxCategory",
            line.category,
            line.vat_rate,
            config,
            doc.lang,
            with_reason=False,
        )
        price = b.cac(el, "Price")
        b.cbc(price, "PriceAmount", fmt_decimal(line.unit_price), currencyID=config.currency)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
