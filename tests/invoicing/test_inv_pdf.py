"""The PDF: every mention Belgian law requires of the hub as issuer, in French, Dutch and
English (text extracted with pypdf), the EPC QR payload, escaping, and no participant."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
import pytest
from invoicing_support import CLIENTS, IBAN, LANGS, REGIMES, make_config, make_document

from invoicing.epc import epc_payload, epc_qr
from invoicing.ogm import format_ogm
from invoicing.pdf import render_pdf
from ledger.i18n import fmt_date

TITLE = {"fr": "FACTURE", "nl": "FACTUUR", "en": "INVOICE"}
CREDIT_TITLE = {"fr": "NOTE DE CRÉDIT", "nl": "CREDITNOTA", "en": "CREDIT NOTE"}
DUE = {"fr": "Échéance", "nl": "Vervaldatum", "en": "Due date"}
ENTERPRISE = {"fr": "N° d'entreprise", "nl": "Ondernemingsnummer", "en": "Enterprise number"}
VAT_LABEL = {"fr": "N° TVA", "nl": "Btw-nummer", "en": "VAT number"}
LEGAL_FORM = {"fr": "Forme juridique", "nl": "Rechtsvorm", "en": "Legal form"}
REFUND = {"fr": "À rembourser", "nl": "Terug te betalen", "en": "To be refunded"}
PAYMENT = {"fr": "Paiement", "nl": "Betaling", "en": "Payment"}
SEAT = {"fr": "Siège", "nl": "Zetel", "en": "Registered office"}
# The register and the legal form in the invoice's language (the hub's config is French).
REGISTER = {"fr": "RPM Bruxelles", "nl": "RPR Brussel", "en": "RPM Bruxelles"}
FORM = {"fr": "ASBL", "nl": "VZW", "en": "ASBL"}
EXEMPTION = {
    "exempt": {"fr": "art. 44 du Code de la TVA", "nl": "art. 44 van het Btw-wetboek",
               "en": "art. 44 of the Belgian VAT Code"},
    "franchise": {"fr": "Régime particulier de la franchise de taxe",
                  "nl": "Bijzondere vrijstellingsregeling voor kleine ondernemingen",
                  "en": "Special exemption scheme for small enterprises"},
}  # fmt: skip
CREDIT_VAT = {"fr": "TVA à reverser à l'Etat", "nl": "Btw terug te storten aan de Staat",
              "en": "VAT to be repaid to the State"}  # fmt: skip


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("regime", REGIMES)
def test_invoice_mentions(regime: str, lang: str) -> None:
    config = make_config(regime)
    doc = make_document(config, CLIENTS["be-enterprise"], lang=lang)
    text = pdf_text(render_pdf(config, doc))
    required = [
        TITLE[lang],
        doc.number,
        "Hub Test Entreprendre",
        f"{LEGAL_FORM[lang]}: {FORM[lang]}" if lang != "fr" else "Forme juridique : ASBL",
        f"{SEAT[lang]}",
        "Rue de l'Essai 1, 1030 Schaerbeek",
        f"{ENTERPRISE[lang]}",
        "0403.170.701",
        REGISTER[lang],
        "BE68 5390 0754 7034",
        "GKCCBEBB",
        fmt_date(doc.date, lang),
        DUE[lang],
        fmt_date(doc.due, lang),
        format_ogm(doc.ogm),
        "Démo Traiteur <b>SRL</b>",
        "Rue Fictive 12, 1000 Bruxelles",
    ]
    if regime == "exempt":
        required.append(EXEMPTION["exempt"][lang])
    else:
        required += [VAT_LABEL[lang], "BE 0403.170.701"]
    if regime == "franchise":
        required.append(EXEMPTION["franchise"][lang])
    if lang == "en" and regime != "standard":
        required.append("(" if regime == "franchise" else "art. 44 du Code de la TVA")
    missing = [m for m in required if m not in text]
    assert not missing, (missing, text)
    assert "P-7K3Q9X" not in text  # the participant never appears on an invoice


@pytest.mark.parametrize("lang", LANGS)
def test_amounts_are_printed_in_the_language(lang: str) -> None:
    config = make_config("standard")
    doc = make_document(config, CLIENTS["be-enterprise"], lang=lang)
    text = pdf_text(render_pdf(config, doc))
    assert doc.totals.gross == Decimal("396.47")
    expected = {"fr": "396,47 €", "nl": "€ 396,47", "en": "€396.47"}[lang]
    assert expected in text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("regime", ["exempt", "standard"])
def test_credit_note_mentions(regime: str, lang: str) -> None:
    config = make_config(regime)
    doc = make_document(config, CLIENTS["be-vat"], "credit-note", lang=lang)
    text = pdf_text(render_pdf(config, doc))
    assert CREDIT_TITLE[lang] in text
    assert doc.reference.number in text and fmt_date(doc.reference.date, lang) in text
    assert "Erreur <i>de</i> quantité" in text
    assert (CREDIT_VAT[lang] in text) == (regime == "standard")
    assert "+++" not in text  # nothing to pay: no structured communication
    assert REFUND[lang] in text and PAYMENT[lang] not in text  # "to be refunded", no payment box


def test_user_text_is_escaped_not_interpreted() -> None:
    config = make_config("exempt")
    doc = make_document(config, CLIENTS["be-enterprise"])
    text = pdf_text(render_pdf(config, doc))
    assert "Buffet <script>alert(1)</script> & co" in text
    assert 'Service "à table" | heures' in text
    assert "Démo Traiteur <b>SRL</b>" in text


def test_pdf_is_deterministic_and_has_no_participant_metadata() -> None:
    config = make_config("exempt")
    doc = make_document(config, CLIENTS["person"])
    first, second = render_pdf(config, doc), render_pdf(config, doc)
    assert first == second
    assert b"P-7K3Q9X" not in first
    info = pypdf.PdfReader(io.BytesIO(first)).metadata
    assert info is not None and "P-7K3Q9X" not in str(dict(info))


def test_reused_parses_and_wraps_give_the_bytes_of_plain_paragraphs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ledger.render parses a text once per process and breaks a paragraph's lines once per
    width (issue 16: a batch of 100 invoices); the PDFs are byte for byte those of plain
    reportlab paragraphs, parsed and wrapped anew each time, in any order, over pages."""
    from reportlab.platypus import Paragraph

    from invoicing.models import LineInput
    from ledger import render

    many = [
        LineInput(description=f"Prestation <b>{n}</b> & co " * (1 + n % 5), quantity=Decimal(n),
                  unit_price=Decimal("12.34"), vat_rate=Decimal(21))
        for n in range(1, 46)
    ]  # fmt: skip
    docs = [
        (config, make_document(config, client, kind, lang, lines))
        for config in [make_config("standard")]
        for client in (CLIENTS["be-enterprise"], CLIENTS["foreign"])
        for kind in ("invoice", "credit-note")
        for lang in LANGS
        for lines in (many, None)
    ]
    reused = [render_pdf(c, d) for c, d in docs] + [render_pdf(c, d) for c, d in docs[::-1]]
    monkeypatch.setattr(render, "Text", Paragraph)
    monkeypatch.setattr(render, "_parsed", lambda body, style: None)
    plain = [render_pdf(c, d) for c, d in docs]
    assert reused == plain + plain[::-1]
    assert len(pypdf.PdfReader(io.BytesIO(plain[0])).pages) > 1  # a table split over pages


@pytest.mark.parametrize(("setting", "line"), [("text", "+++202"), ("reference", "202")])
def test_epc_payload(setting: str, line: str) -> None:
    config = make_config("exempt", epc_qr_ogm_as=setting)
    doc = make_document(config, CLIENTS["person"])
    payload = epc_payload(config, doc.totals.gross, doc.ogm).split("\n")
    assert payload[:4] == ["BCD", "002", "1", "SCT"]
    assert payload[4] == "GKCCBEBB" and payload[5] == "Hub Test Entreprendre"
    assert payload[6] == IBAN and payload[7] == f"EUR{doc.totals.gross:.2f}"
    if setting == "text":
        assert payload[9] == "" and payload[10] == format_ogm(doc.ogm)
    else:
        assert payload[9] == doc.ogm and len(payload) == 10
    assert any(p.startswith(line[: len(line)]) for p in payload)
    assert epc_qr(config, doc.totals.gross, doc.ogm).version <= 13


def test_qr_code_is_drawn_module_for_module(tmp_path) -> None:
    """Rasterise the drawn QR code and read its modules back (needs poppler's pdftoppm)."""
    import shutil
    import subprocess

    from reportlab.pdfgen.canvas import Canvas

    from invoicing.pdf import QrFlowable

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    config = make_config("exempt")
    doc = make_document(config, CLIENTS["person"])
    qr = epc_qr(config, doc.totals.gross, doc.ogm)
    matrix = tuple(qr.matrix)
    n = len(matrix) + 8
    size = float(n * 10)  # 10 pt per module
    pdf = tmp_path / "qr.pdf"
    canvas = Canvas(str(pdf), pagesize=(size, size))
    QrFlowable(matrix, size).drawOn(canvas, 0, 0)
    canvas.save()
    subprocess.run(["pdftoppm", "-gray", "-r", "72", str(pdf), str(tmp_path / "qr")], check=True)
    pgm = next(tmp_path.glob("qr*.pgm")).read_bytes()
    parts = pgm.split(maxsplit=4)  # P5, width, height, maxval, pixels
    width, height, pixels = int(parts[1]), int(parts[2]), parts[4]
    assert parts[0] == b"P5" and width == height == n * 10
    read = tuple(
        bytearray(
            1 if pixels[((y + 4) * 10 + 5) * width + (x + 4) * 10 + 5] < 128 else 0
            for x in range(len(matrix))
        )
        for y in range(len(matrix))
    )
    assert read == matrix


def test_register_and_legal_form_follow_the_language() -> None:
    from ledger.i18n import court_register, legal_form

    assert court_register("RPM Bruxelles", "nl") == "RPR Brussel"
    assert court_register("RPR Brussel", "fr") == "RPM Bruxelles"
    assert court_register("RPM Liège, division Liège", "fr") == "RPM Liège, division Liège"
    assert court_register("RPM Bruxelles", "en") == "RPM Bruxelles"
    assert (legal_form("ASBL", "nl"), legal_form("VZW", "fr")) == ("VZW", "ASBL")
    assert (legal_form("AISBL", "nl"), legal_form("ASBL", "en")) == ("IVZW", "ASBL")
