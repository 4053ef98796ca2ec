"""``report vat``: each VAT regime's outputs.

Standard regime, the report hub's 2025 quarters, by hand (21 % everywhere):
  Q1  I1 100 + I2 200 → grid 03 300.00, 54 63.00; the credit note 100 → 49 100.00,
      64 21.00; 71 = 63 − 21 = 42.00
  Q2  cash sale 50 + I3 100 → 03 150.00, 54 31.50; deductible VAT (P1's ingredients)
      59 4.20; purchases (services) 20 + 300 + 50 + 35 → 82 405.00; 71 = 31.50 − 4.20 = 27.30
  Q3  I4 80 → 03 80.00, 54 16.80, 71 16.80
  Q4  nothing: 71 0.00
  Client listing 2025: C0001 (BE0202239951): 100 + 200 − 100 + 80 = 280.00 > 250, VAT
  21 + 42 − 21 + 16.80 = 58.80; I3 went to a private client (no VAT number): not listed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree
from money_builders import CODES, add_client, key_env_fixture, new_books  # noqa: F401
from money_builders import issue as issue_invoice
from report_support import Hub, report_ok
from tests_support import ENTERPRISE

from ledger.books import Books

NS = {"v": "http://www.minfin.fgov.be/VATConsignment",
      "l": "http://www.minfin.fgov.be/ClientListingConsignment",
      "c": "http://www.minfin.fgov.be/InputCommon"}  # fmt: skip
SHARED = Path(__file__).resolve().parents[3] / "shared"


def test_standard_returns_by_hand(hub: Hub) -> None:
    figures = report_ok("vat", "--books", str(hub.root), "--year", "2025", "--json").json()
    assert figures["regime"] == "standard" and figures["periodicity"] == "quarterly"
    grids = {r["period"]: r["grids"] for r in figures["returns"]}
    assert grids == {
        "2025-Q1": {"03": "300.00", "49": "100.00", "54": "63.00", "64": "21.00", "71": "42.00"},
        "2025-Q2": {"03": "150.00", "54": "31.50", "59": "4.20", "71": "27.30", "82": "405.00"},
        "2025-Q3": {"03": "80.00", "54": "16.80", "71": "16.80"},
        "2025-Q4": {},
    }
    # The grids agree with the VAT accounts of the books.
    for r in figures["returns"]:
        due = r["grids"].get("54", "0.00"), r["grids"].get("64", "0.00")
        assert f"{float(due[0]) - float(due[1]):.2f}" == r["booked_vat_due"]
    listing = figures["client_listing"]
    assert listing["year"] == 2025 and listing["clients"] == [
        {"vat_number": "BE0202239951", "clients": ["C0001"], "turnover": "280.00", "vat": "58.80"}
    ]


def test_standard_xml_for_intervat(hub: Hub, tmp_path: Path) -> None:
    run = report_ok("vat", "--books", str(hub.root), "--year", "2025", "--xml",
                    "--out", f"{tmp_path}/vat/")  # fmt: skip
    folder = tmp_path / "vat"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["client-listing-2025.xml", "vat-2025.pdf", "vat-return-2025-Q1.xml",
                     "vat-return-2025-Q2.xml", "vat-return-2025-Q3.xml", "vat-return-2025-Q4.xml"]  # fmt: skip
    assert "client-listing-2025.xml" in run.stdout
    assert all((p.stat().st_mode & 0o777) == 0o600 for p in folder.iterdir())
    q1 = etree.parse(str(folder / "vat-return-2025-Q1.xml")).getroot()
    assert q1.tag == f"{{{NS['v']}}}VATConsignment" and q1.get("VATDeclarationsNbr") == "1"
    decl = q1.find("v:VATDeclaration", NS)
    assert decl.findtext("v:Declarant/c:VATNumber", namespaces=NS) == ENTERPRISE
    assert decl.findtext("v:Period/v:Quarter", namespaces=NS) == "1"
    assert decl.findtext("v:Period/v:Year", namespaces=NS) == "2025"
    amounts = {a.get("GridNumber"): a.text for a in decl.findall("v:Data/v:Amount", NS)}
    assert amounts == {"03": "300.00", "49": "100.00", "54": "63.00", "64": "21.00", "71": "42.00"}
    assert decl.findtext("v:ClientListingNihil", namespaces=NS) == "NO"
    q4 = etree.parse(str(folder / "vat-return-2025-Q4.xml")).getroot()
    nil = {a.get("GridNumber"): a.text for a in q4.findall("v:VATDeclaration/v:Data/v:Amount", NS)}
    assert nil == {"71": "0.00"}  # a nil return still says what is due
    lk = etree.parse(str(folder / "client-listing-2025.xml")).getroot()
    listing = lk.find("l:ClientListing", NS)
    assert (
        listing.get("ClientsNbr"),
        listing.get("TurnOverSum"),
        listing.get("VATAmountSum"),
    ) == ("1", "280.00", "58.80")
    client = listing.find("l:Client", NS)
    assert client.findtext("l:CompanyVATNumber", namespaces=NS) == "0202239951"
    assert client.find("l:CompanyVATNumber", NS).get("issuedBy") == "BE"
    assert (
        client.findtext("l:TurnOver", namespaces=NS),
        client.findtext("l:VATAmount", namespaces=NS),
    ) == ("280.00", "58.80")


def test_xml_against_the_official_xsd(hub: Hub, tmp_path: Path) -> None:
    """The SPF Finances' XSD (NewTVA-in_v0_9.xsd, NewLK-in_v0_9.xsd) is not shipped: put it
    under ../shared/intervat/ to check the files against it."""
    xsd_dir = SHARED / "intervat"
    if not (xsd_dir / "NewTVA-in_v0_9.xsd").exists():
        pytest.skip(f"{xsd_dir}/NewTVA-in_v0_9.xsd is absent (the official Intervat XSD)")
    report_ok("vat", "--books", str(hub.root), "--year", "2025", "--xml", "--out", f"{tmp_path}/")
    for xsd, name in (("NewTVA-in_v0_9.xsd", "vat-return-2025-Q1.xml"),
                      ("NewLK-in_v0_9.xsd", "client-listing-2025.xml")):  # fmt: skip
        schema = etree.XMLSchema(etree.parse(str(xsd_dir / xsd)))
        schema.assertValid(etree.parse(str(tmp_path / name)))


@pytest.fixture
def franchise(tmp_path: Path, key_env: Path) -> Path:
    books = new_books(tmp_path / "books", year=2026, regime="franchise")
    client = add_client(books, "Client Fictif Deux SRL")
    issue_invoice(books, CODES[0], client, "12000.00", dt.date(2026, 3, 2))
    issue_invoice(books, CODES[1], client, "8500.00", dt.date(2026, 5, 4))
    return tmp_path / "books"


def test_franchise_warns_well_before_the_threshold(franchise: Path) -> None:
    figures = report_ok("vat", "--books", str(franchise), "--year", "2026", "--json").json()
    # 12,000 + 8,500 = 20,500.00 of 25,000.00: 82 %.
    assert figures["regime"] == "franchise"
    assert (figures["turnover_to_date"], figures["share"], figures["level"]) == (
        "20500.00",
        "82.00",
        "warning",
    )
    assert figures["previous_year_turnover"] == "0.00"
    # A client without a VAT number: nothing to list (a nil listing).
    assert figures["client_listing"]["clients"] == []


def test_franchise_over_the_threshold(franchise: Path, tmp_path: Path) -> None:
    books = Books.open(franchise)
    client = add_client(books, "Client Fictif Trois SRL")
    issue_invoice(books, CODES[2], client, "5000.50", dt.date(2026, 9, 1))
    figures = report_ok("vat", "--books", str(franchise), "--year", "2026", "--json").json()
    assert (figures["turnover_to_date"], figures["level"]) == ("25500.50", "over")
    out = tmp_path / "vat.pdf"
    report_ok(
        "vat", "--books", str(franchise), "--year", "2026", "--lang", "en", "--out", str(out)
    )
    from pypdf import PdfReader

    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
    assert "THE 25,000.00 EUR THRESHOLD IS EXCEEDED" in text


def test_exempt_hub_owes_nothing_and_says_why(tmp_path: Path, key_env: Path) -> None:
    books = new_books(tmp_path / "books", year=2026)
    client = add_client(books)
    issue_invoice(books, CODES[0], client, "150.00", dt.date(2026, 4, 1))
    figures = report_ok("vat", "--books", str(books.root), "--year", "2026", "--json").json()
    assert figures == {"regime": "exempt", "due": "0.00", "returns": [], "client_listing": None,
                       "warnings": []}  # fmt: skip
    out = tmp_path / "vat.pdf"
    report_ok("vat", "--books", str(books.root), "--year", "2026", "--out", str(out))
    from pypdf import PdfReader

    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
    assert (
        "Aucune déclaration périodique, aucun listing clients et aucune TVA ne sont dus." in text
    )
    assert "article 44 du Code de la TVA" in text
