"""Peppol BIS Billing 3.0 UBL: every generated invoice and credit note passes the UBL 2.1
XSD, the CEN EN 16931 and the Peppol schematron with no fatal, in every VAT regime."""

from __future__ import annotations

from decimal import Decimal

import pytest
from invoicing_support import CLIENTS, LANGS, REGIMES, SAMPLES, make_config, make_document
from lxml import etree

from invoicing.models import LineInput
from invoicing.ogm import is_valid_ogm
from invoicing.ubl import render_ubl, split_address
from invoicing.validation import Validator

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
BUSINESSES = [k for k, c in CLIENTS.items() if c.is_business and c.endpoint() is not None]


def _assert_valid(validator: Validator, xml: bytes) -> None:
    report = validator.validate_bytes(xml)
    assert report.ok, [(f.layer, f.rule, f.text) for f in report.fatal]


@pytest.mark.parametrize("regime", REGIMES)
@pytest.mark.parametrize("kind", ["invoice", "credit-note"])
@pytest.mark.parametrize("client", BUSINESSES)
def test_generated_documents_pass_all_three_layers(
    validator: Validator, regime: str, kind: str, client: str
) -> None:
    config = make_config(regime)
    xml = render_ubl(config, make_document(config, CLIENTS[client], kind))
    _assert_valid(validator, xml)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("regime", REGIMES)
def test_every_language_validates(validator: Validator, lang: str, regime: str) -> None:
    config = make_config(regime)
    _assert_valid(
        validator, render_ubl(config, make_document(config, CLIENTS["be-vat"], lang=lang))
    )


def test_belgian_identifiers_categories_and_payment_id() -> None:
    config = make_config("standard")
    doc = make_document(config, CLIENTS["be-enterprise"])
    root = etree.fromstring(render_ubl(config, doc))
    supplier = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    endpoint = supplier.find("cbc:EndpointID", NS)
    assert (endpoint.get("schemeID"), endpoint.text) == ("0208", "0403170701")
    assert supplier.findtext("cac:PartyTaxScheme/cbc:CompanyID", namespaces=NS) == "BE0403170701"
    legal = supplier.find("cac:PartyLegalEntity/cbc:CompanyID", NS)
    assert (legal.get("schemeID"), legal.text) == ("0208", "0403170701")
    buyer = root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (buyer.get("schemeID"), buyer.text) == ("0208", "0202239951")
    payment_id = root.findtext("cac:PaymentMeans/cbc:PaymentID", namespaces=NS)
    assert payment_id == doc.ogm and is_valid_ogm(payment_id)
    cats = [
        (c.findtext("cbc:ID", namespaces=NS), c.findtext("cbc:Percent", namespaces=NS))
        for c in root.findall("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    ]
    assert cats == [("S", "21"), ("S", "12"), ("S", "6")]
    assert root.findtext("cbc:CustomizationID", namespaces=NS).endswith("billing:3.0")


def test_zero_rate_in_the_standard_regime_is_category_z(validator: Validator) -> None:
    config = make_config("standard")
    lines = [
        LineInput(description="Journal", quantity=Decimal(1), unit_price=Decimal(3), vat_rate=Decimal(0)),
        LineInput(description="Repas", quantity=Decimal(2), unit_price=Decimal(9), vat_rate=Decimal(12)),
    ]  # fmt: skip
    xml = render_ubl(config, make_document(config, CLIENTS["be-enterprise"], lines=lines))
    root = etree.fromstring(xml)
    assert {c.text for c in root.findall(".//cac:TaxSubtotal/cac:TaxCategory/cbc:ID", NS)} == {
        "S",
        "Z",
    }
    _assert_valid(validator, xml)


@pytest.mark.parametrize(("regime", "code"), [("exempt", "VATEX-EU-132"), ("franchise", None)])
def test_exempt_categories_carry_the_legal_reason(regime: str, code: str | None) -> None:
    config = make_config(regime)
    root = etree.fromstring(render_ubl(config, make_document(config, CLIENTS["be-enterprise"])))
    cat = root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert cat.findtext("cbc:ID", namespaces=NS) == "E"
    assert cat.findtext("cbc:TaxExemptionReasonCode", namespaces=NS) == code
    reason = cat.findtext("cbc:TaxExemptionReason", namespaces=NS)
    assert ("art. 44" in reason) if regime == "exempt" else ("franchise" in reason)


def test_credit_note_references_the_invoice(validator: Validator) -> None:
    config = make_config("exempt")
    doc = make_document(config, CLIENTS["be-enterprise"], "credit-note")
    root = etree.fromstring(render_ubl(config, doc))
    assert etree.QName(root).localname == "CreditNote"
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    ref = root.find("cac:BillingReference/cac:InvoiceDocumentReference", NS)
    assert ref.findtext("cbc:ID", namespaces=NS) == doc.reference.number
    assert len(root.findall("cac:CreditNoteLine", NS)) == len(doc.lines)


def test_user_text_is_escaped_in_xml() -> None:
    config = make_config("exempt")
    xml = render_ubl(config, make_document(config, CLIENTS["be-enterprise"]))
    assert b"<script>" not in xml and b"<b>" not in xml
    assert b"&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in xml
    root = etree.fromstring(xml)
    names = [n.text for n in root.findall(".//cac:Item/cbc:Name", NS)]
    assert names[0] == "Buffet <script>alert(1)</script> & co"


def test_private_person_gets_no_ubl() -> None:
    config = make_config("exempt")
    with pytest.raises(ValueError, match="cannot receive a Peppol e-invoice"):
        render_ubl(config, make_document(config, CLIENTS["person"]))


def test_split_address() -> None:
    assert split_address("Rue Fictive 12, 1000 Bruxelles") == (
        "Rue Fictive 12",
        "1000",
        "Bruxelles",
    )
    assert split_address("Avenue X 3") == ("Avenue X 3", None, None)
    assert split_address("") == (None, None, None)


def test_validator_reports_broken_documents(validator: Validator) -> None:
    config = make_config("exempt")
    xml = render_ubl(config, make_document(config, CLIENTS["be-enterprise"]))
    bad_number = xml.replace(b">0202239951<", b">0202239952<", 1)
    assert "PEPPOL-COMMON-R043" in {f.rule for f in validator.validate_bytes(bad_number).fatal}
    no_reason = xml.replace(
        b"<cbc:TaxExemptionReasonCode>VATEX-EU-132</cbc:TaxExemptionReasonCode>", b""
    )
    start = no_reason.index(b"<cbc:TaxExemptionReason>")
    end = no_reason.index(b"</cbc:TaxExemptionReason>") + len(b"</cbc:TaxExemptionReason>")
    no_reason = no_reason[:start] + no_reason[end:]
    assert "BR-E-10" in {f.rule for f in validator.validate_bytes(no_reason).fatal}
    bad_total = xml.replace(b"<cbc:PayableAmount", b"<cbc:PayableAmount", 1).replace(
        b'<cbc:TaxInclusiveAmount currencyID="EUR">',
        b'<cbc:TaxInclusiveAmount currencyID="EUR">1',
        1,
    )
    assert validator.validate_bytes(bad_total).fatal
    schema_error = xml.replace(b"<cbc:IssueDate>", b"<cbc:Bogus>x</cbc:Bogus><cbc:IssueDate>", 1)
    assert "xsd" in {f.layer for f in validator.validate_bytes(schema_error).fatal}
    assert validator.validate_bytes(b"<not-xml").fatal[0].layer == "xml"


def test_official_examples_pass_and_cen_examples_fail_the_peppol_layer(
    validator: Validator,
) -> None:
    examples = sorted((SAMPLES / "examples").glob("*.xml"))
    cen = sorted((SAMPLES / "cen-examples").glob("*.xml"))
    if not examples or not cen:
        pytest.skip("official Peppol samples absent")
    for path in examples:
        report = validator.validate_file(path)
        assert report.ok, (path.name, [f.rule for f in report.fatal])
    for path in cen:
        report = validator.validate_file(path)
        assert not report.ok
        assert {f.layer for f in report.fatal} == {"peppol"}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("regime", REGIMES)
def test_credit_note_note_holds_the_reason_and_the_art_77_mention(
    validator: Validator, regime: str, lang: str
) -> None:
    """One document-level note (R002): the reason, and for a credit note giving VAT back
    the art. 77 mention in the legal language (Dutch for Dutch, French otherwise)."""
    config = make_config(regime)
    doc = make_document(config, CLIENTS["be-enterprise"], "credit-note", lang=lang)
    xml = render_ubl(config, doc)
    notes = etree.fromstring(xml).findall("cbc:Note", NS)
    assert len(notes) == 1 and doc.reason and notes[0].text.startswith(doc.reason)
    art77 = "Btw terug te storten aan de Staat" if lang == "nl" else "TVA à reverser à l'Etat"
    assert (art77 in notes[0].text) == (doc.totals.vat != 0)
    assert (doc.totals.vat != 0) == (regime == "standard")
    assert validator.validate_bytes(xml, "cn.xml").ok
