"""A bank payout that bounces: the bank brings the money back, and it goes back to the
participant (the balance held for them), never into one of the hub's accounts.

The whole path with real CODA files through ``import``: payout ordered, exported to
pain.001, debited on one statement, returned on the next (end-to-end reference and the
bank's R-transaction mark in record 2.2); then the cases one by one in memory.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from money_builders import (
    CLIENT_IBANS,
    CODES,
    PAYEE_IBAN,
    add_client,
    bank_entry,
    invoice_entry,
    make_config,
    new_books,
    open_all,
)
from money_builders import issue as issue_invoice
from test_money_bad_input import digest, refused
from tests_support import run_cli

from ledger.books import Books
from ledger.dates import TODAY_ENV
from ledger.errors import InputError
from ledger.money.payouts import book_payout, export_pain001, payout_entry, returned_payouts
from ledger.money.reconcile import State, assign, reconcile_new_entries, review_queue
from ledger.money.reconcile.booking import run_assign, run_auto
from ledger.participants import held_balance, summarize

importers_run = pytest.importorskip("importers.run")
coda_writer = pytest.importorskip("ledger.demo.coda_writer")
model = pytest.importorskip("importers.model")

HUB_IBAN = "BE68539007547034"
D = dt.date
P1 = CODES[0]


# ---------------------------------------------------------------- through CODA files


def coda(seq: str, opening: str, moves: list[tuple], r_types: dict[int, str] | None = None
         ) -> bytes:  # fmt: skip
    """A CODA statement; ``moves``: (day, amount, name, iban, text, ogm, e2e). ``r_types``
    marks movement n (1-based) as an R-transaction in record 2.2 (e.g. ``"2AC04"``)."""
    movements = tuple(
        model.Movement(
            ref="", bank_ref=f"R{seq}{n:03d}", booking_date=day, value_date=day,
            amount=Decimal(amount), currency="EUR", counterparty_name=name,
            counterparty_account=iban, communication=text or "", ogm=ogm, end_to_end_id=e2e,
            counterparty_bic="GEBABEBB" if r_types and n in r_types else None,
        )
        for n, (day, amount, name, iban, text, ogm, e2e) in enumerate(moves, start=1)
    )  # fmt: skip
    closing = Decimal(opening) + sum((m.amount for m in movements), Decimal(0))
    first, last = (f(m.booking_date for m in movements) for f in (min, max))
    st = model.Statement(
        format="coda", account=HUB_IBAN, iban=HUB_IBAN, currency="EUR",
        opening_balance=Decimal(opening), opening_date=first, closing_balance=closing,
        closing_date=last, sequence=seq, movements=movements,
    )  # fmt: skip
    header = coda_writer.CodaHeader(bank_id="539", holder="Hub Test Money",
                                    company_id="00403170701")  # fmt: skip
    text = bytes(coda_writer.write_coda([st], header, created=last)).decode("cp1252")
    lines = text.split("\n")
    for n, zone in (r_types or {}).items():
        # Record 2.2 of movement n: columns 110-112 blank, 113 the type, 114-117 the reason.
        at = next(i for i, ln in enumerate(lines) if ln.startswith(f"22{n:04d}0000"))
        lines[at] = lines[at][:109] + f"   {zone}".ljust(8) + lines[at][117:]
    return "\n".join(lines).encode("cp1252")


def do_import(books: Books, name: str, payload: bytes) -> None:
    from importers.service import BankFile

    importers_run.import_files(books, [BankFile(name, payload)])


def cli(books: Books, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("COOPLEDGER_") or k in (TODAY_ENV, "COOPLEDGER_LANG")
    }
    return run_cli([*args, "--books", str(books.root)], env=env)


def open_refs(books: Books) -> list[str]:
    return [q.line.ref for q in review_queue(books.load().entries, books.config)]


def test_a_returned_payout_goes_back_to_the_participant(tmp_path: Path, key_env: Path) -> None:
    books = new_books(tmp_path / "books")
    client = add_client(books)
    inv = issue_invoice(books, P1, client, "200.00", D(2026, 3, 3))
    do_import(books, "march-1.cod", coda("001", "1000.00", [
        (D(2026, 3, 10), "200.00", "Client Fictif", CLIENT_IBANS[0], inv.ogm, inv.ogm, None),
    ]))  # fmt: skip
    assert held_balance(books.load().entries, books.config, P1) == Decimal("180.00")

    book_payout(books, P1, "150.00", "bank", PAYEE_IBAN, D(2026, 3, 20))
    export_pain001(books, tmp_path / "out" / "po.xml", {P1: PAYEE_IBAN}, execution=D(2026, 3, 21),
                   today=D(2026, 3, 21))  # fmt: skip
    do_import(books, "march-2.cod", coda("002", "1200.00", [
        (D(2026, 3, 23), "-150.00", "Beneficiaire", PAYEE_IBAN, "PO-2026-0001", None,
         "PO-2026-0001"),
    ]))  # fmt: skip
    assert open_refs(books) == []  # the debit settled the payout
    assert held_balance(books.load().entries, books.config, P1) == Decimal("30.00")

    # The participant's bank refuses the transfer (closed account): it comes back as an
    # R-transaction (type 2 return, reason AC04) carrying the payout's end-to-end reference.
    do_import(books, "march-3.cod", coda("003", "1050.00", [
        (D(2026, 3, 26), "150.00", "Beneficiaire", PAYEE_IBAN, "RETOUR PO-2026-0001", None,
         "PO-2026-0001"),
    ], r_types={1: "2AC04"}))  # fmt: skip
    ledger = books.load()
    assert not ledger.errors
    assert open_refs(books) == []  # out of suspense, by itself
    assert held_balance(ledger.entries, books.config, P1) == Decimal("180.00")
    (back,) = [e for e in ledger.entries if isinstance(e, data.Transaction)
               and e.meta.get("returned")]  # fmt: skip
    assert back.meta["kind"] == "settlement" and back.meta["payout"] == "PO-2026-0001"
    assert "po-2026-0001" in back.links
    (bank_link,) = [lk for lk in back.links if lk.startswith("bank-")]
    (line,) = [e for e in ledger.entries if isinstance(e, data.Transaction)
               and e.meta.get("kind") == "bank" and bank_link in e.links]  # fmt: skip
    assert line.meta["r-transaction"] == "2/AC04"  # read from record 2.2 by the importer
    postings = {p.account: p.units.number for p in back.postings}
    assert postings == {
        books.config.account("suspense"): Decimal("150.00"),
        books.config.account("participant_held", P1): Decimal("-150.00"),
    }
    (returned,) = returned_payouts(ledger.entries, books.config)
    assert (returned.payout, returned.returned) == ("PO-2026-0001", D(2026, 3, 26))

    # Money coming back comes from the participant's account: never its IBAN or name.
    text = "".join(p.read_text() for p in books.root.rglob("*.beancount"))
    assert PAYEE_IBAN not in text and "Beneficiaire" not in text
    assert line.meta["counterparty-iban-last4"] == PAYEE_IBAN[-4:]
    summary = summarize(ledger.entries, books.config, P1)
    assert (summary.payouts, summary.balance) == (Decimal("0.00"), Decimal("180.00"))

    assert run_auto(books) == []  # a second run books nothing
    checked = cli(books, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    listed = cli(books, "payout", "list")
    assert "PO-2026-0001" in listed.stdout and "returned 2026-03-26" in listed.stdout
    assert PAYEE_IBAN not in listed.stdout

    # Assigning the same return again: one line, nothing written.
    ref = returned.returned_by
    assert ref
    refused(books, lambda: run_assign(books, ref, "po-2026-0001"), InputError,
            "already settled")  # fmt: skip
    # Another credit of that amount cannot return the same payout a second time.
    do_import(books, "march-4.cod", coda("004", "1200.00", [
        (D(2026, 3, 27), "150.00", None, None, "RETOUR", None, None),
    ]))  # fmt: skip
    (other,) = open_refs(books)
    refused(books, lambda: run_assign(books, other, "po-2026-0001"), InputError,
            "already returned")  # fmt: skip
    assert held_balance(books.load().entries, books.config, P1) == Decimal("180.00")
    bank_text = "".join(p.read_text() for p in (books.root / "2026").glob("*.beancount"))
    assert PAYEE_IBAN not in bank_text


# ---------------------------------------------------------------- case by case, in memory

CFG = make_config(regime="standard")


def paid_out(*more: data.Directive) -> list[data.Directive]:
    """P1 paid 121.00 (100 net, 90 held), a bank payout of 50.00 debited on 12 March."""
    i1 = invoice_entry(CFG, 1, P1, "C0001", D(2026, 3, 2), Decimal(100), Decimal(21))
    entries = [
        *open_all(CFG, D(2026, 1, 1)),
        i1,
        bank_entry(CFG, "B1", D(2026, 3, 8), "121.00", invoice="2026-0001",
                   ogm=str(i1.meta["ogm"])),
        payout_entry(CFG, "PO-2026-0001", P1, Decimal("50.00"), D(2026, 3, 10), "bank",
                     PAYEE_IBAN),
        bank_entry(CFG, "D1", D(2026, 3, 12), "-50.00", iban=PAYEE_IBAN,
                   extra={"end-to-end-id": "PO-2026-0001"}),
        *more,
    ]  # fmt: skip
    entries.extend(reconcile_new_entries(entries, CFG))
    return entries


def run(entries: list[data.Directive]) -> list[data.Directive]:
    new = reconcile_new_entries(entries, CFG)
    entries.extend(new)
    assert reconcile_new_entries(entries, CFG) == []
    return new


def held(entries: list[data.Directive]) -> Decimal:
    return State.of(entries, CFG).held_available(P1, D(2026, 12, 31))


def test_the_r_transaction_mark_alone_is_enough() -> None:
    entries = paid_out()
    assert held(entries) == Decimal("40.00")
    entries.append(bank_entry(CFG, "R1", D(2026, 3, 16), "50.00",
                              extra={"r-transaction": "2/AC04"}))  # fmt: skip
    (back,) = run(entries)
    assert back.meta["returned"] is True and back.meta["returns"] == "D1"
    assert back.links == frozenset({"bank-R1", "po-2026-0001"})
    assert held(entries) == Decimal("90.00")


def test_the_amount_alone_is_a_suggestion_then_a_decision() -> None:
    entries = paid_out(bank_entry(CFG, "R1", D(2026, 3, 16), "50.00", communication="retour"))
    assert run(entries) == []
    (item,) = review_queue(entries, CFG)
    assert item.candidates[0].target == "po-2026-0001"
    entries.extend(assign(entries, CFG, "R1", "PO-2026-0001"))
    assert held(entries) == Decimal("90.00")
    assert run(entries) == []


def test_too_late_after_the_debit_waits_for_a_decision() -> None:
    entries = paid_out(bank_entry(CFG, "R1", D(2026, 8, 1), "50.00",
                                  extra={"end-to-end-id": "PO-2026-0001"}))  # fmt: skip
    assert run(entries) == []
    assert [q.line.ref for q in review_queue(entries, CFG)] == ["R1"]


def test_a_payout_not_debited_cannot_be_returned() -> None:
    i1 = invoice_entry(CFG, 1, P1, "C0001", D(2026, 3, 2), Decimal(100), Decimal(21))
    entries = [
        *open_all(CFG, D(2026, 1, 1)), i1,
        bank_entry(CFG, "B1", D(2026, 3, 8), "121.00", invoice="2026-0001",
                   ogm=str(i1.meta["ogm"])),
        payout_entry(CFG, "PO-2026-0001", P1, Decimal("50.00"), D(2026, 3, 10), "bank",
                     PAYEE_IBAN),
        bank_entry(CFG, "R1", D(2026, 3, 16), "50.00", extra={"end-to-end-id": "PO-2026-0001",
                                                             "r-transaction": "2/AC04"}),
    ]  # fmt: skip
    run(entries)
    assert [q.line.ref for q in review_queue(entries, CFG)] == ["R1"]
    with pytest.raises(InputError, match="not been debited"):
        assign(entries, CFG, "R1", "po-2026-0001")


@pytest.mark.parametrize(
    ("day", "amount", "words"),
    [(D(2026, 3, 11), "50.00", "before the debit"), (D(2026, 3, 16), "49.00", "not the 50.00")],
)
def test_a_return_of_another_amount_or_before_the_debit_is_refused(
    day: dt.date, amount: str, words: str
) -> None:
    entries = paid_out(bank_entry(CFG, "R1", day, amount))
    with pytest.raises(InputError, match=words) as caught:
        assign(entries, CFG, "R1", "po-2026-0001")
    assert "\n" not in caught.value.message


def test_a_cash_payout_is_never_returned_by_the_bank() -> None:
    entries = paid_out(
        payout_entry(CFG, "PO-2026-0002", P1, Decimal("10.00"), D(2026, 3, 13), "cash", None),
        bank_entry(CFG, "R1", D(2026, 3, 16), "10.00", extra={"r-transaction": "2/AC04"}),
    )
    assert run(entries) == []
    with pytest.raises(InputError, match="not been debited"):
        assign(entries, CFG, "R1", "po-2026-0002")


def test_participant_accounts_are_no_target_for_a_bank_line(books: Books) -> None:
    from money_builders import import_bank

    import_bank(books, bank_entry(books.config, "B9", D(2026, 3, 26), "45.00"))
    for account, words in (
        (f"Liabilities:Participants:{P1}", "balance held"),
        (f"Income:Participants:{P1}:Ventes", "participant's income"),
        (f"Income:Participants:{P1}:Contribution", "participant's income"),
        (f"Expenses:Participants:{P1}:Couts", "cannot be assigned"),
    ):
        message = refused(books, lambda a=account: run_assign(books, "B9", a), InputError,
                          words)  # fmt: skip
        assert "cannot be assigned" in message
    before = digest(books.root)
    assert open_refs(books) == ["B9"] and digest(books.root) == before
