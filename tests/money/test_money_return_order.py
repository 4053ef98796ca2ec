"""A returned payment and the client's new payment of the same invoice, in one statement.

Real banks write both in one monthly file: the return (negative, the invoice's structured
communication, the client's account) undoes the first payment, the invoice reopens, and the
new payment dated after it settles it. Movements are applied in bank date order, so no
refund is invented, nothing waits in suspense, and the year closes; the result is the same
whether the two lines come in one file or two. Fictional data only.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from cli_hub import CLIENT_IBAN, Hub

REFUNDS = "Liabilities:Remboursements-dus"
SUSPENSE = "Assets:Compte-d-attente"


def _return(
    inv: dict[str, Any], day: str, amount: str | None = None
) -> tuple[str, str, dict[str, str]]:
    return (day, "-" + (amount or inv["total"]), {"ogm": inv["ogm"], "iban": CLIENT_IBAN,
                                                  "text": "retour"})  # fmt: skip


def _payment(
    inv: dict[str, Any], day: str, amount: str | None = None
) -> tuple[str, str, dict[str, str]]:
    return (day, amount or inv["total"], {"ogm": inv["ogm"], "name": "Client Fictif SRL",
                                          "iban": CLIENT_IBAN})  # fmt: skip


def _hub(tmp: Path) -> Hub:
    tmp.mkdir()
    return Hub(tmp, start="2025-01-01")


def _coded(h: Hub, balances: dict[str, Decimal]) -> dict[str, Decimal]:
    """The balances with the participant's code left out (each hub draws its own)."""
    return {a.replace(h.code, "P"): v for a, v in balances.items()}


def _money(h: Hub) -> tuple[str, str, str]:
    shown = h.show()
    return shown["balance"], shown["received"], shown["owed"]


def _settled(h: Hub, outstanding: str = "0.00") -> dict[str, Any]:
    assert h.json("reconcile", "--list") == {"queue": [], "unallocated": []}
    (row,) = h.json("invoice", "list")
    assert row["outstanding"] == outstanding, row
    balances = h.trial_balance(2025)
    assert balances.get(REFUNDS, Decimal(0)) == 0, balances  # no refund invented
    assert balances.get(SUSPENSE, Decimal(0)) == 0, balances  # nothing left in suspense
    h.run("check")
    return balances


def test_return_and_new_payment_in_one_statement_settle_the_invoice(tmp_path: Path) -> None:
    one = _hub(tmp_path / "one")
    inv = one.invoice("100.00", "2025-03-03")
    one.pays(inv, "2025-03-10")
    held = one.show()["balance"]
    one.statement(_return(inv, "2025-04-02"), _payment(inv, "2025-04-09"))
    balances = _settled(one)
    assert one.show()["balance"] == held
    plan = one.json("close-year", "2025", "--dry-run")
    assert plan["blockers"] == [], plan
    # The same two lines in two files: the same books.
    two = _hub(tmp_path / "two")
    inv2 = two.invoice("100.00", "2025-03-03")
    two.pays(inv2, "2025-03-10")
    two.statement(_return(inv2, "2025-04-02"))
    two.statement(_payment(inv2, "2025-04-09"))
    assert _coded(two, _settled(two)) == _coded(one, balances)
    assert _money(two) == _money(one)
    one.run("close-year", "2025")


def test_a_return_with_no_later_payment_reopens_the_invoice(tmp_path: Path) -> None:
    h = Hub(tmp_path, start="2025-01-01")
    inv = h.invoice("100.00", "2025-03-03")
    h.pays(inv, "2025-03-10")
    h.statement(_return(inv, "2025-04-02"), ("2025-04-05", "-3.00", {"text": "frais"}))
    queue = h.json("reconcile", "--list")["queue"]
    assert len(queue) == 1 and queue[0]["amount"] in ("-3.00", "-3"), queue  # the fee only
    (row,) = h.json("invoice", "list")
    assert row["outstanding"] == "100.00", row
    assert h.show()["balance"] == "0.00"
    assert h.trial_balance(2025).get(REFUNDS, Decimal(0)) == 0


def test_a_returned_partial_payment_and_the_rest_paid_again_in_one_statement(
    tmp_path: Path,
) -> None:
    h = Hub(tmp_path, start="2025-01-01")
    inv = h.invoice("100.00", "2025-03-03")
    h.pays(inv, "2025-03-10", "40.00")
    h.statement(_return(inv, "2025-04-02", "40.00"), _payment(inv, "2025-04-09", "100.00"))
    _settled(h)
    one_go = _hub(tmp_path / "ref")
    inv2 = one_go.invoice("100.00", "2025-03-03")
    one_go.pays(inv2, "2025-04-09")
    assert h.show()["balance"] == one_go.show()["balance"]


def _after_payout(h: Hub, inv: dict[str, Any]) -> None:
    h.pays(inv, "2025-03-10")
    h.run("cash", "withdraw", "100.00", "--date", "2025-03-11")
    h.run("payout", h.code, h.show()["balance"], "--method", "cash", "--date", "2025-03-12")


def test_a_return_after_a_payout_then_a_new_payment_in_one_statement(tmp_path: Path) -> None:
    """The return would take her balance below zero: it waits for the treasurer, and the
    new payment waits behind it (it is not made an overpayment to refund); once the return
    is assigned, the new payment settles the reopened invoice and what she owed is
    recovered from it — the same books from one file or two."""
    one, two = _hub(tmp_path / "one"), _hub(tmp_path / "two")
    inv1, inv2 = one.invoice("100.00", "2025-03-03"), two.invoice("100.00", "2025-03-03")
    _after_payout(one, inv1)
    _after_payout(two, inv2)
    one.statement(_return(inv1, "2025-03-20"), _payment(inv1, "2025-03-25"))
    two.statement(_return(inv2, "2025-03-20"))
    two.statement(_payment(inv2, "2025-03-25"))
    for h, inv in ((one, inv1), (two, inv2)):
        listed = h.json("reconcile", "--list")
        queue = listed["queue"]
        assert len(queue) == 1 and queue[0]["amount"] == "-100.00", queue
        assert len(listed["unallocated"]) == 1, listed  # the new payment, behind the return
        assert h.trial_balance(2025).get(REFUNDS, Decimal(0)) == 0
        h.run("reconcile", "--assign", queue[0]["ref"], f"return:inv-{inv['number']}")
        balances = _settled(h)  # the new payment settles the reopened invoice
        assert _money(h)[2] in ("0", "0.00"), _money(h)  # what she owed, recovered from it
        assert balances.get(f"Assets:Participants-a-recuperer:{h.code}", Decimal(0)) == 0
    assert _coded(one, one.trial_balance(2025)) == _coded(two, two.trial_balance(2025))
    assert _money(two) == _money(one)
