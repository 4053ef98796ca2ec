"""Regression tests named after the defects of issues 15 (real bank files), 8 (defect 7, the
opening balance) and 10 (defect 6, a 30-digit CSV amount), each through ``coopledger``.
The MT940 defects of issue 15 are in test_imp_mt940.py."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyrage
import pytest
from bank_support import DOCUMENTS, IBAN, REPO, camt, coda, day, make_books, move, statement
from beancount import loader
from beancount.core import data
from tests_support import ENTERPRISE

from importers.model import Detail, Movement
from ledger.books import Books
from ledger.roster import load_identity

KBC_HEADER = (
    "Rekeningnummer;Rubrieknaam;Naam;Munt;Afschriftnummer;Datum;Omschrijving;Valuta;Bedrag;"
    "Saldo;credit;debet;rekeningnummer tegenpartij;BIC tegenpartij;Naam tegenpartij;"
    "Adres tegenpartij;gestructureerde mededeling;Vrije mededeling"
)


def kbc_row(when: str, amount: str, saldo: str, text: str = "Don") -> str:
    return (f"BE68539007547034;Zichtrekening;HUB TEST ASBL;EUR; 2026012;{when};OVERSCHRIJVING;"
            f"{when};{amount};{saldo};;;;;;;;{text}")  # fmt: skip


def write(tmp_path: Path, name: str, payload: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(payload)
    return path


def bank_balance(books_dir: Path, account: str, on: dt.date) -> Decimal:
    """What the books hold on ``account`` at the start of ``on``."""
    entries, errors, _ = loader.load_file(str(books_dir / "main.beancount"))
    assert not errors
    return sum(
        (p.units.number for e in entries if isinstance(e, data.Transaction) and e.date < on
         for p in e.postings if p.account == account and p.units.number is not None),
        Decimal(0),
    )  # fmt: skip


def one_line_error(proc, path: Path, check: str) -> str:  # type: ignore[no-untyped-def]
    assert proc.returncode == 1, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith(f"coopledger: error: {path}") and f": {check}: " in lines[0]
    return lines[0]


# ---------------------------------------------------------------- issue 8, defect 7


def test_defect_8_7_first_statement_opens_the_account_the_day_before_its_first_day(
    cli, books_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Old balance of 1 March, first movement on the 5th: the bank shows 300.00 from the
    2nd on (the statement's first day), so the books must too — not 0 until the 5th."""
    first = statement(1, "300.00", [move(day(3, 5), "20.00", "Don")], opening_date=day(3, 1))
    cli("import", "--books", str(books_dir), str(write(tmp_path, "march.cod", coda(first))))
    assert cli("check", "--books", str(books_dir)).returncode == 0
    account = "Assets:Banque:Courant"
    assert bank_balance(books_dir, account, day(3, 2)) == Decimal("300.00")
    assert bank_balance(books_dir, account, day(3, 6)) == Decimal("320.00")
    text = (books_dir / "2026" / "bank.beancount").read_text()
    assert '2026-03-01 * "Opening balance of' in text


def test_defect_8_7_opening_never_before_the_books_start(
    cli, books_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Books started on 1 January, a statement opening with the balance of 31 December:
    the opening goes on the books' first day, where the accounts are open."""
    first = statement(
        1, "50.00", [move(day(1, 2), "5.00", "Don")], opening_date=dt.date(2025, 12, 31)
    )
    cli("import", "--books", str(books_dir), str(write(tmp_path, "jan.cod", coda(first))))
    assert cli("check", "--books", str(books_dir)).returncode == 0
    assert (
        '2026-01-01 * "Opening balance of' in (books_dir / "2026" / "bank.beancount").read_text()
    )


# ---------------------------------------------------------------- issue 10, defect 6


def test_defect_10_6_csv_amount_of_30_digits_is_one_line(
    cli, books_dir: Path, tmp_path: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    huge = "1" * 28 + ",00"
    path = write(tmp_path, "huge.csv", f"{KBC_HEADER}\n{kbc_row('02/03/2026', huge, '1,00')}\n"
                 .encode())  # fmt: skip
    snapshot_books.take(books_dir)
    proc = cli("import", "--books", str(books_dir), str(path), check=False)
    line = one_line_error(proc, path, "row")
    assert line.endswith(":2: row: the amount has more than 15 digits")
    snapshot_books.assert_unchanged()


def test_defect_10_6_huge_amounts_in_every_format_are_one_line(
    cli, books_dir: Path, tmp_path: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    huge = "9" * 30
    cases = {
        "huge.sta": (b":20:T\n:25:BE68539007547034\n:28C:1\n:60F:C260301EUR" + huge.encode()
                     + b",00\n:62F:C260301EUR1,00\n", "amount"),
        "huge.xml": ((DOCUMENTS / "camt053" / "hub-test-2026-04-30.camt053.xml").read_bytes()
                     .replace(b">2000.00<", b">" + huge.encode() + b".00<", 1), "amount"),
    }  # fmt: skip
    snapshot_books.take(books_dir)
    for name, (payload, check) in cases.items():
        path = write(tmp_path, name, payload)
        one_line_error(cli("import", "--books", str(books_dir), str(path), check=False), path,
                       check)  # fmt: skip
    snapshot_books.assert_unchanged()


# ---------------------------------------------------------------- issue 15, defect 5: CSV


def test_defect_15_5_bnp_fintro_seven_column_export_in_dutch_and_french(
    cli, books_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    csv = DOCUMENTS / "csv"
    for name, movements in (("bnp7-nl-hub-test-2026-07.csv", 3),
                            ("bnp7-fr-hub-test-2026-07.csv", 2)):  # fmt: skip
        out = cli("import", "--books", str(books_dir), "--json", str(csv / name)).stdout
        assert json.loads(out)["movements"] == movements
    assert cli("check", "--books", str(books_dir)).returncode == 0


def test_defect_15_5_kbc_balance_column_is_checked_and_asserted(
    cli, books_dir: Path, tmp_path: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    rows = [
        kbc_row("03/03/2026", "-5,00", "270,00"),
        kbc_row("02/03/2026", "25,00", "275,00"),
        kbc_row("02/03/2026", "100,00", "250,00"),
    ]  # newest first, as KBC exports
    path = write(tmp_path, "kbc.csv", "\r".join([KBC_HEADER, *rows]).encode())
    cli("import", "--books", str(books_dir), str(path))
    text = (books_dir / "2026" / "bank.beancount").read_text()
    # Asserted at the start of the export's last day (it may have been made during it).
    assert "2026-03-03 balance Assets:Banque:Courant" in text and " 275.00 EUR" in text
    assert '2026-03-01 * "Opening balance of' in text
    assert cli("check", "--books", str(books_dir)).returncode == 0
    # A later export whose balances do not follow from the ones before is refused.
    later = [kbc_row("05/03/2026", "10,00", "291,00"), kbc_row("04/03/2026", "1,00", "271,00")]
    bad = write(tmp_path, "kbc-2.csv", "\r".join([KBC_HEADER, *later]).encode())
    snapshot_books.take(books_dir)
    proc = cli("import", "--books", str(books_dir), str(bad), check=False)
    line = one_line_error(proc, bad, "balance")
    assert ":2: balance: the balance after this row is 291.00" in line
    snapshot_books.assert_unchanged()
    gap = [kbc_row("05/03/2026", "10,00", "310,00"), kbc_row("04/03/2026", "10,00", "300,00")]
    missing = write(tmp_path, "kbc-3.csv", "\r".join([KBC_HEADER, *gap]).encode())
    proc = cli("import", "--books", str(books_dir), str(missing), check=False)
    assert "is a statement missing" in one_line_error(proc, missing, "balance")
    snapshot_books.assert_unchanged()


def test_defect_15_5_two_account_kbc_file_is_archived_under_each_account(
    cli, books_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    cli("bank", "add", "--books", str(books_dir), "--iban", "BE62510007547061", "--label",
        "Epargne", "--account", "Assets:Banque:Epargne", "--date", "2026-01-01")  # fmt: skip
    path = DOCUMENTS / "csv" / "kbc-two-accounts-2026-07.csv"
    out = json.loads(cli("import", "--books", str(books_dir), "--json", str(path)).stdout)
    (report,) = out["files"]
    assert report["accounts"] == ["Assets:Banque:Courant", "Assets:Banque:Epargne"]
    archives = report["archives"]
    assert [a.split("/")[3] for a in archives] == ["Courant", "Epargne"]
    identity = load_identity(Books.open(books_dir).config)
    for archive in archives:
        assert pyrage.decrypt((books_dir / archive).read_bytes(), [identity]) == path.read_bytes()
    entries, errors, _ = loader.load_file(str(books_dir / "main.beancount"))
    assert not errors
    files = [e for e in entries if isinstance(e, data.Custom) and e.type == "bank-file"]
    assert sorted(str(e.values[2].value) for e in files) == [
        "Assets:Banque:Courant", "Assets:Banque:Epargne",
    ]  # fmt: skip
    documents = sorted(e.account for e in entries if isinstance(e, data.Document))
    assert documents == ["Assets:Banque:Courant", "Assets:Banque:Epargne"]
    again = json.loads(cli("import", "--books", str(books_dir), "--json", str(path)).stdout)
    assert again["movements"] == 0 and again["files"][0]["skipped"]


# ---------------------------------------------------------------- issue 15, defect 3: batches


@pytest.fixture
def hub_dir(cli, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Books that can issue invoices (the hub's seat is set), through ``coopledger init``."""
    root = tmp_path / "hub"
    cli("init", str(root), "--name", "Hub Test ASBL", "--enterprise-number", ENTERPRISE,
        "--iban", IBAN, "--start", "2026-01-01", "--address",
        "Rue de l'Essai 1, 1030 Schaerbeek")  # fmt: skip
    return root


def _hub_with_invoices(hub_dir: Path, amounts: list[str], when: dt.date) -> tuple[str, list]:
    """A participant, a client and an issued invoice (no VAT) per amount; returns the
    participant's code and the invoices."""
    from invoicing.clients import add_client
    from ledger.participants import add_participant

    books = Books.open(hub_dir)
    code = add_participant(books, alias="Fictive Test Alias", activity="catering", day=day(1, 5))
    client = add_client(books, {"name": "Client Fictif SA (test)"}).id
    return code, [_invoice(books, code, client, amount, when) for amount in amounts]


def _invoice(books: Books, code: str, client: str, amount: str, when: dt.date):  # type: ignore[no-untyped-def]
    from invoicing.issue import IssueRequest, issue_invoice
    from invoicing.models import LineInput

    line = LineInput(description="Buffet", quantity=Decimal(1), unit_price=Decimal(amount),
                     vat_rate=Decimal(0))  # fmt: skip
    request = IssueRequest(participant=code, client=client, date=when, lines=[line])
    return issue_invoice(books, request, today=when).document


def _batch(when: dt.date, details: list[Detail], amount: str | None = None) -> Movement:
    total = sum((d.amount or Decimal(0) for d in details), Decimal(0))
    return move(when, str(amount or total), "VERSEMENTS GROUPES").model_copy(
        update={"details": tuple(details)}
    )


PAYERS = [("Client Fictif SA (test)", "BE25944771278282"),
          ("Cliente Fictive Deux (test)", "BE76952393849995"),
          ("Association Imaginaire ASBL (test)", "BE71096123456769")]  # fmt: skip


def _open_invoices(hub_dir: Path) -> dict[str, Decimal]:
    from ledger.money.reconcile import State

    books = Books.open(hub_dir)
    state = State.of(books.load().entries, books.config)
    return {inv.number: inv.open for inv in state.invoices.values()}


def test_defect_15_3_a_camt_batch_of_three_payers_settles_three_invoices(
    cli, hub_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Three payers, three invoice OGMs, one camt entry: one bank movement in the books,
    each invoice paid by its detail. The third invoice is issued after the import: the
    batch waits, with its details listed, until ``reconcile`` can settle all three."""
    code, invoices = _hub_with_invoices(hub_dir, ["40.00", "55.50"], day(7, 20))
    third_ogm = "202600000394"  # what the next invoice of 2026 will carry
    details = [
        Detail(sequence=str(n), amount=Decimal(amount), ogm=ogm, end_to_end_id=f"E2E-{n}",
               counterparty_name=name, counterparty_account=iban,
               communication=f"Merci de la part de {name}")
        for n, (amount, ogm, (name, iban)) in enumerate(
            zip(["40.00", "55.50", "24.50"], [invoices[0].ogm, invoices[1].ogm, third_ogm],
                PAYERS, strict=True), start=1)
    ]  # fmt: skip
    batch = statement(1, "0", [_batch(day(8, 3), details)])
    path = write(tmp_path, "batch.xml", camt(batch, "09"))
    out = json.loads(cli("import", "--books", str(hub_dir), "--json", str(path)).stdout)
    assert (out["movements"], out["to_review"]) == (1, 1)  # the third OGM is no invoice yet
    queue = json.loads(cli("reconcile", "--books", str(hub_dir), "--list", "--json").stdout)
    (item,) = queue["queue"]
    assert item["details"] == [{"amount": "40.00", "ogm": invoices[0].ogm},
                               {"amount": "55.50", "ogm": invoices[1].ogm},
                               {"amount": "24.50", "ogm": third_ogm}]  # fmt: skip
    books = Books.open(hub_dir)
    from invoicing.clients import read_clients

    third = _invoice(books, code, next(iter(read_clients(books))), "24.50", day(7, 25))
    assert third.ogm == third_ogm
    cli("reconcile", "--books", str(hub_dir), "--auto")
    assert _open_invoices(hub_dir) == {invoices[0].number: 0, invoices[1].number: 0,
                                         third.number: 0}  # fmt: skip
    queue = json.loads(cli("reconcile", "--books", str(hub_dir), "--list", "--json").stdout)
    assert queue["queue"] == []
    assert cli("check", "--books", str(hub_dir)).returncode == 0
    entries, _, _ = loader.load_file(str(hub_dir / "main.beancount"))
    bank = [e for e in entries if isinstance(e, data.Transaction) and e.meta.get("kind") == "bank"]
    assert len(bank) == 1 and len([lk for lk in bank[0].links if lk.startswith("bank-")]) == 1
    settled = [e for e in entries if isinstance(e, data.Transaction)
               and e.meta.get("kind") == "settlement"]  # fmt: skip
    assert sorted(lk for e in settled for lk in e.links if lk.startswith("inv-")) == sorted(
        f"inv-{i.number}" for i in (*invoices, third)
    )
    assert {next(lk for lk in e.links if lk.startswith("bank-")) for e in settled} == {
        next(lk for lk in bank[0].links if lk.startswith("bank-"))
    }
    payments = [e for e in entries if isinstance(e, data.Transaction)
                and e.meta.get("kind") == "payment"]  # fmt: skip
    assert len(payments) == 3  # each invoice allocated to the participant
    written = "".join(p.read_text() for p in hub_dir.rglob("*.beancount"))
    for name, iban in PAYERS:  # the payers stay in the encrypted archive, never the books
        assert name not in written and iban not in written
    assert "Merci de la part" not in written


def test_defect_15_3_a_coda_globalised_movement_settles_its_invoices_at_import(
    cli, hub_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _, invoices = _hub_with_invoices(hub_dir, ["40.00", "55.50", "24.50"], day(7, 20))
    details = [
        Detail(sequence=str(n), amount=Decimal(a), ogm=inv.ogm,
               counterparty_name=name, counterparty_account=iban)
        for n, (a, inv, (name, iban)) in enumerate(
            zip(["40.00", "55.50", "24.50"], invoices, PAYERS, strict=True), start=1)
    ]  # fmt: skip
    path = write(tmp_path, "glob.cod", coda(statement(1, "0", [_batch(day(8, 3), details)])))
    out = json.loads(cli("import", "--books", str(hub_dir), "--json", str(path)).stdout)
    assert (out["movements"], out["matched"], out["to_review"]) == (1, 1, 0)
    assert set(_open_invoices(hub_dir).values()) == {0}
    assert cli("check", "--books", str(hub_dir)).returncode == 0


def test_a_batch_whose_details_do_not_add_up_is_refused_naming_the_check(
    cli, hub_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Details that do not add up to their movement: the file is inconsistent."""
    _, invoices = _hub_with_invoices(hub_dir, ["40.00", "55.50"], day(7, 20))
    details = [
        Detail(sequence=str(n), amount=Decimal(a), ogm=inv.ogm)
        for n, (a, inv) in enumerate(zip(["40.00", "55.50"], invoices, strict=True), 1)
    ]
    path = write(
        tmp_path, "net.cod", coda(statement(1, "0", [_batch(day(8, 3), details, amount="94.50")]))
    )
    proc = cli("import", "--books", str(hub_dir), str(path), check=False)
    assert proc.returncode == 1
    assert (
        ": batch: movement 0001: its details add up to 95.500, the movement is 94.500"
        in proc.stderr
    )


def test_a_batch_debit_settles_the_payouts_of_the_hubs_sepa_file(
    cli, hub_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from ledger.money.payouts import book_payout

    code, invoices = _hub_with_invoices(hub_dir, ["300.00"], day(7, 20))
    payment = move(day(7, 27), "300.00", ogm=invoices[0].ogm)
    cli("import", "--books", str(hub_dir), str(write(tmp_path, "in.cod",
        coda(statement(1, "0", [payment])))))  # fmt: skip
    books = Books.open(hub_dir)
    payouts = [book_payout(books, code, amount, "bank", iban="BE71096123456769", day=day(8, 1))
               for amount in ("100.00", "50.00")]  # fmt: skip
    details = [Detail(sequence=str(n), amount=-p["amount"], end_to_end_id=p["payout"],
                      counterparty_name="Participante Fictive (test)",
                      counterparty_account="BE71096123456769")
               for n, p in enumerate(payouts, start=1)]  # fmt: skip
    debit = statement(2, "300.00", [_batch(day(8, 3), details)])
    out = json.loads(cli("import", "--books", str(hub_dir), "--json",
                         str(write(tmp_path, "out.xml", camt(debit, "13")))).stdout)  # fmt: skip
    assert (out["matched"], out["to_review"]) == (1, 0)
    entries, _, _ = loader.load_file(str(hub_dir / "main.beancount"))
    settled = {lk for e in entries if isinstance(e, data.Transaction)
               and e.meta.get("kind") == "settlement" for lk in e.links if lk.startswith("po-")}  # fmt: skip
    assert settled == {p["link"] for p in payouts}
    assert cli("check", "--books", str(hub_dir)).returncode == 0
    assert "Participante Fictive" not in "".join(
        p.read_text() for p in hub_dir.rglob("*.beancount")
    )


# ---------------------------------------------------------------- issue 15, defects 4, 6, 7


def test_defect_15_4_camt_053_001_09_and_later_are_booked(
    cli, books_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    docs = sorted((DOCUMENTS / "camt053").glob("*.camt053v1[0-4].xml"))
    docs.insert(0, DOCUMENTS / "camt053" / "hub-test-2026-08-03.camt053v09.xml")
    out = json.loads(cli("import", "--books", str(books_dir), "--json", *map(str, docs)).stdout)
    assert (out["statements"], out["movements"]) == (6, 8)
    assert cli("check", "--books", str(books_dir)).returncode == 0
    later = (DOCUMENTS / "camt053" / "hub-test-2026-08-10.camt053v14.xml").read_bytes()
    path = write(tmp_path, "v15.xml", later.replace(b"camt.053.001.14", b"camt.053.001.15"))
    proc = cli("import", "--books", str(books_dir), str(path), check=False)
    assert "camt.053.001.15 is not supported (versions .001.02 to .001.14)" in one_line_error(
        proc, path, "format"
    )


def test_defect_15_6_first_movement_value_dated_before_the_statement(
    cli, books_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A statement of 2 March whose first movement was value-dated 27 February: booked on
    its booking date; the opening is the day before the statement's first day."""
    early = move(day(3, 2), "20.00", "Don").model_copy(update={"value_date": day(2, 27)})
    first = statement(1, "300.00", [early], opening_date=day(3, 1))
    for name, payload in (("v.cod", coda(first)), ("v.xml", camt(first, "09"))):
        books = tmp_path / f"books-{name}"
        cli("init", str(books), "--name", "Hub Test ASBL", "--enterprise-number", ENTERPRISE,
            "--iban", IBAN, "--start", "2026-01-01")  # fmt: skip
        cli("import", "--books", str(books), str(write(tmp_path, name, payload)))
        assert cli("check", "--books", str(books)).returncode == 0
        text = (books / "2026" / "bank.beancount").read_text()
        assert "2026-03-02 ! " in text and "2026-03-03 balance" in text
        assert bank_balance(books, "Assets:Banque:Courant", day(3, 2)) == Decimal("300.00")


def test_defect_15_7_beangulp_extract_gives_one_line_for_a_refused_file(tmp_path: Path) -> None:
    books = make_books(tmp_path / "books")  # the key at $COOPLEDGER_KEY_FILE (conftest)
    script = write(tmp_path, "import.py", (
        "import beangulp\n"
        "from importers.ingest import all_importers, settings_from_books\n"
        f"settings = settings_from_books({str(books.root)!r})\n"
        "beangulp.Ingest(all_importers(settings))()\n"
    ).encode())  # fmt: skip
    good = statement(1, "100.00", [move(day(3, 2), "5.00", "Don")])
    lines = coda(good).decode("cp1252").splitlines()
    lines[-2] = lines[-2][:42] + "000000000099990" + lines[-2][57:]  # the new balance is wrong
    bad = write(tmp_path, "march.cod", ("\n".join(lines) + "\n").encode("cp1252"))
    proc = subprocess.run([sys.executable, str(script), "extract", str(bad)], capture_output=True,
                          text=True, timeout=120, cwd=REPO)  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "Exception in importer code" not in proc.stderr
    (error,) = [ln.strip() for ln in proc.stderr.splitlines() if ": balance: " in ln]
    assert error.startswith(f"{bad}:") and "old balance 100.000 + movements 5.000" in error
