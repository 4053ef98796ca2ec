"""Helpers for the Peppol tests: supplier e-invoices addressed to a test hub, official
examples re-addressed to it, a CODA statement writer, and the hub's books with a Peppol
client. All parties, numbers and accounts are fictional (valid check digits only).

Supplier documents are generated with our own UBL writer (:mod:`invoicing.ubl`) from a
fictional supplier's point of view, with the test hub as the buyer: they pass the official
XSD, CEN and Peppol rules, and cover each VAT category (S at 21/12/6 %, Z, E).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from invoicing_support import SAMPLES
from lxml import etree

from invoicing.models import Client, Document, InvoiceRef, LineInput
from invoicing.ogm import make_ogm
from invoicing.totals import compute
from invoicing.ubl import NS_CAC, NS_CBC, render_ubl
from ledger.books import Books
from ledger.config import HubConfig, PeppolSettings
from ledger.entries import posting
from ledger.money.reconcile import reconcile_new_entries

SUPPLIER_ENTERPRISE = "0417497106"  # "Fournisseur Fictif SRL" (valid check digits)
SUPPLIER_IBAN = "BE21001234567803"
EXAMPLES = SAMPLES / "examples"
# (quantity, unit price, VAT %): net 145.00, VAT 25.20, total 170.20
LINES_STD = [("2", "50.00", "21"), ("3", "10.00", "12"), ("1", "10.00", "6"), ("1", "5.00", "0")]
NS = {"cac": NS_CAC, "cbc": NS_CBC}


def supplier_config(regime: str = "standard") -> HubConfig:
    """A fictional supplier issuing e-invoices (its regime gives the VAT categories)."""
    hub: dict[str, object] = {
        "name": "Fournisseur Fictif SRL",
        "legal_form": "SRL",
        "enterprise_number": SUPPLIER_ENTERPRISE,
        "vat_regime": regime,
        "address": "Rue du Commerce Fictif 5",
        "postal_code": "1000",
        "city": "Bruxelles",
        "court_register": "RPM Bruxelles",
    }
    if regime != "exempt":
        hub["vat_number"] = "BE" + SUPPLIER_ENTERPRISE
    return HubConfig.model_validate(
        {"id": "supplier-fictif", "hub": hub, "bank_accounts": [{"iban": SUPPLIER_IBAN}]}
    )


def hub_as_client(hub: HubConfig) -> Client:
    """The test hub, as the supplier's client (its enterprise and VAT numbers)."""
    return Client(
        id="C0042",
        name=hub.hub.name,
        enterprise_number=hub.hub.enterprise_number,
        vat_number=hub.hub.vat_number,
        address="Rue de l'Essai 1, 1030 Schaerbeek",
    )


def supplier_document(
    hub: HubConfig,
    lines: list[tuple[str, str, str]],
    *,
    regime: str = "standard",
    number: str = "F-2025-0107",
    seq: int = 107,
    day: dt.date,
    due: dt.date | None = None,
    credit_of: tuple[str, dt.date] | None = None,
    client: Client | None = None,
) -> bytes:
    """A supplier's invoice (or credit note on ``credit_of``) to the hub; ``lines``:
    (quantity, unit price, VAT rate)."""
    config = supplier_config(regime)
    inputs = [
        LineInput(description=f"Fourniture fictive {i}", quantity=Decimal(q),
                  unit_price=Decimal(p), vat_rate=Decimal(r))
        for i, (q, p, r) in enumerate(lines, start=1)
    ]  # fmt: skip
    computed, totals = compute(config, inputs)
    kind = "credit-note" if credit_of else "invoice"
    doc = Document(
        kind=kind,  # type: ignore[arg-type]
        number=number,
        series=str(day.year),
        seq=seq,
        date=day,
        due=None if credit_of else (due or day + dt.timedelta(days=30)),
        lang="fr",
        participant="P-SUPPLY",
        client=client or hub_as_client(hub),
        lines=computed,
        totals=totals,
        ogm=None if credit_of else make_ogm(day.year, seq),
        reference=InvoiceRef(number=credit_of[0], date=credit_of[1]) if credit_of else None,
        reason="Retour de marchandise" if credit_of else None,
    )
    return render_ubl(config, doc)


def _after(root: etree._Element, names: tuple[str, ...]) -> int:
    """The index after the last child named one of ``names`` (schema order)."""
    index = 0
    for i, child in enumerate(root):
        if etree.QName(child).localname in names:
            index = i + 1
    return index


def embed_attachment(xml: bytes, payload: bytes, mime: str = "application/pdf",
                     filename: str = "facture.pdf") -> bytes:  # fmt: skip
    """The document with an embedded attachment (BG-24) in its schema place."""
    root = etree.fromstring(xml)
    ref = etree.Element(f"{{{NS_CAC}}}AdditionalDocumentReference")
    etree.SubElement(ref, f"{{{NS_CBC}}}ID").text = f"ATT-{len(payload)}"
    att = etree.SubElement(ref, f"{{{NS_CAC}}}Attachment")
    obj = etree.SubElement(att, f"{{{NS_CBC}}}EmbeddedDocumentBinaryObject",
                           mimeCode=mime, filename=filename)  # fmt: skip
    obj.text = base64.b64encode(payload).decode()
    root.insert(
        _after(root, ("CustomizationID", "ProfileID", "ID", "IssueDate", "DueDate",
                      "InvoiceTypeCode", "CreditNoteTypeCode", "Note", "DocumentCurrencyCode",
                      "BuyerReference", "BillingReference", "AdditionalDocumentReference")),
        ref,
    )  # fmt: skip
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def set_text(xml: bytes, path: str, value: str) -> bytes:
    """The document with the text of the first element at ``path`` replaced."""
    root = etree.fromstring(xml)
    el = root.find(path, NS)
    assert el is not None, path
    el.text = value
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def readdress(xml: bytes, hub: HubConfig) -> bytes:
    """An official example addressed to the test hub: only the buyer's identifiers change
    (EndpointID, PartyIdentification, VAT number, legal registration)."""
    root = etree.fromstring(xml)
    party = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert party is not None
    endpoint = party.find("cbc:EndpointID", NS)
    assert endpoint is not None
    endpoint.set("schemeID", "0208")
    endpoint.text = hub.hub.enterprise_number
    for ident in party.findall("cac:PartyIdentification/cbc:ID", NS):
        ident.set("schemeID", "0208")
        ident.text = hub.hub.enterprise_number
    for scheme in party.findall("cac:PartyTaxScheme", NS):
        company = scheme.find("cbc:CompanyID", NS)
        if company is not None:
            if hub.hub.vat_number:
                company.text = hub.hub.vat_number
            else:
                party.remove(scheme)
    legal = party.find("cac:PartyLegalEntity/cbc:CompanyID", NS)
    if legal is not None:
        legal.set("schemeID", "0208")
        legal.text = hub.hub.enterprise_number
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def tiny_pdf(text: str = "Facture fictive") -> bytes:
    """A one-page PDF (reportlab)."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def write(path: Path, payload: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return path


def with_peppol(books: Books, port: int | None, **settings: object) -> Books:
    """The books with ``[peppol]`` pointing at the fake access point on 127.0.0.1 (or at a
    port nothing listens on), written through the write path; reopened."""
    config = books.config
    values: dict[str, object] = {"timeout_seconds": "0.6", "retry_delay_seconds": "0.05"}
    if port is not None:
        values["base_url"] = f"http://127.0.0.1:{port}"
    values.update(settings)
    updated = config.model_copy(update={"peppol": PeppolSettings.model_validate(values)})
    with books.transaction("test: peppol settings") as tx:
        tx.write_config(updated)
    return Books.open(books.root)


def receive_payment(books: Books, number: str, amount: str, day: dt.date, ref: str) -> None:
    """A client's payment of invoice ``number`` as the bank importer books it (to clients,
    with the invoice's link), and its allocation to the participant by reconciliation."""
    config = books.config
    value = Decimal(amount)
    movement = data.Transaction(
        data.new_metadata("<test>", 0, {"kind": "bank", "bank-ref": ref}),
        day, "*", None, "Bank movement", frozenset(), frozenset({f"bank-{ref}", f"inv-{number}"}),
        [posting(config.main_bank.account, value), posting(config.account("clients"), -value)],
    )  # fmt: skip
    with books.transaction("test: a client's payment") as tx:
        tx.add_entries([movement], kind="bank")
        allocated = reconcile_new_entries([*tx.ledger.entries, movement], config)
        tx.add_entries(allocated, kind="payments")
