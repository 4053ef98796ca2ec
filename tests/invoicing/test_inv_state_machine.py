"""A Hypothesis state machine of issue / credit / crash / concurrent issue.

Invariants after every step: the books load without errors; invoice and credit-note
numbers are contiguous per series (1…n, n = what succeeded); dates never go down as numbers
go up; every document issued so far is still there with its files, and no file exists for
a document that was not issued; no crash journal is left once the books are used again.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path

import pytest
from beancount.core import data
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from invoicing_support import TODAY, Hub, create_hub, day

import ledger.books as books_module
from invoicing import numbering
from invoicing.entries import DOCUMENTS_DIR, file_stem
from invoicing.issue import CreditRequest, IssueRequest, issue_credit_note, issue_invoice
from invoicing.lines import parse_line
from ledger.books import JOURNAL_FILE, Books, recover_journal
from ledger.errors import InputError

CRASH_POINTS = ("after-first-file", "after-files", "after-git-add")


class SimulatedCrash(BaseException):
    """Stands for the process dying: nothing after it runs, no clean-up."""


def _issue_in_child(root: str, participant: str, client: str, when: dt.date) -> None:
    books = Books.open(root)
    issue_invoice(
        books,
        IssueRequest(participant=participant, client=client, lines=[parse_line("Job|1|40|0")],
                     date=when),
        today=TODAY,
    )  # fmt: skip


class InvoicingMachine(RuleBasedStateMachine):
    def __init__(self, base: Path) -> None:
        super().__init__()
        InvoicingMachine.counter += 1
        self.hub: Hub = create_hub(base / f"sm-{InvoicingMachine.counter}")
        self.cursor = day(1, 10)
        self.credit_cursor = day(1, 10)
        self.invoices: dict[str, dt.date] = {}
        self.credits: dict[str, dt.date] = {}
        self.credited: set[str] = set()

    counter = 0

    # ------------------------------------------------------------------ rules

    @rule(step=st.integers(-3, 6), business=st.booleans())
    def issue(self, step: int, business: bool) -> None:
        when = min(self.cursor + dt.timedelta(days=step), TODAY)
        client = self.hub.business if business else self.hub.person
        request = IssueRequest(
            participant=self.hub.participant, client=client,
            lines=[parse_line("Repas|3|12.5|0")], date=when,
        )  # fmt: skip
        if self.invoices and when < self.cursor:
            with pytest.raises(InputError, match="before the last invoice"):
                issue_invoice(self.hub.books, request, today=TODAY)
            return
        result = issue_invoice(self.hub.books, request, today=TODAY)
        assert result.document.seq == len(self.invoices) + 1
        self.invoices[result.document.number] = when
        self.cursor = when

    @precondition(lambda self: len(self.credited) < len(self.invoices))
    @rule(pick=st.integers(0, 1000), step=st.integers(0, 4))
    def credit(self, pick: int, step: int) -> None:
        candidates = sorted(n for n in self.invoices if n not in self.credited)
        number = candidates[pick % len(candidates)]
        when = max(self.credit_cursor, self.invoices[number]) + dt.timedelta(days=step)
        when = min(when, TODAY)
        result = issue_credit_note(
            self.hub.books, CreditRequest(invoice=number, date=when), today=TODAY
        )
        self.credits[result.document.number] = when
        self.credited.add(number)
        self.credit_cursor = when

    @rule(point=st.sampled_from(CRASH_POINTS), step=st.integers(0, 3))
    def crash_during_issue(self, point: str, step: int) -> None:
        """The process dies at ``point`` of the write; the next command recovers."""
        when = min(self.cursor + dt.timedelta(days=step), TODAY)

        def die(at: str) -> None:
            if at == point:
                raise SimulatedCrash(at)

        saved = (books_module._inject_fault, books_module.restore, books_module.clear_journal)
        books_module._inject_fault = die  # type: ignore[assignment]
        books_module.restore = lambda *a, **k: None  # type: ignore[assignment]
        books_module.clear_journal = lambda *a, **k: None  # type: ignore[assignment]
        try:
            with pytest.raises(SimulatedCrash):
                issue_invoice(
                    self.hub.books,
                    IssueRequest(participant=self.hub.participant, client=self.hub.business,
                                 lines=[parse_line("Perdu|1|99|0")], date=when),
                    today=TODAY,
                )  # fmt: skip
        finally:
            books_module._inject_fault, books_module.restore, books_module.clear_journal = saved
        # Restart: the next command takes the lock and undoes the half-written change.
        with self.hub.books.locked():
            recover_journal(self.hub.books)

    @rule(n=st.integers(2, 3))
    def concurrent_issue(self, n: int) -> None:
        """``n`` processes issue at the same moment; the lock serialises them."""
        ctx = multiprocessing.get_context("fork")
        procs = [
            ctx.Process(
                target=_issue_in_child,
                args=(str(self.hub.root), self.hub.participant, self.hub.person, self.cursor),
            )
            for _ in range(n)
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=120)
        assert [p.exitcode for p in procs] == [0] * n
        ledger = self.hub.books.load()
        refs = [d for d in numbering.issued(ledger.entries) if d.kind == "invoice"]
        for ref in refs:
            self.invoices.setdefault(ref.number, ref.date)
        assert len(refs) == len(self.invoices)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def books_hold(self) -> None:
        ledger = self.hub.books.load()
        assert not ledger.errors, self.hub.books.error_lines(ledger)
        assert not (self.hub.root / JOURNAL_FILE).exists()
        docs = numbering.issued(ledger.entries)
        for kind, expected in (("invoice", self.invoices), ("credit-note", self.credits)):
            mine = sorted((d for d in docs if d.kind == kind), key=lambda d: d.seq)
            assert [d.seq for d in mine] == list(range(1, len(expected) + 1))
            assert {d.number for d in mine} == set(expected)
            dates = [d.date for d in mine]
            assert dates == sorted(dates)
        folder = self.hub.root / DOCUMENTS_DIR / str(day(1, 1).year)
        stems = {p.stem for p in folder.glob("*")} if folder.exists() else set()
        assert stems == {file_stem(n) for n in [*self.invoices, *self.credits]}
        for entry in ledger.entries:
            if isinstance(entry, data.Document):
                assert Path(entry.filename).is_file()


def test_issue_credit_crash_concurrent_state_machine(tmp_path: Path) -> None:
    run_state_machine_as_test(
        lambda: InvoicingMachine(tmp_path),
        settings=settings(
            max_examples=6,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
