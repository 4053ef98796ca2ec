"""Property test: whatever sequence of supplier invoices, credit notes and re-imports a
treasurer books, no document is booked twice, no invoice is credited beyond its amount,
and what is owed to each supplier is the invoice less its credit notes — to the cent.

In memory (the pure booking functions over entries), with documents from our UBL writer.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from invoicing_support import YEAR, make_config
from peppol_support import supplier_document

from invoicing.purchases.booking import Charge, plan_purchase
from invoicing.purchases.document import parse
from ledger.errors import InputError
from ledger.layout import chart_entries
from ledger.view.purchases import purchase_statuses
from plugins.rules.purchases import check_purchases

DAY = dt.date(YEAR, 3, 3)
TODAY = dt.date(YEAR, 12, 31)
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400"), places=2)
rates = st.sampled_from(["0", "6", "12", "21"])
lines = st.lists(st.tuples(st.sampled_from(["1", "2", "3"]), prices, rates), min_size=1,
                 max_size=3)  # fmt: skip


class Purchases(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.config = make_config("standard")
        self.entries = list(chart_entries(self.config, dt.date(YEAR, 1, 1)))
        self.amounts: dict[str, Decimal] = {}
        self.credited: dict[str, Decimal] = {}
        self.booked: list[bytes] = []
        self.seq = 0

    def book(self, xml: bytes) -> Decimal:
        plan = plan_purchase(self.config, self.entries, parse(xml), xml, Charge(None, None, True),
                             label="the file", today=TODAY)  # fmt: skip
        self.entries += plan.entries
        self.booked.append(xml)
        return Decimal(plan.summary["amount"])

    @rule(items=lines)
    def invoice(self, items: list[tuple[str, Decimal, str]]) -> None:
        self.seq += 1
        number = f"F-{self.seq}"
        xml = supplier_document(self.config, [(q, str(p), r) for q, p, r in items], day=DAY,
                                number=number, seq=self.seq)  # fmt: skip
        self.amounts[number] = self.book(xml)
        self.credited[number] = Decimal(0)

    @precondition(lambda self: bool(self.amounts))
    @rule(data=st.data(), price=prices, rate=rates)
    def credit_note(self, data: st.DataObject, price: Decimal, rate: str) -> None:
        number = data.draw(st.sampled_from(sorted(self.amounts)))
        self.seq += 1
        xml = supplier_document(self.config, [("1", str(price), rate)], day=DAY + dt.timedelta(1),
                                number=f"NC-{self.seq}", seq=self.seq,
                                credit_of=(number, DAY))  # fmt: skip
        total = parse(xml).payable
        left = self.amounts[number] - self.credited[number]
        if total > left:
            try:
                self.book(xml)
            except InputError as exc:
                assert "exceeds what is left" in exc.message
            else:
                raise AssertionError("a credit beyond the invoice was booked")
        else:
            self.book(xml)
            self.credited[number] += total

    @precondition(lambda self: bool(self.booked))
    @rule(data=st.data())
    def import_again(self, data: st.DataObject) -> None:
        xml = data.draw(st.sampled_from(self.booked))
        try:
            self.book(xml)
        except InputError as exc:
            assert "booked already" in exc.message
        else:
            raise AssertionError("the same document was booked twice")

    @invariant()
    def books_consistent(self) -> None:
        assert check_purchases(self.entries) == []
        for status in purchase_statuses(self.entries, self.config, TODAY):
            number = status.record.number
            assert status.record.amount == self.amounts[number]
            assert status.credited == self.credited[number]
            assert status.owed == self.amounts[number] - self.credited[number] >= 0


Purchases.TestCase.settings = settings(
    max_examples=25, stateful_step_count=8, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
test_purchases_state_machine = Purchases.TestCase
