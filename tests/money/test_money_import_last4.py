"""Reconciliation reads what the bank importer really writes for money going out.

For a debit the importer keeps only ``counterparty-iban-last4`` (never the name nor the
IBAN: the payee may be a participant). A bank payout ordered to an account ending in the
same four characters is then settled by its debit on amount + last four characters +
date, even when the bank gives no end-to-end reference. The bank entries here come from a
real CODA file through ``importers.service.plan_import``, not from a test builder, so a
change of the importer's key breaks this test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from beancount.core import data
from money_builders import CODES, HUB_IBAN, PAYEE_IBAN, make_config, open_all

from importers.model import Movement, Statement
from importers.service import BankFile, plan_import
from importers.settings import ImportSettings
from ledger.demo.coda_writer import write_coda
from ledger.money.payouts import payout_entry
from ledger.money.reconcile import State, candidates, reconcile_new_entries

D = dt.date
CFG = make_config()
P1 = CODES[0]
OTHER_IBAN = "BE21001234567803"  # fictional, another account


def debit_from_coda(payee_iban: str) -> list[data.Directive]:
    """The entries the importer plans for a CODA statement with one debit of 50.00."""
    debit = Movement(
        ref="", booking_date=D(2026, 3, 12), value_date=D(2026, 3, 12),
        amount=Decimal("-50.00"), currency="EUR", communication="Virement",
        counterparty_name="Beneficiaire Fictif", counterparty_account=payee_iban,
    )  # fmt: skip
    statement = Statement(
        format="coda", account=HUB_IBAN, iban=HUB_IBAN, currency="EUR",
        opening_balance=Decimal("500.00"), opening_date=D(2026, 3, 11),
        closing_balance=Decimal("450.00"), closing_date=D(2026, 3, 12), sequence="012",
        movements=(debit,),
    )  # fmt: skip
    raw = write_coda([statement])
    entries: list[data.Directive] = [*open_all(CFG, D(2026, 1, 1))]
    plan = plan_import([BankFile("march.cod", raw)], entries, ImportSettings.from_config(CFG))
    return plan.entries


def books_with_payout(bank_entries: list[data.Directive]) -> list[data.Directive]:
    payout = payout_entry(CFG, "PO-2026-0001", P1, Decimal("50.00"), D(2026, 3, 10), "bank",
                          PAYEE_IBAN)  # fmt: skip
    return [*open_all(CFG, D(2026, 1, 1)), payout, *bank_entries]


def test_importer_keeps_only_the_last_four_characters_of_a_payee() -> None:
    (debit,) = [e for e in debit_from_coda(PAYEE_IBAN) if "bank-ref" in e.meta]
    assert isinstance(debit, data.Transaction)
    assert debit.meta["counterparty-iban-last4"] == PAYEE_IBAN[-4:]
    assert "counterparty-iban" not in debit.meta and "counterparty" not in debit.meta
    assert "end-to-end-id" not in debit.meta


def test_payout_debit_is_settled_by_the_last_four_iban_characters() -> None:
    entries = books_with_payout(debit_from_coda(PAYEE_IBAN))
    state = State.of(entries, CFG)
    (line,) = state.lines.values()
    assert line.iban_last4 == PAYEE_IBAN[-4:]
    best = candidates(state, line)[0]
    assert best.target == "po-2026-0001" and "last four IBAN digits" in best.reasons
    new = reconcile_new_entries(entries, CFG)
    (settlement,) = [e for e in new if e.meta.get("kind") == "settlement"]
    assert isinstance(settlement, data.Transaction) and "po-2026-0001" in settlement.links


def test_same_amount_to_another_account_is_left_for_review() -> None:
    new = reconcile_new_entries(books_with_payout(debit_from_coda(OTHER_IBAN)), CFG)
    assert [e for e in new if e.meta.get("kind") == "settlement"] == []
