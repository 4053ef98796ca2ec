"""The Year end page in Fava: what blocks ``coopledger year close`` today, year by year,
and what the treasurer may want to look at before closing.

The blockers are :func:`ledger.money.year_end.year_blockers`, the very ones ``year plan``
and ``year close`` report: the year has not ended, bank lines still in the suspense
account, the cash box below zero on some day, money received and not allocated to its
invoice, errors in the books. Closed years are listed with their seal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from ledger.integrity.carried import marker as carried_marker
from ledger.integrity.carried import sealed_heads as carried_heads
from ledger.money.year_end import Blocker, year_blockers
from ledger.view import Pending
from ledger.view.deliveries import current
from plugins.sealed import SEAL_TYPE
from reports import fava_page
from reports.fava_page import F_, until

PENDING_TEXTS = {
    "payout": F_("payouts ordered, not yet seen on the bank statement"),
    "expense": F_("costs booked, not yet paid"),
    "grant": F_("grants booked, not yet received"),
    "refund": F_("refunds due to clients"),
    "transfer": F_("transfers between the bank and the cash box, not yet seen on both sides"),
}


@dataclass
class Closed:
    year: int
    closed_on: Any
    digest: str


@dataclass
class Year:
    year: int
    blockers: list[Blocker] = field(default_factory=list)


@dataclass
class Waiting:
    kind: str
    count: int
    amount: Decimal


class YearEnd(fava_page.CoopPage):
    """What blocks closing each year that is not closed yet."""

    title = F_("Year end")

    def data(self) -> dict[str, Any]:
        scope = self.scope()
        if self.hub is None:
            return {"scope": scope, "closed": [], "years": [], "waiting": [], "queued": 0}
        entries = self.entries()
        closed = sorted(
            (
                Closed(int(str(e.values[0].value)), e.meta.get("closed-on"),
                       str(e.values[1].value)[:16] if len(e.values) > 1 else "")
                for e in entries if isinstance(e, data.Custom) and e.type == SEAL_TYPE
            ),
            key=lambda c: c.year,
        )  # fmt: skip
        mark = carried_marker(entries)  # the live books: the closed years are carried
        if mark is not None:
            shown = {c.year for c in closed}
            carried = carried_heads(mark)
            closed = sorted(
                [
                    *closed,
                    *(Closed(y, None, h[:16]) for y, h in carried.items() if y not in shown),
                ],
                key=lambda c: c.year,
            )
        on = scope.as_of(self.today())
        first = max((c.year for c in closed), default=self._first_year(entries) - 1) + 1
        wanted = [on.year] if scope.end is not None else list(range(first, on.year + 1))
        errors = len(getattr(self.ledger, "load_errors", []) or [])
        years = [
            Year(y, year_blockers(entries, self.hub, y, self.today(), errors))
            for y in wanted
            if y not in {c.year for c in closed}
        ]
        view = self.view(scope.end)
        waiting = []
        for kind in PENDING_TEXTS:
            items: list[Pending] = view.open_pending(kind)
            if items:
                waiting.append(Waiting(kind, len(items), sum((p.open for p in items), Decimal(0))))
        queued = sum(
            1 for step in current(until(entries, scope.end)).values() if step.status == "queued"
        )
        return {"scope": scope, "closed": closed, "years": years, "waiting": waiting,
                "queued": queued}  # fmt: skip

    def _first_year(self, entries: list[Any]) -> int:
        return min((e.date.year for e in entries if isinstance(e, data.Transaction)),
                   default=self.today().year)  # fmt: skip

    def blocker(self, item: Blocker) -> str:
        return item.text(self.lang, amount=self.money, day=self.day)

    def waiting_text(self, item: Waiting) -> str:
        return self.t(PENDING_TEXTS[item.kind])

    def closed_on(self, item: Closed) -> str:
        value = item.closed_on
        return self.day(value) if isinstance(value, dt.date) else str(value or "")
