"""Help that helps (issue 14): ``reconcile review`` and ``reconcile assign --help`` list
the targets ``assign`` accepts; a listed form is really accepted."""

from __future__ import annotations

import datetime as dt

from money_builders import CODES, add_client, bank_entry, import_bank
from money_builders import issue as issue_invoice
from tests_support import run_cli, tree_digest

from ledger.books import Books
from ledger.cli.reconcile import TARGETS

FORMS = ("inv-", "return:", "po-", "exp-", "grant-", "refund-", "cash-", "bank_fees")


def test_the_listed_targets_are_those_assign_parses() -> None:
    listed = " ".join(TARGETS)
    for form in FORMS:
        assert form in listed


def test_reconcile_assign_help_lists_the_targets(books: Books) -> None:
    proc = run_cli(["reconcile", "assign", "--help"])
    assert proc.returncode == 0, proc.stderr
    for target in TARGETS:
        assert target in proc.stdout


def test_reconcile_review_lists_the_targets_when_it_asks(books: Books) -> None:
    import_bank(books, bank_entry(books.config, "T1", dt.date(2026, 3, 20), "33.00"))
    before = tree_digest(books.root)
    proc = run_cli(["reconcile", "review", "--books", str(books.root)], input="s\n")
    assert proc.returncode == 0, proc.stderr
    asked = proc.stdout.split("bank line T1", 1)[1]
    for form in FORMS:
        assert form in asked, form
    assert "0 decision(s) booked." in proc.stdout
    assert tree_digest(books.root) == before  # a skip writes nothing


def test_reconcile_review_books_a_listed_target(books: Books) -> None:
    client = add_client(books)
    inv = issue_invoice(books, CODES[0], client, "75.00", dt.date(2026, 3, 3))
    import_bank(books, bank_entry(books.config, "T2", dt.date(2026, 3, 20), "75.00"))
    proc = run_cli(
        ["reconcile", "review", "--books", str(books.root)], input=f"inv-{inv.number}\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert "targets: invoice number or inv-…" in proc.stdout
    assert "1 decision(s) booked." in proc.stdout
