"""Reconciliation: settle what the bank statement shows against what the books expect.

Import writes facts (``kind: "bank"`` entries); reconciliation *appends* settlement
entries and never edits an old one. Everything here is a pure function of the entries and
the hub's configuration; the commands in :mod:`ledger.cli.money` write what it returns
through the one write path, and ``coopledger import`` calls :func:`reconcile_new_entries`
inside its own transaction.

What is matched, and the entries booked (see ``docs/reconciliation.md``):

* a client's payment already posted to ``clients`` with an ``^inv-`` link (OGM matched at
  import, or an invoice paid in cash, ``^cash-``) → the **allocation**
  (``kind: "payment"``): the net received moves from the participant's share of open
  invoices (accrued when the invoice was issued) to the balance held, the hub's
  contribution by rule goes to its income, what she owes the hub is recovered from it,
  any excess over what the invoice still asks goes to ``refunds_due``; a partial payment is
  allocated in proportion;
* a credit note on an invoice already paid → its **credit reversal**
  (:func:`credit_reversal`, ``kind: "credit-reversal"``, booked with the credit note): what
  the participant was credited for the credited part taken back, the client owed the rest;
* a movement in **suspense**: by OGM (structured or typed in the free communication), else
  scored on amount, counterparty IBAN or name seen on the client's earlier payments,
  invoice number in the text, and date window; one payment may settle several invoices of
  one client. A certain match books a **settlement** (suspense → target, dated at the bank
  date) and, for invoices, its allocation; anything less waits in the review queue;
* money going out: ordered payouts (``payouts_pending``, by end-to-end reference, else
  amount + last four IBAN digits), costs paid by bank (``suppliers``), refunds of
  overpayments and of credit notes (``refunds_due``), cash withdrawals
  (``internal_transfers``, ``^cash-``), and returned payments (R-transactions), which undo
  the allocation of the payment they return;
* money coming from a funder: a grant receivable (``grants_receivable``); cash deposited.

Identity: every settlement entry carries exactly one ``^bank-`` link (the movement it
settles) and one target link (``^inv-``, ``^po-``, ``^exp-``, ``^grant-``, ``^refund-``);
an allocation carries the ``^bank-`` and ``^inv-`` links of the receipt it allocates.
What is open is always recomputed from these links, so running reconciliation again books
nothing new, and a bank line is never settled twice.
"""

from ledger.money.reconcile.booking import (
    allocate,
    allocation_entries,
    assign,
    auto_entries,
    book_candidate,
    credit_reversal,
    reconcile_new_entries,
    recovery,
    run_assign,
    run_auto,
    settlement_entries,
    share_received,
)
from ledger.money.reconcile.matching import Candidate, candidates, decide, ogms_in_text
from ledger.money.reconcile.review import QueueItem, review_queue, unallocated
from ledger.money.reconcile.state import State, check_cash, find_line
from ledger.view import BankLine, BankOriginal, Invoice, Pending, Receipt

__all__ = [
    "BankLine", "BankOriginal", "Candidate", "Invoice", "Pending", "QueueItem", "Receipt",
    "State", "allocate", "allocation_entries", "assign", "auto_entries", "book_candidate",
    "candidates", "check_cash", "credit_reversal", "decide", "find_line", "ogms_in_text",
    "reconcile_new_entries", "recovery", "review_queue", "run_assign", "run_auto",
    "settlement_entries", "share_received", "unallocated",
]  # fmt: skip
