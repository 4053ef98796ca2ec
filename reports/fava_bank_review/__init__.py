"""The Bank review page in Fava: what waits in the review queue, with its candidates, and
which lines went through the suspense account and are settled.

Read-only: the decision stays in the terminal (``coopledger reconcile review``), where it
goes through the write path. The queue is :func:`ledger.money.reconcile.review_queue` (the
one ``reconcile list`` prints) on the books up to the end of Fava's period; it shows what
the books keep of a movement, never the bank's originals (they stay encrypted). Who paid
the hub is shown as the books keep it; for money going out, only the last four characters
of the account (it may be a participant's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data
from fava.core.group_entries import group_entries_by_type

from ledger.config import HubConfig
from ledger.i18n import translate
from ledger.money.reconcile.review import QueueItem, review_queue
from ledger.view import BankLine, View
from reports import fava_page
from reports.fava_page import F_, ZERO, until

# What a candidate or settlement target is, by its link's prefix.
TARGET_TEXTS = {
    "inv": F_("invoice {id}"), "po": F_("payout {id}"), "exp": F_("cost {id}"),
    "grant": F_("grant {id}"), "refund": F_("refund {id}"), "cash": F_("cash box {id}"),
}  # fmt: skip


def settled_links(entries: list[Any], hub: HubConfig) -> set[str]:
    """The ``^bank-`` links of the lines that went through suspense and are settled."""
    lines = View.of(entries, hub).lines.values()
    return {ln.link for ln in lines if ln.to_suspense != ZERO and ln.suspense == ZERO}


def unflag_settled(entries: list[Any], hub: HubConfig) -> list[Any]:
    """The entries, each bank line that is settled no longer flagged ``!`` "to review"
    (as Fava shows them: the books keep what the import wrote, and seals see that)."""
    settled = settled_links(entries, hub)

    def shown(entry: Any) -> Any:
        if (
            isinstance(entry, data.Transaction) and entry.flag == "!"
            and entry.meta.get("kind") == "bank" and settled.intersection(entry.links or ())
        ):  # fmt: skip
            narration = (entry.narration or "").replace(", to review", ", settled")
            return entry._replace(flag="*", narration=narration)
        return entry

    return [shown(e) for e in entries]


@dataclass
class Target:
    """A link a line may settle (a candidate) or did settle, as the page names it."""

    text: str
    number: str = ""  # an invoice's number, to link to its page


@dataclass
class Waiting:
    item: QueueItem
    direction: str
    candidates: list[tuple[list[Target], int, list[str]]] = field(default_factory=list)


class BankReview(fava_page.CoopPage):
    """The review queue (read-only) and the settled lines."""

    title = F_("Bank review")

    def after_load_file(self) -> None:
        """Settled lines stop showing as "to review" in all of Fava (the journal's red
        ``!``): Fava's entries are replaced once per load, before any page asks."""
        super().after_load_file()
        if self.hub is None:
            return
        ledger = self.ledger
        ledger.all_entries = unflag_settled(list(ledger.all_entries), self.hub)
        ledger.all_entries_by_type = group_entries_by_type(ledger.all_entries)
        ledger.get_filtered.cache_clear()
        ledger.get_entry.cache_clear()

    def data(self) -> dict[str, Any]:
        scope = self.scope()
        if self.hub is None:
            return {"scope": scope, "waiting": [], "settled": [], "matched": 0}
        entries = until(self.entries(), scope.end)
        view = self.view(scope.end)

        def shown(line: BankLine) -> bool:
            return scope.in_period(line.date) and scope.keeps(
                links=[line.link, *line.settled_by], accounts=[line.account]
            )

        waiting = [
            self._waiting(item) for item in review_queue(entries, self.hub) if shown(item.line)
        ]
        lines = [ln for ln in view.lines.values() if shown(ln)]
        settled = sorted(
            (ln for ln in lines if ln.to_suspense != ZERO and ln.suspense == ZERO),
            key=lambda ln: (ln.date, ln.ref),
        )
        return {
            "scope": scope,
            "waiting": waiting,
            "open": sum((w.item.line.suspense for w in waiting), ZERO),
            "settled": settled,
            "matched": sum(1 for ln in lines if ln.to_suspense == ZERO),
        }

    def _waiting(self, item: QueueItem) -> Waiting:
        incoming = item.line.suspense > 0
        out = Waiting(item, self.t("in") if incoming else self.t("out"))
        for cand in item.candidates[:5]:
            targets = [self.target(link) for link, _ in cand.parts] or [self.target(cand.target)]
            reasons = [translate(self.lang, reason) for reason in cand.reasons]
            out.candidates.append((targets, cand.score, reasons))
        return out

    def target(self, link: str) -> Target:
        prefix, _, ident = link.partition("-")
        if prefix not in TARGET_TEXTS or not ident:
            return Target(link)
        return Target(self.t(TARGET_TEXTS[prefix], id=ident), ident if prefix == "inv" else "")

    def counterparty(self, line: BankLine) -> str:
        """Who paid the hub, as the books keep it; for money out, the account's last four
        characters only."""
        last4 = f"…{line.iban_last4}" if line.iban_last4 else ""
        if line.amount > 0:
            return " ".join(x for x in (line.counterparty, last4) if x) or "—"
        return last4 or "—"

    def communication(self, line: BankLine) -> str:
        return (line.communication or line.ogm) if line.amount > 0 else line.ogm

    def settled_targets(self, line: BankLine) -> list[Target]:
        seen: list[str] = []
        for link in line.settled_by:
            if link not in seen and not link.startswith("bank-"):
                seen.append(link)
        return [self.target(link) for link in seen]

    def amount(self, value: Decimal) -> str:
        return self.money(value)
