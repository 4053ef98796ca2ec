"""camt.053, MT940 and bank CSV readers, and format detection."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from bank_support import DOCUMENTS, IBAN, camt, day, move, statement

from importers.bank_csv import LAYOUTS, parse_amount, parse_bank_csv
from importers.camt import parse_camt
from importers.errors import BankFileError, UnknownFormatError, UnsupportedFormatError
from importers.formats import BANK_CSV, CAMT, CODA, MT940, detect
from importers.mt940_reader import parse_mt940

ST = statement(84, "100.00", [move(day(5, 4), "12.50", "Don", who="Client Fictif SA (test)"),
                              move(day(5, 4), "-2.50", "Frais")])  # fmt: skip


# ---------------------------------------------------------------- camt.053


@pytest.mark.parametrize("version", [f"{v:02d}" for v in range(2, 15)])
def test_camt_versions_02_to_14_read_the_same(version: str) -> None:
    (got,) = parse_camt(camt(ST, version)).statements
    assert (got.iban, got.opening_balance, got.closing_balance) == (IBAN, ST.opening_balance,
                                                                    ST.closing_balance)  # fmt: skip
    assert [m.amount for m in got.movements] == [Decimal("12.50"), Decimal("-2.50")]
    assert got.movements[0].counterparty_name == "Client Fictif SA (test)"


@pytest.mark.parametrize("version", ["01", "15"])
def test_camt_other_versions_are_refused_by_name(version: str) -> None:
    with pytest.raises(UnsupportedFormatError, match=rf"camt\.053\.001\.{version} .*\.001\.14"):
        parse_camt(camt(ST, version))


@pytest.mark.parametrize(
    ("body", "what"),
    [("BkToCstmrDbtCdtNtfctn", "camt.054"), ("BkToCstmrAcctRpt", "camt.052")],
)
def test_notifications_and_reports_are_refused(body: str, what: str) -> None:
    ns = what.replace("camt.", "camt.") + ".001.08"
    xml = (f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{ns}"><{body}><GrpHdr>'
           f"<MsgId>1</MsgId></GrpHdr></{body}></Document>").encode()  # fmt: skip
    assert detect(xml, "n.xml") is CAMT
    with pytest.raises(UnsupportedFormatError) as info:
        parse_camt(xml, "n.xml")
    assert what in str(info.value) and info.value.check == "format"


def test_xml_with_a_doctype_is_refused() -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    with pytest.raises(BankFileError, match="DOCTYPE"):
        parse_camt(evil + camt(ST).split(b"?>", 1)[1])


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return buf.getvalue()


def test_a_zip_of_statements() -> None:
    second = statement(85, str(ST.closing_balance), [move(day(5, 5), "1.00", "x")])
    data = _zip({"b.xml": camt(second), "a.xml": camt(ST)})
    assert detect(data, "s.zip") is CAMT
    assert [s.sequence for s in parse_camt(data, "s.zip").statements] == ["084", "085"]
    with pytest.raises(BankFileError, match="zip inside a zip"):
        parse_camt(_zip({"inner.zip": data}), "s.zip")
    with pytest.raises(UnknownFormatError):
        parse_camt(_zip({"a.txt": b"<x/>"}), "s.zip")
    with pytest.raises(BankFileError) as info:
        parse_camt(data[:40], "s.zip")
    assert info.value.check == "zip"


def test_camt_summary_and_balance_checks() -> None:
    doc = (DOCUMENTS / "camt053" / "hub-test-2026-04-30.camt053.xml").read_bytes()
    broken = doc.replace(b"<Sum>420.00</Sum>", b"<Sum>421.00</Sum>")
    with pytest.raises(BankFileError) as info:
        parse_camt(broken, "c.xml")
    assert info.value.check == "summary" and "TtlCdtNtries sum 421.00" in str(info.value)
    unbalanced = doc.replace(b"2310.00", b"2311.00")
    assert {p.check for p in parse_camt(unbalanced, strict=False).problems} == {"balance"}


def test_camt_pending_entries_are_not_booked() -> None:
    doc = (DOCUMENTS / "camt053" / "hub-test-2026-04-30.camt053.xml").read_bytes()
    (got,) = parse_camt(doc).statements
    assert len(got.movements) == 4
    assert all(m.bank_ref != "TEST2026043000005" for m in got.movements)


# ---------------------------------------------------------------- MT940 (see test_imp_mt940.py)

MT940_TEXT = (
    ":20:T1\n:25:BE68539007547034\n:28C:1/1\n:60F:C260301EUR100,00\n"
    ":61:2603020302C5,00NTRFNONREF//R1\n:86:/NAME/Client Fictif (test)/REMI/USTD//Don/\n"
    ":62F:C260302EUR105,00\n-\n"
)


def test_mt940_reads_statement_and_subfields() -> None:
    (got,) = parse_mt940(MT940_TEXT.encode()).statements
    assert (got.iban, got.opening_balance, got.closing_balance) == (IBAN, Decimal("100.00"),
                                                                    Decimal("105.00"))  # fmt: skip
    (m,) = got.movements
    assert (m.ref, m.counterparty_name, m.communication) == (
        "20260302-R1", "Client Fictif (test)", "Don",
    )  # fmt: skip


def test_mt940_checks() -> None:
    with pytest.raises(BankFileError) as info:
        parse_mt940(MT940_TEXT.replace("105,00", "106,00").encode(), "m.sta")
    assert info.value.check == "balance" and str(info.value).startswith("m.sta:7: balance:")
    with pytest.raises(BankFileError) as info:
        parse_mt940(MT940_TEXT.replace(":62F:C260302EUR105,00\n", "").encode(), "m.sta")
    assert info.value.check == "mt940" and "closing balance" in str(info.value)
    with pytest.raises(BankFileError) as info:
        parse_mt940(b":60F:C260301EUR100,00\n", "m.sta")
    assert info.value.check == "mt940"


# ---------------------------------------------------------------- bank CSV


@pytest.mark.parametrize(
    ("text", "value"),
    [("1.234,56", "1234.56"), ("-1.234,56", "-1234.56"), ("1234,5", "1234.5"),
     ("+12.50", "12.50"), ("1,234.56", "1234.56"), ("1.234", "1234"), ("-0,01", "-0.01"),
     ("1 234,56 EUR", "1234.56")],
)  # fmt: skip
def test_csv_amounts(text: str, value: str) -> None:
    assert parse_amount(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "1.2.3,4,5", "--1", "1e5", "NaN"])
def test_csv_bad_amounts(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


def test_every_csv_layout_is_recognised_from_its_header() -> None:
    for layout in LAYOUTS:
        titles = sorted(layout.signature)
        header = ";".join(t.title() for t in titles)
        row = {t: "" for t in titles}
        row[layout.account] = IBAN
        row[layout.booking_date] = "01/06/2026"
        row[layout.amount] = "1,00"
        row[layout.currency] = "EUR"
        if layout.balance:
            row[layout.balance] = "11,00"
        line = ";".join(row[t] for t in titles)
        data = f"{header}\n{line}\n".encode()
        assert detect(data, "x.csv") is BANK_CSV, layout.bank
        (got,) = parse_bank_csv(data).statements
        assert got.format == f"csv-{layout.bank}" and got.movements[0].amount == 1
        if layout.balance:
            assert (got.opening_balance, got.closing_balance) == (10, 11)


def test_csv_refused_rows_are_skipped_and_errors_name_the_row() -> None:
    doc = (DOCUMENTS / "csv" / "bnp-hub-test-2026-06.csv").read_bytes()
    assert len(parse_bank_csv(doc).statements[0].movements) == 2  # the refused one is not
    broken = doc.replace(b"-1.200,00", b"abc")
    with pytest.raises(BankFileError) as info:
        parse_bank_csv(broken, "b.csv")
    assert (info.value.check, info.value.line) == ("row", 3)
    assert "abc" not in str(info.value)  # cell contents are never echoed


def test_csv_without_a_known_header() -> None:
    with pytest.raises(UnknownFormatError):
        parse_bank_csv(b"Date;Amount;Text\n01/06/2026;1,00;x\n", "u.csv")


# ---------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("folder", "fmt"), [("coda", CODA), ("camt053", CAMT), ("mt940", MT940), ("csv", BANK_CSV)]
)
def test_detection_of_our_documents(folder: str, fmt: object) -> None:
    for doc in (DOCUMENTS / folder).iterdir():
        if doc.suffix != ".beancount" and not doc.name.startswith("."):
            assert detect(doc.read_bytes(), doc.name) is fmt


@pytest.mark.parametrize(
    "data", [b"%PDF-1.4\n...", b"hello world", b"<html></html>", b"\x00\x01\x02", b"a;b;c\n"]
)
def test_unknown_formats(data: bytes) -> None:
    with pytest.raises(UnknownFormatError) as info:
        detect(data, "u.bin")
    assert "CODA, camt.053" in str(info.value)
