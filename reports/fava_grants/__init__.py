"""The Grants page in Fava: per grant or gift, what was received, what it paid for, what
is deferred to the next years and what remains.

The figures are :func:`ledger.money.grants.grants` (the ones ``grant list`` and ``grant
report`` print) on the books up to the end of Fava's period; "spent in the period" is what
was charged to each grant within it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledger.money.grants import Grant, grants
from reports import fava_page
from reports.fava_page import F_, ZERO, until


@dataclass
class Row:
    grant: Grant
    received: Decimal
    spent: Decimal  # charged to it, in all
    spent_in_period: Decimal


class Grants(fava_page.CoopPage):
    """Grants and gifts: received, spent, deferred, remaining."""

    title = F_("Grants")

    def data(self) -> dict[str, Any]:
        scope = self.scope()
        if self.hub is None:
            return {"scope": scope, "rows": [], "totals": {}}
        rows = []
        for grant in grants(until(self.entries(), scope.end), self.hub).values():
            if not scope.keeps(links=[f"grant-{grant.id}"], accounts=[grant.account]):
                continue
            period = sum((c.amount for c in grant.charges if scope.in_period(c.date)), ZERO)
            rows.append(Row(grant, grant.amount - grant.expected, grant.charged, period))
        rows.sort(key=lambda r: (r.grant.date, r.grant.id))
        totals = {
            "amount": sum((r.grant.amount for r in rows), ZERO),
            "received": sum((r.received for r in rows), ZERO),
            "spent": sum((r.spent for r in rows), ZERO),
            "spent_in_period": sum((r.spent_in_period for r in rows), ZERO),
            "deferred": sum((r.grant.deferred for r in rows), ZERO),
            "remaining": sum((r.grant.remaining for r in rows), ZERO),
        }
        return {"scope": scope, "rows": rows, "totals": totals}

    def kind(self, grant: Grant) -> str:
        if grant.gift:
            return self.t("gift")
        return self.t("restricted grant") if grant.restricted else self.t("grant")
