"""Text from users is escaped in every output: arbitrary descriptions, names and reasons
come back verbatim from the UBL and, for printable text, from the PDF; markup is printed,
never obeyed."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
from hypothesis import given, settings
from hypothesis import strategies as st
from invoicing_support import CLIENTS, make_config, make_document
from lxml import etree

from invoicing.models import Client, LineInput
from invoicing.pdf import render_pdf
from invoicing.ubl import render_ubl

MARKUP = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<b>gras</b>",
          "<para>x</para>", "&amp;", "&lt;", "<br/>", "]]>", "<font size=40>", "{seq}"]  # fmt: skip
# XML-safe text without control characters (the models refuse those).
texts = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"),
    min_size=1,
    max_size=80,
).filter(lambda s: s.strip() == s and s.strip())
printable = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=30
) | st.sampled_from(MARKUP)


def _doc(description: str, name: str):
    config = make_config("exempt")
    client = Client(id="C0001", name=name, enterprise_number="0202239951")
    line = LineInput(description=description, quantity=Decimal(1), unit_price=Decimal(10),
                     vat_rate=Decimal(0))  # fmt: skip
    return config, make_document(config, client, lines=[line])


@settings(max_examples=60, deadline=None)
@given(description=texts | st.sampled_from(MARKUP), name=texts | st.sampled_from(MARKUP))
def test_ubl_round_trips_any_text(description: str, name: str) -> None:
    config, doc = _doc(description, name)
    root = etree.fromstring(render_ubl(config, doc))
    ns = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
          "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}  # fmt: skip
    assert root.findtext(".//cac:InvoiceLine/cac:Item/cbc:Name", namespaces=ns) == description
    assert (
        root.findtext(
            ".//cac:AccountingCustomerParty//cac:PartyLegalEntity/cbc:RegistrationName",
            namespaces=ns,
        )
        == name
    )


@settings(max_examples=25, deadline=None)
@given(description=printable, name=printable)
def test_pdf_prints_text_verbatim(description: str, name: str) -> None:
    config, doc = _doc(description, name)
    data = render_pdf(config, doc)
    text = " ".join(pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert description in text
    assert name in text


@settings(max_examples=25, deadline=None)
@given(description=texts, name=texts)
def test_pdf_renders_any_text(description: str, name: str) -> None:
    config, doc = _doc(description, name)
    assert render_pdf(config, doc).startswith(b"%PDF")


def test_markup_in_a_credit_note_reason_is_printed() -> None:
    config = make_config("standard")
    doc = make_document(config, CLIENTS["be-enterprise"], "credit-note")
    text = pypdf.PdfReader(io.BytesIO(render_pdf(config, doc))).pages[0].extract_text()
    assert "Erreur <i>de</i> quantité" in text
