"""The Participants page in Fava: every participant by code, what the hub holds for her and
why, and a page of her own.

Community workers look at the hub through Fava; this page answers their first questions
(how much does the hub hold for each participant, what do her clients still owe, which
contribution applies) without any identity: codes and activity categories only. Each
code links to her own page: her invoices, the payments received for them, her costs and
payouts with their documents, and what the hub held for her over time.

Figures are the books' fold (:class:`ledger.view.View`, as ``participant show`` gives
them) within Fava's filters (:mod:`reports.fava_page`): the flows of the period, the
balances of its last day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fava.ext import extension_endpoint
from flask import Response, request
from markupsafe import Markup

from invoicing.status import FILTERS, InvoiceStatus, statuses
from ledger.codes import is_code
from ledger.i18n import fmt_percent
from ledger.integrity.carried import marker
from ledger.view import Movement, ParticipantSummary, View
from reports import fava_page
from reports.fava_page import F_, ZERO, Chart, FileLink, Scope, documents_by_link

FLOWS = ("sales", "received", "contribution", "costs_charged", "payouts")
STATUS_TEXTS = {"open": F_("open"), "closed": F_("closed")}
KIND_TEXTS = {
    "payment": F_("payment from a client"),
    "cash-sale": F_("sale paid in cash"),
    "credit-reversal": F_("credit note on an invoice already paid"),
    "expense": F_("cost"),
    "payout": F_("payout"),
    "settlement": F_("payout returned by the bank"),
    "payout-cancel": F_("payout cancelled before it was sent to the bank"),
    "contribution": F_("contribution"),
    "other": F_("other"),
}
PAYMENT_KINDS = ("payment", "cash-sale", "credit-reversal")
UNSETTLED = FILTERS["open"]


@dataclass
class Row:
    """One participant as the page shows her."""

    code: str
    status: str
    activity: str
    opened: dt.date
    closed: dt.date | None
    flows: dict[str, Decimal]  # of the period
    held: Decimal  # on the period's last day
    unpaid: Decimal  # what her clients still owe on her invoices (incl. VAT)
    pending: Decimal  # her share of it
    owed: Decimal  # what she owes the hub
    rate: Decimal
    rule: str


@dataclass
class Detail:
    """What her own page shows."""

    row: Row
    invoices: list[InvoiceStatus] = field(default_factory=list)
    payments: list[Movement] = field(default_factory=list)
    costs: list[Movement] = field(default_factory=list)
    payouts: list[Movement] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)
    opening: Decimal = ZERO
    chart: Chart | None = None
    files: dict[str, list[FileLink]] = field(default_factory=dict)


class Participants(fava_page.CoopPage):
    """Participants' balances (codes only), and a page for each."""

    title = F_("Participants")

    # -- the list -----------------------------------------------------------------------

    def data(self) -> dict[str, Any]:
        """The rows and totals of the page, within Fava's filters."""
        scope = self.scope()
        if self.hub is None:
            return {"scope": scope, "rows": [], "totals": {}}
        end, start = self.view(scope.end), self.flows_start(scope)
        unpaid = self.unpaid(end, scope)
        rows = [
            self._row(end, start, summary, scope, unpaid.get(code, ZERO))
            for code, summary in sorted(end.participants.items())
            if scope.keeps(code=code, accounts=summary.info.accounts.values())
        ]
        keys = (*FLOWS, "held", "unpaid", "pending")
        totals = {
            k: sum((r.flows[k] if k in FLOWS else getattr(r, k) for r in rows), ZERO) for k in keys
        }
        return {"scope": scope, "rows": rows, "totals": totals}

    def carried_since(self, scope: Scope) -> dt.date | None:
        """On the live books (``books serve`` without ``--all-years``), the first day after
        the last close when the period starts on or before it: the live books carry the
        closed years' balances (what was invoiced, the contribution) but not their flows
        (what clients paid, what was paid out), so the flows of a period that reaches into
        a closed year are told from the day after the close, as the page's note says."""
        found = marker(self.entries())
        if found is None or (scope.begin is not None and scope.begin > found.date):
            return None
        return found.date + dt.timedelta(days=1)

    def flows_start(self, scope: Scope) -> View | None:
        since = self.carried_since(scope)
        begin = since or scope.begin
        return self.view(begin) if begin else None

    def header(self, scope: Scope) -> Markup:
        since = self.carried_since(scope)
        note = super().header(scope)
        if since is None:
            return note
        said = self.t("These are the live books: amounts are those since {date} (the day "
                      "after the last close); serve the books with --all-years for the closed "
                      "years.", date=self.day(since))  # fmt: skip
        return note + Markup('<p class="coop-note">{}</p>').format(said)

    def unpaid(self, end: View, scope: Scope) -> dict[str, Decimal]:
        """What clients still owe on each participant's invoices (``invoice list``'s
        outstanding of those not settled), on the period's last day."""
        out: dict[str, Decimal] = {}
        for inv in statuses(end, scope.as_of(self.today())):
            if inv.status in UNSETTLED:
                out[inv.participant] = out.get(inv.participant, ZERO) + inv.outstanding
        return out

    def _row(
        self, end: View, start: View | None, summary: ParticipantSummary, scope: Scope,
        unpaid: Decimal,
    ) -> Row:  # fmt: skip
        code = summary.info.code
        before = start.participants.get(code) if start is not None else None
        flows = {
            k: getattr(summary, k) - (getattr(before, k) if before is not None else ZERO)
            for k in FLOWS
        }
        on = scope.as_of(self.today())
        assert self.hub is not None
        rate, own, since = self.hub.contribution.rule_for(code, on)
        if own:
            rule = self.t("her own rate since {date}", date=self.day(since))
        elif since is not None:
            rule = self.t("the hub's rate since {date}", date=self.day(since))
        else:
            rule = self.t("the hub's rate")
        return Row(
            code=code, status=self.t(STATUS_TEXTS[summary.info.status]),
            activity=summary.info.activity, opened=summary.info.opened,
            closed=summary.info.closed, flows=flows, held=summary.balance, unpaid=unpaid,
            pending=summary.pending, owed=summary.owed, rate=rate, rule=rule,
        )  # fmt: skip

    def percent(self, rate: Decimal) -> str:
        return fmt_percent(rate, self.lang)

    # -- her own page -------------------------------------------------------------------

    @extension_endpoint("participant")  # type: ignore[arg-type]  # Fava types it for its own
    def participant(self) -> Response:
        """``…/extension/Participants/participant?code=P-…``: her own page (404 for a code
        the books do not know, or that is not a code: it is never repeated)."""
        code = request.args.get("code", "").strip()
        if self.hub is None:
            return self.not_found(self.t("hub.toml could not be read: {error}",
                                         error=self.hub_error))  # fmt: skip
        if not is_code(code):
            return self.not_found(self.t("This is not a participant code (P- and six "
                                         "characters)."))  # fmt: skip
        scope = self.scope()
        end = self.view(scope.end)
        summary = end.participants.get(code)
        if summary is None:
            return self.not_found(self.t("No participant {code} in these books.", code=code))
        detail = self.detail(code, end, scope)
        return self.render_page(
            "Participant.html", self.t("Participant {code}", code=code), detail=detail,
            scope=scope,
        )  # fmt: skip

    def detail(self, code: str, end: View, scope: Scope) -> Detail:
        start = self.flows_start(scope)
        summary = end.participants[code]
        row = self._row(end, start, summary, scope, self.unpaid(end, scope).get(code, ZERO))
        begin = self.carried_since(scope) or scope.begin  # the live books: since the close
        moves = [
            m for m in summary.movements
            if scope.in_period(m.date) and (begin is None or m.date >= begin)
        ]  # fmt: skip
        earlier = [m for m in summary.movements if begin and m.date < begin]
        opening = earlier[-1].balance if earlier else ZERO
        chart = Chart(self.t("Held for her"))
        if begin is not None:
            chart.points.append((begin, opening))
        chart.points += [(m.date, m.balance) for m in moves]
        invoices = [
            s for s in statuses(end, scope.as_of(self.today()))
            if s.participant == code and scope.in_period(s.date)
        ]  # fmt: skip
        docs = documents_by_link(self.entries())
        files = {
            link: [FileLink.of(d) for d in found]
            for link, found in docs.items()
            if link.startswith(("inv-", "exp-", "po-", "cn-"))
        }
        return Detail(
            row=row,
            invoices=invoices,
            payments=[m for m in moves if m.kind in PAYMENT_KINDS],
            costs=[m for m in moves if m.kind == "expense"],
            payouts=[m for m in moves if m.kind in ("payout", "settlement", "payout-cancel")],
            movements=moves,
            opening=opening,
            chart=chart if len(chart.points) > 1 else None,
            files=files,
        )

    def kind(self, movement: Movement) -> str:
        return self.t(KIND_TEXTS.get(movement.kind, KIND_TEXTS["other"]))

    def invoice_of(self, movement: Movement) -> str:
        return next((lk[4:] for lk in movement.links if lk.startswith("inv-")), "")

    def files_of(self, detail: Detail, links: list[str], prefix: str) -> list[FileLink]:
        out: list[FileLink] = []
        for link in links:
            if link.startswith(prefix):
                out += detail.files.get(link, [])
        return out

    def invoice_files(self, detail: Detail, number: str) -> list[FileLink]:
        """The invoice's own files (not those of its credit notes, which share its link)."""
        credit = {f.filename for lk, fs in detail.files.items() if lk.startswith("cn-")
                  for f in fs}  # fmt: skip
        return [f for f in detail.files.get(f"inv-{number}", []) if f.filename not in credit]

    def status(self, invoice: InvoiceStatus) -> str:
        return self.t(fava_page.INVOICE_STATUS_TEXTS[invoice.status])
