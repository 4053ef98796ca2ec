"""``coopledger import`` as a user runs it (subprocess): summaries, JSON, dry run,
idempotence, and the bad-input corpus — each a specific one-line error and the books
byte-identical."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from bank_support import OTHER_IBAN, coda, day, move, statement

ST1 = statement(1, "100.00", [
    move(day(3, 2), "25.00", "Cotisation", who="Client Fictif SA (test)",
         iban="BE25944771278282"),
    move(day(3, 2), "-40.00", "Fournitures"),
    move(day(3, 3), "-7.50", "FRAIS DE GESTION"),
])  # fmt: skip
ST2 = statement(2, "77.50", [move(day(3, 9), "10.00", "Don")])


def records(data: bytes) -> list[bytes]:
    return data.split(b"\n")[:-1]


def join(lines: list[bytes]) -> bytes:
    return b"\n".join(lines) + b"\n"


def flip_amount_digit(data: bytes) -> bytes:
    lines = records(data)
    lines[2] = lines[2][:45] + (b"9" if lines[2][45:46] != b"9" else b"8") + lines[2][46:]
    return join(lines)


def wrong_trailer(data: bytes) -> bytes:
    lines = records(data)
    lines[-1] = lines[-1][:37] + b"000000000999990" + lines[-1][52:]
    return join(lines)


def unbalanced(data: bytes) -> bytes:
    lines = records(data)
    lines[-2] = lines[-2][:42] + b"000000000099990" + lines[-2][57:]
    return join(lines)


def camt054() -> bytes:
    return (b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
            b'camt.054.001.02"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>1</MsgId></GrpHdr>'
            b"</BkToCstmrDbtCdtNtfctn></Document>")  # fmt: skip


def utf8_reencoded() -> bytes:
    accented = statement(1, "0", [move(day(3, 2), "1.00", "Café", who="Société Fictive (test)")])
    return coda(accented).decode("cp1252").encode("utf-8")


MT940_GOOD = (
    b":20:T1\n:25:BE68539007547034 EUR\n:28C:1/1\n:60F:C260301EUR100,00\n"
    b":61:2603020302C5,00NTRFNONREF//R1\n:86:Don\n:62F:C260302EUR105,00\n-\n"
)
KBC = (
    "Rekeningnummer;Rubrieknaam;Naam;Munt;Afschriftnummer;Datum;Omschrijving;Valuta;Bedrag;"
    "Saldo;credit;debet;rekeningnummer tegenpartij;BIC tegenpartij;Naam tegenpartij;"
    "Adres tegenpartij;gestructureerde mededeling;Vrije mededeling\r"
    "BE68539007547034;;;EUR;;03/03/2026;;03/03/2026;5,00;110,00;;;;;;;;Don\r"
    "BE68539007547034;;;EUR;;02/03/2026;;02/03/2026;5,00;100,00;;;;;;;;Don\r"
)


def camt_batch_not_adding_up() -> bytes:
    from bank_support import DOCUMENTS

    doc = (DOCUMENTS / "camt053" / "hub-test-2026-08-03.camt053v09.xml").read_bytes()
    return doc.replace(b'<Amt Ccy="EUR">55.50</Amt>', b'<Amt Ccy="EUR">55.60</Amt>')


GOOD = coda(ST1)
CORPUS: dict[str, tuple[Callable[[], bytes], str]] = {
    "mt940-unbalanced": (lambda: MT940_GOOD.replace(b"105,00", b"106,00"), "balance"),
    "mt940-62M-without-currency": (lambda: MT940_GOOD.replace(b":62F:C260302EUR", b":62M:C260302"),
                                   "currency"),
    "mt940-truncated": (lambda: MT940_GOOD[:60], "truncated"),
    "mt940-bad-statement-line": (lambda: MT940_GOOD.replace(b"0302C5,00", b"0302X5,00"), "mt940"),
    "mt942": (lambda: b":20:T1\n:25:BE68539007547034\n:28C:1\n:34F:EUR0,\n", "format"),
    "kbc-saldo-not-chaining": (lambda: KBC.encode(), "balance"),
    "csv-30-digit-amount": (lambda: KBC.replace("5,00;110", "1" * 30 + ";110").encode(), "row"),
    "camt-batch-not-adding-up": (camt_batch_not_adding_up, "batch"),
    "camt-001-15": (lambda: camt_batch_not_adding_up().replace(b"001.09", b"001.15"), "format"),
    "truncated-mid-record": (lambda: GOOD[: len(GOOD) // 2], "record length"),
    "truncated-at-record": (lambda: join(records(GOOD)[:-1]), "truncated"),
    "flipped-byte": (lambda: flip_amount_digit(GOOD), "balance"),
    "wrong-trailer": (lambda: wrong_trailer(GOOD), "trailer"),
    "unbalanced": (lambda: unbalanced(GOOD), "balance"),
    "unknown-account": (lambda: coda(ST1.model_copy(update={"iban": OTHER_IBAN,
                                                            "account": OTHER_IBAN})), "account"),
    "empty": (lambda: b"", "empty"),
    "utf8-129-bytes": (utf8_reencoded, "encoding"),
    "bom": (lambda: b"\xef\xbb\xbf" + GOOD, "encoding"),
    "unknown-format": (lambda: b"%PDF-1.7\nnot a bank statement\n", "format"),
    "camt054": (camt054, "format"),
}  # fmt: skip


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_import_prints_a_summary_and_json(cli, books_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = write(tmp_path, "march.cod", GOOD)
    out = cli("import", "--books", str(books_dir), str(first)).stdout
    assert out.startswith("Imported 1 statement(s), 3 movement(s)")
    second = write(tmp_path, "march-2.cod", coda(ST2))
    summary = json.loads(cli("import", "--books", str(books_dir), "--json", str(second)).stdout)
    assert {k: summary[k] for k in ("statements", "movements", "matched", "to_review")} == {
        "statements": 1, "movements": 1, "matched": 0, "to_review": 1,
    }  # fmt: skip
    assert cli("check", "--books", str(books_dir)).returncode == 0


def test_second_import_adds_nothing(cli, books_dir: Path, tmp_path: Path, snapshot_books) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "march.cod", GOOD)
    cli("import", "--books", str(books_dir), str(path))
    snapshot_books.take(books_dir)
    copy = write(tmp_path, "copy-with-another-name.cod", GOOD)
    proc = cli("import", "--books", str(books_dir), "--json", str(path), str(copy))
    summary = json.loads(proc.stdout)
    assert (summary["statements"], summary["movements"]) == (0, 0)
    snapshot_books.assert_unchanged()


def test_dry_run_writes_nothing(cli, books_dir: Path, tmp_path: Path, snapshot_books) -> None:  # type: ignore[no-untyped-def]
    snapshot_books.take(books_dir)
    path = write(tmp_path, "march.cod", GOOD)
    proc = cli("import", "--books", str(books_dir), "--dry-run", str(path))
    assert "Dry run: nothing was written" in proc.stdout and "balance Assets:Banque" in proc.stdout
    summary = json.loads(
        cli("import", "--books", str(books_dir), "--dry-run", "--json", str(path)).stdout
    )
    assert summary["dry_run"] is True and summary["movements"] == 3
    snapshot_books.assert_unchanged()


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_bad_input_is_refused_and_changes_nothing(
    cli,
    books_dir: Path,
    tmp_path: Path,
    snapshot_books,
    case: str,  # type: ignore[no-untyped-def]
) -> None:
    make, check = CORPUS[case]
    good = write(tmp_path, "good.cod", coda(ST2.model_copy(update={"sequence": "009"})))
    bad = write(tmp_path, f"{case}.dat", make())
    snapshot_books.take(books_dir)
    proc = cli("import", "--books", str(books_dir), str(good), str(bad), check=False)
    assert proc.returncode == 1, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"coopledger: error: {bad}"), proc.stderr
    assert f": {check}: " in lines[0]
    snapshot_books.assert_unchanged()


def test_missing_file_and_usage_errors(cli, books_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    proc = cli("import", "--books", str(books_dir), str(tmp_path / "nope.cod"), check=False)
    assert proc.returncode == 1 and "no such file" in proc.stderr
    assert cli("import", "--books", str(books_dir), check=False).returncode == 2


def test_zip_of_camt_statements(cli, books_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from bank_support import camt

    path = tmp_path / "statements.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("1.xml", camt(ST1))
        archive.writestr("2.xml", camt(ST2, "08"))
    summary = json.loads(cli("import", "--books", str(books_dir), "--json", str(path)).stdout)
    assert (summary["statements"], summary["movements"]) == (2, 4)
    assert cli("check", "--books", str(books_dir)).returncode == 0


def test_account_option_does_not_hide_a_damaged_iban(cli, books_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """--account picks the hub's account; it never makes a broken IBAN acceptable."""
    from importers.model import Statement
    from ledger.demo.coda_writer import CodaHeader, write_coda

    statement = Statement(
        format="coda", account="BE68539007547035", iban=None, currency="EUR",
        opening_balance=Decimal("0"), opening_date=dt.date(2026, 3, 1),
        closing_balance=Decimal("0"), closing_date=dt.date(2026, 3, 2), sequence="001",
        movements=(),
    )  # fmt: skip
    path = tmp_path / "damaged.cod"
    path.write_bytes(write_coda([statement], CodaHeader(bank_id="539", holder="Hub", company_id="00403170701"),
                                created=dt.date(2026, 3, 2)))  # fmt: skip
    proc = cli(
        "import",
        "--books",
        str(books_dir),
        "--account",
        "Assets:Banque:Courant",
        str(path),
        check=False,
    )
    assert proc.returncode == 1
    assert "check digits are wrong" in proc.stderr
