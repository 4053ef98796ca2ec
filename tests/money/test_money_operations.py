"""Reconciliation, contributions, costs, payouts and grants, case by case."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from money_builders import (
    CLIENT_IBANS,
    CODES,
    PAYEE_IBAN,
    bank_entry,
    fill_cash,
    invoice_entry,
    make_config,
    open_all,
)
from pypdf import PdfReader

from ledger.config import RateChange
from ledger.i18n import translate
from ledger.money.contributions import contribution_for, with_rate
from ledger.money.expenses import ExpenseRequest, expense_entry
from ledger.money.payouts import payout_entry, receipt_pdf
from ledger.money.reconcile import State, assign, reconcile_new_entries, review_queue

D = dt.date
CFG = make_config(regime="standard")
P1, P2, _ = CODES
MARCH_2 = D(2026, 3, 2)


def world(*entries: data.Directive) -> list[data.Directive]:
    return [*open_all(CFG, D(2026, 1, 1)), *entries]


def run(entries: list[data.Directive]) -> list[data.Directive]:
    new = reconcile_new_entries(entries, CFG)
    entries.extend(new)
    assert reconcile_new_entries(entries, CFG) == []  # nothing twice
    return new


def kinds(entries: list[data.Directive]) -> list[str]:
    return [str(e.meta["kind"]) for e in entries]


def inv(seq: int, code: str = P1, client: str = "C0001", day: dt.date = MARCH_2,
        net: str = "100.00", vat: str = "21.00") -> data.Transaction:  # fmt: skip
    return invoice_entry(CFG, seq, code, client, day, Decimal(net), Decimal(vat))


# ---------------------------------------------------------------- contributions


def test_rate_by_date_override_and_rule_in_metadata() -> None:
    cfg = make_config()  # 10 %, 12 % from 1 July
    assert contribution_for(cfg, P1, D(2026, 6, 30), Decimal("100")).amount == Decimal("10.00")
    later = contribution_for(cfg, P1, D(2026, 7, 1), Decimal("100"))
    assert (later.rate, later.rule, later.amount) == (12, "hub rate since 2026-07-01", 12)
    cfg.contribution.participants = {P2: [RateChange(since=D(2026, 1, 1), rate="5")]}
    own = contribution_for(cfg, P2, D(2026, 8, 1), Decimal("33.33"))
    assert (own.rate, own.rule) == (5, f"participant {P2} since 2026-01-01")
    assert own.amount == Decimal("1.67")
    assert own.meta()["received-net"] == Decimal("33.33")


def test_past_payments_keep_the_rate_of_their_date() -> None:
    """A payment received in June but reconciled after the July change keeps 10 %."""
    i1 = inv(1)
    entries = world(i1, bank_entry(CFG, "B1", D(2026, 6, 15), "121.00"))
    cfg = make_config(regime="standard")
    text = with_rate(cfg, Decimal("15"), D(2026, 9, 1), None)
    assert "since = 2026-09-01" in text and 'rate = "15"' in text
    new = reconcile_new_entries(
        [*entries[:-1], bank_entry(CFG, "B1", D(2026, 6, 15), "121.00",
                                   ogm=str(i1.meta["ogm"]))], CFG)  # fmt: skip
    payment = next(e for e in new if e.meta["kind"] == "payment")
    assert payment.meta["contribution-rate"] == 10
    assert payment.meta["contribution"] == Decimal("10.00")


# ---------------------------------------------------------------- matching


def test_ogm_typed_in_the_free_communication() -> None:
    i1 = inv(1)
    ogm = str(i1.meta["ogm"])
    typed = f"paiement +++{ogm[:3]}/{ogm[3:7]}/{ogm[7:]}+++ merci"
    entries = world(i1, bank_entry(CFG, "B1", D(2026, 3, 9), "121.00", communication=typed))
    assert kinds(run(entries)) == ["settlement", "payment"]


def test_one_payment_for_several_invoices_of_a_client() -> None:
    entries = world(inv(1), inv(2, code=P2, net="50.00", vat="10.50"),
                    bank_entry(CFG, "B1", D(2026, 3, 9), "181.50", iban=CLIENT_IBANS[0],
                               communication="factures 2026-0001 2026-0002"))  # fmt: skip
    new = run(entries)
    assert kinds(new) == ["settlement", "settlement", "payment", "payment"]
    nets = {e.meta["participant"]: e.meta["received-net"] for e in new
            if e.meta["kind"] == "payment"}  # fmt: skip
    assert nets == {P1: Decimal("100.00"), P2: Decimal("50.00")}


def test_amount_and_known_account_match_a_later_payment() -> None:
    """The client paid invoice 1 by OGM from an account; invoice 2's payment, without any
    reference, comes from the same account with the exact amount."""
    i1, i2 = inv(1), inv(2, net="40.00", vat="8.40", day=D(2026, 3, 5))
    entries = world(
        i1, i2,
        bank_entry(CFG, "B1", D(2026, 3, 8), "121.00", invoice="2026-0001",
                   ogm=str(i1.meta["ogm"]), iban=CLIENT_IBANS[0]),
        bank_entry(CFG, "B2", D(2026, 3, 20), "48.40", iban=CLIENT_IBANS[0]),
    )  # fmt: skip
    new = run(entries)
    assert [e.meta.get("invoice") for e in new] == ["2026-0001", "2026-0002", "2026-0002"]


def test_ambiguous_payment_waits_then_is_decided() -> None:
    entries = world(inv(1), inv(2, client="C0002"), bank_entry(CFG, "B1", D(2026, 3, 9),
                                                                "121.00"))  # fmt: skip
    assert run(entries) == []
    (item,) = review_queue(entries, CFG)
    assert {c.target for c in item.candidates} >= {"inv-2026-0001", "inv-2026-0002"}
    decided = assign(entries, CFG, "B1", "2026-0002")
    assert kinds(decided) == ["settlement", "payment"]
    entries.extend(decided)
    assert review_queue(entries, CFG) == []


def test_partial_then_overpayment_goes_to_refunds_due() -> None:
    i1 = inv(1)
    ogm = str(i1.meta["ogm"])
    entries = world(
        i1,
        bank_entry(CFG, "B1", D(2026, 3, 8), "60.00", invoice="2026-0001", ogm=ogm),
        bank_entry(CFG, "B2", D(2026, 3, 9), "70.00", invoice="2026-0001", ogm=ogm,
                   iban=CLIENT_IBANS[0]),
        bank_entry(CFG, "B3", D(2026, 3, 30), "-9.00", iban=CLIENT_IBANS[0]),
    )  # fmt: skip
    new = run(entries)
    first, second, refund = new
    assert first.meta["received-net"] == Decimal("49.59")  # 60 × 100/121
    assert second.meta["applied"] == Decimal("61.00") and second.meta["overpaid"] == 9
    assert second.meta["received-net"] == Decimal("50.41")  # exactly 100 in all
    assert refund.meta["kind"] == "settlement" and "refund-B2" in refund.links


def test_returned_payment_undoes_the_allocation() -> None:
    i1 = inv(1)
    entries = world(
        i1,
        bank_entry(CFG, "B1", D(2026, 3, 8), "121.00", invoice="2026-0001",
                   ogm=str(i1.meta["ogm"]), iban=CLIENT_IBANS[0]),
        bank_entry(CFG, "R1", D(2026, 3, 12), "-121.00", iban=CLIENT_IBANS[0],
                   extra={"r-transaction": "R-RETURN"}),
    )  # fmt: skip
    new = run(entries)
    assert kinds(new) == ["payment", "settlement", "payment"]
    assert new[-1].meta["received-net"] == Decimal("-100.00")
    assert new[-1].meta["contribution"] == Decimal("-10.00")
    state = State.of(entries, CFG)
    assert state.invoices["inv-2026-0001"].open == Decimal("121.00")
    assert state.held_available(P1, D(2026, 12, 31)) == 0


def test_returned_payment_after_a_payout_waits_for_a_decision() -> None:
    i1 = inv(1)
    entries = world(
        i1,
        bank_entry(CFG, "B1", D(2026, 3, 8), "121.00", invoice="2026-0001",
                   ogm=str(i1.meta["ogm"]), iban=CLIENT_IBANS[0]),
    )  # fmt: skip
    run(entries)
    entries.append(payout_entry(CFG, "PO-2026-0001", P1, Decimal("90.00"), D(2026, 3, 10),
                                "cash", None))  # fmt: skip
    entries.append(bank_entry(CFG, "R1", D(2026, 3, 12), "-121.00", iban=CLIENT_IBANS[0],
                              extra={"r-transaction": "R-RETURN"}))  # fmt: skip
    assert run(entries) == []  # undoing it would take P1 below zero
    assert [q.line.ref for q in review_queue(entries, CFG)] == ["R1"]


def test_payout_debit_matched_by_end_to_end_reference() -> None:
    i1 = inv(1)
    entries = world(
        i1,
        bank_entry(CFG, "B1", D(2026, 3, 8), "121.00", invoice="2026-0001",
                   ogm=str(i1.meta["ogm"])),
        payout_entry(CFG, "PO-2026-0001", P1, Decimal("50.00"), D(2026, 3, 10), "bank",
                     PAYEE_IBAN),
        bank_entry(CFG, "D1", D(2026, 3, 12), "-50.00", iban=PAYEE_IBAN,
                   extra={"end-to-end-id": "PO-2026-0001"}),
    )  # fmt: skip
    new = run(entries)
    assert kinds(new) == ["payment", "settlement"]
    assert "po-2026-0001" in new[-1].links


def test_a_cost_paid_by_bank_is_settled_by_its_debit() -> None:
    req = ExpenseRequest(amount=Decimal("24.20"), vat=Decimal("4.20"), description="x",
                         participant=P1, paid_from="bank", day=D(2026, 3, 10))  # fmt: skip
    cost = expense_entry(CFG, req, "EXP-2026-0001", D(2026, 3, 10))
    by_account = {p.account: p.units.number for p in cost.postings}
    assert by_account["Assets:TVA-a-recuperer"] == Decimal("4.20")  # standard regime
    assert by_account["Liabilities:Fournisseurs"] == Decimal("-24.20")
    entries = world(cost, bank_entry(CFG, "D1", D(2026, 3, 14), "-24.20",
                                     communication="EXP-2026-0001"))  # fmt: skip
    assert kinds(run(entries)) == ["settlement"]


def test_cost_paid_out_of_pocket_leaves_the_balance() -> None:
    req = ExpenseRequest(amount=Decimal("12.00"), description="x", participant=P1,
                         paid_from="participant", day=D(2026, 3, 10))  # fmt: skip
    cost = expense_entry(make_config(), req, "EXP-2026-0001", D(2026, 3, 10))
    held = [p for p in cost.postings if p.account == f"Liabilities:Participants:{P1}"]
    assert held == []


# ---------------------------------------------------------------- documents


def test_cash_receipt_has_code_amount_date_and_no_identity() -> None:
    pdf = receipt_pdf("Hub Test ASBL", "PO-2026-0007", P1, Decimal("1234.50"), D(2026, 5, 4))
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    text = " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())
    for expected in ("Hub Test ASBL", "PO-2026-0007", P1, "1 234,50 €", "4/05/2026",
                     "Signature"):  # fmt: skip
        assert expected in text
    for lang in ("fr", "nl", "en"):  # complete in each language
        for words in ("Cash payment receipt", "Amount", "Participant's signature",
                      "For the organisation"):  # fmt: skip
            assert translate(lang, words, "receipt") in text, (lang, words)
    assert PAYEE_IBAN not in text


def test_grant_pays_the_cost_net_of_vat_whatever_the_vat_account_is_named(
    tmp_path: Path, key_env: Path
) -> None:
    from ledger.books import Books
    from ledger.layout import init_books
    from ledger.money.expenses import book_expense
    from ledger.money.grants import add_grant, report

    config = make_config(regime="standard")
    accounts = dict(config.accounts)
    accounts["vat_recoverable"] = accounts["vat_recoverable"].model_copy(
        update={"name": "Assets:TVA-deductible"}
    )
    books: Books = init_books(
        tmp_path / "books", config.model_copy(update={"accounts": accounts}), D(2026, 1, 1)
    )[0]
    add_grant(books, "fondation-tva", "500.00", D(2026, 2, 1), restricted=True)
    fill_cash(books, "200.00", D(2026, 2, 2))
    fresh = report(books.load().entries, books.config, "fondation-tva-2026").as_json()
    assert (fresh["charged"], fresh["remaining"]) == ("0.00", "500.00")
    book_expense(books, ExpenseRequest(amount=Decimal("121.00"), vat=Decimal("21.00"),
                                       description="outils", paid_from="cash",
                                       grant="fondation-tva-2026", day=D(2026, 2, 3)))  # fmt: skip
    grant = report(books.load().entries, books.config, "fondation-tva-2026")
    assert (grant.charged, grant.remaining) == (Decimal("100.00"), Decimal("400.00"))
