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


def _return(inv: dict[str, Any], day: str, amount: str | None = None) -> tuple[str, str, dict[str, str]]:
    return (day, "-" + (amount or inv["total"]), {"ogm": inv["ogm"], "iban": CLIENT_IBAN,
                                                  "text": "retour"})  # fmt: skip


def _payment(inv: dict[str, Any], day: str, amount: str | None = None) -> tuple[str, str, dict[str, str]]:
    return (day, amount or inv["total"], {"ogm": inv["ogm"], "name": "Client Fictif SRL",
                                          "iban": CLIENT_IBAN})  # fmt: skip


def _hub(tmp: Path) -> Hub:
    tmp.mkdir()
    return Hub(tmp, start="2025-01-01")


def _settled(h: Hub, outstanding: str = "0.00") -> dict[str, Any]:
    assert h.json("reconcile", "--list") == {"queue": [], "unallocated": []}
    (row,) = h.json("invoice", "list")
    assert row["outstanding"] == outstanding, row
    balances = h.trial_balance(2025)
    assert REFUNDS not in balances, balances  # no refund invented
    assert "Assets:Attente" not in balances and not any(
        "Attente" in a or "Suspense" in a for a in balances
    ), balances
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
    assert _settled(two) == balances
    assert two.show() == one.show()
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
    assert REFUNDS not in h.trial_balance(2025)


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


def test_a_return_after_a_payout_then_a_new_payment_in_one_statement(tmp_path: Path) -> None:
    h = Hub(tmp_path, start="2025-01-01")
    inv = h.invoice("100.00", "2025-03-03")
    h.pays(inv, "2025-03-10")
    held = h.show()["balance"]
    h.run("cash", "withdraw", "100.00", "--date", "2025-03-11")
    h.run("payout", h.code, held, "--method", "cash", "--date", "2025-03-12")
    h.statement(_return(inv, "2025-03-20"), _payment(inv, "2025-03-25"))
    # The return would take her balance below zero: it waits for the treasurer, whatever
    # the order of the file, and the new payment is not settled twice.
    queue = h.json("reconcile", "--list")["queue"]
    assert len(queue) == 1 and queue[0]["amount"].startswith("-"), queue
    h.run("reconcile", "--assign", queue[0]["ref"], f"return:inv-{inv['number']}")
    balances = _settled(h)
    shown = h.show()
    assert shown["owed"] in ("0", "0.00"), shown  # recovered from the new payment
    assert balances[f"Assets:Participants-a-recuperer:{h.code}"] == Decimal(0) if (
        f"Assets:Participants-a-recuperer:{h.code}" in balances) else True  # fmt: skip
