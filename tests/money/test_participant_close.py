"""Closing a participant on a past date: every check holds on that date, through the CLI.

``participant close CODE --date D`` looks at the books as of the end of ``D`` (every entry
dated up to it), not as of today: a payout ordered before ``D`` and debited after it was
still in transit on ``D`` (it could have failed or come back), an invoice settled after
``D`` was open on ``D``; and nothing of hers may be dated after ``D``. Fictional data only.
"""

from __future__ import annotations

from pathlib import Path

from cli_hub import Hub


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
