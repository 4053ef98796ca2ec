"""What is held for a participant goes only where the accounting model sends it.

``plugins.money`` refused an entry taking what is held for her (``participant_held``
debited) into the hub's result, its own funds or another participant's accounts; two
entries got around it: the first took her money to an account with no participant (the
suspense account, a receivable of the hub), the second from there to the hub's income.
Now the first is refused: an entry that takes from her balance held sends it only to her
payout, what she owes, her share of open invoices, an allocation's contribution or a cost
charged to her (``docs/accounting-model.md``, invariant 5). Inline ledgers for the shapes,
the command line for what coopledger itself books. Fictional codes and amounts only.
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest
from beancount import loader
from cli_hub import PAYEE_IBAN, Hub
from tests_support import git_state

P = "P-AAAAAA"
HEAD = f"""
plugin "plugins.money"
2026-01-01 open Assets:Banque:Courant EUR
  role: "bank"
2026-01-01 open Assets:Caisse EUR
  role: "cash"
2026-01-01 open Assets:Clients EUR
  role: "clients"
2026-01-01 open Assets:Compte-d-attente EUR
  role: "suspense"
2026-01-01 open Assets:Autres-creances EUR
  role: "other_receivables"
2026-01-01 open Assets:TVA-a-recuperer EUR
  role: "vat_recoverable"
2026-01-01 open Assets:Divers EUR
2026-01-01 open Liabilities:Fournisseurs EUR
  role: "suppliers"
2026-01-01 open Liabilities:Virements-a-executer EUR
  role: "payouts_pending"
2026-01-01 open Liabilities:Remboursements-dus EUR
  role: "refunds_due"
2026-01-01 open Income:Autres-produits EUR
  role: "other_income"
2026-01-01 open Expenses:Services-et-biens-divers EUR
  role: "services"
2026-01-01 open Equity:Fonds-associatif EUR
  role: "fund"
2026-01-01 open Liabilities:Participants:{P} EUR
  participant: "{P}"
  role: "participant_held"
2026-01-01 open Liabilities:Quotes-parts-en-attente:{P} EUR
  participant: "{P}"
  role: "participant_pending"
2026-01-01 open Assets:Participants-a-recuperer:{P} EUR
  participant: "{P}"
  role: "participant_owed"
2026-01-01 open Income:Participants:{P}:Ventes EUR
  participant: "{P}"
  role: "participant_sales"
2026-01-01 open Expenses:Participants:{P}:Quote-part EUR
  participant: "{P}"
  role: "participant_share"
2026-01-01 open Income:Participants:{P}:Contribution EUR
  participant: "{P}"
  role: "participant_contribution"
2026-01-01 open Expenses:Participants:{P}:Couts EUR
  participant: "{P}"
  role: "participant_costs"

2026-02-01 * "invoice" ^inv-2026-0001
  kind: "invoice"
  participant: "{P}"
  Assets:Clients                          300.00 EUR
  Income:Participants:{P}:Ventes         -300.00 EUR
  Expenses:Participants:{P}:Quote-part    300.00 EUR
  Liabilities:Quotes-parts-en-attente:{P} -300.00 EUR
2026-02-02 * "a payment of 200.00, allocated" ^inv-2026-0001
  kind: "payment"
  participant: "{P}"
  amount: 200.00
  applied: 200.00
  received-net: 200.00
  contribution-rate: 10
  contribution: 20.00
  Liabilities:Quotes-parts-en-attente:{P}  200.00 EUR
  Liabilities:Participants:{P}            -200.00 EUR
  Liabilities:Participants:{P}              20.00 EUR
  Income:Participants:{P}:Contribution     -20.00 EUR
2026-02-02 * "the box's float"
  Assets:Caisse            100.00 EUR
  Equity:Fonds-associatif -100.00 EUR
"""
HEAD_LINES = len(HEAD.splitlines())
HELD = f"Liabilities:Participants:{P}"
SAID = "what is held for a participant goes only to her payout"


def errors(body: str) -> list[tuple[int, str]]:
    """(line in ``body``, message) of each error of the head then ``body``."""
    _entries, found, _ = loader.load_string(HEAD + textwrap.dedent(body))
    return [(e.source["lineno"] - HEAD_LINES, e.message) for e in found]


def test_the_head_alone_checks() -> None:
    assert errors("") == []  # 180.00 held for her


@pytest.mark.parametrize(
    "away",
    ["Assets:Compte-d-attente", "Assets:Autres-creances", "Assets:Divers", "Assets:Clients"],
)
def test_two_steps_through_an_account_of_nobody_are_refused_at_the_first(away: str) -> None:
    """Her 100.00 to the suspense account (or a receivable, an account with no role), then
    from there to the hub's income: the first entry is named, with the account it sent
    her money to; the second moves no money of hers."""
    found = errors(
        f"""
        2026-03-01 * "first step"
          {HELD}  100.00 EUR
          {away}  -100.00 EUR
        2026-03-02 * "second step"
          {away}  100.00 EUR
          Income:Autres-produits  -100.00 EUR
        """
    )
    assert found == [
        (
            2,
            f"participant {P}: this entry takes 100.00 EUR held for them to {away}; {SAID} "
            "(payouts to execute, the cash box), to what she owes the hub, back to her share "
            "of open invoices, to an allocation's contribution or to a cost charged to her",
        )
    ]


def test_whatever_its_kind_and_only_what_goes_astray() -> None:
    """A ``kind: "payout"`` label exempts nothing; of a payout of 60.00 split between the
    payouts to execute and suspense, the 25.00 sent to suspense is named; straight to the
    bank (no payout to execute, nothing reconciliation can match) is refused too."""
    found = errors(
        f"""
        2026-03-01 * "payout" ^po-2026-0001
          kind: "payout"
          participant: "{P}"
          {HELD}  60.00 EUR
          Liabilities:Virements-a-executer  -35.00 EUR
          Assets:Compte-d-attente  -25.00 EUR
        2026-03-02 * "payout straight from the bank"
          kind: "payout"
          participant: "{P}"
          {HELD}  10.00 EUR
          Assets:Banque:Courant  -10.00 EUR
        """
    )
    assert [(line, m.split(";")[0]) for line, m in found] == [
        (2, f"participant {P}: this entry takes 25.00 EUR held for them to "
            "Assets:Compte-d-attente"),
        (8, f"participant {P}: this entry takes 10.00 EUR held for them to "
            "Assets:Banque:Courant"),
    ]  # fmt: skip


def test_the_hubs_income_funds_and_other_participants_keep_their_own_words() -> None:
    """The earlier rules still say what happened, once: no second error for the same
    money (the hub's result, its funds, a contribution outside an allocation)."""
    found = errors(
        f"""
        2026-03-01 * "to the hub's income"
          {HELD}  10.00 EUR
          Income:Autres-produits  -10.00 EUR
        2026-03-01 * "to the hub's funds"
          {HELD}  10.00 EUR
          Equity:Fonds-associatif  -10.00 EUR
        2026-03-01 * "a contribution by hand"
          {HELD}  10.00 EUR
          Income:Participants:{P}:Contribution  -10.00 EUR
        """
    )
    assert [line for line, _ in found] == [2, 5, 8], found
    assert "into the hub's result" in found[0][1]
    assert "into the hub's own funds (equity)" in found[1][1]
    assert "a contribution is booked only by the allocation" in found[2][1]
    assert not any(SAID in m for _, m in found)


def test_a_cost_sends_her_money_to_the_supplier_only_as_far_as_the_cost() -> None:
    """A cost charged to her is paid to the supplier (or from the cash box): her share and
    costs add up to zero, the supplier's credit is what she bears. Beyond her cost, or
    with a cost paid from suspense, her money went elsewhere."""
    found = errors(
        f"""
        2026-03-01 * "a cost of 30.00 + 6.30 VAT, charged to her, by bank" ^exp-2026-0001
          kind: "expense"
          Expenses:Participants:{P}:Couts  30.00 EUR
          Assets:TVA-a-recuperer  6.30 EUR
          Liabilities:Fournisseurs  -36.30 EUR
          {HELD}  30.00 EUR
          Expenses:Participants:{P}:Quote-part  -30.00 EUR
        2026-03-02 * "a cost charged to her, in cash" ^exp-2026-0002
          kind: "expense"
          Expenses:Participants:{P}:Couts  10.00 EUR
          Assets:Caisse  -10.00 EUR
          {HELD}  10.00 EUR
          Expenses:Participants:{P}:Quote-part  -10.00 EUR
        2026-03-03 * "her money to a supplier, no cost of hers"
          {HELD}  20.00 EUR
          Liabilities:Fournisseurs  -20.00 EUR
        2026-03-04 * "a cost of hers 'paid' from suspense"
          kind: "expense"
          Expenses:Participants:{P}:Couts  15.00 EUR
          Assets:Compte-d-attente  -15.00 EUR
          {HELD}  15.00 EUR
          Expenses:Participants:{P}:Quote-part  -15.00 EUR
        """
    )
    assert [(line, m.split(";")[0]) for line, m in found] == [
        (15, f"participant {P}: this entry takes 20.00 EUR held for them to "
             "Liabilities:Fournisseurs"),
        (18, f"participant {P}: this entry takes 15.00 EUR held for them to "
             "Assets:Compte-d-attente"),
    ]  # fmt: skip


def test_each_legitimate_kind_passes() -> None:
    """The shapes coopledger books (ledger/money/payouts.py, expenses.py, cash.py,
    reconcile/booking.py): a payout by bank and its debit, in cash, cancelled; a cost
    charged to her; a recovery of what she owes larger than the payment it rides on; a
    credit note after payment, with a refund due and the rest owed by her; a payment
    returned; a cash sale recovering from what was held before."""
    found = errors(
        f"""
        2026-03-01 * "payout by bank, ordered" ^po-2026-0001
          kind: "payout"
          participant: "{P}"
          payout: "PO-2026-0001"
          {HELD}  40.00 EUR
          Liabilities:Virements-a-executer  -40.00 EUR
        2026-03-03 * "debited" ^po-2026-0001
          kind: "settlement"
          Liabilities:Virements-a-executer  40.00 EUR
          Assets:Banque:Courant  -40.00 EUR
        2026-03-04 * "payout in cash" ^po-2026-0002
          kind: "payout"
          participant: "{P}"
          {HELD}  20.00 EUR
          Assets:Caisse  -20.00 EUR
        2026-03-05 * "payout ordered" ^po-2026-0003
          kind: "payout"
          participant: "{P}"
          payout: "PO-2026-0003"
          iban-last4: "7000"
          {HELD}  10.00 EUR
          Liabilities:Virements-a-executer  -10.00 EUR
        2026-03-05 * "and cancelled" ^po-2026-0003
          kind: "payout-cancel"
          participant: "{P}"
          payout: "PO-2026-0003"
          Liabilities:Virements-a-executer  10.00 EUR
          {HELD}  -10.00 EUR
        2026-03-06 * "a cost charged later" ^exp-2026-0001
          kind: "expense"
          Expenses:Participants:{P}:Couts  25.00 EUR
          Assets:Caisse  -25.00 EUR
          Assets:Participants-a-recuperer:{P}  25.00 EUR
          Expenses:Participants:{P}:Quote-part  -25.00 EUR
        2026-03-07 * "a payment of 10.00 recovering 25.00" ^inv-2026-0001
          kind: "payment"
          participant: "{P}"
          amount: 10.00
          applied: 10.00
          received-net: 10.00
          contribution-rate: 10
          contribution: 1.00
          recovered: 25.00
          Liabilities:Quotes-parts-en-attente:{P}  10.00 EUR
          Liabilities:Participants:{P}  -10.00 EUR
          Liabilities:Participants:{P}  1.00 EUR
          Income:Participants:{P}:Contribution  -1.00 EUR
          Liabilities:Participants:{P}  25.00 EUR
          Assets:Participants-a-recuperer:{P}  -25.00 EUR
        2026-03-08 * "a cost charged to her" ^exp-2026-0002
          kind: "expense"
          Expenses:Participants:{P}:Couts  5.00 EUR
          Liabilities:Fournisseurs  -5.00 EUR
          {HELD}  5.00 EUR
          Expenses:Participants:{P}:Quote-part  -5.00 EUR
        2026-03-09 * "credit note of 210.00 after payment" ^cn-2026-0001 ^inv-2026-0001
          kind: "credit-note"
          Assets:Clients  -210.00 EUR
          Income:Participants:{P}:Ventes  210.00 EUR
          Expenses:Participants:{P}:Quote-part  -210.00 EUR
          Liabilities:Quotes-parts-en-attente:{P}  210.00 EUR
        2026-03-09 * "what was paid for the credited part" ^cn-2026-0001 ^inv-2026-0001 ^refund-2026-0001
          kind: "credit-reversal"
          participant: "{P}"
          applied: -120.00
          received-net: -120.00
          contribution-rate: 10
          contribution: -12.00
          taken-back: 108.00
          owed: 8.00
          refund-due: 120.00
          Liabilities:Quotes-parts-en-attente:{P}  -120.00 EUR
          Liabilities:Participants:{P}  120.00 EUR
          Liabilities:Participants:{P}  -12.00 EUR
          Income:Participants:{P}:Contribution  12.00 EUR
          Liabilities:Participants:{P}  -8.00 EUR
          Assets:Participants-a-recuperer:{P}  8.00 EUR
          Assets:Clients  120.00 EUR
          Liabilities:Remboursements-dus  -120.00 EUR
        2026-03-10 * "a cash sale of 50.00 recovering the 8.00 owed" ^cash-2026-0001
          kind: "cash-sale"
          participant: "{P}"
          amount: 50.00
          received-net: 50.00
          contribution-rate: 10
          contribution: 5.00
          recovered: 8.00
          Assets:Caisse  50.00 EUR
          Income:Participants:{P}:Ventes  -50.00 EUR
          Expenses:Participants:{P}:Quote-part  50.00 EUR
          {HELD}  -50.00 EUR
          {HELD}  5.00 EUR
          Income:Participants:{P}:Contribution  -5.00 EUR
          {HELD}  8.00 EUR
          Assets:Participants-a-recuperer:{P}  -8.00 EUR
        2026-03-11 * "a payment of 20.00 returned" ^inv-2026-0001
          kind: "payment"
          participant: "{P}"
          amount: -20.00
          applied: -20.00
          received-net: -20.00
          contribution-rate: 10
          contribution: -2.00
          contribution-rule: "reversal at the rate taken on inv-2026-0001"
          Liabilities:Quotes-parts-en-attente:{P}  -20.00 EUR
          {HELD}  20.00 EUR
          {HELD}  -2.00 EUR
          Income:Participants:{P}:Contribution  2.00 EUR
        """
    )
    assert found == []


def test_the_carried_balances_of_a_closed_year_are_exempt(tmp_path: Path) -> None:
    """``kind: "carried"`` in ``carried.beancount`` (the balances a sealed close carries)
    is skipped; the same entry anywhere else is checked."""
    entry = f"""
2026-03-01 * "carried"
  kind: "carried"
  {HELD}  100.00 EUR
  Assets:Compte-d-attente  -100.00 EUR
"""
    for name, expected in (("carried.beancount", 0), ("notes.beancount", 1)):
        (tmp_path / name).write_text(entry)
        main = tmp_path / f"main-{name}"
        main.write_text(HEAD + f'include "{name}"\n')
        _entries, found, _ = loader.load_file(str(main))
        assert len([e for e in found if SAID in e.message]) == expected, found


# ---------------------------------------------------------------- through the command line


def _check_errors(h: Hub) -> list[str]:
    proc = h.run("check", ok=False)
    assert "Traceback" not in proc.stdout + proc.stderr
    return [ln for ln in (proc.stdout + proc.stderr).splitlines() if ".beancount:" in ln]


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Hub:
    """Every kind of entry coopledger books that takes from a balance held."""
    h = Hub(tmp_path_factory.mktemp("held"))
    h.run("contribution", "set-rate", "10")
    first = h.invoice("200.00", "2026-02-02")
    h.pays(first, "2026-02-05")  # 180.00 held
    h.run("cash", "withdraw", "200", "--date", "2026-02-05")
    cost = ("expense", "add", "--participant", h.code, "--description", "ingrédients")
    h.run(*cost, "--amount", "30", "--paid-from", "bank", "--date", "2026-02-06")
    h.run(*cost, "--amount", "10", "--paid-from", "cash", "--date", "2026-02-06")
    h.run("payout", "add", h.code, "50.00", "--method", "bank", "--date", "2026-02-07")
    h.run("payout", "add", h.code, "20.00", "--method", "cash", "--date", "2026-02-07")
    h.run("payout", "add", h.code, "10.00", "--method", "bank", "--date", "2026-02-08")
    h.run("payout", "cancel", "PO-2026-0003")
    h.run("payout", "add", h.code, "60.00", "--method", "cash", "--date", "2026-02-09")
    h.run(*cost, "--amount", "15", "--paid-from", "cash", "--charge-later", "--date",
          "2026-02-10")  # fmt: skip
    second = h.invoice("100.00", "2026-02-11")
    h.pays(second, "2026-02-12")  # recovers the 15.00
    h.run("invoice", "credit", first["number"], "--line", "Prestation fictive|1|200|0",
          "--reason", "erreur", "--no-validate", "--date", "2026-02-13",
          "--recover-from-participant")  # fmt: skip
    h.run("cash", "sale", "50", "--participant", h.code, "--date", "2026-02-14")
    h.run("payout", "export", "--out", str(h.tmp / "po.xml"))
    h.statement(("2026-02-15", "-50.00", {"iban": PAYEE_IBAN, "text": "PO-2026-0001",
                                          "e2e": "PO-2026-0001"}))  # fmt: skip
    return h


def test_every_entry_coopledger_books_passes(busy: Hub) -> None:
    kinds = " ".join(p.read_text() for p in (busy.root / "2026").glob("*.beancount"))
    for kind in ("payout", "payout-cancel", "expense", "payment", "credit-reversal",
                 "cash-sale"):  # fmt: skip
        assert f'kind: "{kind}"' in kinds, kind
    assert "recovered:" in kinds and "owed:" in kinds
    assert _check_errors(busy) == []


@pytest.mark.parametrize(
    ("to", "words"),
    [
        ("Income:Autres-produits", "into the hub's result"),
        ("Assets:Compte-d-attente", f"to Assets:Compte-d-attente; {SAID}"),
        ("Assets:Autres-creances", f"to Assets:Autres-creances; {SAID}"),
    ],
)
def test_a_payout_redirected_by_hand_is_named(busy: Hub, to: str, words: str) -> None:
    """A hand edit of the payouts' file sends a bank payout to the hub's income, the
    suspense account or another receivable instead of the payouts to execute: refused at
    the payout's line; the books checked again once it is undone."""
    path = busy.root / "2026" / "payouts.beancount"
    text = path.read_text()
    at = text.index("PO-2026-0001")
    start = text.rindex("\n\n", 0, at) + 2 if "\n\n" in text[:at] else 0
    end = text.find("\n\n", at)
    entry = text[start:end]
    assert "Liabilities:Virements-a-executer" in entry, entry
    path.write_text(text[:start] + entry.replace("Liabilities:Virements-a-executer", to)
                    + text[end:])  # fmt: skip
    try:
        found = _check_errors(busy)
        line = text[:start].count("\n") + 1
        mine = [e for e in found if words in e]
        assert mine and mine[0].startswith(f"2026/payouts.beancount:{line}: participant "), found
        history = git_state(busy.root)
        assert busy.run("check", "--adopt-changes", ok=False).returncode != 0
        assert git_state(busy.root) == history  # the hand edit is not adopted
    finally:
        subprocess.run(["git", "-C", str(busy.root), "checkout", "-q", "--", "."], check=True)
    assert _check_errors(busy) == []
