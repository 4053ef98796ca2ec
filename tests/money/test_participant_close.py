"""Closing a participant on a past date: every check holds on that date, through the CLI.

``participant close CODE --date D`` looks at the books as of the end of ``D`` (every entry
dated up to it), not as of today: a payout ordered before ``D`` and debited after it was
still in transit on ``D`` (it could have failed or come back), an invoice settled after
``D`` was open on ``D``; and nothing of hers may be dated after ``D``. Fictional data only.
"""

from __future__ import annotations

from pathlib import Path

from cli_hub import CLIENT_IBAN, Hub


def _paid_out(tmp: Path) -> tuple[Hub, str]:
    """An invoice of 200.00 paid on 03-10 (180.00 held), paid out by bank on 03-20."""
    hub = Hub(tmp)
    inv = hub.invoice("200.00", "2026-03-03")
    hub.pays(inv, "2026-03-10")
    payout = hub.json("payout", hub.code, "180.00", "--method", "bank", "--date", "2026-03-20")
    return hub, payout["payout"]


def test_a_payout_debited_after_the_close_date_refuses_that_date(tmp_path: Path) -> None:
    hub, po = _paid_out(tmp_path)
    debit = {"e2e": po, "name": "Beneficiaire Fictif", "text": po}
    hub.statement(("2026-04-03", "-180.00", debit))
    assert hub.json("reconcile", "--list") == {"queue": [], "unallocated": []}
    assert hub.show()["balance"] == "0.00" and hub.json("payout", "list") == []
    # Today the payout is debited; on 03-31 it still waited for the bank.
    message = hub.refused("participant", "close", hub.code, "--date", "2026-03-31",
                          words="debited by the bank only on 2026-04-03")  # fmt: skip
    assert po in message and "2026-03-31" in message
    hub.refused("participant", "close", hub.code, "--date", "2026-04-02", words=po)
    hub.run("participant", "close", hub.code, "--date", "2026-04-03")
    hub.run("check")
    assert hub.show()["status"] == "closed"
    # A hand edit that moves the close back before the debit: the plugin names the payout.
    accounts = hub.root / "participants.beancount"
    text = accounts.read_text()
    assert text.count("2026-04-03 close") == 7, text
    accounts.write_text(text.replace("2026-04-03 close", "2026-03-31 close"))
    check = hub.run("check", ok=False)
    assert check.returncode == 1 and "Traceback" not in check.stderr
    assert "2026/payouts.beancount:" in check.stderr
    assert f"payout {po} was debited by the bank only on 2026-04-03" in check.stderr


def test_a_payout_not_debited_at_all_still_refuses(tmp_path: Path) -> None:
    hub, po = _paid_out(tmp_path)
    message = hub.refused("participant", "close", hub.code, "--date", "2026-03-31",
                          words="not debited by the bank yet")  # fmt: skip
    assert po in message


def test_an_invoice_settled_after_the_close_date_refuses_that_date(tmp_path: Path) -> None:
    """The client paid after D, but the payment's allocation waits (nothing of hers moved
    after D yet): on D the invoice was open."""
    hub = Hub(tmp_path)
    inv = hub.invoice("100.00", "2026-03-03")
    hub.pays(inv, "2026-03-10")
    hub.run("cash", "withdraw", "100.00", "--date", "2026-03-11")
    hub.run("payout", hub.code, "90.00", "--method", "cash", "--date", "2026-03-12")
    inv2 = hub.invoice("50.00", "2026-03-13")
    # Paid by bank on 04-10, recorded on the receivable only (as a hand-booked settlement:
    # no allocation yet, so nothing of hers is dated after 04-01).
    extra = hub.root / "2026" / "manual.beancount"
    extra.write_text(
        f'2026-04-10 * "paid by hand" ^inv-{inv2["number"]}\n'
        "  Assets:Caisse   50.00 EUR\n  Assets:Clients -50.00 EUR\n"
    )
    main = hub.root / "main.beancount"
    main.write_text(main.read_text() + 'include "2026/manual.beancount"\n')
    hub.run("check", "--adopt-changes")
    message = hub.refused("participant", "close", hub.code, "--date", "2026-04-01",
                          words="settled only after that day")  # fmt: skip
    assert inv2["number"] in message


def test_nothing_of_hers_after_the_close_date(tmp_path: Path) -> None:
    """Money held on D and paid out after it: the close names her last entry, not the
    balance (paid out since)."""
    hub = Hub(tmp_path)
    inv = hub.invoice("100.00", "2026-03-03")
    hub.pays(inv, "2026-03-10")
    hub.run("cash", "withdraw", "100.00", "--date", "2026-03-11")
    hub.run("payout", hub.code, "90.00", "--method", "cash", "--date", "2026-03-25")
    hub.refused("participant", "close", hub.code, "--date", "2026-03-20",
                words="before the participant's last entry (2026-03-25)")  # fmt: skip
    hub.run("participant", "close", hub.code, "--date", "2026-03-25")
    hub.run("check")


# ---------------------------------------------------------------- a credit note after her close

SALES, REFUNDS = "Income:Ventes", "Liabilities:Remboursements-dus"


def _closed(tmp: Path, start: str = "2026-01-01") -> tuple[Hub, dict[str, str]]:
    """An invoice of 200.00 paid (180.00 held, 20.00 contribution), paid out in cash, and
    its participant closed on the last day of March."""
    hub = Hub(tmp, start=start)
    y = start[:4]
    inv = hub.invoice("200.00", f"{y}-03-03")
    hub.pays(inv, f"{y}-03-10")
    hub.run("cash", "withdraw", "180.00", "--date", f"{y}-03-11")
    hub.run("payout", hub.code, "180.00", "--method", "cash", "--date", f"{y}-03-12")
    hub.run("participant", "close", hub.code, "--date", f"{y}-03-31")
    return hub, inv


def _credit(hub: Hub, inv: dict[str, str], day: str, *extra: str) -> tuple[str, ...]:
    return ("invoice", "credit", inv["number"], "--date", day, "--no-validate", *extra)


def test_a_credit_note_on_a_closed_participants_invoice_needs_hub_bears(tmp_path: Path) -> None:
    hub, inv = _closed(tmp_path)
    message = hub.refused(*_credit(hub, inv, "2026-04-05"), words="--hub-bears")
    assert f"participant {hub.code} is closed since 2026-03-31" in message
    hub.refused(*_credit(hub, inv, "2026-04-05", "--hub-bears", "--recover-from-participant"),
                words="exclude each other")  # fmt: skip
    hub.refused(*_credit(hub, inv, "2026-03-31", "--hub-bears"),
                words="dated after the close")  # fmt: skip
    before = hub.trial_balance(2026)
    note = hub.json(*_credit(hub, inv, "2026-04-05", "--hub-bears", "--line",
                             "Correction fictive|1|50.00|0"))  # fmt: skip
    assert note["total"] == "50.00" and note["participant"] == hub.code
    after = hub.trial_balance(2026)
    # The hub's own sales bear the credit; nothing of hers moves; the client is owed 50.00.
    changed = {a: after.get(a, 0) - before.get(a, 0) for a in set(before) | set(after)}
    assert {a: v for a, v in changed.items() if v} == {SALES: 50, REFUNDS: -50}
    shown = hub.show()
    assert (shown["status"], shown["balance"], shown["owed"]) == ("closed", "0.00", "0")
    assert shown["sales"] == "200.00" and shown["received"] == "200.00"
    (row,) = hub.json("invoice", "list")
    assert (row["credited"], row["outstanding"]) == ("50.00", "0.00")
    hub.run("check")
    # The rest, then nothing: a second credit beyond what is left is refused.
    hub.refused(*_credit(hub, inv, "2026-04-06", "--hub-bears", "--line",
                         "Correction fictive|1|150.01|0"), words="exceeds what is left")  # fmt: skip
    hub.run(*_credit(hub, inv, "2026-04-06", "--hub-bears"))
    hub.refused(*_credit(hub, inv, "2026-04-07", "--hub-bears"), words="fully credited")
    final = hub.trial_balance(2026)
    assert final[SALES] == 200 and final[REFUNDS] == -200
    # The hub's result: 20.00 of contribution, less the 200.00 of sales it credited.
    result = sum(v for a, v in final.items() if a.startswith(("Income", "Expenses")))
    assert result == 180  # a loss: her net share (180.00) paid out, borne by the hub
    hub.run("check")
    # The client refunded by bank, each credit note's refund: the refunds due are settled.
    back = {"name": "Client Fictif SRL", "iban": CLIENT_IBAN}
    hub.statement(("2026-04-20", "-50.00", {**back, "text": "remboursement NC2026-0001"}),
                  ("2026-04-21", "-150.00", {**back, "text": "remboursement NC2026-0002"}))  # fmt: skip
    assert hub.json("reconcile", "--list") == {"queue": [], "unallocated": []}
    assert hub.trial_balance(2026).get(REFUNDS, 0) == 0
    hub.run("check")


def test_hub_bears_is_refused_for_an_open_participant(tmp_path: Path) -> None:
    hub = Hub(tmp_path)
    inv = hub.invoice("100.00", "2026-03-03")
    hub.refused("invoice", "credit", inv["number"], "--date", "2026-03-05", "--no-validate",
                "--hub-bears", words="is for the invoice of a closed participant")  # fmt: skip


def test_a_credit_note_the_hub_bears_after_the_year_end(tmp_path: Path) -> None:
    """Invoice, payment and payout in 2025, the year closed, the participant closed in
    2026; the invoice (settled in the closed year) corrected in 2026."""
    hub = Hub(tmp_path, start="2025-01-01")
    inv = hub.invoice("200.00", "2025-03-03")
    hub.pays(inv, "2025-03-10")
    hub.run("cash", "withdraw", "180.00", "--date", "2025-03-11")
    hub.run("payout", hub.code, "180.00", "--method", "cash", "--date", "2025-03-12")
    hub.run("year", "close", "2025")
    hub.run("participant", "close", hub.code, "--date", "2026-01-10")
    hub.refused(*_credit(hub, inv, "2026-02-02"), words="--hub-bears")
    hub.run(*_credit(hub, inv, "2026-02-02", "--hub-bears"))
    tb = hub.trial_balance(2026)
    assert tb[SALES] == 200 and tb[REFUNDS] == -200
    hub.run("check")
    hub.run("check", "--all-years")


def test_a_returned_payment_after_a_credit_the_hub_bears(tmp_path: Path) -> None:
    """Credited in full, then the client's bank returns the payment itself: the refund due
    is cancelled (the bank gave the money back instead of the hub); nothing of hers moves."""
    hub, inv = _closed(tmp_path)
    hub.run(*_credit(hub, inv, "2026-04-05", "--hub-bears"))
    hub.statement(("2026-04-09", "-200.00", {"ogm": inv["ogm"], "iban": CLIENT_IBAN,
                                             "text": "retour"}))  # fmt: skip
    (line,) = hub.json("reconcile", "--list")["queue"]  # a return, or the refund? asked
    hub.run("reconcile", "--assign", line["ref"], f"return:inv-{inv['number']}")
    assert hub.json("reconcile", "--list") == {"queue": [], "unallocated": []}
    tb = hub.trial_balance(2026)
    assert tb.get(REFUNDS, 0) == 0 and tb.get("Assets:Clients", 0) == 0
    assert hub.show()["balance"] == "0.00"
    hub.run("check")


def test_a_hand_edit_of_a_credit_the_hub_bears_is_found(tmp_path: Path) -> None:
    hub, inv = _closed(tmp_path)
    hub.run(*_credit(hub, inv, "2026-04-05", "--hub-bears"))
    invoices = hub.root / "2026" / "invoices.beancount"
    text = invoices.read_text()
    assert text.count('borne-by: "hub"') == 1
    invoices.write_text(text.replace('  borne-by: "hub"\n', ""))
    check = hub.run("check", ok=False)
    assert check.returncode == 1 and "Traceback" not in check.stderr
    assert "2026/invoices.beancount:" in check.stderr and "borne-by" in check.stderr
    # The reversal says the hub bears it for an open participant: the plugin says no.
    invoices.write_text(text)
    payments = hub.root / "2026" / "payments.beancount"
    ptext = payments.read_text()
    payments.write_text(ptext.replace("share-borne: 180.00", "share-borne: -180.00"))
    check = hub.run("check", ok=False)
    assert "2026/payments.beancount:" in check.stderr and "below zero" in check.stderr
